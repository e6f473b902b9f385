"""The actor string of history and audit entries, `sub (role, org)`, read back into its parts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.actors import Actor, actor_of, parse_actor
from service.auth.tokens import ROLES, Principal

# Organisation ids are identifiers ([A-Za-z0-9._-]); a subject may hold anything an identity provider gives.
orgs = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
subs = st.text(min_size=1, max_size=200)


@given(sub=subs, role=st.sampled_from(sorted(ROLES)), org=orgs)
def test_what_actor_of_writes_parse_actor_reads_back(sub: str, role: str, org: str) -> None:
    assert parse_actor(actor_of(Principal(sub=sub, role=role, org=org))) == Actor(sub, role, org)


def test_subjects_with_brackets_and_commas_are_read_from_the_right() -> None:
    assert parse_actor("a (admin, b) (contractor, acme)") == Actor("a (admin, b)", "contractor", "acme")
    assert parse_actor("Tanaka, Taro (ministry_officer, meti)") == Actor("Tanaka, Taro", "ministry_officer", "meti")


def test_what_is_not_a_person_is_none() -> None:
    for text in ("system", "", "tanaka", "tanaka (meti)", "tanaka (superuser, meti)", "tanaka (admin, )",
                 "tanaka (admin, meti"):
        assert parse_actor(text) is None, text
