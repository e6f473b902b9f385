"""How a person is named in audit entries, case history and `created_by` columns."""

from service.auth.tokens import Principal


def actor_of(principal: Principal) -> str:
    return f"{principal.sub} ({principal.role}, {principal.org})"
