"""One truth per figure: the page, the chart's text alternative, its CSV and its JSON give each number its own unit."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from conftest import FIXTURES, ROOT
from generator.assemble import load_portal
from generator.formats import value_label
from generator.model import Portal
from generator.pages import Site, generate
from generator.paths import report_dir
from generator.walk import report_figures


def _portal(name: str) -> Portal:
    return load_portal(ROOT / "data" if name == "real" else FIXTURES / name, ROOT)


@pytest.fixture(scope="module", params=["real", "periods", "shapes"])
def built(request: pytest.FixtureRequest) -> tuple[Portal, Site]:
    portal = _portal(str(request.param))
    return portal, generate(portal, updated="2023-11-14")


def _rows(site: Site, stem: str) -> tuple[list[dict[str, str]], list[dict[str, object]]]:
    data = site.files[f"{stem}.csv"]
    assert isinstance(data, bytes)
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    doc = site.files[f"{stem}.json"]
    assert isinstance(doc, bytes)
    return table, json.loads(doc)["rows"]


def test_every_breakdown_part_keeps_its_own_unit_everywhere(built: tuple[Portal, Site]) -> None:
    portal, site = built
    checked = 0
    for agency in portal.agencies:
        for sourced in agency.reports:
            report = sourced.record
            page = site.files[f"{report_dir(agency, report)}/index.md"]
            assert isinstance(page, str)
            for at in report_figures(report):
                for b, breakdown in enumerate(at.figure.breakdowns, 1):
                    stem = f"{report_dir(agency, report)}/figure-{at.number}-{b}"
                    table, rows = _rows(site, stem)
                    alt = site.charts[f"{stem}.svg"].alt
                    for part, row, item in zip(breakdown.parts, table, rows, strict=True):
                        assert (row["label"], Decimal(row["value"]), row["unit"]) == (part.label, part.value, part.unit)
                        assert (item["label"], Decimal(str(item["value"])), item["unit"]) == (
                            part.label, part.value, part.unit
                        )
                        assert row["agency"] == agency.agency.name
                        shown = value_label(part.value, part.unit)
                        assert f"{part.label} {shown}" in alt
                        assert shown.replace(",", "&#44;") in page or shown in page
                        checked += 1
    assert checked > 0


def test_the_anonymous_complaints_are_counted_in_件_as_the_document_says() -> None:
    """The 110 report: 「匿名檢舉169件」 among 案 (issue 14's example)."""
    site = generate(_portal("real"), updated="2023-11-14")
    stem = next(path.removesuffix(".svg") for path, chart in site.charts.items() if "匿名檢舉" in chart.labels)
    table, _ = _rows(site, stem)
    assert [(r["label"], r["value"], r["unit"]) for r in table] == [
        ("具名檢舉", "402", "案"), ("匿名檢舉", "169", "件"),
    ]
    assert "匿名檢舉 169 件" in site.charts[f"{stem}.svg"].alt
