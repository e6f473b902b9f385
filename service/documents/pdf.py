"""Rendering a document: its Jinja2 template (templates/documents/, overridable like the pages') to HTML, and
the HTML to an A4 PDF with WeasyPrint, in the Noto CJK fonts the system has (fonts-noto-cjk).

WeasyPrint fetches what a document links (images, style sheets, fonts) through service/documents/fetcher.py's,
which refuses anything but data: URLs and the files bundled beside the templates: a document never makes a
request, whatever a template or the text in it says. WeasyPrint is imported at the first rendering, not with the
application: it takes a second or two, and a process without Pango still starts (and answers 503 for a PDF).
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from service.i18n import translations
from service.problems import Unavailable
from service.rules.countries import country_in_words
from service.rules.dates import JST, day_in_words

DOCUMENTS = "documents"


def _day(value: date | str | None, lang: str) -> str:
    if value is None or value == "":
        return ""
    return day_in_words(value if isinstance(value, date) else str(value), lang)


def _moment(value: datetime, lang: str) -> str:
    """An instant as its Japan day in words and the time: 2026年4月1日（水）12:00."""
    jst = value.astimezone(JST)
    return f"{day_in_words(jst.date(), lang)} {jst:%H:%M}"


@lru_cache
def environment(lang: str, templates_dir: Path, override_dir: Path | None) -> Environment:
    dirs = ([str(override_dir)] if override_dir else []) + [str(templates_dir)]
    env = Environment(loader=ChoiceLoader([FileSystemLoader(dirs)]), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["day"] = lambda value: _day(value, lang)
    env.filters["moment"] = lambda value: _moment(value, lang)
    env.filters["country"] = lambda code: country_in_words(code, lang) if code else ""
    return env


def html_of(name: str, lang: str, templates_dir: Path, override_dir: Path | None, **context: Any) -> str:
    return environment(lang, templates_dir, override_dir).get_template(f"{DOCUMENTS}/{name}").render(
        lang=lang, **context)


# One rendering at a time per process: WeasyPrint is Python (the GIL runs one at a time anyway) and does not
# promise to be thread-safe; a queue of renderings holds threads, not the event loop.
_RENDERING = threading.Lock()


def pdf_of(html: str, templates_dir: Path, override_dir: Path | None) -> bytes:
    """The HTML as PDF bytes. CPU-bound (about a second): call it from a worker thread, never the event loop."""
    try:
        from weasyprint import HTML

        from service.documents.fetcher import LocalOnlyFetcher
    except OSError as exc:  # cffi could not load Pango: the system lacks it (scripts/bootstrap, the Dockerfile)
        raise Unavailable("PDF documents cannot be made here: {why}", retry_after_seconds=3600, why=str(exc)) from exc
    roots = [d / DOCUMENTS for d in ([override_dir] if override_dir else []) + [templates_dir]]
    with _RENDERING:
        pdf = HTML(string=html, base_url=roots[-1].resolve().as_uri() + "/",
                   url_fetcher=LocalOnlyFetcher(roots)).write_pdf()
    assert pdf is not None
    return pdf


def render(name: str, lang: str, templates_dir: Path, override_dir: Path | None, **context: Any) -> bytes:
    return pdf_of(html_of(name, lang, templates_dir, override_dir, **context), templates_dir, override_dir)
