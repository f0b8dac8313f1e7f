"""`portal serve` rebuilds only what an edit changed: the result must equal a preview built from scratch (SYNTHETIC)."""
from __future__ import annotations

import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import EPOCH, FIXTURES, copy_data, write_config
from generator import mkdocs_plugin
from generator.build import build as build_site
from generator.cache import Stored
from generator.errors import DataError, Problem


@pytest.fixture
def preview() -> Iterator[mkdocs_plugin.Preview]:
    """Run builds as `portal serve` does, with the state it keeps between them."""
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    mkdocs_plugin.PREVIEW = mkdocs_plugin.Preview()
    yield mkdocs_plugin.PREVIEW
    mkdocs_plugin.PREVIEW = None


def _build(config: Path, site: Path) -> None:
    build(load_config(str(config), site_dir=str(site)), dirty=True, serve_url="http://127.0.0.1:8000/")


def _differences(left: Path, right: Path) -> list[str]:
    """List the files that exist on one side only or differ in more than the blank lines between tags.

    Material writes a blank line for each page of a collapsed section of the navigation: a page whose
    neighbouring section lost a page differs only in those, so a preview does not render it again.
    """
    found: list[str] = []
    paths = {p.relative_to(left) for p in left.rglob("*")} | {p.relative_to(right) for p in right.rglob("*")}
    for path in sorted(paths):
        one, other = left / path, right / path
        if one.is_dir() and other.is_dir():
            continue
        if not (one.is_file() and other.is_file()) or _tidy(one) != _tidy(other):
            found.append(path.as_posix())
    return found


def _tidy(path: Path) -> bytes:
    data = path.read_bytes()
    return re.sub(rb">\s+<", b"><", data) if path.suffix == ".html" else data


@pytest.mark.parametrize("edit", ["relabel", "break", "break-then-fix", "save-unchanged", "cache-swept"])
def test_a_rebuild_after_an_edit_equals_a_preview_built_afresh(
    preview: mkdocs_plugin.Preview, tmp_path: Path, edit: str
) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    config = write_config(tmp_path, data)
    report = data / "demo" / "reports" / "111-h1.yml"
    original = report.read_text(encoding="utf-8")
    _build(config, tmp_path / "incremental")
    generated = preview.memo.agencies["demo"][1]
    if edit == "relabel":
        report.write_text(original.replace("label: 說明會", "label: 說明會（場次）", 1), encoding="utf-8")
    elif edit == "save-unchanged":  # the agency's pages are taken from the last generation
        report.write_text(original, encoding="utf-8")
    elif edit == "cache-swept":  # the kept pages were removed meanwhile (by hand, or by another preview)
        shutil.rmtree(tmp_path / ".cache" / "preview")
    else:
        report.write_text(original.replace("year: 111", "year: [111", 1), encoding="utf-8")
    _build(config, tmp_path / "incremental")
    if edit == "break-then-fix":
        report.write_text(original, encoding="utf-8")
        _build(config, tmp_path / "incremental")
    rebuilt = preview.rebuilt
    mkdocs_plugin.PREVIEW = mkdocs_plugin.Preview()
    _build(config, tmp_path / "fresh")
    assert _differences(tmp_path / "incremental", tmp_path / "fresh") == []
    # A whole build generates in a child process: the agency's pages come back equal, as files of the page store.
    # (That an agency whose records are unchanged is not made again is tested in test_kept.py.)
    kept = preview.memo.agencies["demo"][1] if "demo" in preview.memo.agencies else None
    assert kept is None or all(os.path.isfile(c.path) for c in kept.files.values() if isinstance(c, Stored))
    if edit in ("save-unchanged", "cache-swept"):
        assert rebuilt == 0  # kept, or generated again the same
        assert kept == generated
    else:
        assert 0 < rebuilt < mkdocs_plugin.PREVIEW.rebuilt  # fewer pages were rendered than in a full build


def test_a_preview_of_one_agency_reads_and_shows_only_that_agency(
    preview: mkdocs_plugin.Preview, tmp_path: Path
) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    (data / "other").mkdir()
    (data / "other" / "agency.yml").write_text("name: [\n", encoding="utf-8")  # would be a problem if it were read
    config = write_config(tmp_path, data)
    mkdocs_plugin.PREVIEW = replace(preview, agencies=("demo",))
    _build(config, tmp_path / "site")
    assert sorted(p.name for p in (tmp_path / "site").iterdir() if p.is_dir() and p.name in ("demo", "other")) == [
        "demo"]
    problems = (tmp_path / "site" / "problems" / "index.html").read_text(encoding="utf-8")
    assert ("<p>本預覽只含機關 <code>demo</code>（portal serve --agency）：其他機關的資料沒有讀取也沒有檢查，"
            "首頁與開放資料也只列出這些機關。正式建置前，請用 portal check 檢查全部資料。</p>") in problems
    assert "資料沒有問題" in problems


def _rebuild(preview: mkdocs_plugin.Preview, config: Path, site: Path) -> bool:
    """Rebuild as `portal serve` does after a save; return whether only the changed pages were rendered."""
    if preview.last is not None and preview.last.refresh():
        return True
    _build(config, site)
    return False


_FIGURE = ("共辦理說明會12場次。", "共辦理說明會13場次。"), ("value: 12", "value: 13"), ("說明會12場次", "說明會13場次")


@pytest.mark.parametrize(("edit", "refreshed"), [
    ("figure", True), ("nothing", True), ("title", False), ("break", False), ("handwritten", False),
    ("settings", False),
])
def test_a_refresh_renders_only_what_changed_and_equals_a_preview_built_afresh(
    preview: mkdocs_plugin.Preview, tmp_path: Path, edit: str, refreshed: bool
) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    docs = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parent.parent / "content", docs)
    config = write_config(tmp_path, data, docs)
    report = data / "demo" / "reports" / "111-h1.yml"
    text = report.read_text(encoding="utf-8")
    _build(config, tmp_path / "incremental")
    full = preview.rebuilt
    if edit == "figure":
        for old, new in _FIGURE:
            text = text.replace(old, new, 1)
    elif edit == "title":  # the indicator's page is titled with its name, and every page's navigation shows it
        indicators = data / "demo" / "indicators.yml"
        indicators.write_text(indicators.read_text(encoding="utf-8").replace("name: 說明會", "name: 說明會場次", 1),
                              encoding="utf-8")
    elif edit == "break":  # its pages go, and a page showing the mistake comes
        text = text.replace("year: 111", "year: [111", 1)
    elif edit == "handwritten":
        about = docs / "about.md"
        about.write_text(about.read_text(encoding="utf-8") + "\n另有說明。\n", encoding="utf-8")
    elif edit == "settings":
        settings = yaml.safe_load(config.read_text(encoding="utf-8"))
        settings["site_name"] += "（新）"
        config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    report.write_text(text, encoding="utf-8")
    assert _rebuild(preview, config, tmp_path / "incremental") is refreshed
    rebuilt = sorted(preview.built)
    assert _rebuild(preview, config, tmp_path / "incremental")  # and the next save is refreshed again
    assert preview.rebuilt == 0
    mkdocs_plugin.PREVIEW = mkdocs_plugin.Preview()
    _build(config, tmp_path / "fresh")
    assert _differences(tmp_path / "incremental", tmp_path / "fresh") == []
    if edit == "figure":
        assert rebuilt == ["demo/indicators/briefings/", "demo/reports/111-h1/"]  # the report, its indicator
        assert "說明會13場次" in (tmp_path / "incremental" / "demo" / "reports" / "111-h1" / "index.html").read_text(
            encoding="utf-8")
    elif edit == "nothing":
        assert rebuilt == []
    elif edit == "handwritten":
        assert rebuilt == ["about/"]
    elif edit == "settings":  # every page shows the site's name
        assert len(rebuilt) == full
    else:  # the pages whose navigation shows the new title, or the broken report's neighbours and problems
        assert 0 < len(rebuilt) < full


def test_the_first_build_readies_the_server_for_the_first_save(
    preview: mkdocs_plugin.Preview, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    saved = time.time() - 60  # saved a minute ago
    for path in [data, *data.rglob("*")]:
        os.utime(path, (saved, saved))
    config = write_config(tmp_path, data)
    assert preview.memo.env is None and preview.loads.agencies == {}
    with caplog.at_level(logging.INFO, logger="generator"):
        _build(config, tmp_path / "incremental")
    # Its records loaded and its templates compiled here, although the build made its pages in a child process;
    # and only the build's own line is shown.
    assert preview.memo.env is not None and sorted(preview.loads.agencies) == ["demo"]
    compiled = {key[1] for key in preview.memo.env.cache or {}}
    assert compiled == set(preview.memo.env.list_templates(extensions=["j2"]))  # the kept pages' templates too
    assert [r.getMessage().split("（")[0] for r in caplog.records if r.name == "generator"] == ["預覽已更新"]
    env = preview.memo.env
    report = data / "demo" / "reports" / "111-h1.yml"
    text = report.read_text(encoding="utf-8")
    for old, new in _FIGURE:
        text = text.replace(old, new, 1)
    report.write_text(text, encoding="utf-8")
    assert preview.last is not None and preview.last.refresh()
    assert preview.memo.env is env  # not compiled again


def test_a_first_build_whose_readying_meets_a_problem_leaves_it_to_the_next_save(
    preview: mkdocs_plugin.Preview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = mkdocs_plugin.PortalPlugin._draft

    def failing(plugin: mkdocs_plugin.PortalPlugin, root: Path, cache: Path, config: Any, apart: bool = False) -> Any:
        if not apart:  # the data folder gone meanwhile, say
            raise DataError([Problem("data", 1, 1, "", "找不到資料資料夾 (data directory not found)")])
        return real(plugin, root, cache, config, apart)

    monkeypatch.setattr(mkdocs_plugin.PortalPlugin, "_draft", failing)
    config = write_config(tmp_path, copy_data(FIXTURES / "periods", tmp_path / "data"))
    _build(config, tmp_path / "incremental")
    assert preview.last is not None and preview.memo.env is None  # built, served, and not readied
    assert (tmp_path / "incremental" / "demo" / "reports" / "111-h1" / "index.html").is_file()


def test_a_save_in_portal_serve_refreshes_the_last_build_or_builds_again(
    preview: mkdocs_plugin.Preview, tmp_path: Path
) -> None:
    calls: list[str] = []

    class Server:
        builder: object = None

    class Last:
        def refresh(self) -> bool:
            calls.append("refresh")
            return len(calls) > 2

    (tmp_path / "data").mkdir()
    config = load_config(str(write_config(tmp_path, tmp_path / "data")))
    server = mkdocs_plugin.PortalPlugin().on_serve(
        Server(), config=config, builder=lambda: calls.append("build"))  # type: ignore[arg-type]
    server.builder()  # no build yet to refresh
    preview.last = Last()  # type: ignore[assignment]
    server.builder()
    server.builder()
    assert calls == ["build", "refresh", "build", "refresh"]


def test_a_build_meanwhile_leaves_the_pages_of_a_running_preview(
    preview: mkdocs_plugin.Preview, tmp_path: Path
) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    config = write_config(tmp_path, data)
    settings = load_config(str(config), site_dir=str(tmp_path / "preview"))
    settings.site_url = "http://127.0.0.1:8000/"  # as `portal serve` has it: its pages are not the build's
    build(settings, dirty=True, serve_url=settings.site_url)
    kept = [c.path for _, pages in preview.memo.agencies.values()
            for c in pages.files.values() if isinstance(c, Stored)]
    mkdocs_plugin.PREVIEW = None
    try:
        build_site(config)  # removes from the page store what it did not use
    finally:
        mkdocs_plugin.PREVIEW = preview
    assert kept and all(os.path.isfile(path) for path in kept)
