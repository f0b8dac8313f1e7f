"""Draw the portal's charts as deterministic SVG with a bundled CJK font."""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import matplotlib
from matplotlib.figure import Figure

FONT_FAMILY = "Noto Sans CJK TC"
_BAR = "#1f5f8b"
_INK = "#1a1a1a"


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: what it shows, its numbers, and its text alternative."""

    file: str
    title: str
    labels: tuple[str, ...]
    values: tuple[int | Decimal, ...]
    unit: str
    alt: str


class MissingGlyphError(RuntimeError):
    """Raise when matplotlib cannot draw a character of a label."""


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
    fig = Figure(figsize=(3.2, 0.45 * count + 0.6), dpi=100)
    ax = fig.add_subplot()
    positions = list(range(count))[::-1]
    values = [float(v) for v in chart.values]
    ax.barh(positions, values, color=_BAR, height=0.6)
    ax.set_yticks(positions, labels=list(chart.labels), color=_INK)
    peak = max(values) if values and max(values) > 0 else 1.0
    ax.set_xlim(0, peak * 1.4)
    for pos, value, raw in zip(positions, values, chart.values, strict=True):
        ax.text(value + peak * 0.01, pos, _label(raw, chart.unit), va="center", ha="left", color=_INK)
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    fig.subplots_adjust(left=0.0, right=1.0)
    return fig


def _save(chart: Chart, fmt: str, metadata: dict[str, None]) -> bytes:
    fig = _draw(chart)
    out = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(out, format=fmt, metadata=metadata, bbox_inches="tight", pad_inches=0.1, dpi=150)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if missing:
        raise MissingGlyphError(f"{chart.file}: {missing[0]}")
    return out.getvalue()


def render_svg(chart: Chart) -> bytes:
    """Draw `chart` as SVG; the same chart always gives the same bytes."""
    return _save(chart, "svg", {"Date": None})


def render_png(chart: Chart) -> bytes:
    """Draw `chart` as PNG (for slides and documents); the same chart always gives the same bytes."""
    return _save(chart, "png", {"Software": None})
