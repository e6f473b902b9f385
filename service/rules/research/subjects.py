"""Who and what of a declaration is screened against the lists (DOMAIN.md §12 [r2]; due-diligence items (5), (6),
(9)-(11)): the researcher, the institutions they are with, the co-authors and co-inventors of the lookback window
with their affiliations, the co-applicants, the listed institutions they declared, and the researchers of listed
institutions they worked with. Each subject once (by role, kind, name and country)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from service.rules.research.declaration import Items, in_window, lookback

Role = Literal["researcher", "affiliation", "co_author", "co_author_affiliation", "co_inventor", "co_inventor_affiliation",
               "co_applicant",
               "listed_affiliation", "related_researcher", "related_institution"]


class Subject(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Role
    kind: Literal["person", "organization"]
    name: str
    country: str | None = None


def subjects(*, name: str, name_latin: str | None, nationality: str | None, institution: tuple[str, str | None],
             items: Items, declared_on) -> list[Subject]:
    w = lookback(declared_on)
    out: list[Subject] = [Subject(role="researcher", kind="person", name=name, country=nationality)]
    if name_latin:
        out.append(Subject(role="researcher", kind="person", name=name_latin, country=nationality))
    out.append(Subject(role="affiliation", kind="organization", name=institution[0], country=institution[1]))
    out += [Subject(role="affiliation", kind="organization", name=c.organisation, country=c.country)
            for c in items.career if c.end_on is None or c.end_on >= w.start_on]
    for p in items.papers:
        if in_window(p, w):
            for a in p.co_authors:
                out.append(Subject(role="co_author", kind="person", name=a.name, country=a.country))
                if a.affiliation:
                    out.append(Subject(role="co_author_affiliation", kind="organization", name=a.affiliation,
                                       country=a.country))
    for pt in items.patents:
        if in_window(pt, w):
            for a in pt.co_inventors:
                out.append(Subject(role="co_inventor", kind="person", name=a.name, country=a.country))
                if a.affiliation:
                    out.append(Subject(role="co_inventor_affiliation", kind="organization", name=a.affiliation,
                                       country=a.country))
            out += [Subject(role="co_applicant", kind="organization", name=o.name, country=o.country)
                    for o in pt.co_applicants]
    out += [Subject(role="listed_affiliation", kind="organization", name=a.institution, country=a.country)
            for a in items.listed_affiliations if in_window(a, w)]
    for r in items.listed_relations:
        if in_window(r, w):
            out.append(Subject(role="related_researcher", kind="person", name=r.researcher, country=r.country))
            out.append(Subject(role="related_institution", kind="organization", name=r.institution,
                               country=r.country))
    seen: set[tuple[str, str, str, str | None]] = set()
    unique = []
    for s in out:
        key = (s.role, s.kind, s.name.casefold(), s.country)
        if key not in seen:
            seen.add(key)
            unique.append(s)
    return unique
