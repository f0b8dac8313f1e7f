"""Shared helpers: the repository paths, running the CLI, and building a site into a temp folder."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

from generator.model import AgencyData, Sourced

# Property tests are reproducible: the same examples every run (HYPOTHESIS_PROFILE=explore to search anew).
settings.register_profile("repeatable", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EPOCH = "1700000000"


def run_portal(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `portal` command the way a person would, capturing its output."""
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args], cwd=cwd, capture_output=True, text=True, env=full_env
    )


def write_config(folder: Path, data_dir: Path, docs_dir: Path | None = None) -> Path:
    """Write an mkdocs.yml in `folder` like the repository's, reading `data_dir` and `docs_dir`."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(docs_dir or ROOT / "content")
    config["theme"]["custom_dir"] = str(ROOT / "theme")
    config["site_dir"] = str(folder / "site")
    config["watch"] = [str(data_dir)]
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "portal" in plugin:
            plugin["portal"]["data_dir"] = str(data_dir)
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def held_records(agency: AgencyData) -> list[str]:
    """List the files of an agency whose record is held in memory (read from the cache, or held without one)."""
    files: list[Sourced[Any]] = [*agency.plans, *agency.reports]
    return sorted(Path(s.path).name for s in files if "record" in vars(s) or type(s) is Sourced)


def copy_data(source: Path, target: Path, *overlays: Path) -> Path:
    """Copy a data tree into `target`, then lay each overlay folder over it."""
    shutil.copytree(source, target)
    for overlay in overlays:
        for path in overlay.rglob("*"):
            if not path.is_file() or path.name == "expected.txt":
                continue
            dest = target / path.relative_to(overlay)
            if path.name.startswith("REMOVE-"):  # an overlay that deletes a file
                dest.with_name(path.name.removeprefix("REMOVE-")).unlink()
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the real site once per test session and return its folder."""
    site = tmp_path_factory.mktemp("real") / "site"
    result = run_portal("build", "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    return site
