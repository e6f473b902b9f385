"""What changed between two versions of one screening list (issue 13): the entries added, the entries removed,
and the entries kept under the same key whose content changed, with the fields that did.

Pure. Entries are matched by `key` (service.screening.formats says how each list's key is made). Aliases and
countries are compared as sets: the order a list writes them in is not what it says. A change inside `details`
is named by its key there ("details.programs"); the EUL's "number" is its place in one edition of the list (METI
numbers the entries afresh in every revision), so by default it is not compared.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from pydantic import BaseModel, Field

from service.rules.screening.entries import ListEntry

#: `details` keys compared by default: all but these.
IGNORED_DETAILS = frozenset({"number"})
_FIELDS = ("source", "kind", "name", "aliases", "countries")
_AS_SETS = frozenset({"aliases", "countries"})


class VersionDiff(BaseModel):
    added: list[str] = Field(default_factory=list, description="keys only the new version has, sorted")
    removed: list[str] = Field(default_factory=list, description="keys only the old version has, sorted")
    changed: list[str] = Field(default_factory=list, description="keys of both whose content differs, sorted")
    changes: dict[str, list[str]] = Field(default_factory=dict,
                                          description="for each changed key, the fields that changed, sorted")

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _by_key(entries: Iterable[ListEntry], which: str) -> dict[str, ListEntry]:
    out: dict[str, ListEntry] = {}
    for e in entries:
        if e.key in out:
            raise ValueError(f"the {which} version has the key {e.key!r} twice")
        out[e.key] = e
    return out


def changed_fields(old: ListEntry, new: ListEntry, *, ignored_details: Collection[str] = IGNORED_DETAILS
                   ) -> list[str]:
    """The fields of two entries under one key that differ, sorted: "name", "aliases", "details.remarks"..."""
    fields = []
    for f in _FIELDS:
        a: Any = getattr(old, f)
        b: Any = getattr(new, f)
        if (set(a) != set(b)) if f in _AS_SETS else (a != b):
            fields.append(f)
    # The End User List's country as its edition words it (Iran / イラン): the same country when both editions
    # gave a code, so a Japanese edition after an English one changes nothing; compared when no code was found.
    ignored = {*ignored_details, "country_text"} if old.countries and new.countries else set(ignored_details)
    for k in set(old.details) | set(new.details):
        if k not in ignored and old.details.get(k) != new.details.get(k):
            fields.append(f"details.{k}")
    return sorted(fields)


def diff(old: Iterable[ListEntry], new: Iterable[ListEntry], *,
         ignored_details: Collection[str] = IGNORED_DETAILS) -> VersionDiff:
    """The change from `old` to `new`. A key twice in one version is a ValueError (a list's parser never makes
    one)."""
    before, after = _by_key(old, "old"), _by_key(new, "new")
    changes = {}
    for key in before.keys() & after.keys():
        fields = changed_fields(before[key], after[key], ignored_details=ignored_details)
        if fields:
            changes[key] = fields
    return VersionDiff(added=sorted(after.keys() - before.keys()), removed=sorted(before.keys() - after.keys()),
                       changed=sorted(changes), changes=dict(sorted(changes.items())))
