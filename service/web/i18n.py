"""The pages' one translation mechanism: gettext catalogues (Babel .po files), Japanese by default.

Templates are written with English msgids (`_("Inbox")`); `locale/ja/LC_MESSAGES/messages.po` holds the
Japanese. Catalogues are read with Babel at start-up and compiled in memory, so there is no build step.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

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


def missing_in(lang: str, msgids: set[str]) -> set[str]:
    """The msgids a catalogue lacks (for the test that every page string is translated)."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    return {m for m in msgids if not (catalog.get(m) and catalog.get(m).string)}
