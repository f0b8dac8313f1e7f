"""Follow figures across periods: indicator series, budgets across years, plan-to-result links, corrections."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .formats import percent
from .model import AgencyData, Budget, Correction, Goal, Indicator, MeasureIndicator, Plan, Report, Target
from .paths import plan_dir, report_dir
from .periods import Span
from .walk import Amount, FigureAt, all_figures, budget_lines, budget_total, find_item, goal_measures, line_amount

# Every figure of each report of one agency (breakdown parts included), keyed by the report's slug.
Figures = dict[str, list[FigureAt]]


def agency_figures(agency: AgencyData) -> Figures:
    """Walk every report of an agency once, for all the trends that follow its figures."""
    return {s.record.slug: all_figures(s.record) for s in agency.reports}


def data_through(report: Report) -> str:
    """Return the last day a report's figures cover, e.g. 110 年 12 月 31 日."""
    return report.span.through


@dataclass(frozen=True)
class Change:
    """The change between two values of the same indicator: difference and percentage."""

    base: Report | Plan
    diff: int | Decimal
    pct: Decimal | None

    def text(self) -> str:
        """Spell the change: +3（+3.16%）, or +3 when the base is 0."""
        diff = f"{self.diff:+,}"
        return diff if self.pct is None else f"{diff}（{self.pct:+}%）"


def change(value: int | Decimal, base_value: int | Decimal, base: Report | Plan) -> Change:
    """Compare `value` with `base_value` from report `base` (percent to two decimals, half up)."""
    return Change(base, value - base_value, percent(value - base_value, base_value))


@dataclass(frozen=True)
class Point:
    """One report's value of an indicator, where it is, and how it changed."""

    agency: AgencyData
    report: Report
    located: FigureAt
    span: Span
    since_previous: Change | None
    since_last_year: Change | None

    @property
    def value(self) -> int | Decimal:
        """Return the figure's value."""
        return self.located.figure.value

    @property
    def href(self) -> str:
        """Return the site path of the figure's place in its report."""
        return f"{report_dir(self.agency, self.report)}/#{self.located.row_id}"


def series(agency: AgencyData, indicator: Indicator, figures: Figures) -> list[Point]:
    """Return an indicator's value in every report that has it, oldest first, with changes.

    A figure the report quotes from another period, for comparison, is not the report's own value.
    The previous value is the one of the same length just before (111 上半年 → 110 下半年, a quarter →
    the quarter before); the one a year earlier is compared for periods shorter than a year.
    """
    found: dict[tuple[tuple[int, int], int], tuple[Report, FigureAt, Span]] = {}
    for sourced in agency.reports:
        report = sourced.record
        for item in figures[report.slug]:
            if item.figure.indicator != indicator.id or (item.figure.period is not None and not item.cell):
                continue
            span = (item.figure.period.span() if item.figure.period else None) or report.span
            found[span.key] = (report, item, span)
    points = []
    for report, item, span in sorted(found.values(), key=lambda found_in: found_in[2]):
        before = None if span.cumulative else found.get(span.before(span.months))
        last_year = found.get(span.before(12)) if span.months < 12 and not span.cumulative else None
        value = item.figure.value
        points.append(Point(
            agency, report, item, span,
            change(value, before[1].figure.value, before[0]) if before else None,
            change(value, last_year[1].figure.value, last_year[0]) if last_year else None,
        ))
    return points


def item_anchor(plan: Plan, names: list[str]) -> str | None:
    """Return the anchor of the plan item reached by following `names`, e.g. item-3-1."""
    found = find_item(plan, names)
    return found.anchor if found else None


def plan_links(agency: AgencyData, names: list[str]) -> list[tuple[Plan, str]]:
    """Return (plan, site path with anchor) for every plan of the agency that has the item."""
    out = []
    for sourced in agency.plans:
        anchor = item_anchor(sourced.record, names)
        if anchor:
            out.append((sourced.record, f"{plan_dir(agency, sourced.record)}/#{anchor}"))
    return out


def nearest_plan_link(links: list[tuple[Plan, str]], year: int) -> tuple[Plan, str] | None:
    """Pick, from `plan_links`, the plan closest to `year` (the same year first)."""
    if not links:
        return None
    return min(links, key=lambda link: (abs(link[0].year - year), -link[0].year))


def serving(catalogue: list[Indicator], plan: Plan) -> dict[str, list[Indicator]]:
    """Map each plan item anchor to the indicators that serve it."""
    out: dict[str, list[Indicator]] = {}
    for indicator in catalogue:
        anchor = item_anchor(plan, indicator.serves)
        if anchor:
            out.setdefault(anchor, []).append(indicator)
    return out


@dataclass(frozen=True)
class BudgetRow:
    """One top-level budget line across plan years, matched by name: each year's amount and its change."""

    name: str
    amounts: tuple[int | None, ...]
    computed: tuple[bool, ...]
    changes: tuple[Change | None, ...]


@dataclass(frozen=True)
class BudgetHistory:
    """The agency's budgets in one money unit, compared line by line across plan years."""

    plans: list[Plan]
    unit: str
    rows: list[BudgetRow]


def budget_history(agency: AgencyData) -> BudgetHistory | None:
    """Compare each top-level budget line across the plans whose budgets share the latest one's unit."""
    budgets = [(s.record, s.record.budget) for s in agency.plans if s.record.budget]
    if not budgets:
        return None
    unit = budgets[-1][1].unit
    same = [(plan, budget) for plan, budget in budgets if budget.unit == unit]
    if len(same) < 2:
        return None
    names: list[str] = []
    for _, budget in same:
        names += [line.name for line in budget.lines if line.name not in names]
    rows = []
    for name in [*names, "合計"]:
        found = [_amount(budget, name) for _, budget in same]
        amounts = tuple(amount.value for amount in found)
        changes: list[Change | None] = [None]
        for i in range(1, len(same)):
            now, before = amounts[i], amounts[i - 1]
            changes.append(change(now, before, same[i - 1][0]) if now is not None and before is not None else None)
        rows.append(BudgetRow(name, amounts, tuple(amount.computed for amount in found), tuple(changes)))
    return BudgetHistory([plan for plan, _ in same], unit, rows)


def _amount(budget: Budget, name: str) -> Amount:
    if name == "合計":
        return budget_total(budget)
    found = [line_amount(line) for line in budget.lines if line.name == name]
    if not found or None in (a.value for a in found):
        return Amount(None)
    return Amount(sum(a.value or 0 for a in found), any(a.computed for a in found))


@dataclass(frozen=True)
class Corrected:
    """One correction with what it corrected and where that is on the site."""

    correction: Correction
    after: int | Decimal
    unit: str
    what: str
    document: str
    href: str


def _with_after(corrections: list[Correction], current: int | Decimal) -> list[tuple[Correction, int | Decimal]]:
    """Pair each correction with the value it led to: the next correction's previous value, or the current one."""
    afters = [c.previous for c in corrections[1:]] + [current]
    return list(zip(corrections, afters, strict=False))


def corrections(agencies: list[tuple[AgencyData, Figures]]) -> list[Corrected]:
    """List every correction in the data, newest first."""
    out = []
    for agency, figures in agencies:
        for sourced in agency.plans:
            plan = sourced.record
            for at in budget_lines(plan.budget) if plan.budget else []:
                if at.line.amount is None:
                    continue
                for c, after in _with_after(at.line.corrections, at.line.amount):
                    out.append(Corrected(
                        c, after, plan.budget.unit if plan.budget else "", f"{plan.year} 年度預算 {at.label}",
                        plan.source.document, f"{plan_dir(agency, plan)}/budget/#{at.anchor}",
                    ))
        for sourced_report in agency.reports:
            report = sourced_report.record
            for item in figures[report.slug]:
                for c, after in _with_after(item.figure.corrections, item.figure.value):
                    what = f"{report.name} {item.where} {item.figure.label}"
                    out.append(Corrected(
                        c, after, item.figure.unit, what,
                        report.source.document, f"{report_dir(agency, report)}/#{item.row_id}",
                    ))
    return newest_first(out)


def newest_first(found: Iterable[Corrected]) -> list[Corrected]:
    """Order corrections newest first; those of the same day keep their order (agencies, then documents)."""
    return sorted(found, key=lambda c: c.correction.date, reverse=True)


@dataclass(frozen=True)
class Judged:
    """A target of a measurement indicator, with the actual value a full-year report gives for its year, if any."""

    plan: Plan
    goal: Goal
    measure: MeasureIndicator
    target: Target
    actual: Point | None

    @property
    def met(self) -> bool | None:
        """Tell whether the target was met; None when there is no actual value to judge by."""
        if self.actual is None:
            return None
        if self.measure.better == "越低越好":
            return self.actual.value <= self.target.value
        return self.actual.value >= self.target.value


def judged(agency: AgencyData, series_by_id: dict[str, list[Point]]) -> dict[tuple[str, int, int], list[Judged]]:
    """Pair every target with the actual value of its year, keyed by plan slug, goal and indicator position.

    Only a full-year (全年) report can show whether a yearly target was met; nothing is judged without one,
    and nothing is judged where the document gives no target.
    """
    out: dict[tuple[str, int, int], list[Judged]] = {}
    for sourced in agency.plans:
        for at in goal_measures(sourced.record):
            points = series_by_id.get(at.measure.indicator, []) if at.measure.indicator else []
            full_year = {p.span.year: p for p in points if p.span.named == "全年"}
            out[at.key] = [
                Judged(at.plan, at.goal, at.measure, target, full_year.get(target.year))
                for target in at.measure.targets
            ]
    return out
