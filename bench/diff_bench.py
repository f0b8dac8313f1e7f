"""Time `portal diff` against an earlier revision of the generator, side by side in one run.

    .venv/bin/python bench/diff_bench.py [--baseline REV] [--rounds 15]

The baseline is checked out as a git worktree under .cache/bench/ and run from there (its own
`generator` package first on the path), on this repository's real data, alternating with the current code
so that machine load falls on both alike. Two numbers per side: the time to import what `portal diff` needs
(its start-up), and the whole `portal diff HEAD` command. Results go to bench/diff-results.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What `portal diff` imports before it reads any data, in the old layout and in the new one.
STARTUP = {
    "baseline": "import generator.cli, generator.workflow",
    "current": "import generator.cli, generator.review",
}


def _worktree(rev: str) -> Path:
    """Check out `rev` once under .cache/bench/ and return its folder."""
    folder = ROOT / ".cache" / "bench" / f"baseline-{rev}"
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=True)  # a deleted .cache/ leaves a stale entry
        subprocess.run(["git", "worktree", "add", "--detach", str(folder), rev], cwd=ROOT, check=True,
                       capture_output=True)
    return folder


def _seconds(command: list[str], tree: Path) -> float:
    """Run `command` with `tree`'s generator package first on the path; return its wall time."""
    env = {**os.environ, "PYTHONPATH": str(tree), "SOURCE_DATE_EPOCH": "1700000000"}
    started = time.perf_counter()
    subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    """Measure both sides alternately and write the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default="29aef6e", help="revision to compare with (before the restructuring)")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    trees = {"baseline": _worktree(args.baseline), "current": ROOT}
    for side, tree in trees.items():  # the same package must be the one imported
        found = subprocess.run([sys.executable, "-c", "import generator; print(generator.__file__)"], cwd=tree,
                               env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True).stdout
        assert found.startswith(str(tree)), (side, found)
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for side, tree in trees.items():
            times.setdefault((side, "start-up"), []).append(_seconds([sys.executable, "-c", STARTUP[side]], tree))
            diff = [sys.executable, "-m", "generator.cli", "diff", "HEAD"]
            times.setdefault((side, "diff"), []).append(_seconds(diff, tree))
    load = os.getloadavg()
    rows = []
    for what in ("start-up", "diff"):
        base, now = (statistics.median(times[(side, what)]) for side in trees)
        best_base, best_now = (min(times[(side, what)]) for side in trees)
        rows.append(f"| {what} | {base:.3f} s (best {best_base:.3f}) | {now:.3f} s (best {best_now:.3f}) "
                    f"| {now / base:.2f} |")
    report = "\n".join([
        "# `portal diff` start-up, before and after the restructuring",
        "",
        f"Measured by `bench/diff_bench.py --baseline {args.baseline} --rounds {args.rounds}` on the real data, "
        f"both sides alternating in one run; {os.cpu_count()} cores, load average {load[0]:.2f} / {load[1]:.2f} "
        f"/ {load[2]:.2f} at the end. Medians of {args.rounds} runs, best in brackets.",
        "",
        "- start-up: a fresh Python importing what `portal diff` needs before it reads any data;",
        "- diff: the whole `portal diff HEAD` (git archive, loading both versions of `data/`, comparing).",
        "",
        f"| what | baseline ({args.baseline}) | current | current / baseline |",
        "| --- | --- | --- | --- |",
        *rows,
        "",
    ])
    (ROOT / "bench" / "diff-results.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
