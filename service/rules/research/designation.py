"""The designation of a 特定研究開発プログラム (source lines 1596-1602, 806-812): the ministry in charge designates it
after consulting the FA, and the National Security Secretariat, the Cabinet Office's economic-security director
general and its Science, Technology and Innovation secretariat confirm it (「指定に当たっては、内閣官房国家安全保障局、内閣府
政策統括官（経済安全保障担当）及び内閣府科学技術・イノベーション推進事務局も確認する」). Applications go to it once all three
have confirmed."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.rules.dates import CalendarDay
from service.rules.invalid import InvalidValue

Confirmer = Literal["nss", "cao_economic_security", "cao_csti"]
CONFIRMERS: tuple[str, ...] = ("nss", "cao_economic_security", "cao_csti")


class Confirmation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    by: Confirmer
    confirmed_on: CalendarDay


class Designation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fa_consulted_on: CalendarDay = Field(description="the day the ministry consulted the FA")
    designated_on: CalendarDay = Field(description="the day the ministry designated the programme")
    confirmations: list[Confirmation] = Field(default_factory=list, max_length=3)

    @model_validator(mode="after")
    def _order(self) -> Designation:
        if self.designated_on < self.fa_consulted_on:
            raise InvalidValue("{field} must not be before fa_consulted_on: the FA is consulted first.",
                               field="designated_on")
        seen = [c.by for c in self.confirmations]
        if len(set(seen)) != len(seen):
            raise InvalidValue("{field}: each confirmer once.", field="confirmations")
        early = [c.by for c in self.confirmations if c.confirmed_on < self.fa_consulted_on]
        if early:
            raise InvalidValue("{field}: a confirmation cannot come before the FA was consulted.", field="confirmations")
        return self


def missing_confirmations(d: Designation | None) -> list[str]:
    if d is None:
        return list(CONFIRMERS)
    have = {c.by for c in d.confirmations}
    return [c for c in CONFIRMERS if c not in have]


def in_force_on(d: Designation | None, day: date) -> bool:
    """Designated and confirmed by all three on `day`."""
    return (d is not None and not missing_confirmations(d) and d.designated_on <= day
            and all(c.confirmed_on <= day for c in d.confirmations))
