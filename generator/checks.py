"""The checks every kind of record shares: units, figures against their quotes, corrections, chart text."""
from __future__ import annotations

import bisect
import datetime
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .errors import Problem
from .formats import number, numbers_in
from .load import Document, Loc
from .model import Agency, Correction, Figure, FigurePeriod, Indicator, PeriodRange
from .periods import parse_month
from .scan import MAX_CHART_ITEMS
from .walk import FigureAt

# Words that show a quoted figure is a decrease, so that a negative value matches its quote.
_DECREASE = ("減", "降", "少", "負", "-", "－", "−")


@dataclass(frozen=True)
class Context:
    """What a record is checked against besides itself: its agency's units and indicator catalogue."""

    agency: Agency = field(default_factory=lambda: Agency(name="?", parent=None))
    catalogue: dict[str, Indicator] | None = None


def check_corrections(
    corrections: list[Correction], value: int | Decimal, loc: Loc, doc: Document
) -> Iterator[Problem]:
    """Check that corrections have real dates, in order, and that the last one changed the value."""
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


def check_drawable(text: str, loc: Loc, doc: Document) -> Iterator[Problem]:
    """Refuse chart text with a character the bundled font lacks: it would be drawn as an empty box."""
    for char in text:
        if not drawable(char):
            yield doc.problem(
                loc,
                f"「{text}」裡的「{char}」（U+{ord(char):04X}）無法畫在圖表上：網站圖表用的字型沒有這個字。"
                "請改用常用字，或刪去表情符號等特殊符號 (character not in the chart font)",
            )
            return


def check_unit(unit: str, loc: Loc, doc: Document, agency: Agency) -> Iterator[Problem]:
    """Refuse a unit that is neither a default one nor declared in agency.yml."""
    if unit not in agency.unit_kinds():
        known = "、".join(f"「{u}」" for u in agency.unit_kinds())
        yield doc.problem(
            loc,
            f"單位「{unit}」不在單位清單中；可用的有：{known}。若來源文件確實用這個單位，"
            "請在 agency.yml 的 units 宣告它與它量的是什麼（kind），例如「- name: 宗」「kind: 計數」(unknown unit)",
        )


def check_figure(at: FigureAt, text: str, doc: Document, context: Context) -> Iterator[Problem]:
    """Check one figure: its unit, its quote in the text showing its value, its sign, range and breakdowns."""
    figure, here = at.figure, at.loc
    yield from check_unit(figure.unit, (*here, "unit"), doc, context.agency)
    if unicodedata.normalize("NFC", figure.quote) not in unicodedata.normalize("NFC", text):  # same characters
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
    yield from check_corrections(figure.corrections, figure.value, here, doc)
    if figure.period is not None:
        yield from check_months(figure.period, (*here, "period"), doc)
    yield from check_value(figure, (*here, "value"), doc, context.agency)
    if figure.breakdowns and at.parent is None:
        yield from check_drawable(figure.label, (*here, "label"), doc)  # the title of its breakdowns' charts
    for b, breakdown in enumerate(figure.breakdowns):
        yield from check_drawable(breakdown.by, (*here, "breakdowns", b, "by"), doc)
        if len(breakdown.parts) > MAX_CHART_ITEMS:
            yield doc.problem(
                (*here, "breakdowns", b, "parts"),
                f"細分有 {len(breakdown.parts)} 項，超過一張圖表的上限 {MAX_CHART_ITEMS} 項 (limit)",
            )
        total = sum((part.value for part in breakdown.parts), start=0)
        if total != figure.value:
            yield doc.problem(
                (*here, "breakdowns", b, "parts"),
                f"「{breakdown.by}」各部分加總為 {number(total)}，與「{figure.label}」的 "
                f"{number(figure.value)} {figure.unit}不符（相差 {total - figure.value:+,}）(parts do not add up)",
            )
    if at.parent is not None:
        yield from check_drawable(figure.label, (*here, "label"), doc)
        if context.agency.measure(figure.unit) != context.agency.measure(at.parent.unit):
            yield doc.problem(
                (*here, "unit"), f"單位「{figure.unit}」與上層數字的單位「{at.parent.unit}」不同，無法加總"
            )


def check_months(period: PeriodRange | FigurePeriod, loc: Loc, doc: Document) -> Iterator[Problem]:
    """Check a period written as months: both months real, the start not after the end, one way of writing it."""
    if isinstance(period, FigurePeriod):
        named, months = period.year is not None or period.name is not None, period.start or period.end
        if named == bool(months) or (named and None in (period.year, period.name)) or (
            months and None in (period.start, period.end)
        ):
            yield doc.problem(
                loc,
                "期間請寫成 year 加 name（例如 year: 109、name: 下半年），或 start 加 end（例如 start: 89-07、"
                "end: 96-04），兩種寫法擇一 (period incomplete)",
            )
            return
        if named:
            return
    start, end = parse_month(period.start or ""), parse_month(period.end or "")
    for key, month, text in (("start", start, period.start), ("end", end, period.end)):
        if month is None:
            yield doc.problem((*loc, key), f"「{text}」不是民國年-月，請寫成例如 89-07（月份 01 到 12）")
    if start and end and start > end:
        yield doc.problem((*loc, "end"), f"結束的月份 {period.end} 在開始的月份 {period.start} 之前")


def check_value(figure: Figure, loc: Loc, doc: Document, agency: Agency) -> Iterator[Problem]:
    """Refuse values the unit's kind cannot take (negatives that are not changes, percentages over 100) at `loc`."""
    kind = agency.unit_kinds().get(figure.unit)
    if figure.change:
        return
    if figure.value < 0:
        yield doc.problem(
            loc,
            f"數值不可為負數，讀到的是 {figure.value}；若來源文件寫的是增減（例如「減少 27.11%」），"
            "請保留負號並加上 change: true (negative value)",
        )
    elif kind == "百分比" and figure.value > 100:
        yield doc.problem(
            loc,
            f"百分比必須介於 0 到 100，讀到的是 {figure.value}；若這是增減（例如「增加 120%」），請加上 change: true",
        )
