"""The Taipei example (examples/taipei-ethics-105): a peer budget in 元, every cell of its CSV on the site."""
from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
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
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a copy of the example as it stands, its theme resolved to the repository's, and return its site."""
    folder = tmp_path_factory.mktemp("examples") / EXAMPLE.name
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("site", ".cache"))
    config_file = folder / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    theme = (EXAMPLE / config["theme"]["custom_dir"]).resolve()
    assert theme == ROOT / "theme"
    config["theme"]["custom_dir"] = str(theme)
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run_portal("build", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "site"


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
