"""Paint rectangles and text with the bundled CJK font into deterministic SVG and PNG, through matplotlib's Agg."""
from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple
from xml.sax.saxutils import escape

from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgb
from matplotlib.ft2font import FT2Font, LoadFlags
from matplotlib.path import Path
from matplotlib.transforms import Affine2D
from PIL import Image

FONT_FAMILY = "Noto Sans CJK TC"
# Glyph outlines are read at this size in points, then scaled to the size drawn.
_UNITS = 100.0
_PATH_OPS = {Path.MOVETO: "M", Path.LINETO: "L", Path.CURVE3: "Q", Path.CURVE4: "C", Path.CLOSEPOLY: "z"}


class MissingGlyphError(RuntimeError):
    """Raise when the bundled font has no glyph for a character of a label."""


class Glyph(NamedTuple):
    """One glyph of the font: its index, its advance at `_UNITS` points, its outline and that as SVG path data."""

    gid: int
    advance: float
    outline: Path
    data: str
    blank: bool


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

    def glyph(self, char: str) -> Glyph:
        """Return the glyph for `char`; a character the font lacks is an error, never a box."""
        found = self.glyphs.get(char)
        if found is None:
            index = self.face.get_char_index(ord(char))
            if index == 0 and not char.isspace():
                raise MissingGlyphError(f"Glyph {ord(char):#x} ({char!r}) missing from font {FONT_FAMILY}")
            loaded = self.face.load_glyph(index, flags=LoadFlags.NO_HINTING)
            vertices, codes = self.face.get_path()
            outline = Path(vertices, codes)
            found = Glyph(index, loaded.linearHoriAdvance / 65536, outline, _d(outline), not len(codes))
            self.glyphs[char] = found
        return found

    def width(self, text: str, size: float) -> float:
        """Return the advance width of `text` at `size` points."""
        return sum(self.glyph(char).advance for char in text) * size / _UNITS


@dataclass(frozen=True)
class _Text:
    x: float
    y: float
    text: str
    size: float
    color: str


@dataclass
class Canvas:
    """A drawing in points with y pointing down: filled rectangles, lines and text, written as SVG or PNG."""

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
                if not glyph.blank:
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
        for item in self.texts:
            scale, advance, rgb = item.size / _UNITS, 0.0, to_rgb(item.color)
            for char in item.text:
                glyph = face.glyph(char)
                if not glyph.blank:
                    place = Affine2D().translate(advance, 0).scale(scale, -scale).translate(item.x, item.y) + flip
                    renderer.draw_path(gc, glyph.outline, place, rgb)
                advance += glyph.advance
        gc.restore()
        rgba = renderer.buffer_rgba()
        image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
        out = io.BytesIO()
        # zlib's run-length strategy: as small as the default on flat-coloured charts, twice as fast.
        image.convert("RGB").save(out, format="PNG", dpi=(dpi, dpi), compress_type=zlib.Z_RLE)
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
