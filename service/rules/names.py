"""One identity for a company's name (DOMAIN.md §6 [r2]): notices, holders, suppliers and screening compare
names through this normaliser, never byte for byte. Unicode width and case are folded (NFKC), spaces and
punctuation dropped, and the legal-form words (株式会社, (株), Co., Ltd., K.K., Inc., ...) removed, so that
「ＡＢＣ株式会社」, "ABC K.K." and "abc co., ltd." are one company.
"""

from __future__ import annotations

import re
import unicodedata

_LEGAL_FORMS = [
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "(合)",
    "co., ltd.", "co.,ltd.", "co. ltd.", "co ltd", "company limited", "limited", "ltd.", "ltd",
    "incorporated", "inc.", "inc", "corporation", "corp.", "corp", "company", "co.", "co", "llc", "l.l.c.",
    "gmbh", "ag", "s.a.", "sa", "plc", "pte.", "pte", "k.k.", "kk", "g.k.", "有限公司", "股份有限公司", "集团",
]
_FORMS = sorted({unicodedata.normalize("NFKC", f).casefold() for f in _LEGAL_FORMS}, key=len, reverse=True)
_INNER_FORMS = [f for f in _FORMS if not f.isascii()]
# Compiled once: a list import normalises tens of thousands of names.
_TAIL_FORMS = [re.compile(rf"(^|[\s,]){re.escape(f)}$") for f in _FORMS if f.isascii()]


def normalise_name(name: str) -> str:
    s = unicodedata.normalize("NFKC", name).casefold()
    s = s.replace("㈱", "(株)")
    for form in _INNER_FORMS:  # 株式会社 and the like stand before or after the name
        s = s.replace(form, " ")
    changed = True
    while changed:  # Latin legal forms end the name: "ABC Co., Ltd.", never "Incorporated Research"
        changed = False
        for pattern in _TAIL_FORMS:
            tail = s.rstrip(" ,")
            stripped = pattern.sub("", tail)
            if stripped != tail and stripped.strip(" ,"):
                s, changed = stripped, True
    return "".join(ch for ch in s if unicodedata.category(ch)[0] in "LN")


def party_key(name: str, country: str) -> str:
    """The identity of a party: its normalised name in its country. A name that is only a legal form keeps
    its folded spelling, so that it still names something."""
    normal = normalise_name(name) or "".join(unicodedata.normalize("NFKC", name).casefold().split())
    return f"{country.upper()}:{normal}"
