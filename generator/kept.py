"""Keep each agency's generated pages between builds, so that a build renders only the agencies whose records changed.

An entry is named by the key of everything the pages are made from (the agency's records, the templates, this
package's code, the site's address and edition), and each page is a file named by the digest of its content.
Like every cache here it is never needed: a missing or damaged entry is made again.
"""
from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cache import Content, Store, Stored, content_bytes, content_digest

Entry = tuple[dict[str, Content], Any]  # an entry's files by path, and what was kept with them


class PageStore:
    """Generated pages by key, kept on disk in one folder; what a run does not use is removed at its end.

    A file already kept in one of the `shared` folders (a drawn chart in the chart cache) is not copied: the entry
    names where it is. With `remembered` (kept by `portal serve` between rebuilds), entries are also held in
    memory, and only this run's are left in it (`forget_unused`).
    """

    def __init__(self, folder: Path, shared: tuple[Path, ...] = (), remembered: dict[str, Entry] | None = None) -> None:
        self.folder = folder
        self.store = Store(folder)
        self.folders = [str(folder), *map(str, shared)]  # where an entry's files are: its own folder first
        self.own = os.path.join(self.folders[0], "")  # the start of the name of a file in its own folder
        self.used: set[str] = set()
        self.remembered = remembered
        self.keys: set[str] = set()  # the entries this run got or put

    def get(self, key: str) -> Entry | None:
        """Return the pages kept under `key` and what was kept with them, or None."""
        found = self.remembered.get(key) if self.remembered is not None else None
        # A run meanwhile removes what it did not use from this folder (not from the shared ones).
        if found is not None and all(os.path.isfile(c.path) for c in found[0].values()
                                     if isinstance(c, Stored) and c.path.startswith(self.own)):
            self._use(key, found)
            return found
        found = self._read(key)
        if found is not None:
            self._use(key, found)
        return found

    def _use(self, key: str, entry: Entry) -> None:
        self.keys.add(key)
        if self.remembered is not None:
            self.remembered[key] = entry
        self.used.update([f"{key}.pickle", *(os.path.basename(c.path) for c in entry[0].values()
                                             if isinstance(c, Stored) and c.path.startswith(self.own))])

    def forget_unused(self) -> None:
        """Leave in memory only the entries this run got or put: a long preview sees many versions of a record."""
        if self.remembered is not None:
            for key in set(self.remembered) - self.keys:
                del self.remembered[key]

    def _read(self, key: str) -> Entry | None:
        raw = self.store.read(f"{key}.pickle")
        if raw is None:
            return None
        try:
            names, extra = pickle.loads(raw)
            files: dict[str, Content] = {path: Stored(os.path.join(self.folders[where], name), digest)
                                         for path, (where, name, digest) in names.items()}
        except Exception:  # a damaged entry is made again (unpickling can raise anything)
            return None
        if not all(os.path.isfile(stored.path) for stored in files.values() if isinstance(stored, Stored)):
            return None
        return files, extra

    def put(self, key: str, files: dict[str, Content], extra: Any) -> dict[str, Content]:
        """Keep pages and what goes with them under `key`; return the pages as files of the store where kept."""
        names: dict[str, tuple[int, str, str]] = {}  # where (a folder of `folders`), file name, digest
        out: dict[str, Content] = {}
        for path, content in files.items():
            digest = content_digest(content)
            folder, base = os.path.split(content.path) if isinstance(content, Stored) else ("", "")
            if folder in self.folders[1:]:
                names[path] = self.folders.index(folder), base, digest
                out[path] = content
                continue
            name = digest + Path(path).suffix
            if self.store.has(name) or self.store.write(name, content_bytes(content)):
                names[path] = 0, name, digest
                out[path] = Stored(os.path.join(self.folders[0], name), digest)
            else:  # not kept (a cache that cannot be written): the page stays as it was made
                out[path] = content
        if len(names) == len(files) and self.store.write(f"{key}.pickle", pickle.dumps((names, extra))):
            self._use(key, (out, extra))
        self.used.update(name for where, name, _ in names.values() if where == 0)
        return out

    def made(self, key: str, make: Callable[[], Entry]) -> Entry:
        """Return what is kept under `key`, or make it and keep it (when there is a key)."""
        found = self.get(key) if key else None
        if found is not None:
            return found
        files, extra = make()
        return (self.put(key, files, extra), extra) if key else (files, extra)

    def sweep(self) -> None:
        """Remove every entry and page this run did not use (a run at the same time writes under dot names)."""
        try:
            listed = os.listdir(self.folder)
        except OSError:
            return
        for name in listed:
            if not name.startswith(".") and name not in self.used:
                (self.folder / name).unlink(missing_ok=True)
