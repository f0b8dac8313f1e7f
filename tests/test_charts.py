"""Charts: Chinese drawn with the bundled font, byte-identical output, alt text from the data."""
from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

from conftest import ROOT
from generator.charts import FONT_FAMILY, Chart, MissingGlyphError, draw, setup_fonts
from generator.collect import load_portal
from generator.pages import budget_chart


@pytest.fixture(scope="module")
def chart() -> Chart:
    agency = load_portal(ROOT / "data", ROOT).agencies[0]
    return budget_chart(agency, agency.plans[0].record)


def test_bundled_cjk_font_is_used() -> None:
    from matplotlib import font_manager

    setup_fonts()
    found = font_manager.findfont(FONT_FAMILY, fallback_to_default=False)
    assert found.endswith("NotoSansCJK-Regular.ttc")


def test_chinese_labels_draw_without_missing_glyphs(chart: Chart) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = draw(chart).svg
    assert svg.startswith(b"<?xml")
    assert b"<dc:date>" not in svg


def test_missing_glyph_is_an_error() -> None:
    broken = Chart("x.svg", "t", ("\U0001f600",), (1,), "案", "alt")
    with pytest.raises(MissingGlyphError):
        draw(broken)
    with pytest.raises(MissingGlyphError):
        draw(Chart("y.svg", "t", ("\U0001f601",), (1,), "案", "alt", kind="columns"))


def test_same_chart_same_bytes_across_processes(chart: Chart) -> None:
    first = draw(chart).svg
    assert draw(chart).svg == first
    code = (
        "import sys; from conftest import ROOT; from generator.pages import budget_chart;"
        "from generator.collect import load_portal; from generator.charts import draw;"
        "a = load_portal(ROOT / 'data', ROOT).agencies[0];"
        "sys.stdout.buffer.write(draw(budget_chart(a, a.plans[0].record)).svg)"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "tests", capture_output=True, check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    ).stdout
    assert other == first


def test_alt_text_is_written_from_the_data(chart: Chart) -> None:
    assert chart.alt == (
        "長條圖，高雄市政府政風處 113 年度預算各類金額（千元）：一般行政 58,696、組織管理機密維護 131、"
        "預防貪瀆 579、政風調查 242、預備金 90；合計 59,738 千元。"
    )
