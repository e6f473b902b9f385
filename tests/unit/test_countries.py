"""Country codes of counterparties and sites (DOMAIN.md §5, §7; API.md "ISO 3166 alpha-2")."""

from importlib.resources import files

import pytest
from pydantic import BaseModel, ValidationError

from service.rules.countries import ISO_ALPHA2, JAPAN, CountryCode


class _Holder(BaseModel):
    country: CountryCode


def test_the_list_is_tzdata_iso3166() -> None:
    tab = files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text(encoding="utf-8")
    codes = {line.split("\t")[0] for line in tab.splitlines() if line and not line.startswith("#")}
    assert ISO_ALPHA2 == codes
    assert len(ISO_ALPHA2) == 249
    assert JAPAN in ISO_ALPHA2


@pytest.mark.parametrize(("given", "expected"), [("JP", "JP"), ("jp", "JP"), ("Us", "US"), (" cn ", "CN")])
def test_accepted(given: str, expected: str) -> None:
    assert _Holder(country=given).country == expected


@pytest.mark.parametrize("bad", ["", "J", "JPN", "XX", "ZZ", "EU", "UK", "1A", "日本", None, 81])
def test_rejected(bad: object) -> None:
    with pytest.raises(ValidationError):
        _Holder(country=bad)
