"""How long screening takes over a list the size of the real ones, against a plain fuzzy scan.

`python bench/screening_speed.py` makes a 30,000-entry list (deterministic: Chinese, Russian, Middle-Eastern
and Hong Kong companies with acronyms, Chinese and Cyrillic aliases, and persons, as the Consolidated Screening
List has them) and adds the entries of the evaluation set (bench/screening/make_pairs.py). It times
`Matcher(...)` once, then `Matcher.screen()` of the evaluation set's parties against rapidfuzz's
`process.extract` (token_set_ratio over the same names, NFKC-folded, top 10), interleaved, and reports the
median per party. It also checks the blocking: of the labelled matches that `score()` finds on its own, how many
`screen()` finds among 30,000 entries. Appends one line to bench/RESULTS.md (`--no-write` only prints).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import unicodedata
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz, process

from bench.common import record
from bench.screening.make_pairs import ENTRIES
from bench.screening_eval import load
from service.rules.screening.entries import ListEntry
from service.rules.screening.matching import DEFAULT_THRESHOLD, Matcher, Party, score

PLACES = ["Beijing", "Shanghai", "Shenzhen", "Guangzhou", "Tianjin", "Chengdu", "Wuhan", "Xian", "Nanjing",
          "Hangzhou", "Harbin", "Dalian", "Qingdao", "Xiamen", "Suzhou", "Changsha", "Hefei", "Jinan", "Hong Kong",
          "Moscow", "Saint Petersburg", "Novosibirsk", "Yekaterinburg", "Kazan", "Tehran", "Isfahan", "Dubai",
          "Sharjah", "Istanbul", "Minsk", "Karachi", "Pyongyang", "Singapore", "Kuala Lumpur", "Tashkent"]
SYLLABLES = ["hua", "xin", "tian", "long", "feng", "sheng", "kai", "jin", "rui", "tai", "bo", "yuan", "heng",
             "da", "hong", "zhi", "wei", "an", "li", "xing", "mir", "tek", "avia", "tron", "kom", "prom", "neft",
             "gaz", "stal", "radio", "opto", "nano", "sar", "pars", "arya", "kav", "nur", "zar"]
SECTORS = ["Electronics", "Technology", "Trading", "Industrial", "Machinery", "Precision Instruments",
           "Aerospace", "Optoelectronics", "Semiconductor", "Logistics", "Import and Export", "Engineering",
           "Research Institute", "Materials", "Communication Equipment", "Defense Systems", "Shipping",
           "Chemical", "Software", "Investment"]
FORMS = ["Co., Ltd.", "Limited", "LLC", "JSC", "Corporation", "Group Co., Ltd.", "FZE", "Inc.", "", "OOO", "AO"]
CJK_PLACES = ["北京", "上海", "深圳", "广州", "天津", "成都", "武汉", "西安", "南京", "杭州", "哈尔滨", "大连"]
CJK_CHARS = "华新天龙丰盛凯金瑞泰博源恒达宏智伟安立兴光明远航通信电子科技"
CJK_SECTORS = ["电子", "科技", "贸易", "实业", "机械", "精密仪器", "航空", "光电", "半导体", "物流"]
CYRILLIC = str.maketrans({"a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и",
                          "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с",
                          "t": "т", "u": "у", "f": "ф", "h": "х", "c": "ц", "y": "ы"})
GIVEN = ["Wei", "Jun", "Hao", "Lei", "Ming", "Sergey", "Alexander", "Dmitry", "Igor", "Mohammad", "Ali", "Reza",
         "Hossein", "Kim", "Yong", "Chol", "Ivan", "Oleg", "Yuri", "Mehdi"]
FAMILY = ["Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Ivanov", "Petrov", "Smirnov", "Kuznetsov", "Hosseini",
          "Rezaei", "Ahmadi", "Karimi", "Pak", "Ri", "Choe", "Sokolov", "Volkov", "Zhao"]


def synthetic(n: int, seed: int = 13) -> list[ListEntry]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if rng.random() < 0.2:
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            middle = rng.choice(GIVEN) + "ovich" if rng.random() < 0.3 else ""
            out.append(ListEntry(key=f"syn-{i}", source="csl", kind="person", name=f"{given} {family}",
                                 aliases=tuple(a for a in (f"{family}, {given} {middle}".strip(),) if a),
                                 countries=(rng.choice(["CN", "RU", "IR", "KP"]),)))
            continue
        place = rng.choice(PLACES)
        core = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        sector = rng.choice(SECTORS)
        form = rng.choice(FORMS)
        name = " ".join(p for p in (place, core, sector, form) if p)
        aliases = [" ".join(p for p in (core, sector) if p)]
        if rng.random() < 0.4:
            aliases.append("".join(w[0] for w in (place + " " + core + " " + sector).split()).upper())
        if rng.random() < 0.15:
            aliases.append(rng.choice(CJK_PLACES) + "".join(rng.choice(CJK_CHARS) for _ in range(2))
                           + rng.choice(CJK_SECTORS) + "有限公司")
        if rng.random() < 0.1:
            aliases.append("ООО " + core.lower().translate(CYRILLIC))
        country = {"Hong Kong": "HK", "Dubai": "AE", "Sharjah": "AE", "Istanbul": "TR", "Minsk": "BY",
                   "Karachi": "PK", "Pyongyang": "KP", "Singapore": "SG", "Kuala Lumpur": "MY",
                   "Tashkent": "UZ"}.get(place)
        if country is None:
            country = "RU" if place in PLACES[19:24] else "IR" if place in ("Tehran", "Isfahan") else "CN"
        out.append(ListEntry(key=f"syn-{i}", source="csl", name=name, aliases=tuple(aliases), countries=(country,)))
    return out


def evaluation_entries() -> list[ListEntry]:
    return [ListEntry(key=key, source="eul", kind=kind, name=name, aliases=aliases, countries=(country,))
            for key, (name, aliases, country, kind) in ENTRIES.items()]


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parties", type=int, default=60, help="parties timed per round")
    parser.add_argument("--no-write", action="store_true", help="print only; do not append to bench/RESULTS.md")
    args = parser.parse_args()

    entries = synthetic(args.entries - len(ENTRIES)) + evaluation_entries()
    names = sum(len(e.names) for e in entries)
    started = time.perf_counter()
    matcher = Matcher(entries)
    build = time.perf_counter() - started
    started = time.perf_counter()
    choices = [fold(n) for e in entries for n in e.names]
    base_build = time.perf_counter() - started
    print(f"{len(entries)} entries, {names} names: Matcher built in {build:.1f} s "
          f"(rapidfuzz's folded name list: {base_build:.2f} s)")

    rows = load()
    parties = [Party(name=r["party_name"], country=r["party_country"] or None, kind=r["kind"]) for r in rows]
    sample = parties[:: max(1, len(parties) // args.parties)][: args.parties]
    matcher.screen(sample[0])  # warm-up: the libraries' lazy data (person names, readings)
    ours: list[float] = []
    base: list[float] = []
    for round_ in range(args.rounds):
        for i, party in enumerate(sample):
            order = (0, 1) if (i + round_) % 2 == 0 else (1, 0)
            for which in order:
                t = time.perf_counter()
                if which == 0:
                    matcher.screen(party)
                else:
                    process.extract(fold(party.name), choices, scorer=fuzz.token_set_ratio, limit=10)
                (ours if which == 0 else base).append(time.perf_counter() - t)
    ours_ms, base_ms = statistics.median(ours) * 1e3, statistics.median(base) * 1e3
    print(f"screen(): median {ours_ms:.1f} ms, p90 {statistics.quantiles(ours, n=10)[-1] * 1e3:.1f} ms; "
          f"rapidfuzz process.extract: median {base_ms:.1f} ms ({len(sample)} parties x {args.rounds} rounds)")

    by_key = {e.key: e for e in entries}
    found = wanted = 0
    lost = []
    for row, party in zip(rows, parties, strict=True):
        if row["label"] != "match":
            continue
        entry = by_key[row["entry_key"]]
        if score(party, entry).score < DEFAULT_THRESHOLD:
            continue
        wanted += 1
        if any(c.entry_key == entry.key for c in matcher.screen(party, limit=50)):
            found += 1
        else:
            lost.append(row["party_name"])
    print(f"blocking: screen() over {len(entries)} entries finds {found} of the {wanted} labelled matches that "
          f"score() finds on its own" + (f"; lost: {lost}" if lost else ""))

    line = (f"| {date.today().isoformat()} | screening: Matcher.screen() of one party over {len(entries)} entries "
            f"({names} names) vs rapidfuzz process.extract (token_set_ratio, top 10) over the same names "
            f"| {ours_ms / base_ms:.2f}x | {ours_ms:.1f} vs {base_ms:.1f} ms per party (median of {args.rounds} "
            f"interleaved rounds x {len(sample)} parties); Matcher built in {build:.1f} s; blocking keeps "
            f"{found}/{wanted} of score()'s matches |")
    record([line], write=not args.no_write)


if __name__ == "__main__":
    main()
