"""Find every agency's data files, check them (`checked`) and assemble the Portal; a preview keeps what is unchanged."""
from __future__ import annotations

import gc
import logging
import os
import pickle
import re
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import Store, digest
from .checked import PASSED, Checked, Job, check_all, passed_before
from .checks import Context
from .errors import DataError, Problem
from .load import Document, read_file
from .model import Agency, AgencyData, Indicator, Indicators, Portal
from .validate import KINDS, check_record, check_serves, read_document

log = logging.getLogger("generator")
AGENCY_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # an agency's folder under data/


def load_portal(
    data_dir: Path, display_root: Path | None = None, *, keep_reports: bool = True, cache_dir: Path | None = None
) -> Portal:
    """Load and check every record under `data_dir`; raise DataError listing all problems.

    With keep_reports=False the reports are checked but not returned (faster when only checking).
    With a `cache_dir`, a plan or report file that passed before is not read again while its bytes,
    its agency's indicators and the checking code are unchanged.
    """
    portal, problems = load_what_passes(data_dir, display_root, keep_reports=keep_reports, cache_dir=cache_dir)
    if problems:
        raise DataError(problems)
    return portal


def load_what_passes(
    data_dir: Path, display_root: Path | None = None, *, keep_reports: bool = True, cache_dir: Path | None = None,
    agencies: Collection[str] = (), loads: Loads | None = None,
) -> tuple[Portal, list[Problem]]:
    """Load every record that passes its checks, and return them with the problems of the others.

    For review: the changes to valid records can be listed while other records still have errors.
    With `agencies`, only those agencies' folders are read (`portal serve --agency`); the rest is not checked.
    With `loads`, an agency whose files are as they were at the last load is taken from there, not read again.
    """
    # Hundreds of thousands of YAML nodes and no reference cycles: the cycle collector would only
    # rescan them over and over (a third of the time for a large portal). Reference counting frees them.
    # The records are then frozen: otherwise, once the collector is on again, its next passes would walk them all
    # (a second at 10,000 pages). `pages.generate` unfreezes them when it is done with them.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_portal(data_dir, display_root, keep_reports, cache_dir, frozenset(agencies), loads)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@dataclass(eq=False)
class _Agency:
    """One agency's folder as loading found it: its records, its problems by stage, what passed, and how many files.

    `Loads` keeps it while the folder's files are unchanged, for the next load of the same data in the process.
    """

    bundle: AgencyData
    catalogue: Document | None
    has_agency: bool
    jobs: list[Job]
    head: list[Problem] = field(default_factory=list)  # agency.yml, indicators.yml and misplaced files
    found: list[Problem] = field(default_factory=list)  # its plan and report files
    serves: list[Problem] = field(default_factory=list)  # which plans serve which indicators
    passed: dict[str, Any] = field(default_factory=dict)
    cached: int = 0
    not_kept: int = 0
    plans_failed: bool = False


@dataclass
class Loads:
    """What `portal serve` keeps between loads: each agency's folder as last loaded, with its files' states.

    An agency is taken from here when every entry of its folder has the inode, size, modification and change
    times and permissions it had (a `chmod` changes only the last two), and none was modified within `SETTLE_NS`
    before that load began: a file saved twice within a coarse clock tick (two seconds on FAT) would otherwise
    look unchanged. A folder holding a link is never kept: the file linked to may change elsewhere.
    """

    settings: tuple[Any, ...] = ()
    agencies: dict[str, tuple[_State, _Agency]] = field(default_factory=dict)


_State = tuple[tuple[str, int, int, int, int, int], ...]
SETTLE_NS = 2_000_000_000


def _state(folder: Path, began: int) -> _State | None:
    """Return every entry below a folder with its inode, size, times and mode; None if one is too recent or a link."""
    found: list[tuple[str, int, int, int, int, int]] = []
    pending = [folder]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    info = entry.stat(follow_symlinks=False)
                    if info.st_mtime_ns >= began - SETTLE_NS or entry.is_symlink():
                        return None
                    found.append((entry.path, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                                  info.st_mode))
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(Path(entry.path))
        except OSError:
            return None
    return tuple(sorted(found))


def _load_portal(
    data_dir: Path, display_root: Path | None, keep_reports: bool, cache_dir: Path | None, only: frozenset[str],
    loads: Loads | None = None,
) -> tuple[Portal, list[Problem]]:
    began = time.time_ns()
    root = (display_root if display_root is not None else data_dir.parent).resolve()
    problems: list[Problem] = []
    try:
        data_shown = data_dir.resolve().relative_to(root).as_posix()
    except ValueError:
        data_shown = data_dir.as_posix()

    def shown(path: Path) -> str:
        return f"{data_shown}/{path.relative_to(data_dir).as_posix()}"

    if not data_dir.is_dir():
        raise DataError([Problem(data_shown, 1, 1, "", "找不到資料資料夾 (data directory not found)")])
    settings = (data_dir.resolve(), root, keep_reports, cache_dir, only)
    if loads is not None and loads.settings != settings:
        loads.settings, loads.agencies = settings, {}
    states: dict[str, _State | None] = {}
    loaded: list[_Agency] = []
    fresh: list[_Agency] = []
    unchanged = 0
    for entry in sorted(data_dir.iterdir()):
        if entry.name == "README.md" or (entry.name.startswith(".") and not entry.is_dir()):
            continue  # .DS_Store, .gitkeep and the like
        if only and entry.name not in only:
            continue
        if not entry.is_dir() or entry.is_symlink() or not AGENCY_ID.fullmatch(entry.name):
            problems.append(Problem(shown(entry), 1, 1, "", _misplaced_message()))
            continue
        if loads is not None:
            states[entry.name] = state = _state(entry, began)
            known = loads.agencies.get(entry.name)
            if state is not None and known is not None and known[0] == state:
                loaded.append(known[1])
                problems.extend(known[1].head)
                unchanged += len(known[1].jobs)
                continue
        agency = _read_agency(entry, data_dir, shown, keep_reports)
        problems.extend(agency.head)
        loaded.append(agency)
        fresh.append(agency)
    store = Store(cache_dir)
    known_keys = passed_before(store)
    jobs = [job for agency in fresh for job in agency.jobs]
    checked = iter(check_all(jobs, store, known_keys))
    for agency in fresh:
        _take_checked(agency, [next(checked) for _ in agency.jobs], known_keys)
    for agency in loaded:
        problems.extend(agency.found)
    passed: dict[str, Any] = {}
    for agency in fresh:
        _check_serves(agency, known_keys)
    for agency in loaded:
        problems.extend(agency.serves)
        passed.update(agency.passed)
    agencies = [agency.bundle for agency in loaded if agency.has_agency]
    for bundle in (agency.bundle for agency in fresh):  # one taken from the last load is in order already
        bundle.plans.sort(key=lambda s: s.record.year if s.order is None else s.order)
        bundle.reports.sort(key=lambda s: s.record.span if s.order is None else s.order)
    if not loaded and not problems:
        message = "資料夾中沒有任何機關：請建立 data/<機關代號>/agency.yml (no agency)"
        problems.append(Problem(data_shown, 1, 1, "", message))
    if not passed.items() <= known_keys.items():  # one list, written again when it grew; also when files have problems
        store.write(PASSED, pickle.dumps({**known_keys, **passed}, protocol=pickle.HIGHEST_PROTOCOL))
    if loads is not None:
        loads.agencies = {agency.bundle.id: (state, agency) for agency in loaded
                          if (state := states.get(agency.bundle.id)) is not None}
    if not problems:
        cached = unchanged + sum(agency.cached for agency in fresh)
        log.info(f"資料：檢查 {sum(len(a.jobs) for a in loaded):,} 個計畫與報告檔（{cached:,} 個未變動，取自快取）")
    return Portal(agencies, sum(agency.not_kept for agency in loaded)), problems


def _read_agency(entry: Path, data_dir: Path, shown: Callable[[Path], str], keep_reports: bool) -> _Agency:
    """Read and check an agency's agency.yml and indicators.yml, and list its plan and report files to check."""
    head: list[Problem] = []

    def read(path: Path) -> bytes | None:
        try:
            return read_file(path, shown(path), data_dir)
        except DataError as exc:
            head.extend(exc.problems)
            return None

    agency_file = entry / "agency.yml"
    agency_bytes = read(agency_file) if agency_file.exists() or agency_file.is_symlink() else None
    agency = (
        check_record(read_document(agency_file, shown(agency_file), head, agency_bytes), agency_file, Agency, head)
        if agency_bytes is not None else None
    )
    if not agency_file.exists() and not agency_file.is_symlink():
        head.append(Problem(shown(agency_file), 1, 1, "", "缺少機關資料檔 agency.yml (missing agency.yml)"))
    bundle = AgencyData(entry.name, shown(agency_file), agency.record if agency else Agency(name="?", parent=None))
    units = bundle.agency.model_dump_json(include={"units"})
    catalogue_file = entry / "indicators.yml"
    catalogue: dict[str, Indicator] | None = {}
    catalogue_doc = None
    catalogue_key = "none"
    catalogue_bytes = read(catalogue_file) if catalogue_file.exists() or catalogue_file.is_symlink() else None
    if catalogue_bytes is None and (catalogue_file.exists() or catalogue_file.is_symlink()):
        catalogue = None  # unreadable: reported; reports are checked without indicator references
    if catalogue_bytes is not None:
        catalogue_key = digest(catalogue_bytes)
        catalogue_doc = read_document(catalogue_file, shown(catalogue_file), head, catalogue_bytes)
        bundle.indicators = check_record(catalogue_doc, catalogue_file, Indicators, head, Context(bundle.agency))
        catalogue = {i.id: i for i in bundle.indicators.record.indicators} if bundle.indicators else None
    context = Context(bundle.agency, catalogue)
    depends = digest(units, catalogue_key)  # report figures and plan goals refer to the indicators
    jobs: list[Job] = []
    for path in sorted(_files(entry)):
        rel = path.relative_to(entry)
        if rel.as_posix() in ("agency.yml", "indicators.yml") or path.name.startswith("."):
            continue
        kind = rel.parts[0] if len(rel.parts) == 2 and path.suffix == ".yml" else None
        if kind not in KINDS:
            head.append(Problem(shown(path), 1, 1, "", _misplaced_message()))
            continue
        keep = keep_reports or kind == "plans"
        jobs.append(Job(path, shown(path), kind, context, keep, depends, data_dir))
    return _Agency(bundle, catalogue_doc, agency is not None, jobs, head)


def _take_checked(agency: _Agency, checked: list[Checked], known: Mapping[str, Any]) -> None:
    """Give an agency the checks of its plan and report files: its records, their problems and what passed."""
    bundle = agency.bundle
    for job, (sourced, found, key) in zip(agency.jobs, checked, strict=True):
        agency.found.extend(found)
        if key:
            agency.cached += key in known
            agency.passed[key] = sourced.place() if sourced is not None else None
        if sourced is None:
            agency.not_kept += not found
            agency.plans_failed |= job.kind == "plans" and bool(found)
        elif job.kind == "plans":
            bundle.plans.append(sourced)
        else:
            bundle.reports.append(sourced)


def _check_serves(agency: _Agency, known: Mapping[str, Any]) -> None:
    """Check which indicators the agency's plans serve, unless the same plans passed against the same indicators."""
    bundle, catalogue_doc = agency.bundle, agency.catalogue
    if not (bundle.indicators and catalogue_doc and bundle.plans and not agency.plans_failed):
        return
    # The same plans against the same indicators passed before: their records need not be read.
    serves = digest("serves", *(s.digest for s in bundle.plans)) if all(s.digest for s in bundle.plans) else ""
    found: list[Problem] = []
    if serves not in known:
        found = list(check_serves(bundle.indicators.record, [s.record for s in bundle.plans], catalogue_doc))
        agency.serves.extend(found)
        for sourced in bundle.plans:
            sourced.release()  # read again when generation gets to this agency
    if serves and (serves in known or not found):
        agency.passed[serves] = None


def _files(folder: Path) -> Iterator[Path]:
    """Yield every entry below an agency's folder that is not a real folder, without following linked folders."""
    for top, folders, files in os.walk(folder, followlinks=False):
        yield from (Path(top) / name for name in files)
        yield from (Path(top) / name for name in folders if (Path(top) / name).is_symlink())


def _misplaced_message() -> str:
    return (
        "檔案放錯位置：資料必須是 data/<機關代號>/agency.yml、data/<機關代號>/indicators.yml、"
        "data/<機關代號>/plans/<年度>.yml 或 data/<機關代號>/reports/<期間>.yml"
        "（例如 110-h2.yml、110-q1.yml、89.07-96.04.yml；機關代號只用小寫英文、數字與 -）"
    )
