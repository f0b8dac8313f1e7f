"""Make YAML text safe for Markdown and format numbers the way Taiwanese readers expect."""
from __future__ import annotations

import string
from decimal import ROUND_HALF_UP, Decimal

import jinja2
import markupsafe
from markupsafe import Markup

from . import opendata
from .charts import value_label
from .layout import report_name
from .model import western_year

_PUNCT = {ord(c): f"&#{ord(c)};" for c in string.punctuation}


def escape(value: object) -> str:
    """Make text inert in Markdown and HTML: every ASCII punctuation mark becomes an entity."""
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, str):
        return " ".join(value.split()).translate(_PUNCT)
    if value is None:
        return ""
    return escape(str(value))


def page_title(value: str) -> Markup:
    """Quote text for a page's `title:` front matter: HTML-escaped (themes print it unescaped), YAML-safe."""
    escaped = str(markupsafe.escape(" ".join(value.split())))  # & < > " ' become entities; no quote is left
    return Markup(f"'{escaped}'")


def number(value: int | Decimal) -> Markup:
    """Format a number the way Taiwanese readers expect: 59,738 or 98.39."""
    return Markup(f"{value:,}")


def amount_reading(thousands: int) -> Markup:
    """Spell an amount in 千元 exactly in 億/萬/千 units: 59,738 → 5,973 萬 8 千元."""
    yi, rest = divmod(thousands, 100_000)
    wan, qian = divmod(rest, 10)
    parts = [f"{yi:,} 億"] if yi else []
    if wan:
        parts.append(f"{wan:,} 萬")
    if qian:
        parts.append(f"{qian} 千")
    return Markup(" ".join(parts) + "元" if parts else "0 元")


def roc_year(year: int) -> Markup:
    """Show an ROC year with its Western year: 113 年度（2024 年）."""
    return Markup(f"{year} 年度（{western_year(year)} 年）")


def with_unit(value: int | Decimal, unit: str) -> Markup:
    """Show a figure with its unit: 95 會議次, 98.39%."""
    return Markup(value_label(value, unit))


def share(part: int | Decimal, whole: int | Decimal) -> Markup:
    """Return part/whole as a percentage with two decimals (computed by the portal, not published)."""
    if not whole:
        return Markup("—")
    pct = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Markup(f"{pct}%")


def _finalize(value: object) -> Markup:
    """Escape whatever a template prints, unless it is already markup."""
    return value if isinstance(value, Markup) else Markup(escape(value))


def environment() -> jinja2.Environment:
    """Return the Jinja environment: every printed value escaped for Markdown, and the number filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["license_title"] = opendata.LICENSE["title"]
    env.filters["page_title"] = page_title
    env.filters["change_text"] = lambda change: Markup("—") if change is None else Markup(change.text())
    env.filters["number_or_dash"] = lambda value: Markup("—") if value is None else number(value)
    env.filters["report_name"] = lambda report: Markup(report_name(report))
    env.filters["size"] = lambda n: Markup(f"{n:,} 位元組")
    env.filters.update(
        number=number, reading=amount_reading, roc_year=roc_year, with_unit=with_unit, share=share,
        western=western_year,
        heading=lambda depth: Markup("#" * (depth + 3)),
    )
    return env




def relpath(path: str, start: str) -> str:
    """Return `path` relative to `start`, both site paths without ".." (posixpath.relpath, without the disk)."""
    to = [part for part in path.split("/") if part not in ("", ".")]
    since = [part for part in start.split("/") if part not in ("", ".")]
    common = 0
    for a, b in zip(to, since, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(since) - common) + to[common:]) or "."


def link(page_dir: str, target: str) -> Markup:
    """Return a relative URL for raw HTML from a page's folder to a site folder "dir/" or "dir/#anchor"."""
    folder, _, anchor = target.partition("#")
    rel = relpath(folder.rstrip("/") or ".", page_dir) + "/"
    return Markup(rel + (f"#{anchor}" if anchor else ""))


def md_link(page_dir: str, target: str) -> Markup:
    """Return a relative Markdown link (to index.md, which MkDocs checks) for a site folder with an anchor."""
    folder, _, anchor = target.partition("#")
    rel = relpath(folder.rstrip("/") + "/index.md", page_dir)
    return Markup(rel + (f"#{anchor}" if anchor else ""))
