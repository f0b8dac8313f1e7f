"""Open data: every figure downloadable, catalogued, licensed, and equal to the page and the YAML."""
from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from test_build import text_of

from conftest import FIXTURES, ROOT, copy_data
from generator import opendata
from generator.assemble import load_portal
from generator.markup import with_unit
from generator.model import Figure
from generator.pages import generate, release_date
from generator.walk import report_figures


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path} has no BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def _all(figure: Figure) -> list[Figure]:
    return [figure] + [p for b in figure.breakdowns for part in b.parts for p in _all(part)]


def test_data_package_validates_with_frictionless(built_site: Path) -> None:
    from frictionless import Package

    descriptor = built_site / "opendata/datapackage.json"
    report = Package(str(descriptor)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "OGDL-Taiwan-1.0"
    assert [r["path"] for r in package["resources"]] == [
        "kcg-ethics/113-budget.csv", "kcg-ethics/113-plan-items.csv", "kcg-ethics/110-h2-figures.csv",
    ]


def test_dcat_catalogue_lists_every_dataset(built_site: Path) -> None:
    catalog = json.loads((built_site / "opendata/catalog.jsonld").read_text(encoding="utf-8"))
    assert catalog["@type"] == "dcat:Catalog"
    for dataset in catalog["dcat:dataset"]:
        for dist in dataset["dcat:distribution"]:
            assert (built_site / "opendata" / dist["dcat:downloadURL"]["@id"]).is_file()


def test_report_csv_round_trips_to_the_yaml_and_the_page(built_site: Path) -> None:
    report = load_portal(ROOT / "data", ROOT).agencies[0].reports[0].record
    rows = read_csv(built_site / "opendata/kcg-ethics/110-h2-figures.csv")
    expected = [(f.label, f.value, f.unit, f.quote) for loc in report_figures(report) for f in _all(loc.figure)]
    assert [(r["label"], r["value"], r["unit"], r["quote"]) for r in rows] == [
        (label, str(value), unit, quote) for label, value, unit, quote in expected
    ]
    page = text_of(built_site / "kcg-ethics/reports/110-h2/index.html")
    for row in rows:
        assert "," not in row["value"]
        value = int(row["value"]) if row["value"].isdigit() else float(row["value"])
        assert f"{row['label']} {with_unit(value, row['unit'])}" in page  # type: ignore[arg-type]
    assert {r["roc_year"] for r in rows} == {"110"} and {r["year"] for r in rows} == {"2021"}


def test_budget_csv_round_trips_to_the_yaml_and_the_page(built_site: Path) -> None:
    plan = load_portal(ROOT / "data", ROOT).agencies[0].plans[0].record
    rows = read_csv(built_site / "opendata/kcg-ethics/113-budget.csv")
    assert plan.budget
    assert [(r["no"], r["name"], int(r["amount_thousand_ntd"])) for r in rows] == [
        (line.no, line.name, line.amount) for line in plan.budget.lines
    ]
    page = text_of(built_site / "kcg-ethics/plans/113/budget/index.html")
    for row in rows:
        assert f"{int(row['amount_thousand_ntd']):,}" in page
    items = read_csv(built_site / "opendata/kcg-ethics/113-plan-items.csv")
    assert [(r["ref"], r["budget_thousand_ntd"]) for r in items if r["level"] == "1"] == [
        ("壹", "58696"), ("貳", "131"), ("參", "579"), ("肆", "242"),
    ]


def test_every_chart_has_downloads_citation_and_licence(built_site: Path) -> None:
    charts_seen = 0
    for page in built_site.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        for src in re.findall(r'<figure class="portal-chart" id="chart-[\w-]+">\s*<img src="([^"]+)"', html):
            charts_seen += 1
            stem = src.removesuffix(".svg")
            after = html[html.index(f'<img src="{src}"'):]
            for target in (f"{stem}.csv", f"{stem}.json", src, f"{stem}.png"):
                assert f'href="{target}" download' in after[:2000], (page, target)
                assert (page.parent / target).is_file(), (page, target)
            licence = re.search(r'授權：<a href="([^"]+)">政府資料開放授權條款－第1版</a>', after)
            assert licence and (page.parent / licence.group(1) / "index.html").resolve().is_file()
            assert "引用：《高雄市政府政風處 1" in after[:3000]
    assert charts_seen == 3 + 28  # budget, two breakdowns, and one series per indicator


def test_each_agency_lists_its_datasets_on_a_page_the_open_data_page_links(built_site: Path) -> None:
    portal = (built_site / "opendata/index.html").read_text(encoding="utf-8")
    assert "各機關的資料集（共 1 個機關、3 個資料集） 機關 資料集 高雄市政府政風處 3 個" in text_of(
        built_site / "opendata/index.html")
    assert '<a href="kcg-ethics/">高雄市政府政風處</a>' in portal
    assert re.findall(r'href="([^"]+\.(?:csv|json|jsonld))"', portal) == ["datapackage.json", "catalog.jsonld"]
    page = built_site / "opendata/kcg-ethics/index.html"
    text = text_of(page)
    assert "高雄市政府政風處的資料集（共 3 個）" in text
    for title in ("高雄市政府政風處 113 年度預算", "高雄市政府政風處 113 年度施政計畫項目",
                  "高雄市政府政風處 110 年下半年工作成果數字"):
        assert title in text
    assert "資料更新日期：2023-11-14" in text
    downloads = re.findall(r'href="([^"]+\.(?:csv|json))"', page.read_text(encoding="utf-8"))
    assert len(downloads) == 6
    for href in downloads:
        assert (page.parent / href).is_file()
    agency = (built_site / "kcg-ethics/index.html").read_text(encoding="utf-8")
    assert '<a href="../opendata/kcg-ethics/">高雄市政府政風處開放資料</a>：每一份文件的數字，CSV 與 JSON' in agency


FORMULAS = ("=", "+", "-", "@", "\t", "\r")


def _poisoned(tmp_path: Path) -> Path:
    """Write the minimal fixture with text that a spreadsheet would run as a formula in every kind of field."""
    data = copy_data(FIXTURES / "minimal", tmp_path / "data")
    edits = {
        "demo/agency.yml": [("name: 示範機關（測試用虛構資料）", 'name: "=HYPERLINK(\\"http://x\\",\\"點我\\")"')],
        "demo/plans/100.yml": [("title: 示範機關 100 年度施政計畫", "title: +示範計畫"),
                               ("name: 一般行政\n      program: 行政管理\n      amount: 1000",
                                "name: '@一般行政'\n      program: -行政管理\n      amount: 1000")],
        "demo/reports/100-h1.yml": [("text: 共辦理說明會12場次", 'text: "=說明會12場次，共辦理說明會12場次'),
                                    ("，授權率達98.39％。", '，授權率達98.39％。"'),
                                    ("quote: 說明會12場次", 'quote: "=說明會12場次"'),
                                    ("label: 說明會\n", "label: \"\\t說明會\"\n"),
                                    ("by: 檢舉方式", "by: \"-檢舉方式\"")],
    }
    for rel, pairs in edits.items():
        text = (data / rel).read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, old
            text = text.replace(old, new)
        (data / rel).write_text(text, encoding="utf-8")
    return data


def test_no_csv_cell_can_run_as_a_formula(tmp_path: Path) -> None:
    site = generate(load_portal(_poisoned(tmp_path), ROOT), updated="2023-11-14")
    checked = neutralised = 0
    for path, content in site.files.items():
        if not path.endswith(".csv"):
            continue
        assert isinstance(content, bytes)
        for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
            for cell in row:
                checked += 1
                try:
                    float(cell)
                    continue  # a number in a numeric column: stays a number
                except ValueError:
                    assert not cell.startswith(FORMULAS), (path, cell)
                    neutralised += cell.startswith("'") and cell[1:].startswith(FORMULAS)
    assert checked > 150 and neutralised >= 8  # every poisoned text column was reached


_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


@given(tables=st.lists(st.tuples(_TEXT, _TEXT, _TEXT, _TEXT), max_size=4), head=st.tuples(_TEXT, _TEXT, _TEXT))
def test_catalogues_put_together_from_kept_entries_are_the_catalogues_written_whole(
    tables: list[tuple[str, str, str, str]], head: tuple[str, str, str]
) -> None:
    made = [opendata.Table(f"t{n}", f"opendata/a/t{n}", title, description, period, source,
                           (opendata.Column("x", "number", title, description),), ((Decimal("1.5"),),))
            for n, (title, description, period, source) in enumerate(tables)]
    name, title, when = head
    assert opendata.package_bytes([opendata.entry_text(opendata.resource(t)) for t in made], name, title, when) == (
        opendata.json_bytes(opendata.package(made, name, title, when)))
    assert opendata.catalogue_bytes([opendata.entry_text(opendata.dataset(t)) for t in made], name, title, when) == (
        opendata.json_bytes(opendata.dcat(made, name, title, when)))


def test_the_real_catalogues_are_the_ones_written_whole() -> None:
    portal = load_portal(ROOT / "data", ROOT)
    site = generate(portal)
    made = opendata.datasets(portal, {})
    assert site.files["opendata/datapackage.json"] == opendata.json_bytes(
        opendata.package(made, "transparency-portal", "施政透明網開放資料", f"{release_date()}T00:00:00Z"))
