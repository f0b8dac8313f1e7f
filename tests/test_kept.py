"""Each agency's pages kept between builds: a damaged or missing entry is made again, an unused one removed."""
from __future__ import annotations

import shutil
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, ROOT, copy_data, held_records
from generator import cache, pages
from generator.assemble import load_portal
from generator.cache import Stored, content_bytes
from generator.charts import ChartCache
from generator.kept import PageStore
from generator.model import AgencyData


def test_pages_kept_under_a_key_come_back_as_files_with_what_was_kept_with_them(tmp_path: Path) -> None:
    store = PageStore(tmp_path)
    kept = store.put("k1", {"a/index.md": "# 甲\n", "a/b/index.md": b"# B\n"}, ("nav", ["home"]))
    assert all(isinstance(content, Stored) for content in kept.values())
    found = PageStore(tmp_path).get("k1")
    assert found is not None
    files, extra = found
    assert {path: content_bytes(content) for path, content in files.items()} == {
        "a/index.md": "# 甲\n".encode(), "a/b/index.md": b"# B\n"}
    assert extra == ("nav", ["home"])
    assert files == kept  # the same files, with the same digests, as when they were kept
    assert PageStore(tmp_path).get("k2") is None


def test_a_damaged_entry_or_a_missing_page_is_made_again(tmp_path: Path) -> None:
    store = PageStore(tmp_path)
    kept = store.put("k1", {"a/index.md": "# 甲\n"}, None)
    (tmp_path / "k1.pickle").write_bytes(b"\x80\x05not a pickle")
    assert PageStore(tmp_path).get("k1") is None
    store.put("k2", {"b/index.md": "# 乙\n"}, None)
    page = store.put("k3", {"c/index.md": "# 丙\n"}, None)["c/index.md"]
    assert isinstance(page, Stored) and isinstance(kept["a/index.md"], Stored)
    Path(page.path).unlink()
    assert PageStore(tmp_path).get("k3") is None
    assert PageStore(tmp_path).get("k2") is not None


def test_a_run_removes_what_it_did_not_use_but_not_what_a_run_at_the_same_time_is_writing(tmp_path: Path) -> None:
    PageStore(tmp_path).put("old", {"a/index.md": "# 舊\n"}, None)
    (tmp_path / ".new.md.123.456").write_bytes(b"being written")
    store = PageStore(tmp_path)
    page = store.put("new", {"a/index.md": "# 新\n"}, None)["a/index.md"]
    store.sweep()
    assert isinstance(page, Stored)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".new.md.123.456", "new.pickle", Path(page.path).name])
    assert PageStore(tmp_path).get("old") is None
    assert PageStore(tmp_path).get("new") is not None


def test_a_preview_holds_the_entries_it_used_in_memory_until_a_file_of_its_own_folder_is_gone(
    tmp_path: Path
) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "charts").mkdir()
    chart = Stored(str(tmp_path / "charts" / "c.svg"), "d")
    (tmp_path / "charts" / "c.svg").write_text("<svg/>", encoding="utf-8")
    remembered: dict[str, Any] = {}
    first = PageStore(tmp_path / "pages", (tmp_path / "charts",), remembered)
    page = first.put("k1", {"a/index.md": "# 甲\n", "a/c.svg": chart}, "extra")["a/index.md"]
    first.put("k2", {"b/index.md": "# 乙\n"}, None)
    assert sorted(remembered) == ["k1", "k2"]
    (tmp_path / "pages" / "k1.pickle").unlink()  # not read again: held in memory
    second = PageStore(tmp_path / "pages", (tmp_path / "charts",), remembered)
    assert second.get("k1") == ({"a/index.md": page, "a/c.svg": chart}, "extra")
    second.forget_unused()
    assert sorted(remembered) == ["k1"]
    assert isinstance(page, Stored)
    Path(page.path).unlink()  # a build meanwhile removed it, as it did not use it
    assert PageStore(tmp_path / "pages", (tmp_path / "charts",), remembered).get("k1") is None


def test_a_file_of_a_shared_folder_is_named_where_it_is_not_copied(tmp_path: Path) -> None:
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "k.svg").write_bytes(b"<svg/>")
    drawn = Stored(str(charts / "k.svg"), "chart-key")
    store = PageStore(tmp_path / "pages", (charts,))
    kept = store.put("k1", {"a/chart.svg": drawn, "a/index.md": "# 甲\n"}, 1)
    assert kept["a/chart.svg"] == drawn
    page = kept["a/index.md"]
    assert isinstance(page, Stored)
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == sorted(["k1.pickle", Path(page.path).name])
    found = PageStore(tmp_path / "pages", (charts,)).get("k1")
    assert found is not None and found[0]["a/chart.svg"] == drawn and found[1] == 1
    (charts / "k.svg").unlink()  # a chart removed from its cache: the entry is made again
    assert PageStore(tmp_path / "pages", (charts,)).get("k1") is None


def test_a_new_version_of_a_library_that_draws_the_charts_makes_every_agency_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal = load_portal(ROOT / "data", ROOT, cache_dir=tmp_path / "records")  # records with their digests
    made: list[str] = []
    describe = pages._describe

    def described(agency: AgencyData, site_url: str) -> Any:
        made.append(agency.id)
        return describe(agency, site_url)

    monkeypatch.setattr(pages, "_describe", described)

    def generate() -> list[str]:
        made.clear()
        pages.generate(portal, updated="2023-11-14", cache=ChartCache(tmp_path / "charts"), keep=tmp_path / "pages")
        return sorted(made)

    assert generate() == [a.id for a in portal.agencies]
    assert generate() == []  # all kept
    monkeypatch.setattr("generator.cache.version", lambda name: "99.0" if name == "matplotlib" else version(name))
    cache.package_version.cache_clear()
    try:
        assert generate() == [a.id for a in portal.agencies]
    finally:
        cache.package_version.cache_clear()


def test_an_agency_whose_pages_are_kept_has_none_of_its_records_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    shutil.copytree(data / "demo", data / "other")
    report = data / "demo" / "reports" / "111-h1.yml"
    used: dict[str, list[str]] = {}
    release = pages._Part.release

    def released(part: pages._Part) -> None:  # what each agency's records were, once its pages are written
        used[part.data.id] = held_records(part.data)
        release(part)

    monkeypatch.setattr(pages._Part, "release", released)

    def generate() -> dict[str, list[str]]:
        portal = load_portal(data, tmp_path, cache_dir=tmp_path / "records")
        used.clear()
        pages.generate(portal, updated="2023-11-14", cache=ChartCache(tmp_path / "charts"), keep=tmp_path / "pages")
        # All let go once generation ends.
        assert {agency.id: held_records(agency) for agency in portal.agencies} == {"demo": [], "other": []}
        return used

    every = ["110-h2.yml", "111-h1.yml", "111-h2.yml", "111.yml", "112-h1.yml", "112.yml"]
    assert generate() == {"demo": every, "other": every}
    assert generate() == {"demo": [], "other": []}
    report.write_text(report.read_text(encoding="utf-8").replace("說明會12場次", "說明會13場次").replace(
        "value: 12\n", "value: 13\n", 1), encoding="utf-8")
    # The edited agency's records are read to make its pages again; the other agency's are not read at all.
    assert generate() == {"demo": every, "other": []}


def test_generation_holds_one_agency_s_records_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    for other in ("other", "third"):
        shutil.copytree(data / "demo", data / other)
    portal = load_portal(data, tmp_path, cache_dir=tmp_path / "records")
    seen: list[tuple[str, dict[str, list[str]]]] = []
    describe = pages._describe

    def described(agency: AgencyData, site_url: str) -> Any:
        seen.append((agency.id, {a.id: held_records(a) for a in portal.agencies if a.id != agency.id}))
        return describe(agency, site_url)

    monkeypatch.setattr(pages, "_describe", described)
    site = pages.generate(portal, updated="2023-11-14", cache=ChartCache(tmp_path / "charts"))
    none: list[str] = []
    assert seen == [(agency, {other: none for other in ("demo", "other", "third") if other != agency})
                    for agency in ("demo", "other", "third")]
    assert {agency.id: held_records(agency) for agency in portal.agencies} == {"demo": [], "other": [], "third": []}
    # Let go and read again, the records give the same site as records held throughout (no cache).
    held = pages.generate(load_portal(data, tmp_path), updated="2023-11-14")
    assert {path: content_bytes(content) for path, content in site.files.items()} == {
        path: content_bytes(content) for path, content in held.files.items()}
