"""Reconcile a plan: its budget table with its lines and columns, its goals and targets, its plan items."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .checks import Context, check_corrections, check_drawable, check_figure, check_unit
from .errors import Problem
from .formats import number, numbers_in
from .load import Document, Loc
from .model import Budget, Plan
from .scan import MAX_CHART_ITEMS
from .walk import LineAt, MeasureAt, budget_lines, goal_measures, line_amount, plan_items


def reconcile_plan(plan: Plan, path: Path, doc: Document, context: Context) -> Iterator[Problem]:
    if path.stem != plan.slug and (plan.to_year is None or plan.to_year > plan.year):
        yield doc.problem(("year",), f"年度 {plan.slug} 與檔名 {path.name} 不符；檔名應為 {plan.slug}.yml")
    if plan.to_year is not None and plan.to_year <= plan.year:
        yield doc.problem(
            ("to_year",), f"最後一年 {plan.to_year} 必須在第一年 {plan.year} 之後；單一年度的計畫請刪去 to_year"
        )
    if plan.priorities is None and plan.budget is None and plan.items is None and plan.goals is None:
        yield doc.problem(
            (),
            "施政計畫至少要有 priorities（施政重點）、budget（預算表）、items（計畫項目）"
            "或 goals（策略績效目標）其中之一",
        )
    if plan.goals is not None:
        yield from _reconcile_goals(plan, doc, context)
    if plan.budget is not None:
        yield from check_drawable(plan.source.document, ("source", "document"), doc)  # the budget chart's credit
        yield from _reconcile_budget(plan.budget, doc, context)
    seen: set[tuple[tuple[str, ...], str]] = set()
    for at in plan_items(plan):
        if (at.path[:-1], at.item.no) in seen:
            yield doc.problem((*at.loc, "no"), f"同一層的項次「{at.item.no}」重複 (duplicate number)")
        seen.add((at.path[:-1], at.item.no))
    top: dict[str, int | None] = {}
    for line in plan.budget.lines if plan.budget else []:
        if line.no is not None:
            top.setdefault(line.no, line_amount(line).value)  # a duplicate number is reported with the budget
    unit = plan.budget.unit if plan.budget else ""
    for i, item in enumerate(plan.item_entries):
        if item.budget is None:
            continue
        loc: Loc = ("items", "entries", i, "budget")
        if plan.budget is None:
            yield doc.problem(loc, "這份計畫沒有 budget（預算表），無法對照此計畫的預算；請刪去 budget 或加上預算表")
        elif item.no not in top:
            yield doc.problem(loc, f"預算表中沒有項次「{item.no}」，無法對照此計畫的預算")
        elif top[item.no] is not None and top[item.no] != item.budget:  # a missing amount is reported already
            yield doc.problem(
                loc,
                f"計畫預算 {number(item.budget)} {unit}與預算表項次「{item.no}」的 "
                f"{number(top[item.no] or 0)} {unit}不符 (does not match the budget table)",
            )


def _reconcile_goals(plan: Plan, doc: Document, context: Context) -> Iterator[Problem]:
    """Check goals and measurement indicators: weights within their goal, targets in the plan's years, milestones."""
    assert plan.goals is not None
    goals_weight = sum((goal.weight for goal in plan.goals.entries if goal.weight is not None), start=0)
    if goals_weight > 100:
        yield doc.problem(("goals", "entries"), f"各目標的權重加總為 {goals_weight}%，超過 100%")
    for g, goal in enumerate(plan.goals.entries):
        weights = sum((i.weight for i in goal.indicators if i.weight is not None), start=0)
        if goal.weight is not None and weights > goal.weight:
            yield doc.problem(
                ("goals", "entries", g, "weight"),
                f"衡量指標的權重加總為 {weights}%，超過這個目標的權重 {goal.weight}%；"
                "請核對來源文件 (weights exceed the goal)",
            )
    for at in goal_measures(plan):
        yield from _check_measure(at, doc, context)


def _check_measure(at: MeasureAt, doc: Document, context: Context) -> Iterator[Problem]:
    """Check one measurement indicator: its targets, its milestones against its standard, its tracked indicator."""
    measure, plan = at.measure, at.plan
    years: set[int] = set()
    for t, target in enumerate(measure.targets):
        here: Loc = (*at.loc, "targets", t)
        if target.year not in plan.years:
            yield doc.problem(
                (*here, "year"), f"目標年度 {target.year} 不在計畫的年度（{plan.name}）之內 (target outside the plan)"
            )
        if target.year in years:
            yield doc.problem((*here, "year"), f"{target.year} 年度的目標值重複；每個年度只能有一個目標值")
        years.add(target.year)
        yield from check_unit(target.unit, (*here, "unit"), doc, context.agency)
        if abs(target.value) not in numbers_in(target.quote):
            yield doc.problem(
                (*here, "value"), f"目標值 {target.value} 沒有出現在「{target.quote}」中 (value not in its quote)"
            )
    if measure.milestones and measure.standard is None:
        yield doc.problem((*at.loc, "milestones"), "有 milestones 時必須有 standard，里程碑的原文要出現在衡量標準中")
    for milestone in at.milestones():
        if measure.standard is not None:
            yield from check_figure(milestone, measure.standard, doc, context)
    if measure.indicator is not None and context.catalogue is not None:
        tracked = context.catalogue.get(measure.indicator)
        if tracked is None:
            known = "、".join(context.catalogue) or "（尚無 indicators.yml）"
            yield doc.problem(
                (*at.loc, "indicator"),
                f"找不到指標「{measure.indicator}」；indicators.yml 中的指標有：{known} (unknown indicator)",
            )
        elif any(context.agency.measure(t.unit) != context.agency.measure(tracked.unit) for t in measure.targets):
            yield doc.problem(
                (*at.loc, "indicator"),
                f"指標「{tracked.id}」的單位是「{tracked.unit}」，與目標值的單位不同，無法比較目標與實際",
            )


def _reconcile_budget(budget: Budget, doc: Document, context: Context) -> Iterator[Problem]:
    """Check a budget table: columns, each line's amounts against its sub-lines, and the declared totals."""
    names = budget.column_names()
    change = {column.name: column.change for column in budget.columns}
    if len(set(names)) != len(names):
        yield doc.problem(("budget", "columns"), "欄名重複：每一欄的 name 都要不同 (duplicate column)")
    for name in budget.totals:
        if name not in names[1:]:
            yield doc.problem(("budget", "totals", name), _unknown_column(name, names))
    columns: list[str | None] = [None, *names[1:]]
    for column in columns:
        total = budget.total if column is None else budget.totals.get(column)
        if total is None:
            continue
        summed = [line_amount(line, column).value for line in budget.lines]
        if None not in summed and sum(s or 0 for s in summed) != total:
            where: Loc = ("budget", "total") if column is None else ("budget", "totals", column)
            diff = sum(s or 0 for s in summed) - total
            yield doc.problem(
                where,
                f"各列金額加總為 {number(sum(s or 0 for s in summed))} {budget.unit}，與合計 {number(total)} "
                f"{budget.unit}不符（相差 {diff:+,} {budget.unit}）(budget lines do not add up to the total)",
            )
    if len(budget.lines) > MAX_CHART_ITEMS:
        yield doc.problem(("budget", "lines"), _too_many(len(budget.lines), "最上層的預算列"))
    seen: set[tuple[tuple[int, ...], str]] = set()
    for at in budget_lines(budget):
        yield from _check_line(at, budget, names, change, doc, context)
        if at.line.no is not None:
            if (at.positions[:-1], at.line.no) in seen:
                yield doc.problem((*at.loc, "no"), f"項次「{at.line.no}」重複 (duplicate number)")
            seen.add((at.positions[:-1], at.line.no))


def _too_many(count: int, what: str) -> str:
    return f"{what}有 {count} 項，超過一張圖表的上限 {MAX_CHART_ITEMS} 項；請確認來源文件，或拆成幾層 (limit)"


def _unknown_column(column: str, names: list[str]) -> str:
    others = "、".join(f"「{n}」" for n in names[1:]) or "（沒有；只有一欄時請寫在 amount）"
    return f"沒有名為「{column}」的金額欄；請先在 budget.columns 寫出欄名。可用的欄有：{others} (unknown column)"


def _check_line(
    at: LineAt, budget: Budget, names: list[str], change: dict[str, bool], doc: Document, context: Context
) -> Iterator[Problem]:
    """Check one budget line: its amounts, their sum over its sub-lines, its note's figures and chart text."""
    line = at.line
    if line.amount is None and not line.lines:
        yield doc.problem((*at.loc, "amount"), "缺少金額：沒有下一層的預算列必須寫 amount (amount missing)")
    for name in line.amounts:
        if name not in names[1:]:
            yield doc.problem((*at.loc, "amounts", name), _unknown_column(name, names))
    for name, value in [(names[0], line.amount), *line.amounts.items()]:
        if value is not None and value < 0 and not change.get(name, False):
            where: Loc = (*at.loc, "amount") if name == names[0] else (*at.loc, "amounts", name)
            yield doc.problem(
                where, f"金額不可為負數，讀到的是 {number(value)}；只有增減欄（columns 中 change: true）可以是負數"
            )
    if line.lines:
        columns: list[str | None] = [None, *line.amounts]
        for column in columns:
            own = line.amount if column is None else line.amounts.get(column)
            parts = [line_amount(sub, column).value for sub in line.lines]
            if own is not None and None not in parts and sum(p or 0 for p in parts) != own:
                total = sum(p or 0 for p in parts)
                where = (*at.loc, "amount") if column is None else (*at.loc, "amounts", column)
                yield doc.problem(
                    where,
                    f"下一層各列加總為 {number(total)} {budget.unit}，與本列的 {number(own)} {budget.unit}不符"
                    f"（相差 {total - own:+,} {budget.unit}）(sub-lines do not add up)",
                )
    if line.amount is not None:
        yield from check_corrections(line.corrections, line.amount, at.loc, doc)
    if at.depth == 0:  # the chart shows the top-level lines
        if line.no:
            yield from check_drawable(line.no, (*at.loc, "no"), doc)
        yield from check_drawable(line.name, (*at.loc, "name"), doc)
    if line.figures and line.note is None:
        yield doc.problem((*at.loc, "figures"), "有 figures 時必須有 note，數字的原文要出現在備考中")
    for figure_at in at.figures():
        if line.note is not None:
            yield from check_figure(figure_at, line.note, doc, context)
