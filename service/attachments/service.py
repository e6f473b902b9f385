"""Attaching files to the answer of a case and reading them back: the bytes judged by their content, stored
with their SHA-256, and the upload written to the case history and the contract's audit trail in one
transaction with the file."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlmodel import Session, select

from service import audit, authz
from service.actors import actor_of
from service.attachments.models import Attachment
from service.attachments.schemas import AttachmentPublic
from service.auth.tokens import Principal
from service.consultations.models import CaseHistoryEntry
from service.obligations import service as obligations
from service.problems import Conflict, ErrorItem, Invalid, Msg, NotFound, Problem, Term
from service.rules import consultation as rules
from service.rules.file_types import EXTENSIONS, judge, safe_filename, size_in_words, sniff

REFUSED = {
    "empty": "The file is empty.",
    "unknown": "Only PDF, PNG, JPEG, Excel (.xlsx), Word (.docx), plain text (.txt) and CSV (.csv) files can be "
               "attached; this file's content is none of these.",
    "mismatch": "The file's name does not fit its content: give it the extension of what it is ({expected}).",
    "macros": "Office files with macros cannot be attached; save it as .xlsx or .docx without macros.",
    "missing": "Send the file as the field 'file' of a multipart/form-data body.",
}


class Refused(Invalid):
    """422: the file cannot be attached; `reason` (one of REFUSED) says why, also as its error's `type`."""

    def __init__(self, reason: str, **params: Any):
        super().__init__(errors=[ErrorItem(("body", "file"), Msg(REFUSED[reason], params), f"file_{reason}")],
                         detail="The file cannot be attached.")
        self.reason = reason


class TooLarge(Problem):
    """413: the upload is larger than the service takes (`limit_bytes` says how large a file may be)."""

    def __init__(self, limit: int):
        super().__init__(413, "Content Too Large", "A file may be at most {size} ({limit} bytes).",
                         extra={"limit_bytes": limit}, size=size_in_words(limit), limit=limit)


def add(session: Session, *, principal: Principal, case_id: str, filename: str, data: bytes,
        max_bytes: int) -> AttachmentPublic:
    """Attach the file to the case's answer (while the ministry's question awaits it), or refuse it whole."""
    case = authz.case_to_attach(session, principal, case_id)
    if len(data) > max_bytes:
        raise TooLarge(max_bytes)
    name = safe_filename(filename)
    verdict = judge(data, name)
    if verdict.kind is None:
        expected = ", ".join(sorted(e for exts in EXTENSIONS.values() for e in exts))
        if verdict.reason == "mismatch":
            found = sniff(data, csv_name=True)
            expected = " or ".join(sorted(EXTENSIONS[found])) if found else expected
        raise Refused(verdict.reason, expected=expected)
    obligations.lock_contract(session, case.contract_id)  # the audit chain's order, and the status read below
    session.refresh(case)
    if not rules.may_attach(case.status, principal.role):
        raise Conflict("Files are attached to the answer while the ministry's question awaits it; the case is "
                       "{status}.", title="Attachment not allowed", status=Term(case.status))
    actor = actor_of(principal)
    sha256 = hashlib.sha256(data).hexdigest()
    row = Attachment(id=f"att_{uuid.uuid4().hex[:24]}", case_id=case.id, filename=name,
                     content_type=verdict.media_type, size=len(data), sha256=sha256, content=data, uploaded_by=actor)
    session.add(row)
    detail = {"filename": name, "size": len(data), "sha256": sha256}
    session.add(CaseHistoryEntry(case_id=case.id, actor=actor, action="attachment.added", from_status=case.status,
                                 to_status=case.status, detail=detail))
    audit.append(session, contract_id=case.contract_id, actor=actor, action="consultation.attachment",
                 case_id=case.id, attachment_id=row.id, content_type=verdict.media_type, **detail)
    session.flush()
    return public(row)


def public(row: Attachment) -> AttachmentPublic:
    return AttachmentPublic(id=row.id, filename=row.filename, size=row.size, sha256=row.sha256,
                            uploaded_at=row.uploaded_at)


def of_case(session: Session, case_id: str) -> list[AttachmentPublic]:
    """The case's files, oldest first, without their bytes."""
    rows = session.exec(select(Attachment.id, Attachment.filename, Attachment.size, Attachment.sha256,
                               Attachment.uploaded_at).where(Attachment.case_id == case_id)
                        .order_by(Attachment.uploaded_at, Attachment.id)).all()
    return [AttachmentPublic(id=r[0], filename=r[1], size=r[2], sha256=r[3], uploaded_at=r[4]) for r in rows]


def get(session: Session, *, principal: Principal, case_id: str, attachment_id: str) -> Attachment:
    """One file with its bytes, for anyone who may read the case (404 otherwise, as for a file that is not)."""
    case = authz.case(session, principal, case_id)
    row = session.get(Attachment, attachment_id)
    if row is None or row.case_id != case.id:
        raise NotFound("No attachment '{id}'.", id=attachment_id)
    return row
