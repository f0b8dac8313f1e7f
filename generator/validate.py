"""Check each record against its model, in Traditional Chinese, and reconcile its arithmetic and references."""
from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import DataError, Problem
from .formats import number
from .load import Document, Loc, load_file
from .model import UNIT_KINDS, Agency, Correction, Indicator, Indicators, Plan, Report, Sourced
from .walk import FigureAt, all_figures, find_item, plan_items

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
    doc: Document | None, path: Path, model: type[M], problems: list[Problem], catalogue: dict[str, Indicator] | None
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
        problems.extend(_translate_errors(exc, doc))
        return None
    found = list(_reconcile(record, path, doc, catalogue))
    problems.extend(found)
    return None if found else Sourced(doc.path, record)


def _data_loc(loc: tuple[Any, ...], data: Any) -> Loc:
    """Drop pydantic's union-member tags from `loc`, keeping only steps into the data."""
    out: list[str | int] = []
    for step in loc:
        if isinstance(data, dict) and isinstance(step, str):
            out.append(step)
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            out.append(step)
            data = data[step]
        elif not isinstance(step, str) or isinstance(data, dict):
            break
    return tuple(out)


def _shown(value: Any) -> str:
    if value is None:
        return "空白"
    if isinstance(value, bool):
        return "「true」" if value else "「false」"
    if isinstance(value, dict | list):
        return "一組欄位" if isinstance(value, dict) else "一個清單"
    return f"「{value}」"


def _message(error: Any, model_fields: list[str]) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "missing":
        return "缺少必填欄位 (required field missing)"
    if value is None and (kind.endswith("_type") or kind == "is_instance_of"):
        return "尚未填寫（目前是空白），請依來源文件填入 (no value yet)"
    if kind == "extra_forbidden":
        allowed = "、".join(model_fields)
        return f"不認得這個欄位，可能拼錯了；這裡可用的欄位有：{allowed} (unknown field)"
    if kind == "int_type" and error["loc"][-1:] == ("constrained-int",):
        kind = "is_instance_of"  # a figure's value may be an integer or a decimal
    if kind == "int_type":
        hint = "；數字請勿加千分位逗號或引號" if isinstance(value, str) else ""
        return f"應為整數，讀到的是{_shown(value)}{hint} (expected an integer)"
    if kind in ("is_instance_of", "decimal_type", "float_type"):
        hint = "；數字請勿加千分位逗號或引號" if isinstance(value, str) else ""
        return f"應為數字，讀到的是{_shown(value)}{hint} (expected a number)"
    if kind == "string_type":
        hint = ""
        if isinstance(value, bool):
            hint = "；若要寫 true、false 這類字，請加上引號"
        elif isinstance(value, int | Decimal):
            hint = "；純數字的文字（例如項次 \"1\"）請加上引號"
        return f"應為文字，讀到的是{_shown(value)}{hint} (expected text)"
    if kind == "literal_error":
        allowed = "、".join(f"「{v}」" for v in re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        return f"只能是下列之一：{allowed}，讀到的是{_shown(value)} (not an allowed value)"
    if kind == "greater_than_equal":
        return f"不可小於 {ctx.get('ge')}，讀到的是{_shown(value)} (too small)"
    if kind == "less_than_equal":
        return f"不可大於 {ctx.get('le')}，讀到的是{_shown(value)} (too large)"
    if kind == "string_pattern_mismatch":
        if "\\d{4}" in str(ctx.get("pattern", "")):
            return f"日期應寫成西元年-月-日（例如 2024-03-05），讀到的是{_shown(value)} (expected a date)"
        return f"代號只能用小寫英文、數字與 -，且不以 - 開頭，讀到的是{_shown(value)} (invalid id)"
    if kind == "string_too_short":
        return "不可空白 (must not be empty)"
    if kind == "too_short":
        return f"至少要有 {ctx.get('min_length')} 筆 (too few entries)"
    if kind == "list_type":
        return f"應為清單（每筆以「- 」開頭），讀到的是{_shown(value)} (expected a list)"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"應為一組欄位（key: value），讀到的是{_shown(value)} (expected a mapping)"
    return f"{error['msg']}"


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Return the field names allowed in the mapping that `loc` points into."""
    current: Any = model
    for step in loc[:-1]:
        if isinstance(step, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or step not in current.model_fields:
            return []
        annotation = current.model_fields[step].annotation
        current = _model_in(annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _translate_errors(exc: ValidationError, doc: Document) -> list[Problem]:
    model = exc.title
    roots: dict[str, type[BaseModel]] = {"Plan": Plan, "Report": Report, "Agency": Agency, "Indicators": Indicators}
    root = roots.get(model, Agency)
    seen: set[Loc] = set()
    problems = []
    for error in exc.errors():
        loc = _data_loc(error["loc"], doc.data)
        if error["type"] == "missing":
            loc = (*loc, error["loc"][len(loc)]) if len(error["loc"]) > len(loc) else loc
        if loc in seen:
            continue
        seen.add(loc)
        message = _message(error, _fields_at(root, loc))
        problems.append(doc.problem(loc, message, key=error["type"] == "extra_forbidden"))
    return problems


def _reconcile(
    record: BaseModel, path: Path, doc: Document, catalogue: dict[str, Indicator] | None
) -> Iterator[Problem]:
    """Yield every arithmetic or consistency problem in one validated record."""
    if isinstance(record, Plan):
        yield from _reconcile_plan(record, path, doc)
    elif isinstance(record, Report):
        yield from _reconcile_report(record, path, doc, catalogue)
    elif isinstance(record, Indicators):
        seen: set[str] = set()
        for i, indicator in enumerate(record.indicators):
            if indicator.id in seen:
                yield doc.problem(("indicators", i, "id"), f"指標代號「{indicator.id}」重複 (duplicate indicator id)")
            seen.add(indicator.id)


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


def _reconcile_plan(plan: Plan, path: Path, doc: Document) -> Iterator[Problem]:
    if path.stem != str(plan.year):
        yield doc.problem(("year",), f"年度 {plan.year} 與檔名 {path.name} 不符；檔名應為 {plan.year}.yml")
    budget = plan.budget
    total = sum(line.amount for line in budget.lines)
    if total != budget.total:
        diff = total - budget.total
        yield doc.problem(
            ("budget", "total"),
            f"各列金額加總為 {number(total)} {budget.unit}，與合計 {number(budget.total)} {budget.unit}不符"
            f"（相差 {diff:+,} {budget.unit}）(budget lines do not add up to the total)",
        )
    lines_by_no: dict[str, int] = {}
    for i, line in enumerate(budget.lines):
        yield from _check_corrections(line.corrections, line.amount, ("budget", "lines", i), doc)
        yield from _drawable(line.no, ("budget", "lines", i, "no"), doc)
        yield from _drawable(line.category, ("budget", "lines", i, "category"), doc)
        if line.no in lines_by_no:
            yield doc.problem(("budget", "lines", i, "no"), f"項次「{line.no}」重複 (duplicate number)")
        lines_by_no.setdefault(line.no, line.amount)
    seen: set[tuple[tuple[str, ...], str]] = set()
    for at in plan_items(plan):
        if (at.path[:-1], at.item.no) in seen:
            yield doc.problem((*at.loc, "no"), f"同一層的項次「{at.item.no}」重複 (duplicate number)")
        seen.add((at.path[:-1], at.item.no))
    for i, item in enumerate(plan.items.entries):
        if item.budget is None:
            continue
        loc: Loc = ("items", "entries", i, "budget")
        if item.no not in lines_by_no:
            yield doc.problem(loc, f"預算表中沒有項次「{item.no}」，無法對照此計畫的預算")
        elif lines_by_no[item.no] != item.budget:
            yield doc.problem(
                loc,
                f"計畫預算 {number(item.budget)} 千元與預算表項次「{item.no}」的 "
                f"{number(lines_by_no[item.no])} 千元不符 (does not match the budget table)",
            )


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


def _reconcile_report(
    report: Report, path: Path, doc: Document, catalogue: dict[str, Indicator] | None
) -> Iterator[Problem]:
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
            yield from _check_figure(at, at.text, doc)
    if catalogue is not None:
        yield from _check_indicators(report, catalogue, doc)


def _check_indicators(report: Report, catalogue: dict[str, Indicator], doc: Document) -> Iterator[Problem]:
    """Check each figure's indicator: it exists, its unit fits, and the report gives it one value."""
    used: set[str] = set()
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
        if UNIT_KINDS.get(indicator.unit, indicator.unit) != UNIT_KINDS.get(figure.unit, figure.unit):
            yield doc.problem(
                here, f"指標「{indicator.id}」的單位是「{indicator.unit}」，這個數字的單位是「{figure.unit}」，無法比較"
            )
        if figure.indicator in used:
            yield doc.problem(here, f"同一份報告中已有數字屬於指標「{indicator.id}」；每份報告每個指標只能有一個數字")
        used.add(figure.indicator)


def _check_figure(at: FigureAt, text: str, doc: Document) -> Iterator[Problem]:
    """Check one figure: its quote is in the text and shows its value, its corrections, range and breakdowns."""
    figure, here = at.figure, at.loc
    if figure.quote not in text:
        yield doc.problem((*here, "quote"), f"原文片段「{figure.quote}」沒有逐字出現在內文中 (quote not found in text)")
    elif not _quote_has_value(figure.quote, figure.value):
        yield doc.problem(
            (*here, "value"), f"數值 {figure.value} 沒有出現在原文片段「{figure.quote}」中 (value not in its quote)"
        )
    yield from _check_corrections(figure.corrections, figure.value, here, doc)
    if figure.unit == "%" and figure.value > 100:
        yield doc.problem((*here, "value"), f"百分比必須介於 0 到 100，讀到的是 {figure.value}")
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
        if UNIT_KINDS.get(figure.unit, figure.unit) != UNIT_KINDS.get(at.parent.unit, at.parent.unit):
            yield doc.problem(
                (*here, "unit"), f"單位「{figure.unit}」與上層數字的單位「{at.parent.unit}」不同，無法加總"
            )


def _quote_has_value(quote: str, value: int | Decimal) -> bool:
    digits = re.findall(r"\d[\d,]*(?:\.\d+)?", quote)
    return any(Decimal(d.replace(",", "")) == value for d in digits)
