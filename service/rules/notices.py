"""Ministry notices (DOMAIN.md §5, condition (2); source l.1749): which later plans a notice covers.

A notice names the whole contract, a counterparty, or an act. Counterparty names are compared after
normalisation, not byte for byte: Unicode width and case folded, spaces and punctuation dropped, and
the legal-form words (株式会社, (株), Co., Ltd., Inc., ...) removed, so that "ＡＢＣ 株式会社" and
"abc co., ltd." are the same company.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from pydantic import BaseModel

NoticeScope = Literal["contract", "counterparty", "action"]

_LEGAL_FORMS = [
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "(合)",
    "co., ltd.", "co.,ltd.", "co. ltd.", "co ltd", "company limited", "limited", "ltd.", "ltd",
    "incorporated", "inc.", "inc", "corporation", "corp.", "corp", "company", "co.", "co", "llc", "l.l.c.",
    "gmbh", "ag", "s.a.", "sa", "plc", "pte.", "pte", "k.k.", "kk", "g.k.", "有限公司", "股份有限公司", "集团",
]
_FORMS = sorted({unicodedata.normalize("NFKC", f).casefold() for f in _LEGAL_FORMS}, key=len, reverse=True)


def normalise_name(name: str) -> str:
    s = unicodedata.normalize("NFKC", name).casefold()
    s = s.replace("㈱", "(株)")
    for form in _FORMS:
        if not form.isascii():  # 株式会社 and the like stand before or after the name
            s = s.replace(form, " ")
    changed = True
    while changed:  # Latin legal forms end the name: "ABC Co., Ltd.", never "Incorporated Research"
        changed = False
        for form in _FORMS:
            if form.isascii():
                tail = s.rstrip(" ,")
                stripped = re.sub(rf"(^|[\s,]){re.escape(form)}$", "", tail)
                if stripped != tail and stripped.strip(" ,"):
                    s, changed = stripped, True
    return "".join(ch for ch in s if unicodedata.category(ch)[0] in "LN")


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
