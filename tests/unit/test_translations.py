"""Every string the pages show has a Japanese and an English entry in the Babel catalogues."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from service.i18n import missing_in

REPO = Path(__file__).resolve().parents[2]


def _msgids() -> set[str]:
    method_map = [("service/msgids.py", "python"), ("service/web/navigation.py", "python"),
                  ("service/exports/**.py", "python"),
                  ("service/web/admin_forms.py", "python"), ("service/web/admin_pages.py", "python"),
                  ("service/web/forms.py", "python"),
                  ("templates/inbox/**.html", "jinja2"), ("templates/documents/**.html", "jinja2"),
                  ("templates/admin/**.html", "jinja2")]
    options = {pattern: {"extensions": "jinja2.ext.i18n"} for pattern, how in method_map if how == "jinja2"}
    return {m[2] for m in extract_from_dir(str(REPO), method_map, options) if isinstance(m[2], str)}


def test_pages_have_strings_to_translate() -> None:
    ids = _msgids()
    assert {"Consultation inbox", "Log in", "under_review", "conclude", "Particulars", "Compliance dossier",
            "Contract ID", "ip_action.planned"} <= ids


def test_every_page_string_is_in_the_japanese_catalogue() -> None:
    assert missing_in("ja", _msgids()) == set()


def test_every_page_string_is_in_the_english_catalogue() -> None:
    assert missing_in("en", _msgids()) == set()
