"""Walk a record's figures and plan items once, the same way for every stage that needs them."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from markupsafe import Markup

from .load import Loc
from .model import Budget, BudgetLine, Figure, Goal, MeasureIndicator, Plan, PlanItem, Report, StatTable


@dataclass(frozen=True)
class FigureAt:
    """A report figure with where it stands: in the record, on the page, and in the figure it is part of."""

    loc: Loc
    anchor: Markup
    where: str
    text: str | None
    figure: Figure
    number: int
    names: tuple[str, ...]
    by: str | None = None
    parent: Figure | None = None
    cell: bool = False

    @property
    def row_id(self) -> Markup:
        """Return the anchor of the table row showing this figure: fig-3, fig-3-1-2 (part 2 of breakdown 1),
        table-1-2 (row 2 of table 1), line-2-fig-1 (a budget line's note)."""
        if self.cell:  # ("tables", t, "rows", r, "values", c)
            return Markup(f"table-{int(self.loc[1]) + 1}-{int(self.loc[3]) + 1}")
        last = max(n for n, key in enumerate(self.loc) if key == "figures")
        tail = "".join(f"-{n + 1}" for n in self.loc[last + 2:] if isinstance(n, int))
        prefix = "" if self.loc[0] == "chapters" else f"{self.anchor}-"
        return Markup(f"{prefix}fig-{self.number}{tail}")

    def parts(self) -> Iterator[FigureAt]:
        """Yield the parts of every breakdown of this figure, each located with it."""
        for b, breakdown in enumerate(self.figure.breakdowns):
            for p, part in enumerate(breakdown.parts):
                yield FigureAt(
                    (*self.loc, "breakdowns", b, "parts", p), self.anchor, self.where, self.text, part, self.number,
                    (*self.names, f"{breakdown.by}：{part.label}"), breakdown.by, self.figure,
                )


def report_figures(report: Report) -> list[FigureAt]:
    """List every top-level figure of a report in reading order, numbered from 1, with its anchor and section."""
    found: list[FigureAt] = []
    for c, chapter in enumerate(report.chapters):
        for s, section in enumerate(chapter.sections):
            where = f"{chapter.no}、{section.no}"
            base: Loc = ("chapters", c, "sections", s)
            anchor = Markup(f"ch{c + 1}-s{s + 1}")
            for f, figure in enumerate(section.figures):
                found.append(FigureAt(
                    (*base, "figures", f), anchor, where, section.text, figure, len(found) + 1, (figure.label,)
                ))
            for i, item in enumerate(section.items):
                label = f"{where}{item.no}." if item.no else where
                for f, figure in enumerate(item.figures):
                    found.append(FigureAt(
                        (*base, "items", i, "figures", f), Markup(f"{anchor}-i{i + 1}"), label, item.text, figure,
                        len(found) + 1, (figure.label,),
                    ))
    return found


def with_parts(figures: Iterable[FigureAt]) -> list[FigureAt]:
    """List figures, each followed by the parts of its breakdowns (and theirs), depth first."""
    out: list[FigureAt] = []

    def walk(at: FigureAt) -> None:
        out.append(at)
        for part in at.parts():
            walk(part)

    for at in figures:
        walk(at)
    return out


def all_figures(report: Report) -> list[FigureAt]:
    """List every figure of a report, each breakdown part right after the figure it belongs to, then table cells."""
    return [*with_parts(report_figures(report)), *table_cells(report)]


def table_where(table: StatTable) -> str:
    """Name a statistics table as the document does: 表3 歷年案件統計（第 12 頁）."""
    name = f"{table.no} {table.title}" if table.no else table.title
    return f"{name}（第 {table.page} 頁）" if table.page else name


def table_cells(report: Report) -> list[FigureAt]:
    """List every filled cell of a report's statistics tables as a figure, row by row.

    A cell's unit is its row's, else its column's, else the table's; its period is its column's, else the
    table's, else the report's. Its `quote` is the row and column labels, the table's own words for it.
    """
    out: list[FigureAt] = []
    for t, table in enumerate(report.tables):
        for r, row in enumerate(table.rows):
            for c, (column, value) in enumerate(zip(table.columns, row.values, strict=False)):
                if value is None or value == "－":
                    continue
                figure = Figure.model_construct(
                    label=f"{row.label}（{column.label}）", value=value,
                    unit=row.unit or column.unit or table.unit or "", quote=f"{row.label}｜{column.label}",
                    change=row.change, period=column.period or table.period, indicator=row.indicator,
                    breakdowns=[], corrections=[],
                )
                out.append(FigureAt(("tables", t, "rows", r, "values", c), Markup(f"table-{t + 1}"),
                                    table_where(table), None, figure, 0, (row.label, column.label), cell=True))
    return out


@dataclass(frozen=True)
class ItemAt:
    """A plan item with where it stands: in the record, its numbers from the top, and its positions per level."""

    loc: Loc
    path: tuple[str, ...]
    positions: tuple[int, ...]
    item: PlanItem

    @property
    def depth(self) -> int:
        """Return the level, 0 for a top-level item."""
        return len(self.positions) - 1

    @property
    def anchor(self) -> Markup:
        """Return the item's anchor on its plan page, e.g. item-3-1."""
        return Markup("item-" + "-".join(map(str, self.positions)))


def plan_items(plan: Plan) -> list[ItemAt]:
    """List every plan item depth first, each followed by its children."""
    out: list[ItemAt] = []

    def walk(items: list[PlanItem], loc: Loc, path: tuple[str, ...], positions: tuple[int, ...]) -> None:
        for i, item in enumerate(items):
            here = ItemAt((*loc, i), (*path, item.no), (*positions, i + 1), item)
            out.append(here)
            walk(item.children, (*here.loc, "children"), here.path, here.positions)

    walk(plan.item_entries, ("items", "entries"), (), ())
    return out


def find_item(plan: Plan, names: list[str]) -> ItemAt | None:
    """Return the plan item reached by following `names` from the top level, matching by name."""

    def search(items: list[PlanItem], rest: list[str], parent: ItemAt | None) -> ItemAt | None:
        loc: Loc = (*parent.loc, "children") if parent else ("items", "entries")
        path, positions = (parent.path, parent.positions) if parent else ((), ())
        for i, item in enumerate(items):
            if item.name != rest[0]:
                continue
            here = ItemAt((*loc, i), (*path, item.no), (*positions, i + 1), item)
            found = here if len(rest) == 1 else search(item.children, rest[1:], here)
            if found is not None:
                return found
        return None

    return search(plan.item_entries, names, None) if names else None


@dataclass(frozen=True)
class Amount:
    """An amount of a budget table: the document's, or the portal's sum of sub-lines (`computed`), or none."""

    value: int | None
    computed: bool = False


def line_amount(line: BudgetLine, column: str | None = None) -> Amount:
    """Return a line's amount in the first column (or the named one), summing sub-lines when the document gives none."""
    own = line.amount if column is None else line.amounts.get(column)
    if own is not None or not line.lines:
        return Amount(own)
    parts = [line_amount(sub, column).value for sub in line.lines]
    return Amount(sum(p for p in parts if p is not None), True) if None not in parts else Amount(None)


def budget_total(budget: Budget, column: str | None = None) -> Amount:
    """Return the table's total: the declared one, else the portal's sum of the top-level lines."""
    declared = budget.total if column is None else budget.totals.get(column)
    if declared is not None:
        return Amount(declared)
    parts = [line_amount(line, column).value for line in budget.lines]
    return Amount(sum(p for p in parts if p is not None), True) if None not in parts else Amount(None)


def line_kind(budget: Budget) -> str:
    """Name what the top-level lines are: the level the document gives them all (目, 款 …), else 類."""
    levels = {line.level for line in budget.lines if line.level}
    return levels.pop() if len(levels) == 1 else "類"


@dataclass(frozen=True)
class LineAt:
    """A budget line with where it stands: in the record, its positions per level, and its label."""

    loc: Loc
    positions: tuple[int, ...]
    line: BudgetLine
    parent: BudgetLine | None

    @property
    def depth(self) -> int:
        """Return the level, 0 for a top-level line."""
        return len(self.positions) - 1

    @property
    def anchor(self) -> Markup:
        """Return the line's anchor on its budget page, e.g. line-5-2."""
        return Markup("line-" + "-".join(map(str, self.positions)))

    @property
    def label(self) -> str:
        """Name the line as the table does: 壹、一般行政, or 2.5.1.1-120101 行政管理 for a numeric code."""
        line = self.line
        if not line.no:
            return line.name
        return f"{line.no} {line.name}" if line.no[0].isascii() else f"{line.no}、{line.name}"

    def figures(self) -> list[FigureAt]:
        """Locate the figures of the line's note, breakdown parts after their figure."""
        return with_parts(
            FigureAt((*self.loc, "figures", f), self.anchor, self.label, self.line.note, figure, f + 1, (figure.label,))
            for f, figure in enumerate(self.line.figures)
        )


def budget_lines(budget: Budget) -> list[LineAt]:
    """List every line of a budget table depth first, each followed by its sub-lines."""
    out: list[LineAt] = []

    def walk(lines: list[BudgetLine], loc: Loc, positions: tuple[int, ...], parent: BudgetLine | None) -> None:
        for i, line in enumerate(lines):
            here = LineAt((*loc, i), (*positions, i + 1), line, parent)
            out.append(here)
            walk(line.lines, (*here.loc, "lines"), here.positions, line)

    walk(budget.lines, ("budget", "lines"), (), None)
    return out


@dataclass(frozen=True)
class MeasureAt:
    """A measurement indicator with its goal and where it stands in the plan; `key` names it across stages."""

    loc: Loc
    plan: Plan
    goal: Goal
    measure: MeasureIndicator
    positions: tuple[int, int]

    @property
    def key(self) -> tuple[str, int, int]:
        """Return (plan slug, goal position, indicator position): the measure's own key, from 0."""
        return self.plan.slug, *self.positions

    def milestones(self) -> list[FigureAt]:
        """Locate the milestones of the measure's standard as figures quoted from it."""
        return [
            FigureAt((*self.loc, "milestones", m), Markup(f"goal-{self.positions[0] + 1}"), self.measure.name,
                     self.measure.standard, milestone, m + 1, (milestone.label,))
            for m, milestone in enumerate(self.measure.milestones)
        ]


def goal_measures(plan: Plan) -> list[MeasureAt]:
    """List every measurement indicator of a plan's goals, goal by goal, in the document's order."""
    return [
        MeasureAt(("goals", "entries", g, "indicators", i), plan, goal, measure, (g, i))
        for g, goal in enumerate(plan.goals.entries if plan.goals else [])
        for i, measure in enumerate(goal.indicators)
    ]
