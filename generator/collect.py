"""Find every data file, check each one (cached, in parallel when there are many) and assemble the Portal."""
from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing
import os
import pickle
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .errors import DataError, Problem
from .load import Document
from .model import PERIODS, Agency, AgencyData, Indicator, Indicators, Plan, Portal, Sourced
from .validate import KINDS, _document, _read, check_serves

log = logging.getLogger("generator")
# Check files in worker processes only when there are enough of them to pay for starting the workers.
PARALLEL_FROM = 100
_AGENCY_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def load_portal(
    data_dir: Path, display_root: Path | None = None, *, keep_reports: bool = True, cache_dir: Path | None = None
) -> Portal:
    """Load and check every record under `data_dir`; raise DataError listing all problems.

    With keep_reports=False the reports are checked but not returned (faster when only checking).
    With a `cache_dir`, a plan or report file that passed before is not read again while its bytes,
    its agency's indicators and the checking code are unchanged.
    """
    # Hundreds of thousands of YAML nodes and no reference cycles: the cycle collector would only
    # rescan them over and over (a third of the time for a large portal). Reference counting frees them.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_portal(data_dir, display_root, keep_reports, cache_dir)
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class _Job:
    """One plan or report file to check, with its agency's indicator catalogue."""

    path: Path
    display: str
    kind: str
    catalogue: dict[str, Indicator] | None
    keep: bool
    cache: Path | None
    catalogue_key: str


@cache
def code_version() -> str:
    """Identify the checking code; a change to it makes every cached result stale."""
    import pydantic

    from . import load, model, validate

    sources = b"".join(Path(m.__file__).read_bytes() for m in (load, model, validate) if m.__file__)
    return hashlib.sha256(sources + pydantic.VERSION.encode()).hexdigest()


_PASSED: set[str] = set()  # keys of files known to pass, read from the cache before checking


def _key(job: _Job, content: bytes) -> str:
    return hashlib.sha256(f"{code_version()}|{job.kind}|{job.catalogue_key}|".encode() + content).hexdigest()


def _cached(job: _Job, key: str) -> Sourced[Any] | None:
    """Return what the cache knows of this content: the checked record, or (not kept) that it passed.

    `records/<key>.pickle` holds a checked record; `records/passed` lists the keys of every file that
    passed (all `portal check` needs, since it keeps no reports). Files with problems are never cached.
    """
    if job.cache is None:
        return None
    if not job.keep:
        passed = key in _PASSED or (job.cache / f"{key}.pickle").exists()
        return Sourced(job.display, None) if passed else None
    try:
        with (job.cache / f"{key}.pickle").open("rb") as f:
            return Sourced(job.display, pickle.load(f))
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None


def _store(folder: Path, key: str, record: Any) -> None:
    """Keep a checked record; write to a temporary name first so a half-written file is never read."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{key}.{os.getpid()}"
    tmp.write_bytes(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(folder / f"{key}.pickle")


def _remember_passed(folder: Path | None, keys: set[str]) -> None:
    """Rewrite the list of passed keys when it grew (one file, not one per checked file)."""
    if folder is None or keys <= _PASSED:
        return
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".passed.{os.getpid()}"
    tmp.write_text("\n".join(sorted(_PASSED | keys)) + "\n", encoding="ascii")
    tmp.replace(folder / "passed")


def _check_job(job: _Job) -> tuple[Sourced[Any] | None, list[Problem], str | None]:
    """Parse and check one plan or report file (in this process or a worker); return the key if it passed."""
    problems: list[Problem] = []
    try:
        content: bytes | None = job.path.read_bytes()
    except OSError:
        content = None  # let the loader report it
    key = _key(job, content) if job.cache and content is not None else None
    found = _cached(job, key) if key else None
    if found is not None:
        return (found if job.keep else None), [], key
    document = _document(job.path, job.display, problems, content)
    sourced = _read(document, job.path, KINDS[job.kind], problems, job.catalogue)
    if sourced is not None and key and job.cache and job.keep:
        _store(job.cache, key, sourced.record)
    return (sourced if job.keep else None), problems, key if sourced is not None else None


_PENDING: list[_Job] = []


def _check_pending(index: int) -> tuple[Sourced[Any] | None, list[Problem], str | None]:
    """Check job `index` of the list a forked worker inherited from its parent."""
    gc.disable()
    return _check_job(_PENDING[index])


def _check_all(jobs: list[_Job]) -> list[tuple[Sourced[Any] | None, list[Problem], str | None]]:
    """Check every file; with many files, in forked worker processes (one per core)."""
    workers = min(os.cpu_count() or 1, len(jobs) // PARALLEL_FROM)
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if workers < 2 or not forkable:
        return [_check_job(job) for job in jobs]
    _PENDING[:] = jobs  # inherited by the forked workers, so only results cross between processes
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_check_pending, range(len(jobs)), chunksize=max(1, len(jobs) // (workers * 4))))
    finally:
        _PENDING.clear()


def _load_portal(data_dir: Path, display_root: Path | None, keep_reports: bool, cache_dir: Path | None) -> Portal:
    root = (display_root if display_root is not None else data_dir.parent).resolve()
    problems: list[Problem] = []
    agencies: list[AgencyData] = []
    try:
        data_shown = data_dir.resolve().relative_to(root).as_posix()
    except ValueError:
        data_shown = data_dir.as_posix()

    def shown(path: Path) -> str:
        return f"{data_shown}/{path.relative_to(data_dir).as_posix()}"

    if not data_dir.is_dir():
        raise DataError([Problem(data_shown, 1, 1, "", "找不到資料資料夾 (data directory not found)")])
    jobs: list[tuple[AgencyData, _Job]] = []
    catalogues: list[tuple[AgencyData, Document | None, bool]] = []
    for entry in sorted(data_dir.iterdir()):
        if entry.name.startswith(".") or entry.name == "README.md":
            continue
        if not entry.is_dir() or not _AGENCY_ID.fullmatch(entry.name):
            problems.append(Problem(shown(entry), 1, 1, "", _misplaced_message()))
            continue
        agency_file = entry / "agency.yml"
        agency = (
            _read(_document(agency_file, shown(agency_file), problems), agency_file, Agency, problems, None)
            if agency_file.exists() else None
        )
        if not agency_file.exists():
            problems.append(Problem(shown(agency_file), 1, 1, "", "缺少機關資料檔 agency.yml (missing agency.yml)"))
        bundle = AgencyData(entry.name, shown(agency_file), agency.record if agency else Agency(name="?", parent=None))
        catalogue_file = entry / "indicators.yml"
        catalogue: dict[str, Indicator] | None = {}
        catalogue_doc = None
        catalogue_key = "none"
        if catalogue_file.exists():
            catalogue_bytes = catalogue_file.read_bytes()
            catalogue_key = hashlib.sha256(catalogue_bytes).hexdigest()
            catalogue_doc = _document(catalogue_file, shown(catalogue_file), problems, catalogue_bytes)
            bundle.indicators = _read(catalogue_doc, catalogue_file, Indicators, problems, None)
            catalogue = {i.id: i for i in bundle.indicators.record.indicators} if bundle.indicators else None
        for path in sorted(entry.rglob("*")):
            rel = path.relative_to(entry)
            if path.is_dir() or rel.as_posix() in ("agency.yml", "indicators.yml") or path.name.startswith("."):
                continue
            kind = rel.parts[0] if len(rel.parts) == 2 and path.suffix == ".yml" else None
            if kind not in KINDS:
                problems.append(Problem(shown(path), 1, 1, "", _misplaced_message()))
                continue
            keep = keep_reports or kind == "plans"
            depends = catalogue_key if kind == "reports" else ""  # only reports refer to the indicators
            jobs.append((bundle, _Job(path, shown(path), kind, catalogue, keep, cache_dir, depends)))
        catalogues.append((bundle, catalogue_doc, agency is not None))
    plans_failed: set[str] = set()
    not_kept = cached = 0
    _PASSED.clear()
    if cache_dir is not None and (cache_dir / "passed").exists():
        _PASSED.update((cache_dir / "passed").read_text(encoding="ascii").split())
    passed: set[str] = set()
    for (bundle, job), (sourced, found, key) in zip(jobs, _check_all([job for _, job in jobs]), strict=True):
        problems.extend(found)
        if key:
            cached += key in _PASSED
            passed.add(key)
        if sourced is None:
            if job.kind == "plans" and found:
                plans_failed.add(bundle.id)
            not_kept += not found
        elif isinstance(sourced.record, Plan):
            bundle.plans.append(sourced)
        else:
            bundle.reports.append(sourced)
    for bundle, catalogue_doc, has_agency in catalogues:
        if bundle.indicators and catalogue_doc and bundle.plans and bundle.id not in plans_failed:
            problems.extend(check_serves(bundle.indicators.record, [s.record for s in bundle.plans], catalogue_doc))
        if has_agency:
            agencies.append(bundle)
    for bundle in agencies:
        bundle.plans.sort(key=lambda s: s.record.year)
        bundle.reports.sort(key=lambda s: (s.record.year, list(PERIODS).index(s.record.period)))
    _remember_passed(cache_dir, passed)  # also when other files have problems: staff fix one at a time
    if problems:
        raise DataError(problems)
    log.info(f"資料：檢查 {len(jobs):,} 個計畫與報告檔（{cached:,} 個未變動，取自快取）")
    return Portal(agencies, not_kept)


def _misplaced_message() -> str:
    return (
        "檔案放錯位置：資料必須是 data/<機關代號>/agency.yml、data/<機關代號>/indicators.yml、"
        "data/<機關代號>/plans/<年度>.yml "
        "或 data/<機關代號>/reports/<年度>-h1|h2|year.yml（機關代號只用小寫英文、數字與 -）"
    )
