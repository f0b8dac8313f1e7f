"""Where pages, and the caches, live; how a report's figures are located and numbered."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from .model import AgencyData, Figure, Plan, PlanItem, Report, report_slug


def cache_dir(root: Path) -> Path:
    """Return the folder of cached checks and charts (safe to delete: everything in it is made again)."""
    return root / ".cache"


def plan_dir(agency: AgencyData, plan: Plan) -> str:
    """Return the folder of a plan's pages."""
    return f"{agency.id}/plans/{plan.year}"


def report_dir(agency: AgencyData, report: Report) -> str:
    """Return the folder of a report's pages."""
    return f"{agency.id}/reports/{report_slug(report)}"


def indicator_dir(agency: AgencyData, indicator_id: str) -> str:
    """Return the folder of an indicator's page."""
    return f"{agency.id}/indicators/{indicator_id}"


def budget_history_dir(agency: AgencyData) -> str:
    """Return the folder of the agency's budget comparison across years."""
    return f"{agency.id}/budget-history"


def report_name(report: Report) -> str:
    """Name a report's period: 110 年下半年."""
    return f"{report.year} 年{report.period}"


@dataclass(frozen=True)
class Located:
    """A report figure with its place in the report."""

    anchor: Markup
    where: str
    figure: Figure


def report_figures(report: Report) -> list[Located]:
    """List every top-level figure of a report with its anchor and section label, in reading order."""
    found = []
    for c, chapter in enumerate(report.chapters, 1):
        for s, section in enumerate(chapter.sections, 1):
            where = f"{chapter.no}、{section.no}"
            for figure in section.figures:
                found.append(Located(Markup(f"ch{c}-s{s}"), where, figure))
            for i, item in enumerate(section.items, 1):
                label = f"{where}{item.no}." if item.no else where
                for figure in item.figures:
                    found.append(Located(Markup(f"ch{c}-s{s}-i{i}"), label, figure))
    return found


def all_figures(report: Report) -> list[Located]:
    """List every figure of a report, breakdown parts after their figure and located with it."""
    out = []

    def walk(located: Located) -> None:
        out.append(located)
        for breakdown in located.figure.breakdowns:
            for part in breakdown.parts:
                walk(Located(located.anchor, located.where, part))

    for located in report_figures(report):
        walk(located)
    return out


def find_item(items: list[PlanItem], names: list[str]) -> list[int] | None:
    """Return the positions (1-based, per level) of the plan item reached by following `names`."""
    for i, item in enumerate(items, 1):
        if item.name == names[0]:
            if len(names) == 1:
                return [i]
            rest = find_item(item.children, names[1:])
            if rest is not None:
                return [i, *rest]
    return None
