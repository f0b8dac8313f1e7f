"""The examples built from peer documents, every cell of each source on the site.

examples/taipei-ethics-105: a budget in 元; examples/taichung-edb-103: weighted goals and measurement indicators.
"""
from __future__ import annotations

import csv
import html
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from pathlib import Path

import pytest
import yaml
from test_build import text_of
from test_opendata import read_csv

from conftest import ROOT, run_portal
from generator.assemble import load_portal
from generator.markup import with_unit
from generator.model import Budget, BudgetLine

EXAMPLE = ROOT / "examples" / "taipei-ethics-105"
# The copy of the peer document kept in the example (the shared original is not there in CI).
SOURCE = EXAMPLE / "sources" / "taipei-ethics-105-budget.csv"
BUDGET_PAGE = "taipei-ethics/plans/105/budget/index.html"
# A number as the notes write it: 24,434,247 or 740.
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")


def source_rows() -> list[dict[str, str]]:
    """Return the budget rows of the source CSV, checking that its second line holds the Chinese column names."""
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = rows[0]
    assert (names["code"], names["amount"], names["name"], names["category"], names["comment"]) == (
        "代碼", "總額", "名稱", "目", "註解",
    )
    assert (names["topname"], names["depname"]) == ("款", "項")
    return rows[1:]


def categories(rows: list[dict[str, str]]) -> list[tuple[str, list[dict[str, str]]]]:
    """Group the rows by their 目 in source order."""
    return [(name, list(group)) for name, group in groupby(rows, key=lambda row: row["category"])]


def example_budget() -> Budget:
    budget = load_portal(EXAMPLE / "data", EXAMPLE).agencies[0].plans[0].record.budget
    assert budget is not None
    return budget


def sub_lines(budget: Budget) -> list[BudgetLine]:
    return [sub for line in budget.lines for sub in line.lines]


def figure_numbers(note: str) -> list[int]:
    """Return the numbers of a note that are figures: not list numbers (「1.」) nor article numbers (「第56條」)."""
    numbers = []
    for found in _NUMBER.finditer(note):
        before, after = note[found.start() - 1 : found.start()], note[found.end() : found.end() + 1]
        if after == "." or (before == "第" and after == "條"):
            continue
        numbers.append(int(found.group().replace(",", "")))
    return numbers


def share(part: int, whole: int) -> str:
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


@pytest.fixture(scope="module")
def build_example(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Return a function that builds a copy of an example (by folder name) as it stands, once, and returns its site.

    The copy's theme is resolved to the repository's; each example is built at most once per module.
    """
    built: dict[str, Path] = {}

    def build(name: str) -> Path:
        if name not in built:
            example = ROOT / "examples" / name
            folder = tmp_path_factory.mktemp("examples") / name
            shutil.copytree(example, folder, ignore=shutil.ignore_patterns("site", ".cache"))
            config_file = folder / "mkdocs.yml"
            config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
            theme = (example / config["theme"]["custom_dir"]).resolve()
            assert theme == ROOT / "theme"
            config["theme"]["custom_dir"] = str(theme)
            config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
            result = run_portal("build", cwd=folder)
            assert result.returncode == 0, result.stderr
            built[name] = folder / "site"
        return built[name]

    return build


@pytest.fixture(scope="module")
def example_site(build_example: Callable[[str], Path]) -> Path:
    """The Taipei example's site."""
    return build_example(EXAMPLE.name)


def test_every_source_row_is_in_the_budget_table(example_site: Path) -> None:
    rows = source_rows()
    total = sum(int(row["amount"]) for row in rows)
    cells = ["項次 名稱 層級 總額（元） 占合計*"]
    for category, group in categories(rows):
        amount = sum(int(row["amount"]) for row in group)
        cells.append(f"{category} 目 {amount:,}（加總） {share(amount, total)}")
        for row in group:
            amount = int(row["amount"])
            cells.append(f"{row['code']} {row['name']} {amount:,} {share(amount, total)}")
    cells.append(f"合計 {total:,}（加總） 100.00%")
    text = text_of(example_site / BUDGET_PAGE)
    assert " ".join(cells) in text
    assert "27,872,503" in text and "2.5.5.1-127103 交通及運輸設備 0 0.00%" in text


def test_every_number_of_every_note_is_a_figure_on_the_page(example_site: Path) -> None:
    rows, lines = source_rows(), sub_lines(example_budget())
    text = text_of(example_site / BUDGET_PAGE)
    assert [(line.no, line.name, line.amount) for line in lines] == [
        (row["code"], row["name"], int(row["amount"])) for row in rows
    ]
    entered = 0
    for row, line in zip(rows, lines, strict=True):
        note = row["comment"]
        assert line.note == note
        assert f"{row['code']} {row['name']}：{note}" in text
        for written in _NUMBER.findall(note):
            assert written in text, written
        # Every number of the note that is a figure was entered, once, with the sign of its quote.
        assert Counter(abs(figure.value) for figure in line.figures) == Counter(figure_numbers(note)), row["code"]
        for figure in line.figures:
            assert figure.quote in note and note.count(figure.quote) == 1, figure.quote
            assert (figure.value < 0) == ("減" in figure.quote and figure.change), figure.label
            marked = "（增減）" if figure.change else ""
            assert f"{figure.label} {with_unit(figure.value, figure.unit)}{marked} 「{figure.quote}」" in text
        entered += len(line.figures)
    assert entered == 62


def test_the_total_is_computed_and_marked(example_site: Path) -> None:
    total = sum(int(row["amount"]) for row in source_rows())
    assert total == 27872503 + 9067993 + 15954820 + 17393279 + 0 + 492683 + 200000 == 70_981_278
    assert example_budget().total is None  # the document states none
    text = text_of(example_site / BUDGET_PAGE)
    shown = re.search(r"本年度預算合計 ([\d,]+) 元，即 [^（]+（來源文件未載合計", text)
    assert shown is not None
    assert int(shown.group(1).replace(",", "")) == total
    assert f"合計 {total:,}（加總） 100.00%" in text


def test_open_data_budget_has_every_line_as_the_source_gives_it(example_site: Path) -> None:
    csv_rows = read_csv(example_site / "opendata/taipei-ethics/105-budget.csv")
    expected: list[tuple[str, str, str, str, str, str, str]] = []
    for category, group in categories(source_rows()):
        computed = str(sum(int(row["amount"]) for row in group))
        expected.append(("1", "", category, "目", "", computed, ""))
        expected.extend(("2", row["code"], row["name"], "", row["amount"], "", row["comment"]) for row in group)
    assert [
        (r["level"], r["no"], r["name"], r["level_name"], r["amount_ntd"], r["amount_computed_ntd"], r["note"])
        for r in csv_rows
    ] == expected
    assert {(r["agency"], r["roc_year"], r["year"]) for r in csv_rows} == {("臺北市政府政風處", "105", "2016")}


# The Taichung example: 臺中市政府經濟發展局's 103 goals and measurement indicators, a table excerpt.
TAICHUNG = ROOT / "examples" / "taichung-edb-103"
TAICHUNG_SOURCE = TAICHUNG / "sources" / "taichung-edb-103-indicators.txt"
TAICHUNG_PLAN_PAGE = "taichung-edb/plans/103/index.html"
TAICHUNG_GOALS_CSV = "opendata/taichung-edb/103-goals.csv"
_TABLE_HEAD = ["目標", "策略績效目標", "指標", "衡量指標", "評估體制", "評估方式", "衡量標準", "103年年度目標值"]
# A goal or indicator as the table prints it: its name, then its weight in the last brackets, 「…(含歇業)(5%)」.
_WEIGHTED = re.compile(r"(?P<name>.+)\((?P<weight>\d+)%\)")
# A target cell: 100%, 6場, 35家.
_TARGET = re.compile(r"(?P<value>\d+)(?P<unit>\D+)")
# A step of a ladder of milestones: 「1.完成委託專業技術服務25%」 or 「5.第一期工程進度達50%(80%)」.
_STEP = re.compile(r"(?P<no>\d+)\.(?P<quote>(?P<label>.+?)\(?(?P<value>\d+)%\)?)")
# A number as the table writes it, with its percent sign and the operator before it in a formula: 6, 25%, *100%.
_WRITTEN_NUMBER = re.compile(r"[*/]?(?<![\d.])\d+(?:\.\d+)?%?")


@dataclass(frozen=True)
class IndicatorRow:
    """One row of the Taichung table, the goal's cells carried down from the row that prints them."""

    goal_no: str
    goal: str
    indicator_no: str
    indicator: str
    system: str
    method: str
    standard: str
    target: str


def taichung_table() -> list[list[str]]:
    """Return the cells of every row of the source table, as printed (a goal's cells only in its first row)."""
    lines = TAICHUNG_SOURCE.read_text(encoding="utf-8").splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("目標 |"))
    assert [cell.strip() for cell in lines[head].split("|")] == _TABLE_HEAD
    table = []
    for line in lines[head + 1 :]:
        if not line.strip():
            break
        cells = [cell.strip() for cell in line.split("|")]
        assert len(cells) == len(_TABLE_HEAD), line
        table.append(cells)
    assert lines[-1] == "（表格其後各列未能取得。）"
    return table


def taichung_rows() -> list[IndicatorRow]:
    """Return one row per indicator, carrying the 目標 number and text down to the rows that leave them blank."""
    rows, goal_no, goal = [], "", ""
    for cells in taichung_table():
        if cells[0]:
            goal_no, goal = cells[0], cells[1]
        assert goal and bool(cells[0]) == bool(cells[1]), cells
        rows.append(IndicatorRow(goal_no, goal, *cells[2:]))
    return rows


def weighted(text: str) -> tuple[str, int]:
    """Split 「推展會展活動(6%)」 into its name and weight."""
    found = _WEIGHTED.fullmatch(text)
    assert found is not None, text
    return found["name"], int(found["weight"])


def find_in_order(text: str, parts: list[str], start: int) -> tuple[int, int]:
    """Find each part after the one before, from `start`; return where the first begins and where the last ends."""
    at, first = start, -1
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"「{part}」 not after 「{text[at : at + 80]}」"
        first = found if first < 0 else first
        at = found + len(part)
    return first, at


@pytest.fixture(scope="module")
def taichung_site(build_example: Callable[[str], Path]) -> Path:
    """The Taichung example's site."""
    return build_example(TAICHUNG.name)


def test_every_goal_and_indicator_row_is_on_the_plan_page(taichung_site: Path) -> None:
    rows = taichung_rows()
    assert [(row.goal_no, row.indicator_no) for row in rows] == [
        ("一", "一"), ("一", "二"), ("一", "三"), ("一", "四"), ("一", "五"), ("一", "六"),
        ("二", "一"), ("二", "二"), ("三", "一"), ("三", "二"),
    ]
    text = text_of(taichung_site / TAICHUNG_PLAN_PAGE)
    at = text.index("出處：")  # past the navigation and the table of contents, which repeat the goals
    for (_, goal), group in groupby(rows, key=lambda row: (row.goal_no, row.goal)):
        name, weight = weighted(goal)
        _, at = find_in_order(text, [name, f"權重 {weight}%"], at)
        for row in group:
            name, weight = weighted(row.indicator)
            parts = [name, f"{weight}%", row.system, row.method, row.standard, f"103 年度：{row.target}"]
            begin, at = find_in_order(text, parts, at)
            assert text[begin:at].count("103 年度：") == 1, row  # all of it from the one row


def test_every_number_of_the_table_is_on_the_plan_page(taichung_site: Path) -> None:
    cells = [cell for row in taichung_table() for cell in row]
    written = Counter(number for cell in cells for number in _WRITTEN_NUMBER.findall(cell))
    # Weights, 評估體制, formulas (*100%), step numbers, milestone and target percentages, targets in 場 and 家.
    assert written["*100%"] == 3 and written["25%"] == 4 and written["50%"] == 3 and written["35"] == 1
    assert sum(written.values()) == 59
    text = text_of(taichung_site / TAICHUNG_PLAN_PAGE)
    shown = Counter(_WRITTEN_NUMBER.findall(text[text.index("出處：") :]))
    assert {number: count for number, count in written.items() if shown[number] < count} == {}


def test_every_milestone_of_a_ladder_is_entered_as_the_standard_writes_it() -> None:
    plan = load_portal(TAICHUNG / "data", TAICHUNG).agencies[0].plans[0].record
    assert plan.goals is not None and plan.budget is None and plan.items is None and plan.priorities is None
    measures = [measure for goal in plan.goals.entries for measure in goal.indicators]
    rows = taichung_rows()
    assert [(goal.no, goal.name, goal.weight) for goal in plan.goals.entries] == [
        (row.goal_no, *weighted(row.goal)) for row in rows if row.indicator_no == "一"
    ]
    ladders = 0
    for row, measure in zip(rows, measures, strict=True):
        assert (measure.no, measure.name, measure.weight) == (row.indicator_no, *weighted(row.indicator))
        assert (measure.system, measure.method, measure.standard) == (row.system, row.method, row.standard)
        target = _TARGET.fullmatch(row.target)
        assert target is not None
        assert [(t.year, t.value, t.unit, t.quote) for t in measure.targets] == [
            (103, int(target["value"]), target["unit"], row.target)
        ]
        if row.method != "完成工作項目":
            assert measure.milestones == []
            continue
        ladders += 1
        steps = [_STEP.fullmatch(step) for step in re.split(r" (?=\d+\.)", row.standard)]
        assert all(steps) and [int(step["no"]) for step in steps if step] == list(range(1, len(steps) + 1))
        assert [(m.label, m.value, m.unit, m.quote) for m in measure.milestones] == [
            (step["label"], int(step["value"]), "%", step["quote"]) for step in steps if step
        ]
    assert ladders == 2


def test_open_data_goals_have_every_indicator_as_the_source_gives_it(taichung_site: Path) -> None:
    csv_rows = read_csv(taichung_site / TAICHUNG_GOALS_CSV)
    expected: list[tuple[str, ...]] = []
    for row in taichung_rows():
        goal, goal_weight = weighted(row.goal)
        name, weight = weighted(row.indicator)
        target = _TARGET.fullmatch(row.target)
        assert target is not None
        expected.append((
            row.goal_no, goal, str(goal_weight), row.indicator_no, name, str(weight), row.system, row.method,
            row.standard, "103", target["value"], target["unit"], row.target, "", "", "",
        ))
    assert [
        (r["goal_no"], r["goal"], r["goal_weight_pct"], r["indicator_no"], r["indicator"], r["indicator_weight_pct"],
         r["system"], r["method"], r["standard"], r["target_year"], r["target_value"], r["target_unit"],
         r["target_text"], r["actual_value"], r["actual_period"], r["met"])
        for r in csv_rows
    ] == expected
    assert {(r["agency"], r["roc_year"], r["year"]) for r in csv_rows} == {("臺中市政府經濟發展局", "103", "2014")}


def test_the_plan_page_links_to_the_published_document(taichung_site: Path) -> None:
    """The source's address is one click away; the transcription's file name is not shown to readers."""
    url = re.search(r"^來源：(\S+)$", TAICHUNG_SOURCE.read_text(encoding="utf-8"), re.M)
    assert url is not None
    page = (taichung_site / TAICHUNG_PLAN_PAGE).read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]*)">《([^》]*)》</a>', html.unescape(page))
    assert links == [(url[1], "臺中市政府經濟發展局 103 年 策略績效目標與衡量指標")]
    assert "taichung-edb-103-indicators.txt" not in page
