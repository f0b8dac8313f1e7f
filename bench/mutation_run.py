"""Damage the real data files many times and check every verdict: the long run of tests/test_mutations.py.

    .venv/bin/python bench/mutation_run.py [--examples 5000] [--seed 1]

Writes how many damaged copies were judged, how many passed and how many got located problems, to
bench/mutation-results.md. A broken promise stops the run with hypothesis' smallest failing example.
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from mutate import Damage, damages, verdict  # noqa: E402


def main() -> None:
    """Run the damage and write the counts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    counts: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()

    @seed(args.seed)
    @settings(max_examples=args.examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(damages, min_size=1, max_size=3))
    def judge(damage: list[Damage]) -> None:
        counts[verdict(damage)] += 1
        kinds.update(one.kind for one in damage)

    started = time.perf_counter()
    judge()
    seconds = time.perf_counter() - started
    total = sum(counts.values())
    load = os.getloadavg()
    report = "\n".join([
        "# Damaged data: every copy gets a verdict",
        "",
        f"`bench/mutation_run.py --examples {args.examples} --seed {args.seed}`: {total:,} damaged copies "
        f"of `data/` judged in {seconds:.0f} s ({os.cpu_count()} cores, load average {load[0]:.2f} at the end), "
        "no broken promise.",
        "",
        "| verdict | copies |",
        "| --- | --- |",
        *(f"| {name} | {count:,} |" for name, count in sorted(counts.items())),
        "",
        "| damage | times applied |",
        "| --- | --- |",
        *(f"| {name} | {count:,} |" for name, count in sorted(kinds.items())),
        "",
    ])
    (ROOT / "bench" / "mutation-results.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
