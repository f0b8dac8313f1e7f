"""Draw the portal's charts as deterministic SVG and PNG with a bundled CJK font, cached and in parallel."""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal, NamedTuple

from .cache import Content, Store, Stored, code_version, digest, pool
from .canvas import FONT_FAMILY, Canvas, MissingGlyphError, font
from .formats import roc_year, value_label
from .model import AgencyData, Budget, Indicator, Plan, Report
from .paths import budget_history_dir, indicator_dir, plan_dir, report_dir
from .trends import BudgetHistory, Point
from .walk import FigureAt, budget_lines, budget_total, line_amount, line_kind, table_where

__all__ = ["FONT_FAMILY", "MissingGlyphError"]

_BAR = "#1f5f8b"
_INK = "#1a1a1a"
_MUTED = "#4d4d4d"  # the credit: 8.5:1 on white
# Sizes in points: label text, small text (column labels, credit), padding, gaps, a bar, between bars, column
# slot, axis line, and line height as a multiple of the text size.
_LABEL, _SMALL, _PAD, _GAP, _BAR_HEIGHT, _ROW_GAP, _SLOT, _AXIS = 15.0, 12.0, 7.2, 3.5, 19.4, 9.0, 54.0, 0.8
_LEADING = 1.35
# The longest bar (and the shortest a long value leaves), the tallest column, in points; PNGs are drawn at _DPI.
_BAR_SPAN, _MIN_SPAN, _COLUMN_SPAN, _DPI = 200.0, 60.0, 133.0, 150
# An image's width in points: at most 318 pt (424 CSS px), which a 360 px phone shows at 328 px, so 12 pt text
# (16 px) still renders at 12.4 px; at least 240 pt, so the title and credit need not wrap at every word.
MAX_WIDTH, MIN_WIDTH = 318.0, 240.0
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
    peak: int | Decimal | None = None  # the value that fills the chart, when charts it is compared with share it
    licence: str = ""  # the licence the credit in the image names
    site: str = ""  # the site's address, for the chart's own address in the credit (none when unknown)

    def unit_of(self, index: int) -> str:
        """Return the unit of the value at `index`, as the document writes it."""
        return self.units[index] if self.units else self.unit

    def key(self) -> str:
        """Return a hash of what is drawn (all but the folder, unless drawn), the drawing code, libraries and font."""
        fields = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}  # all plain values
        fields["file"] = chart_id(self.file) if not self.site else self.file  # the address is drawn when known
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


@dataclass(frozen=True)
class Kept:
    """A drawn chart as the site hands it on: SVG and PNG, each in memory or a file in the chart cache, and its size.

    With a cache, a site of 10,000 pages does not hold its charts' gigabytes in memory: the engine copies the files.
    """

    svg: Content
    png: Content
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
        out[at.number] = shared_scale(charts_of_figure)  # breakdowns of one figure: parts of the same whole
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
        by_unit: dict[str, list[Chart]] = {}  # rows of one table in one unit are compared with each other
        for chart in charts:
            by_unit.setdefault(chart.unit, []).append(chart)
        scaled = {chart.file: chart for group in by_unit.values() for chart in shared_scale(group)}
        out[t] = [scaled[chart.file] for chart in charts]
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
    # The lines, side by side on one page, share a scale; the total (the last row) is not one of them.
    return [*shared_scale(out[:-1]), *out[-1:]]


def _own_units(unit: str, units: list[str]) -> tuple[str, ...]:
    """Return each value's unit when any differs from the chart's, else nothing (one unit for all)."""
    return tuple(units) if any(u != unit for u in units) else ()


def shared_scale(charts: list[Chart]) -> list[Chart]:
    """Give charts that compare like with like one scale: the largest value of all fills every chart's span."""
    peak = max((max(chart.values, default=0) for chart in charts), default=0)
    return [dataclasses.replace(chart, peak=peak) if len(charts) > 1 else chart for chart in charts]


def credited(chart: Chart, licence: str, site: str) -> Chart:
    """Return `chart` with the licence and the site's address it carries in its image (empty when not known)."""
    return dataclasses.replace(chart, licence=licence, site=site.rstrip("/"))


def credit_lines(chart: Chart) -> list[str]:
    """Return the credit drawn under a chart: agency and period, source, licence and where the chart is published."""
    lines = ["｜".join(part for part in (chart.agency, chart.period) if part)]
    if chart.document:
        lines.append(f"資料來源：{chart.document}")
    if chart.licence:
        lines.append(f"授權：{chart.licence}")
    if chart.site:
        folder = chart.file.rpartition("/")[0]
        lines.append(f"{chart.site}/{folder + '/' if folder else ''}#{chart_id(chart.file)}")
    return [line for line in lines if line]


def chart_id(name: str) -> str:
    """Return the anchor of a chart on its page, from its file name: figure-3-1.svg → chart-figure-3-1."""
    return "chart-" + name.rsplit("/", 1)[-1].removesuffix(".svg")


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` at `size` points, between characters (CJK) or words."""
    face = font()
    tokens = re.findall(r"[A-Za-z0-9,.:#%_-]*/|[A-Za-z0-9,.:#%_-]+|.", text)  # words and numbers stay whole
    lines, line = [], ""
    advance = 0.0  # the line's, added up as `face.width` adds it: each token costs its own length, not the line's
    for token in tokens:
        longer = face.advance(token, advance)
        if line and face.sized(longer, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
            advance = face.advance(line)
        else:
            line, advance = line + token, longer
        while face.sized(advance, size) > width and len(line) > 1:  # one token wider than the line: cut it
            cut = next(n for n in range(len(line), 0, -1) if face.width(line[:n], size) <= width or n == 1)
            lines.append(line[:cut])
            line = line[cut:]
            advance = face.advance(line)
    return [*lines, line] if line else lines


def _line(size: float) -> float:
    """Return the height of a line of text at `size` points."""
    return size * _LEADING


def _bars(chart: Chart, inner: float) -> Canvas:
    """Lay out horizontal bars, each under its name (wrapped to `inner`), with its value and unit after it."""
    face = font()
    texts = [value_label(value, chart.unit_of(i)) for i, value in enumerate(chart.values)]
    widest = max((face.width(text, _LABEL) for text in texts), default=0)
    span = max(_MIN_SPAN, min(_BAR_SPAN, inner - _AXIS - _GAP - widest))
    lengths = _lengths(chart.values, span, chart.peak)
    names = [_wrap(label, _LABEL, inner - _AXIS - _GAP) for label in chart.labels]
    width = max([span + widest, *(face.width(n, _LABEL) for lines in names for n in lines)], default=0) + _AXIS + _GAP
    canvas = Canvas(width, 0)
    y = 0.0
    for lines, text, length in zip(names, texts, lengths, strict=True):
        for name in lines:
            canvas.text(_AXIS + _GAP, y + _line(_LABEL) / 2, name, _LABEL, _INK)
            y += _line(_LABEL)
        canvas.rect(_AXIS, y, length, _BAR_HEIGHT, _BAR)
        canvas.text(_AXIS + length + _GAP, y + _BAR_HEIGHT / 2, text, _LABEL, _INK)
        y += _BAR_HEIGHT + _ROW_GAP
    canvas.rect(0, 0, _AXIS, y - _ROW_GAP, _INK)
    canvas.height = y - _ROW_GAP
    return canvas


def _columns(chart: Chart, inner: float) -> Canvas | None:
    """Lay out columns: each value above its column, each period below; None when they do not fit `inner`."""
    face = font()
    # A value is shown with its unit only when units differ; else the title gives the unit.
    shown = [value_label(v, chart.unit_of(i)) if chart.units else f"{v:,}" for i, v in enumerate(chart.values)]
    widest = max((face.width(text, _SMALL) for text in [*chart.labels, *shown]), default=0)
    slot = max(_SLOT, widest + 2 * _GAP)
    if slot * len(chart.values) > inner:
        return None
    lengths = _lengths(chart.values, _COLUMN_SPAN, chart.peak)
    line = _SMALL * (face.ascent + face.descent)
    base = line + _GAP + _COLUMN_SPAN
    canvas = Canvas(slot * len(chart.values), base + _GAP + line)
    for index, (label, text, length) in enumerate(zip(chart.labels, shown, lengths, strict=True)):
        centre = slot * (index + 0.5)
        canvas.rect(centre - _SLOT * 0.3, base - length, _SLOT * 0.6, length, _BAR)
        canvas.text(centre, base - length - _GAP - line / 2, text, _SMALL, _INK, anchor="middle")
        canvas.text(centre, base + _GAP + line / 2, label, _SMALL, _INK, anchor="middle")
    canvas.rect(0, base - _AXIS / 2, slot * len(chart.values), _AXIS, _INK)
    return canvas


def _lengths(values: tuple[int | Decimal, ...], span: float, peak: int | Decimal | None = None) -> list[float]:
    """Scale values to lengths, `peak` (else the largest value) filling `span`; nothing is drawn below zero."""
    top = max([float(v) for v in values] + ([float(peak)] if peak is not None else []), default=0.0)
    return [max(float(v), 0.0) / top * span if top > 0 else 0.0 for v in values]


_SVG_HEAD = 2048  # bytes of a drawn SVG that hold its opening <svg> tag and size


def _svg_size(svg: bytes) -> tuple[int, int]:
    """Return an SVG's width and height in CSS pixels (it is sized in points)."""
    found = re.search(rb'<svg[^>]*? width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not found:
        raise ValueError("SVG without a size in points")
    return round(float(found[1]) * 4 / 3), round(float(found[2]) * 4 / 3)


def layout(chart: Chart) -> Canvas:
    """Lay `chart` out for a phone: title, plot and credit; a character the font lacks is an error naming the chart.

    The image is at most `MAX_WIDTH` wide, so that on a 360 px phone, where it shrinks to the page's width,
    its smallest text still renders at 12 CSS px. Columns that would not fit are drawn as bars.
    """
    try:
        inner = MAX_WIDTH - 2 * _PAD
        plot = (_columns(chart, inner) if chart.kind == "columns" else None) or _bars(chart, inner)
        title = _wrap(chart.title, _LABEL, inner)
        credit = [line for text in credit_lines(chart) for line in _wrap(text, _SMALL, inner)]
    except MissingGlyphError as error:
        raise MissingGlyphError(f"{chart.file}: {error}") from None
    face = font()
    widths = [plot.width, *(face.width(line, _LABEL) for line in title), *(face.width(line, _SMALL) for line in credit)]
    canvas = Canvas(max(MIN_WIDTH, max(widths) + 2 * _PAD), 0)
    y = _PAD
    for line in title:
        canvas.text(_PAD, y + _line(_LABEL) / 2, line, _LABEL, _INK)
        y += _line(_LABEL)
    y += _GAP * 2
    canvas.place(plot, _PAD, y)
    y += plot.height + _GAP * 3
    for line in credit:
        canvas.text(_PAD, y + _line(_SMALL) / 2, line, _SMALL, _MUTED)
        y += _line(_SMALL)
    canvas.height = y + _PAD
    return canvas


def draw(chart: Chart) -> Drawn:
    """Draw `chart` as SVG and PNG; the same chart always gives the same bytes."""
    canvas = layout(chart)
    return Drawn(canvas.svg(chart.title, chart.alt), canvas.png(_DPI), *canvas.size())


class ChartCache:
    """Drawn charts on disk, one SVG and one PNG per chart key."""

    def __init__(self, folder: Path | None) -> None:
        self.store = Store(folder)

    def get(self, key: str) -> Kept | None:
        """Return the cached drawing for `key` as files in the cache (only the SVG's opening is read), or None."""
        if self.store.folder is None or not self.store.has(f"{key}.png"):
            return None
        head = self.store.head(f"{key}.svg", _SVG_HEAD)
        try:
            size = _svg_size(head or b"")
        except ValueError:
            return None
        return Kept(*self.files(key), *size)

    def put(self, key: str, drawn: Drawn) -> Kept:
        """Store a drawing (the PNG first: an SVG without its PNG is never taken for a hit); return where it is.

        When the cache cannot be written, the drawing stays in memory.
        """
        if self.store.folder is None or not (self.store.write(f"{key}.png", drawn.png)
                                             and self.store.write(f"{key}.svg", drawn.svg)):
            return Kept(drawn.svg, drawn.png, drawn.width, drawn.height)
        return Kept(*self.files(key), drawn.width, drawn.height)

    def table(self, key: str, csv: Callable[[], bytes], json_: Callable[[], bytes]) -> tuple[Content, Content]:
        """Return a chart's numbers (CSV, JSON) stored under `key`, making and storing the ones not there yet."""
        return self._kept(f"{key}.csv", csv), self._kept(f"{key}.json", json_)

    def _kept(self, name: str, make: Callable[[], bytes]) -> Content:
        if self.store.folder is None:
            return make()
        if self.store.has(name) or self.store.write(name, make()):
            return Stored(os.path.join(self.store.folder, name), name)
        return make()  # the cache cannot be written: kept in memory

    def files(self, key: str) -> tuple[Stored, Stored]:
        """Return the SVG and PNG files that hold the drawing under `key` (there or not)."""
        assert self.store.folder is not None
        svg, png = (os.path.join(self.store.folder, f"{key}.{kind}") for kind in ("svg", "png"))
        return Stored(svg, key), Stored(png, key + "-png")


class Drawing:
    """Charts being drawn in worker processes while the pages are written: sizes now, drawings on `finish()`.

    Charts are added agency by agency, as generation describes them. Workers start once enough charts are
    missing from the cache to pay for them (`PARALLEL_FROM` each); fewer are drawn here, on `finish()`.
    """

    def __init__(self, wanted: Iterable[Chart] = (), cache_: ChartCache | None = None, jobs: int | None = None) -> None:
        self.cache, self.jobs = cache_, jobs
        self.charts: list[Chart] = []
        self.stats = DrawStats()
        self.keys: list[str] = []
        self.key_of: dict[str, str] = {}
        self.done: dict[str, Kept] = {}
        self.missing: dict[str, Chart] = {}
        self.sizes: dict[str, tuple[int, int]] = {}
        self.waiting: list[tuple[str, Chart]] = []  # missing, not yet given to a worker
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[tuple[list[str], Future[list[Kept]]]] = []
        self.promised = False
        self.add(wanted)

    def add(self, charts: Iterable[Chart]) -> None:
        """Take more charts: look each up in the cache, and give the missing ones to the workers in chunks."""
        for chart in charts:
            key = chart.key()
            self.charts.append(chart)
            self.keys.append(key)
            self.key_of[chart.file] = key
            if key in self.done or key in self.missing:
                continue
            found = self.cache.get(key) if self.cache else None
            if found is not None:
                self.done[key] = found
                continue
            self.missing[key] = chart
            # Laying out is cheap, and finds a character the font lacks before any worker starts.
            self.sizes[key] = layout(chart).size()
            self.waiting.append((key, chart))
        if self.pool is None:
            workers = min(self.jobs or os.cpu_count() or 1, len(self.waiting) // PARALLEL_FROM)
            if workers < 2:
                return
            log.info("圖表：開始在背景繪製快取中沒有的圖表……")
            self.pool = pool(workers, initializer=_in_background)
        while len(self.waiting) >= CHUNK:
            self._submit(self.waiting[:CHUNK])
            del self.waiting[:CHUNK]

    def _submit(self, todo: list[tuple[str, Chart]]) -> None:
        assert self.pool is not None
        self.futures.append(([key for key, _ in todo], self.pool.submit(_draw_many, todo, self.cache)))

    def size(self, chart: Chart) -> Size:
        """Return a chart's width and height in CSS pixels, before it is drawn."""
        key = self.key_of[chart.file]
        drawn = self.done.get(key)
        return Size(drawn.width, drawn.height) if drawn else Size(*self.sizes[key])

    def promise(self) -> tuple[dict[str, Kept], DrawStats] | None:
        """Give the workers every chart still missing and return, without waiting, each drawing as the file the
        chart cache will hold (`finish()` then waits); None when the charts are drawn here or not kept in a cache.

        The charts being drawn are the stats' `drawn_files`. Their files are written by the workers, so that
        the engine can build the pages meanwhile and copy those files last.
        """
        if self.pool is None or self.cache is None or self.cache.store.folder is None:
            return None
        self._count("{} 張在背景繪製，同時建置網站")
        self.promised = True
        self._submit_rest()
        promised = {key: Kept(*self.cache.files(key), *self.sizes[key]) for key in self.missing}
        return {chart.file: self.done.get(key) or promised[key]
                for chart, key in zip(self.charts, self.keys, strict=True)}, self.stats

    def ready(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the workers; tell whether every chart is drawn."""
        return not wait([future for _, future in self.futures], timeout).not_done

    def finish(self) -> tuple[dict[str, Kept], DrawStats]:
        """Wait for the workers and return every drawing keyed by chart file, with what was drawn and cached."""
        if not self.promised:
            self._count("需繪製 {} 張")
        try:
            if self.waiting and self.pool is not None:
                self._submit_rest()
            elif self.waiting:
                self.futures.append(([key for key, _ in self.waiting], _done(_draw_many(self.waiting, self.cache))))
                self.waiting = []
            self._collect(self.futures)
        finally:
            self.close()
        return {chart.file: self.done[key] for chart, key in zip(self.charts, self.keys, strict=True)}, self.stats

    def _count(self, doing: str) -> None:
        """Count the charts drawn and taken from the cache, per chart file (two files may show the same drawing);
        say so, with `doing` telling what happens to the charts drawn."""
        self.stats.cached = sum(key not in self.missing for key in self.keys)
        self.stats.drawn_files = sorted(chart.file for chart, key in zip(self.charts, self.keys, strict=True)
                                        if key in self.missing)
        self.stats.drawn = len(self.stats.drawn_files)
        if self.missing:
            log.info(f"圖表：共 {len(self.charts):,} 張，{self.stats.cached:,} 張取自快取，"
                     + doing.format(f"{self.stats.drawn:,}") + "……")

    def _submit_rest(self) -> None:
        if self.waiting:
            self._submit(self.waiting)
            self.waiting = []

    def close(self) -> None:
        """Stop the workers, dropping drawings not yet made."""
        if self.pool:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

    def _collect(self, batches: list[tuple[list[str], Future[list[Kept]]]]) -> None:
        count = 0
        for keys, future in batches:
            for key, drawn in zip(keys, future.result(), strict=True):
                self.done[key] = drawn
                count += 1
                if count % PROGRESS_EVERY == 0 and count < len(self.missing):
                    log.info(f"  已繪製 {count:,}／{len(self.missing):,} 張")


def _in_background() -> None:
    """Let a worker draw at a lower priority: the pages and the engine, which the build waits for, go first."""
    if hasattr(os, "nice"):  # not on Windows
        os.nice(10)


def _done(result: list[Kept]) -> Future[list[Kept]]:
    """Wrap charts drawn here as a finished future, like a worker's."""
    future: Future[list[Kept]] = Future()
    future.set_result(result)
    return future


def _draw_many(charts: list[tuple[str, Chart]], cache_: ChartCache | None) -> list[Kept]:
    """Draw charts and store each in the cache (in a worker, so the main process only writes pages)."""
    out = []
    for key, chart in charts:
        drawn = draw(chart)
        out.append(cache_.put(key, drawn) if cache_ else Kept(drawn.svg, drawn.png, drawn.width, drawn.height))
    return out
