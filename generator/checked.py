"""Check each plan and report file, or take it from the record cache: a file that passed before is not read again."""
from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from .cache import Store, code_version, digest, pool
from .checks import Context
from .errors import DataError, Problem
from .load import read_file
from .model import Sourced
from .periods import Span
from .validate import KINDS, check_record, read_document

# Check files in worker processes only when there are enough of them to pay for starting the workers.
PARALLEL_FROM = 100


@dataclass(frozen=True)
class Job:
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
    ("errors", "formats", "load", "model", "walk", "translate", "checks", "plan_checks", "validate", "checked",
     "assemble"),
    ("pydantic", "pyyaml"),
)
PASSED = "passed.pickle"


def _key(job: Job, content: bytes) -> str:
    """Key a checked file by its name (the year check reads it), kind, bytes, its agency's units and indicators."""
    return digest(code_version(*CODE), job.kind, job.display, job.depends, content)


Checked = tuple[Sourced[Any] | None, list[Problem], str | None]


def _check_job(store: Store, passed: Mapping[str, Any], job: Job, parse: bool = True) -> Checked | None:
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

    def __init__(self, job: Job, key: str, store: Store, order: int | Span) -> None:
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


def _again(job: Job) -> Any:
    """Check a file again whose cache entry is gone; raise DataError if it has problems now.

    Not through the cache, which failed once already: the next run stores the record again.
    """
    sourced, problems, _ = _parse_job(Store(None), {}, job)
    if sourced is None:
        raise DataError(problems)
    return sourced.record


def passed_before(store: Store) -> dict[str, Any]:
    """Return the key of every file that passed before, with where it goes among its agency's files."""
    raw = store.read(PASSED)
    try:
        known = pickle.loads(raw) if raw is not None else {}
    except Exception:  # a damaged list is only made again (unpickling can raise anything)
        return {}
    return known if isinstance(known, dict) else {}


def _parse_job(store: Store, passed: Mapping[str, Any], job: Job) -> Checked:
    """Parse and check one file that is not in the cache (here or in a worker)."""
    checked = _check_job(store, passed, job)
    assert checked is not None  # parsed: never None
    return checked


def _parse_apart(store: Store, passed: Mapping[str, Any], job: Job) -> Checked:
    """Parse and check one file in a worker process; a record written to the cache is not sent back.

    It stands as a record of None, with its key and place: the main process reads it from the cache when first
    used, so it never holds every record at once.
    """
    sourced, problems, key = _parse_job(store, passed, job)
    if isinstance(sourced, _Kept):
        return Sourced(sourced.path, None, sourced.digest, sourced.order), problems, key
    return sourced, problems, key


def check_all(jobs: list[Job], store: Store, passed: Mapping[str, Any]) -> list[Checked]:
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


def _arrived(store: Store, job: Job, checked: Checked) -> Checked:
    """Take a file's check from a worker: a record it wrote to the cache is read from there when first used."""
    sourced, problems, key = checked
    if type(sourced) is Sourced and sourced.record is None and key and isinstance(sourced.order, (int, Span)):
        return _Kept(job, key, store, sourced.order), problems, key
    return checked
