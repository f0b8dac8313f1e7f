"""Document shapes other agencies publish, each accepted and published as written (SYNTHETIC shapes fixture).

The fixture holds a four-year plan (104-107) with weighted goals and yearly targets, a unit declared by the
agency (宗, counted like 件), a full-year report with a negative change and a figure quoted from the year
before, a report covering 89 年 7 月 to 96 年 4 月 cumulatively, a budget with four named columns (one of
changes), a phase, 目 and 節 lines and a line whose amount the document omits, and a statistics document
whose only content is a ten-year table (95-104) with a row that feeds an indicator, a row of changes and
blank cells.
"""
from __future__ import annotations

import csv
import io
import re

import pytest

from conftest import FIXTURES, ROOT
from generator.assemble import load_portal
from generator.pages import Site, generate


@pytest.fixture(scope="module")
def site() -> Site:
    return generate(load_portal(FIXTURES / "shapes", ROOT), updated="2023-11-14")


def _page(site: Site, path: str) -> str:
    content = site.files[path]
    assert isinstance(content, str)
    return content


def _csv(site: Site, path: str) -> list[dict[str, str]]:
    content = site.files[path]
    assert isinstance(content, bytes)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_four_year_plan_has_its_own_file_name_years_and_targets(site: Site) -> None:
    page = _page(site, "demo/plans/104-107/index.md")
    assert page.startswith(
        "# 104 至 107 年度施政計畫\n\n"
        "示範機關（測試用虛構資料）｜104 至 107 年度（2015 至 2018 年）｜資料截至：104 至 107 年度施政計畫\n"
    )
    assert "### 一、提升查處效能（權重 30%） {: #goal-1 }" in page
    assert (
        "<td>104 年度：40件<br>105 年度：45件<br>106 年度：50件<br>107 年度：55件</td>"
        "<td>104 年度：40 件（104 年全年），達成<br>105 年度：48 件（105 年全年），達成<br>106 年度：尚無全年實際值"
        "<br>107 年度：尚無全年實際值</td>"
    ) in page
    assert "<td>105 年度：95&#37;</td><td>105 年度：92.5%（105 年全年），未達成</td>" in page


def test_targets_are_judged_only_against_a_full_year_report_in_the_open_data(site: Site) -> None:
    rows = _csv(site, "opendata/demo/104-107-goals.csv")
    assert [(r["indicator"], r["target_year"], r["target_text"], r["actual_value"], r["met"]) for r in rows] == [
        ("查處案件數", "104", "40件", "40", "達成"),  # from the statistics table's 104 column
        ("查處案件數", "105", "45件", "48", "達成"),
        ("查處案件數", "106", "50件", "", ""),
        ("查處案件數", "107", "55件", "", ""),
        ("訓練完成率", "105", "95%", "92.5", "未達成"),
    ]
    assert {r["goal_weight_pct"] for r in rows} == {"30"}
    assert [r["indicator_weight_pct"] for r in rows] == ["20", "20", "20", "20", "10"]
    assert {r["better"] for r in rows} == {""}  # the document does not say; nothing is invented


def _link(anchor: str, label: str) -> str:
    """Return the permalink after a figure's name in its table row."""
    return (f' <a class="portal-permalink" href="#{anchor}" title="本數字的固定連結" '
            f'aria-label="「{label}」的固定連結"></a>')


def test_the_indicator_page_shows_target_against_result(site: Site) -> None:
    page = _page(site, "demo/indicators/cases/index.md")
    assert (
        '<tr><th scope="row">105 年度</th><td><a href="../../plans/104-107/index.md#goals">查處案件數</a>'
        "（104 至 107 年度施政計畫）</td><td>45件</td><td class=\"num\">48 件</td><td>達成</td></tr>"
    ) in page
    # The 104 figure quoted in the 105 report is not a value of 104: the statistics table's 104 cell is.
    assert "「查處案件」歷期數值：95 年全年 31 件、96 年全年 33 件、97 年全年 35 件、98 年全年 30 件、" \
        "99 年全年 36 件、100 年全年 38 件、101 年全年 39 件、102 年全年 41 件、103 年全年 37 件、" \
        "104 年全年 40 件、105 年全年 48 件。" in page


def test_a_negative_change_is_published_with_its_sign_and_marked(site: Site) -> None:
    page = _page(site, "demo/reports/105-year/index.md")
    assert (
        f'<tr id="fig-5"><th scope="row">訓練完成率增減{_link("fig-5", "訓練完成率增減")}</th>'
        '<td class="num" data-label="數字">-3.5%（增減）</td>'
        '<td data-label="原文">「減少 3&#46;5&#37;」</td>'
    ) in page
    rows = _csv(site, "opendata/demo/105-year-figures.csv")
    assert [(r["label"], r["value"], r["change"]) for r in rows if r["change"] == "true"] == [
        ("查處案件增減", "8", "true"), ("訓練完成率增減", "-3.5", "true"),
    ]


def test_a_figure_quoted_from_an_earlier_period_is_exported_with_its_own_period(site: Site) -> None:
    rows = _csv(site, "opendata/demo/105-year-figures.csv")
    assert [(r["label"], r["roc_year"], r["year"], r["period"]) for r in rows[:2]] == [
        ("查處案件", "105", "2016", "全年"), ("查處案件（104 年）", "104", "2015", "全年"),
    ]


def test_a_report_of_any_span_and_a_declared_unit(site: Site) -> None:
    page = _page(site, "demo/reports/89.07-96.04/index.md")
    assert page.startswith(
        "# 89 年 7 月至 96 年 4 月累計工作成果\n\n"
        "示範機關（測試用虛構資料）｜89 年 7 月至 96 年 4 月累計（2000 至 2007 年）｜資料截至：96 年 4 月 30 日\n"
    )
    assert (f'<tr id="fig-1"><th scope="row">累計查處{_link("fig-1", "累計查處")}</th>'
            '<td class="num" data-label="數字">2,665 宗</td>'
            '<td data-label="原文">「累計查處 2 665 宗」</td>') in page
    # 宗 is declared the same as 件, so a breakdown may mix them as the document does.
    assert (f'<tr id="fig-1-1-2"><th scope="row">行政處理{_link("fig-1-1-2", "行政處理")}</th>'
            '<td class="num" data-label="數字">1,462 件</td>') in page
    rows = _csv(site, "opendata/demo/89.07-96.04-figures.csv")
    assert [(r["roc_year"], r["year"], r["period"], r["value"], r["unit"]) for r in rows] == [
        ("96", "2007", "89 年 7 月至 96 年 4 月累計", "2665", "宗"),
        ("96", "2007", "89 年 7 月至 96 年 4 月累計", "1203", "宗"),
        ("96", "2007", "89 年 7 月至 96 年 4 月累計", "1462", "件"),
    ]


def test_reports_of_different_spans_are_ordered_by_their_end(site: Site) -> None:
    portal = load_portal(FIXTURES / "shapes", ROOT)
    assert [s.record.slug for s in portal.agencies[0].reports] == ["89.07-96.04", "95.01-104.12", "105-year"]


def test_a_ten_year_statistics_table_is_published_cell_by_cell(site: Site) -> None:
    page = _page(site, "demo/reports/95.01-104.12/index.md")
    assert page.startswith("# 95 年 1 月至 104 年 12 月統計\n")
    assert "### 表1 歷年查處案件統計（第 3 頁） {: #table-1 }" in page
    assert "".join(f'<th scope="col" class="num">{year}年</th>' for year in range(95, 105)) in page
    assert (
        f'<tr id="table-1-3"><th scope="row">定罪率（&#37;）{_link("table-1-3", "定罪率")}</th>'
        '<td class="num">70.5</td><td class="num">72.1</td>'
        '<td class="num">－</td><td class="num">68.25</td>'
    ) in page
    assert (f'<tr id="table-1-2"><th scope="row">較上年增減（件）（增減）{_link("table-1-2", "較上年增減")}</th>'
            '<td class="num">－</td><td class="num">2</td>') in page
    assert "附註（照來源文件）：定罪率 97 年未統計。" in page
    assert "## 本期數字總表" not in page  # no sentence figures: the table is the whole document


def test_every_cell_is_open_data_with_its_own_year(site: Site) -> None:
    rows = _csv(site, "opendata/demo/95.01-104.12-figures.csv")
    assert len(rows) == 10 + 9 + 9  # blank cells (－) are not figures
    first = rows[0]
    assert (first["roc_year"], first["year"], first["period"], first["ref"], first["label"], first["value"],
            first["unit"], first["quote"]) == (
        "95", "2006", "全年", "表1 歷年查處案件統計（第 3 頁）", "查處案件（95年）", "31", "件", "查處案件｜95年",
    )
    changes = [(r["roc_year"], r["value"]) for r in rows if r["change"] == "true"]
    assert changes[2] == ("98", "-5")


def test_each_table_row_of_numbers_is_a_chart(site: Site) -> None:
    assert sorted(path for path in site.charts if "/95.01-104.12/" in path) == [
        f"demo/reports/95.01-104.12/table-1-{row}.svg" for row in (1, 2, 3)
    ]
    chart = site.charts["demo/reports/95.01-104.12/table-1-3.svg"]
    assert chart.labels == tuple(f"{year}年" for year in range(95, 105) if year != 97)


def test_a_budget_with_named_columns_phase_levels_and_a_change_column(site: Site) -> None:
    page = _page(site, "demo/plans/105/budget/index.md")
    assert "｜預算階段：法定預算｜" in page
    assert "本年度預算合計 **15,500 千元**，即 1,550 萬元。" in page
    assert (
        '<thead><tr><th scope="col">項次</th><th scope="col">名稱</th><th scope="col">層級</th>'
        '<th scope="col" class="num">本年度預算數（千元）</th><th scope="col" class="num">上年度預算數（千元）</th>'
        '<th scope="col" class="num">前年度決算數（千元）</th><th scope="col" class="num">比較增減（千元）</th>'
    ) in page
    assert (
        f'<tr id="line-1-1"><td>1&#46;1</td><th scope="row">行政管理{_link("line-1-1", "行政管理")}</th><td>節</td>'
        '<td class="num">11,000</td>'
        '<td class="num">11,600</td><td class="num">11,000</td><td class="num">-600</td>'
    ) in page
    # The document gives no amount for 查處業務 and no total of 前年度決算數: the sums are marked as the site's.
    assert f'<th scope="row">查處業務{_link("line-2", "查處業務")}</th><td>目</td><td class="num">3,500（加總）' in page
    assert '<td class="num">15,500</td><td class="num">15,500</td><td class="num">14,856（加總）</td>' in page
    assert '<td class="num">0</td><td class="num">0</td><td class="num">0</td><td class="num">0</td>' in page
    assert (f'<tr id="line-1-2-fig-1"><th scope="row">資訊設備費 增列{_link("line-1-2-fig-1", "資訊設備費 增列")}</th>'
            '<td class="num" data-label="數字">100 千元（增減）</td>') in page


def test_the_budget_data_keeps_the_document_amounts_apart_from_the_sums(site: Site) -> None:
    rows = _csv(site, "opendata/demo/105-budget.csv")
    columns = ("ref", "name", "amount_thousand_ntd", "amount_computed_thousand_ntd", "amount4_thousand_ntd")
    assert [tuple(r[c] for c in columns) for r in rows] == [
        ("1", "一般行政", "12000", "", "-500"), ("1.1", "行政管理", "11000", "", "-600"),
        ("1.2", "資訊管理", "1000", "", "100"), ("2", "查處業務", "", "3500", ""),
        ("2.1", "案件查處", "3500", "", "500"), ("2.2", "第一預備金", "0", "", "0"),
    ]
    assert {r["phase"] for r in rows} == {"法定預算"}
    assert [(r["amount3_thousand_ntd"], r["amount3_computed_thousand_ntd"]) for r in rows if r["ref"] == "2"] == [
        ("", "2876"),
    ]


def test_the_home_page_says_how_many_targets_of_the_latest_judged_year_were_met(site: Site) -> None:
    page = _page(site, "index.md")
    assert ("### 105 年度目標達成情形 {: #demo-targets }\n\n"
            "施政計畫訂的 105 年度目標共 2 項：達成 1 項、未達成 1 項。") in page
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", page[page.index("105 年度目標與實際值"):])
    assert [re.sub(r"(?:<[^>]+>)+", "|", row) for row in rows] == [
        "|查處案件數|45件|48 件|達成|", "|訓練完成率|95&#37;|92.5%|未達成|",
    ]
