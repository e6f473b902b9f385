"""Screening a party against the lists' entries by name (DOMAIN.md §12).

The matching itself is the financial-crime field's: both sides become followthemoney entities (Organization,
Person, ...) and nomenklatura's LogicV2 scores them, with rigour's name analysis, organisation-type tables and
transliteration underneath, and its `country_mismatch` feature taking 0.2 off when both sides name countries
that do not meet. tlc adds only what Japanese and Chinese names still need (`japanese.py`): legal forms written
in Han or kana, and readings (東芝 and トウシバ read "toshiba", 哈爾濱 and 哈尔滨 read "ha er bin", traditional
characters written simplified). Each of these is one more *form* of a name: every form of the party is compared
with every form of the entry, one pair at a time, and the best pair decides, so the candidate can say which of
the list's names matched which form of ours and what the library made of it.

`Matcher` blocks before scoring: an inverted index over the tokens and character trigrams (bigrams for Han and
kana) of every form of every entry, weighted by rarity, hands the few dozen best entries to LogicV2.

Pure: no I/O, nothing global that changes; the same input gives the same candidates in the same order (ties by
entry key).
"""

from __future__ import annotations

import hashlib
import heapq
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry
from nomenklatura.matching import LogicV2
from nomenklatura.matching.types import ScoringConfig
from pydantic import BaseModel, ConfigDict, Field, field_validator
from rigour.names import remove_org_types, tokenize_name
from rigour.territories import territories_intersect

from service.rules.screening.entries import EntityKind, ListEntry
from service.rules.screening.japanese import (
    JAPANESE_READING,
    LATIN_TAIL_FORMS,
    is_han,
    is_kana,
    phonetic_key,
    reading_forms,
    strip_cjk_forms,
)

# Chosen on bench/screening/pairs.csv (435 labelled pairs, written before the matcher ran on them) by
# `python bench/screening_eval.py`: the threshold with the best F1 among 0.70, 0.71, ... 0.95, the lowest of equals
# (0.81 and 0.82 tie). At 0.81 the set gives precision 0.983, recall 0.946, F1 0.964; at 0.80 precision falls to
# 0.897, because an exact name in another country scores 1.0 - 0.2 (LogicV2's country_mismatch) = 0.8 and is not
# taken for the listed entity. Misses are mostly katakana renderings and kanji names read another way.
DEFAULT_THRESHOLD: float = 0.81

BLOCK_CANDIDATES = 40  # entries scored fully by LogicV2 per screen()
_FREQUENT_SHARE = 0.05  # a blocking key in more than this share of the entries is too common to look up ...
_RAREST_KEYS = 4  # ... unless it is among the party's rarest few

_PARTY_SCHEMAS = {"organization": "Organization", "person": "Person"}
_ENTRY_SCHEMAS: dict[EntityKind, str] = {"organization": "Organization", "person": "Person", "vessel": "Vessel",
                                         "aircraft": "Airplane", "unknown": "LegalEntity"}
_SCREENED_KINDS: dict[str, frozenset[str]] = {"organization": frozenset({"organization", "unknown"}),
                                              "person": frozenset({"person", "unknown"})}
# LogicV2 weighs a word of the list's name that our name lacks at 0.2 and one of ours that the list's lacks at
# 0.8: it takes the query for a search fragment ("Star" for "Star Electronics"). A party is a full legal name, so
# both count alike here. (With the library's 0.2 the evaluation set gives P 0.911 / R 0.949 / F1 0.930 at 0.81,
# the short and partial names of the near-miss categories passing; see bench/screening_eval.py.)
_EXTRA_RESULT_NAME = 0.8
_NAME_FEATURE = "name_match"
_NO_MATCH = "No name match found."


class Party(BaseModel):
    """Who is screened: our counterparty's name as recorded, and its country when known."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    country: str | None = Field(None, description="ISO 3166-1 alpha-2, upper case")
    kind: Literal["organization", "person"] = "organization"

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.strip().upper() or None if value is not None else None


class Candidate(BaseModel):
    """One list entry that a party's name may be, with the evidence for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entry_key: str = Field(description="ListEntry.key")
    source: str = Field(description="ListEntry.source")
    score: float = Field(ge=0, le=1, description="0..1, rounded to 4 places")
    matched_name: str = Field(description="the list's name or alias that gave the best score")
    party_form: str = Field(description="the form of our party's name that matched: as given, or a reading of it")
    feature: str = Field(description="the deciding feature: nomenklatura's (name_match, ...) or tlc's "
                                     "(japanese_reading, chinese_reading, chinese_simplified)")
    explanation: str = Field(description="the library's explanation of that feature: which parts matched how")
    country_match: bool | None = Field(description="whether the countries meet; None unless both sides have one")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


_TAIL_FORMS_BY_LAST: dict[str, tuple[tuple[str, ...], ...]] = {}
for _form in LATIN_TAIL_FORMS:  # longest first, as LATIN_TAIL_FORMS
    _TAIL_FORMS_BY_LAST[_form[-1]] = (*_TAIL_FORMS_BY_LAST.get(_form[-1], ()), _form)


def _strip_latin_tail(tokens: list[str]) -> list[str]:
    while tokens:
        for form in _TAIL_FORMS_BY_LAST.get(tokens[-1], ()):
            if len(tokens) > len(form) and tuple(tokens[-len(form):]) == form:
                tokens = tokens[: -len(form)]
                break
        else:
            return tokens
    return tokens


def _split_scripts(text: str) -> str:
    """A space where Han or kana meets a Latin letter or digit (東芝Co., Ltd. -> 東芝 Co., Ltd.)."""
    out: list[str] = []
    previous = None
    for ch in text:
        cjk = is_han(ch) or is_kana(ch)
        latin = ch.isascii() and ch.isalnum()
        if previous is not None and ((cjk and previous == "latin") or (latin and previous == "cjk")):
            out.append(" ")
        out.append(ch)
        previous = "cjk" if cjk else "latin" if latin else None
    return "".join(out)


def _normalise_step(text: str) -> str:
    text = strip_cjk_forms(_split_scripts(_fold(text)))
    tokens = tokenize_name(remove_org_types(text, replacement=" "))
    if not tokens:  # the name is only a legal form: it keeps one
        return " ".join(tokenize_name(text))
    return " ".join(_strip_latin_tail(tokens))


def normalise(name: str) -> str:
    """A company's name as it is compared: width and case folded (NFKC), tokens as rigour cuts them joined by
    one space, legal forms removed (株式会社, (株), 有限公司, K.K., Co., Ltd., LLC, OOO, ...). Idempotent."""
    text = name
    for _ in range(8):
        step = _normalise_step(text)
        if step == text:
            break
        text = step
    return text


def _normalise_person(name: str) -> str:
    return " ".join(tokenize_name(_fold(name)))


@dataclass(frozen=True, slots=True)
class _Form:
    text: str  # what LogicV2 compares
    source: str  # the name as given (the list's name or alias, or the party's name)
    feature: str | None  # None: the name itself; else the reading it is (japanese_reading, ...)
    group: str = ""  # "heard" (a `phonetic_key`) or "sorted" (its words sorted): compared only within the group


def _forms(names: Iterable[str], person: bool) -> tuple[_Form, ...]:
    """Every form of a set of names: each name normalised, then the readings of those in Han or kana, then (for
    an organisation) each name with its words sorted."""
    given: list[_Form] = []
    seen: set[str] = set()
    for name in names:
        text = _normalise_person(name) if person else normalise(name)
        if text and text not in seen:
            seen.add(text)
            given.append(_Form(text, name, None))
    readings: list[_Form] = []
    for form in given:
        for text, feature in reading_forms(form.text):
            if text not in seen:
                seen.add(text)
                readings.append(_Form(text, form.source, feature))
    if not person:  # LogicV2 aligns a person's names in any order, an organisation's only in the order given
        in_order: set[str] = set()  # the group's own: "a b" sorted is "a b", and must meet "b a" sorted
        for form in given:
            tokens = form.text.split()
            text = " ".join(sorted(tokens))
            if len(tokens) > 1 and text not in in_order:
                in_order.add(text)
                readings.append(_Form(text, form.source, None, group="sorted"))
    return (*given, *readings)


def _heard(forms: Iterable[_Form], feature: str | None = None) -> tuple[_Form, ...]:
    """The `phonetic_key` of each romanised form (of the Japanese readings only, when `feature` says so)."""
    out: list[_Form] = []
    seen: set[str] = set()
    for form in forms:
        if form.group or not form.text.isascii() or (feature is not None and form.feature != feature):
            continue
        text = phonetic_key(form.text)
        if text not in seen:
            seen.add(text)
            out.append(_Form(text, form.source, form.feature or JAPANESE_READING, group="heard"))
    return tuple(out)


def _entity(schema: str, name: str, countries: tuple[str, ...]) -> EntityProxy:
    entity = model.make_entity(schema)
    # nomenklatura caches a name analysis by entity id, so the id is the content's.
    digest = hashlib.sha1("\x1f".join((schema, name, *countries)).encode()).hexdigest()
    entity.id = f"tlc-{digest}"
    entity.add("name", name)
    if countries and entity.schema.get("country") is not None:
        entity.add("country", list(countries))
    return entity


def _countries(codes: Iterable[str | None]) -> list[str]:
    """The codes as followthemoney keeps them (lower case; one it does not know is dropped, as on the entity)."""
    return [clean for code in codes if code and (clean := registry.country.clean(code)) is not None]


def _country_match(party: Party, entry: ListEntry) -> bool | None:
    ours, theirs = _countries([party.country]), _countries(entry.countries)
    if not ours or not theirs:
        return None
    return bool(territories_intersect(ours, theirs))


def _config() -> ScoringConfig:
    config = LogicV2.default_config()
    config.config["nm_extra_result_name"] = _EXTRA_RESULT_NAME
    return config


def _deciding(explanations: dict, weights: dict[str, float]) -> str:
    best, best_value = _NAME_FEATURE, 0.0
    for feature in LogicV2.features:
        if feature.qualifier or feature.name not in explanations:
            continue
        value = explanations[feature.name].score * weights.get(feature.name, feature.weight)
        if value > best_value:
            best, best_value = feature.name, value
    return best


class _Side:
    """One side of a comparison: its forms, and an entity per form made when first needed."""

    __slots__ = ("countries", "entities", "forms", "schema")

    def __init__(self, schema: str, forms: tuple[_Form, ...], countries: tuple[str, ...]) -> None:
        self.schema, self.forms, self.countries = schema, forms, countries
        self.entities: dict[str, EntityProxy] = {}

    def entity(self, form: _Form) -> EntityProxy:
        entity = self.entities.get(form.text)
        if entity is None:
            entity = self.entities[form.text] = _entity(self.schema, form.text, self.countries)
        return entity


def _party_side(party: Party) -> _Side:
    """A party's forms; one read from Japanese also as it is heard, to meet the Latin original of a katakana
    rendering."""
    forms = _forms([party.name], party.kind == "person")
    forms = (*forms, *_heard(forms, JAPANESE_READING))
    return _Side(_PARTY_SCHEMAS[party.kind], forms, (party.country,) if party.country else ())


def _entry_forms(entry: ListEntry) -> tuple[_Form, ...]:
    return _forms(entry.names, entry.kind == "person")


def _compare(party: Party, side: _Side, entry: ListEntry, entry_forms: tuple[_Form, ...],
             config: ScoringConfig) -> Candidate:
    if any(q.group == "heard" for q in side.forms):
        entry_forms = (*entry_forms, *_heard(entry_forms))
    entry_side = _Side(_ENTRY_SCHEMAS[entry.kind], entry_forms, entry.countries)
    best = None
    best_score = -1.0
    for q in side.forms:
        for r in entry_side.forms:
            if q.group != r.group:
                continue
            result = LogicV2.compare(side.entity(q), entry_side.entity(r), config)
            value = min(1.0, max(0.0, result.score))
            if value > best_score:
                best, best_score = (q, r, result), value
            if best_score >= 1.0:
                break
        if best_score >= 1.0:
            break
    country_match = _country_match(party, entry)
    if best is None or best_score <= 0.0:
        return Candidate(entry_key=entry.key, source=entry.source, score=0.0, matched_name=entry.name,
                         party_form=party.name, feature=_NAME_FEATURE, explanation=_NO_MATCH,
                         country_match=country_match)
    q, r, result = best
    explanations = result.explanations
    deciding = _deciding(explanations, config.weights)
    detail = explanations[deciding].detail if deciding in explanations else None
    return Candidate(entry_key=entry.key, source=entry.source, score=round(best_score, 4), matched_name=r.source,
                     party_form=q.text if q.feature else party.name, feature=q.feature or r.feature or deciding,
                     explanation=detail or _NO_MATCH, country_match=country_match)


def score(party: Party, entry: ListEntry) -> Candidate:
    """How well one party's name matches one list entry, with no threshold applied."""
    return _compare(party, _party_side(party), entry, _entry_forms(entry), _config())


def _block_keys(text: str, heard: dict[str, str] | None = None) -> set[str]:
    """The blocking keys of a form: each token as heard (`phonetic_key`, so that a katakana rendering's reading
    meets its original) and its trigrams; character bigrams of a token in Han or kana. `heard` memoises."""
    keys: set[str] = set()
    for token in text.split():
        if any(is_han(ch) or is_kana(ch) for ch in token):
            if len(token) == 1:
                keys.add(f"c:{token}")
            keys.update(f"c:{token[i:i + 2]}" for i in range(len(token) - 1))
            continue
        if heard is None:
            token = phonetic_key(token)
        else:
            key = heard.get(token)
            if key is None:
                key = heard[token] = phonetic_key(token)
            token = key
        keys.add(f"w:{token}")
        if len(token) >= 4:
            keys.update(f"g:{token[i:i + 3]}" for i in range(len(token) - 2))
    return keys


def _sort_key(candidate: Candidate) -> tuple[float, bool, str, str]:
    return (-candidate.score, candidate.country_match is not True, candidate.entry_key, candidate.source)


class Matcher:
    """The entries of the lists, indexed for screening parties against them."""

    def __init__(self, entries: Iterable[ListEntry], *, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self._entries: list[ListEntry] = []
        self._forms: list[tuple[_Form, ...]] = []
        index: dict[str, list[int]] = {}
        heard: dict[str, str] = {}
        for entry in entries:
            position = len(self._entries)
            self._entries.append(entry)
            forms = _entry_forms(entry)
            self._forms.append(forms)
            if entry.kind not in ("organization", "person", "unknown"):
                continue  # vessels and aircraft are never a party
            keys: set[str] = set()
            for form in forms:
                keys |= _block_keys(form.text, heard)
            for key in keys:
                index.setdefault(key, []).append(position)
        self._index = index
        self._frequent = max(50, int(len(self._entries) * _FREQUENT_SHARE))
        self._by_key = {(e.source, e.key): e for e in self._entries}

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, source: str, key: str) -> ListEntry | None:
        """The entry a candidate names (its `source` and `entry_key`), as the matcher was given it."""
        return self._by_key.get((source, key))

    def _block(self, party: Party, side: _Side) -> list[int]:
        keys: set[str] = set()
        for form in side.forms:
            keys |= _block_keys(form.text)
        postings = sorted(((self._index[k], k) for k in keys if k in self._index), key=lambda p: (len(p[0]), p[1]))
        total = len(self._entries)
        weights: dict[int, float] = {}
        for n, (positions, _key) in enumerate(postings):
            if len(positions) > self._frequent and n >= _RAREST_KEYS:
                break
            weight = math.log(1 + total / len(positions))
            for position in positions:
                weights[position] = weights.get(position, 0.0) + weight
        kinds = _SCREENED_KINDS[party.kind]
        eligible = ((w, p) for p, w in weights.items() if self._entries[p].kind in kinds)
        best = heapq.nsmallest(BLOCK_CANDIDATES, eligible,
                               key=lambda wp: (-wp[0], self._entries[wp[1]].key, self._entries[wp[1]].source))
        return [p for _, p in best]

    def screen(self, party: Party, *, limit: int = 10) -> list[Candidate]:
        """The entries whose score reaches the threshold, best first (ties: countries that meet first, then by
        entry key), at most `limit`."""
        side = _party_side(party)
        if not side.forms or limit <= 0:
            return []
        config = _config()
        found = []
        for position in self._block(party, side):
            candidate = _compare(party, side, self._entries[position], self._forms[position], config)
            if candidate.score >= self.threshold:
                found.append(candidate)
        found.sort(key=_sort_key)
        return found[:limit]
