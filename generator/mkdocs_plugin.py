"""Hand the generated pages and charts to MkDocs: the only module that knows about MkDocs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .assemble import load_portal
from .charts import ChartCache
from .errors import PortalError
from .model import Portal
from .pages import Site, generate
from .vocabulary import load_search_dictionary


class PortalConfig(Config):
    """Options of the `portal` plugin in mkdocs.yml."""

    data_dir = c.Type(str, default="data")
    cache_dir = c.Type(str, default=".cache")


class PortalPlugin(BasePlugin[PortalConfig]):
    """Load and check the records, then add their pages and navigation to the build."""

    def __init__(self) -> None:
        self.site: Site | None = None
        self.portal: Portal | None = None  # set by `portal build`, which has loaded and checked the data already

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Load, validate and generate before MkDocs reads files, and put the pages into the nav."""
        root = Path(config.config_file_path or ".").resolve().parent
        try:
            cache = root / self.config.cache_dir
            portal = self.portal or load_portal(root / self.config.data_dir, root, cache_dir=cache / "records")
            self.portal = None  # `mkdocs serve` must read the data again on the next rebuild
            self.site = generate(portal, cache=ChartCache(cache / "charts"))
        except PortalError as exc:
            # `mkdocs build/serve` have no other way to show staff what to fix.
            raise PluginError("資料有誤，無法建置網站 (data errors):\n" + exc.report()) from None
        load_search_dictionary()
        handwritten: list[Any] = list(config.nav or [])
        config.nav = [entry.to_mkdocs() for entry in self.site.nav] + handwritten
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add every generated page and chart as an in-memory file."""
        assert self.site is not None
        for path, content in self.site.files.items():
            files.append(File.generated(config, path, content=content))
        return files
