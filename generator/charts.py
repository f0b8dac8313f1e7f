"""Draw the portal's charts as deterministic SVG and PNG with a bundled CJK font, cached and in parallel."""
from __future__ import annotations

import hashlib
import io
import json
import logging
import multiprocessing
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

FONT_FAMILY = "Noto Sans CJK TC"
_BAR = "#1f5f8b"
_INK = "#1a1a1a"
# Draw in worker processes only when there are enough charts to pay for starting them.
PARALLEL_FROM = 24
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

    def key(self) -> str:
        """Return a hash of everything that changes the drawing, including the drawing code itself."""
        drawn = [code_version(), self.kind, self.title, list(self.labels), [str(v) for v in self.values], self.unit]
        return hashlib.sha256(json.dumps(drawn, ensure_ascii=False).encode("utf-8")).hexdigest()


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


class MissingGlyphError(RuntimeError):
    """Raise when matplotlib cannot draw a character of a label."""


@cache
def code_version() -> str:
    """Identify the drawing code: this module, matplotlib and the font; a change invalidates cached charts."""
    import noto_cjk_sans_otc

    own = Path(__file__).read_bytes()
    parts = [hashlib.sha256(own).hexdigest(), matplotlib.__version__, Path(noto_cjk_sans_otc.FONT_PATH).name]
    return "|".join(parts)


@cache
def setup_fonts() -> None:
    """Register the bundled Noto Sans CJK font and fix the settings that make SVG reproducible."""
    import noto_cjk_sans_otc
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
    matplotlib.rcParams.update({
        "font.family": [FONT_FAMILY],
        "font.size": 15,
        "svg.hashsalt": "kcg-ethics-portal",
        "svg.fonttype": "path",
        "axes.unicode_minus": False,
    })


def _label(value: int | Decimal, unit: str) -> str:
    return f"{value:,}{unit}" if unit == "%" else f"{value:,} {unit}"


def _draw(chart: Chart) -> Figure:
    setup_fonts()
    count = len(chart.values)
    values = [float(v) for v in chart.values]
    peak = max(values) if values and max(values) > 0 else 1.0
    if chart.kind == "columns":
        fig = Figure(figsize=(max(3.2, 0.75 * count + 0.6), 3.0), dpi=100)
        ax = fig.add_subplot()
        positions = list(range(count))
        ax.bar(positions, values, color=_BAR, width=0.6)
        ax.set_xticks(positions, labels=list(chart.labels), color=_INK, fontsize=12)
        ax.set_ylim(0, peak * 1.25)
        for pos, value, raw in zip(positions, values, chart.values, strict=True):
            ax.text(pos, value + peak * 0.02, f"{raw:,}", va="bottom", ha="center", color=_INK, fontsize=12)
        ax.yaxis.set_visible(False)
        hidden = ("top", "right", "left")
        ax.tick_params(axis="x", length=0)
    else:
        fig = Figure(figsize=(3.2, 0.45 * count + 0.6), dpi=100)
        ax = fig.add_subplot()
        positions = list(range(count))[::-1]
        ax.barh(positions, values, color=_BAR, height=0.6)
        ax.set_yticks(positions, labels=list(chart.labels), color=_INK)
        ax.set_xlim(0, peak * 1.4)
        for pos, value, raw in zip(positions, values, chart.values, strict=True):
            ax.text(value + peak * 0.01, pos, _label(raw, chart.unit), va="center", ha="left", color=_INK)
        ax.xaxis.set_visible(False)
        hidden = ("top", "right", "bottom")
        ax.tick_params(axis="y", length=0)
        fig.subplots_adjust(left=0.0, right=1.0)
    for side in hidden:
        ax.spines[side].set_visible(False)
    return fig


def _save(fig: Figure, fmt: str, metadata: dict[str, None], box: Bbox) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format=fmt, metadata=metadata, bbox_inches=box, pad_inches=0.1, dpi=150)
    return out.getvalue()


@contextmanager
def _glyphs_checked(chart: Chart) -> Iterator[None]:
    """Turn matplotlib's "Glyph … missing from font" warnings into MissingGlyphError."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if missing:
        raise MissingGlyphError(f"{chart.file}: {missing[0]}")


def _svg_size(svg: bytes) -> tuple[int, int]:
    """Return an SVG's width and height in CSS pixels (matplotlib writes points)."""
    found = re.search(rb'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not found:
        raise ValueError("SVG without a size in points")
    return round(float(found[1]) * 4 / 3), round(float(found[2]) * 4 / 3)


def draw(chart: Chart) -> Drawn:
    """Draw `chart` as SVG and PNG; the same chart always gives the same bytes."""
    with _glyphs_checked(chart):
        fig = _draw(chart)
        # Lay the text out once to find the tight box, instead of once more for each format.
        renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
        box = fig.get_tightbbox(renderer).padded(0.1)
        svg = _save(fig, "svg", {"Date": None}, box)
        png = _save(fig, "png", {"Software": None}, box)
    return Drawn(svg, png, *_svg_size(svg))


class ChartCache:
    """Drawn charts on disk, one SVG and one PNG per chart key; safe to delete at any time."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> Drawn | None:
        """Return the cached drawing for `key`, or None."""
        try:
            svg = (self.folder / f"{key}.svg").read_bytes()
            png = (self.folder / f"{key}.png").read_bytes()
            return Drawn(svg, png, *_svg_size(svg))
        except (OSError, ValueError):
            return None

    def put(self, key: str, drawn: Drawn) -> None:
        """Store a drawing; write to a temporary name first so a half-written file is never read."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for ext, content in ((".png", drawn.png), (".svg", drawn.svg)):
            tmp = self.folder / f".{key}{ext}.{os.getpid()}"
            tmp.write_bytes(content)
            tmp.replace(self.folder / f"{key}{ext}")


def draw_all(
    wanted: Iterable[Chart], cache_: ChartCache | None = None, jobs: int | None = None
) -> tuple[dict[str, Drawn], DrawStats]:
    """Draw every chart not in the cache (in parallel when many), keyed by chart file."""
    charts = list(wanted)
    stats = DrawStats()
    by_key: dict[str, Drawn] = {}
    missing: dict[str, Chart] = {}
    keys = [chart.key() for chart in charts]
    for chart, key in zip(charts, keys, strict=True):
        if key in by_key or key in missing:
            continue
        found = cache_.get(key) if cache_ else None
        if found is None:
            missing[key] = chart
        else:
            by_key[key] = found
            stats.cached += 1
    if missing:
        log.info(f"圖表：共 {len(charts):,} 張，{stats.cached:,} 張取自快取，需繪製 {len(missing):,} 張……")
    workers = min(jobs or os.cpu_count() or 1, len(missing) // PARALLEL_FROM)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) if workers > 1 else (
        nullcontext()
    ) as pool:
        results = pool.map(draw, missing.values(), chunksize=8) if pool else map(draw, missing.values())
        for done, (key, drawn) in enumerate(zip(missing, results, strict=True), 1):
            by_key[key] = drawn
            if cache_:
                cache_.put(key, drawn)
            if done % PROGRESS_EVERY == 0 and done < len(missing):
                log.info(f"  已繪製 {done:,}／{len(missing):,} 張")
    stats.drawn = len(missing)
    stats.drawn_files = sorted(chart.file for chart in missing.values())
    return {chart.file: by_key[key] for chart, key in zip(charts, keys, strict=True)}, stats
