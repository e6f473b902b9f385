"""What Japanese and Chinese names need on top of rigour before nomenklatura can compare them (DOMAIN.md §12).

rigour folds case, tokenises, transliterates six scripts and knows the Latin legal forms; it does not cut
株式会社 off a name written without spaces, does not know K.K. or Kabushiki Kaisha, cannot read kanji or kana
in Japanese, and has no simplified/traditional Chinese mapping. This module adds exactly that:

- `strip_cjk_forms`: the Japanese and Chinese legal forms at either end of a name (株式会社, (株), 有限公司, ...),
  and `LATIN_TAIL_FORMS`, the romanised Japanese forms and the English words rigour leaves at the end.
- `reading_forms`: further forms of a name in Han or kana script, each labelled with the feature it stands for:
  `japanese_reading` (pykakasi's Hepburn reading, long vowels written short as names are romanised: 東芝 and
  トウシバ read "toshiba"; a katakana loanword also gets a form without the vowels Japanese adds between
  consonants and with known company-name words read back: ロソボロンエクスポルト -> "rosoboronexport"),
  `chinese_reading` (pinyin, by ICU's Han-Latin transform: 哈爾濱 and 哈尔滨 both read "ha er bin") and
  `chinese_simplified` (ICU's Traditional-Simplified transform: 華為技術 -> 华为技术).

Pure: no I/O; the converters are built once at import and hold no state between calls.
"""

from __future__ import annotations

import re
import unicodedata

import icu
import pykakasi

JAPANESE_READING = "japanese_reading"
CHINESE_READING = "chinese_reading"
CHINESE_SIMPLIFIED = "chinese_simplified"

_KAKASI = pykakasi.kakasi()
_TO_SIMPLIFIED = icu.Transliterator.createInstance("Traditional-Simplified")
_TO_TRADITIONAL = icu.Transliterator.createInstance("Simplified-Traditional")
_PINYIN = icu.Transliterator.createInstance("Han-Latin; Latin-ASCII")

# Legal forms written in Han or kana, after NFKC and casefolding (㈱ is "(株)" then). They stand before or after
# the name, often without a space: 株式会社東芝, 東芝(株), 华为技术有限公司. Longest first.
_CJK_FORMS = sorted({
    "株式会社", "株式會社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "(合)", "(同)", "(資)", "(名)",
    "一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人", "独立行政法人", "国立研究開発法人", "学校法人",
    "カブシキガイシャ", "股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "公司",
}, key=len, reverse=True)
_EDGE = " \t,.-_/&・"

# Romanised Japanese legal forms and the English company words that rigour's org-type table leaves in place,
# as rigour tokenises them (K.K. -> "kk"). They are cut from the end of a name only: "Company" may begin one.
LATIN_TAIL_FORMS: tuple[tuple[str, ...], ...] = tuple(sorted({
    ("kk",), ("kabushiki", "kaisha"), ("kabushiki", "gaisha"), ("kabushikikaisha",), ("kabushikigaisha",),
    ("gk",), ("godo", "kaisha"), ("godo", "gaisha"), ("yk",), ("yugen", "kaisha"), ("yugen", "gaisha"),
    ("corporation",), ("corp",), ("company",), ("co",), ("incorporated",), ("inc",), ("limited",), ("ltd",),
    ("co", "ltd"), ("company", "limited"), ("llc",), ("plc",), ("jsc",), ("pjsc",), ("ojsc",), ("cjsc",), ("oao",),
    ("zao",), ("pao",), ("ao",), ("ooo",), ("fze",), ("fzco",), ("sti",), ("ltd", "sti"), ("limited", "sirketi"),
    ("sirketi",), ("public", "joint", "stock", "company"), ("joint", "stock", "company"),
}, key=len, reverse=True))

# Katakana words of company names read back into the English word they render (ロジスティクス -> logistics):
# sector, legal and descriptive words and country names, not distinctive names. Longest first.
_LOANWORDS = dict(sorted({
    "テクノロジー": "technology", "テクノロジーズ": "technologies", "エレクトロニクス": "electronics",
    "エレクトロニック": "electronic", "トレーディング": "trading", "トレード": "trade",
    "インターナショナル": "international", "コーポレーション": "corporation", "カンパニー": "company",
    "リミテッド": "limited", "グループ": "group", "ホールディングス": "holdings", "システム": "system",
    "システムズ": "systems", "インダストリー": "industry", "インダストリーズ": "industries",
    "インダストリアル": "industrial", "エンジニアリング": "engineering", "ラボ": "lab", "ラボラトリー": "laboratory",
    "ラボラトリーズ": "laboratories", "センター": "center", "サイエンス": "science", "サイエンシズ": "sciences",
    "エアロスペース": "aerospace", "アビエーション": "aviation", "エアクラフト": "aircraft", "スペース": "space",
    "デジタル": "digital", "ソフトウェア": "software", "ネットワーク": "network", "ネットワークス": "networks",
    "コミュニケーションズ": "communications", "セミコンダクター": "semiconductor", "マシナリー": "machinery",
    "マシン": "machine", "ケミカル": "chemical", "ケミカルズ": "chemicals", "エナジー": "energy",
    "ディフェンス": "defense", "ユニバーシティ": "university", "インスティテュート": "institute",
    "アカデミー": "academy", "オプティクス": "optics", "オプティカル": "optical", "フォトニクス": "photonics",
    "レーザー": "laser", "ソリューションズ": "solutions", "ロジスティクス": "logistics", "エクスポート": "export",
    "インポート": "import", "コンツェルン": "concern", "バンク": "bank", "マリン": "marine", "メディカル": "medical",
    "エンタープライズ": "enterprise", "エンタープライズィズ": "enterprises", "インベストメント": "investment",
    "プレシジョン": "precision", "ファクトリー": "factory", "ワークス": "works", "インフォメーション": "information",
    "テクニカル": "technical", "コンポーネンツ": "components", "デバイス": "device", "デバイセズ": "devices",
    "マイクロ": "micro", "メタル": "metal", "メタルズ": "metals", "マテリアル": "material",
    "マテリアルズ": "materials", "ニュークリア": "nuclear", "ロボティクス": "robotics", "セキュリティ": "security",
    "サービス": "service", "サービシズ": "services", "ジェネラル": "general", "ナショナル": "national",
    "リサーチ": "research", "デベロップメント": "development", "シッピング": "shipping", "ミサイル": "missile",
    "ミサイルズ": "missiles", "デザイン": "design", "ビューロー": "bureau", "ジャパン": "japan", "チャイナ": "china",
    "ロシア": "russia", "イラン": "iran", "コリア": "korea", "ホンコン": "hong kong", "シンガポール": "singapore",
}.items(), key=lambda kv: len(kv[0]), reverse=True))

_CONSONANTS = "bcdfghjkmnpqrstvwxz"
_LONG_VOWELS = [("ou", "o"), ("oo", "o"), ("uu", "u"), ("aa", "a"), ("ii", "i"), ("ee", "e")]


def is_han(ch: str) -> bool:
    return ("\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
            or "\U00020000" <= ch <= "\U0003134f" or ch in "々〆")


def is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u31f0" <= ch <= "\u31ff" or "\uff66" <= ch <= "\uff9f"


def has_cjk(text: str) -> bool:
    return any(is_han(ch) or is_kana(ch) for ch in text)


def strip_cjk_forms(text: str) -> str:
    """Cut Japanese and Chinese legal forms off both ends of a folded name, as often as they stand there."""
    changed = True
    while changed:
        changed = False
        text = text.strip(_EDGE)
        for form in _CJK_FORMS:
            if text.startswith(form) and text[len(form):].strip(_EDGE):
                text, changed = text[len(form):], True
            elif text.endswith(form) and text[: -len(form)].strip(_EDGE):
                text, changed = text[: -len(form)], True
    return text.strip(_EDGE)


def _collapse(romaji: str) -> str:
    """Long vowels written short, as Japanese names are romanised (Tōshiba, Toushiba -> Toshiba)."""
    for long, short in _LONG_VOWELS:
        romaji = romaji.replace(long, short)
    return romaji


def _loan_romaji(katakana: str) -> str:
    """A katakana loanword written back the way its Latin original is likely spelt: ー dropped, doubled consonants
    single, and the vowels Japanese puts after a consonant (ku, su, ru, to, ...) dropped after the first
    syllable: ロソボロンエクスポルト -> rosoboronexport, カスペルスキー -> kasperski."""
    romaji = _hepburn(katakana.replace("ー", ""))
    romaji = _collapse(romaji.replace("'", ""))
    romaji = romaji.replace("ekusu", "ex")
    romaji = re.sub(rf"([{_CONSONANTS}])\1", r"\1", romaji).replace("tch", "ch")
    first = re.search("[aeiou]", romaji)
    if first is None:
        return romaji
    head, tail = romaji[: first.end()], romaji[first.end():]
    vowel_end = rf"(?=[{_CONSONANTS}]|$)"
    tail = re.sub(rf"(sh|ch|ts|[bdfgkmprsz])u{vowel_end}", r"\1", tail)
    tail = re.sub(rf"([td])o{vowel_end}", r"\1", tail)
    return head + tail


def _split_loanwords(katakana: str) -> list[str]:
    """A run of katakana cut into the company-name words it begins or ends with (ファーウェイテクノロジーズ ->
    ファーウェイ, テクノロジーズ); the words that are not in the table stay as they are."""
    head: list[str] = []
    tail: list[str] = []
    rest = katakana
    progress = True
    while rest and rest not in _LOANWORDS and progress:
        progress = False
        for word in _LOANWORDS:
            if rest.endswith(word):
                tail.insert(0, word)
                rest, progress = rest[: -len(word)], True
                break
            if rest.startswith(word):
                head.append(word)
                rest, progress = rest[len(word):], True
                break
    return [*head, *([rest] if rest else []), *tail]


def _hepburn(text: str) -> str:
    return "".join(part["hepburn"] for part in _KAKASI.convert(text))


def _read_other(text: str) -> str:
    """pykakasi's reading of a run that is not katakana; a Han character that Japanese does not have (the
    simplified 尔, 业) is read through its traditional form instead."""
    parts = _KAKASI.convert(text)
    if any(any(is_han(ch) for ch in part["orig"]) and not part["hepburn"].strip() for part in parts):
        parts = _KAKASI.convert(_TO_TRADITIONAL.transliterate(text))
    return " ".join(part["hepburn"] for part in parts)


_KATAKANA_RUN = re.compile(r"([\u30a1-\u30fa\u30fc-\u30ff]+)")


def japanese_readings(text: str) -> list[str]:
    """Hepburn readings of a folded name in kanji or kana, long vowels short: the plain one, and when it has
    katakana loanwords the one written back towards their Latin original; 日本 is read both "nippon" and
    "nihon". Empty when the name has nothing to read."""
    plain: list[str] = []
    loan: list[str] = []
    for i, run in enumerate(_KATAKANA_RUN.split(text)):
        if not run:
            continue
        if i % 2 == 0:  # not katakana: kanji, hiragana, Latin, separators
            reading = _collapse(_read_other(run))
            plain.append(reading)
            loan.append(reading)
            continue
        for piece in _split_loanwords(run):
            known = _LOANWORDS.get(piece)
            plain.append(known or _collapse(_hepburn(piece)))
            loan.append(known or _loan_romaji(piece))
        plain.append(" ")
        loan.append(" ")
    out: list[str] = []
    for words in (plain, loan):
        form = " ".join(" ".join(words).replace("'", "").replace("・", " ").split())
        for variant in (form, form.replace("nippon", "nihon")):
            if variant and variant.isascii() and variant not in out:
                out.append(variant)
    return out


_KEY_STEPS = [
    (r"v\b", "f"),  # a final v is heard as フ (-ov: -ofu)
    (r"ph", "f"), (r"ck", "k"), (r"x", "ks"), (r"q", "k"), (r"kh", "h"), (r"th", "s"), (r"ts", "t"),
    (r"c(?=[eiy])", "s"), (r"c(?!h)", "k"), (r"l", "r"), (r"v", "b"), (r"f", "h"), (r"w", "u"), (r"y", "i"),
    (r"z", "s"), (r"([a-z])\1", r"\1"), (r"ou", "o"),
]
_KEY_PATTERNS = [(re.compile(pattern), replacement) for pattern, replacement in _KEY_STEPS]


def phonetic_key(text: str) -> str:
    """A romanised name as a Japanese ear hears it, for comparing a katakana rendering with the Latin original:
    the sounds katakana does not tell apart are written alike (l and r, b and v, f and h, s and z, c and k or s),
    doubled letters once. Kalashnikov -> "karashnikof", カラシニコフ's reading "karashinikof" -> "karashinikoh"
    and Kalashnikov -> "karashnikoh"."""
    for pattern, replacement in _KEY_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def chinese_forms(text: str) -> list[tuple[str, str]]:
    """The simplified form and the pinyin reading of a folded name in Han characters (with no kana)."""
    if not any(is_han(ch) for ch in text) or any(is_kana(ch) for ch in text):
        return []
    out: list[tuple[str, str]] = []
    simplified = _TO_SIMPLIFIED.transliterate(text)
    if simplified != text:
        out.append((simplified, CHINESE_SIMPLIFIED))
    pinyin = " ".join(unicodedata.normalize("NFKC", _PINYIN.transliterate(simplified)).casefold().split())
    if pinyin and pinyin.isascii():
        out.append((pinyin, CHINESE_READING))
    return out


def reading_forms(text: str) -> list[tuple[str, str]]:
    """Every further form of a folded Han or kana name, with the feature it stands for, in a fixed order."""
    if not has_cjk(text):
        return []
    chinese = chinese_forms(text)  # the simplified characters first: closest to the name as written
    out = [form for form in chinese if form[1] == CHINESE_SIMPLIFIED]
    out.extend((reading, JAPANESE_READING) for reading in japanese_readings(text))
    out.extend(form for form in chinese if form[1] == CHINESE_READING)
    seen: set[str] = {text}
    unique = []
    for form, feature in out:
        if form not in seen:
            seen.add(form)
            unique.append((form, feature))
    return unique
