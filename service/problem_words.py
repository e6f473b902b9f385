"""The words of problems in the reader's language (issue 12): a message is a msgid of the gettext catalogues and
its parameters, worded only once the answer's language is known; pydantic's validation errors get msgids of
ours from their `type` and `ctx`, so that its English never reaches a reader of Japanese.

The API's English names things as the API spells them (`respond_by`, `concluded`, `start-review`: what a client
sends and keys on) and writes dates as ISO; Japanese names them in words from the catalogues (回答期限, 結論済み,
審査を開始; a field's label is its msgid in the context "field") and writes dates as 2026年4月1日（水）. A page
(`page=True`) names them in words in English too, and lists the values a field takes in words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from service.i18n import translations
from service.rules.dates import day_in_words
from service.rules.invalid import FieldName, InvalidValue, Term
from service.rules.reasons import Lang

FIELD_CONTEXT = "field"
# Where a request carries a value: the first element of a framework error's `loc`, not a field.
LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def _(msgid: str) -> str:
    """Marks a msgid for the catalogue test; the words are looked up when the answer is written."""
    return msgid


@dataclass(frozen=True)
class Msg:
    """A msgid (the English, with `{name}` placeholders) and the values that fill it. `english`, when set, is said
    as is to an English reader: a library's own message that no msgid of ours covers (others get the msgid's)."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    english: str | None = None


class Choices(tuple):
    """The values a field may take: "'a', 'b' or 'c'" in English, 「a」、「b」、「c」 in Japanese."""


class _Known(dict):
    def __missing__(self, key: str) -> str:
        return key


def field_label(name: str, lang: Lang, page: bool = False) -> str:
    return name if lang == "en" and not page else translations(lang).pgettext(FIELD_CONTEXT, name)


def _listed(items: list[str], lang: Lang) -> str:
    if lang == "ja":
        return "、".join(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _value(v: Any, lang: Lang, page: bool) -> str:
    codes = lang == "en" and not page
    if isinstance(v, Msg):
        return say(v, lang, page=page, sentence=False)
    if isinstance(v, FieldName):
        return field_label(v, lang, page)
    if isinstance(v, Term):
        return str(v) if codes else translations(lang).gettext(v)
    if isinstance(v, Choices):  # the API names the values to send; a page the options it offers
        said = [translations(lang).gettext(c) if page else c for c in v]
        return _listed([f"「{c}」" if lang == "ja" else f"'{c}'" for c in said], lang)
    if isinstance(v, date) and not isinstance(v, datetime):
        return v.isoformat() if codes else day_in_words(v, lang)
    if isinstance(v, (list, tuple)):
        return ("、" if lang == "ja" else ", ").join(_value(x, lang, page) for x in v)
    return str(v)


def say(msg: Msg | str, lang: Lang, *, page: bool = False, sentence: bool = True) -> str:
    """The message in `lang`, for the API or (`page`) for a page. A catalogue entry whose placeholders do not fit
    falls back to the English msgid (a test checks that none does), so that a slip in a translation never turns
    an answer into a 500. On an English page a sentence that begins with a field's label begins with a capital."""
    if isinstance(msg, str):
        msg = Msg(msg)
    if lang == "en" and msg.english is not None:
        return msg.english
    values = _Known({k: _value(v, lang, page) for k, v in msg.params.items()})
    try:
        text = translations(lang).gettext(msg.msgid).format_map(values)
    except (ValueError, IndexError, AttributeError):
        text = msg.msgid.format_map(values)
    return text[:1].upper() + text[1:] if page and sentence and lang == "en" else text


# --- validation errors ---------------------------------------------------------------------------------------

THE_BODY = _("the request body")
NOT_VALID = _("{field} is not valid.")
NOT_EMPTY = _("{field} must not be empty.")
JSON_INVALID = _("The request body is not valid JSON.")

# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) that requests can meet,
# with the msgid that says each; the `ctx` of the error fills the placeholders. Any other type is NOT_VALID.
PYDANTIC: dict[str, str] = {
    "missing": _("{field} is required."),
    "extra_forbidden": _("{field} is not a field of this request."),
    "string_type": _("{field} must be a string."),
    "string_too_short": _("{field} must have at least {min_length} characters."),
    "string_too_long": _("{field} must have at most {max_length} characters."),
    "string_pattern_mismatch": _("{field} does not have the expected form ({pattern})."),
    "string_unicode": _("{field} must be valid Unicode text."),
    "int_type": _("{field} must be an integer."),
    "int_parsing": _("{field} must be an integer."),
    "int_from_float": _("{field} must be an integer."),
    "int_parsing_size": _("{field} is too large a number."),
    "float_type": _("{field} must be a number."),
    "float_parsing": _("{field} must be a number."),
    "decimal_type": _("{field} must be a number."),
    "decimal_parsing": _("{field} must be a number."),
    "finite_number": _("{field} must be a finite number."),
    "bool_type": _("{field} must be true or false."),
    "bool_parsing": _("{field} must be true or false."),
    "greater_than": _("{field} must be greater than {gt}."),
    "greater_than_equal": _("{field} must be {ge} or more."),
    "less_than": _("{field} must be less than {lt}."),
    "less_than_equal": _("{field} must be {le} or less."),
    "multiple_of": _("{field} must be a multiple of {multiple_of}."),
    "date_type": _("{field} must be a date in the form YYYY-MM-DD."),
    "date_parsing": _("{field} must be a date in the form YYYY-MM-DD."),
    "date_from_datetime_parsing": _("{field} must be a date in the form YYYY-MM-DD."),
    "date_from_datetime_inexact": _("{field} must be a date in the form YYYY-MM-DD."),
    "datetime_type": _("{field} must be a date and time with its offset from UTC."),
    "datetime_parsing": _("{field} must be a date and time with its offset from UTC."),
    "datetime_from_date_parsing": _("{field} must be a date and time with its offset from UTC."),
    "timezone_aware": _("{field} must be a date and time with its offset from UTC."),
    "enum": _("{field} must be one of {expected}."),
    "literal_error": _("{field} must be one of {expected}."),
    "json_invalid": JSON_INVALID,
    "json_type": JSON_INVALID,
    "model_type": _("{field} must be an object."),
    "model_attributes_type": _("{field} must be an object."),
    "dict_type": _("{field} must be an object."),
    "list_type": _("{field} must be a list."),
    "tuple_type": _("{field} must be a list."),
    "set_type": _("{field} must be a list."),
    "too_short": _("{field} must have at least {min_length} items."),
    "too_long": _("{field} must have at most {max_length} items."),
    "union_tag_invalid": _("{field} must be one of {expected_tags}."),
    "union_tag_not_found": _("{field} needs {discriminator}."),
    "url_type": _("{field} must be a URL."),
    "url_parsing": _("{field} must be a URL."),
    "url_scheme": _("{field} must be a URL."),
    "url_syntax_violation": _("{field} must be a URL."),
    "url_too_long": _("{field} must be a URL."),
}

_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _choices(expected: Any) -> Choices | Any:
    """pydantic's `expected` ("'a', 'b' or 'c'") as the values it names, to be listed in the reader's language."""
    found = _QUOTED.findall(expected) if isinstance(expected, str) else []
    return Choices(found) if found else expected


def pydantic_message(error: Mapping[str, Any]) -> tuple[Msg, str | None]:
    """What one pydantic error says, and the field it is about where its `loc` does not say (a model validator)."""
    kind, ctx = error.get("type"), error.get("ctx") or {}
    english = str(error.get("msg", ""))
    if kind in ("value_error", "assertion_error"):
        raised = ctx.get("error")
        if isinstance(raised, InvalidValue):
            return Msg(raised.msgid, raised.params), raised.field
        return Msg(NOT_VALID, english=str(raised) if raised is not None else english), None
    msgid = PYDANTIC.get(str(kind))
    if msgid is None:
        return Msg(NOT_VALID, english=english), None
    params: dict[str, Any] = {k: v for k, v in ctx.items() if k != "error"}
    if kind == "string_too_short" and params.get("min_length") == 1:
        msgid = NOT_EMPTY
    for key in ("expected", "expected_tags"):
        if key in params:
            params[key] = _choices(params[key])
    if "discriminator" in params:
        params["discriminator"] = FieldName(str(params["discriminator"]).strip("'"))
    return Msg(msgid, params), None


@dataclass(frozen=True)
class ErrorItem:
    """One entry of a 422's `errors`: where (`loc`, as the framework gives it), what (a message), and pydantic's
    `type` where it has one. `field` names the field a model validator's message is about."""

    loc: tuple[str | int, ...]
    msg: Msg
    type: str | None = None
    field: str | None = None

    @classmethod
    def of(cls, error: Mapping[str, Any], prefix: Sequence[str | int] = ()) -> ErrorItem:
        """One pydantic error, its `loc` (as strings, as the API has always given them) under `prefix` (kept as
        it is: a batch's event index is a number)."""
        msg, hint = pydantic_message(error)
        loc = (*prefix, *(str(p) for p in error.get("loc", ())))
        if hint is not None:
            named = path_of(loc)
            hint = f"{named}.{hint}" if named else hint
        return cls(loc, msg, error.get("type"), hint)

    def path(self) -> str:
        """The field as a dotted path (`holders.1.name`), without the request part; "" for the whole body."""
        if self.type == "json_invalid":  # its `loc` ends in the offset of the fault in the text, not a field
            return ""
        return self.field or path_of(self.loc)

    def said(self, lang: Lang, page: bool = False) -> str:
        named = field_of(self.path().split(".")) if self.path() else None
        return say(Msg(self.msg.msgid, {"field": FieldName(named) if named else Msg(THE_BODY), **self.msg.params},
                       self.msg.english), lang, page=page)

    def public(self, lang: Lang) -> dict[str, Any]:
        out: dict[str, Any] = {"loc": list(self.loc), "msg": self.said(lang)}
        if self.type is not None:
            out["type"] = self.type
        if self.path():
            out["field"] = self.path()
        return out


def path_of(loc: Sequence[str | int]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    return ".".join(parts)


def field_of(parts: Sequence[str]) -> str | None:
    """The field a path ends in: its last part that is a name, not a list index."""
    for part in reversed(parts):
        if part and not part.isdigit() and part not in LOCATIONS:
            return part
    return None
