"""Build the site all-or-nothing: check everything first, then swap a finished `site/` into place."""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from . import reuse
from .assemble import AGENCY_ID, load_portal
from .cache import Content, Stored, cache_dir, content_bytes, pool
from .charts import ChartCache, Drawing
from .errors import BuildError, UsageError
from .pages import MARKDOWN_EXTENSIONS, SCRIPTS, Site, generate
from .search import handwritten_pages
from .shards import Shard, input_digest, merge, write_marker

if TYPE_CHECKING:  # imported when used: the engine must not load before `use_engine` has chosen it
    from mkdocs.structure.files import File

    from .mkdocs_plugin import PortalPlugin


def use_engine(engine: str) -> None:
    """Publish with MkDocs 1.6 (the default) or ProperDocs, its maintained drop-in fork; call before either loads.

    ProperDocs reads the same mkdocs.yml and loads the same plugins (Material and this portal's):
    its `replacement` module makes every `mkdocs.*` import of this process resolve to `properdocs.*`.
    """
    if engine == "mkdocs":
        return
    if any(name == "mkdocs" or name.startswith("mkdocs.") for name in sys.modules) and "properdocs" not in sys.modules:
        raise UsageError("MkDocs 已經載入，無法在同一個程序中改用 ProperDocs (engine already loaded)")
    try:
        import properdocs.replacement  # noqa: F401
    except ImportError:
        raise UsageError(
            "沒有安裝 ProperDocs：請先執行 .venv/bin/pip install properdocs==1.6.7 (ProperDocs not installed)"
        ) from None


def source_date_epoch(root: Path) -> str | None:
    """Return SOURCE_DATE_EPOCH, defaulting to the last commit's time so builds are reproducible."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def data_dir_of(config_file: Path, settings: Any = None) -> Path:
    """Return the data folder that mkdocs.yml's `portal` plugin reads (from `settings` when already loaded)."""
    from mkdocs.config import load_config

    plugin = (settings or load_config(str(config_file))).plugins["portal"]
    return config_file.resolve().parent / str(dict(plugin.config).get("data_dir", "data"))


class _DirtyNotice(logging.Filter):
    """Drop MkDocs' warning about dirty builds: a part of a sharded build, or one reusing pages, is one on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


@dataclass
class Published:
    """What a build made: the site folder, the generated site, how many pages MkDocs published and how many of them
    were taken unchanged from the last build."""

    target: Path
    site: Site
    pages: int
    reused: int


def build(config_file: Path, site_dir: Path | None = None, shard: Shard | None = None) -> Published:
    """Validate, generate and run a strict MkDocs build; replace `site_dir` only on success.

    Pages whose inputs are unchanged since the last build into the same folder are left as they are, and only
    the files rendered again replace theirs, each at once: a build after one report changed renders only that
    report's pages. The site is the same, byte for byte, as one built afresh.

    With `shard`, write only that part's files (its agencies' pages, or the rest for part 1) but with the whole
    portal's navigation, so that `merge` of every part gives the site a build of all of them gives.
    """
    from mkdocs.config import load_config

    from .mkdocs_plugin import NavigationChanged

    root = config_file.resolve().parent
    epoch = source_date_epoch(root)
    if epoch:
        os.environ["SOURCE_DATE_EPOCH"] = epoch
    settings = load_config(str(config_file))
    target = Path(site_dir or settings.site_dir).resolve()
    cache = cache_dir(root)
    cache.mkdir(parents=True, exist_ok=True)
    spill = Path(tempfile.mkdtemp(prefix="build-", dir=cache))  # the generated pages, for the engine
    # Load, check and generate before any write to the site (a data error stops here), in a child process:
    # its memory (every record, every page's Markdown) is given back before MkDocs starts, unless its workers
    # are still drawing charts. Then MkDocs builds the pages meanwhile, and those charts are copied last.
    stop = multiprocessing.get_context().Event()
    child = pool(1, initializer=_left_running, initargs=(stop,))
    try:
        try:
            site = child.submit(_generate_site, data_dir_of(config_file, settings), root, settings.site_url or "",
                                Path(settings.docs_dir), spill).result()
            drawn = child.submit(_drawn_files, site.pending) if site.pending else None
        except BrokenProcessPool:
            raise BuildError.process_ended() from None
        if drawn is None:
            child.shutdown()
        target.parent.mkdir(parents=True, exist_ok=True)
        previous = reuse.load(cache, target) if shard is None else None
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
        try:
            try:
                plugin = _publish(config_file, staging, site, shard, previous)
            except NavigationChanged:  # a title every page shows changed: render them all
                reuse.empty(staging)
                plugin = _publish(config_file, staging, site, shard, None)
            if drawn is not None:
                _copy_drawn(plugin.later, drawn)
            if shard is not None:
                write_marker(staging, shard, input_digest(site.files.items()))
            else:
                reuse.forget(cache, target)  # the record describes the folder about to be changed
            if plugin.reused:  # the site stays; only what was rendered again replaces its old version
                reuse.apply(staging, target)
            else:
                _swap(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if plugin.built is not None:
            plugin.built.site, plugin.built.stamp = str(target), reuse.stamp(target)
            reuse.save(cache, plugin.built)
    except BaseException:
        stop.set()  # the charts still being drawn are not waited for
        raise
    finally:
        child.shutdown()
        shutil.rmtree(spill, ignore_errors=True)
    return Published(target, site, len(plugin.pages), plugin.reused)


def _copy_drawn(files: list[File], drawn: Future[dict[str, Content]]) -> None:
    """Wait for the charts still being drawn, then copy those MkDocs left to copy into the site it built."""
    if not drawn.done():
        logging.getLogger("generator").info("圖表：網站已建置，等待背景繪製完成……")
    try:
        contents = drawn.result()
    except BrokenProcessPool:
        raise BuildError.process_ended() from None
    for file in files:
        content = contents[file.src_uri]
        os.makedirs(os.path.dirname(file.abs_dest_path), exist_ok=True)
        if isinstance(content, Stored):
            shutil.copyfile(content.path, file.abs_dest_path)
        else:
            Path(file.abs_dest_path).write_bytes(content_bytes(content))


def _publish(
    config_file: Path, staging: Path, site: Site, shard: Shard | None, previous: reuse.Built | None
) -> PortalPlugin:
    """Run MkDocs, strict, on the generated site into `staging`; return the portal plugin that took part."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    from .mkdocs_plugin import PortalPlugin

    config = load_config(str(config_file), site_dir=str(staging), strict=True)
    plugin = config.plugins["portal"]
    assert isinstance(plugin, PortalPlugin)
    plugin.site = site
    plugin.shard = shard
    plugin.previous = previous
    plugin.record = shard is None and not {"search", "material/search"} & set(config.plugins)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    notice = _DirtyNotice()
    logging.getLogger("mkdocs.commands.build").addFilter(notice)
    try:
        mkdocs_build(config, dirty=shard is not None or previous is not None)
    except (Abort, ConfigurationError, PluginError) as exc:
        raise BuildError(str(exc)) from None
    finally:
        logging.getLogger("mkdocs.commands.build").removeFilter(notice)
    return plugin


class _Left:
    """What the child process of `build` keeps between its tasks: the drawing its workers go on with after the
    site is generated, and the parent's signal to stop waiting for it (a failed build)."""

    drawing: Drawing | None = None
    stop: Any = None  # a multiprocessing Event, given when the process starts


def _left_running(stop: Any) -> None:
    """Keep the build's signal to stop (run as the child process starts)."""
    _Left.stop = stop


def _generate_site(data_dir: Path, root: Path, site_url: str, docs_dir: Path, spill: Path) -> Site:
    """Load and check every record, then write the site's pages and data into `spill` (run in a child process).

    Charts still being drawn when the pages are done are left to this process's workers (`_drawn_files`).
    """
    cache = cache_dir(root)
    portal = load_portal(data_dir, root, cache_dir=cache / "records")
    charts = ChartCache(cache / "charts")
    _Left.drawing = Drawing(cache_=charts)
    site = generate(portal, cache=charts, site_url=site_url, handwritten=handwritten_pages(docs_dir), spill=spill,
                    keep=cache / "pages", drawing=_Left.drawing)
    # This process only sends the site back and waits for its workers: a pass of the cycle collector over the
    # records, which generation has unfrozen, would take longer than sending it.
    gc.disable()
    return site


def _drawn_files(pending: dict[str, str]) -> dict[str, Content]:
    """Wait for the charts still being drawn and return the files of `site.pending` by path (in the child process);
    nothing when the build has failed meanwhile."""
    drawing = _Left.drawing
    assert drawing is not None
    while not drawing.ready(0.2):
        if _Left.stop is not None and _Left.stop.is_set():
            drawing.close()
            return {}
    drawn, _ = drawing.finish()
    return {path: drawn[chart].svg if path == chart else drawn[chart].png for path, chart in pending.items()}


def merge_parts(parts: list[Path], target: Path) -> int:
    """Merge the parts of a sharded build into `target`, replacing it only when every part is there and agrees."""
    for part in parts:
        if not part.is_dir():
            raise UsageError(f"找不到分片資料夾 {part}")
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    try:
        count = merge(parts, staging)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _swap(new: Path, target: Path) -> None:
    """Put `new` where `target` is, keeping the old tree until the new one is in place."""
    new.chmod(0o755)
    if not target.exists():
        new.rename(target)
        return
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def export(data_dir: Path, root: Path, out_dir: Path, config_file: Path | None = None) -> int:
    """Write the generated pages and charts as plain files for any static-site engine.

    With `config_file` (portal export --site), write a whole project another engine can build instead:
    `docs/` with the generated files, the hand-written pages and the stylesheet, and an `mkdocs.yml` with
    the same settings and navigation but no portal plugin and no Material-only template overrides
    (Zensical, which has no plugin API, builds it as it is).
    """
    resolved = out_dir.resolve()
    for forbidden in (data_dir.resolve(), (root / "content").resolve()):
        if resolved == forbidden or forbidden in resolved.parents:
            raise UsageError(f"不可輸出到 {forbidden.name}/ 之內 (refusing to write into {forbidden})")
    cache = cache_dir(root)
    docs_dir = root / "content"
    if config_file is not None:
        docs_dir = root / str((yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}).get("docs_dir", "docs"))
    site = generate(load_portal(data_dir, root, cache_dir=cache / "records"), cache=ChartCache(cache / "charts"),
                    handwritten=handwritten_pages(docs_dir))
    files: dict[str, Content] = dict(site.files)
    docs = out_dir
    if config_file is not None:
        docs = out_dir / "docs"
        settings = _engine_settings(config_file, site)
        for extra in ("docs_dir", "theme"):
            folder = Path(str(settings.pop(f"_{extra}")))
            files.update({p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
                          if p.is_file() and p.suffix != ".html"})  # not the theme's template overrides
        (out_dir / "mkdocs.yml").parent.mkdir(parents=True, exist_ok=True)
        (out_dir / "mkdocs.yml").write_text(
            yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    for path, content in files.items():
        dest = docs / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Stored):
            shutil.copyfile(content.path, dest)
        else:
            dest.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return len(files)


def _engine_settings(config_file: Path, site: Site) -> dict[str, Any]:
    """Return mkdocs.yml's settings for an engine without plugins: the generated navigation, no template overrides."""
    settings: dict[str, Any] = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    root = config_file.resolve().parent
    theme = dict(settings.get("theme") or {})
    settings["_docs_dir"] = root / str(settings.get("docs_dir", "docs"))
    settings["_theme"] = root / str(theme.pop("custom_dir", "theme"))  # its stylesheet goes into docs/
    settings.update(docs_dir="docs", site_dir="site", theme=theme)
    settings["nav"] = [entry.to_mkdocs() for entry in site.nav] + list(settings.get("nav") or [])
    settings["extra_javascript"] = [*list(settings.get("extra_javascript") or []), *SCRIPTS]
    extensions = list(settings.get("markdown_extensions") or [])
    named = {next(iter(e)) if isinstance(e, dict) else e for e in extensions}
    settings["markdown_extensions"] = extensions + [e for e in MARKDOWN_EXTENSIONS if e not in named]
    for key in ("plugins", "watch", "validation"):
        settings.pop(key, None)
    return settings


def serve(config_file: Path, dev_addr: str, announce: Callable[[str], None], agencies: Sequence[str] = ()) -> None:
    """Preview the site whatever the state of the data, rebuilding only the pages an edit changed.

    With `agencies`, preview only those agencies' pages, so that an edit shows as fast in a national portal
    as in a one-agency site.
    """
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.config.base import ValidationError
    from mkdocs.config.config_options import IpAddress

    from . import mkdocs_plugin

    try:
        host, port = IpAddress().run_validation(dev_addr)
    except ValidationError:
        raise UsageError(f"預覽位址「{dev_addr}」的寫法不對；請寫成 主機:埠，例如 127.0.0.1:8000") from None
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise UsageError(f"無法使用 {host}:{port}（可能已有另一個預覽在執行）；"
                             f"請關掉它，或換一個埠：portal serve -a {host}:{port + 1}") from None
    data = data_dir_of(config_file)
    chosen = tuple(dict.fromkeys(agencies))
    for agency in chosen:
        if not AGENCY_ID.fullmatch(agency):  # not echoed: it could hold anything, a terminal escape included
            raise UsageError("--agency 後面要寫機關代號，也就是 data/ 裡機關資料夾的名稱"
                             "（只用小寫英文、數字與 -，例如 kcg-ethics）")
        if not (data / agency / "agency.yml").is_file():
            known = sorted(p.parent.name for p in data.glob("*/agency.yml"))
            shown = "、".join(known[:10]) + (f" 等 {len(known)} 個" if len(known) > 10 else "")
            raise UsageError(f"找不到機關「{agency}」：{data.name}/{agency}/agency.yml 不存在。"
                             + (f"可預覽的機關代號：{shown}" if known else f"{data.name}/ 裡還沒有任何機關"))
    mkdocs_plugin.PREVIEW = mkdocs_plugin.Preview(agencies=chosen)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # its English progress and the dirty-build warning
    if chosen:
        announce(f"只預覽機關 {'、'.join(chosen)}；其他機關不讀取、不檢查（正式建置前請執行 portal check）")
    announce(f"預覽網址：http://{host}:{port}/（存檔後自動更新；按 Ctrl+C 結束）")
    try:
        mkdocs_serve(config_file=str(config_file), livereload=True, dev_addr=dev_addr, build_type="dirty",
                     watch=[str(data / agency) for agency in chosen] or [str(data)])
    finally:
        mkdocs_plugin.PREVIEW = None
