"""What in a declaration calls for a mitigation measure before the application goes to the FA (source lines
1604-1634: the institution "checks the risk and considers the mitigation measures it will take").

A flag is a fact of the declaration, or a screening decided as a true match, that the procedure asks about;
flags are not verdicts (the procedure leaves the judgement to the institution and the FA), but each flagged
researcher must have at least one mitigation measure naming them before the application is submitted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from service.rules.research.declaration import Items, in_window, lookback

FlagCode = Literal["talent_programme", "sanction", "self_declared_listed", "listed_affiliation", "listed_relation",
                   "non_resident", "specific_category", "screening_true_match", "screening_pending"]


class Flag(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: FlagCode
    item: int              # the procedure's item number
    detail: str            # what the declaration or screening says, as declared (the pages word the code)


def flags(items: Items, declared_on, screenings: Iterable[tuple[str, str, str]] = ()) -> list[Flag]:
    """The declaration's flags. `screenings` are (state, role, name) of its subjects' latest screenings."""
    w = lookback(declared_on)
    out: list[Flag] = []
    out += [Flag(code="talent_programme", item=7, detail=f"{t.programme} ({t.country})")
            for t in items.talent_programmes if in_window(t, w)]
    out += [Flag(code="sanction", item=8, detail=f"{s.measure} ({s.imposed_by})")
            for s in items.sanctions if in_window(s, w)]
    if items.listed:
        out.append(Flag(code="self_declared_listed", item=9, detail=""))
    out += [Flag(code="listed_affiliation", item=10, detail=f"{a.institution} ({a.country})")
            for a in items.listed_affiliations if in_window(a, w)]
    out += [Flag(code="listed_relation", item=11, detail=f"{r.researcher}, {r.institution} ({r.country})")
            for r in items.listed_relations if in_window(r, w)]
    if items.export_control.non_resident:
        out.append(Flag(code="non_resident", item=12, detail=""))
    if items.export_control.specific_category:
        out.append(Flag(code="specific_category", item=12, detail=""))
    for state, role, name in screenings:
        if state == "true_match":
            out.append(Flag(code="screening_true_match", item=ITEM_OF_ROLE[role], detail=name))
        elif state == "potential_match":
            out.append(Flag(code="screening_pending", item=ITEM_OF_ROLE[role], detail=name))
    return out


# Which item a screened subject comes from (subjects.py).
ITEM_OF_ROLE: dict[str, int] = {"researcher": 9, "affiliation": 10, "institution": 10, "co_author": 5,
                                "co_author_affiliation": 5, "co_inventor": 6, "co_inventor_affiliation": 6, "co_applicant": 6,
                                "listed_affiliation": 10, "related_researcher": 11, "related_institution": 11}


def blocking(found: Iterable[Flag]) -> list[Flag]:
    """Flags that stop a submission whatever the mitigations: a screening not decided yet (the institution decides
    true match or false positive first, so the FA sees a decided check)."""
    return [f for f in found if f.code == "screening_pending"]
