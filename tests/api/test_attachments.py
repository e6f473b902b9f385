"""Files attached to the contractor's answer (issue 12): stored with their SHA-256, at most the configured size,
judged by their content (never by the name or Content-Type sent), recorded in the case history and the contract's
audit trail, downloaded as attachments by anyone who may read the case, through the API and the pages. On SQLite
and PostgreSQL; the API's clock is noon JST on 1 April 2026."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.attachments.models import Attachment
from service.audit import AuditEntry
from service.config import Settings
from service.consultations.models import CaseHistoryEntry
from tests.support.pages import csrf_of
from tests.support.secrets import TEST_JWT_SECRET

LIMIT = 4096
BASE = "https://testserver"
PAGE = {"accept": "text/html"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def ooxml(main: str, *, macros: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", f'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                                          f'package/2006/content-types"><Override PartName="/word/document.xml" '
                                          f'ContentType="{main}"/></Types>')
        z.writestr("word/document.xml", "<w:document/>")
        if macros:
            z.writestr("xl/vbaProject.bin", b"\x00" * 16)
    return out.getvalue()


@pytest.fixture
def settings() -> Settings:
    """A small size limit, and the development sign-in for the page tests."""
    return Settings(jwt_secret=TEST_JWT_SECRET, temporal_address="127.0.0.1:1", dev_login=True,
                    attachment_max_bytes=LIMIT)


@pytest.fixture
def officer(auth) -> dict[str, str]:
    return auth("ministry_officer", "meti", sub="tanaka")


@pytest.fixture
def case_id(api: TestClient, acme, officer) -> str:
    """A case of acme's contract c-001 on which METI's officer has asked a question."""
    r = api.post("/v1/contracts/c-001/events", headers=acme, json={
        "type": "ip_action.planned", "occurred_on": "2026-04-01", "data": {
            "action": "provide", "planned_date": "2026-12-01",
            "counterparty": {"name": "Counterparty Ltd.", "country": "CN", "foreign_government_influence": True}}})
    assert r.status_code == 202, r.text
    (case,) = [e["id"] for e in r.json()["effects"] if e["kind"] == "consultation_opened"]
    assert api.post(f"/v1/consultations/{case}/start-review", headers=officer).status_code == 200
    r = api.post(f"/v1/consultations/{case}/request-info", headers=officer,
                 json={"question": "株主名簿を提出してください。", "respond_by": "2026-04-15"})
    assert r.status_code == 200, r.text
    return case


def upload(api: TestClient, who: dict[str, str], case: str, name: str, data: bytes,
           content_type: str = "application/octet-stream") -> Any:
    return api.post(f"/v1/consultations/{case}/attachments", headers=who, files={"file": (name, data, content_type)})


def rows(engine, model) -> list[Any]:
    with Session(engine) as s:
        return list(s.exec(select(model)).all())


def test_a_file_is_stored_with_its_hash_and_recorded(api: TestClient, acme, officer, case_id: str, engine) -> None:
    r = upload(api, acme, case_id, "株主名簿 2026.pdf", PDF, "text/html")  # the Content-Type sent is not believed
    assert r.status_code == 201, r.text
    body = r.json()
    digest = hashlib.sha256(PDF).hexdigest()
    assert body["filename"] == "株主名簿 2026.pdf" and body["size"] == len(PDF) and body["sha256"] == digest
    (row,) = rows(engine, Attachment)
    assert row.content == PDF and row.sha256 == digest and row.content_type == "application/pdf"
    assert row.uploaded_by == "sato (contractor, acme)"
    case = api.get(f"/v1/consultations/{case_id}", headers=officer).json()
    assert case["attachments"] == [{"id": body["id"], "filename": "株主名簿 2026.pdf", "size": len(PDF),
                                    "sha256": digest, "uploaded_at": body["uploaded_at"]}]
    (entry,) = [h for h in case["history"] if h["action"] == "attachment.added"]
    assert entry["detail"] == {"filename": "株主名簿 2026.pdf", "size": len(PDF), "sha256": digest}
    (audited,) = [a for a in rows(engine, AuditEntry) if a.action == "consultation.attachment"]
    assert audited.detail["sha256"] == digest and audited.detail["attachment_id"] == body["id"]
    assert api.get("/v1/contracts/c-001/audit", headers=officer).json()["verified"] is True


def test_the_download_is_an_attachment_that_is_never_sniffed(api: TestClient, acme, officer, case_id: str) -> None:
    att = upload(api, acme, case_id, "報告書.pdf", PDF).json()
    r = api.get(f"/v1/consultations/{case_id}/attachments/{att['id']}", headers=officer)
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"] == ("attachment; filename=\"___.pdf\"; "
                                                "filename*=UTF-8''%E5%A0%B1%E5%91%8A%E6%9B%B8.pdf")
    assert "sandbox" in r.headers["content-security-policy"]


@pytest.mark.parametrize("name, data, kind", [
    ("scan.png", PNG, "image/png"),
    ("写真.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 32, "image/jpeg"),
    ("回答.docx", ooxml(DOCX_MAIN), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("一覧.csv", "氏名,持株数\r\n株式会社アクメHD,4000\r\n".encode("cp932"), "text/csv; charset=utf-8"),
    ("memo.txt", "説明\n".encode(), "text/plain; charset=utf-8"),
])
def test_the_kinds_taken(api: TestClient, acme, case_id: str, engine, name: str, data: bytes, kind: str) -> None:
    assert upload(api, acme, case_id, name, data).status_code == 201
    assert [r.content_type for r in rows(engine, Attachment)] == [kind]


@pytest.mark.parametrize("name, data, reason", [
    ("invoice.pdf", EXE, "file_unknown"),          # an executable named as a PDF
    ("invoice.exe", EXE, "file_unknown"),
    ("readme.exe", b"plain text that would run as a script\n", "file_mismatch"),  # text, but named to run
    ("scan.pdf", PNG, "file_mismatch"),            # a real PNG under another kind's name
    ("book.xlsm", ooxml(XLSM_MAIN), "file_unknown"),
    ("book.xlsx", ooxml(DOCX_MAIN, macros=True), "file_macros"),
    ("empty.pdf", b"", "file_empty"),
    ("archive.docx", b"PK\x03\x04not really a zip", "file_unknown"),
])
def test_a_disguised_or_unknown_file_is_refused(api: TestClient, acme, case_id: str, engine, name: str, data: bytes,
                                                reason: str) -> None:
    r = upload(api, acme, case_id, name, data, "application/pdf")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    (error,) = r.json()["errors"]
    assert error["loc"] == ["body", "file"] and error["type"] == reason and error["msg"]
    assert rows(engine, Attachment) == []
    assert [h for h in rows(engine, CaseHistoryEntry) if h.action == "attachment.added"] == []


def test_the_size_limit(api: TestClient, acme, case_id: str, engine) -> None:
    at_limit = PDF + b"%" * (LIMIT - len(PDF))
    assert upload(api, acme, case_id, "a.pdf", at_limit).status_code == 201
    r = upload(api, acme, case_id, "b.pdf", at_limit + b"%")
    assert r.status_code == 413 and r.json()["limit_bytes"] == LIMIT
    # A body announced as far larger is refused before it is read.
    r = api.post(f"/v1/consultations/{case_id}/attachments", headers={**acme, "content-type": "multipart/form-data; "
                 "boundary=x", "content-length": str(10 * LIMIT + 10**6)}, content=b"--x--\r\n")
    assert r.status_code == 413
    assert [a.size for a in rows(engine, Attachment)] == [LIMIT]
    r = api.post(f"/v1/consultations/{case_id}/attachments", headers=acme, data={"note": "no file"})
    assert r.status_code == 422 and r.json()["errors"][0]["type"] == "file_missing"


def test_who_may_attach_and_download(api: TestClient, acme, officer, auth, case_id: str, engine) -> None:
    other, mext = auth("contractor", "other", sub="oda"), auth("ministry_officer", "mext", sub="suzuki")
    att = upload(api, acme, case_id, "a.pdf", PDF).json()
    url = f"/v1/consultations/{case_id}/attachments"
    for who, status in ((other, 404), (mext, 404), (officer, 403)):
        assert upload(api, who, case_id, "b.pdf", PDF).status_code == status
    for who, status in ((other, 404), (mext, 404), (officer, 200), (acme, 200), (auth("admin", "admin"), 200)):
        assert api.get(f"{url}/{att['id']}", headers=who).status_code == status
    assert api.get(f"{url}/att_nosuch", headers=acme).status_code == 404
    assert api.post(url, files={"file": ("a.pdf", PDF)}).status_code == 401
    # Once answered, the case takes no more files.
    assert api.post(f"/v1/consultations/{case_id}/respond", headers=acme, json={"answer": "添付のとおり"}).status_code == 200
    r = upload(api, acme, case_id, "late.pdf", PDF)
    assert r.status_code == 409 and r.json()["title"] == "Attachment not allowed"
    assert len(rows(engine, Attachment)) == 1


def _browser(api: TestClient, role: str = "contractor", org: str = "acme", sub: str = "sato") -> TestClient:
    pages = TestClient(api.app, base_url=BASE, follow_redirects=False)
    login = pages.get("/inbox/login")
    assert pages.post("/inbox/login", data={"csrf": csrf_of(login), "sub": sub, "role": role,
                                            "org": org}).status_code == 303
    return pages


def test_the_case_page_attaches_and_lists_the_files(api: TestClient, officer, case_id: str, engine) -> None:
    pages = _browser(api)
    page = pages.get(f"/inbox/cases/{case_id}", headers=PAGE)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and "添付ファイルはありません。" in page.text
    url = f"/inbox/cases/{case_id}/attachments"
    assert pages.post(url, headers=PAGE, data={"csrf": "forged"},
                      files={"file": ("a.pdf", PDF, "application/pdf")}).status_code == 403
    r = pages.post(url, headers=PAGE, data={"csrf": csrf_of(page)}, files={"file": ("回答書.pdf", PDF, "application/pdf")})
    assert r.status_code == 303 and r.headers["location"] == f"/inbox/cases/{case_id}?done=attachment"
    shown = pages.get(r.headers["location"], headers=PAGE).text
    assert "ファイルを回答に添付しました。" in shown
    (att,) = rows(engine, Attachment)
    assert f'href="/inbox/cases/{case_id}/attachments/{att.id}" download>回答書.pdf</a>' in shown
    # The history says what was attached, in words.
    assert att.sha256 in shown and "実施者がファイルを添付しました" in shown and "ファイル名" in shown
    # A refused file: the case page again, with the reason beside the field and in the summary.
    r = pages.post(url, headers=PAGE, data={"csrf": csrf_of(page)}, files={"file": ("invoice.pdf", EXE, "application/pdf")})
    assert r.status_code == 422
    assert "添付するファイル：添付できるのは、PDF、PNG、JPEG" in r.text
    assert '<span class="field-error" id="e-file">' in r.text
    # The download, and who may have it.
    d = pages.get(f"{url}/{att.id}", headers=PAGE)
    assert d.status_code == 200 and d.content == PDF and d.headers["content-disposition"].startswith("attachment;")
    assert _browser(api, org="other", sub="oda").get(f"{url}/{att.id}", headers=PAGE).status_code == 404
    # The ministry's side reads the files, and is offered no upload.
    seen = _browser(api, role="ministry_officer", org="meti", sub="tanaka").get(f"/inbox/cases/{case_id}", headers=PAGE)
    assert "回答書.pdf" in seen.text and 'enctype="multipart/form-data"' not in seen.text


def test_a_page_upload_too_large_says_so(api: TestClient, case_id: str, engine) -> None:
    pages = _browser(api)
    csrf = csrf_of(pages.get(f"/inbox/cases/{case_id}", headers=PAGE))
    r = pages.post(f"/inbox/cases/{case_id}/attachments", headers=PAGE, data={"csrf": csrf},
                   files={"file": ("big.pdf", PDF + b"%" * LIMIT, "application/pdf")})
    assert r.status_code == 413
    assert "添付するファイル：ファイルが大きすぎます。1ファイル4 KBまで添付できます。" in r.text and rows(engine, Attachment) == []

