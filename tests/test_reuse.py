"""A build takes the pages an edit left alone from the last build: the site must equal one built afresh (SYNTHETIC)."""
from __future__ import annotations

import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.structure.files import File
from test_shards import _synth

import generator.build
import generator.charts
from conftest import EPOCH, FIXTURES, ROOT, copy_data, write_config
from generator import reuse
from generator.assemble import load_portal
from generator.build import build
from generator.cache import Content
from generator.errors import BuildError
from generator.mkdocs_plugin import _Generated
from generator.pages import generate

REPORT = Path("demo") / "reports" / "111-h1.yml"


@pytest.fixture(autouse=True)
def _epoch() -> Iterator[None]:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    yield
    logging.getLogger("mkdocs").setLevel(logging.NOTSET)


def _project(tmp_path: Path) -> Path:
    """Write a project of the SYNTHETIC fixture with its own hand-written pages and cache; return its mkdocs.yml."""
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return write_config(tmp_path, data, tmp_path / "content")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _edit(tmp_path: Path, edit: str) -> None:
    report = tmp_path / "data" / REPORT
    text = report.read_text(encoding="utf-8")
    if edit == "figure":  # a corrected figure: its value, its quote and the sentence quoting it
        text = text.replace("value: 12", "value: 13", 1).replace("說明會12場次", "說明會13場次")
    elif edit == "title":  # an indicator's name is its page's title, in the navigation of every page
        indicators = tmp_path / "data" / "demo" / "indicators.yml"
        indicators.write_text(indicators.read_text(encoding="utf-8").replace(
            "name: 說明會", "name: 說明會場次", 1), encoding="utf-8")
    elif edit == "handwritten":
        about = tmp_path / "content" / "about.md"
        about.write_text(about.read_text(encoding="utf-8") + "\n新增的一段說明。\n", encoding="utf-8")
    report.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("edit", ["figure", "title", "handwritten", "nothing"])
def test_a_build_after_an_edit_equals_a_build_afresh(tmp_path: Path, edit: str) -> None:
    config = _project(tmp_path / "edited")
    site, pages = tmp_path / "edited" / "site", build(config).pages
    before = _tree(site)
    _edit(tmp_path / "edited", edit)
    reused = build(config).reused
    again = tmp_path / "again"  # the same project without its cache: every page and chart made again
    shutil.copytree(tmp_path / "edited", again, ignore=shutil.ignore_patterns(".cache", "site"))
    afresh = build(write_config(again, again / "data", again / "content"))
    assert afresh.reused == 0
    assert _tree(site) == _tree(again / "site")
    if edit == "nothing":
        assert reused == pages
        assert _tree(site) == before
    elif edit == "title":
        assert reused == 0  # every page shows the new title in its navigation
    else:
        assert 0 < reused < pages
        assert _tree(site) != before


def test_a_change_to_settings_inherited_from_another_file_renders_every_page_again(tmp_path: Path) -> None:
    config = _project(tmp_path)
    shared = tmp_path / "settings" / "shared.yml"  # settings an agency keeps in common with others
    shared.parent.mkdir()
    config.rename(shared)
    config.write_text("INHERIT: 'settings/shared.yml'  # the shared settings\n", encoding="utf-8")
    pages = build(config).pages
    assert build(config).reused == pages
    settings, name = shared.read_text(encoding="utf-8"), "高雄市政府政風處 施政透明網"
    assert settings.count(f"site_name: {name}") == 1
    renamed = settings.replace(f"site_name: {name}", "site_name: 高雄市政府政風處 施政公開網")
    shared.write_text(renamed, encoding="utf-8")
    assert build(config).reused == 0  # every page shows the site's name
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>高雄市政府政風處 施政公開網</title>" in home


def test_a_build_reusing_pages_never_writes_into_the_files_of_the_site_it_replaces(tmp_path: Path) -> None:
    config = _project(tmp_path)
    build(config)
    site = tmp_path / "site"
    before = _tree(site)
    witness = tmp_path / "witness"  # the same files, as a server still serving the old site holds them
    shutil.copytree(site, witness, copy_function=os.link)
    _edit(tmp_path, "figure")
    assert build(config).reused > 0
    assert _tree(witness) == before


def test_a_page_missing_from_the_last_build_is_rendered_again(tmp_path: Path) -> None:
    config = _project(tmp_path)
    build(config)
    site = tmp_path / "site"
    whole = _tree(site)
    (site / "demo" / "indicators" / "index.html").unlink()
    build(config)
    assert _tree(site) == whole


def test_a_site_changed_since_the_last_build_is_built_whole(tmp_path: Path) -> None:
    config = _project(tmp_path)
    build(config)
    (tmp_path / "site" / reuse.STAMPED).write_text("<urlset/>", encoding="utf-8")  # not as the build left it
    assert build(config).reused == 0


def test_a_failed_build_keeps_the_site_and_its_record(tmp_path: Path) -> None:
    config = _project(tmp_path)
    build(config)
    site = tmp_path / "site"
    whole = _tree(site)
    about = tmp_path / "content" / "about.md"
    good = about.read_text(encoding="utf-8")
    about.write_text(good + "\n[壞連結](missing.md)\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build(config)
    assert _tree(site) == whole
    about.write_text(good, encoding="utf-8")
    assert build(config).reused > 0  # the record still describes the site
    assert _tree(site) == whole


def test_a_damaged_cache_of_pages_is_made_again_and_gives_the_same_site(tmp_path: Path) -> None:
    config = _project(tmp_path)
    build(config)
    whole = _tree(tmp_path / "site")
    for entry in (tmp_path / ".cache" / "pages").glob("*.pickle"):
        entry.write_bytes(b"damaged")
    build(config, tmp_path / "again")
    assert _tree(tmp_path / "again") == whole


def test_a_build_after_one_agency_changed_equals_a_build_afresh_of_the_whole_portal(tmp_path: Path) -> None:
    edited = tmp_path / "edited"
    _synth().write_portal(edited / "data", 3, 2)  # SYNTHETIC: 3 agencies x 2 years
    config = write_config(edited, edited / "data")
    first = build(config)
    pages = first.pages
    report = sorted((edited / "data").glob("*/reports/*.yml"))[1]
    text = report.read_text(encoding="utf-8")  # a corrected figure: its value, its quote and the sentence quoting it
    found = re.search(r"^( +)value: (\d+)\n((?:\1\w+: .*\n)*?)\1quote: (.*)$", text, re.M)
    assert found is not None
    value, quote = found[2], found[4]
    edited_quote = quote.replace(value, str(int(value) + 1), 1)
    figure = found[0].replace(f"value: {value}", f"value: {int(value) + 1}", 1)
    report.write_text((text[:found.start()] + figure + text[found.end():]).replace(quote, edited_quote),
                      encoding="utf-8")
    second = build(config)
    assert 0 < second.reused < pages
    # Only the edited agency was described again: the others' charts are kept as files with their pages.
    assert {path.split("/")[0] for path in second.site.charts} == {report.parent.parent.name}
    assert second.site.stats.drawn + second.site.stats.cached == first.site.stats.drawn + first.site.stats.cached
    again = tmp_path / "again"
    shutil.copytree(edited / "data", again / "data")
    build(write_config(again, again / "data"))
    assert _tree(edited / "site") == _tree(again / "site")


@given(st.lists(st.text(alphabet="ab.\\/_-年度 ", min_size=1, max_size=6), min_size=1, max_size=4))
def test_a_generated_file_gets_the_source_path_mkdocs_would_give_it(parts: list[str]) -> None:
    value = "/".join(parts)
    mine, theirs = _Generated.__new__(_Generated), File.__new__(File)
    mine.src_path, theirs.src_path = value, value
    assert mine.src_uri == theirs.src_uri
    assert mine.src_path == theirs.src_path


@pytest.fixture
def copied_last(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Leave charts to workers from the second one missing, so that builds go on drawing while MkDocs renders;
    return the files each build copies into the site once drawn."""
    monkeypatch.setattr(generator.charts, "PARALLEL_FROM", 1)
    monkeypatch.setattr(generator.charts, "CHUNK", 2)
    copied: list[str] = []
    real = generator.build._copy_drawn

    def copy(files: list[File], drawn: Future[dict[str, Content]]) -> None:
        copied.extend(file.src_uri for file in files)
        real(files, drawn)

    monkeypatch.setattr(generator.build, "_copy_drawn", copy)
    return copied


def test_charts_drawn_while_mkdocs_builds_are_copied_into_the_site_last(
    tmp_path: Path, copied_last: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path / "edited")
    first = build(config)
    drawn = first.site.stats.drawn_files
    assert len(drawn) > 2
    assert sorted(copied_last) == sorted(first.site.pending)
    assert set(first.site.pending.values()) == set(drawn)  # each chart drawn, as SVG and PNG
    assert len(first.site.pending) == 2 * len(drawn)
    copied_last.clear()
    _edit(tmp_path / "edited", "figure")
    second = build(config)
    assert second.reused > 0 and second.site.stats.drawn_files == ["demo/indicators/briefings/series.svg"]
    assert copied_last == [] and second.site.pending == {}  # one chart is drawn before MkDocs starts
    # The same project without its cache, every chart drawn before MkDocs starts.
    monkeypatch.setattr(generator.charts.Drawing, "promise", lambda self: None)
    again = tmp_path / "again"
    shutil.copytree(tmp_path / "edited", again, ignore=shutil.ignore_patterns(".cache", "site"))
    copied_last.clear()
    build(write_config(again, again / "data", again / "content"))
    assert copied_last == []
    assert _tree(tmp_path / "edited" / "site") == _tree(again / "site")


def test_a_build_failing_while_charts_are_drawn_stops_drawing_and_keeps_the_site(
    tmp_path: Path, copied_last: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old site", encoding="utf-8")
    about = tmp_path / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n[壞連結](missing.md)\n", encoding="utf-8")
    real = generator.charts.draw

    def slow(chart: generator.charts.Chart) -> generator.charts.Drawn:
        time.sleep(1)  # every chart would take the workers seconds longer than MkDocs takes to fail
        return real(chart)

    monkeypatch.setattr(generator.charts, "draw", slow)
    with pytest.raises(BuildError, match="in strict mode"):
        build(config)
    assert _tree(site) == {"index.html": b"old site"}
    assert copied_last == []
    # The build did not wait for every chart: the workers were stopped after the chunks they had begun.
    monkeypatch.undo()
    wanted = {chart.key() for chart in generate(load_portal(tmp_path / "data", tmp_path)).charts.values()}
    drawn = {path.stem for path in (tmp_path / ".cache" / "charts").glob("*.png")}
    assert 0 < len(drawn) < len(wanted) and drawn < wanted


def _die(*args: object) -> None:
    os._exit(9)  # as the kernel's out-of-memory killer ends a process


def test_a_generation_process_that_dies_gives_advice_and_keeps_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old site", encoding="utf-8")
    monkeypatch.setattr(generator.build, "_generate_site", _die)
    with pytest.raises(BuildError) as raised:
        build(config)
    assert raised.value.report() == ("網站建置失敗，原有的網站沒有變動 (build failed, site/ left as it was):\n"
                                     "產生頁面的程序意外結束（可能是記憶體不足）；請關掉其他程式後再試一次。")
    assert _tree(site) == {"index.html": b"old site"}
