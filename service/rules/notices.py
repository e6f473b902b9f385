"""Ministry notices (DOMAIN.md §5, condition (2); source l.1749): which later plans a notice covers.

A notice names the whole contract, a counterparty, or an act. Counterparty names are compared through
the one company-name normaliser (rules/names.py), so that "ＡＢＣ 株式会社" and "abc co., ltd." are the same
company.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from service.rules.names import normalise_name

NoticeScope = Literal["contract", "counterparty", "action"]


class Notice(BaseModel):
    id: str
    scope: NoticeScope
    counterparty_name: str | None = None
    action: str | None = None


def notice_applies(notice: Notice, *, action: str, counterparty_name: str | None) -> bool:
    if notice.scope == "contract":
        return True
    if notice.scope == "action":
        return notice.action == action
    return (counterparty_name is not None and notice.counterparty_name is not None
            and normalise_name(counterparty_name) == normalise_name(notice.counterparty_name)
            and normalise_name(notice.counterparty_name) != "")


def matching_notices(notices: list[Notice], *, action: str, counterparty_name: str | None) -> list[Notice]:
    return [n for n in notices if notice_applies(n, action=action, counterparty_name=counterparty_name)]
