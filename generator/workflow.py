"""Help staff and reviewers: scaffold the next record, and list every number a change touches."""
from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .collect import load_portal
from .errors import DataError
from .layout import report_figures
from .load import load_file
from .markup import escape
from .model import PERIODS, Figure, PlanItem, Portal

# Fields whose values are figures or per-period prose: emptied in a new record for staff to fill in.
_EMPTIED = {"amount", "total", "budget", "value", "quote", "text", "objective", "introduction", "document", "file"}


class ScaffoldError(Exception):
    """Raise when a new record cannot be created (it exists, or there is nothing to copy)."""


def scaffold(data_dir: Path, kind: str, year: int, period: str | None, agency: str | None) -> Path:
    """Create the next plan or report from the latest one of its kind, with figures emptied."""
    agencies = sorted(p.name for p in data_dir.iterdir() if (p / "agency.yml").is_file())
    if agency is None and len(agencies) != 1:
        raise ScaffoldError(f"請用 --agency 指定機關代號：{'、'.join(agencies)}")
    agency = agency or agencies[0]
    folder = data_dir / agency / ("plans" if kind == "plan" else "reports")
    if kind == "plan":
        target = folder / f"{year}.yml"
    else:
        if period not in PERIODS:
            raise ScaffoldError(f"期間只能是 {'、'.join(PERIODS)}，讀到的是「{period}」")
        target = folder / f"{year}-{PERIODS[period]}.yml"
    if target.exists():
        raise ScaffoldError(f"{target} 已經存在，不會覆寫 (refusing to overwrite)")
    existing = sorted(folder.glob("*.yml"), key=_order)
    if not existing:
        raise ScaffoldError(f"{folder} 中沒有可複製的{'施政計畫' if kind == 'plan' else '工作成果報告'}")
    latest = existing[-1]
    data = load_file(latest, latest.name).data
    old_year = data["year"]
    record = _empty(data)
    record["year"] = year
    record["title"] = re.sub(rf"(?<!\d){old_year}(?!\d)", str(year), data["title"])
    if kind == "report":
        record["title"] = record["title"].replace(data["period"], str(period))
        record["period"] = period
    header = (
        f"# yaml-language-server: $schema=../../../schemas/{kind}.schema.json\n"
        f"# 由 portal new 從 {latest.name} 複製：結構已保留，數字、原文與來源已清空（null），\n"
        f"# 請依來源文件逐字填入，再執行 portal check 檢查。\n"
    )
    body = yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=1000)
    folder.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as out:
        out.write(header + body)
    return target


def _order(path: Path) -> tuple[int, int]:
    year, _, period = path.stem.partition("-")
    return (int(year) if year.isdigit() else -1, list(PERIODS.values()).index(period) if period else 0)


def _empty(node: Any, key: str | None = None) -> Any:
    if isinstance(node, dict):  # corrections belong to the old record's numbers; indicator ids carry over
        return {k: _empty(v, k) for k, v in node.items() if k != "corrections"}
    if isinstance(node, list):
        if key in ("steps", "entries") and node and all(isinstance(v, str) for v in node):
            return []
        return [_empty(v, key) for v in node]
    if key in _EMPTIED:
        return None
    if isinstance(node, Decimal):
        return float(node)
    return node


@dataclass(frozen=True)
class Number:
    """One published number, named the way a reviewer reads it."""

    label: str
    value: int | Decimal
    unit: str


def numbers(portal: Portal) -> dict[tuple[Any, ...], Number]:
    """Flatten every budget line, total, plan budget and report figure into comparable entries."""
    out: dict[tuple[Any, ...], Number] = {}
    for agency in portal.agencies:
        for sourced in agency.plans:
            plan = sourced.record
            for line in plan.budget.lines:
                out[(agency.id, plan.year, "budget", line.no)] = Number(
                    f"{plan.year}年度 預算 {line.no}、{line.category}", line.amount, plan.budget.unit)
            out[(agency.id, plan.year, "total")] = Number(
                f"{plan.year}年度 預算 合計", plan.budget.total, plan.budget.unit)
            for path, item in _plan_items(plan.items.entries, ()):
                if item.budget is not None:
                    out[(agency.id, plan.year, "item", path)] = Number(
                        f"{plan.year}年度 計畫 {'/'.join(path)} {item.name} 預算", item.budget, plan.budget.unit)
        for sourced_report in agency.reports:
            report = sourced_report.record
            for located in report_figures(report):
                prefix = f"{report.year}年{report.period} {located.where}"
                for names, figure in _figures(located.figure, (located.figure.label,)):
                    key = (agency.id, report.year, report.period, located.where, names)
                    out[key] = Number(f"{prefix} {' > '.join(names)}", figure.value, figure.unit)
    return out


def _plan_items(items: list[PlanItem], prefix: tuple[str, ...]) -> list[tuple[tuple[str, ...], PlanItem]]:
    found = []
    for item in items:
        path = (*prefix, item.no)
        found.append((path, item))
        found.extend(_plan_items(item.children, path))
    return found


def _figures(figure: Figure, names: tuple[str, ...]) -> list[tuple[tuple[str, ...], Figure]]:
    found = [(names, figure)]
    for breakdown in figure.breakdowns:
        for part in breakdown.parts:
            found.extend(_figures(part, (*names, f"{breakdown.by}：{part.label}")))
    return found


def _show(value: int | Decimal, unit: str) -> str:
    return f"{value:,}{unit}" if unit == "%" else f"{value:,} {unit}"


def diff_numbers(old: dict[tuple[Any, ...], Number], new: dict[tuple[Any, ...], Number]) -> list[str]:
    """Return one line per changed, added or removed number, in a stable order."""
    lines = []
    for key in sorted(old.keys() | new.keys(), key=repr):
        before, after = old.get(key), new.get(key)
        if before and after and (before.value, before.unit) != (after.value, after.unit):
            delta = after.value - before.value
            change = f" ({delta:+,})" if before.unit == after.unit else ""
            lines.append(f"{after.label}: {before.value:,} → {_show(after.value, after.unit)}{change}")
        elif after and not before:
            lines.append(f"新增 {after.label}: {_show(after.value, after.unit)}")
        elif before and not after:
            lines.append(f"刪除 {before.label}: {_show(before.value, before.unit)}")
    return lines


def portal_at(root: Path, rev: str, data_rel: str) -> Portal:
    """Load the data folder as it was at git revision `rev`."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", rev, "--", data_rel], cwd=root, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        return load_portal(Path(tmp) / data_rel, Path(tmp))


def merge_base(root: Path) -> str:
    """Return the merge base of HEAD with main, the default revision to compare with."""
    out = subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=root, capture_output=True, text=True)
    return out.stdout.strip()[:10] or "HEAD"


def review(root: Path, data_dir: Path, rev: str, markdown: bool) -> tuple[str, bool]:
    """Describe every number changed since `rev`; return the text and whether the new data is valid."""
    rel = data_dir.resolve().relative_to(root.resolve()).as_posix()
    try:
        old = numbers(portal_at(root, rev, rel))
    except DataError:
        old = {}
    problems: list[str] = []
    try:
        new = numbers(load_portal(data_dir, root))
    except DataError as exc:
        new, problems = {}, [str(p) for p in exc.problems]
    changes = diff_numbers(old, new) if not problems else []
    title = f"數字變動（與 {rev} 比較）"
    body = changes or (["資料有誤，無法比較數字。"] if problems else ["沒有任何數字變動。"])
    if markdown:
        text = f"### {title}\n\n" + "\n".join(f"- {escape(line)}" for line in body)
        if problems:
            text += "\n\n### 資料錯誤（合併前必須修正）\n\n```\n" + "\n".join(problems) + "\n```"
    else:
        text = title + "\n" + "\n".join(f"  {line}" for line in body)
        if problems:
            text += "\n資料錯誤（合併前必須修正）：\n" + "\n".join(problems)
    return text + "\n", not problems
