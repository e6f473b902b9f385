"""Languages: the caller's (Japanese by default on pages, English by default in the API's answers; the other
on request: ?lang= or Accept-Language), and the one translation mechanism of pages, messages and problems,
gettext catalogues (Babel .po files).

Templates are written with English msgids (`_("Inbox")`); `locale/ja/LC_MESSAGES/messages.po` holds the
Japanese. Catalogues are read with Babel at start-up and compiled in memory, so there is no build step.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Annotated

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from fastapi import Depends, Header, Query

from service.rules.reasons import Lang

LOCALE_DIR = Path(__file__).parent / "locale"
LANGS = ("ja", "en")


@lru_cache
def translations(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def missing_in(lang: str, msgids: set[str], context: str | None = None) -> set[str]:
    """The msgids a catalogue lacks (for the tests that every page string and problem is translated)."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    return {m for m in msgids if not ((found := catalog.get(m, context=context)) and found.string)}


def pick_lang(lang: str | None, accept_language: str | None, default: Lang = "ja") -> Lang:
    """?lang= wins; then the Accept-Language entry of ours with the highest q (q=0 refuses); then `default`:
    Japanese for pages, English for the API's problems (its clients are programs, most written in English)."""
    if lang in ("ja", "en"):
        return lang  # type: ignore[return-value]
    best: tuple[float, int, Lang] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.lower().startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        primary = tag.lower().split("-")[0]
        if primary in ("ja", "en") and q > 0 and (best is None or (q, -position) > (best[0], best[1])):
            best = (q, -position, primary)  # type: ignore[assignment]
    return best[2] if best else default


def lang_dep(lang: Annotated[str | None, Query(pattern="^(ja|en)$")] = None,
             accept_language: Annotated[str | None, Header()] = None) -> Lang:
    return pick_lang(lang, accept_language)


LangDep = Annotated[Lang, Depends(lang_dep)]
