"""Every string the pages show, and every problem the API answers, has a Japanese and an English entry in the
Babel catalogues."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from service.auth.tokens import Role
from service.i18n import LOCALE_DIR, missing_in
from service.notifications.schemas import Audience
from service.organisations.models import OrganisationKind
from service.rules.consultation import CaseAction, CaseStatus
from service.rules.ip_models import Action
from tests.support.problem_msgids import F_STRING, problem_msgids

REPO = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w*)")


def _msgids() -> set[str]:
    method_map = [("service/msgids.py", "python"), ("service/web/navigation.py", "python"),
                  ("service/exports/**.py", "python"),
                  ("service/web/admin_forms.py", "python"), ("service/web/admin_pages.py", "python"),
                  ("service/web/forms.py", "python"), ("service/web/event_forms.py", "python"),
                  ("service/web/attachment_pages.py", "python"), ("service/web/subscription_pages.py", "python"),
                  ("service/web/screening_words.py", "python"), ("service/web/research_words.py", "python"),
                  ("service/web/declaration_form.py", "python"),
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


# --- problems --------------------------------------------------------------------------------------------------

def test_the_problem_msgids_are_found_in_the_source() -> None:
    """The collector reads raises, validators, the obligations engine, tokens and pydantic's table: if it found
    none of these, the tests below would pass on nothing."""
    ids = problem_msgids()
    assert {"No contract '{id}'.", "Transition not allowed", "{field} is required.", "token has expired",
            "an outcome of 'conditions' needs the {field}.", "release '{ref}' is already reported",
            "The request is not valid.", "The form's security token is missing or wrong; reload the page and try "
            "again."} <= set(ids)
    assert len(ids) > 150


def test_problems_are_msgids_not_prose() -> None:
    """An f-string where a msgid belongs would reach a reader of Japanese in English, whatever the catalogue holds."""
    assert F_STRING not in problem_msgids(), problem_msgids().get(F_STRING)


def test_every_problem_msgid_is_in_the_japanese_catalogue() -> None:
    ids = problem_msgids()
    assert {f"{m} ({ids[m]})" for m in missing_in("ja", set(ids))} == set()


def test_every_problem_msgid_is_in_the_english_catalogue() -> None:
    ids = problem_msgids()
    assert {f"{m} ({ids[m]})" for m in missing_in("en", set(ids))} == set()


def test_translations_fill_only_the_placeholders_their_msgid_has() -> None:
    """A translation may leave a value out, or name the field (`{field}` is always given), but a placeholder its
    msgid has not would find no value; `say` would then fall back to English, which this keeps from happening."""
    for lang in ("ja", "en"):
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalog = read_po(f, locale=lang)
        for message in catalog:
            if not message.id or not isinstance(message.id, str) or "%(" in message.id:
                continue
            extra = set(PLACEHOLDER.findall(message.string)) - set(PLACEHOLDER.findall(message.id)) - {"field"}
            assert not extra, (lang, message.id, message.string)


def test_the_words_problems_name_by_code_are_in_both_catalogues() -> None:
    """Statuses, actions, roles, audiences, kinds of organisation and acts appear in problems as `Term`s: the
    code in English, the catalogue's word in Japanese."""
    codes = {*get_args(CaseStatus), *get_args(CaseAction), *get_args(Role), *get_args(Audience),
             *get_args(OrganisationKind), *get_args(Action)}
    assert missing_in("ja", codes) == set()
    assert missing_in("en", codes) == set()
