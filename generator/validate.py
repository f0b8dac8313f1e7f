"""Check each record against its model, in Traditional Chinese, and reconcile its arithmetic and references."""
from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import DataError, Problem
from .formats import number, numbers_in
from .load import Document, Loc, load_file
from .model import Agency, Budget, Correction, Figure, Indicator, Indicators, Plan, Report, Sourced
from .translate import translate_errors
from .walk import FigureAt, LineAt, all_figures, budget_lines, find_item, line_amount, plan_items

M = TypeVar("M", bound=BaseModel)

KINDS: dict[str, type[BaseModel]] = {"plans": Plan, "reports": Report}
# Words that show a quoted figure is a decrease, so that a negative value matches its quote.
_DECREASE = ("減", "降", "少", "負", "-", "－", "−")


@dataclass(frozen=True)
class Context:
    """What a record is checked against besides itself: its agency's units and indicator catalogue."""

    agency: Agency = field(default_factory=lambda: Agency(name="?", parent=None))
    catalogue: dict[str, Indicator] | None = None


def read_document(path: Path, display: str, problems: list[Problem], data: bytes | None = None) -> Document | None:
    """Parse one YAML file (or its bytes, already read), appending its problems; return None if it cannot be read."""
    try:
        return load_file(path, display, data)
    except DataError as exc:
        problems.extend(exc.problems)
        return None


def check_record(
    doc: Document | None, path: Path, model: type[M], problems: list[Problem], context: Context | None = None
) -> Sourced[Any] | None:
    """Check one parsed file against `model` and reconcile it, appending its problems; return None if it has any."""
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problems.append(doc.problem((), "檔案最上層應為欄位對照（key: value）"))
        return None
    try:
        record = model.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(translate_errors(exc, doc))
        return None
    found = list(_reconcile(record, path, doc, context or Context()))
    problems.extend(found)
    return None if found else Sourced(doc.path, record)


def _reconcile(record: BaseModel, path: Path, doc: Document, context: Context) -> Iterator[Problem]:
    """Yield every arithmetic or consistency problem in one validated record."""
    if isinstance(record, Plan):
        yield from _reconcile_plan(record, path, doc, context)
    elif isinstance(record, Report):
        yield from _reconcile_report(record, path, doc, context)
    elif isinstance(record, Indicators):
        seen: set[str] = set()
        for i, indicator in enumerate(record.indicators):
            if indicator.id in seen:
                yield doc.problem(("indicators", i, "id"), f"指標代號「{indicator.id}」重複 (duplicate indicator id)")
            seen.add(indicator.id)
            yield from _check_unit(indicator.unit, ("indicators", i, "unit"), doc, context.agency)
    elif isinstance(record, Agency):
        for i, unit in enumerate(record.units):
            if unit.same_as is not None and unit.same_as not in record.unit_kinds():
                yield doc.problem(("units", i, "same_as"), f"找不到單位「{unit.same_as}」；same_as 必須是已有的單位")


def check_serves(catalogue: Indicators, plans: list[Plan], doc: Document) -> Iterator[Problem]:
    """Check that each indicator's plan item exists, by name, in at least one of the agency's plans."""
    for i, indicator in enumerate(catalogue.indicators):
        if not any(find_item(plan, indicator.serves) for plan in plans):
            path = " > ".join(indicator.serves)
            years = "、".join(str(plan.year) for plan in plans)
            yield doc.problem(
                ("indicators", i, "serves"),
                f"在 {years} 年度的施政計畫中都找不到計畫項目「{path}」；請照計畫項目名稱由最上層逐層填寫"
                " (plan item not found)",
            )


def _check_corrections(
    corrections: list[Correction], value: int | Decimal, loc: Loc, doc: Document
) -> Iterator[Problem]:
    previous_date = ""
    for i, correction in enumerate(corrections):
        here: Loc = (*loc, "corrections", i)
        try:
            datetime.date.fromisoformat(correction.date)
        except ValueError:
            yield doc.problem((*here, "date"), f"日期「{correction.date}」不存在，請寫成西元年-月-日，例如 2024-03-05")
        if correction.date < previous_date:
            yield doc.problem((*here, "date"), "更正紀錄請依日期先後排列 (corrections out of date order)")
        previous_date = correction.date
    if corrections and corrections[-1].previous == value:
        yield doc.problem(
            (*loc, "corrections", len(corrections) - 1, "previous"),
            f"更正前的數值 {number(value)} 與目前的數值相同，不是更正 (previous equals the current value)",
        )


def _reconcile_plan(plan: Plan, path: Path, doc: Document, context: Context) -> Iterator[Problem]:
    if path.stem != str(plan.year):
        yield doc.problem(("year",), f"年度 {plan.year} 與檔名 {path.name} 不符；檔名應為 {plan.year}.yml")
    if plan.priorities is None and plan.budget is None and plan.items is None:
        yield doc.problem((), "施政計畫至少要有 priorities（施政重點）、budget（預算表）或 items（計畫項目）其中之一")
    if plan.budget is not None:
        yield from _reconcile_budget(plan.budget, doc, context)
    seen: set[tuple[tuple[str, ...], str]] = set()
    for at in plan_items(plan):
        if (at.path[:-1], at.item.no) in seen:
            yield doc.problem((*at.loc, "no"), f"同一層的項次「{at.item.no}」重複 (duplicate number)")
        seen.add((at.path[:-1], at.item.no))
    top: dict[str, int | None] = {}
    for line in plan.budget.lines if plan.budget else []:
        if line.no is not None:
            top.setdefault(line.no, line_amount(line).value)  # a duplicate number is reported with the budget
    unit = plan.budget.unit if plan.budget else ""
    for i, item in enumerate(plan.item_entries):
        if item.budget is None:
            continue
        loc: Loc = ("items", "entries", i, "budget")
        if plan.budget is None:
            yield doc.problem(loc, "這份計畫沒有 budget（預算表），無法對照此計畫的預算；請刪去 budget 或加上預算表")
        elif item.no not in top:
            yield doc.problem(loc, f"預算表中沒有項次「{item.no}」，無法對照此計畫的預算")
        elif top[item.no] is not None and top[item.no] != item.budget:  # a missing amount is reported already
            yield doc.problem(
                loc,
                f"計畫預算 {number(item.budget)} {unit}與預算表項次「{item.no}」的 "
                f"{number(top[item.no] or 0)} {unit}不符 (does not match the budget table)",
            )


def _reconcile_budget(budget: Budget, doc: Document, context: Context) -> Iterator[Problem]:
    """Check a budget table: columns, each line's amounts against its sub-lines, and the declared totals."""
    names = budget.column_names()
    change = {column.name: column.change for column in budget.columns}
    if len(set(names)) != len(names):
        yield doc.problem(("budget", "columns"), "欄名重複：每一欄的 name 都要不同 (duplicate column)")
    for name in budget.totals:
        if name not in names[1:]:
            yield doc.problem(("budget", "totals", name), _unknown_column(name, names))
    columns: list[str | None] = [None, *names[1:]]
    for column in columns:
        total = budget.total if column is None else budget.totals.get(column)
        if total is None:
            continue
        summed = [line_amount(line, column).value for line in budget.lines]
        if None not in summed and sum(s or 0 for s in summed) != total:
            where: Loc = ("budget", "total") if column is None else ("budget", "totals", column)
            diff = sum(s or 0 for s in summed) - total
            yield doc.problem(
                where,
                f"各列金額加總為 {number(sum(s or 0 for s in summed))} {budget.unit}，與合計 {number(total)} "
                f"{budget.unit}不符（相差 {diff:+,} {budget.unit}）(budget lines do not add up to the total)",
            )
    seen: set[tuple[tuple[int, ...], str]] = set()
    for at in budget_lines(budget):
        yield from _check_line(at, budget, names, change, doc, context)
        if at.line.no is not None:
            if (at.positions[:-1], at.line.no) in seen:
                yield doc.problem((*at.loc, "no"), f"項次「{at.line.no}」重複 (duplicate number)")
            seen.add((at.positions[:-1], at.line.no))


def _unknown_column(column: str, names: list[str]) -> str:
    others = "、".join(f"「{n}」" for n in names[1:]) or "（沒有；只有一欄時請寫在 amount）"
    return f"沒有名為「{column}」的金額欄；請先在 budget.columns 寫出欄名。可用的欄有：{others} (unknown column)"


def _check_line(
    at: LineAt, budget: Budget, names: list[str], change: dict[str, bool], doc: Document, context: Context
) -> Iterator[Problem]:
    """Check one budget line: its amounts, their sum over its sub-lines, its note's figures and chart text."""
    line = at.line
    if line.amount is None and not line.lines:
        yield doc.problem((*at.loc, "amount"), "缺少金額：沒有下一層的預算列必須寫 amount (amount missing)")
    for name in line.amounts:
        if name not in names[1:]:
            yield doc.problem((*at.loc, "amounts", name), _unknown_column(name, names))
    for name, value in [(names[0], line.amount), *line.amounts.items()]:
        if value is not None and value < 0 and not change.get(name, False):
            where: Loc = (*at.loc, "amount") if name == names[0] else (*at.loc, "amounts", name)
            yield doc.problem(
                where, f"金額不可為負數，讀到的是 {number(value)}；只有增減欄（columns 中 change: true）可以是負數"
            )
    if line.lines:
        columns: list[str | None] = [None, *line.amounts]
        for column in columns:
            own = line.amount if column is None else line.amounts.get(column)
            parts = [line_amount(sub, column).value for sub in line.lines]
            if own is not None and None not in parts and sum(p or 0 for p in parts) != own:
                total = sum(p or 0 for p in parts)
                where = (*at.loc, "amount") if column is None else (*at.loc, "amounts", column)
                yield doc.problem(
                    where,
                    f"下一層各列加總為 {number(total)} {budget.unit}，與本列的 {number(own)} {budget.unit}不符"
                    f"（相差 {total - own:+,} {budget.unit}）(sub-lines do not add up)",
                )
    if line.amount is not None:
        yield from _check_corrections(line.corrections, line.amount, at.loc, doc)
    if at.depth == 0:  # the chart shows the top-level lines
        if line.no:
            yield from _drawable(line.no, (*at.loc, "no"), doc)
        yield from _drawable(line.name, (*at.loc, "name"), doc)
    if line.figures and line.note is None:
        yield doc.problem((*at.loc, "figures"), "有 figures 時必須有 note，數字的原文要出現在備考中")
    for figure_at in at.figures():
        if line.note is not None:
            yield from _check_figure(figure_at, line.note, doc, context)


def _coverage() -> list[tuple[int, int]]:
    """Read the ranges of code points the bundled chart font can draw (kept beside the code, made from the font)."""
    ranges = []
    for line in COVERAGE.read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            first, _, last = line.partition("-")
            ranges.append((int(first, 16), int(last or first, 16)))
    return ranges


COVERAGE = Path(__file__).with_name("font-coverage.txt")
_RANGES = _coverage()
_STARTS = [first for first, _ in _RANGES]


def drawable(char: str) -> bool:
    """Tell whether the bundled chart font can draw `char` (white space needs no glyph)."""
    at = bisect.bisect_right(_STARTS, ord(char)) - 1
    return char.isspace() or (at >= 0 and _RANGES[at][0] <= ord(char) <= _RANGES[at][1])


def _drawable(text: str, loc: Loc, doc: Document) -> Iterator[Problem]:
    """Refuse chart text with a character the bundled font lacks: it would be drawn as an empty box."""
    for char in text:
        if not drawable(char):
            yield doc.problem(
                loc,
                f"「{text}」裡的「{char}」（U+{ord(char):04X}）無法畫在圖表上：網站圖表用的字型沒有這個字。"
                "請改用常用字，或刪去表情符號等特殊符號 (character not in the chart font)",
            )
            return


def _reconcile_report(report: Report, path: Path, doc: Document, context: Context) -> Iterator[Problem]:
    if path.stem != report.slug:
        yield doc.problem(
            ("period",),
            f"年度與期間（{report.year} 年{report.period}）與檔名 {path.name} 不符；"
            f"檔名應為 {report.slug}.yml",
        )
    for c, chapter in enumerate(report.chapters):
        for s, section in enumerate(chapter.sections):
            base: Loc = ("chapters", c, "sections", s)
            if section.text is None and not section.items:
                yield doc.problem(base, "這一節需要 text（內文）或 items（分項）其中之一")
            if section.text is None and section.figures:
                yield doc.problem((*base, "figures"), "有 figures 時必須有 text，數字的原文要出現在內文中")
    for at in all_figures(report):
        if at.text is not None:  # a figure without text is reported above, once for its section
            yield from _check_figure(at, at.text, doc, context)
    if context.catalogue is not None:
        yield from _check_indicators(report, context, doc)


def _check_indicators(report: Report, context: Context, doc: Document) -> Iterator[Problem]:
    """Check each figure's indicator: it exists, its unit fits, and the report gives it one value."""
    catalogue, used = context.catalogue or {}, set()
    for at in all_figures(report):
        figure = at.figure
        if figure.indicator is None:
            continue
        here: Loc = (*at.loc, "indicator")
        indicator = catalogue.get(figure.indicator)
        if indicator is None:
            known = "、".join(catalogue) or "（尚無 indicators.yml）"
            yield doc.problem(
                here, f"找不到指標「{figure.indicator}」；indicators.yml 中的指標有：{known} (unknown indicator)"
            )
            continue
        if context.agency.measure(indicator.unit) != context.agency.measure(figure.unit):
            yield doc.problem(
                here, f"指標「{indicator.id}」的單位是「{indicator.unit}」，這個數字的單位是「{figure.unit}」，無法比較"
            )
        if figure.indicator in used:
            yield doc.problem(here, f"同一份報告中已有數字屬於指標「{indicator.id}」；每份報告每個指標只能有一個數字")
        used.add(figure.indicator)


def _check_unit(unit: str, loc: Loc, doc: Document, agency: Agency) -> Iterator[Problem]:
    """Refuse a unit that is neither a default one nor declared in agency.yml."""
    if unit not in agency.unit_kinds():
        known = "、".join(f"「{u}」" for u in agency.unit_kinds())
        yield doc.problem(
            loc,
            f"單位「{unit}」不在單位清單中；可用的有：{known}。若來源文件確實用這個單位，"
            "請在 agency.yml 的 units 宣告它與它量的是什麼（kind），例如「- name: 宗」「kind: 計數」(unknown unit)",
        )


def _check_figure(at: FigureAt, text: str, doc: Document, context: Context) -> Iterator[Problem]:
    """Check one figure: its unit, its quote in the text showing its value, its sign, range and breakdowns."""
    figure, here = at.figure, at.loc
    yield from _check_unit(figure.unit, (*here, "unit"), doc, context.agency)
    if figure.quote not in text:
        yield doc.problem((*here, "quote"), f"原文片段「{figure.quote}」沒有逐字出現在內文中 (quote not found in text)")
    elif abs(figure.value) not in numbers_in(figure.quote):
        yield doc.problem(
            (*here, "value"), f"數值 {figure.value} 沒有出現在原文片段「{figure.quote}」中 (value not in its quote)"
        )
    elif figure.value < 0 and not any(word in figure.quote for word in _DECREASE):
        yield doc.problem(
            (*here, "value"),
            f"數值 {figure.value} 是負數，但原文片段「{figure.quote}」沒有寫出減少；"
            "請照原文的正負號填寫 (sign not in quote)",
        )
    yield from _check_corrections(figure.corrections, figure.value, here, doc)
    yield from _check_range(figure, here, doc, context.agency)
    for b, breakdown in enumerate(figure.breakdowns):
        total = sum((part.value for part in breakdown.parts), start=0)
        if total != figure.value:
            yield doc.problem(
                (*here, "breakdowns", b, "parts"),
                f"「{breakdown.by}」各部分加總為 {number(total)}，與「{figure.label}」的 "
                f"{number(figure.value)} {figure.unit}不符（相差 {total - figure.value:+,}）(parts do not add up)",
            )
    if at.parent is not None:
        yield from _drawable(figure.label, (*here, "label"), doc)
        if context.agency.measure(figure.unit) != context.agency.measure(at.parent.unit):
            yield doc.problem(
                (*here, "unit"), f"單位「{figure.unit}」與上層數字的單位「{at.parent.unit}」不同，無法加總"
            )


def _check_range(figure: Figure, loc: Loc, doc: Document, agency: Agency) -> Iterator[Problem]:
    """Refuse values the unit's kind cannot take: negatives that are not changes, percentages over 100."""
    kind = agency.unit_kinds().get(figure.unit)
    if figure.change:
        return
    if figure.value < 0:
        yield doc.problem(
            (*loc, "value"),
            f"數值不可為負數，讀到的是 {figure.value}；若來源文件寫的是增減（例如「減少 27.11%」），"
            "請保留負號並加上 change: true (negative value)",
        )
    elif kind == "百分比" and figure.value > 100:
        yield doc.problem(
            (*loc, "value"),
            f"百分比必須介於 0 到 100，讀到的是 {figure.value}；若這是增減（例如「增加 120%」），請加上 change: true",
        )


