"""One entry of a screening list as tlc keeps it, whatever the publisher's format (DOMAIN.md §12 [r2]).

METI's End User List (外国ユーザーリスト, `eul`) and the US Consolidated Screening List (`csl`) are read into
this one shape by `service.screening.formats`; matching and version diffs read nothing else.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Literal["eul", "csl"]
SOURCES: tuple[Source, ...] = ("eul", "csl")
EntityKind = Literal["organization", "person", "vessel", "aircraft", "unknown"]


class ListEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(description="the entry's identity within its list, the same in every version that keeps it")
    source: Source
    kind: EntityKind = "organization"
    name: str = Field(description="the name the list gives first")
    aliases: tuple[str, ...] = Field((), description="also-known-as and alternative names, as the list gives them")
    countries: tuple[str, ...] = Field((), description="ISO 3166-1 alpha-2 codes, upper case")
    details: dict[str, Any] = Field(default_factory=dict, description="what the list says beside the names")

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)
