"""Which files may be attached, judged by their bytes, and the names they are stored and served under."""

from __future__ import annotations

import pytest

from service.attachments.downloads import content_disposition
from service.rules.file_types import judge, safe_filename, size_in_words


@pytest.mark.parametrize("sent, kept", [
    ("C:\\Users\\sato\\Desktop\\報告書.pdf", "報告書.pdf"),   # old browsers send the whole path
    ("../../etc/passwd.txt", "passwd.txt"),
    ("invoice\u202efdp.exe", "invoice_fdp.exe"),             # a right-to-left override hides the real extension
    (".hidden.pdf", "hidden.pdf"),
    ('a"b<c>|d?.txt', "a_b_c__d_.txt"),
    ("name. . .", "name"),
    ("", "attachment"),
    ("\x00\x01", "__"),
    ("ｶﾞ.pdf", "ｶﾞ.pdf"),
])
def test_safe_filename(sent: str, kept: str) -> None:
    assert safe_filename(sent) == kept


def test_a_long_name_keeps_its_extension() -> None:
    kept = safe_filename("長" * 300 + ".docx")
    assert len(kept) == 150 and kept.endswith(".docx")


def test_judged_by_content_not_by_name() -> None:
    assert judge(b"%PDF-1.7\n...", "a.pdf").kind == "pdf"
    assert judge(b"%PDF-1.7\n...", "a.PDF").kind == "pdf"
    assert judge(b"%PDF-1.7\n...", "a.png").reason == "mismatch"
    assert judge(b"%PDF-1.7\n...", "a").reason == "mismatch"
    assert judge(b"\x7fELF\x02\x01\x01\x00", "a.pdf").reason == "unknown"
    assert judge("日本語のテキスト\n".encode("cp932"), "a.txt").kind == "text"
    assert judge("\ufeff列1,列2\r\n".encode(), "a.csv").kind == "csv"
    assert judge(b"col\x00umn", "a.csv").reason == "unknown"


def test_sizes_and_the_download_name() -> None:
    assert [size_in_words(n) for n in (300, 4096, 10 * 1024 * 1024, 1536 * 1024)] == [
        "300 bytes", "4 KB", "10 MB", "1.5 MB"]
    assert content_disposition("報告書 (1).pdf") == (
        "attachment; filename=\"___ (1).pdf\"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%E6%9B%B8%20%281%29.pdf")
