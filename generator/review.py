"""List every number a change touches, for reviewers: budget lines, totals, plan budgets and report figures."""
from __future__ import annotations

import io
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .assemble import load_portal, load_what_passes
from .errors import DataError, Problem, UsageError
from .formats import value_label
from .load import Document, Loc, format_loc, load_file
from .model import Correction, Plan, Portal, Report
from .walk import FigureAt, all_figures, budget_lines, goal_measures, plan_items


@dataclass(frozen=True)
class Number:
    """One published number, named the way a reviewer reads it, with where it is and its corrections.

    `corrections` is None for a number whose record has no place for corrections (a total, a target, a cell).
    """

    label: str
    value: int | Decimal
    unit: str
    file: str = ""
    loc: Loc = ()
    corrections: tuple[Correction, ...] | None = None

    def correction_of(self, previous: int | Decimal) -> Correction | None:
        """Return the correction that records `previous` as this number's earlier value, if there is one."""
        return next((c for c in self.corrections or () if c.previous == previous), None)


def numbers(portal: Portal) -> dict[tuple[Any, ...], Number]:
    """Flatten every budget line, total, plan budget and report figure into comparable entries."""
    out: dict[tuple[Any, ...], Number] = {}
    for agency in portal.agencies:
        for sourced in agency.plans:
            plan = sourced.record
            out.update(_budget_numbers(agency.id, plan, sourced.path))
            out.update(_goal_numbers(agency.id, plan, sourced.path))
            for item in plan_items(plan):
                if item.item.budget is not None:
                    label = f"{plan.year}年度 計畫 {'/'.join(item.path)} {item.item.name} 預算"
                    unit = plan.budget.unit if plan.budget else ""
                    out[(agency.id, plan.year, "item", item.path)] = Number(label, item.item.budget, unit, sourced.path)
        for sourced_report in agency.reports:
            report = sourced_report.record
            for at in all_figures(report):
                key = (agency.id, report.slug, at.where, at.names)
                place = _place(report, at)
                joint = " " if place.endswith(".") else " > "  # an item known only by its number: 1. 說明會
                label = f"{report.name.replace(' ', '')} {place}{joint}{' > '.join(at.names)}"
                loc, corrections = (at.loc, None) if at.cell else ((*at.loc, "value"), tuple(at.figure.corrections))
                out[key] = Number(label, at.figure.value, at.figure.unit, sourced_report.path, loc, corrections)
    return out


def _place(report: Report, at: FigureAt) -> str:
    """Name where a figure stands by chapter, section and item, with their titles: 一、發揮內控機制 > （一）落實風險."""
    if at.cell or at.loc[:1] != ("chapters",):
        return at.where  # a table cell: the table's number, title and page
    chapter = report.chapters[int(at.loc[1])]
    section = chapter.sections[int(at.loc[3])]
    place = [f"{chapter.no}、{chapter.title}", f"{section.no}{section.title or ''}"]
    if at.loc[4] == "items":
        item = section.items[int(at.loc[5])]
        place.append(f"{item.no}.{item.title or ''}" if item.no else item.title or "")
    return " > ".join(part for part in place if part)


def _goal_numbers(agency: str, plan: Plan, file: str) -> dict[tuple[Any, ...], Number]:
    """List a plan's goal and indicator weights and every yearly target."""
    out = dict[tuple[Any, ...], Number]()
    for at in goal_measures(plan):
        goal, measure = at.goal, at.measure
        if goal.weight is not None and at.positions[1] == 0:
            out[(agency, plan.slug, "goal", goal.name)] = Number(
                f"{plan.name} 目標 {goal.name} 權重", goal.weight, "%", file
            )
        key = (agency, plan.slug, "goal", goal.name, measure.name)
        if measure.weight is not None:
            out[key] = Number(f"{plan.name} 衡量指標 {measure.name} 權重", measure.weight, "%", file)
        for target in measure.targets:
            out[(*key, target.year)] = Number(
                f"{plan.name} 衡量指標 {measure.name} {target.year} 年度目標值", target.value, target.unit, file
            )
    return out


def _budget_numbers(agency: str, plan: Plan, file: str) -> dict[tuple[Any, ...], Number]:
    """List a plan's budget amounts as the document states them: every column of every line, and the totals."""
    budget, out = plan.budget, dict[tuple[Any, ...], Number]()
    if budget is None:
        return {}
    names = budget.column_names()
    labels: dict[tuple[int, ...], tuple[str, ...]] = {(): ()}
    for at in budget_lines(budget):
        path = labels[at.positions] = (*labels[at.positions[:-1]], at.label)
        shown = f"{plan.year}年度 預算 {' > '.join(path)}"
        if at.line.amount is not None:
            out[(agency, plan.year, "budget", path, names[0])] = Number(
                shown, at.line.amount, budget.unit, file, (*at.loc, "amount"), tuple(at.line.corrections)
            )
        for column, value in at.line.amounts.items():
            out[(agency, plan.year, "budget", path, column)] = Number(f"{shown} {column}", value, budget.unit, file)
        for figure in at.figures():
            label = f"{shown} 備考 {' > '.join(figure.names)}"
            out[(agency, plan.year, "budget", path, "figure", figure.names)] = Number(
                label, figure.figure.value, figure.figure.unit, file, (*figure.loc, "value"),
                tuple(figure.figure.corrections),
            )
    for column, total in [(names[0], budget.total), *budget.totals.items()]:
        if total is not None:
            suffix = "" if column == names[0] else f" {column}"
            out[(agency, plan.year, "total", column)] = Number(
                f"{plan.year}年度 預算 合計{suffix}", total, budget.unit, file
            )
    return out


def diff_numbers(old: dict[tuple[Any, ...], Number], new: dict[tuple[Any, ...], Number]) -> list[str]:
    """Return one line per changed, added or removed number, in the order of the documents (removed ones last)."""
    lines = []
    for key in [*new, *(key for key in old if key not in new)]:
        before, after = old.get(key), new.get(key)
        if before and after and (before.value, before.unit) != (after.value, after.unit):
            delta = after.value - before.value
            change = f" ({delta:+,})" if before.unit == after.unit else ""
            line = f"{after.label}: {before.value:,} → {value_label(after.value, after.unit)}{change}"
            corrected = after.correction_of(before.value)
            if corrected:
                line = f"更正 {line}（{corrected.date}，{corrected.reason}）"
            elif after.corrections is not None:
                line = f"未登記更正 {line}"
            lines.append(line)
        elif after and not before:
            lines.append(f"新增 {after.label}: {value_label(after.value, after.unit)}")
        elif before and not after:
            lines.append(f"刪除 {before.label}: {value_label(before.value, before.unit)}")
    return lines


def unrecorded(root: Path, data_dir: Path, rev: str, portal: Portal) -> list[Problem]:
    """Find every number published at `rev` that `portal` changes without a correction naming its old value."""
    rel = data_dir.resolve().relative_to(root.resolve()).as_posix()
    try:
        old = numbers(portal_at(root, rev, rel))
    except DataError:
        message = f"已公布的版本「{rev}」的資料本身有誤，無法比對；請先修正該版本 (published data has errors)"
        raise UsageError(message) from None
    problems = []
    documents: dict[str, Document] = {}
    for key, after in numbers(portal).items():
        before = old.get(key)
        if before is None or after.corrections is None or (before.value, before.unit) == (after.value, after.unit):
            continue
        if after.correction_of(before.value):
            continue
        if after.file not in documents:
            documents[after.file] = load_file(root / after.file, after.file)
        line, column = documents[after.file].where(after.loc)
        problems.append(Problem(
            after.file, line, column, format_loc(after.loc),
            f"這個數字已經公布過（{rev} 上是 {before.value:,}），現在是 {after.value:,}：更改已公布的數字必須在 "
            f"corrections 加一筆更正紀錄，寫出 previous: {before.value}、date（更正日期）與 reason（原因）"
            " (correction missing)",
        ))
    return problems


def portal_at(root: Path, rev: str, data_rel: str) -> Portal:
    """Load the data folder as it was at git revision `rev`."""
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", rev, "--", data_rel], cwd=root, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        raise UsageError(
            f"找不到 git 版本「{rev}」，或其中沒有 {data_rel}/；請給分支名稱、標籤或提交編號，例如 main 或 HEAD~1"
            " (unknown revision)"
        ) from None
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        return load_portal(Path(tmp) / data_rel, Path(tmp))


def merge_base(root: Path) -> str:
    """Return the merge base of HEAD with main, the default revision to compare with."""
    out = subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=root, capture_output=True, text=True)
    return out.stdout.strip()[:10] or "HEAD"


_MARKDOWN = re.compile(r"([\\`*_\[\]{}<>|~#!&])")


def markdown_text(text: str) -> str:
    """Make text inert in a Markdown list item with backslashes, leaving every safe character as it is."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def review(root: Path, data_dir: Path, rev: str, markdown: bool) -> tuple[str, bool]:
    """Describe every number changed since `rev`; return the text and whether the new data is valid."""
    rel = data_dir.resolve().relative_to(root.resolve()).as_posix()
    try:
        old = numbers(portal_at(root, rev, rel))
    except DataError:
        old = {}
    portal, found = load_what_passes(data_dir, root)
    problems = [str(p) for p in found]
    failed = {p.file for p in found}  # records with errors: their numbers are not compared until they are fixed
    new = numbers(portal)
    changes = diff_numbers({key: n for key, n in old.items() if n.file not in failed}, new)
    title = f"數字變動（與 {rev} 比較）"
    body = changes or ["沒有任何數字變動。"]
    if failed:
        body.append(f"（{'、'.join(sorted(failed))} 有錯誤，修正後才會比較其中的數字）")
    if markdown:
        text = f"### {title}\n\n" + "\n".join(f"- {markdown_text(line)}" for line in body)
        if problems:
            listing = "\n".join(problems)
            fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", listing)), default=0))
            text += f"\n\n### 資料錯誤（合併前必須修正）\n\n{fence}text\n{listing}\n{fence}"
    else:
        text = title + "\n" + "\n".join(f"  {line}" for line in body)
        if problems:
            text += "\n資料錯誤（合併前必須修正）：\n" + "\n".join(problems)
    return text + "\n", not problems
