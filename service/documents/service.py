"""The two documents as downloads, for the API and the pages alike: read (content), render (pdf), name (rules).

Sync on purpose: the caller runs these in a worker thread (a sync route), as rendering is CPU-bound.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi.responses import Response
from sqlmodel import Session

from service.auth.tokens import Principal
from service.config import Settings
from service.consultations.models import ConsultationCase
from service.contracts.models import Contract
from service.documents import content, pdf
from service.documents.download import pdf_response
from service.rules import documents as rules


def notice_response(session: Session, case: ConsultationCase, settings: Settings, lang: str) -> Response:
    doc = content.notice(session, case)
    body = pdf.render("notice.html", lang, settings.templates_dir, settings.templates_override_dir, doc=doc)
    return pdf_response(body, *rules.notice_filenames(doc.number, lang))


def dossier_response(session: Session, contract: Contract, now: datetime, today: date, settings: Settings,
                     lang: str) -> Response:
    doc = content.dossier(session, contract, today=today, now=now)
    body = pdf.render("dossier.html", lang, settings.templates_dir, settings.templates_override_dir, doc=doc)
    return pdf_response(body, *rules.dossier_filenames(contract.id, today, lang))


def submission_response(session: Session, principal: Principal, application_id: str, now: datetime, today: date,
                        settings: Settings, lang: str) -> Response:
    """An application's submission (the due diligence and mitigation plan) as a PDF; for the FA and the ministry a
    read of its declarations, recorded in their trails by the read it goes through (the caller commits)."""
    doc = content.submission(session, principal, application_id, today=today, now=now)
    body = pdf.render("submission.html", lang, settings.templates_dir, settings.templates_override_dir, doc=doc)
    return pdf_response(body, *rules.submission_filenames(doc.app.id, today, lang))
