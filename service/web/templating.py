"""Jinja2 environments for the pages, one per language, with gettext from the Babel catalogues."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from service.i18n import translations
from service.rules.areas import TECHNOLOGY_AREAS
from service.rules.countries import country_in_words
from service.rules.dates import JST, day_in_words
from service.rules.obligations.state import ground
from service.web.formatting import percent, yen


def _jst(value: datetime, lang: str, calendar: str = "gregorian") -> str:
    """An instant in Japan time with its day in words: 2026年6月1日（月） 12:00, or Mon 1 Jun 2026 12:00."""
    local = value.astimezone(JST)
    return f"{day_in_words(local.date(), lang, calendar)} {local:%H:%M}"


def _day(value: date | str | None, lang: str, calendar: str = "gregorian") -> str:
    """A date as people read it (DOMAIN.md §11 [r2]), in the reader's calendar; blank for none."""
    if value is None or value == "":
        return ""
    return day_in_words(value if isinstance(value, date) else str(value), lang, calendar)


@lru_cache
def templates(lang: str, templates_dir: Path, override_dir: Path | None,
              calendar: str = "gregorian") -> Jinja2Templates:
    dirs = [str(override_dir)] if override_dir else []
    env = Environment(loader=ChoiceLoader([FileSystemLoader(dirs + [str(templates_dir)])]),
                      autoescape=select_autoescape(["html", "xml"]), extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["jst"] = lambda value: _jst(value, lang, calendar) if value else ""
    env.filters["day"] = lambda value: _day(value, lang, calendar)
    env.filters["yen"] = lambda amount: yen(amount, lang)
    env.filters["pct"] = percent
    env.filters["country"] = lambda code: country_in_words(code, lang) if code else ""
    env.globals["ground"] = lambda obligation: ground(obligation, lang)
    env.globals["area_name"] = lambda code: (
        getattr(TECHNOLOGY_AREAS[code], f"name_{lang}") if code in TECHNOLOGY_AREAS else code)
    return Jinja2Templates(env=env)
