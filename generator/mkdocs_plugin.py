"""Hand the generated pages and charts to MkDocs: the only module that knows about MkDocs."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .assemble import load_portal, load_what_passes
from .cache import Stored, content_digest
from .charts import ChartCache
from .drafts import BANNER_SCRIPT, NAV_TITLE, PROBLEMS_PAGE, preview_files
from .errors import PortalError
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
    built: set[str] = field(default_factory=set)  # pages rendered by the current build
    rebuilt: int = 0  # how many pages the last build rendered
    problems: int = 0  # how many problems the data had at the last build
    memo: Memo = field(default_factory=Memo)  # each agency's pages, kept while its records are unchanged
    agencies: tuple[str, ...] = ()  # `portal serve --agency`: preview only these agencies (all when empty)


# Set by `portal serve`. MkDocs makes a new plugin for every rebuild, so the state lives here.
PREVIEW: Preview | None = None


class _Generated(File):
    """A generated file that MkDocs rewrites only when its content changed since the last preview build."""

    modified = True

    def is_modified(self) -> bool:
        """Tell MkDocs' dirty build whether to render and write this file again."""
        return self.modified


class PortalPlugin(BasePlugin[PortalConfig]):
    """Load and check the records, then add their pages and navigation to the build."""

    def __init__(self) -> None:
        self.site: Site | None = None  # set by `portal build`, which has generated it in a child process
        self.shard: Shard | None = None  # set by `portal build --shard`: write only this part's files
        self.digests: dict[str, str] = {}
        self.pages: list[File] = []
        self.started = time.monotonic()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Load, validate and generate before MkDocs reads files, and put the pages into the nav."""
        self.started = time.monotonic()
        root = Path(config.config_file_path or ".").resolve().parent
        cache = root / self.config.cache_dir
        try:
            if PREVIEW is not None:
                self.site = self._draft(root, cache, config)
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
        if PREVIEW is not None:
            self._start_preview(PREVIEW, config)
        return config

    def _draft(self, root: Path, cache: Path, config: MkDocsConfig) -> Site:
        """Generate what passes its checks, plus the problems page and banner of the preview."""
        assert PREVIEW is not None
        portal, problems = load_what_passes(root / self.config.data_dir, root, cache_dir=cache / "records",
                                            agencies=PREVIEW.agencies)
        site = generate(portal, cache=ChartCache(cache / "charts"), memo=PREVIEW.memo, site_url=config.site_url or "",
                        handwritten=handwritten_pages(Path(config.docs_dir)))
        site.files.update(preview_files(problems, root, PREVIEW.agencies))
        site.nav.insert(1, NavEntry(NAV_TITLE, PROBLEMS_PAGE))
        config.extra_javascript.append(BANNER_SCRIPT)
        PREVIEW.problems = len(problems)
        return site

    def _start_preview(self, preview: Preview, config: MkDocsConfig) -> None:
        """Start afresh when what every page shows (settings, theme) changed since the last preview build."""
        assert self.site is not None
        self.digests = {path: content_digest(content) for path, content in self.site.files.items()}
        layout = _digest(json.dumps(_theme_state(config), ensure_ascii=False, default=str))
        if layout != preview.layout:
            preview.written.clear()
            preview.contexts.clear()
            preview.entries.clear()
            preview.layout = layout
            _empty(Path(config.site_dir))
        preview.built = set()

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add every generated page and chart: in memory, or (drawn charts) the file in the chart cache."""
        assert self.site is not None
        for path, content in self.site.files.items():
            kind = File if PREVIEW is None else _Generated
            if isinstance(content, Stored):
                generated = kind.generated(config, path, abs_src_path=str(content.path))
            else:
                generated = kind.generated(config, path, content=content)
            if PREVIEW is not None and isinstance(generated, _Generated):
                generated.modified = (
                    PREVIEW.written.get(path) != self.digests[path] or not os.path.exists(generated.abs_dest_path)
                )
            files.append(generated)
        self.pages = list(files.documentation_pages())
        if self.shard is not None:  # a dirty build renders and copies only the files whose `is_modified` is true
            for file in files:
                mine = self.shard.owns(file.src_uri, self.site.agencies)
                file.is_modified = partial(bool, mine)  # type: ignore[method-assign]
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """In a preview, mark for rebuilding each page whose content or surrounding navigation changed."""
        if PREVIEW is None and self.shard is None:
            return nav
        for file in self.pages:  # every title, so that the navigation of the pages rendered is whole
            if file.page is not None:
                file.page.read_source(config)
        if PREVIEW is None:
            return nav
        contexts = {}
        for file in self.pages:
            if file.page is None:
                continue
            context = contexts[file.src_uri] = _nav_context(file.page, nav)
            if PREVIEW.contexts.get(file.src_uri) == context and not file.is_modified():
                continue
            if isinstance(file, _Generated):
                file.modified = True
            else:  # a hand-written page: MkDocs compares its time with the output's
                Path(file.abs_dest_path).unlink(missing_ok=True)
        PREVIEW.contexts = contexts
        return nav

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
        preview.rebuilt = len(preview.built)
        state = f"資料有 {preview.problems:,} 個問題，見「{NAV_TITLE}」頁。" if preview.problems else "資料沒有問題。"
        log.info(f"預覽已更新（{time.monotonic() - self.started:.1f} 秒，重新產生 {preview.rebuilt:,} 頁）；{state}")


def _output(path: str) -> str:
    """Return where a generated file is written in the site (pages as folder/index.html)."""
    if not path.endswith(".md"):
        return path
    stem = path[:-3]
    return f"{stem}.html" if stem == "index" or stem.endswith("/index") else f"{stem}/index.html"


def _digest(content: str | bytes) -> str:
    return hashlib.sha256(content.encode("utf-8") if isinstance(content, str) else content).hexdigest()


def _nav_context(page: Page, nav: Navigation) -> str:
    """Digest the navigation a page shows (Material prunes it to the open branch) and its previous and next links."""
    shown: list[Any] = [_level(nav.items)]
    parent = page.parent
    while parent is not None:
        shown.append([parent.title, _level(parent.children)])
        parent = parent.parent
    for other in (page.previous_page, page.next_page):
        shown.append([other.url, other.title] if other is not None else None)
    return _digest(json.dumps(shown, ensure_ascii=False))


def _level(items: list[Any]) -> list[Any]:
    """Describe one level of the navigation: each entry's title and where it leads."""
    return [[item.title, getattr(item, "url", None) or _first_url(item)] for item in items]


def _first_url(item: Any) -> str | None:
    for child in getattr(item, "children", None) or []:
        found = getattr(child, "url", None) or _first_url(child)
        if found:
            return str(found)
    return None


def _theme_state(config: MkDocsConfig) -> list[Any]:
    """Return what every page's HTML depends on besides its navigation: the settings and the theme's files."""
    settings = Path(config.config_file_path or "mkdocs.yml")
    state: list[Any] = [_digest(settings.read_bytes()) if settings.is_file() else None, list(config.extra_javascript),
                        config.extra.get("portal_footer")]
    for folder in config.theme.dirs[:1]:  # the project's overrides; the installed theme does not change
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                state.append((path.as_posix(), path.stat().st_mtime_ns))
    return state


def _empty(folder: Path) -> None:
    """Remove what a folder holds, keeping the folder (the preview server serves from it)."""
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
