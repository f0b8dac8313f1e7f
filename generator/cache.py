"""Keep checked records and drawn charts between runs, and share work between processes, one way for both.

Every entry is keyed by a hash of everything its content depends on: the input (file name and bytes, or
every field of a chart), the code that made it and the versions of the libraries it used. The cache is never
needed: delete `.cache/` at any time and the next run makes the same bytes again.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from importlib.metadata import version
from pathlib import Path
from typing import Any


def cache_dir(root: Path) -> Path:
    """Return the project's cache folder (safe to delete: everything in it is made again)."""
    return root / ".cache"


@cache
def code_version(modules: tuple[str, ...], libraries: tuple[str, ...]) -> str:
    """Identify the code behind a cached result: the source of these package modules and these libraries' versions."""
    digest = hashlib.sha256()
    for name in modules:
        source = import_module(f"generator.{name}").__file__
        digest.update(Path(source or name).read_bytes())
    for library in libraries:
        digest.update(f"|{library}=={version(library)}".encode())
    return digest.hexdigest()


@cache
def package_version(libraries: tuple[str, ...]) -> str:
    """Identify all of this package's code and templates, and these libraries' versions (for what any of it makes)."""
    folder = Path(__file__).parent
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".txt", ".js"))
    return digest(*(f"{p.relative_to(folder).as_posix()}\0".encode() + p.read_bytes() for p in files),
                  *(f"{library}=={version(library)}" for library in libraries))


def digest(*parts: str | bytes) -> str:
    """Return the cache key of the given parts (each one delimited, so no two lists of parts collide)."""
    out = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        out.update(len(data).to_bytes(8, "big") + data)
    return out.hexdigest()


@dataclass(frozen=True)
class Stored:
    """A generated file kept in the cache folder instead of in memory, named by the key of what it was made from."""

    path: str  # the file's absolute name (a str: a large site has a hundred thousand of them)
    key: str


Content = str | bytes | Stored  # what a generated file holds: text, bytes, or a file in the cache


def content_bytes(content: Content) -> bytes:
    """Return a generated file's bytes (text as UTF-8, a stored file read from the cache)."""
    if isinstance(content, Stored):
        with open(content.path, "rb") as file:
            return file.read()
    return content.encode("utf-8") if isinstance(content, str) else content


def content_digest(content: Content) -> str:
    """Identify a generated file's content: the SHA-256 of its bytes, or for a stored file its key.

    A stored file is not read: its key digests everything its bytes are made from (a drawn chart), or is the
    SHA-256 of its bytes (a page written to disk by `Site.add`), so the same page has the same digest either way.
    """
    if isinstance(content, Stored):
        return content.key
    return hashlib.sha256(content.encode("utf-8") if isinstance(content, str) else content).hexdigest()


class Store:
    """One folder of cached files, each written whole or not at all; a folder of None caches nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def read(self, name: str) -> bytes | None:
        """Return a cached file's bytes, or None when it is not there (or the cache is off)."""
        if self.folder is None:
            return None
        try:
            return (self.folder / name).read_bytes()
        except OSError:
            return None

    def has(self, name: str) -> bool:
        """Tell whether a cached file exists."""
        return self.folder is not None and (self.folder / name).is_file()

    def write(self, name: str, content: bytes) -> bool:
        """Store a file under a temporary name, then rename it, so a half-written file is never read; say if stored."""
        if self.folder is None:
            return False
        tmp = self.folder / f".{name}.{os.getpid()}.{threading.get_ident()}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(content)
            tmp.replace(self.folder / name)
        except OSError:
            tmp.unlink(missing_ok=True)  # a cache that cannot be written only makes the next run slower
            return False
        return True

    def head(self, name: str, size: int) -> bytes | None:
        """Return the first `size` bytes of a cached file, or None."""
        if self.folder is None:
            return None
        try:
            with (self.folder / name).open("rb") as file:
                return file.read(size)
        except OSError:
            return None


def pool(workers: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
         ) -> ProcessPoolExecutor:
    """Start worker processes: forked from a single-threaded command, spawned where threads run (`portal serve`)."""
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork" if forkable else "spawn"),
                               initializer=initializer, initargs=initargs)
