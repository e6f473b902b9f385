"""How much the IP-act determination costs on top of just validating its request.

Both run in this one process on the same inputs, and only the ratio is reported, so the figure means
the same on a slow or busy machine: `python bench/determinations.py` appends a line to bench/RESULTS.md.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.rules.ip_action import determine_ip_action
from service.rules.ip_models import IpActionRequest
from service.rules.reasons import render

BODIES = [
    {"action": "overseas_production", "planned_date": "2027-06-01", "forced_transfer_risk": True,
     "site": {"country": "VN", "new_site": False, "capacity_before": 0.3, "capacity_after": 0.34,
              "local_consumption_share": "17/20"}},
    {"action": "transfer", "planned_date": "2027-06-01", "commissioned": True, "obligation_period_end": "2030-03-31",
     "counterparty": {"name": "Sub Co.", "country": "CN", "relation": "subsidiary",
                      "foreign_government_influence": True}},
    {"action": "provide", "planned_date": "2031-06-01", "obligation_period_end": "2030-03-31",
     "counterparty": {"name": "Partner K.K.", "country": "JP"}},
]
AS_OF = date(2027, 3, 1)


def baseline(n: int) -> None:
    for i in range(n):
        IpActionRequest.model_validate(BODIES[i % 3])


def measured(n: int) -> None:
    for i in range(n):
        result = determine_ip_action(IpActionRequest.model_validate(BODIES[i % 3]), as_of=AS_OF)
        render(result.reasons, "ja")


def best_of(fn, n: int, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(n)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    n = 3000
    best_of(measured, 300, 2)  # warm-up
    base, meas = best_of(baseline, n), best_of(measured, n)
    ratio = meas / base
    line = (f"| {date.today().isoformat()} | ip-action determination + ja reasons vs request validation alone "
            f"| {ratio:.2f}x | {meas / n * 1e6:.0f} µs vs {base / n * 1e6:.0f} µs per call (median of 7 × {n}) |")
    print(line)
    results = Path(__file__).parent / "RESULTS.md"
    if not results.exists():
        results.write_text("# Benchmark results\n\nRatios against a baseline run in the same process.\n\n"
                           "| date | what | ratio | detail |\n|---|---|---|---|\n")
    with results.open("a") as f:
        f.write(line + "\n")


if __name__ == "__main__":
    main()
