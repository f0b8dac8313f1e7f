"""Hand the generated pages and charts to MkDocs: the only module that knows about MkDocs."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache, partial
from importlib.metadata import distributions
from pathlib import Path, PurePath
from typing import Any

from mkdocs.commands.build import _build_page, _populate_page
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from . import reuse
from .assemble import Loads, load_portal, load_what_passes
from .cache import Content, Stored, code_version, content_bytes, content_digest, pool
from .charts import ChartCache
from .drafts import BANNER_SCRIPT, NAV_TITLE, PROBLEMS_PAGE, preview_files
from .errors import BuildError, PortalError
from .pages import MARKDOWN_EXTENSIONS, SCRIPTS, Memo, NavEntry, Site, generate
from .rawhtml import NAME as RAW_TABLES
from .search import handwritten_pages
from .shards import Shard
from .vocabulary import load_search_dictionary

log = logging.getLogger("generator")


class PortalConfig(Config):
    """Options of the `portal` plugin in mkdocs.yml."""

    data_dir = c.Type(str, default="data")
    cache_dir = c.Type(str, default=".cache")


@dataclass
class Preview:
    """What `portal serve` keeps between rebuilds, so that an edit rebuilds only the pages it changed."""

    written: dict[str, str] = field(default_factory=dict)  # generated path -> digest of what was written
    layout: str = ""  # digest of the theme and settings: when it changes, every page is rebuilt
    contexts: dict[str, str] = field(default_factory=dict)  # page -> digest of the navigation it shows
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # page URL -> its search entries
    # generated page -> the digest of its Markdown, its title and its front matter: a page whose Markdown is
    # unchanged is not read again only for the navigation of the others
    titles: dict[str, tuple[str, str | None, dict[str, Any]]] = field(default_factory=dict)
    built: set[str] = field(default_factory=set)  # pages rendered by the current build
    rebuilt: int = 0  # how many pages the last build rendered
    problems: int = 0  # how many problems the data had at the last build
    memo: Memo = field(default_factory=Memo)  # each agency's pages, kept while its records are unchanged
    loads: Loads = field(default_factory=Loads)  # each agency's records, kept while its files are unchanged
    agencies: tuple[str, ...] = ()  # `portal serve --agency`: preview only these agencies (all when empty)
    # The last build's plugin, which holds its settings, files and navigation: an edit that changes neither the
    # navigation nor which files there are renders only the pages it changed, in that build's site (`refresh`).
    last: PortalPlugin | None = None


# Set by `portal serve`. MkDocs makes a new plugin for every rebuild, so the state lives here.
PREVIEW: Preview | None = None


class NavigationChanged(Exception):
    """A page rendered again has a new title: every page shows it, so the build must render them all."""


class _Generated(File):
    """A generated file, which a dirty build (a preview, a part, a build reusing pages) writes only when modified."""

    modified = True
    later: list[File] | None = None  # a chart still being drawn: `portal build` copies it once drawn, into this list

    def copy_file(self, dirty: bool = False) -> None:
        """Copy the file into the site, or (a chart still being drawn) leave it to be copied once drawn."""
        if self.later is None:
            super().copy_file(dirty)
        elif not dirty or self.is_modified():
            self.later.append(self)

    def is_modified(self) -> bool:
        """Tell MkDocs' dirty build whether to render and write this file again."""
        return self.modified

    def _get_src_path(self) -> str:
        return os.path.normpath(self.src_uri)  # as MkDocs gives it

    def _set_src_path(self, value: str) -> None:
        # The generated paths are already plain POSIX paths: MkDocs would parse each one as a PurePath
        # (a second of a 90,000-file build).
        self.src_uri = value if _PLAIN_PATH.fullmatch(value) else PurePath(value).as_posix()

    src_path = property(_get_src_path, _set_src_path)


_PLAIN_PATH = re.compile(r"(?:[^/\\.][^/\\]*/)*[^/\\.][^/\\]*")


def _mark(file: File, modified: bool) -> None:
    """Tell a dirty build whether to write a file (a hand-written page or a theme file is compared by time)."""
    if isinstance(file, _Generated):
        file.modified = modified
    else:
        file.is_modified = partial(bool, modified)  # type: ignore[method-assign]


class PortalPlugin(BasePlugin[PortalConfig]):
    """Load and check the records, then add their pages and navigation to the build."""

    def __init__(self) -> None:
        self.site: Site | None = None  # set by `portal build`, which has generated it in a child process
        self.shard: Shard | None = None  # set by `portal build --shard`: write only this part's files
        # Set by `portal build`: what the last build into the same folder wrote (pages whose inputs are unchanged
        # are taken from it), and whether to record what this build writes, in `built`, for the next one.
        self.previous: reuse.Built | None = None
        self.record = False
        self.built: reuse.Built | None = None
        self.reused = 0  # how many pages were taken from the last build
        self.layout = ""
        self.digests: dict[str, str] = {}
        self.sources: dict[str, str] = {}  # every source file but the theme's -> digest of its content
        self.pages: list[File] = []
        self.later: list[File] = []  # the charts still being drawn that this build would have copied
        self.nav: Navigation | None = None
        self.titles: dict[str, tuple[str, str | None, dict[str, Any]]] = {}
        self.started = time.monotonic()
        # Kept by a preview build for `refresh`: what MkDocs built with, the hand-written files as they were
        # (by modification time and size), and the pages whose title the last build restored instead of reading.
        self.mkdocs: MkDocsConfig | None = None
        self.files: Files | None = None
        self.env: Any = None
        self.handwritten: dict[str, tuple[int, int]] = {}
        self.restored: set[str] = set()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Load, validate and generate before MkDocs reads files, and put the pages into the nav."""
        self.started = time.monotonic()
        root = Path(config.config_file_path or ".").resolve().parent
        cache = root / self.config.cache_dir
        if PREVIEW is not None:
            PREVIEW.last = None  # let the last build's pages go before this one makes its own
            self.mkdocs, self.handwritten = config, _modified(Path(config.docs_dir))
        try:
            if PREVIEW is not None:
                self.site = self._draft(root, cache, config, apart=True)
                config.extra_javascript.append(BANNER_SCRIPT)
            elif self.site is None:  # `mkdocs build` or `mkdocs serve` run directly: generate here, in memory
                portal = load_portal(root / self.config.data_dir, root, cache_dir=cache / "records")
                self.site = generate(portal, cache=ChartCache(cache / "charts"), site_url=config.site_url or "",
                                     handwritten=handwritten_pages(Path(config.docs_dir)))
        except PortalError as exc:
            # `mkdocs build/serve` have no other way to show staff what to fix.
            raise PluginError("資料有誤，無法建置網站 (data errors):\n" + exc.report()) from None
        if {"search", "material/search"} & set(config.plugins):  # MkDocs' own search, when a project keeps it
            load_search_dictionary()
        config.extra_javascript.extend(SCRIPTS)
        config.markdown_extensions.extend(e for e in MARKDOWN_EXTENSIONS if e not in config.markdown_extensions)
        # The generated tables pass through Markdown whole (half of MkDocs' time on a large portal went there).
        config.markdown_extensions.append(RAW_TABLES)
        config.extra["portal_footer"] = self.site.footer  # theme/partials/copyright.html shows it on every page
        handwritten: list[Any] = list(config.nav or [])
        config.nav = [entry.to_mkdocs() for entry in self.site.nav] + handwritten
        self.digests = {path: content_digest(content) for path, content in self.site.files.items()}
        self.layout = _layout(config)
        if PREVIEW is not None:
            self._start_preview(PREVIEW, config)
        return config

    def _draft(self, root: Path, cache: Path, config: MkDocsConfig, apart: bool = False) -> Site:
        """Generate what passes its checks, plus the problems page and banner of the preview.

        With `apart`, in a child process (a whole build): the records and pages of every agency are given back
        before MkDocs starts, and only what the next edits need is kept here (each agency's kept pages, by key).
        """
        assert PREVIEW is not None
        task = partial(_drafted, root / self.config.data_dir, root, cache, config.site_url or "",
                       Path(config.docs_dir), PREVIEW.agencies)
        if not apart:
            site, PREVIEW.problems, _ = task(PREVIEW.memo, PREVIEW.loads)
            return site
        with pool(1) as child:
            try:
                site, PREVIEW.problems, memo = child.submit(task, None).result()
            except BrokenProcessPool:
                raise BuildError.process_ended() from None
        assert memo is not None
        PREVIEW.memo.agencies, PREVIEW.memo.kept = memo.agencies, memo.kept
        return site

    def _start_preview(self, preview: Preview, config: MkDocsConfig) -> None:
        """Start afresh when what every page shows (settings, theme) changed since the last preview build."""
        if self.layout != preview.layout:
            preview.written.clear()
            preview.contexts.clear()
            preview.entries.clear()
            preview.layout = self.layout
            reuse.empty(Path(config.site_dir))
        preview.built = set()

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add every generated page and chart: in memory, or (drawn charts) the file in the chart cache."""
        assert self.site is not None
        self.files = files
        for path, content in self.site.files.items():
            generated = _generated(config, path, content)
            if path in self.site.pending:
                generated.later = self.later
            if PREVIEW is not None:
                generated.modified = (
                    PREVIEW.written.get(path) != self.digests[path] or not os.path.exists(generated.abs_dest_path)
                )
            files.append(generated)
        self.pages = list(files.documentation_pages())
        if self.record:
            self._compare(files, config)
        if self.shard is not None:  # a dirty build renders and copies only the files whose `is_modified` is true
            for file in files:
                mine = self.shard.owns(file.src_uri, self.site.agencies)
                _mark(file, mine)
        return files

    def _compare(self, files: Files, config: MkDocsConfig) -> None:
        """Render again only the files that changed since the last build into the folder, if there was one.

        Only when the settings, theme, code and set of files are the same: otherwise every page is rendered.
        """
        docs = Path(config.docs_dir).resolve()
        for file in files:
            if file.src_uri in self.digests:
                self.sources[file.src_uri] = self.digests[file.src_uri]
            elif file.abs_src_path and Path(file.abs_src_path).resolve().is_relative_to(docs):  # hand-written
                self.sources[file.src_uri] = _digest(Path(file.abs_src_path).read_bytes())
        previous = self.previous
        if previous is None or previous.layout != self.layout or previous.files.keys() != self.sources.keys():
            self.previous = None
            return
        old = previous.site
        for file in files:  # the theme's own files are the same as long as the layout is
            changed = file.src_uri in self.sources and previous.files[file.src_uri] != self.sources[file.src_uri]
            _mark(file, changed or not os.path.isfile(os.path.join(old, file.dest_uri)))

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Give pages not rendered again what the others need from them; in a preview, mark those to rebuild."""
        self.nav = nav
        if self.previous is not None:
            self._restore(self.previous, files)
        if PREVIEW is None and self.shard is None:
            return nav
        restored: set[str] = set()
        for file in self.pages:  # every title, so that the navigation of the pages rendered is whole
            if file.page is None:
                continue
            known = PREVIEW.titles.get(file.src_uri) if PREVIEW is not None else None
            if known is not None and known[0] == self.digests.get(file.src_uri):  # its Markdown is unchanged
                file.page.meta = dict(known[2])
                if "title" not in vars(file.page):  # not one the navigation gives
                    file.page.title = known[1]
                    restored.add(file.src_uri)
            else:
                file.page.read_source(config)
                if not file.is_modified():  # not rendered: MkDocs would read its title from all of its Markdown
                    file.page.title = file.page.title  # again each time a page shows or compares it
                    file.page.markdown = ""
        if PREVIEW is None:
            return nav
        # The titles the navigation is digested with, given again to the next build's pages not read again.
        self.titles = {f.src_uri: (self.digests[f.src_uri], f.page.title, dict(f.page.meta))
                       for f in self.pages if f.page is not None and f.src_uri in self.digests}
        contexts: dict[str, str] = {}
        levels: dict[int, str] = {}
        for file in self.pages:
            if file.page is None:
                continue
            context = contexts[file.src_uri] = _nav_context(file.page, nav, levels)
            if PREVIEW.contexts.get(file.src_uri) == context and not file.is_modified():
                continue
            if file.src_uri in restored:  # rendered again: its title is the one its heading gives
                del vars(file.page)["title"]
            if isinstance(file, _Generated):
                file.modified = True
            else:  # a hand-written page: MkDocs compares its time with the output's
                Path(file.abs_dest_path).unlink(missing_ok=True)
        PREVIEW.contexts = contexts
        self.restored = restored
        return nav

    def _restore(self, previous: reuse.Built, files: Files) -> None:
        """Give each page that is not rendered again its title, front matter and anchors from the last build."""
        by_uri = files.src_uris
        for file in self.pages:
            if file.is_modified():
                continue
            state = previous.pages.get(file.src_uri)
            if file.page is None or state is None:
                _mark(file, True)
                continue
            page = file.page
            page.title = state.title  # MkDocs lets a page's title be set for good
            page.meta = dict(state.meta)
            page.present_anchor_ids = set(state.anchors)
            page.links_to_anchors = {by_uri[to]: dict(links) for to, links in state.links.items() if to in by_uri}
            self.reused += 1

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Stop a build that reuses pages when a page rendered again changed its title (every page shows it)."""
        if self.previous is not None and self.nav is not None and _nav_digest(self.nav) != self.previous.nav:
            raise NavigationChanged()
        self.env = env
        return env

    @event_priority(-100)  # after every other plugin has seen the page
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Let go of a page's Markdown once it is HTML: MkDocs would keep every page's source until the end.

        Not None: MkDocs takes a page without Markdown for one not read yet, and gives it no title.
        """
        page.markdown = ""
        return html

    @event_priority(-100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Let go of a page's HTML once written: no other page shows it."""
        page.content = None
        return output

    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Navigation) -> Any:
        """Note which pages this preview build renders."""
        if PREVIEW is not None:
            PREVIEW.built.add(page.url)
        return context

    @event_priority(50)  # before the search plugin writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Give the search index the entries of the pages a preview build skipped, and remember what was written."""
        if self.record and self.nav is not None:
            self.built = reuse.Built(layout=self.layout, nav=_nav_digest(self.nav), files=dict(self.sources), pages={
                file.src_uri: reuse.PageState(
                    file.page.title, dict(file.page.meta), sorted(file.page.present_anchor_ids or ()),
                    {to.src_uri: dict(links) for to, links in (file.page.links_to_anchors or {}).items()},
                ) for file in self.pages if file.page is not None
            })
        if PREVIEW is None:
            return
        preview, site = PREVIEW, self.site
        assert site is not None
        # Material's search plugin ("material/search"), or MkDocs' own: whichever keeps a `search_index`.
        index = next((i for p in config.plugins.values() if (i := getattr(p, "search_index", None))), None)
        if index is not None:
            fresh: dict[str, list[dict[str, Any]]] = {}
            for entry in index.entries:
                fresh.setdefault(str(entry["location"]).split("#")[0], []).append(entry)
            for url in preview.built:
                preview.entries[url] = fresh.get(url, [])
            index.entries = [e for f in self.pages if f.page for e in preview.entries.get(f.page.url, [])]
        site_dir = Path(config.site_dir)
        for gone in sorted(set(preview.written) - set(self.digests)):  # a broken, renamed or deleted record's files
            target = site_dir / _output(gone)
            target.unlink(missing_ok=True)
            for folder in target.parents:  # and the folders left empty
                if folder == site_dir or any(folder.iterdir()):
                    break
                folder.rmdir()
        preview.written = dict(self.digests)
        preview.titles = self.titles
        preview.rebuilt = len(preview.built)
        preview.last = self
        self._updated(preview)
        if preview.memo.env is None:  # the first build: its records and pages were made in a child process
            self._ready(config)

    def _ready(self, config: MkDocsConfig) -> None:
        """Load the records and compile the templates in this process, as the first save would do.

        Otherwise the first save after `portal serve` starts would take longer than the next ones (at 140
        agencies, 3.1 s against 1.4 s). No page is written (the caches of records and pages may be), its progress
        messages are not shown, and a problem it meets is left to the next save, which reports it.
        """
        root = Path(config.config_file_path or ".").resolve().parent
        level = log.level
        log.setLevel(logging.WARNING)
        try:
            with suppress(PortalError):
                self._draft(root, root / self.config.cache_dir, config)
                if PREVIEW is not None:
                    PREVIEW.memo.compile()  # those of the pages it kept too
        finally:
            log.setLevel(level)

    def _updated(self, preview: Preview) -> None:
        state = f"資料有 {preview.problems:,} 個問題，見「{NAV_TITLE}」頁。" if preview.problems else "資料沒有問題。"
        log.info(f"預覽已更新（{time.monotonic() - self.started:.1f} 秒，重新產生 {preview.rebuilt:,} 頁）；{state}")

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[[], None]) -> Any:
        """Let a rebuild of `portal serve` render only the pages an edit changed, when it can (`refresh`)."""
        if PREVIEW is not None:
            preview = PREVIEW

            def rebuild() -> None:
                if preview.last is None or not preview.last.refresh():
                    builder()
            server.builder = rebuild
        return server

    def refresh(self) -> bool:
        """Render again only the pages and files an edit changed, into this preview build's site.

        Return False, having written nothing, when a whole build is needed: the navigation, the set of files, a
        page's title, the settings, the theme or a hand-written file changed, another plugin takes part (it may
        gather from every page, as a search index does), or the data cannot be read at all.
        """
        config, files, nav, env, preview = self.mkdocs, self.files, self.nav, self.env, PREVIEW
        if config is None or files is None or nav is None or env is None or preview is None or any(
                not isinstance(plugin, PortalPlugin) for plugin in config.plugins.values()):
            return False
        if _modified(Path(config.docs_dir)) != self.handwritten or _layout(config) != self.layout:
            return False
        self.started = time.monotonic()
        root = Path(config.config_file_path or ".").resolve().parent
        try:
            site = self._draft(root, root / self.config.cache_dir, config)
        except PortalError:  # the whole build reports it
            return False
        digests = {path: content_digest(content) for path, content in site.files.items()}
        assert self.site is not None
        if (digests.keys() != self.digests.keys() or site.footer != self.site.footer
                or [entry.to_mkdocs() for entry in site.nav] != [entry.to_mkdocs() for entry in self.site.nav]):
            return False
        changed = [files.src_uris[path] for path, known in digests.items() if known != self.digests[path]]
        pages = [file.page for file in changed if file.page is not None]
        shown = [(page.title, page.meta) for page in pages]  # what the navigation of every page shows of them
        for file in changed:
            _take(file, site.files[file.src_uri])
            if file.page is not None:
                if file.src_uri in self.restored:  # its title is the one its heading gives
                    vars(file.page).pop("title", None)
                _populate_page(file.page, config, files)
        if [(page.title, page.meta) for page in pages] != shown:
            return False
        self.restored.difference_update(file.src_uri for file in changed)
        documents = files.documentation_pages(inclusion=InclusionLevel.is_in_serve) if pages else []
        for file in changed:
            if file.page is not None:
                _build_page(file.page, config, documents, nav, env, excluded=file.inclusion.is_excluded())
                preview.titles[file.src_uri] = (digests[file.src_uri], file.page.title, dict(file.page.meta))
            else:
                file.copy_file()
            preview.written[file.src_uri] = digests[file.src_uri]
        self.site, self.digests = site, digests
        preview.built = {page.url for page in pages}
        preview.rebuilt = len(pages)
        self._updated(preview)
        return True


def _drafted(
    data_dir: Path, root: Path, cache: Path, site_url: str, docs_dir: Path, agencies: tuple[str, ...],
    memo: Memo | None, loads: Loads | None = None,
) -> tuple[Site, int, Memo | None]:
    """Load what passes its checks and generate its pages, the problems page and the banner of a preview.

    Return the site and how many problems the data has; without a `memo` (in a child process), also the one made,
    without what cannot be sent back: the compiled templates, and the charts' tables, keyed by their records.
    With `loads`, the records of agencies whose files are unchanged since the last load are taken from there.
    """
    portal, problems = load_what_passes(data_dir, root, cache_dir=cache / "records", agencies=agencies, loads=loads)
    made = memo if memo is not None else Memo(whole=True)
    # Pages kept in a folder of their own: a `portal build` meanwhile removes from `pages/` what it did not use,
    # which would be every page of the preview (made for its own address). A whole build removes what is stale.
    site = generate(portal, cache=ChartCache(cache / "charts"), memo=made, site_url=site_url,
                    handwritten=handwritten_pages(docs_dir), keep=cache / "preview")
    site.files.update(preview_files(problems, root, agencies))
    site.nav.insert(1, NavEntry(NAV_TITLE, PROBLEMS_PAGE))
    if memo is not None:
        return site, len(problems), None
    site.charts = {}
    return site, len(problems), Memo(agencies=made.agencies, kept=made.kept)


def _generated(config: MkDocsConfig, path: str, content: Content) -> _Generated:
    """Make the file MkDocs builds from a generated page or chart: in memory, or a file kept on disk."""
    if isinstance(content, Stored):
        made = _Generated.generated(config, path, abs_src_path=content.path)
    else:
        made = _Generated.generated(config, path, content=content)
    assert isinstance(made, _Generated)
    return made


def _take(file: File, content: Content) -> None:
    """Give a file of the last build its new content (read into memory when kept on disk: only a few change)."""
    if isinstance(content, str):
        file.content_string = content
    else:
        file.content_bytes = content_bytes(content)


def _modified(folder: Path) -> dict[str, tuple[int, int]]:
    """Return when each file under a folder was last modified, and its size."""
    found: dict[str, tuple[int, int]] = {}
    for top, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(top, name)
            with suppress(OSError):
                stat = os.stat(path)
                found[path] = stat.st_mtime_ns, stat.st_size
    return found


def _output(path: str) -> str:
    """Return where a generated file is written in the site (pages as folder/index.html)."""
    if not path.endswith(".md"):
        return path
    stem = path[:-3]
    return f"{stem}.html" if stem == "index" or stem.endswith("/index") else f"{stem}/index.html"


def _digest(content: str | bytes) -> str:
    return hashlib.sha256(content.encode("utf-8") if isinstance(content, str) else content).hexdigest()


def _nav_context(page: Page, nav: Navigation, levels: dict[int, str]) -> str:
    """Digest the navigation a page shows (Material prunes it to the open branch) and its previous and next links.

    `levels` keeps each level's digest by the list's identity, so that the pages of one build share the work.
    """
    shown: list[Any] = [_level(nav.items, levels)]
    parent = page.parent
    while parent is not None:
        shown.append([parent.title, _level(parent.children, levels)])
        parent = parent.parent
    for other in (page.previous_page, page.next_page):
        shown.append([other.url, other.title] if other is not None else None)
    return _digest(json.dumps(shown, ensure_ascii=False))


def _level(items: list[Any], levels: dict[int, str]) -> str:
    """Digest one level of the navigation: each entry's title and where it leads."""
    if id(items) not in levels:
        entries = [[item.title, getattr(item, "url", None) or _first_url(item)] for item in items]
        levels[id(items)] = _digest(json.dumps(entries, ensure_ascii=False))
    return levels[id(items)]


def _first_url(item: Any) -> str | None:
    for child in getattr(item, "children", None) or []:
        found = getattr(child, "url", None) or _first_url(child)
        if found:
            return str(found)
    return None


def _nav_digest(nav: Navigation) -> str:
    """Digest the whole navigation: each entry's kind, title, address and front matter, in order."""
    def shape(items: list[Any]) -> list[Any]:
        return [[type(item).__name__, item.title, getattr(item, "url", None), getattr(item, "meta", None),
                 shape(item.children or [])] for item in items]
    return _digest(json.dumps(shape(nav.items), ensure_ascii=False, default=str))


@cache
def _installed() -> list[str]:
    """List every installed distribution and its version: the engine, the theme, any Markdown extension."""
    return sorted({f"{d.metadata['Name']}=={d.version}" for d in distributions()})


def _settings_files(config_file: Path) -> list[Path]:
    """Return the settings file and those it inherits from (`INHERIT:`, each relative to the one naming it)."""
    chain = [config_file]
    while (found := _INHERIT.search(chain[-1].read_text(encoding="utf-8", errors="replace"))) is not None:
        parent = (chain[-1].parent / found[1].strip("'\"")).resolve()
        if parent in chain or not parent.is_file():  # MkDocs itself reports a missing one
            break
        chain.append(parent)
    return chain


_INHERIT = re.compile(r"^INHERIT:[ \t]*([^#\r\n]*?)[ \t]*(?:#.*)?$", re.M)


def _layout(config: MkDocsConfig) -> str:
    """Digest what every page's HTML depends on besides its navigation: settings, theme, engine and this code."""
    settings = Path(config.config_file_path or "mkdocs.yml")
    files = _settings_files(settings) if settings.is_file() else []
    state: list[Any] = [[_digest(path.read_bytes()) for path in files], list(config.extra_javascript),
                        config.extra.get("portal_footer"), list(config.markdown_extensions),
                        code_version(("mkdocs_plugin", "rawhtml"), ()), _installed(),
                        sys.modules[Page.__module__].__file__]  # MkDocs, or ProperDocs standing in for it
    custom = Path(config.theme.custom_dir or "")  # the project's overrides; the installed theme is known by its version
    for path in sorted(custom.rglob("*")) if config.theme.custom_dir else []:
        if path.is_file():
            state.append((path.relative_to(custom).as_posix(), _digest(path.read_bytes())))
    return _digest(json.dumps(state, ensure_ascii=False, default=str))
