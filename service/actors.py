"""How a person is named in audit entries, case history and `created_by` columns, and read back for pages."""

from __future__ import annotations

from typing import NamedTuple

from service.auth.tokens import ROLES, Principal
from service.i18n import translations


class Actor(NamedTuple):
    sub: str
    role: str
    org: str


def actor_of(principal: Principal) -> str:
    return f"{principal.sub} ({principal.role}, {principal.org})"


def parse_actor(actor: str) -> Actor | None:
    """(sub, role, org) of a stored actor string, or None for one that names no person ("system").

    Read from the right: an organisation id never holds ", " (ids are [A-Za-z0-9._-]), so the last ", " ends
    the role, and the role is one of a known few; the subject before it may hold anything, brackets too."""
    if not actor.endswith(")"):
        return None
    head, sep, org = actor[:-1].rpartition(", ")
    if not sep or not org:
        return None
    for role in ROLES:
        if head.endswith(f" ({role}"):
            return Actor(head[: -len(role) - 2], role, org)
    return None


def actor_in_words(actor: str, lang: str, org_names: dict[str, str] | None = None,
                   person_names: dict[tuple[str, str], str] | None = None) -> str:
    """「佐藤（受託者・Acme Quantum K.K.）」: the person's name (or sign-in name), role and organisation in words."""
    gettext = translations(lang).gettext
    parsed = parse_actor(actor)
    if parsed is None:
        return gettext("the system") if actor == "system" else actor
    sub, role, org = parsed
    name = (person_names or {}).get((org, sub), sub)
    org_name = (org_names or {}).get(org, org)
    return f"{name}（{gettext(role)}・{org_name}）" if lang == "ja" else f"{name} ({gettext(role)}, {org_name})"
