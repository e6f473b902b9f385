"""ISO 3166-1 alpha-2 country codes (DOMAIN.md §5, §7; API.md: "ISO 3166 alpha-2; \"JP\" is Japan").

Whether a counterparty or a site is abroad decides both the Bayh-Dole approval (source line 1677)
and whether production is "他国において" (source line 1756). A mistyped code would silently count
as a foreign country, so codes are checked against the assigned list, not only their shape.
The list is the 249 officially assigned codes (ISO/TC 46 N1127, as shipped by tzdata).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from babel import Locale
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from service.rules.invalid import InvalidValue

JAPAN = "JP"

ISO_ALPHA2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)


def _upper(v: object) -> object:
    return v.strip().upper() if isinstance(v, str) else v


def _assigned(v: str) -> str:
    if v not in ISO_ALPHA2:
        raise InvalidValue("{field}: '{value}' is not an ISO 3166-1 alpha-2 country code.", value=v)
    return v


CountryCode = Annotated[
    str,
    BeforeValidator(_upper),
    AfterValidator(_assigned),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[A-Za-z]{2}$",
            "description": 'ISO 3166-1 alpha-2 country code, upper-cased on input; "JP" is Japan.',
        }
    ),
]


@lru_cache(maxsize=8)
def _territories(lang: str) -> dict[str, str]:
    return dict(Locale.parse("en" if lang == "en" else "ja").territories)


def country_in_words(code: str, lang: str) -> str:
    """A country by its name and code (DOMAIN.md §11 [r2]): 中国（CN）, China (CN). Names are CLDR's."""
    name = _territories(lang).get(code)
    if name is None:
        return code
    return f"{name} ({code})" if lang == "en" else f"{name}（{code}）"


def countries_in_words(lang: str) -> list[tuple[str, str]]:
    """Every assigned code with its name, for a list to choose from: Japan first, then by name."""
    names = _territories(lang)
    rest = sorted((c for c in ISO_ALPHA2 if c != JAPAN), key=lambda c: (names.get(c, c), c))
    return [(c, names.get(c, c)) for c in (JAPAN, *rest)]
