"""Caches: nothing is drawn or read again unless what it depends on changed (SYNTHETIC periods fixture)."""
from __future__ import annotations

from pathlib import Path

import pytest

import generator.assemble
import generator.charts
from conftest import FIXTURES, ROOT, copy_data
from generator.assemble import load_portal
from generator.cache import code_version
from generator.charts import ChartCache
from generator.errors import DataError, Problem
from generator.load import Document
from generator.pages import generate
from generator.validate import read_document

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

    # A budget line: that plan's budget chart, and the comparison of that category and of the total.
    _edit(data / "demo/plans/112.yml", "amount: 1100", "amount: 1101")
    _edit(data / "demo/plans/112.yml", "budget: 1100", "budget: 1101")
    _edit(data / "demo/plans/112.yml", "total: 1350", "total: 1351")
    assert _drawn(data, cache) == [
        "demo/budget-history/category-1.svg", "demo/budget-history/category-4.svg", "demo/plans/112/budget/budget.svg",
    ]
    assert _drawn(data, cache) == []


def test_deleted_or_damaged_chart_cache_is_drawn_again(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    folder = tmp_path / "charts"
    first = generate(load_portal(data, ROOT), updated="2023-11-14", cache=ChartCache(folder))
    for svg in folder.glob("*.svg"):
        svg.write_bytes(b"")  # damaged: no size can be read from it
    again = generate(load_portal(data, ROOT), updated="2023-11-14", cache=ChartCache(folder))
    assert again.stats.drawn_files == ALL_CHARTS
    assert again.files == first.files


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
    assert parallel.files == serial.files
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
    monkeypatch.setattr(generator.assemble, "code_version", lambda *_: "another version of the checks")
    parsed.clear()
    load_portal(data, ROOT, cache_dir=cache)
    assert len(parsed) == 8


def test_code_version_covers_the_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.validate

    before = code_version(*generator.assemble.CODE)
    changed = tmp_path / "validate.py"
    changed.write_text(Path(generator.validate.__file__).read_text(encoding="utf-8") + "# another check\n")
    monkeypatch.setattr(generator.validate, "__file__", str(changed))
    code_version.cache_clear()
    try:
        assert code_version(*generator.assemble.CODE) != before
    finally:
        code_version.cache_clear()
