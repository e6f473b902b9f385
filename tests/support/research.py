"""Bodies and a world for research-security tests (issue 14): a ministry (MEXT), its FA (JST), two research
institutions, a designated programme confirmed by all three bodies, and researchers' declarations."""

from __future__ import annotations

from datetime import date
from typing import Any

PROGRAMME_ID = "mext-k-open-2026"

ORGANISATIONS = (
    {"id": "mext", "name": "文部科学省", "kind": "ministry", "country": "JP"},
    {"id": "meti", "name": "経済産業省", "kind": "ministry", "country": "JP"},
    {"id": "jst", "name": "科学技術振興機構", "kind": "funding_agency", "country": "JP"},
    {"id": "nedo", "name": "NEDO", "kind": "funding_agency", "country": "JP"},
    {"id": "todai", "name": "東都大学", "kind": "research_institution", "country": "JP"},
    {"id": "hokuto", "name": "北斗工業大学", "kind": "research_institution", "country": "JP"},
)


def programme_body(**over: Any) -> dict[str, Any]:
    body = {
        "id": PROGRAMME_ID, "name": "量子技術の公開型研究プログラム", "ministry": "mext", "funding_agency": "jst",
        "technology_areas": ["quantum"], "leakage_measures_required": False, "annual_support_jpy": 300_000_000,
        "kind": "specific_rd",
        "designation": {"fa_consulted_on": "2025-12-01", "designated_on": "2025-12-15",
                        "confirmations": [{"by": "nss", "confirmed_on": "2025-12-20"},
                                          {"by": "cao_economic_security", "confirmed_on": "2025-12-20"},
                                          {"by": "cao_csti", "confirmed_on": "2025-12-22"}]},
    }
    body.update(over)
    return body


def items(**over: Any) -> dict[str, Any]:
    """A clean declaration's 13 items (nothing to flag)."""
    body: dict[str, Any] = {
        "education": [{"institution": "東都大学", "country": "JP", "degree": "博士（理学）", "field": "物理学",
                       "start_on": "2008-04-01", "end_on": "2013-03-31"}],
        "career": [{"organisation": "東都大学", "country": "JP", "position": "准教授", "start_on": "2013-04-01"}],
        "funding": [{"funder": "日本学術振興会", "country": "JP", "title": "科研費 基盤研究(B)", "amount_jpy": 15_000_000,
                     "start_on": "2024-04-01", "end_on": "2027-03-31"}],
        "other_support": [],
        "papers": [{"title": "Superconducting qubit coherence", "on": "2025-06-01", "role": "first",
                    "co_authors": [{"name": "Suzuki Ichiro", "affiliation": "東都大学", "country": "JP"}]}],
        "patents": [],
        "talent_programmes": [],
        "sanctions": [],
        "listed": False,
        "listed_affiliations": [],
        "listed_relations": [],
        "export_control": {"non_resident": False, "specific_category": False},
        "fa_items": [],
    }
    body.update(over)
    return body


def researcher_body(institution: str = "todai", name: str = "山田 花子", declared_on: date | str = "2026-03-20",
                    **over: Any) -> dict[str, Any]:
    body = {"institution": institution, "name": name, "name_latin": "Hanako Yamada", "nationality": "JP",
            "declared_on": str(declared_on), "items": items()}
    body.update(over)
    return body


def flagged_items() -> dict[str, Any]:
    """A declaration that raises points to mitigate: a talent programme and a relation in the lookback window."""
    return items(
        talent_programmes=[{"programme": "Overseas Talent Plan", "country": "CN", "start_on": "2024-01-01",
                            "end_on": "2024-12-31"}],
        listed_relations=[{"researcher": "Li Wei", "institution": "Harbin Institute of Technology", "country": "CN",
                           "kind": "co_authored_paper", "start_on": "2025-02-01"}])
