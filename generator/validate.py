"""Check each record against its model, in Traditional Chinese, and reconcile its arithmetic and references."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .checks import Context, check_drawable, check_figure, check_months, check_unit, check_value
from .errors import DataError, Problem
from .load import Document, Loc, load_file
from .model import Agency, Indicators, PeriodRange, Plan, Report, Sourced, StatTable
from .plan_checks import reconcile_plan
from .scan import MAX_CHART_ITEMS
from .translate import translate_errors
from .walk import FigureAt, all_figures, find_item

M = TypeVar("M", bound=BaseModel)

KINDS: dict[str, type[BaseModel]] = {"plans": Plan, "reports": Report}


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
        yield from reconcile_plan(record, path, doc, context)
    elif isinstance(record, Report):
        yield from _reconcile_report(record, path, doc, context)
    elif isinstance(record, Indicators):
        seen: set[str] = set()
        for i, indicator in enumerate(record.indicators):
            if indicator.id in seen:
                yield doc.problem(("indicators", i, "id"), f"指標代號「{indicator.id}」重複 (duplicate indicator id)")
            seen.add(indicator.id)
            yield from check_unit(indicator.unit, ("indicators", i, "unit"), doc, context.agency)
            yield from check_drawable(indicator.name, ("indicators", i, "name"), doc)  # its chart's title
    elif isinstance(record, Agency):
        yield from check_drawable(record.name, ("name",), doc)  # every chart's credit names the agency
        for i, unit in enumerate(record.units):
            yield from check_drawable(unit.name, ("units", i, "name"), doc)
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


def _reconcile_report(report: Report, path: Path, doc: Document, context: Context) -> Iterator[Problem]:
    period_ok = True
    if isinstance(report.period, PeriodRange):
        if report.year is not None:
            yield doc.problem(("year",), "期間寫成起訖月份時不要寫 year：年度看 start 與 end 就知道")
        period_ok = not (found := list(check_months(report.period, ("period",), doc)))
        yield from found
    elif report.year is None:
        period_ok = False
        yield doc.problem(("year",), f"期間是「{report.period}」時必須寫 year（民國年度，例如 110）(year missing)")
    if period_ok and path.stem != report.slug:
        yield doc.problem(
            ("period",), f"年度與期間（{report.name}）與檔名 {path.name} 不符；檔名應為 {report.slug}.yml"
        )
    if not report.chapters and not report.tables:
        yield doc.problem((), "工作成果至少要有 chapters（各章）或 tables（統計表）其中之一")
    yield from check_drawable(report.source.document, ("source", "document"), doc)  # every chart's credit
    for t, table in enumerate(report.tables):
        yield from _check_table(table, ("tables", t), doc, context)
    for c, chapter in enumerate(report.chapters):
        for s, section in enumerate(chapter.sections):
            base: Loc = ("chapters", c, "sections", s)
            if section.text is None and not section.items:
                yield doc.problem(base, "這一節需要 text（內文）或 items（分項）其中之一")
            if section.text is None and section.figures:
                yield doc.problem((*base, "figures"), "有 figures 時必須有 text，數字的原文要出現在內文中")
    figures = all_figures(report)  # walked once for both the figure and the indicator checks
    for at in figures:
        if at.cell:  # a table cell has no sentence to quote: its unit and range are what can be checked
            yield from check_value(at.figure, at.loc, doc, context.agency)
        elif at.text is not None:  # a figure without text is reported above, once for its section
            yield from check_figure(at, at.text, doc, context)
    if context.catalogue is not None:
        yield from _check_indicators(figures, context, doc)


def _check_table(table: StatTable, loc: Loc, doc: Document, context: Context) -> Iterator[Problem]:
    """Check a statistics table: a value for every column, a unit for every cell, known units and periods."""
    if table.unit is not None:
        yield from check_unit(table.unit, (*loc, "unit"), doc, context.agency)
    if table.period is not None:
        yield from check_months(table.period, (*loc, "period"), doc)
    yield from check_drawable(table.title, (*loc, "title"), doc)  # the title of its rows' charts
    if len(table.columns) > MAX_CHART_ITEMS:
        yield doc.problem(
            (*loc, "columns"),
            f"表有 {len(table.columns)} 欄，超過一張圖表的上限 {MAX_CHART_ITEMS} 欄；請分成幾張表 (limit)",
        )
    for c, column in enumerate(table.columns):
        here: Loc = (*loc, "columns", c)
        if column.unit is not None:
            yield from check_unit(column.unit, (*here, "unit"), doc, context.agency)
        if column.period is not None:
            yield from check_months(column.period, (*here, "period"), doc)
        yield from check_drawable(column.label, (*here, "label"), doc)
    for r, row in enumerate(table.rows):
        here = (*loc, "rows", r)
        if row.unit is not None:
            yield from check_unit(row.unit, (*here, "unit"), doc, context.agency)
        yield from check_drawable(row.label, (*here, "label"), doc)
        if len(row.values) != len(table.columns):
            yield doc.problem(
                (*here, "values"),
                f"這一列有 {len(row.values)} 個數值，但表有 {len(table.columns)} 欄；每一欄都要有一個數值，"
                "空白的格子寫 － (row length)",
            )
        for c, value in enumerate(row.values):
            if value is None:
                yield doc.problem(
                    (*here, "values", c),
                    "尚未填寫（目前是空白），請依來源文件填入；文件中這一格空白或畫「－」時請寫 － (no value yet)",
                )
        if not row.unit and not table.unit and not all(column.unit for column in table.columns):
            yield doc.problem(
                (*here, "label"), "這一列的數字沒有單位：請在表（tables 的 unit）、各欄或這一列寫出單位 (unit missing)"
            )


def _check_indicators(figures: list[FigureAt], context: Context, doc: Document) -> Iterator[Problem]:
    """Check each figure's indicator: it exists, its unit fits, and the report gives it one value."""
    catalogue, used = context.catalogue or {}, set()
    for at in figures:
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
        if figure.period is not None or at.cell:
            continue  # figures of other periods (quoted, or table cells) are not this report's one value
        if figure.indicator in used:
            yield doc.problem(here, f"同一份報告中已有數字屬於指標「{indicator.id}」；每份報告每個指標只能有一個數字")
        used.add(figure.indicator)


