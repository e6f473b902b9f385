"""Checks over a page as its reader sees it: the visible text (no markup, scripts or styles), and what must
not be in it (issue 12): an internal id where a name exists, or English words on a Japanese page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Ids a person should never have to read: case, event, notice and message ids; research security's applications,
# researchers, declarations, screenings, review rounds, drafts, measures, checklists and leak reviews.
INTERNAL_ID = re.compile(r"\b(case-evt_[0-9a-f]+|evt_[0-9a-f]{6,}|ntc_[0-9a-f]{6,}|msg_[0-9a-f]{6,}"
                         r"|(?:app|rsr|dcl|rss|rnd|drf|msr|chk|lkr)_[0-9a-f]{6,})\b")
# Words any page may show in Latin letters: the language switch, document formats (and the extensions of the files
# an answer may attach, or a screening list's file may be), units of size, the hash an attachment is recorded with,
# case numbers, and the abbreviations Japanese writes so (利用者ID, API; AI and GX in the official names of technology areas).
ALWAYS_ALLOWED = ("English", "PDF", "CSV", "JSON", "Excel", "PNG", "JPEG", "Word", ".xlsx", ".docx", ".txt", ".csv",
                  ".json", "MB",
                  "KB", "SHA-256", "ID", "API", "AI", "GX")
CASE_NUMBER = re.compile(r"\b[A-Z][A-Z0-9-]*-\d{4}-\d{6,}\b")
# The source's own numbering of the acts and conditions, 「（i）」…「（v）」, is quoted as the source writes it.
SOURCE_NUMBERING = re.compile(r"（[ivx]+）")
# A country is named with its ISO code beside it, 「中国（CN）」, as the lists and the forms' choices of country have it.
COUNTRY_CODE = re.compile(r"（[A-Z]{2}）")


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name, value in attrs:  # what a reader meets in attributes: placeholders, labels, titles
            if name in ("placeholder", "aria-label", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    # The language switch names the other language in that language (lang="en"): it is meant to be English.
    return " ".join(" ".join(parser.parts).split())


def internal_ids(html: str) -> list[str]:
    return INTERNAL_ID.findall(visible_text(html))


def english_words(html: str, data: list[str]) -> list[str]:
    """Latin-letter words on a Japanese page that are not data (names and texts people typed, case numbers,
    sign-in names, contract numbers) or always allowed."""
    text = COUNTRY_CODE.sub(" ", SOURCE_NUMBERING.sub(" ", CASE_NUMBER.sub(" ", visible_text(html))))
    for value in sorted(set(data) | set(ALWAYS_ALLOWED), key=len, reverse=True):
        text = text.replace(value, " ")
    return re.findall(r"[A-Za-z]{2,}", text)
