"""Where each page of the site lives, and relative links between them."""
from __future__ import annotations

import posixpath
from collections.abc import Collection

from markupsafe import Markup

from .model import AgencyData, Plan, Report


def plan_dir(agency: AgencyData, plan: Plan) -> str:
    """Return the folder of a plan's pages."""
    return f"{agency.id}/plans/{plan.slug}"


def report_dir(agency: AgencyData, report: Report) -> str:
    """Return the folder of a report's pages."""
    return f"{agency.id}/reports/{report.slug}"


def indicator_dir(agency: AgencyData, indicator_id: str) -> str:
    """Return the folder of an indicator's page."""
    return f"{agency.id}/indicators/{indicator_id}"


def indicators_index(agency: AgencyData) -> str:
    """Return the page listing the agency's indicators."""
    return f"{agency.id}/indicators/index.md"


def budget_history_dir(agency: AgencyData) -> str:
    """Return the folder of the agency's budget comparison across years."""
    return f"{agency.id}/budget-history"


def opendata_dir(agency: AgencyData) -> str:
    """Return the folder of the agency's datasets and of the page listing them."""
    return f"opendata/{agency.id}"


def agency_of(path: str, agencies: Collection[str]) -> str | None:
    """Return the agency whose file a site path is (its pages, or its datasets under opendata/), or None."""
    first, _, rest = path.partition("/")
    if first == "opendata":
        first = rest.partition("/")[0]
    return first if first in agencies else None


def root_of(page_dir: str) -> Markup:
    """Return the relative path from a page's folder back to the site root."""
    return Markup("../" * (page_dir.count("/") + 1))


def link(page_dir: str, target: str) -> Markup:
    """Return a relative URL for raw HTML from a page's folder to a site folder "dir/" or "dir/#anchor"."""
    folder, _, anchor = target.partition("#")
    rel = posixpath.relpath(folder.rstrip("/") or ".", page_dir) + "/"
    return Markup(rel + (f"#{anchor}" if anchor else ""))


def md_link(page_dir: str, target: str) -> Markup:
    """Return a relative Markdown link (to index.md, which MkDocs checks) for a site folder with an anchor."""
    folder, _, anchor = target.partition("#")
    rel = posixpath.relpath(folder.rstrip("/") + "/index.md", page_dir)
    return Markup(rel + (f"#{anchor}" if anchor else ""))
