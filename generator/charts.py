"""Draw the portal's charts as deterministic SVG and PNG with a bundled CJK font, cached and in parallel."""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal, NamedTuple

from .cache import Store, code_version, digest, pool
from .canvas import FONT_FAMILY, Canvas, MissingGlyphError, font
from .formats import roc_year, value_label
from .model import AgencyData, Budget, Indicator, Plan, Report
from .paths import budget_history_dir, indicator_dir, plan_dir, report_dir
from .trends import BudgetHistory, Point
from .walk import FigureAt, budget_lines, budget_total, line_amount, line_kind, table_where

__all__ = ["FONT_FAMILY", "MissingGlyphError"]

_BAR = "#1f5f8b"
_INK = "#1a1a1a"
# Sizes in points: label text, small text under columns, padding, gaps, bar row, column slot, axis line.
_LABEL, _SMALL, _PAD, _GAP, _ROW, _SLOT, _AXIS = 15.0, 12.0, 7.2, 3.5, 32.4, 54.0, 0.8
# The longest bar and the tallest column, in points; PNG downloads are drawn at _DPI.
_BAR_SPAN, _COLUMN_SPAN, _DPI = 165.0, 133.0, 150
# Draw in worker processes only when there are enough charts to pay for starting them.
PARALLEL_FROM = 100
CHUNK = 50
PROGRESS_EVERY = 500
log = logging.getLogger("generator")


@dataclass(frozen=True)
class Chart:
    """A bar chart: what it shows, its numbers, its text alternative and the document they come from."""

    file: str
    title: str
    labels: tuple[str, ...]
    values: tuple[int | Decimal, ...]
    unit: str
    alt: str
    kind: Literal["bars", "columns"] = "bars"
    document: str = ""
    period: str = ""
    agency: str = ""  # the agency that published the document
    units: tuple[str, ...] = ()  # each value's own unit, when the document counts them differently (案 and 件)

    def unit_of(self, index: int) -> str:
        """Return the unit of the value at `index`, as the document writes it."""
        return self.units[index] if self.units else self.unit

    def key(self) -> str:
        """Return a hash of the fields drawn (not file or agency), and of the drawing code, libraries and font."""
        fields = {name: value for name, value in dataclasses.asdict(self).items() if name not in ("file", "agency")}
        return digest(code_version(*CODE), json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str))


class Size(NamedTuple):
    """A chart's size in CSS pixels."""

    width: int
    height: int


@dataclass(frozen=True)
class Drawn:
    """A drawn chart: SVG for the page, PNG for downloads, and the SVG's size in CSS pixels."""

    svg: bytes
    png: bytes
    width: int
    height: int


@dataclass
class DrawStats:
    """How many charts a run drew and how many it took from the cache."""

    drawn: int = 0
    cached: int = 0
    drawn_files: list[str] = field(default_factory=list)


# What a drawn chart depends on besides the chart: the drawing code, its libraries and the bundled font.
CODE = (("charts", "canvas"), ("matplotlib", "numpy", "pillow", "noto-cjk-sans-otc"))


def budget_chart(agency: AgencyData, plan: Plan, budget: Budget) -> Chart:
    """Describe the chart of a budget's top-level lines (amounts the document omits are the portal's sums)."""
    top = [at for at in budget_lines(budget) if at.depth == 0]
    amounts = [line_amount(at.line) for at in top]
    total = budget_total(budget)
    summed = "（本網站加總）" if total.value is not None and total.computed else ""
    listing = "、".join(f"{at.line.name} {amount.value or 0:,}" for at, amount in zip(top, amounts, strict=True))
    what = f"{plan.year} 年度預算各{line_kind(budget)}金額"
    return Chart(
        file=f"{plan_dir(agency, plan)}/budget/budget.svg",
        title=f"{what}（單位：{budget.unit}）",
        labels=tuple(at.label for at in top),
        values=tuple(amount.value or 0 for amount in amounts),
        unit=budget.unit,
        alt=f"長條圖，{agency.agency.name} {what}（{budget.unit}）：{listing}；"
        f"合計 {total.value or 0:,} {budget.unit}{summed}。",
        document=f"《{plan.source.document}》",
        agency=agency.agency.name,
        period=roc_year(plan.year),
    )


def breakdown_charts(agency: AgencyData, report: Report, figures: list[FigureAt]) -> dict[int, list[Chart]]:
    """Describe one chart per breakdown of each report figure, keyed by the figure's number in reading order."""
    out = {}
    for at in figures:
        figure = at.figure
        charts_of_figure = []
        for b, breakdown in enumerate(figure.breakdowns, 1):
            listing = "、".join(f"{p.label} {value_label(p.value, p.unit)}" for p in breakdown.parts)
            charts_of_figure.append(Chart(
                file=f"{report_dir(agency, report)}/figure-{at.number}-{b}.svg",
                title=f"{figure.label}，依{breakdown.by}",
                labels=tuple(p.label for p in breakdown.parts),
                values=tuple(p.value for p in breakdown.parts),
                unit=figure.unit,
                units=_own_units(figure.unit, [p.unit for p in breakdown.parts]),
                alt=f"長條圖，{report.name}{figure.label} {value_label(figure.value, figure.unit)}，"
                f"依{breakdown.by}：{listing}。",
                document=f"《{report.source.document}》",
                agency=agency.agency.name,
                period=f"{report.name}（{report.span.western} 年）",
            ))
        out[at.number] = charts_of_figure
    return out


def table_charts(agency: AgencyData, report: Report) -> dict[int, list[Chart]]:
    """Describe a column chart for each row of each statistics table that has two numbers or more in one unit."""
    out: dict[int, list[Chart]] = {}
    for t, table in enumerate(report.tables, 1):
        charts = out.setdefault(t, [])
        for r, row in enumerate(table.rows, 1):
            cells = [(column, value) for column, value in zip(table.columns, row.values, strict=False)
                     if value is not None and value != "－"]
            units = {row.unit or column.unit or table.unit for column, _ in cells}
            if len(cells) < 2 or len(units) != 1:
                continue
            unit = units.pop() or ""
            listing = "、".join(f"{column.label} {value_label(value, unit)}" for column, value in cells)
            charts.append(Chart(
                file=f"{report_dir(agency, report)}/table-{t}-{r}.svg",
                title=f"{table.title}：{row.label}（單位：{unit}）",
                labels=tuple(column.label for column, _ in cells),
                values=tuple(value for _, value in cells if value != "－"),  # narrows the type; cells hold no －
                unit=unit,
                alt=f"直條圖，{agency.agency.name}《{report.source.document}》{table_where(table)}「{row.label}」：{listing}。",
                kind="columns",
                document=f"《{report.source.document}》",
                agency=agency.agency.name,
                period=f"{report.name}（{report.span.western} 年）",
            ))
    return out


def indicator_chart(agency: AgencyData, indicator: Indicator, points: list[Point]) -> Chart:
    """Describe the column chart of an indicator over every period that has it."""
    listing = "、".join(f"{p.span.name} {value_label(p.value, p.located.figure.unit)}" for p in points)
    first, last = points[0].span.name, points[-1].span.name
    units = _own_units(indicator.unit, [p.located.figure.unit for p in points])
    return Chart(
        file=f"{indicator_dir(agency, indicator.id)}/series.svg",
        title=f"{indicator.name}歷期數值" + ("" if units else f"（單位：{indicator.unit}）"),
        labels=tuple(p.span.short for p in points),
        values=tuple(p.value for p in points),
        unit=indicator.unit,
        units=units,
        alt=f"直條圖，{agency.agency.name}「{indicator.name}」歷期數值：{listing}。",
        kind="columns",
        document="、".join(dict.fromkeys(f"《{p.report.source.document}》" for p in points)),
        agency=agency.agency.name,
        period=first if first == last else f"{first}至{last}",
    )


def budget_history_charts(agency: AgencyData, history: BudgetHistory) -> list[Chart]:
    """Describe one column chart per budget line across plan years (years without it are left out)."""
    out = []
    for n, row in enumerate(history.rows, 1):
        years = [(plan, amount) for plan, amount in zip(history.plans, row.amounts, strict=True) if amount is not None]
        listing = "、".join(f"{plan.year} 年度 {amount:,}" for plan, amount in years)
        out.append(Chart(
            file=f"{budget_history_dir(agency)}/category-{n}.svg",
            title=f"{row.name}歷年預算（單位：{history.unit}）",
            labels=tuple(str(plan.year) for plan, _ in years),
            values=tuple(amount for _, amount in years),
            unit=history.unit,
            alt=f"直條圖，{agency.agency.name}「{row.name}」歷年預算（{history.unit}）：{listing}。",
            kind="columns",
            document="、".join(f"《{plan.source.document}》" for plan, _ in years),
            agency=agency.agency.name,
            period=f"{years[0][0].year} 至 {years[-1][0].year} 年度",
        ))
    return out


def _own_units(unit: str, units: list[str]) -> tuple[str, ...]:
    """Return each value's unit when any differs from the chart's, else nothing (one unit for all)."""
    return tuple(units) if any(u != unit for u in units) else ()


def _bars(chart: Chart) -> Canvas:
    """Lay out horizontal bars: names on the left, each bar with its value and unit after it."""
    face = font()
    names = [face.width(label, _LABEL) for label in chart.labels]
    texts = [value_label(value, chart.unit_of(i)) for i, value in enumerate(chart.values)]
    lengths = _lengths(chart.values, _BAR_SPAN)
    axis = _PAD + max(names, default=0) + _GAP
    ends = [axis + length + _GAP + face.width(text, _LABEL) for length, text in zip(lengths, texts, strict=True)]
    canvas = Canvas(max(ends, default=axis) + _PAD, 2 * _PAD + _ROW * len(chart.values))
    for row, (label, text, length) in enumerate(zip(chart.labels, texts, lengths, strict=True)):
        middle = _PAD + _ROW * (row + 0.5)
        canvas.text(axis - _GAP, middle, label, _LABEL, _INK, anchor="end")
        canvas.rect(axis, middle - _ROW * 0.3, length, _ROW * 0.6, _BAR)
        canvas.text(axis + length + _GAP, middle, text, _LABEL, _INK)
    canvas.rect(axis - _AXIS / 2, _PAD, _AXIS, _ROW * len(chart.values), _INK)
    return canvas


def _columns(chart: Chart) -> Canvas:
    """Lay out columns: each value above its column, each period below, every slot wide enough for its label."""
    face = font()
    widest = max((face.width(label, _SMALL) for label in chart.labels), default=0)
    slot = max(_SLOT, widest + 2 * _GAP)
    lengths = _lengths(chart.values, _COLUMN_SPAN)
    line = _SMALL * (face.ascent + face.descent)
    base = _PAD + line + _GAP + _COLUMN_SPAN
    canvas = Canvas(2 * _PAD + slot * len(chart.values), base + _GAP + line + _PAD)
    for index, (label, value, length) in enumerate(zip(chart.labels, chart.values, lengths, strict=True)):
        centre = _PAD + slot * (index + 0.5)
        canvas.rect(centre - _SLOT * 0.3, base - length, _SLOT * 0.6, length, _BAR)
        shown = value_label(value, chart.unit_of(index)) if chart.units else f"{value:,}"  # else in the title
        canvas.text(centre, base - length - _GAP - line / 2, shown, _SMALL, _INK, anchor="middle")
        canvas.text(centre, base + _GAP + line / 2, label, _SMALL, _INK, anchor="middle")
    canvas.rect(_PAD, base - _AXIS / 2, slot * len(chart.values), _AXIS, _INK)
    return canvas


def _lengths(values: tuple[int | Decimal, ...], span: float) -> list[float]:
    """Scale values to lengths, the largest filling `span`; nothing is drawn below zero."""
    peak = max((float(v) for v in values), default=0.0)
    return [max(float(v), 0.0) / peak * span if peak > 0 else 0.0 for v in values]


def _svg_size(svg: bytes) -> tuple[int, int]:
    """Return an SVG's width and height in CSS pixels (it is sized in points)."""
    found = re.search(rb'<svg[^>]*? width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not found:
        raise ValueError("SVG without a size in points")
    return round(float(found[1]) * 4 / 3), round(float(found[2]) * 4 / 3)


def layout(chart: Chart) -> Canvas:
    """Lay `chart` out; a character the font lacks is an error naming the chart."""
    try:
        return _columns(chart) if chart.kind == "columns" else _bars(chart)
    except MissingGlyphError as error:
        raise MissingGlyphError(f"{chart.file}: {error}") from None


def draw(chart: Chart) -> Drawn:
    """Draw `chart` as SVG and PNG; the same chart always gives the same bytes."""
    canvas = layout(chart)
    return Drawn(canvas.svg(chart.title, chart.alt), canvas.png(_DPI), *canvas.size())


class ChartCache:
    """Drawn charts on disk, one SVG and one PNG per chart key."""

    def __init__(self, folder: Path | None) -> None:
        self.store = Store(folder)

    def get(self, key: str) -> Drawn | None:
        """Return the cached drawing for `key`, or None."""
        svg, png = self.store.read(f"{key}.svg"), self.store.read(f"{key}.png")
        if svg is None or png is None:
            return None
        try:
            return Drawn(svg, png, *_svg_size(svg))
        except ValueError:
            return None

    def put(self, key: str, drawn: Drawn) -> None:
        """Store a drawing (the PNG first: an SVG without its PNG is never taken for a hit)."""
        self.store.write(f"{key}.png", drawn.png)
        self.store.write(f"{key}.svg", drawn.svg)


class Drawing:
    """Charts being drawn in worker processes while the pages are written: sizes now, drawings on `finish()`."""

    def __init__(self, wanted: Iterable[Chart], cache_: ChartCache | None = None, jobs: int | None = None) -> None:
        self.charts = list(wanted)
        self.stats = DrawStats()
        self.keys = [chart.key() for chart in self.charts]
        self.key_of = {chart.file: key for chart, key in zip(self.charts, self.keys, strict=True)}
        self.done: dict[str, Drawn] = {}
        self.missing: dict[str, Chart] = {}
        for chart, key in zip(self.charts, self.keys, strict=True):
            if key in self.done or key in self.missing:
                continue
            found = cache_.get(key) if cache_ else None
            if found is None:
                self.missing[key] = chart
            else:
                self.done[key] = found
        # Counted per chart file (two files may show the same drawing), so drawn + cached = all.
        self.stats.cached = sum(key in self.done for key in self.keys)
        # Laying out is cheap, and finds a character the font lacks before any worker starts.
        self.sizes = {key: layout(chart).size() for key, chart in self.missing.items()}
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[list[Drawn]]] = []
        if not self.missing:
            return
        cached, missing = self.stats.cached, len(self.charts) - self.stats.cached
        log.info(f"圖表：共 {len(self.charts):,} 張，{cached:,} 張取自快取，需繪製 {missing:,} 張……")
        todo = list(self.missing.items())
        workers = min(jobs or os.cpu_count() or 1, len(todo) // PARALLEL_FROM)
        if workers < 2:
            self._collect([_draw_many(todo, cache_)])
            return
        self.pool = pool(workers)
        self.futures = [self.pool.submit(_draw_many, todo[n:n + CHUNK], cache_) for n in range(0, len(todo), CHUNK)]

    def size(self, chart: Chart) -> Size:
        """Return a chart's width and height in CSS pixels, before it is drawn."""
        key = self.key_of[chart.file]
        drawn = self.done.get(key)
        return Size(drawn.width, drawn.height) if drawn else Size(*self.sizes[key])

    def finish(self) -> tuple[dict[str, Drawn], DrawStats]:
        """Wait for the workers and return every drawing keyed by chart file, with what was drawn and cached."""
        try:
            self._collect(future.result() for future in self.futures)
        finally:
            self.close()
        self.stats.drawn_files = sorted(chart.file for chart, key in zip(self.charts, self.keys, strict=True)
                                        if key in self.missing)
        self.stats.drawn = len(self.stats.drawn_files)
        return {chart.file: self.done[key] for chart, key in zip(self.charts, self.keys, strict=True)}, self.stats

    def close(self) -> None:
        """Stop the workers, dropping drawings not yet made."""
        if self.pool:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

    def _collect(self, batches: Iterable[list[Drawn]]) -> None:
        keys = iter(self.missing)
        for count, drawn in enumerate((drawn for batch in batches for drawn in batch), 1):
            self.done[next(keys)] = drawn
            if count % PROGRESS_EVERY == 0 and count < len(self.missing):
                log.info(f"  已繪製 {count:,}／{len(self.missing):,} 張")


def _draw_many(charts: list[tuple[str, Chart]], cache_: ChartCache | None) -> list[Drawn]:
    """Draw charts and store each in the cache (in a worker, so the main process only writes pages)."""
    out = []
    for key, chart in charts:
        drawn = draw(chart)
        if cache_:
            cache_.put(key, drawn)
        out.append(drawn)
    return out
