"""Turn validated records into the site's Markdown pages, charts and navigation."""
from __future__ import annotations

import json
import os
import string
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import jinja2
from markupsafe import Markup

from . import opendata
from .charts import Chart, ChartCache, Drawn, DrawStats, draw_all
from .layout import Located, plan_dir, report_dir, report_figures, report_name
from .model import AgencyData, Plan, PlanItem, Portal, Report, Sourced, western_year

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
    return Markup(f"{value:,}{unit}" if unit == "%" else f"{value:,} {unit}")


def share(part: int | Decimal, whole: int | Decimal) -> Markup:
    """Return part/whole as a percentage with two decimals (computed by the portal, not published)."""
    if not whole:
        return Markup("—")
    pct = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Markup(f"{pct}%")


@dataclass
class NavEntry:
    """A navigation entry: a page path, or a titled section of entries."""

    title: str | None
    page: str | None = None
    children: list[NavEntry] = field(default_factory=list)

    def to_mkdocs(self) -> Any:
        """Return the entry in mkdocs.yml `nav` form."""
        if self.page is not None:
            return self.page if self.title is None else {self.title: self.page}
        return {self.title: [child.to_mkdocs() for child in self.children]}


@dataclass
class Site:
    """The generated tree: {path: content}, navigation, and which data file each page comes from."""

    files: dict[str, str | bytes] = field(default_factory=dict)
    nav: list[NavEntry] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    drawn: dict[str, Drawn] = field(default_factory=dict)
    stats: DrawStats = field(default_factory=DrawStats)

    def pages(self) -> list[str]:
        """List the Markdown pages."""
        return [path for path in self.files if path.endswith(".md")]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=True,
        finalize=lambda value: Markup(escape(value)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["license_title"] = opendata.LICENSE["title"]
    env.filters["size"] = lambda n: Markup(f"{n:,} 位元組")
    env.filters.update(
        number=number, reading=amount_reading, roc_year=roc_year, with_unit=with_unit, share=share,
        western=western_year,
        heading=lambda depth: Markup("#" * (depth + 3)),
    )
    return env


def budget_chart(agency: AgencyData, plan: Plan) -> Chart:
    """Describe the chart of a plan's budget by category."""
    budget = plan.budget
    labels = tuple(f"{line.no}、{line.category}" for line in budget.lines)
    listing = "、".join(f"{line.category} {line.amount:,}" for line in budget.lines)
    return Chart(
        file=f"{plan_dir(agency, plan)}/budget/budget.svg",
        title=f"{plan.year} 年度預算各類金額（單位：{budget.unit}）",
        labels=labels,
        values=tuple(line.amount for line in budget.lines),
        unit=budget.unit,
        alt=f"長條圖，{agency.agency.name} {plan.year} 年度預算各類金額（{budget.unit}）：{listing}；"
        f"合計 {budget.total:,} {budget.unit}。",
        document=f"《{plan.source.document}》",
        period=f"{plan.year} 年度（{western_year(plan.year)} 年）",
    )


def breakdown_charts(
    agency: AgencyData, report: Report, figures: list[Located]
) -> list[tuple[Located, list[Chart]]]:
    """Describe one chart per breakdown of each report figure, numbered in reading order."""
    out = []
    for n, located in enumerate(figures, 1):
        figure = located.figure
        charts_of_figure = []
        for b, breakdown in enumerate(figure.breakdowns, 1):
            listing = "、".join(f"{p.label} {with_unit(p.value, p.unit)}" for p in breakdown.parts)
            charts_of_figure.append(Chart(
                file=f"{report_dir(agency, report)}/figure-{n}-{b}.svg",
                title=f"{figure.label}，依{breakdown.by}",
                labels=tuple(p.label for p in breakdown.parts),
                values=tuple(p.value for p in breakdown.parts),
                unit=figure.unit,
                alt=f"長條圖，{report_name(report)}{figure.label} {with_unit(figure.value, figure.unit)}，"
                f"依{breakdown.by}：{listing}。",
                document=f"《{report.source.document}》",
                period=f"{report_name(report)}（{western_year(report.year)} 年）",
            ))
        out.append((located, charts_of_figure))
    return out


def _cite(document: str, page: str) -> str:
    return f"《{document}》，施政透明網 /{page}"


def _root(page_dir: str) -> Markup:
    """Return the relative path from a page's folder back to the site root."""
    return Markup("../" * (page_dir.count("/") + 1))


def _relative(chart: Chart, page_dir: str) -> Markup:
    return Markup(chart.file.removeprefix(page_dir + "/"))


def _key_figures(figures: list[Located]) -> list[Located]:
    """Pick the first figure of each chapter and every figure that has a breakdown."""
    picked: list[Located] = []
    chapters_seen: set[str] = set()
    for located in figures:
        chapter = located.anchor.split("-")[0]
        if chapter not in chapters_seen or located.figure.breakdowns:
            chapters_seen.add(chapter)
            if located not in picked:
                picked.append(located)
    return picked


def generate(portal: Portal, updated: str | None = None, cache: ChartCache | None = None) -> Site:
    """Render every page and chart of the portal into memory: describe charts, draw them, then write pages."""
    env = _environment()
    site = Site()
    located = {id(s.record): report_figures(s.record) for agency in portal.agencies for s in agency.reports}
    by_report = {
        id(s.record): breakdown_charts(agency, s.record, located[id(s.record)])
        for agency in portal.agencies for s in agency.reports
    }
    for agency in portal.agencies:
        for sourced in agency.plans:
            chart = budget_chart(agency, sourced.record)
            site.charts[chart.file] = chart
    for found in by_report.values():
        site.charts.update({chart.file: chart for _, drawn in found for chart in drawn})
    site.drawn, site.stats = draw_all(site.charts.values(), cache)
    env.globals["chart_size"] = lambda chart: site.drawn[chart.file]

    home_agencies = []
    for agency in portal.agencies:
        years: dict[int, list[str]] = {}
        for sourced in agency.plans:
            _plan_pages(env, site, agency, sourced, years)
        for sourced_report in agency.reports:
            _report_page(env, site, agency, sourced_report, by_report[id(sourced_report.record)], years)
        site.nav.append(NavEntry(
            escape(agency.agency.name),
            children=[
                NavEntry(f"{year} 年度（{western_year(year)}）", children=[NavEntry(None, p) for p in pages])
                for year, pages in sorted(years.items(), reverse=True)
            ],
        ))
        latest_plan = agency.plans[-1].record if agency.plans else None
        latest_report = agency.reports[-1].record if agency.reports else None
        home_agencies.append({
            "data": agency,
            "plan": latest_plan,
            "id": Markup(agency.id),
            "plan_dir": Markup(plan_dir(agency, latest_plan)) if latest_plan else None,
            "report": latest_report,
            "report_dir": Markup(report_dir(agency, latest_report)) if latest_report else None,
            "key_figures": _key_figures(located[id(latest_report)]) if latest_report else [],
        })
    site.files["index.md"] = env.get_template("home.md.j2").render(agencies=home_agencies)
    site.nav.insert(0, NavEntry("首頁", "index.md"))
    _publish_data(env, site, portal, updated or release_date())
    site.nav.append(NavEntry(None, "opendata/index.md"))
    return site


def release_date() -> str:
    """Return the build's date (from SOURCE_DATE_EPOCH when set, so builds are reproducible)."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


def _publish_data(env: jinja2.Environment, site: Site, portal: Portal, updated: str) -> None:
    """Write each chart with its numbers, every dataset, the catalogues and the open-data page."""
    for path, chart in site.charts.items():
        table = opendata.chart_table(chart)
        site.files[path] = site.drawn[path].svg
        site.files[table.path + ".png"] = site.drawn[path].png
        site.files[table.path + ".csv"] = table.csv()
        site.files[table.path + ".json"] = table.json()
    tables = opendata.datasets(portal)
    listed = []
    for table in tables:
        csv_bytes, json_bytes = table.csv(), table.json()
        site.files[table.path + ".csv"] = csv_bytes
        site.files[table.path + ".json"] = json_bytes
        listed.append({"table": table, "href": Markup(table.path.removeprefix("opendata/")),
                       "csv_size": len(csv_bytes), "json_size": len(json_bytes)})
    title = "施政透明網開放資料"
    publisher = "、".join(a.agency.name for a in portal.agencies)
    created = f"{updated}T00:00:00Z"
    site.files["opendata/datapackage.json"] = _json(opendata.package(tables, "transparency-portal", title, created))
    site.files["opendata/catalog.jsonld"] = _json(opendata.dcat(tables, publisher, title, updated))
    site.files["opendata/index.md"] = env.get_template("opendata.md.j2").render(
        datasets=listed, updated=updated, license=opendata.LICENSE
    )


def _json(doc: object) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _plan_pages(
    env: jinja2.Environment, site: Site, agency: AgencyData, sourced: Sourced[Plan], years: dict[int, list[str]]
) -> None:
    plan = sourced.record
    base = plan_dir(agency, plan)
    chart = site.charts[f"{base}/budget/budget.svg"]
    context = {"agency": agency.agency, "plan": plan, "items": _flatten(plan.items.entries),
               "cite": _cite(plan.source.document, f"{base}/budget/"), "root": _root(f"{base}/budget")}
    pages = {
        f"{base}/index.md": env.get_template("plan.md.j2").render(**context),
        f"{base}/budget/index.md": env.get_template("budget.md.j2").render(
            **context, chart=chart, chart_src=_relative(chart, f"{base}/budget")
        ),
    }
    for path, text in pages.items():
        site.files[path] = text
        site.sources[path] = sourced.path
        years.setdefault(plan.year, []).append(path)


def _flatten(items: list[PlanItem], depth: int = 0, prefix: str = "item") -> list[dict[str, Any]]:
    """List plan items depth-first with heading level and a stable anchor."""
    out = []
    for i, item in enumerate(items, 1):
        anchor = f"{prefix}-{i}"
        out.append({"item": item, "depth": depth, "anchor": anchor})
        out.extend(_flatten(item.children, depth + 1, anchor))
    return out


def _report_page(
    env: jinja2.Environment,
    site: Site,
    agency: AgencyData,
    sourced: Sourced[Report],
    described: list[tuple[Located, list[Chart]]],
    years: dict[int, list[str]],
) -> None:
    report = sourced.record
    base = report_dir(agency, report)
    figures = [located for located, _ in described]
    by_figure = {id(located.figure): found for located, found in described}
    path = f"{base}/index.md"
    site.files[path] = env.get_template("report.md.j2").render(
        agency=agency.agency,
        report=report,
        name=report_name(report),
        figures=figures,
        charts_for=lambda figure: [(chart, _relative(chart, base)) for chart in by_figure[id(figure)]],
        cite=_cite(report.source.document, f"{base}/"),
        root=_root(base),
    )
    site.sources[path] = sourced.path
    years.setdefault(report.year, []).append(path)
