"""Which files a contractor may attach to an answer, judged by what they contain (issue 12): PDF, PNG, JPEG,
Excel and Word documents (OOXML), and plain text or CSV. The name a browser gives and the Content-Type it sends
are the sender's word; the bytes are not. A file whose name says another kind than its content is refused too,
so that nothing downloaded under an executable's name (`invoice.pdf.exe`) or a disguised one is ever served.

Pure: bytes in, a verdict out (a zip is read in memory).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

PDF, PNG, JPEG, XLSX, DOCX, TEXT, CSV = "pdf", "png", "jpeg", "xlsx", "docx", "text", "csv"

MEDIA_TYPES: dict[str, str] = {
    PDF: "application/pdf",
    PNG: "image/png",
    JPEG: "image/jpeg",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    TEXT: "text/plain; charset=utf-8",
    CSV: "text/csv; charset=utf-8",
}
# The names each kind may carry.
EXTENSIONS: dict[str, frozenset[str]] = {
    PDF: frozenset({".pdf"}), PNG: frozenset({".png"}), JPEG: frozenset({".jpg", ".jpeg"}),
    XLSX: frozenset({".xlsx"}), DOCX: frozenset({".docx"}), TEXT: frozenset({".txt"}), CSV: frozenset({".csv"}),
}
# The main part of each OOXML document in [Content_Types].xml. Macro-enabled workbooks and documents (xlsm,
# docm) have other content types, and are refused with everything else.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
}
_CONTENT_TYPES = "[Content_Types].xml"
_MAX_CONTENT_TYPES_BYTES = 1 << 20  # a real one is a few kB; a larger one is not read (a zip bomb's lure)
_MACROS = re.compile(r"vbaProject\.bin$", re.IGNORECASE)
# Text: no control characters but tab, newline, carriage return and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Verdict:
    kind: str | None  # one of MEDIA_TYPES, or None: refused
    reason: str = ""  # why refused: "unknown", "mismatch", "macros", "empty"

    @property
    def media_type(self) -> str:
        assert self.kind is not None
        return MEDIA_TYPES[self.kind]


def _ooxml(data: bytes) -> Verdict:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            if any(_MACROS.search(n) for n in names):
                return Verdict(None, "macros")
            info = z.getinfo(_CONTENT_TYPES)
            if info.file_size > _MAX_CONTENT_TYPES_BYTES:
                return Verdict(None, "unknown")
            types = z.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, ValueError, EOFError, OSError):
        return Verdict(None, "unknown")  # not a zip, encrypted, or without [Content_Types].xml
    found = {kind for main, kind in _OOXML_MAIN.items() if f'ContentType="{main}"' in types}
    return Verdict(found.pop()) if len(found) == 1 else Verdict(None, "unknown")


def _is_text(data: bytes) -> bool:
    for encoding in ("utf-8-sig", "cp932"):  # Excel in Japan writes CSV in Shift_JIS (cp932)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not _CONTROL.search(text)
    return False


def sniff(data: bytes, *, csv_name: bool = False) -> str | None:
    """The kind of file `data` is, from its bytes alone (text is CSV when `csv_name`), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _ooxml(data).kind
    if _is_text(data):
        return CSV if csv_name else TEXT
    return None


def extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""


def judge(data: bytes, filename: str) -> Verdict:
    """Whether the file may be attached: its kind by content, and its name agreeing with that kind."""
    if not data:
        return Verdict(None, "empty")
    ext = extension(filename)
    if data.startswith(b"PK\x03\x04"):
        verdict = _ooxml(data)
        if verdict.kind is None:
            return verdict
        kind: str | None = verdict.kind
    else:
        kind = sniff(data, csv_name=ext == ".csv")
    if kind is None:
        return Verdict(None, "unknown")
    if ext not in EXTENSIONS[kind]:
        return Verdict(None, "mismatch")
    return Verdict(kind)


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MAX_NAME = 150


def safe_filename(name: str) -> str:
    """A name to store and serve: its last path part (browsers of old sent the whole path), NFC, without control
    or reserved characters, leading dots or trailing dots and spaces, at most 150 characters with its extension
    kept; "attachment" when nothing is left."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join("_" if _UNSAFE.match(ch) or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch
                   for ch in name)
    name = name.strip().lstrip(".").rstrip(". ")
    if len(name) > MAX_NAME:
        ext = extension(name)
        ext = ext if len(ext) <= 10 else ""
        name = name[: MAX_NAME - len(ext)].rstrip(". ") + ext
    return name or "attachment"


def size_in_words(n: int) -> str:
    """A size as people read it: 10 MB, 512 KB, 300 bytes (binary multiples, as file managers show them)."""
    if n >= 1 << 20:
        return f"{n / (1 << 20):.3g} MB"
    return f"{n / (1 << 10):.3g} KB" if n >= 1 << 10 else f"{n} bytes"
