"""Caches: nothing is drawn or read again unless what it depends on changed (SYNTHETIC periods fixture)."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generator.assemble
import generator.charts
import generator.checked
import generator.pages
from conftest import FIXTURES, ROOT, copy_data, held_records
from generator.assemble import Loads, load_portal, load_what_passes
from generator.cache import Stored, code_version, content_bytes
from generator.charts import ChartCache
from generator.errors import DataError, Problem
from generator.load import Document
from generator.pages import Site, generate
from generator.validate import read_document
from generator.walk import report_figures

ALL_CHARTS = sorted([
    *(f"demo/plans/{year}/budget/budget.svg" for year in (111, 112)),
    *(f"demo/reports/{slug}/figure-2-1.svg" for slug in ("110-h2", "111-h1", "111-h2", "112-h1")),
    "demo/indicators/briefings/series.svg",
    "demo/indicators/complaints/series.svg",
    *(f"demo/budget-history/category-{n}.svg" for n in (1, 2, 3, 4)),
])


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _drawn(data: Path, cache: ChartCache) -> list[str]:
    return generate(load_portal(data, ROOT), updated="2023-11-14", cache=cache).stats.drawn_files


def test_second_build_draws_nothing_and_an_edit_redraws_only_what_depends_on_it(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    cache = ChartCache(tmp_path / ".cache" / "charts")
    assert _drawn(data, cache) == ALL_CHARTS
    assert _drawn(data, cache) == []

    # A breakdown changes but its total does not: only that report's breakdown chart.
    _edit(data / "demo/reports/111-h2.yml", "具名5案，匿名3件", "具名4案，匿名4件")
    _edit(data / "demo/reports/111-h2.yml", "value: 5\n", "value: 4\n")
    _edit(data / "demo/reports/111-h2.yml", "quote: 具名5案", "quote: 具名4案")
    part = "value: {}\n                    unit: 件\n                    quote: 匿名{}件"
    _edit(data / "demo/reports/111-h2.yml", part.format(3, 3), part.format(4, 4))
    assert _drawn(data, cache) == ["demo/reports/111-h2/figure-2-1.svg"]

    # A figure that is an indicator: its report has no chart of it, the indicator's series does.
    _edit(data / "demo/reports/111-h1.yml", "說明會12場次", "說明會13場次")
    _edit(data / "demo/reports/111-h1.yml", "value: 12\n", "value: 13\n")
    assert _drawn(data, cache) == ["demo/indicators/briefings/series.svg"]

    # The largest budget line: that plan's budget chart, the total's comparison, and the comparison of every
    # line, since the largest line sets the scale the lines share.
    _edit(data / "demo/plans/112.yml", "amount: 1100", "amount: 1101")
    _edit(data / "demo/plans/112.yml", "budget: 1100", "budget: 1101")
    _edit(data / "demo/plans/112.yml", "total: 1350", "total: 1351")
    assert _drawn(data, cache) == [
        "demo/budget-history/category-1.svg", "demo/budget-history/category-2.svg",
        "demo/budget-history/category-3.svg", "demo/budget-history/category-4.svg", "demo/plans/112/budget/budget.svg",
    ]
    assert _drawn(data, cache) == []


def test_deleted_or_damaged_chart_cache_is_drawn_again(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    folder = tmp_path / "charts"
    first = _bytes(generate(load_portal(data, ROOT), updated="2023-11-14", cache=ChartCache(folder)))
    for svg in folder.glob("*.svg"):
        svg.write_bytes(b"")  # damaged: no size can be read from it
    again = generate(load_portal(data, ROOT), updated="2023-11-14", cache=ChartCache(folder))
    assert again.stats.drawn_files == ALL_CHARTS
    assert _bytes(again) == first


def _bytes(site: Site) -> dict[str, bytes]:
    return {path: content_bytes(content) for path, content in site.files.items()}


def test_charts_drawn_in_worker_processes_are_the_same_and_cached_by_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal = load_portal(FIXTURES / "periods", ROOT)
    serial = generate(portal, updated="2023-11-14")
    monkeypatch.setattr(generator.charts, "PARALLEL_FROM", 1)  # two workers even for 12 charts
    monkeypatch.setattr(generator.charts, "CHUNK", 5)
    folder = tmp_path / "charts"
    parallel = generate(portal, updated="2023-11-14", cache=ChartCache(folder))
    assert parallel.stats.drawn_files == ALL_CHARTS
    assert _bytes(parallel) == _bytes(serial)
    # Drawn by the workers, the charts stay in the cache folder: the site holds where they are, not their bytes.
    assert {path: type(content).__name__ for path, content in parallel.files.items() if path.endswith((".svg", ".png"))
            } == {path: "Stored" for path in serial.files if path.endswith((".svg", ".png"))}
    assert len(list(folder.glob("*.svg"))) == len(list(folder.glob("*.png"))) == len(ALL_CHARTS)
    assert _drawn(FIXTURES / "periods", ChartCache(folder)) == []


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the display path of every YAML file the loader parses."""
    seen: list[str] = []
    real = read_document

    def counting(path: Path, display: str, problems: list[Problem], data: bytes | None = None) -> Document | None:
        seen.append(display.rsplit("/", 2)[-2] + "/" + display.rsplit("/", 1)[-1])
        return real(path, display, problems, data)

    monkeypatch.setattr(generator.assemble, "read_document", counting)
    monkeypatch.setattr(generator.checked, "read_document", counting)
    return seen


def test_checked_files_are_not_read_again_until_they_change(tmp_path: Path, parsed: list[str]) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    cache = tmp_path / ".cache" / "records"
    first = load_portal(data, ROOT, cache_dir=cache)
    assert parsed == ["demo/agency.yml", "demo/indicators.yml", "plans/111.yml", "plans/112.yml",
                      *(f"reports/{s}.yml" for s in ("110-h2", "111-h1", "111-h2", "112-h1"))]
    parsed.clear()
    second = load_portal(data, ROOT, cache_dir=cache)
    assert parsed == ["demo/agency.yml", "demo/indicators.yml"]  # small, and needed for the cross-checks
    assert second.agencies[0].reports == first.agencies[0].reports
    assert second.agencies[0].plans == first.agencies[0].plans

    parsed.clear()
    _edit(data / "demo/reports/111-h1.yml", "說明會12場次", "說明會13場次")
    _edit(data / "demo/reports/111-h1.yml", "value: 12\n", "value: 13\n")
    load_portal(data, ROOT, cache_dir=cache)
    assert parsed == ["demo/agency.yml", "demo/indicators.yml", "reports/111-h1.yml"]

    parsed.clear()
    _edit(data / "demo/indicators.yml", "辦理說明會的場次。", "辦理說明會的場次（含線上）。")
    load_portal(data, ROOT, cache_dir=cache)
    assert sorted(parsed) == sorted(["demo/agency.yml", "demo/indicators.yml", "plans/111.yml", "plans/112.yml",
                                     *(f"reports/{s}.yml" for s in ("110-h2", "111-h1", "111-h2", "112-h1"))])
    # Plans too: their goals may name indicators, whose units the targets are checked against.


def test_a_record_from_the_cache_is_read_only_when_used_and_keeps_its_place(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    cache = tmp_path / ".cache" / "records"
    first = load_portal(data, ROOT, cache_dir=cache)
    _edit(data / "demo/reports/111-h1.yml", "說明會12場次", "說明會13場次")
    _edit(data / "demo/reports/111-h1.yml", "value: 12\n", "value: 13\n")
    second = load_portal(data, ROOT, cache_dir=cache)
    # Checked, sorted and cross-checked against the indicators without reading the records that passed before;
    # the one checked again is not held either (it is read from the cache when used).
    assert held_records(second.agencies[0]) == []
    assert [s.path for s in second.agencies[0].plans] == [s.path for s in first.agencies[0].plans]
    assert [s.path for s in second.agencies[0].reports] == [s.path for s in first.agencies[0].reports]
    assert second.agencies[0].plans == first.agencies[0].plans  # read when compared
    assert [s.record.year for s in second.agencies[0].plans] == [111, 112]


def test_a_record_whose_cache_entry_went_missing_meanwhile_is_checked_again(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    cache = tmp_path / ".cache" / "records"
    first = load_portal(data, ROOT, cache_dir=cache)
    second = load_portal(data, ROOT, cache_dir=cache)
    for entry in cache.glob("*.pickle"):
        if entry.name != "passed.pickle":
            entry.write_bytes(b"\x80\x05damaged")
    assert second.agencies[0].reports == first.agencies[0].reports
    third = load_portal(data, ROOT, cache_dir=cache)
    (data / "demo/plans/112.yml").write_text("year: [\n", encoding="utf-8")  # and now it has a mistake
    for entry in cache.glob("*.pickle"):
        if entry.name != "passed.pickle":
            entry.unlink()
    assert third.agencies[0].plans[0].record == first.agencies[0].plans[0].record
    with pytest.raises(DataError) as caught:
        third.agencies[0].plans[1].record  # noqa: B018
    assert [(p.file.endswith("/data/demo/plans/112.yml"), p.line) for p in caught.value.problems] == [(True, 2)]


def test_a_damaged_list_of_what_passed_only_checks_everything_again(tmp_path: Path, parsed: list[str]) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    cache = tmp_path / ".cache" / "records"
    first = load_portal(data, ROOT, cache_dir=cache)
    (cache / "passed.pickle").write_bytes(b"\x80\x05damaged")
    parsed.clear()
    assert load_portal(data, ROOT, cache_dir=cache).agencies == first.agencies
    assert len(parsed) == 8
    parsed.clear()
    load_portal(data, ROOT, cache_dir=cache)
    assert parsed == ["demo/agency.yml", "demo/indicators.yml"]


def _age(data: Path, seconds: int = 60) -> None:
    """Date every entry below `data` back, as files saved that long ago are."""
    past = time.time() - seconds
    for path in [data, *data.rglob("*")]:
        os.utime(path, (past, past), follow_symlinks=False)


def _two_agencies(tmp_path: Path) -> Path:
    """Copy the periods fixture (SYNTHETIC) as two agencies, demo and other."""
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    shutil.copytree(data / "demo", data / "other")
    return data


def test_a_preview_takes_an_agency_whose_files_are_unchanged_from_its_last_load(
    tmp_path: Path, parsed: list[str]
) -> None:
    data = _two_agencies(tmp_path)
    cache, loads = tmp_path / ".cache" / "records", Loads()
    _age(data, 0)
    first, _ = load_what_passes(data, ROOT, cache_dir=cache, loads=loads)
    assert loads.agencies == {}  # every file was saved just now: a coarse clock would not show the next save
    _age(data)
    load_what_passes(data, ROOT, cache_dir=cache, loads=loads)
    assert sorted(loads.agencies) == ["demo", "other"]
    parsed.clear()
    second, _ = load_what_passes(data, ROOT, cache_dir=cache, loads=loads)
    assert parsed == []  # not even agency.yml
    assert second.agencies == first.agencies

    _edit(data / "other/reports/111-h1.yml", "說明會12場次", "說明會13場次")
    _edit(data / "other/reports/111-h1.yml", "value: 12\n", "value: 13\n")
    parsed.clear()
    third, problems = load_what_passes(data, ROOT, cache_dir=cache, loads=loads)
    assert parsed == ["other/agency.yml", "other/indicators.yml", "reports/111-h1.yml"]
    assert third.agencies[0] is second.agencies[0]
    assert (third, problems) == load_what_passes(data, ROOT, cache_dir=cache)
    assert [next(at.figure.value for at in report_figures(a.reports[1].record)) for a in third.agencies] == [12, 13]
    parsed.clear()
    load_what_passes(data, ROOT, cache_dir=cache, loads=loads)
    assert parsed == ["other/agency.yml", "other/indicators.yml"]  # saved just now: read until it has settled


def test_an_agency_is_read_again_when_only_a_files_permissions_changed(tmp_path: Path, parsed: list[str]) -> None:
    data = _two_agencies(tmp_path)
    _age(data)
    cache, loads = tmp_path / ".cache" / "records", Loads()
    load_what_passes(data, ROOT, cache_dir=cache, loads=loads)
    (data / "other/reports/111-h1.yml").chmod(0o600)  # neither its size nor its modification time changes
    parsed.clear()
    load_what_passes(data, ROOT, cache_dir=cache, loads=loads)
    assert parsed == ["other/agency.yml", "other/indicators.yml"]


def test_an_agency_whose_folder_holds_a_link_is_always_read_again(tmp_path: Path, parsed: list[str]) -> None:
    data = _two_agencies(tmp_path)
    (data / "demo/indicators.yml").unlink()
    (data / "demo/indicators.yml").symlink_to(Path("..") / "other" / "indicators.yml")
    _age(data)
    cache, loads = tmp_path / ".cache" / "records", Loads()
    load_what_passes(data, ROOT, cache_dir=cache, loads=loads)
    assert sorted(loads.agencies) == ["other"]
    _edit(data / "other/indicators.yml", "辦理說明會的場次。", "辦理說明會的場次（含線上）。")
    _age(data / "other")
    parsed.clear()
    portal, _ = load_what_passes(data, ROOT, cache_dir=cache, loads=loads)
    assert parsed[:2] == ["demo/agency.yml", "demo/indicators.yml"]
    assert [a.indicators.record.indicators[0].definition for a in portal.agencies if a.indicators] == [
        "辦理說明會的場次（含線上）。"] * 2


def test_an_agency_taken_from_the_last_load_keeps_its_problems_in_their_order(tmp_path: Path) -> None:
    data = _two_agencies(tmp_path)
    _edit(data / "demo/plans/111.yml", "total: 1234", "total: 1235")
    _edit(data / "other/agency.yml", "name: ", "name: [")
    (data / "other" / "notes.txt").write_text("", encoding="utf-8")
    _age(data)
    cache, loads = tmp_path / ".cache" / "records", Loads()
    expected = [str(p) for p in load_what_passes(data, ROOT, cache_dir=cache)[1]]
    assert len(expected) >= 3
    for _ in range(2):
        assert [str(p) for p in load_what_passes(data, ROOT, cache_dir=cache, loads=loads)[1]] == expected
    assert sorted(loads.agencies) == ["demo", "other"]


SAVES = [  # (file, text, replacement) SYNTHETIC: a figure corrected, a total broken, a file added, one removed,
    # the indicators edited (through a link, once there is one), and replaced by a link to the other agency's
    ("reports/111-h1.yml", "value: 12\n", "value: 13\n"),
    ("plans/111.yml", "total: 1234", "total: 1235"),
    ("reports/notes.txt", None, "筆記"),
    ("reports/111-h2.yml", "", None),
    ("indicators.yml", "辦理說明會的場次。", "辦理說明會的場次（含線上）。"),
    ("indicators.yml", None, None),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["demo", "other"]), st.integers(0, len(SAVES) - 1), st.booleans()),
                min_size=1, max_size=4))
def test_a_load_taking_unchanged_agencies_from_the_last_equals_a_load_reading_everything(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int, bool]]
) -> None:
    data = _two_agencies(tmp_path_factory.mktemp("loads"))
    cache, loads = data.parent / ".cache" / "records", Loads()
    _age(data)
    load_what_passes(data, ROOT, cache_dir=cache, loads=loads)
    for agency, which, settled in steps:
        name, old, new = SAVES[which]
        path = data / agency / name
        if old is None and new is None:
            path.unlink(missing_ok=True)
            path.symlink_to(Path("..") / ("other" if agency == "demo" else "demo") / name)
        elif new is None:
            path.unlink(missing_ok=True)
        elif old is None:
            path.write_text(new, encoding="utf-8")
        elif path.is_file() and old in path.read_text(encoding="utf-8"):
            _edit(path, old, new)
        if settled:  # this agency's files, as saved a while ago; the other's stay as they were
            _age(data / agency)
        portal, problems = load_what_passes(data, ROOT, cache_dir=cache, loads=loads)
        fresh, expected = load_what_passes(data, ROOT, cache_dir=cache)
        assert portal.agencies == fresh.agencies
        assert [str(p) for p in problems] == [str(p) for p in expected]


def test_a_file_with_errors_is_never_cached(tmp_path: Path, parsed: list[str]) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    _edit(data / "demo/plans/111.yml", "total: 1234", "total: 1235")
    cache = tmp_path / "records"
    for _ in range(2):
        parsed.clear()
        with pytest.raises(DataError) as caught:
            load_portal(data, ROOT, cache_dir=cache)
        assert [p.field for p in caught.value.problems] == ["budget.total"]
        assert "plans/111.yml" in parsed


def test_changed_checking_code_reads_everything_again(tmp_path: Path, parsed: list[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    cache = tmp_path / "records"
    load_portal(data, ROOT, cache_dir=cache)
    monkeypatch.setattr(generator.checked, "code_version", lambda *_: "another version of the checks")
    parsed.clear()
    load_portal(data, ROOT, cache_dir=cache)
    assert len(parsed) == 8


def test_code_version_covers_the_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.validate

    before = code_version(*generator.checked.CODE)
    changed = tmp_path / "validate.py"
    changed.write_text(Path(generator.validate.__file__).read_text(encoding="utf-8") + "# another check\n")
    monkeypatch.setattr(generator.validate, "__file__", str(changed))
    code_version.cache_clear()
    try:
        assert code_version(*generator.checked.CODE) != before
    finally:
        code_version.cache_clear()


# One edit of each kind of field a chart or a checked record depends on (shapes and periods fixtures).
EDITS = {
    "agency name": ("demo/agency.yml", "name: 示範機關（測試用虛構資料）", "name: 示範機關（改名）"),
    "declared unit": ("demo/agency.yml", "    kind: 計數\n", "    kind: 人數\n"),
    "indicator name": ("demo/indicators.yml", "name: 查處案件\n", "name: 查處的案件\n"),
    "figure label": ("demo/reports/105-year.yml", "label: 訓練完成率\n", "label: 訓練的完成率\n"),
    "figure value and quote": ("demo/reports/105-year.yml", "value: 48\n", "value: 49\n"),
    "table cell": ("demo/reports/95.01-104.12.yml", "[31, 33,", "[31, 34,"),
    "table title": ("demo/reports/95.01-104.12.yml", "title: 歷年查處案件統計", "title: 歷年查處案件統計表"),
    "breakdown label": ("demo/reports/89.07-96.04.yml", "label: 移送\n", "label: 移送法辦\n"),
    "budget amounts": ("demo/plans/105.yml", "          amount: 11000\n", "          amount: 10900\n"),
    "budget line name": ("demo/plans/105.yml", "name: 案件查處\n", "name: 案件的查處\n"),
    "target": ("demo/plans/104-107.yml", "value: 45\n", "value: 46\n"),
    "report title": ("demo/reports/105-year.yml", "title: 示範機關 105 年工作成果", "title: 示範機關 105 年度工作成果"),
    "file name": ("demo/plans/105.yml", None, "demo/plans/106.yml"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_build_from_a_warm_cache_after_any_edit_equals_a_clean_build(edit: str, tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "shapes", tmp_path / "data")
    cache = tmp_path / ".cache"
    generate(load_portal(data, ROOT, cache_dir=cache / "records"), updated="2023-11-14",
             cache=ChartCache(cache / "charts"))
    rel, old, new = EDITS[edit]
    if old is None:  # a renamed file: its year must follow, so the check decides, not a stale cache entry
        (data / rel).rename(data / new)
        with pytest.raises(DataError) as caught:
            load_portal(data, ROOT, cache_dir=cache / "records")
        assert [p.message for p in caught.value.problems] == ["年度 105 與檔名 106.yml 不符；檔名應為 105.yml"]
        return
    if edit == "target":
        _edit(data / "demo/plans/104-107.yml", "quote: 45件", "quote: 46件")
    if edit == "budget amounts":  # two sub-lines that still add up to their line
        _edit(data / "demo/plans/105.yml", "          amount: 1000\n", "          amount: 1100\n")
    if edit == "figure value and quote":
        _edit(data / "demo/reports/105-year.yml", "全年查處案件 48 件", "全年查處案件 49 件")
        _edit(data / "demo/reports/105-year.yml", "quote: 查處案件 48 件", "quote: 查處案件 49 件")
    _edit(data / rel, old, new)
    cached = generate(load_portal(data, ROOT, cache_dir=cache / "records"), updated="2023-11-14",
                      cache=ChartCache(cache / "charts"))
    clean = generate(load_portal(data, ROOT), updated="2023-11-14")
    # The cache was used, and still changed nothing; a new agency name is in every chart's credit.
    assert (cached.stats.cached == 0) == (edit == "agency name")
    assert sorted(cached.files) == sorted(clean.files)
    assert [path for path in clean.files if content_bytes(cached.files[path]) != content_bytes(clean.files[path])] == []


def test_chart_counts_add_up_when_two_files_show_the_same_drawing(tmp_path: Path) -> None:
    same = [generator.charts.Chart(f"a/{n}.svg", "t", ("甲", "乙"), (1, 2), "件", "alt") for n in (1, 2)]
    cache = ChartCache(tmp_path / "charts")
    for drawn, cached in ((2, 0), (0, 2)):
        drawing = generator.charts.Drawing(same, cache)
        _, stats = drawing.finish()
        assert (stats.drawn, stats.cached, stats.drawn + stats.cached) == (drawn, cached, len(same))


def test_charts_added_agency_by_agency_are_drawn_once_each_in_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator.charts, "PARALLEL_FROM", 2)  # workers once four charts are missing
    monkeypatch.setattr(generator.charts, "CHUNK", 3)
    charts = [generator.charts.Chart(f"{agency}/{n}.svg", "t", ("甲", "乙"), (n, 2), "件", "alt")
              for agency in ("a", "b") for n in range(1, 4)]  # b's charts show the same drawings as a's
    cache = ChartCache(tmp_path / "charts")
    drawing = generator.charts.Drawing(cache_=cache)
    drawing.add(charts[:1])
    assert drawing.pool is None and len(drawing.waiting) == 1  # too few to start workers
    drawing.add(charts[1:3])
    assert drawing.pool is None
    drawing.add(charts[3:])  # the same drawings: nothing more to draw
    assert drawing.pool is None and len(drawing.waiting) == 3
    assert drawing.size(charts[4]) == drawing.size(charts[1])
    drawn, stats = drawing.finish()
    assert (stats.drawn, stats.cached, stats.drawn_files) == (6, 0, sorted(chart.file for chart in charts))
    assert drawn["b/2.svg"] == drawn["a/2.svg"]
    more = [generator.charts.Chart(f"c/{n}.svg", "t", ("丙",), (n,), "件", "alt") for n in range(5)]
    drawing = generator.charts.Drawing(cache_=cache)
    drawing.add(charts)  # all in the cache
    drawing.add(more)
    assert drawing.pool is not None and len(drawing.futures) == 1 and len(drawing.waiting) == 2
    drawn, stats = drawing.finish()
    assert (stats.drawn, stats.cached) == (5, 6)
    assert drawing.pool is None
    assert sorted(drawn) == sorted(chart.file for chart in [*charts, *more])


def test_a_drawing_promised_names_the_cache_files_its_workers_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator.charts, "PARALLEL_FROM", 2)
    monkeypatch.setattr(generator.charts, "CHUNK", 3)
    charts = [generator.charts.Chart(f"a/{n}.svg", "t", ("甲", "乙"), (n, 2), "件", "alt") for n in range(1, 6)]
    cache = ChartCache(tmp_path / "charts")
    generator.charts.Drawing(charts[:1], cache).finish()  # one of them in the cache already
    drawing = generator.charts.Drawing(charts, cache)
    promised = drawing.promise()
    assert promised is not None and drawing.waiting == [] and drawing.pool is not None
    # The workers draw at a lower priority than the pages and the engine the build waits for.
    assert drawing.pool.submit(os.nice, 0).result() == min(os.nice(0) + 10, 19)
    files, stats = promised
    assert (stats.drawn, stats.cached, stats.drawn_files) == (4, 1, [f"a/{n}.svg" for n in range(2, 6)])
    drawn, after = drawing.finish()
    assert drawn == files and after == stats  # the same files, now written, and the same counts
    for chart in charts:
        kept = drawn[chart.file]
        assert isinstance(kept.svg, Stored) and isinstance(kept.png, Stored)
        fresh = generator.charts.draw(chart)
        assert (content_bytes(kept.svg), content_bytes(kept.png)) == (fresh.svg, fresh.png)
        assert (kept.width, kept.height) == (fresh.width, fresh.height)
    # Without workers, or without a cache to write into, nothing can be promised: `finish` draws.
    assert generator.charts.Drawing(charts[:1], ChartCache(tmp_path / "other")).promise() is None
    nowhere = generator.charts.Drawing(charts, ChartCache(None))
    assert nowhere.pool is not None and nowhere.promise() is None
    nowhere.close()


def test_generation_failing_after_its_charts_were_promised_stops_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator.charts, "PARALLEL_FROM", 1)
    monkeypatch.setattr(generator.charts, "CHUNK", 2)

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(generator.pages, "_publish_search", fail)
    cache = ChartCache(tmp_path / "charts")
    drawing = generator.charts.Drawing(cache_=cache)
    with pytest.raises(OSError, match="disk full"):
        generate(load_portal(FIXTURES / "periods", ROOT), cache=cache, drawing=drawing)
    assert drawing.promised and drawing.pool is None
