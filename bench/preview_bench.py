"""Measure `portal serve` edit-to-preview on the real data and on a SYNTHETIC 10 x 14 portal, side by side.

    python bench/preview_bench.py [--agencies 10] [--years 14] [--edits 5] [--out bench/preview-results.md]

Each portal is copied into .cache/bench-preview/, a real `portal serve` process is started on it, and a staff
edit is made several times: one figure corrected (value, quote and the sentence that quotes it). The time is
taken from the save until the changed page is served with the new number, which is what the person waiting in
the browser sees (the file watcher, the rebuild and the write). A broken save (a YAML syntax mistake) and its
fix are timed the same way, until the problems page lists it and until it is gone.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "bench-preview"
sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402


def _project(name: str, data: Path | None) -> Path:
    """Copy the repository's site settings and the given data (or the real data) into a fresh folder."""
    folder = WORK / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copytree(ROOT / "theme", folder / "theme")
    if data is None:
        shutil.copytree(ROOT / "data", folder / "data")
    else:
        data.rename(folder / "data")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config.pop("watch", None)
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


class Server:
    """A `portal serve` process and what it prints."""

    def __init__(self, folder: Path, *options: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "serve", "-a", f"127.0.0.1:{self.port}", *options], cwd=folder,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        # The server generates a whole build's pages in a child process: its memory is sampled while it lives.
        self.peak = 0.0
        self.sampling = threading.Thread(target=self._sample, daemon=True)
        self.sampling.start()
        self.wait_built()
        self.until("", "</html>")  # the watcher starts with the server, after the first build
        self.first = time.monotonic() - started

    def wait_built(self) -> str:
        """Return the next 預覽已更新 line."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("預覽已更新"):
                return line.strip()
        raise RuntimeError("portal serve ended")

    def until(self, path: str, wanted: str, limit: float = 120) -> float:
        """Poll a page until it contains `wanted`; return when that happened (monotonic)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{path}", timeout=5) as answer:
                    if wanted in answer.read().decode("utf-8", "replace"):
                        return time.monotonic()
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{path} never showed {wanted}")

    def peak_mib(self) -> float:
        """Return the peak resident memory of the server or any of its child processes so far (Linux), in MiB.

        0 where it cannot be read. A child's peak is read every 0.1 s while it lives.
        """
        return max(self.peak, _peak_mib(self.process.pid))

    def _sample(self) -> None:
        while self.process.poll() is None:
            for pid in _descendants(self.process.pid):
                self.peak = max(self.peak, _peak_mib(pid))
            time.sleep(0.1)

    def close(self) -> None:
        """Stop the server."""
        self.process.terminate()
        self.process.wait(timeout=30)


def _peak_mib(pid: int) -> float:
    """Return a process's peak resident memory (VmHWM) in MiB, or 0 where it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0.0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found[1]) / 1024 if found else 0.0


def _descendants(pid: int) -> list[int]:
    """Return a process and every process below it (Linux), as far as they can be read."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(child) for child in task.read_text(encoding="ascii").split())
            except OSError:
                continue
    return found


def _correct_figure(report: Path, step: int) -> str:
    """Change the report's first figure by `step` (value, its quote and the sentence quoting it); return the quote."""
    text = report.read_text(encoding="utf-8")
    found = re.search(r"^( +)value: (\d+)\n((?:\1\w+: .*\n)*?)\1quote: (.*)$", text, re.M)
    assert found, f"no figure with a quote in {report}"
    value, quote = found[2], found[4]
    new_value = str(int(value) + step)
    new_quote = quote.replace(value, new_value, 1)
    body = text[:found.start()] + found[0].replace(f"value: {value}", f"value: {new_value}", 1) + text[found.end():]
    report.write_text(body.replace(quote, new_quote), encoding="utf-8")
    return new_quote


def _measure(name: str, folder: Path, report: Path, page: str, edits: int) -> dict[str, str]:
    """Start `portal serve`, correct a figure `edits` times, then break and fix the YAML; return the timings."""
    server = Server(folder)
    try:
        times, rebuilt = [], []
        for _step in range(edits):
            quote = _correct_figure(report, 1)  # a new value each time, as staff make: nothing of it is cached
            saved = time.monotonic()
            times.append(server.until(page, quote) - saved)
            rebuilt.append(server.wait_built())
        good = report.read_text(encoding="utf-8")
        report.write_text(good.replace("\n  ", "\n\u3000", 1), encoding="utf-8")  # a full-width space
        saved = time.monotonic()
        broken = server.until("problems/", "全形空格") - saved
        server.wait_built()
        report.write_text(good, encoding="utf-8")
        saved = time.monotonic()
        fixed = server.until("problems/", "資料沒有問題") - saved
        server.wait_built()
    finally:
        server.close()
    pages = sum(1 for _ in (folder / "data").rglob("*.yml"))
    return {
        "portal": name, "files": str(pages), "first build": f"{server.first:.1f} s",
        "edit to preview (median)": f"{statistics.median(times):.2f} s",
        "edit to preview (all)": " / ".join(f"{t:.2f}" for t in times),
        "broken save shown": f"{broken:.2f} s", "fix shown": f"{fixed:.2f} s",
        "server said": rebuilt[-1],
    }


def main(argv: list[str] | None = None) -> int:
    """Measure both portals in one run and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=10)
    parser.add_argument("--years", type=int, default=14)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "preview-results.md")
    args = parser.parse_args(argv)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    load_before = os.getloadavg()
    real = _project("real", None)
    real_report = sorted((real / "data").rglob("reports/*.yml"))[-1]
    rows = [_measure("real data (高雄市政府政風處)", real, real_report,
                     f"{real_report.parent.parent.name}/reports/{real_report.stem}/", args.edits)]
    synth.write_portal(WORK / "synth-data", args.agencies, args.years)
    big = _project("synthetic", WORK / "synth-data")
    big_report = sorted((big / "data" / "synth-001" / "reports").glob("*.yml"))[-1]
    rows.append(_measure(f"SYNTHETIC {args.agencies} × {args.years}", big, big_report,
                         f"synth-001/reports/{big_report.stem}/", args.edits))
    load_after = os.getloadavg()
    keys = list(rows[0])
    lines = [
        "# Preview benchmark: `portal serve` edit-to-preview", "",
        f"{time.strftime('%Y-%m-%d')}, `python bench/preview_bench.py --agencies {args.agencies} --years {args.years}"
        f" --edits {args.edits}`. Machine: {os.cpu_count()} cores, {platform.machine()}, Python"
        f" {platform.python_version()}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after.", "",
        "| " + " | ".join(keys) + " |", "| " + " | ".join("---" for _ in keys) + " |",
    ]
    lines += ["| " + " | ".join(row[k] for k in keys) + " |" for row in rows]
    lines += ["", "Targets (issue 15): edit-to-preview ≤ 2 s on the real data and ≤ 5 s at 10 × 14.", ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
