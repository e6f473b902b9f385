"""Ministry notices (DOMAIN.md §5, condition (2)): which later plans a notice covers, and counterparty names
compared after normalisation (width, case, spaces, punctuation and legal-form words)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.rules.names import normalise_name
from service.rules.notices import Notice, matching_notices, notice_applies

ACTS = ["transfer", "provide", "joint_rd", "overseas_rd", "overseas_production"]

# Every way of writing the company ABC that must come out the same.
ABC_VARIANTS = [
    "ABC", "abc", "Abc", "ＡＢＣ", "ａｂｃ",
    "ABC株式会社", "株式会社ABC", "株式会社 ABC", "ABC 株式会社", "ＡＢＣ株式会社", "ＡＢＣ　株式会社", "株式会社ＡＢＣ",
    "(株)ABC", "（株）ABC", "ABC（株）", "ABC (株)", "㈱ABC", "ABC㈱", "㈱ ＡＢＣ",
    "有限会社ABC", "ABC合同会社",
    "ABC Co., Ltd.", "ABC Co., Ltd", "ABC Co.,Ltd.", "ABC CO., LTD.", "abc co., ltd.", "ABC Co. Ltd.", "ABC Co Ltd",
    "ＡＢＣ　Ｃｏ．，　Ｌｔｄ．", "ABC Co., Ltd. ", "  ABC  Co.,  Ltd.",
    "ABC Inc.", "ABC Inc", "ABC, Inc.", "ABC INC.", "ABC Ｉｎｃ．", "ABC Incorporated",
    "ABC Corporation", "ABC Corp.", "ABC Corp", "ABC CORPORATION",
    "ABC Limited", "ABC Ltd.", "ABC Ltd", "ABC, Ltd.", "ABC Company Limited", "ABC Corporation Limited",
    "ABC Company", "ABC LLC", "ABC K.K.", "A.B.C. Inc.", "A B C",
]


@pytest.mark.parametrize("name", ABC_VARIANTS)
def test_variants_of_one_company_normalise_alike(name: str) -> None:
    assert normalise_name(name) == "abc"


@pytest.mark.parametrize(("a", "b"), [
    ("ＡＢＣ株式会社", "ABC Co., Ltd."),
    ("株式会社ＡＢＣテクノロジー", "ABCテクノロジー株式会社"),
    ("（株）日本電子", "日本電子株式会社"),
    ("㈱日本電子", "日本電子（株）"),
    ("Tokyo Quantum Devices Co., Ltd.", "TOKYO QUANTUM DEVICES CORPORATION"),
    ("Tokyo Quantum Devices Inc.", "tokyo　quantum　devices"),
    ("Huawei Technologies Co., Ltd.", "ＨＵＡＷＥＩ　ＴＥＣＨＮＯＬＯＧＩＥＳ　Ｃｏ．，Ｌｔｄ．"),
    ("Siemens AG", "SIEMENS"),
    ("Acme Quantum K.K.", "Acme Quantum 株式会社"),
])
def test_the_same_company_written_differently_matches(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(("a", "b"), [
    ("ABC Co., Ltd.", "ABD Co., Ltd."),
    ("ABC Co., Ltd.", "ABC Trading Co., Ltd."),
    ("ABC Co., Ltd.", "ABC Holdings Co., Ltd."),
    ("ABC株式会社", "ABCD株式会社"),
    ("日本電子株式会社", "日本電気株式会社"),
    ("Sony Corporation", "Sonyx Corporation"),
    ("Incorporated Research", "Research"),
    ("Incorporated Research Inc.", "Research Inc."),
    ("Limited Brands Inc.", "Brands Inc."),
    ("Alpha Inc.", "Alpha Beta Inc."),
    ("Tokyo Devices", "Kyoto Devices"),
])
def test_different_companies_do_not_match(a: str, b: str) -> None:
    assert normalise_name(a) != normalise_name(b)


def test_a_legal_form_word_inside_a_name_is_kept() -> None:
    # Latin legal forms are removed only where they end the name.
    assert normalise_name("Incorporated Research") == "incorporatedresearch"
    assert normalise_name("Incorporated Research Inc.") == "incorporatedresearch"
    assert normalise_name("Limited Brands Inc.") == "limitedbrands"
    assert normalise_name("Corporate Finance Partners Ltd.") == "corporatefinancepartners"
    assert normalise_name("Agile Systems AG") == "agilesystems"
    assert normalise_name("Company Research LLC") == "companyresearch"


def test_a_name_that_is_only_a_legal_form_keeps_it() -> None:
    # Nothing else would be left: the word is the name.
    assert normalise_name("Inc.") == "inc"
    assert normalise_name("Company") == "company"
    assert normalise_name("Limited") == "limited"


def test_width_case_and_spaces() -> None:
    assert normalise_name("ＴＯＫＹＯ　ＱＵＡＮＴＵＭ") == normalise_name("tokyo quantum") == "tokyoquantum"
    assert normalise_name("Straße") == normalise_name("STRASSE")  # case folding, not lower()
    assert normalise_name("ｶﾌﾞｼｷｶﾞｲｼｬ") == normalise_name("カブシキガイシャ")  # half-width kana widened


@given(st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=20))
def test_normalising_twice_changes_nothing_more(core: str) -> None:
    once = normalise_name(core + " Co., Ltd.")
    assert normalise_name(once) == once or once == ""


@given(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,15}( [A-Za-z0-9]{1,10}){0,2}", fullmatch=True),
       st.sampled_from([" Co., Ltd.", " Inc.", " Corporation", " Limited", " Ltd.", "株式会社", "(株)", "㈱", ""]),
       st.booleans(), st.booleans())
def test_legal_form_width_and_case_never_matter(core: str, form: str, wide: bool, upper: bool) -> None:
    written = core.upper() if upper else core
    if wide:
        written = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in written)
    assert normalise_name(written + form) == normalise_name(core)


# --- notice_applies ----------------------------------------------------------------------------------

def notice(scope: str, *, name: str | None = None, action: str | None = None, id_: str = "ntc-1") -> Notice:
    return Notice(id=id_, scope=scope, counterparty_name=name, action=action)  # type: ignore[arg-type]


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("counterparty", [None, "ABC Co., Ltd.", "Anyone"])
def test_a_contract_notice_covers_every_plan(act: str, counterparty: str | None) -> None:
    assert notice_applies(notice("contract"), action=act, counterparty_name=counterparty)


@pytest.mark.parametrize("noticed", ACTS)
@pytest.mark.parametrize("act", ACTS)
def test_an_action_notice_covers_that_act_only(noticed: str, act: str) -> None:
    n = notice("action", action=noticed)
    assert notice_applies(n, action=act, counterparty_name="ABC Co., Ltd.") == (act == noticed)
    assert notice_applies(n, action=act, counterparty_name=None) == (act == noticed)


@pytest.mark.parametrize("act", ACTS)
def test_a_counterparty_notice_covers_that_counterparty_under_any_act(act: str) -> None:
    n = notice("counterparty", name="ＡＢＣ株式会社")
    assert notice_applies(n, action=act, counterparty_name="ABC Co., Ltd.")
    assert notice_applies(n, action=act, counterparty_name="abc inc")
    assert not notice_applies(n, action=act, counterparty_name="ABD Co., Ltd.")
    assert not notice_applies(n, action=act, counterparty_name=None)  # e.g. overseas R&D of one's own


def test_a_counterparty_notice_whose_name_is_only_a_legal_form_matches_nothing() -> None:
    n = notice("counterparty", name="株式会社")
    assert not notice_applies(n, action="provide", counterparty_name="株式会社")
    assert not notice_applies(n, action="provide", counterparty_name="（株）")
    assert not notice_applies(n, action="provide", counterparty_name="ABC株式会社")


def test_matching_notices_keeps_those_that_apply_in_order() -> None:
    notices = [notice("counterparty", name="ABC Inc.", id_="n1"), notice("action", action="joint_rd", id_="n2"),
               notice("contract", id_="n3"), notice("action", action="provide", id_="n4"),
               notice("counterparty", name="XYZ", id_="n5")]
    assert [n.id for n in matching_notices(notices, action="provide", counterparty_name="ＡＢＣ株式会社")] == [
        "n1", "n3", "n4"]
    assert [n.id for n in matching_notices(notices, action="joint_rd", counterparty_name="xyz")] == [
        "n2", "n3", "n5"]
    assert [n.id for n in matching_notices(notices, action="overseas_rd", counterparty_name=None)] == ["n3"]
    assert matching_notices([], action="provide", counterparty_name="ABC") == []
