"""Generated Markdown: golden files for the real data, number formats, and escaping."""
from __future__ import annotations

import html
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT, copy_data
from generator.assemble import load_portal
from generator.cache import content_bytes
from generator.markup import amount_reading, escape, excerpt, roc_year, share, with_unit
from generator.pages import Site, generate
from generator.paths import link, md_link

GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_KINDS = (".md", ".csv", ".json", ".jsonld", ".svg")
INDICATORS = [  # data/kcg-ethics/indicators.yml, in its order
    "integrity-meetings", "special-audits", "corrective-suggestions", "asset-declaration-briefings",
    "asset-declaration-authorisation-rate", "asset-declaration-reviews", "conflict-of-interest-briefings",
    "confidentiality-outreach", "confidentiality-inspections", "security-meetings", "security-inspections",
    "complaints-received", "prosecutions", "disciplinary-cases", "discussion-motions", "prevention-reports",
    "model-nominating-agencies", "model-nominees", "integrity-models", "asset-declaration-briefing-attendance",
    "comparison-review-ratio", "comparison-reviews", "conflict-of-interest-attendance", "security-outreach",
    "threat-notifications", "unlawful-cases-referred", "prosecuted-persons", "disciplined-persons",
]


@pytest.fixture(scope="module")
def site() -> Site:
    return generate(load_portal(ROOT / "data", ROOT), updated="2023-11-14")


@pytest.mark.parametrize(("data", "golden"), [
    (ROOT / "data", GOLDEN),
    (FIXTURES / "periods", Path(__file__).resolve().parent / "golden_periods"),  # synthetic, several periods
], ids=["real-data", "synthetic-periods"])
def test_generated_files_match_golden_files(data: Path, golden: Path) -> None:
    """Every page, chart SVG, CSV and JSON file, byte for byte (PNG is checked by decoding it in test_charts)."""
    site = generate(load_portal(data, ROOT), updated="2023-11-14")
    made = {
        path: content_bytes(content) for path, content in site.files.items() if path.endswith(GOLDEN_KINDS)
    }
    if os.environ.get("UPDATE_GOLDEN"):
        for path, content in made.items():
            (golden / path).parent.mkdir(parents=True, exist_ok=True)
            (golden / path).write_bytes(content)
    expected = {p.relative_to(golden).as_posix() for p in golden.rglob("*") if p.name.endswith(GOLDEN_KINDS)}
    assert sorted(made) == sorted(expected)
    for path, content in made.items():
        assert content == (golden / path).read_bytes(), f"{path} differs from {golden.name}/{path}"


def test_every_json_file_parses_as_strict_json(site: Site) -> None:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    documents = [path for path in site.files if path.endswith((".json", ".jsonld"))]
    assert len(documents) == 39  # 36 datasets and charts, the search shards of the agency and the site, their list
    for path in documents:
        assert isinstance(json.loads(content_bytes(site.files[path]), parse_constant=refuse), dict), path


def test_every_chart_is_generated(site: Site) -> None:
    svgs = sorted(path for path in site.files if path.endswith(".svg"))
    for svg in svgs:
        for ext in (".png", ".csv", ".json"):
            assert svg.removesuffix(".svg") + ext in site.files
    assert svgs == sorted([
        "kcg-ethics/plans/113/budget/budget.svg",
        "kcg-ethics/reports/110-h2/figure-23-1.svg",
        "kcg-ethics/reports/110-h2/figure-23-2.svg",
        *(f"kcg-ethics/indicators/{name}/series.svg" for name in INDICATORS),
    ])


def test_navigation_is_by_agency_then_year(site: Site) -> None:
    assert [entry.to_mkdocs() for entry in site.nav] == [
        {"首頁": "index.md"},
        {"高雄市政府政風處": [
            {"所有文件與指標": "kcg-ethics/index.md"},
            {"113 年度（2024）": ["kcg-ethics/plans/113/index.md", "kcg-ethics/plans/113/budget/index.md"]},
            {"110 年度（2021）": ["kcg-ethics/reports/110-h2/index.md"]},
            {"指標": ["kcg-ethics/indicators/index.md",
                      *(f"kcg-ethics/indicators/{name}/index.md" for name in INDICATORS)]},
            {"開放資料": "opendata/kcg-ethics/index.md"},
        ]},
        "opendata/index.md",
        "corrections/index.md",
        {"搜尋": "search/index.md"},
    ]


def test_a_portal_of_several_agencies_lists_them_at_home_and_summarises_each_on_its_own_page(tmp_path: Path) -> None:
    """A national portal's home page would otherwise hold every agency's summary (SYNTHETIC periods fixture)."""
    data = copy_data(FIXTURES / "periods", tmp_path / "data")
    shutil.copytree(data / "demo", data / "other")
    site = generate(load_portal(data, ROOT), updated="2023-11-14")
    home = site.text("index.md")
    assert home.count("<caption>各機關最新的預算與工作成果</caption>") == 1
    assert [line.split("</a>")[0] for line in home.splitlines() if line.startswith('<tr><th scope="row">')] == [
        '<tr><th scope="row"><a href="demo/">示範機關（測試用虛構資料）',
        '<tr><th scope="row"><a href="other/">示範機關（測試用虛構資料）',
    ]
    assert "年度預算 {:" not in home and "主要工作" not in home
    for agency in ("demo", "other"):
        own = site.text(f"{agency}/index.md")
        assert f"## 112 年度預算 {{: #{agency}-budget }}" in own
        assert f"## 112 年上半年重要成果 {{: #{agency}-results }}" in own
        assert "- [112 年度預算明細與圖表](../" + agency + "/plans/112/budget/index.md)" in own
    one = generate(load_portal(FIXTURES / "periods", ROOT), updated="2023-11-14").text("index.md")
    assert "### 112 年度預算 {: #demo-budget }" in one and "各機關最新" not in one  # one agency: its summary at home


@pytest.mark.parametrize(("thousands", "reading"), [
    (59738, "5,973 萬 8 千元"),
    (58696, "5,869 萬 6 千元"),
    (90, "9 萬元"),
    (131, "13 萬 1 千元"),
    (5, "5 千元"),
    (100000, "1 億元"),
    (123456, "1 億 2,345 萬 6 千元"),
    (0, "0 元"),
])
def test_amount_reading_is_exact(thousands: int, reading: str) -> None:
    assert amount_reading(thousands) == reading


def test_formats() -> None:
    assert roc_year(113) == "113 年度（2024 年）"
    assert with_unit(1170, "人次") == "1,170 人次"
    assert with_unit(Decimal("98.39"), "%") == "98.39%"
    assert share(58696, 59738) == "98.26%"
    assert share(1, 0) == "—"


def test_escape_makes_markup_and_markdown_inert() -> None:
    assert escape("<script>alert(1)</script>") == "&#60;script&#62;alert&#40;1&#41;&#60;&#47;script&#62;"
    assert escape("| *a* [x](javascript:y) # h") == (
        "&#124; &#42;a&#42; &#91;x&#93;&#40;javascript&#58;y&#41; &#35; h"
    )
    assert escape("第一行\n\n    第二行") == "第一行 第二行"
    assert escape("全形「，」。") == "全形「，」。"


@pytest.mark.parametrize(("page_dir", "target", "html", "markdown"), [
    ("kcg-ethics/reports/110-h2", "kcg-ethics/indicators/complaints-received/",
     "../../indicators/complaints-received/", "../../indicators/complaints-received/index.md"),
    ("kcg-ethics/plans/113/budget", "kcg-ethics/plans/113/#item-3-1", "../#item-3-1", "../index.md#item-3-1"),
    ("corrections", "kcg-ethics/reports/110-h2/#ch1-s2", "../kcg-ethics/reports/110-h2/#ch1-s2",
     "../kcg-ethics/reports/110-h2/index.md#ch1-s2"),
    ("kcg-ethics/indicators", "kcg-ethics/indicators/", "./", "index.md"),
])
def test_links_are_relative_to_the_page(page_dir: str, target: str, html: str, markdown: str) -> None:
    assert (link(page_dir, target), md_link(page_dir, target)) == (html, markdown)


def test_citations_give_the_full_address_when_site_url_is_set() -> None:
    site = generate(load_portal(ROOT / "data", ROOT), updated="2023-11-14", site_url="https://example.org/portal/")
    page = html.unescape(str(site.files["kcg-ethics/reports/110-h2/index.md"]))
    assert ("引用：《高雄市政府政風處 110 年下半年工作成果》，施政透明網 "
            "https://example.org/portal/kcg-ethics/reports/110-h2/#chart-figure-23-1，"
            "「受理檢舉貪瀆不法案件，依檢舉方式」（2023-11-14 版）。") in page
    # The chart's own image carries the same address, so that a download or an embed leads back to it.
    chart = site.charts["kcg-ethics/reports/110-h2/figure-23-1.svg"]
    assert (chart.site, chart.licence) == ("https://example.org/portal", "政府資料開放授權條款－第1版")


@given(st.text(alphabet="0123456789,.%年案件計受理", max_size=40), st.integers(min_value=1, max_value=30))
def test_an_untitled_section_is_named_by_its_text_without_a_cut_number(text: str, size: int) -> None:
    named = excerpt(text, size)
    if len(text) <= size:
        assert named == text
    else:
        shown = named.removesuffix("…")
        assert named.endswith("…") and text.startswith(shown) and len(shown) <= size
        assert shown[-1:] not in tuple("0123456789,.%")  # a number is left whole or out, never cut


def test_the_third_chapter_lists_its_sections_by_their_opening_words(site: Site) -> None:
    page = str(site.files["kcg-ethics/reports/110-h2/index.md"])
    assert "### （一）110年下半年受理檢舉貪瀆不法案件… {: #ch3-s1 }" in page
