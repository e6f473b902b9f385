"""A value the rules refuse, said as a msgid of the catalogues and its parameters rather than as English prose.

Validators raise `InvalidValue` where they would raise a ValueError: pydantic keeps the exception in the
error's `ctx["error"]`, and the API (service.problems) words it in the caller's language from the msgid. Its
`str()` is the English, so that anything reading it as a plain ValueError still gets a sentence.
"""

from __future__ import annotations

from typing import Any


class Term(str):
    """A code the catalogues have a word for (a status, an action, a role), as a message's parameter: the code
    itself in English (the API's own word), the catalogue's word in Japanese."""


class FieldName(str):
    """A field of a request, as a message's parameter: its name in English, its label in Japanese."""


class InvalidValue(ValueError):
    """`msgid` is the English text with `{name}` placeholders; `params` fill them. `field`, when given, is the
    field the message is about (a model validator's error has no field of its own in its `loc`): it fills
    `{field}`, the placeholder that the error's place fills otherwise."""

    def __init__(self, msgid: str, *, field: str | None = None, **params: Any):
        self.msgid, self.params, self.field = msgid, params, field
        super().__init__(english(msgid, {"field": field, **params} if field else params))


class _Known(dict):
    """Formatting values: a placeholder that the message fills later (`{field}`, from the error's place) shows
    its name meanwhile."""

    def __missing__(self, key: str) -> str:
        return key


def english(msgid: str, params: dict[str, Any]) -> str:
    """The message as the English msgid says it, lists written out."""
    return msgid.format_map(_Known({k: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v
                                    for k, v in params.items()}))
