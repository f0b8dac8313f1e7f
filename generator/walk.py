"""Walk a record's figures and plan items once, the same way for every stage that needs them."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from .load import Loc
from .model import Figure, Plan, PlanItem, Report


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


def all_figures(report: Report) -> list[FigureAt]:
    """List every figure of a report, each breakdown part right after the figure it belongs to."""
    out: list[FigureAt] = []

    def walk(at: FigureAt) -> None:
        out.append(at)
        for part in at.parts():
            walk(part)

    for at in report_figures(report):
        walk(at)
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

    walk(plan.items.entries, ("items", "entries"), (), ())
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

    return search(plan.items.entries, names, None) if names else None
