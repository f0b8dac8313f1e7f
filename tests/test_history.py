"""Across periods: indicator series and changes, budgets across years, plan-to-result links, corrections.

Most tests use tests/fixtures/periods (SYNTHETIC: one agency, plans 111 and 112, reports 110 下半年 to
112 上半年); the expected numbers below were worked out by hand from those files.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import FIXTURES, ROOT, copy_data, run_portal, write_config
from generator.assemble import load_portal
from generator.pages import Site, generate


@pytest.fixture(scope="module")
def site() -> Site:
    return generate(load_portal(FIXTURES / "periods", ROOT), updated="2023-11-14")


def rows(markdown: str, caption: str) -> list[list[str]]:
    """Return the text of each body row of the HTML table with `caption`."""
    table = markdown[markdown.index(f"<caption>{caption}"):]
    table = table[:table.index("</table>")]
    body = table[table.index("<tbody>"):]
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr(?: id=\"[^\"]*\")?>(.*?)</tr>", body)
    ]


def test_indicator_series_with_changes_from_previous_period_and_same_half_last_year(site: Site) -> None:
    page = str(site.files["demo/indicators/briefings/index.md"])
    assert [r[:4] for r in rows(page, "說明會歷期數值")] == [
        ["110 年下半年", "11 場次", "—", "—"],
        ["111 年上半年", "12 場次", "+1（+9.09%）", "—"],
        ["111 年下半年", "15 場次", "+3（+25.00%）", "+4（+36.36%）"],
        ["112 年上半年", "9 場次（已更正，原為 19 場次）", "-6（-40.00%）", "-3（-25.00%）"],
    ]
    complaints = str(site.files["demo/indicators/complaints/index.md"])
    assert [r[:4] for r in rows(complaints, "受理檢舉歷期數值")] == [
        ["110 年下半年", "9 案", "—", "—"],
        ["111 年上半年", "10 案", "+1（+11.11%）", "—"],
        ["111 年下半年", "8 案", "-2（-20.00%）", "-1（-11.11%）"],
        ["112 年上半年", "12 案", "+4（+50.00%）", "+2（+20.00%）"],
    ]
    assert "資料截至：112 年 6 月 30 日（112 年上半年工作成果）" in complaints


def test_each_value_links_to_its_place_in_its_report(site: Site) -> None:
    page = str(site.files["demo/indicators/complaints/index.md"])
    links = re.findall(r'<th scope="row"><a href="([^"]+)">(\d+) 年(.)半年</a>', page)
    assert links == [
        ("../../reports/110-h2/#fig-2", "110", "下"),
        ("../../reports/111-h1/#fig-2", "111", "上"),
        ("../../reports/111-h2/#fig-2", "111", "下"),
        ("../../reports/112-h1/#fig-2", "112", "上"),
    ]
    assert "- 112 年上半年：《示範機關 112 年上半年工作成果（虛構）》一、（二）「受理檢舉12案」" in html.unescape(page)


def test_indicator_chart_has_every_period(site: Site) -> None:
    chart = site.charts["demo/indicators/briefings/series.svg"]
    assert chart.labels == ("110下", "111上", "111下", "112上")
    assert chart.values == (11, 12, 15, 9)
    assert chart.alt == (
        "直條圖，示範機關（測試用虛構資料）「說明會」歷期數值：110 年下半年 11 場次、111 年上半年 12 場次、"
        "111 年下半年 15 場次、112 年上半年 9 場次。"
    )


def test_indicator_without_values_says_so(site: Site) -> None:
    page = str(site.files["demo/indicators/new-work/index.md"])
    assert "目前的工作成果報告中還沒有屬於這個指標的數字。" in page
    assert "demo/indicators/new-work/series.svg" not in site.charts
    index = str(site.files["demo/indicators/index.md"])
    assert rows(index, "示範機關（測試用虛構資料）的指標與最新數值") == [
        ["說明會", "9 場次", "112 年上半年", "示範業務 > 示範子計畫"],
        ["受理檢舉", "12 案", "112 年上半年", "示範業務"],
        ["新興業務試辦", "—", "—", "新興業務"],
    ]


def test_budget_comparison_per_category_with_absolute_and_percent_change(site: Site) -> None:
    page = str(site.files["demo/budget-history/index.md"])
    assert rows(page, "各類預算金額") == [
        ["一般行政", "1,000", "1,100"],
        ["示範業務", "234", "200"],
        ["新興業務", "—", "50"],
        ["合計", "1,234", "1,350"],
    ]
    assert rows(page, "各類預算與前一年度相比的增減") == [
        ["一般行政", "+100（+10.00%）"],
        ["示範業務", "-34（-14.53%）"],
        ["新興業務", "—"],
        ["合計", "+116（+9.40%）"],
    ]
    assert site.charts["demo/budget-history/category-3.svg"].labels == ("112",)
    assert site.charts["demo/budget-history/category-4.svg"].values == (1234, 1350)


def test_one_plan_means_no_budget_comparison() -> None:
    real = generate(load_portal(ROOT / "data", ROOT), updated="2023-11-14")
    assert not any("budget-history" in path for path in real.files)


def test_report_figures_link_to_the_plan_item_of_the_nearest_plan_year(site: Site) -> None:
    expected = {
        "110-h2": "111",  # no 110 plan: the nearest is 111
        "111-h1": "111",
        "111-h2": "111",
        "112-h1": "112",
    }
    for slug, year in expected.items():
        page = str(site.files[f"demo/reports/{slug}/index.md"])
        row = rows(page, "本項數字")[0]
        assert row[3] == f"指標：說明會{year} 年度計畫：示範業務 > 示範子計畫", slug
        assert f'<a href="../../plans/{year}/#item-2-1">' in page, slug
        assert '<a href="../../indicators/briefings/">指標：說明會</a>' in page


def test_plan_items_list_the_indicators_that_serve_them(site: Site) -> None:
    page = str(site.files["demo/plans/112/index.md"])
    shown = html.unescape(page)
    assert ("- [受理檢舉](../../indicators/complaints/index.md)：112 年上半年 12 案"
            "（本網站收錄的最近一期；出處：《示範機關 112 年上半年工作成果（虛構）》一、（二））") in shown
    assert ("- [說明會](../../indicators/briefings/index.md)：112 年上半年 9 場次"
            "（本網站收錄的最近一期；出處：《示範機關 112 年上半年工作成果（虛構）》一、（一）1.）") in shown
    assert "- [新興業務試辦](../../indicators/new-work/index.md)：尚無數值" in page
    old = str(site.files["demo/plans/111/index.md"])
    assert "新興業務試辦" not in old  # the 111 plan has no 新興業務 item


def test_corrections_log_lists_old_and_new_values_newest_first(site: Site) -> None:
    page = str(site.files["corrections/index.md"])
    assert rows(page, "更正紀錄") == [
        ["2024-05-02", "112 年上半年 一、（一）1. 說明會（《示範機關 112 年上半年工作成果（虛構）》）",
         "19 場次", "9 場次", "原文件誤植，依機關更正函修正。"],
        ["2024-03-01", "112 年度預算 貳、示範業務（《示範機關 112 年度施政計畫（虛構）》）",
         "210 千元", "200 千元", "原文件誤植，依機關更正函修正。"],
    ]
    report = str(site.files["demo/reports/112-h1/index.md"])
    assert rows(report, "本項數字")[0][1] == "9 場次（已更正，原為 19 場次）"
    real = generate(load_portal(ROOT / "data", ROOT), updated="2023-11-14")
    assert "目前沒有更正紀錄。" in str(real.files["corrections/index.md"])


def test_every_page_with_figures_says_how_current_its_data_is(site: Site) -> None:
    expected = {
        "demo/reports/110-h2/index.md": "資料截至：110 年 12 月 31 日",
        "demo/reports/112-h1/index.md": "資料截至：112 年 6 月 30 日",
        "demo/plans/112/index.md": "資料截至：112 年度施政計畫及預算（編列數）",
        "demo/plans/112/budget/index.md": "資料截至：112 年度預算（編列數）",
        "demo/budget-history/index.md": "資料截至：112 年度施政計畫及預算（編列數）",
        "demo/indicators/index.md": "資料截至：112 年 6 月 30 日",
        "demo/indicators/briefings/index.md": "資料截至：112 年 6 月 30 日（112 年上半年工作成果）",
        "index.md": "資料截至：112 年 6 月 30 日",
    }
    assert "資料截至：112 年度施政計畫及預算（編列數）" in str(site.files["index.md"])
    for path, line in expected.items():
        assert line in str(site.files[path]), path


def test_every_real_report_figure_names_its_indicator_and_plan_item() -> None:
    real = generate(load_portal(ROOT / "data", ROOT), updated="2023-11-14")
    table = rows(str(real.files["kcg-ethics/reports/110-h2/index.md"]), "110 年下半年工作成果的所有數字")
    assert len(table) == 28
    for where, label, _value, trace in table:
        assert trace.startswith("指標：") and "113 年度計畫：" in trace, (where, label, trace)


def test_real_report_figures_link_to_indicators_and_plan_items(built_site: Path) -> None:
    page = (built_site / "kcg-ethics/reports/110-h2/index.html").read_text(encoding="utf-8")
    for indicator in ("integrity-meetings", "complaints-received", "confidentiality-outreach", "security-meetings"):
        assert f'href="../../indicators/{indicator}/"' in page
        assert (built_site / f"kcg-ethics/indicators/{indicator}/index.html").is_file()
    plan = (built_site / "kcg-ethics/plans/113/index.html").read_text(encoding="utf-8")
    for item in ("item-3-1", "item-4-1", "item-2-2-1", "item-2-2-2"):
        assert f'href="../../plans/113/#{item}"' in page
        assert f'id="{item}"' in plan


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        for name in ("href", "src"):
            value = found.get(name)
            if value and not value.startswith(("http:", "https:", "mailto:", "data:", "javascript:")):
                self.links.append(value)


def broken_links(site: Path) -> list[str]:
    """Return every internal link or anchor in the built site that leads nowhere."""
    parsed: dict[Path, _Links] = {}

    def parse(page: Path) -> _Links:
        if page not in parsed:
            parsed[page] = _Links()
            parsed[page].feed(page.read_text(encoding="utf-8"))
        return parsed[page]

    broken = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":  # served at any depth, so MkDocs writes it with root-relative links
            continue
        for href in parse(page).links:
            parts = urlsplit(href)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {href}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse(target).ids:
                broken.append(f"{page.relative_to(site)}: {href} (no such anchor)")
    return broken


def test_no_broken_internal_link_or_anchor_in_the_real_site(built_site: Path) -> None:
    assert broken_links(built_site) == []


def test_no_broken_internal_link_or_anchor_with_several_periods(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    result = run_portal("-f", str(write_config(tmp_path, data)), "build")
    assert result.returncode == 0, result.stderr
    assert broken_links(tmp_path / "site") == []
    assert (tmp_path / "site/demo/budget-history/index.html").is_file()


def test_link_checker_finds_a_broken_anchor(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text('<a href="#nowhere">x</a><a href="a/">y</a><p id="here">', encoding="utf-8")
    (tmp_path / "b.html").write_text('<a href="index.html#here">ok</a>', encoding="utf-8")
    assert broken_links(tmp_path) == ["index.html: #nowhere (no such anchor)", "index.html: a/"]
