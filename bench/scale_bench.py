"""Benchmark (not a test): a national portal of about 10,000 pages (SYNTHETIC), every target side by side.

    .venv/bin/python bench/scale_bench.py [--agencies 140] [--years 14] [--edits 3] [--out bench/scale-results.md]

In one run on the same SYNTHETIC portal (bench/synth.py, under .cache/bench-scale/), each in a fresh process:

1. a cold `portal build` (no record or chart cache) and a warm one, each rendering every page (a new folder);
2. the build again with nothing changed, and after one report changed (pages taken from the last build);
3. the same site built as two parts at once (`portal build --shard 1/2` and `2/2` in parallel, one per core),
   then `portal merge`, checked byte for byte against the one-process build;
4. plain MkDocs on the same pages (`portal export` output, charts drawn, no plugins): the engine's floor;
5. `portal serve`: edit-to-preview of one figure, the first build of the server; the same with
   `portal serve --agency` (only the edited agency's pages);
6. the search data a visitor downloads: the agency's shard plus the site's, gzip-compressed.

Each process's peak memory is the largest resident size of it and its workers. The load average is
written down before and after. Results go to the results file with the machine and versions.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "bench-scale"
sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402
from preview_bench import Server, _correct_figure  # noqa: E402

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}

# Run a command in a fresh process and report its wall time, the peak memory of it and its descendants, and the
# CPU time (user and system) they used: on 2 cores, a build can take no less than half its CPU time.
_WRAP = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - start, "mib": used.ru_maxrss / 1024,
                  "cpu": used.ru_utime + used.ru_stime}))
"""


def _start(*command: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _WRAP, *command], cwd=cwd, env=ENV,
                            stdout=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = process.communicate()
    if process.returncode:
        raise RuntimeError(f"{process.args!r} failed")
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def _run(*command: str, cwd: Path) -> dict[str, float]:
    return _finish(_start(*command, cwd=cwd))


def _portal(folder: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "generator.cli", "-f", str(folder / "mkdocs.yml"), "-q", *args]


def _project(agencies: int, years: int) -> Path:
    """Write the SYNTHETIC portal and a project around it (the repository's settings and hand-written pages)."""
    folder = WORK / f"{agencies}x{years}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    synth.write_portal(folder / "data", agencies, years)
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copytree(ROOT / "theme", folder / "theme")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config.pop("watch", None)
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _plain(folder: Path) -> dict[str, float]:
    """Build the pages `portal export --site` writes with MkDocs alone: same theme and navigation, no plugins."""
    plain = folder / "plain"
    shutil.rmtree(plain, ignore_errors=True)
    subprocess.run(_portal(folder, "export", "--site", str(plain)), cwd=ROOT, env=ENV, check=True)
    settings = yaml.safe_load((plain / "mkdocs.yml").read_text(encoding="utf-8"))
    settings["plugins"] = []  # not even MkDocs' default search: the portal's site has none either
    (plain / "mkdocs.yml").write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return _run(sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(plain / "mkdocs.yml"), cwd=plain)


def _search_bytes(site: Path) -> dict[str, int]:
    shards = json.loads((site / "search" / "index.json").read_text(encoding="utf-8"))["shards"]
    agencies = [s for s in shards if s["id"] != "site"]
    rest = next(s for s in shards if s["id"] == "site")
    return {
        "agency_max_gzip": max(s["gzip"] for s in agencies), "agency_median_gzip": int(statistics.median(
            s["gzip"] for s in agencies)), "agency_max_bytes": max(s["bytes"] for s in agencies),
        "site_gzip": rest["gzip"], "all_gzip": sum(s["gzip"] for s in shards),
        "manifest": (site / "search" / "index.json").stat().st_size,
    }


def _preview(folder: Path, report: Path, page: str, edits: int, *options: str) -> dict[str, Any]:
    server = Server(folder, *options)
    try:
        times = []
        for _step in range(edits):
            quote = _correct_figure(report, 1)  # a new value each time, as staff make: nothing of it is cached
            saved = time.monotonic()
            times.append(server.until(page, quote, limit=600) - saved)
            said = server.wait_built()
        peak = server.peak_mib()
    finally:
        server.close()
    return {"first": server.first, "times": times, "said": said, "mib": peak}


def main(argv: list[str] | None = None) -> int:
    """Generate the portal, run every measurement side by side and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=140)
    parser.add_argument("--years", type=int, default=14)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "scale-results.md")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    folder = _project(args.agencies, args.years)
    site = folder / "site"
    # Each build into `site` takes from the last one the pages whose inputs are unchanged; a build into a new
    # folder renders every page. Cold and warm are both measured rendering every page.
    cold = _run(*_portal(folder, "build", "-d", str(folder / "site-cold")), cwd=ROOT)
    shutil.rmtree(folder / "site-cold")
    print(f"cold {cold}", flush=True)
    warm = _run(*_portal(folder, "build"), cwd=ROOT)
    pages = sum(1 for _ in site.rglob("*.html"))
    print(f"warm {warm}", flush=True)
    unchanged = _run(*_portal(folder, "build"), cwd=ROOT)
    print(f"nothing changed {unchanged}", flush=True)
    reports = sorted((folder / "data" / "synth-001" / "reports").glob("*.yml"))
    report = reports[-1]
    _correct_figure(report, 1)
    edited = _run(*_portal(folder, "build"), cwd=ROOT)
    print(f"one report changed {edited}", flush=True)
    parts = [_start(*_portal(folder, "build", "--shard", f"{i}/2", "-d", str(folder / f"part{i}")), cwd=ROOT)
             for i in (1, 2)]
    started = time.perf_counter()
    part_results = [_finish(p) for p in parts]
    parallel = time.perf_counter() - started
    merge = _run(*_portal(folder, "merge", str(folder / "part1"), str(folder / "part2"), "-d",
                          str(folder / "merged")), cwd=ROOT)
    identical = _tree(folder / "merged") == _tree(site)
    print(f"parts {part_results} in {parallel:.1f} s, merge {merge}, identical {identical}", flush=True)
    plain = _plain(folder)
    print(f"plain MkDocs {plain}", flush=True)
    search = _search_bytes(site)
    weights = _page_bytes(site)
    page = f"synth-001/reports/{report.stem}/"
    preview = _preview(folder, report, page, args.edits)
    print(f"preview {preview}", flush=True)
    scoped = _preview(folder, report, page, args.edits, "--agency", report.parent.parent.name)
    print(f"preview of one agency {scoped}", flush=True)
    load_after = os.getloadavg()
    _write(args, pages, cold, warm, unchanged, edited, part_results, parallel, merge, identical, plain, search, preview,
           scoped, (load_before, load_after), weights)
    return 0


def _cpu(run: dict[str, float]) -> str:
    return f"CPU {run['cpu']:.0f} s ({run['cpu'] / run['seconds']:.2f} cores busy)"


def _page_bytes(site: Path) -> dict[str, Any]:
    """Return what a reader downloads for a page: the largest HTML page, the home and open-data pages, the median."""
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}
    largest = max(sizes, key=lambda path: (sizes[path], path))

    def gzipped(path: str) -> int:
        return len(gzip.compress((site / path).read_bytes(), 9, mtime=0))

    return {"largest": largest, "largest_bytes": sizes[largest], "largest_gzip": gzipped(largest),
            "home": sizes["index.html"], "opendata": sizes["opendata/index.html"],
            "median": int(statistics.median(sizes.values()))}


def _write(args: argparse.Namespace, pages: int, cold: dict[str, float], warm: dict[str, float],
           unchanged: dict[str, float], edited: dict[str, float], parts: list[dict[str, float]], parallel: float,
           merge: dict[str, float],
           identical: bool, plain: dict[str, float], search: dict[str, int], preview: dict[str, Any],
           scoped: dict[str, Any], load: tuple[tuple[float, ...], tuple[float, ...]], weights: dict[str, Any]) -> None:
    peak = max(cold["mib"], warm["mib"], unchanged["mib"], edited["mib"], *(p["mib"] for p in parts), merge["mib"],
               preview["mib"], scoped["mib"])
    median = statistics.median(preview["times"])
    rows = [
        ("cold build (no cache, every page rendered)", f"{cold['seconds']:.1f} s", "target ≤ 60 s",
         f"{cold['seconds'] / plain['seconds']:.2f} × plain MkDocs; {_cpu(cold)}"),
        ("warm build, every page rendered (new folder)", f"{warm['seconds']:.1f} s", "",
         f"{warm['seconds'] / plain['seconds']:.2f} × plain MkDocs; {_cpu(warm)}"),
        ("build again, nothing changed", f"{unchanged['seconds']:.1f} s", "", "pages taken from the last build"),
        ("build after one report changed", f"{edited['seconds']:.1f} s", "target ≤ 10 s",
         "the other pages taken from the last build"),
        ("two parts at once (--shard 1/2, 2/2), warm", f"{parallel:.1f} s",
         "", " / ".join(f"{p['seconds']:.1f} s" for p in parts) + " each"),
        ("merge of the two parts", f"{merge['seconds']:.1f} s", "",
         "byte-identical to the one-process build" if identical else "DIFFERENT from the one-process build"),
        ("plain MkDocs on the same pages (floor)", f"{plain['seconds']:.1f} s", "",
         f"peak {plain['mib']:.0f} MiB; {_cpu(plain)}"),
        ("`portal serve` edit to preview (median)", f"{median:.1f} s", "target ≤ 3 s",
         " / ".join(f"{t:.1f}" for t in preview["times"]) + f"; first build of the server {preview['first']:.0f} s"),
        ("`portal serve --agency synth-001` edit to preview (median)", f"{statistics.median(scoped['times']):.1f} s",
         "target ≤ 3 s", " / ".join(f"{t:.1f}" for t in scoped["times"])
         + f"; first build of the server {scoped['first']:.0f} s"),
        ("peak memory of any process", f"{peak:.0f} MiB", "target ≤ 1,024 MiB",
         f"cold {cold['mib']:.0f}, warm {warm['mib']:.0f}, nothing changed {unchanged['mib']:.0f}, "
         f"one report changed {edited['mib']:.0f}, parts "
         + " / ".join(f"{p['mib']:.0f}" for p in parts) + f", merge {merge['mib']:.0f}, plain MkDocs "
         f"{plain['mib']:.0f}, serve {preview['mib']:.0f}, serve --agency {scoped['mib']:.0f}"),
        ("search data to search one agency (gzip)",
         f"{(search['agency_max_gzip'] + search['site_gzip']) / 1e6:.3f} MB", "target ≤ 2 MB",
         f"largest agency shard {search['agency_max_gzip']:,} B gzip ({search['agency_max_bytes']:,} B raw), "
         f"median {search['agency_median_gzip']:,} B; site shard {search['site_gzip']:,} B; "
         f"all shards {search['all_gzip'] / 1e6:.1f} MB for portal-wide search"),
        ("largest HTML page", f"{weights['largest_bytes'] / 1e6:.2f} MB", "",
         f"`{weights['largest']}`, {weights['largest_gzip']:,} B gzip; home page {weights['home']:,} B, open-data "
         f"page {weights['opendata']:,} B, median page {weights['median']:,} B (raw)"),
    ]
    lines = [
        f"# Scale benchmark: {args.agencies} agencies × {args.years} years (SYNTHETIC data)", "",
        f"{time.strftime('%Y-%m-%d')}, `python bench/scale_bench.py --agencies {args.agencies} --years {args.years}`. "
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}. "
        f"Site: {pages:,} HTML pages. Load average (1/5/15 min) before {', '.join(f'{x:.2f}' for x in load[0])}, "
        f"after {', '.join(f'{x:.2f}' for x in load[1])}.", "",
        "| measurement | result | target | notes |", "| --- | --- | --- | --- |",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows), "",
        f"`portal serve` said after the last edit: {preview['said']}", "",
        f"`portal serve --agency` said after the last edit: {scoped['said']}", "",
    ]
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    notes = old[old.index("## Reading the numbers"):] if "## Reading the numbers" in old else ""
    args.out.write_text("\n".join(lines) + ("\n" + notes if notes else ""), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
