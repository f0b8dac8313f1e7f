"""The real data says exactly what the source documents say (copies in tests/sources/)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT
from generator.assemble import load_portal
from generator.model import Figure, Plan, PlanItem, Report
from generator.walk import report_figures

SOURCES = Path(__file__).resolve().parent / "sources"


def _squash(text: str) -> str:
    return re.sub(r"\s+|</?p>", "", text)


@pytest.fixture(scope="module")
def records() -> tuple[Plan, Report]:
    agency = load_portal(ROOT / "data", ROOT).agencies[0]
    return agency.plans[0].record, agency.reports[0].record


def _found(text: str, source: str) -> bool:
    """Return whether `text` is in `source` whole, or in two pieces split by a page break."""
    text = _squash(text)
    if text in source:
        return True
    cut = max((n for n in range(1, len(text)) if text[:n] in source), default=0)
    return cut > 0 and text[cut:] in source[source.index(text[:cut]) :]


def _items(items: list[PlanItem]) -> Iterator[PlanItem]:
    for item in items:
        yield item
        yield from _items(item.children)


def test_every_plan_text_is_in_the_plan_document(records: tuple[Plan, Report]) -> None:
    plan, _ = records
    source = _squash((SOURCES / plan.source.file).read_text(encoding="utf-8"))
    assert plan.budget and plan.items and plan.priorities
    texts = [plan.title, plan.introduction or "", plan.budget.source_section, plan.items.source_section]
    texts += [p.text for p in plan.priorities.entries]
    for item in _items(plan.items.entries):
        texts += [item.name, item.objective or "", *item.steps]
    for text in texts:
        assert _found(text, source), text


def test_budget_table_matches_the_plan_document(records: tuple[Plan, Report]) -> None:
    plan, _ = records
    source = (SOURCES / plan.source.file).read_text(encoding="utf-8")
    table = source[source.index("施政計畫與預算配合對照表") : source.index("\n合計")]
    rows = re.findall(r"^(\S)、(\S+)\t(\S+)\t([\d,]+)", table, re.M)
    assert plan.budget
    assert [(r[0], r[1], r[2], int(r[3].replace(",", ""))) for r in rows] == [
        (line.no, line.name, line.program, line.amount) for line in plan.budget.lines
    ]
    total = re.search(r"^合計\t+([\d,]+)", source, re.M)
    assert total and int(total.group(1).replace(",", "")) == plan.budget.total == 59738


def test_every_report_text_is_in_the_report_document(records: tuple[Plan, Report]) -> None:
    _, report = records
    source = _squash((SOURCES / report.source.file).read_text(encoding="utf-8"))
    for chapter in report.chapters:
        assert _found(chapter.no + "、" + chapter.title, source)
        for section in chapter.sections:
            assert _found(section.no + (section.title or section.text or ""), source)
            for item in section.items:
                assert _found((item.title or "") + item.text, source)


# Numbers in the report's text that are not figures, each with its reason.
NOT_FIGURES = [
    (r"110年", "the year of the report"),
    (r"廉在一起2", "part of an event's name"),
]


def _all(figure: Figure) -> Iterator[Figure]:
    yield figure
    for breakdown in figure.breakdowns:
        for part in breakdown.parts:
            yield from _all(part)


def test_every_number_in_the_report_is_a_figure(records: tuple[Plan, Report]) -> None:
    _, report = records
    for chapter in report.chapters:
        for section in chapter.sections:
            units = [(section.text, section.figures)] if section.text else []
            units += [(item.text, item.figures) for item in section.items]
            for text, figures in units:
                for pattern, _reason in NOT_FIGURES:
                    text = re.sub(pattern, "", text)
                numbers = sorted(float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text))
                values = sorted(float(f.value) for top in figures for f in _all(top))
                assert numbers == values, text


def test_complaints_reconcile_both_ways(records: tuple[Plan, Report]) -> None:
    _, report = records
    complaints = next(f.figure for f in report_figures(report) if f.figure.value == 571)
    assert [(b.by, [p.value for p in b.parts]) for b in complaints.breakdowns] == [
        ("檢舉方式", [402, 169]),
        ("處理結果", [11, 200, 335, 25]),
    ]
