"""Turn validated records into the site's Markdown pages, charts and navigation."""
from __future__ import annotations

import gc
import logging
import os
import posixpath
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import opendata, search
from .cache import Content, Stored, code_version, content_bytes, content_digest, digest, package_version
from .charts import CODE as CHART_CODE
from .charts import (
    Chart,
    ChartCache,
    Drawing,
    DrawStats,
    Kept,
    Size,
    breakdown_charts,
    budget_chart,
    budget_history_charts,
    chart_id,
    credited,
    indicator_chart,
    table_charts,
)
from .formats import western_year
from .kept import Entry, PageStore
from .markup import environment, escape
from .model import AgencyData, Budget, Figure, Goal, Indicator, MeasureIndicator, Plan, Portal, Report, Sourced
from .paths import (
    budget_history_dir,
    indicator_dir,
    indicators_index,
    link,
    md_link,
    opendata_dir,
    plan_dir,
    report_dir,
    root_of,
)
from .periods import Span
from .trends import (
    BudgetHistory,
    Change,
    Corrected,
    Figures,
    Judged,
    Point,
    agency_figures,
    budget_history,
    corrections,
    data_through,
    judged,
    nearest_plan_link,
    newest_first,
    plan_links,
    series,
    serving,
)
from .walk import (
    FigureAt,
    LineAt,
    budget_lines,
    budget_total,
    goal_measures,
    line_amount,
    plan_items,
    report_figures,
    table_where,
    with_parts,
)

log = logging.getLogger("generator")
# What the generated pages need besides their Markdown: the extensions they are written for (attribute
# lists for anchors, HTML blocks with Markdown inside for the folding chapters), and the chapters' script.
MARKDOWN_EXTENSIONS = ("attr_list", "md_in_html", "tables")
CHAPTERS_SCRIPT = "assets/javascripts/portal-chapters.js"
SCRIPTS = (search.SCRIPT, CHAPTERS_SCRIPT)  # what every page loads, whatever engine publishes it


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

    files: dict[str, Content] = field(default_factory=dict)
    nav: list[NavEntry] = field(default_factory=list)
    charts: dict[str, Chart] = field(default_factory=dict)
    drawn: dict[str, Kept] = field(default_factory=dict)
    stats: DrawStats = field(default_factory=DrawStats)
    footer: dict[str, str] = field(default_factory=dict)  # who publishes, the licence, how recent the data are
    agencies: list[str] = field(default_factory=list)  # the agencies' ids, whose folders hold their pages
    # `portal build` writes each page and dataset here as it is made, and the site keeps only where it is:
    # a portal of 10,000 pages then does not hold its gigabyte of pages and data in memory for the engine.
    spill: Path | None = None
    # Generated with a drawing left running (`generate(..., drawing=)`): each chart file (SVG or PNG) whose drawing
    # the workers are still writing into the chart cache, by path -> the chart's file; the engine copies it last.
    pending: dict[str, str] = field(default_factory=dict)

    def pages(self) -> list[str]:
        """List the Markdown pages."""
        return [path for path in self.files if path.endswith(".md")]

    def add(self, path: str, content: Content) -> None:
        """Add a generated file: in memory, or written to the spill folder when there is one."""
        if self.spill is None or isinstance(content, Stored):
            self.files[path] = content
            return
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self.spill / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.files[path] = Stored(str(target), content_digest(data))

    def text(self, path: str) -> str:
        """Return a generated page's Markdown, wherever it is kept."""
        content = self.files[path]
        return content_bytes(content).decode("utf-8") if not isinstance(content, str) else content


def _cite(env: jinja2.Environment, documents: str, page: str) -> str:
    """Write a citation: the source documents (already in 《》) and the page's full address when `site_url` is set."""
    return f"{documents}，施政透明網 {env.globals['site_url']}/{page}"


def _relative(chart: Chart, page_dir: str) -> Markup:
    return Markup(chart.file.removeprefix(page_dir + "/"))


def _row_ids(figures: Iterable[FigureAt]) -> Callable[[Figure], Markup]:
    """Return what gives each figure of a page (the record's own object) the anchor of its table row."""
    ids = {id(at.figure): at.row_id for at in figures}
    return lambda figure: ids[id(figure)]


def _key_figures(figures: list[FigureAt]) -> list[FigureAt]:
    """Pick the first figure of each chapter and every figure that has a breakdown."""
    picked: list[FigureAt] = []
    chapters_seen: set[str] = set()
    for located in figures:
        chapter = located.anchor.split("-")[0]
        if chapter not in chapters_seen or located.figure.breakdowns:
            chapters_seen.add(chapter)
            if located not in picked:
                picked.append(located)
    return picked


@dataclass
class _Agency:
    """What the pages of one agency share: its figures located, indicator series and charts."""

    data: AgencyData
    figures: Figures
    top: Figures
    catalogue: list[Indicator]
    series: dict[str, list[Point]]
    budget_history: BudgetHistory | None
    report_charts: dict[str, dict[int, list[Chart]]]  # by figure number; a table's charts under -(its number)
    budget_charts: list[Chart]
    judged: dict[tuple[str, int, int], list[Judged]]
    links: dict[tuple[str, ...], list[tuple[Plan, str]]] = field(default_factory=dict)

    def plan_links(self, names: list[str]) -> list[tuple[Plan, str]]:
        """Return the plans that have the item at `names`, with links; worked out once per item."""
        key = tuple(names)
        if key not in self.links:
            self.links[key] = plan_links(self.data, names)
        return self.links[key]


def _describe(agency: AgencyData, site_url: str) -> tuple[_Agency, list[Chart]]:
    """Describe an agency's charts (phase one of generation) and what its pages will need from the records."""
    licence = str(opendata.LICENSE["title"])
    charts: list[Chart] = []

    def add(found: list[Chart]) -> list[Chart]:
        """Give charts the credit their images carry, and register them."""
        found = [credited(chart, licence, site_url) for chart in found]
        charts.extend(found)
        return found

    for sourced in agency.plans:
        if sourced.record.budget is not None:
            add([budget_chart(agency, sourced.record, sourced.record.budget)])
    figures = agency_figures(agency)
    top = {s.record.slug: report_figures(s.record) for s in agency.reports}
    report_charts: dict[str, dict[int, list[Chart]]] = {}
    for s in agency.reports:
        described = breakdown_charts(agency, s.record, top[s.record.slug])
        described.update({-t: found for t, found in table_charts(agency, s.record).items()})
        report_charts[s.record.slug] = {number: add(found) for number, found in described.items()}
    catalogue = agency.indicators.record.indicators if agency.indicators else []
    series_by_id = {i.id: series(agency, i, figures) for i in catalogue}
    for indicator in catalogue:
        if series_by_id[indicator.id]:
            add([indicator_chart(agency, indicator, series_by_id[indicator.id])])
    history = budget_history(agency)
    budget_charts = add(budget_history_charts(agency, history)) if history else []
    return _Agency(agency, figures, top, catalogue, series_by_id, history, report_charts, budget_charts,
                   judged(agency, series_by_id)), charts


class _Part:
    """An agency as generation sees it: its records, its charts and corrections, and (described when first
    needed) what its pages are made from. With a store, the chart files and corrections of unchanged records are
    kept between runs, so an agency whose pages are kept too is never described."""

    def __init__(self, data: AgencyData, site_url: str, key: str = "", store: PageStore | None = None) -> None:
        self.data, self.site_url, self.key, self.store = data, site_url, key, store
        # Once its pages are written (`release`): its charts, and its own words for search.
        self._charts: list[Chart] | None = None
        self._words: set[str] | None = None

    @cached_property
    def full(self) -> _Agency:
        """Return what the agency's pages and datasets are made from."""
        return self._described[0]

    @cached_property
    def _described(self) -> tuple[_Agency, list[Chart]]:
        return _describe(self.data, self.site_url)

    @property
    def charts(self) -> list[Chart]:
        """Return the agency's charts, in the order they were described."""
        return self._charts if self._charts is not None else self._described[1]

    def words(self) -> set[str]:
        """Return the agency's own words for search (its records are read again if they were let go unread)."""
        return self._words if self._words is not None else search.agency_words(self.data)

    def release(self) -> None:
        """Let the agency's records and what its pages were made from go, keeping its charts and words.

        Generation goes agency by agency, so it holds only one agency's records at a time.
        """
        if "_described" in self.__dict__:
            self._charts, self._words = self.charts, search.agency_words(self.data)
            del self.__dict__["_described"]
            self.__dict__.pop("full", None)
        records: list[Sourced[Any]] = [*self.data.plans, *self.data.reports]
        for sourced in records:
            sourced.release()

    @cached_property
    def corrected(self) -> list[Corrected]:
        """Return the corrections in the agency's records, newest first (kept between runs with a store)."""
        def make() -> tuple[dict[str, Content], list[Corrected]]:
            return {}, corrections([(self.data, self.full.figures)])

        if self.store is None:
            return make()[1]
        kept: list[Corrected] = self.store.made(digest("corrections", self.key) if self.key else "", make)[1]
        return kept

    def published(self) -> tuple[dict[str, Content], int] | None:
        """Return the agency's chart files (SVG, PNG, CSV, JSON) kept from the last run and their count, or None."""
        found = self.store.get(digest("charts", self.key)) if self.store is not None and self.key else None
        return found if found is not None and isinstance(found[1], int) else None


# An agency's dataset files and the page listing them, its row of the open-data page, and each table's entries in
# the catalogues.
_Datasets = tuple[dict[str, Content], tuple[Markup, list[tuple[bytes, bytes]]]]


@dataclass
class _AgencyPages:
    """What an agency contributes to the site: its pages, its navigation, and its part of the home page."""

    files: dict[str, Content]
    nav: NavEntry
    home: tuple[Markup, Markup]  # its row of the home page's table, and its part of the home page


class _ChartSizes:
    """Give the page templates each chart's size, from the drawing under way."""

    drawing: Drawing | None = None

    def __call__(self, chart: Chart) -> Size:
        """Return the chart's width and height in CSS pixels."""
        assert self.drawing is not None
        return self.drawing.size(chart)


@dataclass
class Memo:
    """Each agency's pages from the last generation, reused while its records are unchanged (for `portal serve`)."""

    agencies: dict[str, tuple[str, _AgencyPages]] = field(default_factory=dict)
    chart_data: dict[Chart, tuple[Content, Content]] = field(default_factory=dict)  # each chart's CSV and JSON
    env: jinja2.Environment | None = None  # with its templates compiled (Jinja reloads one that was edited)
    kept: dict[str, Entry] = field(default_factory=dict)  # the page store's entries this run used, held in memory
    # A preview's whole build, in a child process that ends with it: it removes from the page store what it did
    # not use, and keeps no page's search sections for a next rebuild (that would be every page's text).
    whole: bool = False

    def compile(self) -> None:
        """Compile every page template now, so that the first pages rendered later do not wait for it."""
        if self.env is not None:
            for name in self.env.list_templates(extensions=["j2"]):
                self.env.get_template(name)


def _templates() -> str:
    """Digest the page templates, which may be edited while `portal serve` runs."""
    return digest(*(path.read_bytes() for path in sorted((Path(__file__).parent / "templates").glob("*.j2"))))


def _agency_key(agency: AgencyData, templates: str) -> str:
    """Digest everything an agency's pages are made from, or return "" when a record's digest is unknown."""
    sourced: list[Sourced[Any]] = [*agency.plans, *agency.reports]
    if any(not s.digest for s in sourced):
        return ""
    parts = [templates, agency.id, agency.agency.model_dump_json(), *(f"{s.path}\0{s.digest}" for s in sourced)]
    if agency.indicators is not None:
        parts.append(agency.indicators.record.model_dump_json())
    return digest(*parts)


def generate(
    portal: Portal, updated: str | None = None, cache: ChartCache | None = None, memo: Memo | None = None,
    site_url: str = "", handwritten: Mapping[str, str] | None = None, spill: Path | None = None,
    keep: Path | None = None, drawing: Drawing | None = None,
) -> Site:
    """Render every page and chart of the portal: describe charts, draw them, then write pages.

    The pages and data are kept in memory, or with `spill` written to that folder as they are made. With `keep`,
    each agency's pages are kept in that folder between runs and rendered only when its records changed.
    With a `drawing` (of the chart cache `cache`), return without waiting for the charts its workers still draw:
    their files are in `site.pending`, and the caller waits with `drawing.finish()`.
    """
    # The records live as long as the run and hold no reference cycles: without freezing them, each of the cycle
    # collector's full passes would walk millions of them again (half the time when most pages are kept).
    gc.freeze()
    try:
        return _generate(portal, updated, cache, memo, site_url, handwritten, spill, keep, drawing)
    finally:
        gc.unfreeze()


def _generate(
    portal: Portal, updated: str | None, cache: ChartCache | None, memo: Memo | None, site_url: str,
    handwritten: Mapping[str, str] | None, spill: Path | None, keep: Path | None, later: Drawing | None,
) -> Site:
    env = memo.env if memo is not None and memo.env is not None else None
    if env is None:  # the macros module is compiled once and keeps the `chart_size` it was given
        env = environment(license_title=opendata.LICENSE["title"], chart_size=_ChartSizes(),
                          chart_id=lambda file: Markup(chart_id(file)))  # made from the portal's own file names
    if memo is not None:
        memo.env = env
    env.globals["site_url"] = site_url.rstrip("/")  # citations give the full address of the page cited
    env.globals["updated"] = updated = updated or release_date()  # the edition a citation refers to
    site = Site(spill=spill)
    shared = (cache.store.folder,) if cache is not None and cache.store.folder is not None else ()
    store = PageStore(keep, shared, memo.kept if memo is not None else None) if keep is not None else None
    templates = digest(_templates(), str(env.globals["site_url"]), updated) if memo or store else ""
    if store is not None:  # kept between runs: the code may have changed since, or a library that draws the charts
        templates = digest(templates, package_version(("jinja2", "markupsafe", "pydantic", *CHART_CODE[1])))
    parts = [_Part(data, str(env.globals["site_url"]), _agency_key(data, templates) if templates else "", store)
             for data in portal.agencies]
    kept = {part.data.id: _kept(part.data.id, part.key, memo, store) for part in parts}
    # An agency whose pages are kept and whose chart files are kept too is not described, and its charts not looked up.
    published = {part.data.id: files for part in parts if kept[part.data.id] is not None
                 and (files := part.published()) is not None}
    site.agencies = [part.data.id for part in parts]
    # Workers draw the charts while the pages are written; the pages need only each chart's size.
    drawing = later or Drawing(cache_=cache)
    try:
        sizes = env.globals["chart_size"]
        assert isinstance(sizes, _ChartSizes)
        sizes.drawing = drawing
        tables = _write_pages(env, site, portal, parts, kept, published, drawing, updated, memo, handwritten or {},
                              cache, store)
        promised = drawing.promise() if later is not None else None
        site.drawn, site.stats = promised or drawing.finish()
        pending = set(site.stats.drawn_files) if promised else set()
        _publish_charts(site, parts, published, tables, store, pending)
        site.add(CHAPTERS_SCRIPT, Path(__file__).with_name("chapters.js").read_text(encoding="utf-8"))
        _publish_search(env, site, parts, handwritten or {}, memo is not None and not memo.whole, store)
    except BaseException:  # the charts promised are not wanted any more either
        drawing.close()
        raise
    if store is not None and memo is not None:
        store.forget_unused()
    if store is not None and (memo is None or memo.whole):  # what this run did not use: records changed or removed
        store.sweep()  # (not a preview's edit, which would remove what its next whole build uses)
    log.info(f"頁面：產生 {len(site.pages()):,} 頁，交給 MkDocs 建置網站……")
    return site


def _write_pages(
    env: jinja2.Environment, site: Site, portal: Portal, parts: list[_Part], kept: dict[str, _AgencyPages | None],
    published: Mapping[str, object], drawing: Drawing, updated: str, memo: Memo | None,
    handwritten: Mapping[str, str], cache: ChartCache | None = None, store: PageStore | None = None,
) -> dict[Chart, tuple[Content, Content]]:
    """Render every page and dataset and return each chart's numbers; charts are added by `_publish_charts` once
    drawn.

    One agency at a time: its charts are described and handed to the drawing, then its pages, datasets and
    corrections are made, and its records let go before the next agency's are read.
    """
    rows, sections = [], []
    tables: dict[Chart, tuple[Content, Content]] = {}
    datasets: list[_Datasets] = []
    found: list[Corrected] = []
    for part in parts:
        key = part.key
        if part.data.id not in published:
            site.charts.update({chart.file: chart for chart in part.charts})
            drawing.add(part.charts)
            tables.update(_chart_tables(part.charts, memo, cache))
        pages = kept[part.data.id]
        if pages is None:
            pages = _agency_pages(env, site, part.full, spill=store is None)
            if store is not None and key:
                pages = _AgencyPages(store.put(key, pages.files, (pages.nav, pages.home)), pages.nav, pages.home)
        if memo is not None and key:
            memo.agencies[part.data.id] = (key, pages)
        site.files.update(pages.files)
        site.nav.append(pages.nav)
        rows.append(pages.home[0])
        sections.append(pages.home[1])
        datasets.append(_agency_datasets(env, part, store))
        found += part.corrected
        part.release()
    if memo is not None:
        memo.chart_data = tables
    agencies = [part.data for part in parts]
    # The newest report's period, known without reading the records of agencies whose pages are kept.
    newest = max((span for a in agencies if a.reports and isinstance(span := a.reports[-1].place(), Span)),
                 default=None)
    site.footer = {
        "publisher": "、".join(a.agency.name for a in agencies),
        "license": str(opendata.LICENSE["title"]),
        "through": newest.through if newest else "",
    }
    guide = [(Markup("開放資料"), Markup("opendata/index.md")), (Markup("更正紀錄"), Markup("corrections/index.md")),
             (Markup("搜尋"), Markup(search.PAGE))]
    guide += [(heading(text), Markup(path)) for path, text in sorted(handwritten.items())]
    site.add("index.md", env.get_template("home.md.j2").render(rows=rows, sections=sections, guide=guide))
    site.nav.insert(0, NavEntry("首頁", "index.md"))
    _publish_data(env, site, portal, datasets, updated)
    site.nav.append(NavEntry(None, "opendata/index.md"))
    entries = newest_first(found)
    site.add("corrections/index.md", env.get_template("corrections.md.j2").render(
        entries=[(e, link("corrections", e.href)) for e in entries]
    ))
    site.nav.append(NavEntry(None, "corrections/index.md"))
    return tables


def _kept(agency_id: str, key: str, memo: Memo | None, store: PageStore | None) -> _AgencyPages | None:
    """Return an agency's pages made from the same records, kept in memory (a preview) or on disk, or None."""
    kept = memo.agencies.get(agency_id) if memo is not None and key else None
    if kept is not None and kept[0] == key and all(  # a build meanwhile may have removed what it did not use
            os.path.isfile(content.path) for content in kept[1].files.values() if isinstance(content, Stored)):
        return kept[1]
    found = store.get(key) if store is not None and key else None
    return _AgencyPages(found[0], *found[1]) if found is not None else None


def _agency_pages(env: jinja2.Environment, site: Site, a: _Agency, spill: bool = True) -> _AgencyPages:
    """Render one agency's plans, reports and trend pages, with its navigation and home-page entry."""
    agency = a.data
    own = Site(charts=site.charts, spill=site.spill if spill else None)
    years: dict[int, list[str]] = {}
    for sourced in agency.plans:
        _plan_pages(env, own, a, sourced, years)
    for sourced_report in agency.reports:
        _report_page(env, own, a, sourced_report, years)
    extra = _trend_pages(env, own, a)
    index = f"{agency.id}/index.md"
    nav = NavEntry(
        escape(agency.agency.name),
        children=[NavEntry("所有文件與指標", index)] + [
            NavEntry(f"{year} 年度（{western_year(year)}）", children=[NavEntry(None, p) for p in pages])
            for year, pages in sorted(years.items(), reverse=True)
        ] + extra + [NavEntry("開放資料", f"{opendata_dir(agency)}/index.md")],  # its page: `_datasets`
    )
    latest_plan = agency.plans[-1].record if agency.plans else None
    latest_report = agency.reports[-1].record if agency.reports else None
    home = {
        "data": agency,
        "plan": latest_plan,
        "total": budget_total(latest_plan.budget) if latest_plan and latest_plan.budget else None,
        "id": Markup(agency.id),
        "plan_dir": Markup(plan_dir(agency, latest_plan)) if latest_plan else None,
        "report": latest_report,
        "report_dir": Markup(report_dir(agency, latest_report)) if latest_report else None,
        "through": data_through(latest_report) if latest_report else None,
        "key_figures": _with_changes(a, _key_figures(a.top[latest_report.slug])) if latest_report else [],
        "largest": _largest_lines(latest_plan.budget) if latest_plan and latest_plan.budget else [],
        "targets": _latest_targets(a),
        "plan_dirs": {s.record.slug: Markup(plan_dir(agency, s.record)) for s in agency.plans},
        "indicators": Markup(indicators_index(agency)) if a.catalogue else None,
    }
    summary = env.get_template("home-agency.md.j2")
    own.add(index, _agency_index(env, own, a, years, Markup(summary.render(a=home, own=True, root=root_of(agency.id)))))
    return _AgencyPages(own.files, nav, (Markup(env.get_template("home-row.md.j2").render(a=home)),
                                         Markup(summary.render(a=home, own=False, root=""))))


# The home page lists this many of the latest budget's top-level lines, largest first.
LARGEST_LINES = 3


def _largest_lines(budget: Budget) -> list[tuple[LineAt, int]]:
    """Return the budget's largest top-level lines with their amounts, largest first (the document's order on ties)."""
    top = [(at, line_amount(at.line).value) for at in budget_lines(budget) if at.depth == 0]
    ranked = sorted(((at, amount) for at, amount in top if amount is not None), key=lambda pair: -pair[1])
    return ranked[:LARGEST_LINES]


def _with_changes(a: _Agency, figures: list[FigureAt]) -> list[tuple[FigureAt, Change | None]]:
    """Pair each figure with its change since the indicator's previous period, when it has one."""
    points = {id(p.located.figure): p for found in a.series.values() for p in found}
    out = []
    for located in figures:
        point = points.get(id(located.figure))
        out.append((located, point.since_previous if point else None))
    return out


def _latest_targets(a: _Agency) -> list[Judged]:
    """Return every target of the latest year in which any target could be judged (none before a full-year report)."""
    every = [j for found in a.judged.values() for j in found]
    years = {j.target.year for j in every if j.met is not None}
    if not years:
        return []
    return [j for j in every if j.target.year == max(years)]


def _publish_search(
    env: jinja2.Environment, site: Site, parts: list[_Part], handwritten: Mapping[str, str], remember: bool,
    store: PageStore | None = None,
) -> None:
    """Add the search page and the search data: a shard per agency and one for the rest of the site."""
    site.add(search.PAGE, env.get_template("search.md.j2").render(
        agencies=[{"id": part.data.id, "name": part.data.agency.name} for part in parts]
    ))
    site.nav.append(NavEntry("搜尋", search.PAGE))
    for path, content in search.shards(
        site.pages(), site.text, {p.data.id: search.Vocabulary(
            p.data.agency.name, p.words, digest("words", p.key) if p.key else "") for p in parts},
        handwritten, remember,  # a preview keeps each page's sections for the next rebuild; a build lets them go
        store, lambda path: content_digest(site.files[path]),
    ):
        site.add(path, content)


def heading(markdown: str) -> Markup:
    """Return a generated page's title as its Markdown writes it (already escaped): its first level-1 heading."""
    found = re.search(r"^# (.+?)(?: \{:.*\})?$", search.without_front_matter(markdown), re.M)
    return Markup(found[1] if found else "")


def _agency_index(
    env: jinja2.Environment, own: Site, a: _Agency, years: dict[int, list[str]], summary: Markup
) -> str:
    """Write the agency's own page: its summary, every document by year, newest first, and its indicators (two
    clicks to all)."""
    agency = a.data
    here = agency.id

    def linked(path: str) -> tuple[Markup, Markup]:
        return heading(own.text(path)), md_link(here, path.removesuffix("index.md"))

    history = f"{budget_history_dir(agency)}/index.md"
    return env.get_template("agency.md.j2").render(
        agency=agency.agency,
        years=[(year, [linked(p) for p in pages]) for year, pages in sorted(years.items(), reverse=True)],
        budget_history=md_link(here, budget_history_dir(agency) + "/") if history in own.files else None,
        indicators=md_link(here, f"{agency.id}/indicators/") if a.catalogue else None,
        indicators_each=[linked(f"{indicator_dir(agency, i.id)}/index.md") for i in a.catalogue],
        opendata=md_link(here, f"{opendata_dir(agency)}/"),
        summary=summary,
    )


def release_date() -> str:
    """Return the build's date (from SOURCE_DATE_EPOCH when set, so builds are reproducible)."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


def _chart_tables(
    charts: list[Chart], memo: Memo | None, cache: ChartCache | None
) -> dict[Chart, tuple[Content, Content]]:
    """Make each chart's numbers as CSV and JSON (stored beside its drawing, or in memory without a chart cache)."""
    kept = memo.chart_data if memo is not None else {}
    made: dict[Chart, tuple[Content, Content]] = {}
    data_code = code_version(("opendata", "formats"), ())  # the table; the chart's own code is in its key
    for chart in charts:
        table = opendata.chart_table(chart)
        if chart not in kept and cache is not None:  # stored beside the drawing, written once
            kept[chart] = cache.table(digest(chart.key(), chart.file, data_code), table.csv, table.json)
        made[chart] = kept.get(chart) or (table.csv(), table.json())
    return made


def _publish_charts(
    site: Site, parts: list[_Part], published: dict[str, tuple[dict[str, Content], int]],
    tables: dict[Chart, tuple[Content, Content]], store: PageStore | None, pending: set[str],
) -> None:
    """Add each agency's charts: SVG for the page, PNG, CSV and JSON for downloads; kept with its pages when a
    store is given, or taken from it. The drawings of the `pending` chart files are still being made."""
    for part in parts:
        found = published.get(part.data.id)
        if found is None:
            files: dict[str, Content] = {}
            for chart in part.charts:
                base = opendata.chart_table(chart).path
                files[chart.file], files[base + ".png"] = site.drawn[chart.file].svg, site.drawn[chart.file].png
                files[base + ".csv"], files[base + ".json"] = tables[chart]
                if chart.file in pending:
                    site.pending[chart.file] = site.pending[base + ".png"] = chart.file
            if store is not None and part.key:
                files = store.put(digest("charts", part.key), files, len(part.charts))
        else:
            files, count = found
            site.stats.cached += count
        for path, content in files.items():
            site.add(path, content)


def _agency_datasets(env: jinja2.Environment, part: _Part, store: PageStore | None) -> _Datasets:
    """Return an agency's datasets and entries (`_datasets`), kept between runs under its key with `store`."""
    def make() -> _Datasets:
        return _datasets(env, part.data, part.full.judged)

    key = digest("datasets", part.key) if part.key else ""
    made: _Datasets = store.made(key, make) if store is not None else make()
    return made


def _publish_data(env: jinja2.Environment, site: Site, portal: Portal, datasets: list[_Datasets], updated: str) -> None:
    """Write every agency's datasets (`_agency_datasets`), the catalogues and the open-data page."""
    rows: list[Markup] = []
    entries: list[tuple[bytes, bytes]] = []
    for files, (agency_rows, agency_entries) in datasets:
        for path, content in files.items():
            site.add(path, content)
        rows.append(agency_rows)
        entries += agency_entries
    title = "施政透明網開放資料"
    publisher = "、".join(a.agency.name for a in portal.agencies)
    created = f"{updated}T00:00:00Z"
    site.add("opendata/datapackage.json", opendata.package_bytes(
        [resource for resource, _ in entries], "transparency-portal", title, created
    ))
    site.add("opendata/catalog.jsonld", opendata.catalogue_bytes(
        [dataset for _, dataset in entries], publisher, title, updated
    ))
    site.add("opendata/index.md", env.get_template("opendata.md.j2").render(
        agencies=rows, count=len(entries), updated=updated, license=opendata.LICENSE
    ))


def _datasets(
    env: jinja2.Environment, agency: AgencyData, judged: dict[tuple[str, int, int], list[Judged]]
) -> _Datasets:
    """Return an agency's dataset files and the page listing them, its row of the open-data page, and each table's
    entries in the Data Package and the DCAT catalogue.

    Each agency's datasets are listed on a page of its own: one page listing every dataset of a national portal
    would be megabytes for a phone, and rendered again whenever any figure changed.
    """
    files: dict[str, Content] = {}
    listed, entries = [], []
    folder = opendata_dir(agency)
    for table in opendata.agency_datasets(agency, judged):
        csv_bytes, json_bytes = table.csv(), table.json()
        files[table.path + ".csv"], files[table.path + ".json"] = csv_bytes, json_bytes
        listed.append({"table": table, "href": Markup(posixpath.relpath(table.path, folder)),
                       "csv_size": len(csv_bytes), "json_size": len(json_bytes)})
        entries.append((opendata.entry_text(opendata.resource(table)), opendata.entry_text(opendata.dataset(table))))
    files[f"{folder}/index.md"] = env.get_template("opendata-agency.md.j2").render(
        agency=agency.agency, count=len(listed), rows=Markup(env.get_template("opendata-rows.md.j2").render(
            datasets=listed)), portal_page=md_link(folder, "opendata/"), license=opendata.LICENSE)
    row = env.get_template("opendata-agency-row.md.j2").render(
        agency=agency.agency, count=len(listed), href=link("opendata", f"{folder}/"))
    return files, (Markup(row), entries)


def _plan_pages(
    env: jinja2.Environment, site: Site, a: _Agency, sourced: Sourced[Plan], years: dict[int, list[str]]
) -> None:
    agency, plan = a.data, sourced.record
    base = plan_dir(agency, plan)
    served = {
        anchor: [
            (indicator, a.series[indicator.id][-1] if a.series[indicator.id] else None,
             md_link(base, f"{indicator_dir(agency, indicator.id)}/"))
            for indicator in found
        ]
        for anchor, found in serving(a.catalogue, plan).items()
    }
    total = budget_total(plan.budget) if plan.budget else None
    goals: dict[int, tuple[Goal, list[tuple[MeasureIndicator, list[Judged], Markup | None]]]] = {}
    for at in goal_measures(plan):
        goals.setdefault(at.positions[0], (at.goal, []))[1].append(
            (at.measure, a.judged[at.key], _tracked(a, base, at.measure.indicator))
        )
    context = {"agency": agency.agency, "plan": plan, "items": plan_items(plan), "served": served, "total": total,
               "goals": list(goals.values()),
               "cite": _cite(env, f"《{plan.source.document}》", f"{base}/budget/"), "root": root_of(f"{base}/budget")}
    pages = {f"{base}/index.md": env.get_template("plan.md.j2").render(**context)}
    if plan.budget is not None:
        chart = site.charts[f"{base}/budget/budget.svg"]
        names = plan.budget.column_names()
        columns: list[str | None] = [None, *names[1:]]
        rows = [(at, [line_amount(at.line, column) for column in columns]) for at in budget_lines(plan.budget)]
        totals = [budget_total(plan.budget, column) for column in columns]
        lines = [at.line for at, _ in rows]
        shown = {  # the table's optional columns, and whether any amount is the portal's sum
            "no": any(line.no for line in lines), "level": any(line.level for line in lines),
            "program": any(line.program for line in lines),
            "computed": any(amount.computed for _, amounts in rows for amount in [*amounts, *totals]),
        }
        pages[f"{base}/budget/index.md"] = env.get_template("budget.md.j2").render(
            **context, chart=chart, chart_src=_relative(chart, f"{base}/budget"), columns=names, rows=rows,
            totals=totals, shown=shown, no_trace=lambda figure: [],
            row_id=_row_ids(f for at in budget_lines(plan.budget) for f in at.figures()),
        )
    for path, text in pages.items():
        site.add(path, text)
        years.setdefault(plan.year, []).append(path)


def _tracked(a: _Agency, page_dir: str, indicator_id: str | None) -> Markup | None:
    """Link to the page of the indicator whose figures give a measurement indicator's actual values."""
    if indicator_id is None or indicator_id not in a.series:
        return None
    return md_link(page_dir, f"{indicator_dir(a.data, indicator_id)}/")


def _report_page(
    env: jinja2.Environment, site: Site, a: _Agency, sourced: Sourced[Report], years: dict[int, list[str]]
) -> None:
    agency, report = a.data, sourced.record
    base = report_dir(agency, report)
    top = a.top[report.slug]
    described = a.report_charts[report.slug]
    # A figure's charts, by its paragraph's anchor and its place among that paragraph's figures.
    by_place = {(at.anchor, at.loc[-1]): described[at.number] for at in top}
    by_id = {i.id: i for i in a.catalogue}

    targets: dict[str, list[Judged]] = {}  # this year's targets, judged only by a full-year report
    for found in a.judged.values():
        for j in found:
            if j.measure.indicator and j.target.year == report.span.year and report.span.named == "全年":
                targets.setdefault(j.measure.indicator, []).append(j)

    def trace(figure: Figure) -> list[tuple[str, Markup]]:
        """Link a figure to its indicator page and to the plan item it serves, in the nearest plan year."""
        if figure.indicator is None:
            return []
        indicator = by_id[figure.indicator]
        out = [(f"指標：{indicator.name}", link(base, f"{indicator_dir(agency, indicator.id)}/"))]
        nearest = nearest_plan_link(a.plan_links(indicator.serves), report.span.year)
        if nearest:
            out.append((f"{nearest[0].year} 年度計畫：{' > '.join(indicator.serves)}", link(base, nearest[1])))
        for j in targets.get(indicator.id, []):
            verdict = "" if j.met is None else "，達成" if j.met else "，未達成"
            goals = link(base, f"{plan_dir(agency, j.plan)}/#goals")
            out.append((f"{j.plan.name}目標 {j.target.quote}{verdict}", goals))
        return out

    path = f"{base}/index.md"
    site.add(path, env.get_template("report.md.j2").render(
        agency=agency.agency,
        report=report,
        name=report.name,
        through=data_through(report),
        figures=top,
        tables=[
            {"table": table, "where": table_where(table), "charts": [(c, _relative(c, base)) for c in described[-t]]}
            for t, table in enumerate(report.tables, 1)
        ],
        charts_for=lambda anchor, place: [(chart, _relative(chart, base)) for chart in by_place[(anchor, place)]],
        trace=trace,
        row_id=_row_ids(with_parts(top)),
        cite=_cite(env, f"《{report.source.document}》", f"{base}/"),
        root=root_of(base),
    ))
    years.setdefault(report.span.year, []).append(path)


def _trend_pages(env: jinja2.Environment, site: Site, a: _Agency) -> list[NavEntry]:
    """Write the agency's indicator pages and budget comparison; return their navigation entries."""
    agency, nav = a.data, []
    if a.catalogue:
        index = indicators_index(agency)
        rows, pages = [], []
        for indicator in a.catalogue:
            base = indicator_dir(agency, indicator.id)
            points = a.series[indicator.id]
            chart = site.charts.get(f"{base}/series.svg")
            path = f"{base}/index.md"
            site.add(path, env.get_template("indicator.md.j2").render(
                agency=agency.agency, indicator=indicator, points=points,
                points_linked=[(p, link(base, p.href)) for p in points],
                through=points[-1].span.through if points else None,
                plan_links=[(plan, md_link(base, href)) for plan, href in a.plan_links(indicator.serves)],
                chart=chart, chart_src=_relative(chart, base) if chart else None,
                cite=_cite(env, chart.document if chart else "", f"{base}/"), root=root_of(base),
                targets=[(j, md_link(base, f"{plan_dir(agency, j.plan)}/#goals")) for found in a.judged.values()
                         for j in found if j.measure.indicator == indicator.id],
            ))
            pages.append(path)
            rows.append({"indicator": indicator, "latest": points[-1] if points else None,
                         "href": link(f"{agency.id}/indicators", f"{base}/")})
        newest = max((ps[-1].span for ps in a.series.values() if ps), default=None)
        site.add(index, env.get_template("indicators.md.j2").render(
            agency=agency.agency, rows=rows, through=newest.through if newest else None
        ))
        nav.append(NavEntry("指標", children=[NavEntry(None, index), *(NavEntry(None, p) for p in pages)]))
    if a.budget_history:
        history, plans = a.budget_history, a.budget_history.plans
        base = budget_history_dir(agency)
        path = f"{base}/index.md"
        site.add(path, env.get_template("budget-history.md.j2").render(
            agency=agency.agency, plans=plans, rows=history.rows, unit=history.unit,
            charts=[(chart, _relative(chart, base)) for chart in a.budget_charts],
            plan_pages=[(plan, md_link(base, f"{plan_dir(agency, plan)}/budget/")) for plan in plans],
            cite=_cite(env, "、".join(f"《{plan.source.document}》" for plan in plans), f"{base}/"),
            root=root_of(base),
        ))
        nav.append(NavEntry(None, path))
    return nav
