"""Find every data file, check each one (cached, in parallel when there are many) and assemble the Portal."""
from __future__ import annotations

import gc
import logging
import os
import pickle
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from .cache import Store, code_version, digest, pool
from .checks import Context
from .errors import DataError, Problem
from .load import Document, read_file
from .model import Agency, AgencyData, Indicator, Indicators, Portal, Sourced
from .periods import Span
from .validate import KINDS, check_record, check_serves, read_document

log = logging.getLogger("generator")
# Check files in worker processes only when there are enough of them to pay for starting the workers.
PARALLEL_FROM = 100
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
    agencies: Collection[str] = (),
) -> tuple[Portal, list[Problem]]:
    """Load every record that passes its checks, and return them with the problems of the others.

    For review: the changes to valid records can be listed while other records still have errors.
    With `agencies`, only those agencies' folders are read (`portal serve --agency`); the rest is not checked.
    """
    # Hundreds of thousands of YAML nodes and no reference cycles: the cycle collector would only
    # rescan them over and over (a third of the time for a large portal). Reference counting frees them.
    # The records are then frozen: otherwise, once the collector is on again, its next passes would walk them all
    # (a second at 10,000 pages). `pages.generate` unfreezes them when it is done with them.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_portal(data_dir, display_root, keep_reports, cache_dir, frozenset(agencies))
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class _Job:
    """One plan or report file to check, with its agency's units and indicators (and their digest, `depends`)."""

    path: Path
    display: str
    kind: str
    context: Context
    keep: bool
    depends: str
    within: Path


# What a checked record depends on besides its file: the checking code and the model library.
CODE = (
    ("errors", "formats", "load", "model", "walk", "translate", "checks", "plan_checks", "validate", "assemble"),
    ("pydantic", "pyyaml"),
)
_PASSED = "passed.pickle"


def _key(job: _Job, content: bytes) -> str:
    """Key a checked file by its name (the year check reads it), kind, bytes, its agency's units and indicators."""
    return digest(code_version(*CODE), job.kind, job.display, job.depends, content)


_Checked = tuple[Sourced[Any] | None, list[Problem], str | None]


def _check_job(store: Store, passed: Mapping[str, Any], job: _Job, parse: bool = True) -> _Checked | None:
    """Parse and check one plan or report file (here or in a worker); return the record, problems and passed key.

    With parse=False, return None instead of parsing a file that is not in the cache.

    A file that passed before is not checked again: `<key>.pickle` holds a checked record, unpickled only when
    first used, and the `passed` list the key of every file that passed with where it goes among its agency's
    (all `portal check` needs, since it keeps no reports, and all an agency whose pages are kept needs).
    Files with problems are never cached.
    """
    gc.disable()  # no reference cycles among the YAML nodes: the cycle collector would only rescan them
    problems: list[Problem] = []
    try:
        content = read_file(job.path, job.display, job.within)
    except DataError as exc:
        return None, exc.problems, None
    key = _key(job, content) if store.folder else None
    if key and not job.keep and (key in passed or store.has(f"{key}.pickle")):
        return None, [], key
    order = passed.get(key) if key and job.keep else None
    if key and isinstance(order, (int, Span)) and store.has(f"{key}.pickle"):
        return _Kept(job, key, store, order), [], key
    if not parse:
        return None
    document = read_document(job.path, job.display, problems, content)
    sourced = check_record(document, job.path, KINDS[job.kind], problems, job.context)
    place = sourced.place() if sourced is not None else None
    if sourced is not None and key and job.keep and isinstance(place, (int, Span)) and store.write(
            f"{key}.pickle", pickle.dumps(sourced.record, protocol=pickle.HIGHEST_PROTOCOL)):
        return _Kept(job, key, store, place), problems, key  # read again when used: none is held after loading
    if sourced is None or not job.keep:
        return None, problems, key if sourced is not None else None
    return replace(sourced, digest=key or ""), problems, key


class _Kept(Sourced[Any]):
    """A record that passed its checks before, unpickled from the record cache only when first used.

    An agency whose pages are kept from the last run never uses its records: they are neither read nor held.
    A record just checked is written to the cache and read from there too, and one that was read is let go
    (`release`) once generation has written its agency's pages: no run holds every record at once.
    """

    def __init__(self, job: _Job, key: str, store: Store, order: int | Span) -> None:
        object.__setattr__(self, "path", job.display)
        object.__setattr__(self, "digest", key)
        object.__setattr__(self, "order", order)
        object.__setattr__(self, "_job", job)
        object.__setattr__(self, "_store", store)

    @cached_property
    def record(self) -> Any:
        """Return the record, from the cache, or checked again when its entry went missing meanwhile."""
        job, store = self._job, self._store  # type: ignore[attr-defined]
        raw = store.read(f"{self.digest}.pickle")
        try:
            return pickle.loads(raw) if raw is not None else _again(job)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, IndexError, TypeError):
            return _again(job)

    def release(self) -> None:
        """Let the record go: it is read from the cache again if used again."""
        self.__dict__.pop("record", None)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as a plain record with its file (to send to a worker process)."""
        return Sourced, (self.path, self.record, self.digest, self.order)


def _again(job: _Job) -> Any:
    """Check a file again whose cache entry is gone; raise DataError if it has problems now.

    Not through the cache, which failed once already: the next run stores the record again.
    """
    sourced, problems, _ = _parse_job(Store(None), {}, job)
    if sourced is None:
        raise DataError(problems)
    return sourced.record


def _passed(store: Store) -> dict[str, Any]:
    """Return the key of every file that passed before, with where it goes among its agency's files."""
    raw = store.read(_PASSED)
    try:
        known = pickle.loads(raw) if raw is not None else {}
    except Exception:  # a damaged list is only made again (unpickling can raise anything)
        return {}
    return known if isinstance(known, dict) else {}


def _parse_job(store: Store, passed: Mapping[str, Any], job: _Job) -> _Checked:
    """Parse and check one file that is not in the cache (here or in a worker)."""
    checked = _check_job(store, passed, job)
    assert checked is not None  # parsed: never None
    return checked


def _parse_apart(store: Store, passed: Mapping[str, Any], job: _Job) -> _Checked:
    """Parse and check one file in a worker process; a record written to the cache is not sent back.

    It stands as a record of None, with its key and place: the main process reads it from the cache when first
    used, so it never holds every record at once.
    """
    sourced, problems, key = _parse_job(store, passed, job)
    if isinstance(sourced, _Kept):
        return Sourced(sourced.path, None, sourced.digest, sourced.order), problems, key
    return sourced, problems, key


def _check_all(jobs: list[_Job], store: Store, passed: Mapping[str, Any]) -> list[_Checked]:
    """Check every file: take those in the cache here, and parse the others, in worker processes when many.

    A record taken from the cache costs less to unpickle here than to send back from a worker.
    """
    found = [_check_job(store, passed, job, parse=False) for job in jobs]
    todo = [job for job, checked in zip(jobs, found, strict=True) if checked is None]
    workers = min(os.cpu_count() or 1, len(todo) // PARALLEL_FROM)
    if workers < 2:
        parsed = iter([_parse_job(store, passed, job) for job in todo])
    else:
        with pool(workers) as executor:
            parsed = iter(list(executor.map(partial(_parse_apart, store, passed), todo,
                                            chunksize=max(1, len(todo) // (workers * 4)))))
    return [checked if checked is not None else _arrived(store, job, next(parsed))
            for job, checked in zip(jobs, found, strict=True)]


def _arrived(store: Store, job: _Job, checked: _Checked) -> _Checked:
    """Take a file's check from a worker: a record it wrote to the cache is read from there when first used."""
    sourced, problems, key = checked
    if type(sourced) is Sourced and sourced.record is None and key and isinstance(sourced.order, (int, Span)):
        return _Kept(job, key, store, sourced.order), problems, key
    return checked


def _load_portal(
    data_dir: Path, display_root: Path | None, keep_reports: bool, cache_dir: Path | None, only: frozenset[str]
) -> tuple[Portal, list[Problem]]:
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
    def read(path: Path) -> bytes | None:
        try:
            return read_file(path, shown(path), data_dir)
        except DataError as exc:
            problems.extend(exc.problems)
            return None

    for entry in sorted(data_dir.iterdir()):
        if entry.name == "README.md" or (entry.name.startswith(".") and not entry.is_dir()):
            continue  # .DS_Store, .gitkeep and the like
        if only and entry.name not in only:
            continue
        if not entry.is_dir() or entry.is_symlink() or not AGENCY_ID.fullmatch(entry.name):
            problems.append(Problem(shown(entry), 1, 1, "", _misplaced_message()))
            continue
        agency_file = entry / "agency.yml"
        agency_bytes = read(agency_file) if agency_file.exists() or agency_file.is_symlink() else None
        agency = (
            check_record(read_document(agency_file, shown(agency_file), problems, agency_bytes), agency_file, Agency,
                         problems)
            if agency_bytes is not None else None
        )
        if not agency_file.exists() and not agency_file.is_symlink():
            problems.append(Problem(shown(agency_file), 1, 1, "", "缺少機關資料檔 agency.yml (missing agency.yml)"))
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
            catalogue_doc = read_document(catalogue_file, shown(catalogue_file), problems, catalogue_bytes)
            bundle.indicators = check_record(
                catalogue_doc, catalogue_file, Indicators, problems, Context(bundle.agency)
            )
            catalogue = {i.id: i for i in bundle.indicators.record.indicators} if bundle.indicators else None
        context = Context(bundle.agency, catalogue)
        for path in sorted(_files(entry)):
            rel = path.relative_to(entry)
            if rel.as_posix() in ("agency.yml", "indicators.yml") or path.name.startswith("."):
                continue
            kind = rel.parts[0] if len(rel.parts) == 2 and path.suffix == ".yml" else None
            if kind not in KINDS:
                problems.append(Problem(shown(path), 1, 1, "", _misplaced_message()))
                continue
            keep = keep_reports or kind == "plans"
            depends = digest(units, catalogue_key)  # report figures and plan goals refer to the indicators
            jobs.append((bundle, _Job(path, shown(path), kind, context, keep, depends, data_dir)))
        catalogues.append((bundle, catalogue_doc, agency is not None))
    plans_failed: set[str] = set()
    not_kept = cached = 0
    store = Store(cache_dir)
    known = _passed(store)
    passed: dict[str, Any] = {}
    checked = _check_all([job for _, job in jobs], store, known)
    for (bundle, job), (sourced, found, key) in zip(jobs, checked, strict=True):
        problems.extend(found)
        if key:
            cached += key in known
            passed[key] = sourced.place() if sourced is not None else None
        if sourced is None:
            if job.kind == "plans" and found:
                plans_failed.add(bundle.id)
            not_kept += not found
        elif job.kind == "plans":
            bundle.plans.append(sourced)
        else:
            bundle.reports.append(sourced)
    for bundle, catalogue_doc, has_agency in catalogues:
        if bundle.indicators and catalogue_doc and bundle.plans and bundle.id not in plans_failed:
            # The same plans against the same indicators passed before: their records need not be read.
            serves = digest("serves", *(s.digest for s in bundle.plans)) if all(s.digest for s in bundle.plans) else ""
            if serves not in known:
                found = list(check_serves(bundle.indicators.record, [s.record for s in bundle.plans], catalogue_doc))
                problems.extend(found)
                for sourced in bundle.plans:
                    sourced.release()  # read again when generation gets to this agency
            if serves and (serves in known or not found):
                passed[serves] = None
        if has_agency:
            agencies.append(bundle)
    for bundle in agencies:
        bundle.plans.sort(key=lambda s: s.record.year if s.order is None else s.order)
        bundle.reports.sort(key=lambda s: s.record.span if s.order is None else s.order)
    if not catalogues and not problems:
        message = "資料夾中沒有任何機關：請建立 data/<機關代號>/agency.yml (no agency)"
        problems.append(Problem(data_shown, 1, 1, "", message))
    if not passed.items() <= known.items():  # one list, written again when it grew; also when files have problems
        store.write(_PASSED, pickle.dumps({**known, **passed}, protocol=pickle.HIGHEST_PROTOCOL))
    if not problems:
        log.info(f"資料：檢查 {len(jobs):,} 個計畫與報告檔（{cached:,} 個未變動，取自快取）")
    return Portal(agencies, not_kept), problems


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
