"""How a person is named in audit entries, case history and `created_by` columns, and read back for pages."""

from __future__ import annotations

import re

from service.auth.tokens import Principal
from service.i18n import translations

_ACTOR = re.compile(r"^(?P<sub>.*) \((?P<role>[a-z_]+), (?P<org>[^,()]*)\)$")


def actor_of(principal: Principal) -> str:
    return f"{principal.sub} ({principal.role}, {principal.org})"


def parse_actor(actor: str) -> tuple[str, str, str] | None:
    """(sub, role, org) of a stored actor string, or None for one that names no person ("system")."""
    m = _ACTOR.match(actor)
    return (m["sub"], m["role"], m["org"]) if m else None


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
