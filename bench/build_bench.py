"""Benchmark (not a test): build a SYNTHETIC portal of N agencies x M years and time every stage.

    .venv/bin/python bench/build_bench.py [--agencies 30] [--years 14] [--out bench/build-results.md]

It writes the synthetic data (bench/synth.py) under .cache/bench/, then measures, each in a fresh process:

1. `portal check`, cold (no cache) and warm, five times each (best and median);
2. a cold `portal build` (no chart or record cache), split into loading and checking, generating pages,
   drawing charts, and MkDocs itself, with the peak memory of the build process and its workers;
3. the same build again with nothing changed (it must draw no chart);
4. the build after one report changed (it must redraw only that report's charts and the indicator
   series it feeds);
5. the floor: MkDocs alone on the same pages exported as plain Markdown with the charts already drawn.

It prints one table and writes it, with the machine and versions, to the results file.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "bench"
NOTES = "## Reading the numbers"


def _config(folder: Path, data: Path, docs: Path, plugin: bool, nav: list[object] | None = None) -> Path:
    """Write an mkdocs.yml like the repository's for `data` (or, without the plugin, for plain pages)."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(docs)
    config["theme"]["custom_dir"] = str(ROOT / "theme")
    config["site_dir"] = str(folder / "site")
    config.pop("watch", None)
    if plugin:
        for entry in config["plugins"]:
            if isinstance(entry, dict) and "portal" in entry:
                entry["portal"]["data_dir"] = str(data)
    else:
        config["plugins"] = ["search"]
        config["nav"] = nav
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# The measuring process: run one build with the generator's stages timed (python build_bench.py --measure CONFIG).
_MEASURE = r"""
import json, resource, sys, time
from pathlib import Path
import generator.charts, generator.pages, generator.assemble, generator.mkdocs_plugin, generator.build as build
times = {"load": 0.0, "generate": 0.0, "charts": 0.0}
def timed(name, func):
    def run(*args, **kwargs):
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            times[name] += time.perf_counter() - start
    return run
# Charts are drawn in workers while pages are written: time only what the build waits for them.
for name in ("__init__", "finish"):
    setattr(generator.charts.Drawing, name, timed("charts", getattr(generator.charts.Drawing, name)))
for module in (build, generator.mkdocs_plugin):
    module.load_portal = timed("load", module.load_portal)
    module.generate = timed("generate", module.generate)
start = time.perf_counter()
published = build.build(Path(sys.argv[1]))
target, site = published.target, published.site
total = time.perf_counter() - start
times["generate"] -= times["charts"]
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN)
workers, worker_cpu = children.ru_maxrss, children.ru_utime + children.ru_stime
print(json.dumps({**times, "total": total, "pages": len(site.pages()), "chart_count": len(site.charts),
                  "drawn": site.stats.drawn, "drawn_files": site.stats.drawn_files,
                  "peak_mib": own / 1024, "worker_peak_mib": workers / 1024, "worker_cpu": worker_cpu}))
"""


def _measure(config: Path) -> dict[str, Any]:
    """Run one timed build in a fresh process and return its numbers."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(config)], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _timed_run(*command: str) -> tuple[float, float]:
    """Run a command; return its wall time in seconds and its peak memory in MiB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True,
                   env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
    return time.perf_counter() - start, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def main(argv: list[str] | None = None) -> int:
    """Generate the synthetic portal, run every measurement and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=30)
    parser.add_argument("--years", type=int, default=14)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "build-results.md")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    shutil.rmtree(WORK, ignore_errors=True)
    data, folder = WORK / "data", WORK / "portal"
    folder.mkdir(parents=True)
    counts = synth.write_portal(data, args.agencies, args.years)
    config = _config(folder, data, ROOT / "content", plugin=True)
    portal = [sys.executable, "-m", "generator.cli", "-q", "-f", str(config)]

    rows: list[tuple[str, str, str]] = []
    # `portal check` is short and this VM's speed drifts: time it 5 times each way, report the best and median.
    cold_runs, warm_runs = [], []
    for _ in range(5):
        shutil.rmtree(folder / ".cache", ignore_errors=True)
        cold_runs.append(_timed_run(*portal, "check", "--data", str(data))[0])
        warm_runs.append(_timed_run(*portal, "check", "--data", str(data))[0])
    check_cold, check_warm = min(cold_runs), min(warm_runs)
    shutil.rmtree(folder / ".cache")
    cold = _measure(config)
    warm = _measure(config)
    report = data / "synth-001" / "reports" / f"{100 + args.years - 1}-h2.yml"
    edited = _edit_and_measure(report, config)

    export = WORK / "export"
    subprocess.run([*portal, "export", str(export), "--data", str(data)], cwd=ROOT, check=True)
    shutil.copytree(ROOT / "content", export, dirs_exist_ok=True)
    nav = _nav(config)
    plain = WORK / "plain"
    plain.mkdir()
    floor_config = _config(plain, data, export, plugin=False, nav=nav)
    floor, floor_peak = _timed_run(sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(floor_config))

    total = float(cold["total"])
    own = sum(float(cold[s]) for s in ("load", "generate", "charts"))
    warm_total = float(warm["total"])
    warm_own = sum(float(warm[s]) for s in ("load", "generate", "charts"))
    peak = max(float(cold["peak_mib"]), float(cold["worker_peak_mib"]))
    rows += [
        ("`portal check`, no cache", f"{check_cold:.2f} s",
         f"target < 2 s; best of 5, median {statistics.median(cold_runs):.2f} s"),
        ("`portal check`, cache warm", f"{check_warm:.2f} s",
         f"target < 2 s; best of 5, median {statistics.median(warm_runs):.2f} s"),
        ("cold build: load and check", f"{cold['load']:.1f} s", ""),
        ("cold build: generate pages", f"{cold['generate']:.1f} s",
         f"{cold['pages']} generated pages, written while the charts are drawn"),
        ("cold build: waiting for charts", f"{cold['charts']:.1f} s",
         f"{cold['drawn']} charts drawn (SVG + PNG) in workers, {float(cold['worker_cpu']):.1f} CPU-s"),
        ("cold build: MkDocs", f"{total - own:.1f} s", ""),
        ("cold build: total", f"{total:.1f} s", f"generator's share {own / total:.0%} (target ≤ 15%)"),
        ("cold build: peak memory", f"{peak:.0f} MiB", "target < 1 GiB (largest of build process and workers)"),
        ("second build, nothing changed: total", f"{warm_total:.1f} s",
         f"{warm['drawn']} charts drawn (target 0); generator's share {warm_own / warm_total:.0%}"),
        ("build after one report changed: total", f"{float(edited['total']):.1f} s",
         f"{edited['drawn']} charts drawn: " + ", ".join(str(f) for f in edited["drawn_files"])),
        ("floor: MkDocs alone on the same pages, charts pre-drawn", f"{floor:.1f} s",
         f"full cold build / floor = {total / floor:.2f}; second build / floor = {warm_total / floor:.2f}"),
        ("floor: peak memory", f"{floor_peak:.0f} MiB", ""),
    ]
    table = ["| measurement | result | notes |", "| --- | --- | --- |"]
    table += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    header = [
        f"# Build benchmark: {args.agencies} agencies × {args.years} years (SYNTHETIC data)",
        "",
        f"{time.strftime('%Y-%m-%d', time.gmtime())}, `python bench/build_bench.py --agencies {args.agencies} "
        f"--years {args.years}`. Machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}. Data: {counts['files']} YAML files, {counts['bytes'] / 1e6:.1f} MB, "
        f"{counts['figures']} figures.",
        "",
    ]
    text_out = "\n".join(header + table) + "\n"
    print(text_out)
    kept = ""  # the hand-written reading of the numbers below the table survives a re-run
    if args.out.exists() and NOTES in (old := args.out.read_text(encoding="utf-8")):
        kept = "\n" + old[old.index(NOTES):]
    args.out.write_text(text_out + kept, encoding="utf-8")
    return 0


def _edit_and_measure(report: Path, config: Path) -> dict[str, Any]:
    """Add 1 to one breakdown part and take 1 from another in one report, rebuild, and put the file back."""
    original = report.read_text(encoding="utf-8")
    record = yaml.safe_load(original)
    figure = next(f for c in record["chapters"] for s in c["sections"] for f in s.get("figures", [])
                  if f.get("breakdowns"))
    first, second = figure["breakdowns"][0]["parts"][:2]
    edited = original
    for part, delta in ((first, 1), (second, -1)):
        old, new = part["value"], part["value"] + delta
        quote = part["quote"]
        edited = edited.replace(quote, quote.replace(str(old), str(new)))
        edited = edited.replace(f"value: {old}\n{' ' * 20}unit: {part['unit']}\n{' ' * 20}quote: "
                                f"{quote.replace(str(old), str(new))}",
                                f"value: {new}\n{' ' * 20}unit: {part['unit']}\n{' ' * 20}quote: "
                                f"{quote.replace(str(old), str(new))}")
    report.write_text(edited, encoding="utf-8")
    try:
        return _measure(config)
    finally:
        report.write_text(original, encoding="utf-8")


def _nav(config: Path) -> list[object]:
    """Return the navigation the plugin gives MkDocs, for the plain build."""
    from mkdocs.config import load_config

    loaded = load_config(str(config))
    loaded.plugins.on_config(loaded)
    return list(loaded.nav or [])


if __name__ == "__main__":
    sys.exit(main())
