"""Charts: Chinese drawn with the bundled font, laid out without overlaps, byte-identical, text escaped."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import warnings
from decimal import Decimal
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from conftest import ROOT
from generator.assemble import load_portal
from generator.canvas import encode_png, font
from generator.charts import (
    FONT_FAMILY,
    MAX_WIDTH,
    MIN_WIDTH,
    Chart,
    MissingGlyphError,
    _wrap,
    budget_chart,
    credited,
    draw,
    layout,
    shared_scale,
)


@pytest.fixture(scope="module")
def chart() -> Chart:
    agency = load_portal(ROOT / "data", ROOT).agencies[0]
    plan = agency.plans[0].record
    assert plan.budget
    return budget_chart(agency, plan, plan.budget)


PERIODS = Chart("p.svg", "t", ("110 下半年", "111 上半年", "111 下半年"), (12, Decimal("3.5"), 20), "場", "a",
                kind="columns")


def test_bundled_cjk_font_is_used() -> None:
    import noto_cjk_sans_otc

    assert FONT_FAMILY == "Noto Sans CJK TC"
    assert font().face.family_name == FONT_FAMILY
    assert font().face.fname == str(noto_cjk_sans_otc.FONT_PATH)


def test_chinese_labels_draw_without_missing_glyphs(chart: Chart) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = draw(chart).svg
    assert svg.startswith(b"<?xml")
    # Every character is drawn as an outline from the bundled font, never as text the reader's fonts decide.
    assert b"<text" not in svg
    used = {int(n) for n in re.findall(rb'<use xlink:href="#g(\d+)"', svg)}
    wanted = {font().face.get_char_index(ord(c)) for label in chart.labels for c in label if not c.isspace()}
    assert wanted <= used


def test_svg_png_and_page_agree_on_the_size(chart: Chart) -> None:
    drawn = draw(chart)
    points = re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', drawn.svg)
    assert points
    assert (drawn.width, drawn.height) == (round(float(points[1]) * 4 / 3), round(float(points[2]) * 4 / 3))
    png = Image.open(io.BytesIO(drawn.png))
    assert png.size == (round(float(points[1]) * 150 / 72), round(float(points[2]) * 150 / 72))
    assert png.mode == "P"  # grey text and flat bars fit a palette
    assert not png.info.keys() - {"dpi"}  # no Software or date chunk


def _rgba(grey: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.stack([grey, grey, grey, np.full_like(grey, 255)], axis=2))


@pytest.mark.parametrize(("change", "mode"), [
    (None, "P"),                   # greys and the bar colour: a palette
    ((0, 0, (1, 2, 3)), "RGB"),    # a colour that is neither: full colour
    ((0, 0, (0, 0, 0)), "RGB"),    # grey 0 would take the bar colour's palette slot: full colour
])
def test_png_encoding_is_lossless(change: tuple[int, int, tuple[int, int, int]] | None, mode: str) -> None:
    grey = np.random.default_rng(0).integers(1, 256, (9, 7), dtype=np.uint8)
    rgba = _rgba(grey)
    rgba[4, 3, :3] = (0x1F, 0x5F, 0x8B)
    if change:
        row, col, colour = change
        rgba[row, col, :3] = colour
    image = Image.open(io.BytesIO(encode_png(rgba, 150, ["#1f5f8b"])))
    assert image.mode == mode
    assert image.info["dpi"] == pytest.approx((150, 150), abs=0.05)  # pixels per metre, rounded
    assert np.array_equal(np.asarray(image.convert("RGB")), rgba[:, :, :3])


def test_bars_are_proportional_and_values_follow_them(chart: Chart) -> None:
    canvas = layout(chart)
    bars = canvas.rects[:-1]  # the last rectangle is the axis
    assert [round(w / bars[0][2] * float(chart.values[0])) for _, _, w, _, _ in bars] == list(chart.values)
    values = [t for t in canvas.texts if t.text.endswith("千元")]
    assert [t.text for t in values] == ["58,696 千元", "131 千元", "579 千元", "242 千元", "90 千元"]
    assert all(t.x > x + w for t, (x, _, w, _, _) in zip(values, bars, strict=True))


def test_column_labels_never_overlap() -> None:
    canvas = layout(PERIODS)
    labels = [t for t in canvas.texts if t.text in PERIODS.labels]
    assert [t.text for t in labels] == list(PERIODS.labels)
    spans = [(t.x, t.x + font().width(t.text, t.size)) for t in labels]
    assert all(right < next_left for (_, right), (next_left, _) in pairwise(spans))
    assert spans[0][0] > 0 and spans[-1][1] < canvas.width
    assert [t.text for t in canvas.texts if t.text not in PERIODS.labels] == ["t", "12", "3.5", "20"]


def test_text_from_yaml_is_escaped_in_the_svg() -> None:
    hostile = Chart("h.svg", "<script>alert(1)</script>", ("甲",), (1,), "件", 'alt "&" <img src=x>')
    svg = draw(hostile).svg.decode()
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in svg
    assert '<desc>alt "&amp;" &lt;img src=x&gt;</desc>' in svg
    assert "<script" not in svg and "<img" not in svg


def test_missing_glyph_is_an_error() -> None:
    broken = Chart("x.svg", "t", ("\U0001f600",), (1,), "案", "alt")
    with pytest.raises(MissingGlyphError):
        draw(broken)
    with pytest.raises(MissingGlyphError):
        draw(Chart("y.svg", "t", ("\U0001f601",), (1,), "案", "alt", kind="columns"))


def test_same_chart_same_bytes_across_processes(chart: Chart) -> None:
    first = draw(chart).svg
    assert draw(chart).svg == first
    assert draw(chart).png == draw(chart).png
    code = (
        "import sys; from conftest import ROOT; from generator.charts import budget_chart;"
        "from generator.assemble import load_portal; from generator.charts import draw;"
        "a = load_portal(ROOT / 'data', ROOT).agencies[0];"
        "sys.stdout.buffer.write(draw(budget_chart(a, a.plans[0].record, a.plans[0].record.budget)).svg)"
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


def test_the_checks_know_exactly_the_characters_of_the_font() -> None:
    from generator.checks import COVERAGE, drawable

    if os.environ.get("UPDATE_GOLDEN"):
        COVERAGE.write_text(font().coverage(), encoding="ascii")
    assert COVERAGE.read_text(encoding="ascii") == font().coverage()
    charmap = font().face.get_charmap()
    assert all(drawable(chr(code)) for code in charmap if charmap[code])
    assert [c for c in "鿰😀\U00020000" if drawable(c)] == []
    assert drawable("政") and drawable("％") and drawable(" ") and drawable("\u3000")


def test_the_image_carries_title_period_agency_source_licence_and_address(chart: Chart) -> None:
    canvas = layout(credited(chart, "政府資料開放授權條款－第1版", "https://example.org/portal/"))
    lines = [t.text for t in canvas.texts]
    assert lines[0] == "113 年度預算各類金額（單位：千元）"
    assert lines[-5:] == [
        "高雄市政府政風處｜113 年度（2024 年）",
        "資料來源：《高雄市政府政風處 113 年度施政計畫提要》",
        "授權：政府資料開放授權條款－第1版",
        "https://example.org/portal/kcg-ethics/plans/113/",  # broken after a slash, never inside a word
        "budget/#chart-budget",
    ]
    assert [t.size for t in canvas.texts[-5:]] == [12.0] * 5
    without_site = [t.text for t in layout(credited(chart, "政府資料開放授權條款－第1版", "")).texts]
    assert without_site[-1] == "授權：政府資料開放授權條款－第1版"


def test_columns_that_do_not_fit_a_phone_become_bars() -> None:
    years = Chart("s.svg", "t", tuple(f"{y} 年" for y in range(100, 114)), tuple(range(1, 15)), "人", "a",
                  kind="columns")
    canvas = layout(years)
    assert canvas.width <= MAX_WIDTH
    bars = canvas.rects[:-1]  # the last rectangle is the axis
    assert all(h < w or w == 0 for _, _, w, h, _ in bars[-3:])  # lying down
    assert [t.text for t in canvas.texts][1:5] == ["100 年", "1 人", "101 年", "2 人"]
    assert layout(PERIODS).rects[0][3] > layout(PERIODS).rects[0][2]  # three periods still stand up


def test_charts_compared_with_each_other_share_one_scale() -> None:
    small = Chart("a.svg", "t", ("甲", "乙"), (10, 5), "件", "a")
    large = Chart("b.svg", "t", ("丙",), (40,), "件", "a")
    shared = shared_scale([small, large])
    assert [c.peak for c in shared] == [40, 40]
    widths = [w for c in shared for _, _, w, _, _ in layout(c).rects[:-1]]
    assert [round(w / widths[-1] * 40) for w in widths] == [10, 5, 40]
    assert shared_scale([small]) == [small]  # alone, a chart fills its span


_TEXT = st.text(st.sampled_from("政風檢舉案件年度預算甲乙 ABCxyz0123456789（）、-/"), min_size=1, max_size=40)


@given(
    labels=st.lists(_TEXT, min_size=1, max_size=14),
    title=_TEXT, document=_TEXT,
    values=st.lists(st.integers(-10**12, 10**12), min_size=14, max_size=14),
    kind=st.sampled_from(["bars", "columns"]),
)
def test_every_chart_fits_a_phone_with_its_text_inside(
    labels: list[str], title: str, document: str, values: list[int], kind: str
) -> None:
    chart = credited(Chart(
        "x/y.svg", title, tuple(labels), tuple(values[:len(labels)]), "千元", "a",
        kind="columns" if kind == "columns" else "bars", document=document, agency="機關", period="110 年度",
    ), "政府資料開放授權條款－第1版", "https://example.org")
    canvas = layout(chart)
    # At most 318 pt wide, a 360 px phone shows it at 328/424 of its size: 12 pt text renders at 12.4 px.
    assert MIN_WIDTH <= canvas.width <= MAX_WIDTH
    assert min(t.size for t in canvas.texts) >= 12.0
    for t in canvas.texts:
        assert t.x >= 0 and t.x + font().width(t.text, t.size) <= canvas.width + 0.01
        assert 0 < t.y < canvas.height
    assert all(x >= 0 and x + w <= canvas.width + 0.01 and y + h <= canvas.height for x, y, w, h, _ in canvas.rects)


def _wrap_measuring_whole_lines(text: str, size: float, width: float) -> list[str]:
    """Wrap as `_wrap` did before it added up each line as it went: measuring the whole line after every token."""
    face = font()
    tokens = re.findall(r"[A-Za-z0-9,.:#%_-]*/|[A-Za-z0-9,.:#%_-]+|.", text)
    lines, line = [], ""
    for token in tokens:
        if line and face.width(line + token, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
        while face.width(line, size) > width and len(line) > 1:
            cut = next(n for n in range(len(line), 0, -1) if face.width(line[:n], size) <= width or n == 1)
            lines.append(line[:cut])
            line = line[cut:]
    return [*lines, line] if line else lines


@given(st.text(alphabet="政風處廉政會報 abc0123,./-%#（）", max_size=80), st.sampled_from([9.0, 10.5, 12.0]),
       st.floats(min_value=5, max_value=400))
def test_labels_break_where_measuring_each_whole_line_breaks_them(text: str, size: float, width: float) -> None:
    assert _wrap(text, size, width) == _wrap_measuring_whole_lines(text, size, width)
