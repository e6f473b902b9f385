"""Technology-area reference data (DOMAIN.md §9, source lines 849-900 and 195-208)."""

import re

import pytest

from service.rules.areas import TECHNOLOGY_AREAS, Area, is_known_area

CURRENT = [
    "maritime_shipbuilding",
    "aviation",
    "digital_cyber",
    "energy_gx",
    "bio_health_food",
    "manufacturing_materials",
    "mobility_logistics",
    "ai_robotics",
    "quantum",
    "semiconductors_comms",
    "fusion",
    "space",
]


def test_the_twelve_current_areas_in_order() -> None:
    assert [a.code for a in TECHNOLOGY_AREAS.values() if not a.interim] == CURRENT


def test_twenty_interim_areas() -> None:
    interim = [a for a in TECHNOLOGY_AREAS.values() if a.interim]
    assert len(interim) == 20
    assert all(a.code.startswith("interim_") for a in interim)
    assert len({a.name_ja for a in interim}) == 20
    assert len(TECHNOLOGY_AREAS) == 32


def test_keys_codes_and_names() -> None:
    for code, area in TECHNOLOGY_AREAS.items():
        assert isinstance(area, Area)
        assert area.code == code
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", code)
        assert area.name_ja and area.name_en
        assert not re.search(r"[A-Za-z]{4,}", area.name_ja), area.name_ja


@pytest.mark.parametrize(
    ("code", "name_ja"),
    [
        ("maritime_shipbuilding", "海洋・造船関連技術領域"),
        ("quantum", "量子関連技術領域"),
        ("fusion", "フュージョンエネルギー関連技術領域"),
        ("interim_biotechnology", "バイオ技術"),
        ("interim_hypersonics", "極超音速"),
        ("interim_cbrn", "化学・生物・放射性物質及び核"),
        ("interim_advanced_materials", "先端材料科学"),
    ],
)
def test_japanese_names_follow_the_source(code: str, name_ja: str) -> None:
    assert TECHNOLOGY_AREAS[code].name_ja == name_ja


@pytest.mark.parametrize("code", [*CURRENT, "interim_space", "interim_quantum_information_science"])
def test_known(code: str) -> None:
    assert is_known_area(code)


@pytest.mark.parametrize("code", ["", "SPACE", "space ", "interim_", "interim_fusion", "semiconductors", None, 3])
def test_unknown(code: object) -> None:
    assert not is_known_area(code)
