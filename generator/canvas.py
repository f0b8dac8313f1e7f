"""Paint rectangles and text with the bundled CJK font into deterministic SVG and PNG, through matplotlib's Agg."""
from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple
from xml.sax.saxutils import escape

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgb
from matplotlib.ft2font import FT2Font, LoadFlags
from matplotlib.path import Path
from matplotlib.transforms import Affine2D, IdentityTransform
from numpy.typing import NDArray
from PIL import Image

from .errors import PortalError

FONT_FAMILY = "Noto Sans CJK TC"
# Glyph outlines are read at this size in points, then scaled to the size drawn.
_UNITS = 100.0
_PATH_OPS = {Path.MOVETO: "M", Path.LINETO: "L", Path.CURVE3: "Q", Path.CURVE4: "C", Path.CLOSEPOLY: "z"}


class MissingGlyphError(PortalError):
    """Raise when the bundled font has no glyph for a character of a label."""


class Glyph(NamedTuple):
    """One glyph of the font: its index, its advance at `_UNITS` points, its outline and that as SVG path data."""

    gid: int
    advance: float
    vertices: NDArray[np.float64]
    codes: NDArray[np.int8]
    data: str


@cache
def font() -> Font:
    """Return the bundled Noto Sans CJK TC face of the OpenType collection."""
    import noto_cjk_sans_otc

    path = str(noto_cjk_sans_otc.FONT_PATH)
    for index in range(16):
        face = FT2Font(path, face_index=index)
        if face.family_name == FONT_FAMILY:
            return Font(face)
    raise RuntimeError(f"{FONT_FAMILY} is not in {path}")


class Font:
    """A font face: glyph outlines and advances, cached, and the middle of its ideographic em box."""

    def __init__(self, face: FT2Font) -> None:
        self.face = face
        face.set_size(_UNITS, 72)
        os2 = face.get_sfnt_table("OS/2")
        if os2 is None:
            raise RuntimeError(f"{face.family_name} has no OS/2 table")
        em = face.units_per_EM
        # The ideographic em box, in fractions of the size: above and below the baseline, and its middle.
        self.ascent, self.descent = os2["sTypoAscender"] / em, -os2["sTypoDescender"] / em
        self.middle = (self.ascent - self.descent) / 2
        self.glyphs: dict[str, Glyph] = {}

    def has(self, char: str) -> bool:
        """Tell whether the font can draw `char` (white space needs no glyph)."""
        return char.isspace() or self.face.get_char_index(ord(char)) != 0

    def coverage(self) -> str:
        """Return the code points this face can draw, as lines of hex ranges (what `validate` reads)."""
        points = sorted(code for code, index in self.face.get_charmap().items() if index)
        ranges: list[list[int]] = []
        for code in points:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
        lines = [f"{first:04X}" if first == last else f"{first:04X}-{last:04X}" for first, last in ranges]
        header = [
            f"# Characters the bundled chart font ({FONT_FAMILY}) can draw, as hex code point ranges.",
            "# Written from the font by tests/test_charts.py (UPDATE_GOLDEN=1); checking reads this, never the font.",
        ]
        return "\n".join([*header, *lines]) + "\n"

    def glyph(self, char: str) -> Glyph:
        """Return the glyph for `char`; a character the font lacks is an error, never a box."""
        found = self.glyphs.get(char)
        if found is None:
            if not self.has(char):
                raise MissingGlyphError(f"Glyph {ord(char):#x} ({char!r}) missing from font {FONT_FAMILY}")
            index = self.face.get_char_index(ord(char))
            loaded = self.face.load_glyph(index, flags=LoadFlags.NO_HINTING)
            vertices, codes = self.face.get_path()
            found = Glyph(index, loaded.linearHoriAdvance / 65536, vertices, codes, _d(Path(vertices, codes)))
            self.glyphs[char] = found
        return found

    def advance(self, text: str, start: float = 0.0) -> float:
        """Return `start` plus the advance of `text` at `_UNITS` points, added character by character."""
        for char in text:
            start += self.glyph(char).advance
        return start

    def width(self, text: str, size: float) -> float:
        """Return the advance width of `text` at `size` points."""
        return self.sized(self.advance(text), size)

    @staticmethod
    def sized(advance: float, size: float) -> float:
        """Return an advance at `_UNITS` points as a width at `size` points."""
        return advance * size / _UNITS


@dataclass(frozen=True)
class _Text:
    x: float
    y: float
    text: str
    size: float
    color: str


@dataclass
class Canvas:
    """A drawing in points with y pointing down: filled rectangles and text, written as SVG or PNG."""

    width: float
    height: float
    rects: list[tuple[float, float, float, float, str]] = field(default_factory=list)
    texts: list[_Text] = field(default_factory=list)

    def rect(self, x: float, y: float, width: float, height: float, color: str) -> None:
        """Fill a rectangle whose top-left corner is at (`x`, `y`)."""
        self.rects.append((x, y, width, height, color))

    def text(self, x: float, y: float, text: str, size: float, color: str, anchor: str = "start") -> None:
        """Write `text` centred vertically on `y`, starting, centred or ending at `x`."""
        face = font()
        shift = {"start": 0.0, "middle": 0.5, "end": 1.0}[anchor] * face.width(text, size)
        self.texts.append(_Text(x - shift, y + face.middle * size, text, size, color))

    def place(self, other: Canvas, x: float, y: float) -> None:
        """Copy `other`'s rectangles and text into this drawing, its top-left corner at (`x`, `y`)."""
        self.rects.extend((rx + x, ry + y, w, h, color) for rx, ry, w, h, color in other.rects)
        self.texts.extend(dataclasses.replace(t, x=t.x + x, y=t.y + y) for t in other.texts)

    def size(self) -> tuple[int, int]:
        """Return the width and height in CSS pixels of the SVG written for this drawing."""
        return round(float(_n(self.width)) * 4 / 3), round(float(_n(self.height)) * 4 / 3)

    def svg(self, title: str, description: str) -> bytes:
        """Return the drawing as SVG with every glyph outlined once, sized in points."""
        face = font()
        used: dict[str, Glyph] = {}
        body: list[str] = []
        for x, y, w, h, color in self.rects:
            body.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{color}"/>')
        for item in self.texts:
            scale = _n(item.size / _UNITS)
            uses, advance = [], 0.0
            for char in item.text:
                glyph = face.glyph(char)
                if len(glyph.codes):
                    used.setdefault(f"g{glyph.gid}", glyph)
                    uses.append(f'<use xlink:href="#g{glyph.gid}" x="{_n(advance)}"/>')
                advance += glyph.advance
            body.append(
                f'<g fill="{item.color}" transform="translate({_n(item.x)} {_n(item.y)}) scale({scale} -{scale})">'
                + "".join(uses) + "</g>"
            )
        defs = "".join(f'<path id="{name}" d="{glyph.data}"/>' for name, glyph in sorted(used.items()))
        width, height = _n(self.width), _n(self.height)
        return "\n".join([
            '<?xml version="1.0" encoding="utf-8" standalone="no"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1"'
            f' width="{width}pt" height="{height}pt" viewBox="0 0 {width} {height}">',
            f"<title>{escape(title)}</title>",
            f"<desc>{escape(description)}</desc>",
            f"<defs>{defs}</defs>",
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
            *body,
            "</svg>",
            "",
        ]).encode("utf-8")

    def png(self, dpi: int) -> bytes:
        """Return the drawing rasterised by Agg at `dpi`, as an RGB PNG without metadata."""
        face = font()
        k = dpi / 72
        width, height = round(self.width * k), round(self.height * k)
        renderer = RendererAgg(width, height, dpi)
        gc = renderer.new_gc()
        gc.set_linewidth(0)
        gc.set_antialiased(True)
        # Agg puts the origin at the bottom left: flip our y-down points into its pixels.
        flip = Affine2D().scale(k, -k).translate(0, height)
        renderer.draw_path(gc, Path.unit_rectangle(), Affine2D().scale(width, height), (1.0, 1.0, 1.0))
        gc.set_snap(True)
        for x, y, w, h, color in self.rects:
            box = Affine2D().scale(w, h).translate(x, y) + flip
            renderer.draw_path(gc, Path.unit_rectangle(), box, to_rgb(color))
        gc.set_snap(False)
        # All text of one colour is one compound path: one call into Agg instead of one per glyph.
        runs: dict[str, tuple[list[NDArray[np.float64]], list[NDArray[np.int8]]]] = {}
        for item in self.texts:
            scale, advance = item.size / _UNITS * k, 0.0
            vertices, codes = runs.setdefault(item.color, ([], []))
            for char in item.text:
                glyph = face.glyph(char)
                if len(glyph.codes):
                    origin = (item.x * k + advance * scale, height - item.y * k)
                    vertices.append(glyph.vertices * scale + origin)
                    codes.append(glyph.codes)
                advance += glyph.advance
        for color, (vertices, codes) in runs.items():
            if vertices:
                text = Path(np.concatenate(vertices), np.concatenate(codes))
                renderer.draw_path(gc, text, IdentityTransform(), to_rgb(color))
        gc.restore()
        flat = sorted({color for *_, color in self.rects})
        return encode_png(np.asarray(renderer.buffer_rgba()), dpi, flat)


def encode_png(rgba: NDArray[np.uint8], dpi: int, flat: list[str]) -> bytes:
    """Encode Agg's pixels as PNG with Pillow, with a palette when they are all grey or one of the `flat` colours.

    Text in grey ink on white only ever blends into greys, and rectangles are snapped to whole pixels,
    so a chart usually fits a 256-colour palette: a third of the bytes to compress. No text chunks:
    the same pixels give the same bytes.
    """
    height, width, _ = rgba.shape
    packed = rgba.view("<u4").reshape(height, width)  # red in the low byte, alpha (always opaque) high
    palette = np.arange(256, dtype="<u4") * 0x010101 | 0xFF000000
    index = (packed & 0xFF).astype(np.uint8)  # a grey's red value is its own palette entry
    for slot, color in enumerate(flat):
        r, g, b = (round(c * 255) for c in to_rgb(color))
        palette[slot] = r | g << 8 | b << 16 | 0xFF000000
        index[packed == palette[slot]] = slot
    if np.array_equal(np.take(palette, index), packed):  # take: twice as fast as palette[index]
        image = Image.frombytes("P", (width, height), index.tobytes())
        image.putpalette(palette.view(np.uint8).reshape(256, 4)[:, :3].tobytes())
    else:
        image = Image.frombytes("RGB", (width, height), np.ascontiguousarray(rgba[:, :, :3]).tobytes())
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6, dpi=(dpi, dpi))
    return out.getvalue()


def _n(value: float) -> str:
    """Format a coordinate with two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _d(outline: Path) -> str:
    """Return an outline as SVG path data."""
    parts: list[str] = []
    for points, code in outline.iter_segments(simplify=False, curves=True):
        op = _PATH_OPS[code]
        parts.append(op if op == "z" else op + " ".join(_n(v) for v in points))
    return "".join(parts)
