"""A form's errors as a page shows them: a summary at the top and a message beside each field, in the page's
language. `form_errors` is the one seam between a refused body (pydantic's ValidationError or a Problem) and
the templates' `errors` / `field_errors`."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from service.i18n import translations
from service.problems import Problem

# Field labels, as the forms show them (msgids; the catalogue has the Japanese).
LABELS: dict[str, str] = {
    "question": "Question", "respond_by": "Respond by", "answer": "Answer", "outcome": "Outcome",
    "conditions": "Conditions", "reason": "Reason", "to": "Officer", "confirm": "Confirmation",
}

# pydantic's error types, in words (msgids with pydantic's own ctx parameters).
MESSAGES: dict[str, str] = {
    "missing": "Enter this.",
    "string_too_short": "Enter this.",
    "string_too_long": "Enter at most %(max_length)s characters.",
    "date_from_datetime_parsing": "Enter a date.",
    "date_parsing": "Enter a date.",
    "date_type": "Enter a date.",
    "literal_error": "Choose one of the options.",
    "enum": "Choose one of the options.",
    "int_parsing": "Enter a whole number.",
    "decimal_parsing": "Enter a number.",
    "greater_than_equal": "Enter %(ge)s or more.",
    "less_than_equal": "Enter %(le)s or less.",
    "bool_parsing": "Choose yes or no.",
}


def form_errors(exc: ValidationError | Problem, lang: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """(summary entries {field, label, message}, {field: message}) for `exc`, in `lang`."""
    t = translations(lang).gettext
    entries: list[dict[str, Any]] = []
    if isinstance(exc, ValidationError):
        for e in exc.errors():
            field = ".".join(str(p) for p in e["loc"] if p not in ("body", "data")) or None
            template = MESSAGES.get(e["type"])
            if template:
                message = t(template) % {k: v for k, v in (e.get("ctx") or {}).items() if isinstance(v, (int, str))}
            else:
                message = t(str(e.get("ctx", {}).get("error", e["msg"])).removeprefix("Value error, "))
            entries.append({"field": field, "label": t(LABELS.get(field or "", field or "")), "message": message})
    else:
        loc = (exc.extra.get("errors") or [{}])[0].get("loc") if exc.extra.get("errors") else None
        field = loc[-1] if loc else None
        entries.append({"field": field if field in LABELS else None, "label": t(LABELS.get(field or "", "")),
                        "message": t(exc.detail or exc.title)})
    return entries, {e["field"]: e["message"] for e in entries if e["field"]}
