"""A form's errors as a page shows them: a summary at the top and a message beside each field, in the page's
language. `form_errors` is the one seam between a refused body (pydantic's ValidationError or a Problem) and
the templates' `errors` / `field_errors`.

The words come from a table of tlc's own here where a form says it more briefly (pydantic's error types, and
some messages of tlc's validators and services, by their English); any other message as `service.problems`
words it for a page, in the page's language, never in a library's English on a Japanese page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData

from service.i18n import translations
from service.problems import Problem, field_errors
from service.rules.dates import FIRST_DAY, LAST_DAY


def _(s: str) -> str:  # marks msgids for the catalogue extractor; translated when shown
    return s


@dataclass(frozen=True)
class FormError:
    """One thing wrong: beside the field at `path` (dotted, "" for the form as a whole), labelled `label`."""

    path: str
    label: str
    message: str


# The case and approval forms' labels (msgids; the catalogue has the Japanese). Other forms pass their own.
LABELS: dict[str, str] = {
    "question": "Question", "respond_by": "Respond by", "answer": "Answer", "outcome": "Outcome",
    "conditions": "Conditions", "reason": "Reason", "to": "Officer", "confirm": "Confirmation",
}

# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/), in words (msgids with
# pydantic's own ctx parameters).
MESSAGES: dict[str, str] = {
    "missing": _("Enter this."),
    "string_too_short": _("Enter this."),
    "string_too_long": _("Enter at most %(max_length)s characters."),
    "date_from_datetime_parsing": _("Enter a date."),
    "date_parsing": _("Enter a date."),
    "date_type": _("Enter a date."),
    "literal_error": _("Choose one of the options."),
    "enum": _("Choose one of the options."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "decimal_parsing": _("Enter a number."),
    "greater_than_equal": _("Enter %(ge)s or more."),
    "less_than_equal": _("Enter %(le)s or less."),
    "bool_parsing": _("Choose yes or no."),
    "bool_type": _("Choose yes or no."),
    "extra_forbidden": _("This field is not expected here."),
}
_IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"

# tlc's own messages (validators' ValueErrors, services' Invalid problems), by what they say; a message of a
# model validator has no field of its own, so the field it concerns is named here.
_BY_TEXT: tuple[tuple[str, str | None, str], ...] = (
    ("a programme is tagged with at least one technology area", None, _("Choose at least one technology area.")),
    ("unknown technology area", None, _("Choose technology areas from the list.")),
    ("technology areas are listed more than once", None, _("Choose each technology area once.")),
    ("end_date must not be before start_date", "end_date", _("The end date must not be before the start date.")),
    ("must be between", None, _("Enter a date between %(first)s and %(last)s.")),
    ("is outside the calendar", None, _("Enter a date between %(first)s and %(last)s.")),
    ("is not an ISO 3166-1 alpha-2 country code", None, _("Choose a country from the list.")),
    ("must not contain the control character", None, _("Remove the control characters.")),
    ("no ministry organisation", None, _("Choose a registered ministry.")),
    ("no funding_agency organisation", None, _("Choose a registered funding agency.")),
    ("no contractor organisation", None, _("Choose a registered contractor.")),
    ("no organisation", None, _("Choose a registered organisation.")),
    ("no programme", None, _("Choose a programme whose contracts you may register.")),
    ("must begin with", None, _("Begin the ID with %(prefix)s: each ministry numbers its contracts on its own.")),
    ("a ministry_officer belongs to a ministry", None, _("A ministry officer belongs to a ministry.")),
    ("a contractor belongs to a contractor", None, _("A contractor's person belongs to a contractor organisation.")),
)


def _path(loc: tuple[Any, ...] | list[Any]) -> str:
    """`('body', 'policy', 'reminder_days_before', 1)` -> `policy.reminder_days_before`: the form's field."""
    parts = [str(p) for p in loc if p not in ("body", "data")]
    while parts and parts[-1].isdigit():
        parts.pop()
    return ".".join(parts)


def _worded(t: Any, error: Mapping[str, Any], ours: str) -> tuple[str | None, str]:
    """(the field a message names, if the error's place does not; the message in words): the form's own words
    where this table has them, else `ours` (service.problems' words for it)."""
    kind, ctx = error.get("type"), error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == _IDENTIFIER:
            return None, t.gettext(_("Use letters, digits, '.', '-' and '_' (at most 64), beginning with a letter "
                                     "or digit."))
        return None, t.gettext(_("Enter an e-mail address such as name@example.go.jp."))
    if kind in MESSAGES and not (kind == "string_too_short" and ctx.get("min_length", 1) > 1):
        return None, t.gettext(MESSAGES[kind]) % {k: v for k, v in ctx.items() if isinstance(v, int | str)}
    text = str(ctx.get("error", error.get("msg", ""))).removeprefix("Value error, ")
    for start, field, msgid in _BY_TEXT:
        if start in text:
            found = re.search(r"'([^']+)'", text)
            return field, t.gettext(msgid) % {"first": FIRST_DAY.year, "last": LAST_DAY.year,
                                              "prefix": found.group(1) if found else ""}
    return None, ours


def worded(exc: ValidationError | Problem, lang: str) -> list[FormError]:
    """What is wrong with a refused form, field by field, in `lang` (labels are left to the page)."""
    t = translations(lang)
    ours = field_errors(exc, lang)
    if isinstance(exc, ValidationError):
        items = [dict(e) for e in exc.errors()]
    else:
        # A service's errors, with their English (the API's) for the table above to recognise.
        items = [{"loc": e.loc, "type": e.type, "msg": e.said("en")} for e in exc.errors or []]
        if not items:
            return [FormError("", "", ours[0].message)]
    out = []
    for item, said in zip(items, ours, strict=True):
        field, message = _worded(t, item, said.message)
        out.append(FormError(field or _path(item.get("loc", ())) or _path(said.path.split(".")), "", message))
    return out


def shown(errors: list[FormError], labels: Mapping[str, str], lang: str) -> dict[str, Any]:
    """The context `render` takes for them: the error summary (`errors`, each linking to its field) and the
    message beside each field (`field_errors`). `labels` names the form's fields (msgids), in the form's order:
    the summary follows it, and says what concerns the form as a whole first."""
    t = translations(lang)
    order = {name: i for i, name in enumerate(labels)}
    summary, beside = [], {}
    for e in sorted(errors, key=lambda e: order.get(e.path, -1 if not e.path else len(order))):
        label = t.gettext(labels[e.path]) if e.path in labels else (e.label or (t.gettext(e.path) if e.path else ""))
        summary.append({"field": e.path or None, "label": label, "message": e.message})
        if e.path:
            beside.setdefault(e.path, e.message)
    return {"errors": summary, "field_errors": beside}


def form_errors(exc: ValidationError | Problem, lang: str,
                labels: Mapping[str, str] | None = None) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """(summary entries {field, label, message}, {field: message}) for `exc`, in `lang`; `labels` are the form's
    fields in its order (the case and approval forms' by default)."""
    context = shown(worded(exc, lang), LABELS if labels is None else labels, lang)
    return context["errors"], context["field_errors"]


async def _form_data(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form_data)]  # a posted form, every value of each field (checkboxes)


async def _form_fields(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]  # a posted form of one text value per field


def refused(exc: ValidationError | Problem, lang: str, labels: Mapping[str, str] | None = None
            ) -> tuple[int, list[dict[str, Any]], dict[str, str]]:
    """A form's body refused: the status to answer with its page, the summary and the message beside each field
    (`labels`: the form's fields, as form_errors takes them). A 403 or 404 is not the form's fault: it is raised
    again for the error page."""
    if isinstance(exc, Problem) and exc.status in (403, 404):
        raise exc
    entries, fields = form_errors(exc, lang, labels)
    return (exc.status if isinstance(exc, Problem) else 422), entries, fields


def by_field(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The message beside each field (the first one, when a field has several)."""
    out: dict[str, str] = {}
    for e in errors:
        if e["field"]:
            out.setdefault(e["field"], e["message"])
    return out
