"""Make YAML text inert in Markdown, and set up the Jinja environment whose filters print numbers and periods."""
from __future__ import annotations

import re
import string
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import markupsafe
from markupsafe import Markup

from . import formats
from .walk import line_kind

if TYPE_CHECKING:
    import jinja2

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


def verbatim(value: str) -> str:
    """Make text inert in HTML and Markdown but keep its spaces, for a line of YAML shown as it is."""
    return value.translate(_PUNCT)


def excerpt(text: str, size: int) -> str:
    """Name an untitled section by the start of its text, never cutting a number (571 is not shortened to 5)."""
    if len(text) <= size:
        return text
    return re.sub(r"[0-9０-９,.，．%％]+$", "", text[:size]) + "…"


def page_title(value: str) -> Markup:
    """Quote text for a page's `title:` front matter: HTML-escaped (themes print it unescaped), YAML-safe."""
    escaped = str(markupsafe.escape(" ".join(value.split())))  # & < > " ' become entities; no quote is left
    return Markup(f"'{escaped}'")


def number(value: int | Decimal) -> Markup:
    """Format a number the way Taiwanese readers expect: 59,738 or 98.39."""
    return Markup(formats.number(value))


def amount_reading(amount: int | Decimal, unit: str = "千元") -> Markup:
    """Spell a money amount exactly in 億/萬/千 units: 59,738 千元 → 5,973 萬 8 千元."""
    return Markup(formats.amount_reading(amount, unit))


def roc_year(year: int) -> Markup:
    """Show an ROC year with its Western year: 113 年度（2024 年）."""
    return Markup(formats.roc_year(year))


def with_unit(value: int | Decimal, unit: str) -> Markup:
    """Show a figure with its unit: 95 會議次, 98.39%."""
    return Markup(formats.value_label(value, unit))


def share(part: int | Decimal, whole: int | Decimal) -> Markup:
    """Return part/whole as a percentage with two decimals (computed by the portal, not published)."""
    pct = formats.percent(part, whole)
    return Markup("—" if pct is None else f"{pct}%")


def _finalize(value: object) -> Markup:
    """Escape whatever a template prints, unless it is already markup."""
    return value if isinstance(value, Markup) else Markup(escape(value))


def environment(**globals_: Any) -> jinja2.Environment:
    """Return the Jinja environment: every printed value escaped for Markdown, and the number filters."""
    import jinja2  # only the pages need it; `portal check` and `diff` start faster without

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(globals_)
    env.filters["page_title"] = page_title
    env.filters["change_text"] = lambda change: Markup("—") if change is None else Markup(change.text())
    env.filters["number_or_dash"] = lambda value: Markup("—") if value is None else number(value)
    env.filters["report_name"] = lambda report: Markup(report.name)
    env.filters["excerpt"] = excerpt
    env.filters["size"] = lambda n: Markup(f"{n:,} 位元組")
    env.filters["report_years"] = lambda report: Markup(
        formats.roc_year(report.year) + report.period if report.span.named
        else f"{report.name}（{report.span.western} 年）"
    )
    env.filters["plan_years"] = lambda plan: Markup(formats.roc_year(plan.year, plan.to_year))
    env.filters["line_kind"] = lambda budget: Markup(escape(line_kind(budget)))
    env.filters.update(
        number=number, reading=amount_reading, roc_year=roc_year, with_unit=with_unit, share=share,
        western=formats.western_year,
        heading=lambda depth: Markup("#" * (depth + 3)),
    )
    return env
