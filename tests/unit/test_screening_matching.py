"""Screening by name (DOMAIN.md §12): normalisation, LogicV2 scores with the Japanese and Chinese forms on top,
the candidate's evidence, and the matcher's order. Properties hold for any name; no dates are involved."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.rules.screening.entries import ListEntry
from service.rules.screening.matching import DEFAULT_THRESHOLD, Candidate, Matcher, Party, normalise, score

WORDS = ["Harbin", "Sichuan", "Quantum", "Ryonbong", "Almaz", "Tupolev", "Mikron", "Hikvision", "Zhongxing", "Pars",
         "Sharif", "Daiwa", "Seiki", "Hokushin", "Boeki", "Electronics", "Precision", "Aerospace", "Optical",
         "Machinery", "Nanotech", "Kalashnikov", "Sozvezdie", "Tianrui", "Hengtong"]
CJK_NAMES = ["東芝", "大和精機", "北辰貿易", "ロソボロンエクスポルト", "カラシニコフ", "哈爾濱工業大學", "华为技术",
             "中国電子科技集団", "オウム真理教", "日の出貿易"]
# where legal forms stand in real names: after it, or (these few) before it
SUFFIX_FORMS = ["株式会社", "(株)", "㈱", "有限公司", "股份有限公司", "Co., Ltd.", "Co.,Ltd.", "K.K.", "Kabushiki Kaisha",
                "LLC", "Limited", "Ltd", "Inc.", "Corporation", "JSC", "GmbH", "FZE"]
PREFIX_FORMS = ["株式会社", "(株)", "㈱", "OOO", "JSC", "AO", "PJSC"]
FORMS = sorted(set(SUFFIX_FORMS + PREFIX_FORMS))
FIRST = ["Sergey", "Fusako", "Kozo", "Haiping", "Hossein", "Yuqiang", "Vladimir", "Mohammad", "Taro"]
LAST = ["Chemezov", "Shigenobu", "Okamoto", "Wang", "Dehghan", "Zhang", "Artyakov", "Eslami", "Yamada"]

latin_names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4, unique=True).map(" ".join)
names = st.one_of(latin_names, st.sampled_from(CJK_NAMES))


def entry(name: str, *aliases: str, key: str = "e1", countries: tuple[str, ...] = (), kind: str = "organization",
          source: str = "csl") -> ListEntry:
    return ListEntry(key=key, source=source, kind=kind, name=name, aliases=aliases, countries=countries)


def full_width(text: str) -> str:
    return "".join("\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


# --- normalisation ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["ＡＢＣ株式会社", "株式会社ABC", "(株)ABC", "㈱ＡＢＣ", "ABC K.K.", "abc co., ltd.", "ABC Co.,Ltd.",
                                  "ABC Kabushiki Kaisha", "ABC 有限公司", "ABC LLC", "OOO ABC", "ABC Corporation"])
def test_legal_forms_and_width_fold_away(name):
    assert normalise(name) == "abc"


def test_a_name_that_is_only_a_legal_form_keeps_it():
    assert normalise("株式会社") == "株式会社"
    assert normalise("Co., Ltd.") == "co ltd"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_normalise_is_idempotent(name):
    assert normalise(normalise(name)) == normalise(name)


@settings(max_examples=100, deadline=None)
@given(latin_names, st.sampled_from(FORMS))
def test_normalise_is_idempotent_with_legal_forms(name, form):
    for text in (f"{name} {form}", f"{form}{name}", full_width(f"{form} {name}")):
        assert normalise(normalise(text)) == normalise(text)


# --- properties of score() -------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(names)
def test_a_name_matches_itself(name):
    assert score(Party(name=name), entry(name)).score >= DEFAULT_THRESHOLD


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Lo", "Nd", "Zs"]), max_size=25))
def test_any_name_with_letters_matches_itself(name):
    if normalise(name):
        assert score(Party(name=name), entry(name)).score >= DEFAULT_THRESHOLD


def with_form(name: str, form: str, before: bool) -> str:
    glue = "" if not (name.isascii() and form.isascii()) else " "  # 株式会社東芝, 東芝(株), but ABC 有限公司
    return f"{form}{glue}{name}" if before else f"{name}{glue}{form}"


@settings(max_examples=60, deadline=None)
@given(names, st.one_of(st.tuples(st.sampled_from(SUFFIX_FORMS), st.just(False)),
                        st.tuples(st.sampled_from(PREFIX_FORMS), st.just(True))), st.booleans())
def test_a_company_form_on_either_side_keeps_a_match(name, form_where, on_party):
    formed = with_form(name, *form_where)
    party, listed = (formed, name) if on_party else (name, formed)
    assert score(Party(name=party), entry(listed)).score >= DEFAULT_THRESHOLD


@settings(max_examples=30, deadline=None)
@given(names, st.sampled_from(SUFFIX_FORMS), st.sampled_from(SUFFIX_FORMS))
def test_different_company_forms_on_the_two_sides_keep_a_match(name, ours, theirs):
    assert score(Party(name=with_form(name, ours, False)),
                 entry(with_form(name, theirs, False))).score >= DEFAULT_THRESHOLD


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=2, max_size=4, unique=True), st.randoms(use_true_random=False))
def test_word_order_keeps_a_match(words, rng):
    shuffled = list(words)
    rng.shuffle(shuffled)
    assert score(Party(name=" ".join(shuffled)), entry(" ".join(words))).score >= DEFAULT_THRESHOLD


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(FIRST), st.sampled_from(LAST))
def test_family_name_first_keeps_a_person_match(first, last):
    listed = entry(f"{first} {last}", kind="person")
    for party in (f"{last} {first}", f"{last.upper()}, {first}"):
        assert score(Party(name=party, kind="person"), listed).score >= DEFAULT_THRESHOLD


@settings(max_examples=40, deadline=None)
@given(latin_names, latin_names, st.sampled_from([None, "CN", "JP"]))
def test_full_width_scores_as_half_width(party, listed, country):
    target = entry(listed, countries=("CN",))
    half = score(Party(name=party, country=country), target)
    full = score(Party(name=full_width(party), country=country), target)
    assert full.score == half.score
    assert full.matched_name == half.matched_name


def test_half_width_katakana_reads_as_full_width():
    target = entry("Rosoboronexport", countries=("RU",))
    full = score(Party(name="ロソボロンエクスポルト", country="RU"), target)
    half = score(Party(name="ﾛｿﾎﾞﾛﾝｴｸｽﾎﾟﾙﾄ", country="RU"), target)
    assert full.score == half.score >= DEFAULT_THRESHOLD


# --- examples --------------------------------------------------------------------------------------------------

def test_toshiba_by_its_kanji_alias():
    c = score(Party(name="株式会社東芝", country="JP"), entry("Toshiba Corporation", "東芝", countries=("JP",)))
    assert c.score == 1.0
    assert (c.matched_name, c.party_form, c.feature) == ("東芝", "株式会社東芝", "name_match")
    assert "'東芝' literalMatch" in c.explanation
    assert c.country_match is True


def test_toshiba_by_its_reading_when_the_list_has_only_latin():
    for party in ("株式会社東芝", "東芝", "トウシバ"):
        c = score(Party(name=party), entry("Toshiba Corporation"))
        assert c.score == 1.0, party
        assert (c.matched_name, c.party_form, c.feature) == ("Toshiba Corporation", "toshiba", "japanese_reading")
        assert "'toshiba' literalMatch" in c.explanation


def test_a_katakana_rendering_of_a_russian_name():
    c = score(Party(name="ロソボロンエクスポルト", country="RU"), entry("Rosoboronexport", "JSC Rosoboronexport",
                                                                   countries=("RU",)))
    assert c.score >= DEFAULT_THRESHOLD
    assert c.feature == "japanese_reading"
    assert c.party_form == "rosoboronexport"


def test_a_katakana_rendering_heard_rather_than_spelt():
    c = score(Party(name="ツポレフ", country="RU"), entry("Tupolev PJSC", countries=("RU",)))
    assert c.score >= DEFAULT_THRESHOLD
    assert c.feature == "japanese_reading"


def test_russian_romanisations():
    assert score(Party(name="Rosoboroneksport"), entry("Rosoboronexport")).score >= DEFAULT_THRESHOLD
    c = score(Party(name="Kontsern VKO Almaz-Antei"), entry("Almaz-Antey Air and Space Defense Corporation",
                                                           "Concern VKO Almaz-Antey"))
    assert c.score >= DEFAULT_THRESHOLD
    assert c.matched_name == "Concern VKO Almaz-Antey"
    assert "symbolMatch [SYMBOL:CONCERN]" in c.explanation  # Kontsern is Concern, by rigour's symbols
    assert score(Party(name="Tsentr Spetsialnoy Tekhniki"),
                 entry("Special Technology Center LLC", "Tsentr Spetsialnoi Tekhniki")).score >= DEFAULT_THRESHOLD


def test_traditional_chinese_meets_simplified():
    c = score(Party(name="華為技術有限公司", country="CN"),
              entry("Huawei Technologies Co., Ltd.", "华为技术有限公司", countries=("CN",)))
    assert c.score == 1.0
    assert (c.matched_name, c.party_form, c.feature) == ("华为技术有限公司", "华为技术", "chinese_simplified")
    c = score(Party(name="哈爾濱工業大學"), entry("Harbin Institute of Technology", "哈尔滨工业大学"))
    assert c.score == 1.0 and c.matched_name == "哈尔滨工业大学"


def test_japanese_forms_of_chinese_characters_meet_through_pinyin():
    # 団 is the Japanese form of 團/团: no simplified mapping, the same pinyin
    c = score(Party(name="浪潮集団"), entry("Inspur Group Co., Ltd.", "Langchao Jituan"))
    assert c.score >= DEFAULT_THRESHOLD
    assert c.feature == "chinese_reading"
    assert c.matched_name == "Langchao Jituan"


@pytest.mark.parametrize(("party", "listed"), [
    ("Sichuan Normal University", "Sichuan University"),
    ("Beijing University of Technology", "Beijing Institute of Technology"),
    ("China Aerospace Science and Technology Corporation", "China Aerospace Science and Industry Corporation"),
    ("China South Industries Group Corporation", "China North Industries Group Corporation"),
    ("Star", "Star Electronics"),
    ("Tianjin Information Technology Co., Ltd.", "Tianjin Phytium Information Technology Co., Ltd."),
    ("Micron Technology", "Mikron JSC"),
    ("日本赤十字社", "Japanese Red Army"),
])
def test_near_misses_stay_below(party, listed):
    assert score(Party(name=party), entry(listed, countries=("CN",))).score < DEFAULT_THRESHOLD


def test_a_country_mismatch_lowers_the_score():
    listed = entry("Sunrise Trading Co., Ltd.", countries=("HK",))
    same = score(Party(name="Sunrise Trading Co., Ltd.", country="HK"), listed)
    other = score(Party(name="Sunrise Trading Co., Ltd.", country="JP"), listed)
    unknown = score(Party(name="Sunrise Trading Co., Ltd."), listed)
    assert same.score == unknown.score == 1.0
    assert other.score < same.score
    assert other.score < DEFAULT_THRESHOLD
    assert (same.country_match, other.country_match, unknown.country_match) == (True, False, None)


def test_no_name_in_common():
    c = score(Party(name="Hokushin Boeki"), entry("Pakistan Atomic Energy Commission"))
    assert c.score == 0.0
    assert c.matched_name == "Pakistan Atomic Energy Commission"
    assert c.explanation


def test_a_candidate_is_json():
    c = score(Party(name="Toshiba K.K.", country="JP"), entry("Toshiba Corporation", countries=("JP",)))
    data = json.loads(c.model_dump_json())
    assert Candidate.model_validate(data) == c
    assert set(data) == {"entry_key", "source", "score", "matched_name", "party_form", "feature", "explanation",
                         "country_match"}
    assert data["score"] == round(data["score"], 4)


def test_a_person_is_not_matched_against_a_company():
    listed = entry("Taro Yamada", kind="person")
    assert score(Party(name="Taro Yamada"), listed).score == 0.0
    assert score(Party(name="Taro Yamada", kind="person"), listed).score == 1.0


# --- the matcher -----------------------------------------------------------------------------------------------

LIST = [
    entry("Huawei Technologies Co., Ltd.", "Huawei", "华为技术有限公司", key="csl-huawei", countries=("CN",)),
    entry("Huawei Technologies Co., Ltd.", key="eul-0420", countries=("CN",), source="eul"),
    entry("Huawei Marine Networks", key="csl-hmn", countries=("CN",)),
    entry("Huawei Technologies Japan K.K.", key="csl-hjp", countries=("JP",)),
    entry("Rosoboronexport", "JSC Rosoboronexport", key="csl-roe", countries=("RU",)),
    entry("Harbin Institute of Technology", "HIT", "哈尔滨工业大学", key="eul-0100", countries=("CN",), source="eul"),
    entry("Harbin Engineering University", key="eul-0101", countries=("CN",), source="eul"),
    entry("Huawei", key="vessel-1", kind="vessel"),
    entry("Wang Haiping", key="csl-wang", kind="person", countries=("CN",)),
]


def test_screen_returns_the_best_first_and_at_most_limit():
    matcher = Matcher(LIST)
    found = matcher.screen(Party(name="Huawei Technologies Co., Ltd.", country="CN"), limit=5)
    # two entries of one name in both lists, equal: by entry key; the Japanese subsidiary and Huawei Marine are
    # other entities (a word more, and another country)
    assert [c.entry_key for c in found] == ["csl-huawei", "eul-0420"]
    assert all(c.score >= DEFAULT_THRESHOLD for c in found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert matcher.screen(Party(name="Huawei Technologies Co., Ltd.", country="CN"), limit=1) == found[:1]
    loose = Matcher(LIST, threshold=0.2).screen(Party(name="Huawei Technologies", country="CN"), limit=3)
    assert len(loose) == 3
    assert [c.score for c in loose] == sorted((c.score for c in loose), reverse=True)
    assert matcher.screen(Party(name="Huawei Technologies Co., Ltd."), limit=0) == []


def test_screen_breaks_ties_by_country_then_entry_key():
    matcher = Matcher([entry("Apex Trading", key="b"), entry("Apex Trading", key="a"),
                       entry("Apex Trading", key="c", countries=("JP",))])
    assert [c.entry_key for c in matcher.screen(Party(name="Apex Trading", country="JP"))] == ["c", "a", "b"]


def test_screen_is_deterministic_in_any_order():
    party = Party(name="ハルビン工業大学", country="CN")
    first = Matcher(LIST).screen(party)
    shuffled = list(LIST)
    random.Random(7).shuffle(shuffled)
    assert Matcher(shuffled).screen(party) == first
    assert Matcher(LIST).screen(party) == first


def test_screen_finds_readings_and_skips_vessels_and_persons():
    matcher = Matcher(LIST)
    assert [c.entry_key for c in matcher.screen(Party(name="ロソボロンエクスポルト"))] == ["csl-roe"]
    assert [c.entry_key for c in matcher.screen(Party(name="哈爾濱工業大學"))] == ["eul-0100"]
    assert "vessel-1" not in [c.entry_key for c in matcher.screen(Party(name="Huawei"))]
    assert [c.entry_key for c in matcher.screen(Party(name="Haiping Wang", kind="person"))] == ["csl-wang"]
    assert matcher.screen(Party(name="Wang Haiping")) == []


def test_screen_applies_its_threshold():
    party = Party(name="Huawei")
    strict = Matcher(LIST, threshold=1.0).screen(party)
    loose = Matcher(LIST, threshold=0.3).screen(party)
    assert {c.entry_key for c in strict} <= {c.entry_key for c in loose}
    assert all(c.score == 1.0 for c in strict)
    assert len(loose) > len(strict)


def test_screen_of_a_name_with_nothing_to_compare():
    assert Matcher(LIST).screen(Party(name="!!!")) == []
