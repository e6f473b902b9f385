"""How well the screening matcher tells the labelled pairs apart, against a plain fuzzy baseline.

`python bench/screening_eval.py` scores every pair of bench/screening/pairs.csv with `score()` (tlc:
followthemoney entities, nomenklatura's LogicV2, rigour, Japanese and Chinese readings) at DEFAULT_THRESHOLD,
and side by side with rapidfuzz's `fuzz.token_set_ratio` on NFKC-folded, casefolded names (the best over the
list's name and aliases) at 90, and at the baseline's own best threshold on this same set (said as such).
It prints precision, recall and F1, the recall of each category (the share rejected, for the no_match ones)
and the threshold sweep the default was chosen from, and appends one line per comparison to bench/RESULTS.md
(`--no-write` only prints). Quality, not time: the speed is bench/screening_speed.py.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import unicodedata
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz

from bench.common import record
from service.rules.screening.entries import ListEntry
from service.rules.screening.matching import DEFAULT_THRESHOLD, Party, score

PAIRS = Path(__file__).resolve().parent / "screening" / "pairs.csv"
BASELINE_THRESHOLD = 90


def load() -> list[dict[str, str]]:
    with PAIRS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def baseline_score(row: dict[str, str]) -> float:
    names = [row["list_name"], *[a for a in row["list_aliases"].split("|") if a]]
    party = fold(row["party_name"])
    return max(fuzz.token_set_ratio(party, fold(name)) for name in names)


def our_score(row: dict[str, str]) -> float:
    entry = ListEntry(key=row["entry_key"], source="csl", kind=row["kind"], name=row["list_name"],
                      aliases=tuple(a for a in row["list_aliases"].split("|") if a),
                      countries=(row["list_country"],) if row["list_country"] else ())
    party = Party(name=row["party_name"], country=row["party_country"] or None, kind=row["kind"])
    return score(party, entry).score


def prf(rows: list[dict[str, str]], scores: list[float], threshold: float) -> tuple[float, float, float]:
    tp = sum(1 for r, s in zip(rows, scores, strict=True) if s >= threshold and r["label"] == "match")
    fp = sum(1 for r, s in zip(rows, scores, strict=True) if s >= threshold and r["label"] != "match")
    fn = sum(1 for r, s in zip(rows, scores, strict=True) if s < threshold and r["label"] == "match")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def by_category(rows: list[dict[str, str]], scores: list[float], threshold: float) -> dict[str, tuple[int, int]]:
    """Per category: (right, all): matches found for a match category, pairs rejected for a no_match one."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r, s in zip(rows, scores, strict=True):
        right = (s >= threshold) == (r["label"] == "match")
        out[r["category"]][0] += int(right)
        out[r["category"]][1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def best_threshold(rows: list[dict[str, str]], scores: list[float], candidates: list[float]) -> float:
    # highest F1; among equals the lowest threshold (screening would rather show one more candidate)
    return max(candidates, key=lambda t: (round(prf(rows, scores, t)[2], 6), -t))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-write", action="store_true", help="print only; do not append to bench/RESULTS.md")
    args = parser.parse_args()
    rows = load()
    started = time.perf_counter()
    ours = [our_score(r) for r in rows]
    ours_seconds = time.perf_counter() - started
    base = [baseline_score(r) for r in rows]
    matches = sum(1 for r in rows if r["label"] == "match")

    base_best = best_threshold(rows, base, [float(t) for t in range(50, 101)])
    systems = [
        (f"tlc score() at DEFAULT_THRESHOLD {DEFAULT_THRESHOLD}", ours, DEFAULT_THRESHOLD),
        (f"rapidfuzz token_set_ratio >= {BASELINE_THRESHOLD}", base, float(BASELINE_THRESHOLD)),
        (f"rapidfuzz token_set_ratio >= {base_best:.0f} (its best threshold on this set)", base, base_best),
    ]
    print(f"{len(rows)} pairs ({matches} match, {len(rows) - matches} no_match); tlc scored them in "
          f"{ours_seconds:.1f} s")
    print(f"\n{'system':<72} {'P':>6} {'R':>6} {'F1':>6}")
    results = []
    for name, scores, threshold in systems:
        p, r, f = prf(rows, scores, threshold)
        results.append((p, r, f))
        print(f"{name:<72} {p:6.3f} {r:6.3f} {f:6.3f}")

    cats = [by_category(rows, scores, threshold) for _, scores, threshold in systems]
    print(f"\n{'category (recall; share rejected for near_miss_*)':<52} {'n':>4} {'tlc':>7} {'base@90':>8} "
          f"{'base@best':>9}")
    for category in sorted(cats[0]):
        n = cats[0][category][1]
        cells = " ".join(f"{c[category][0] / n:>7.2f}" for c in cats)
        print(f"{category:<52} {n:>4} {cells}")

    print("\ntlc threshold sweep (P / R / F1):")
    sweep = [round(0.70 + i / 100, 2) for i in range(26)]
    for t in sweep:
        p, r, f = prf(rows, ours, t)
        print(f"  {t:.2f}: {p:.3f} / {r:.3f} / {f:.3f}")
    print(f"best F1 on the sweep at {best_threshold(rows, ours, sweep):.2f}")

    misses = [(r, s) for r, s in zip(rows, ours, strict=True) if (s >= DEFAULT_THRESHOLD) != (r["label"] == "match")]
    print(f"\ntlc's {len(misses)} wrong answers at {DEFAULT_THRESHOLD}:")
    for r, s in misses:
        print(f"  {r['category']:<20} {r['label']:<8} {s:.3f}  {r['party_name']!r} ({r['party_country']}) vs "
              f"{r['list_name']!r} ({r['list_country']})")

    (p0, r0, f0), (p1, r1, f1), (p2, r2, f2) = results
    today = date.today().isoformat()
    lines = [
        f"| {today} | screening name matching, {len(rows)} labelled pairs: tlc score() at {DEFAULT_THRESHOLD} vs "
        f"rapidfuzz token_set_ratio >= {BASELINE_THRESHOLD} (F1 ratio) | {f0 / f1:.2f}x | P/R/F1 {p0:.3f}/{r0:.3f}/"
        f"{f0:.3f} vs {p1:.3f}/{r1:.3f}/{f1:.3f} |",
        f"| {today} | the same vs rapidfuzz token_set_ratio >= {base_best:.0f}, the baseline's own best threshold "
        f"on this set (F1 ratio) | {f0 / f2:.2f}x | P/R/F1 {p0:.3f}/{r0:.3f}/{f0:.3f} vs "
        f"{p2:.3f}/{r2:.3f}/{f2:.3f} |",
    ]
    print()
    record(lines, write=not args.no_write)


if __name__ == "__main__":
    main()
