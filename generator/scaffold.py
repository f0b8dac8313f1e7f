"""Start the next plan or report from the latest one of its kind, with every figure emptied for staff to fill in."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .errors import PortalError, UsageError
from .load import load_file
from .periods import NAMED, Span, from_slug

# `portal new` works on the YAML tree rather than the walkers, so that it copies any record, even one that
# does not pass the checks yet. These fields hold figures or per-period prose and are emptied for staff to
# fill in; the numeric fields kept are structure (years, weights). tests/test_new_and_diff.py checks that
# every numeric field of the models is in one list or the other.
EMPTIED = {
    "amount", "total", "budget", "value", "quote", "text", "objective", "introduction", "document", "file", "note",
}
KEPT_NUMBERS = {"year", "to_year", "weight"}
# Mappings of amounts by column: kept with their column names, each amount emptied.
EMPTIED_BY_KEY = {"amounts", "totals"}
# Lists of numbers: one empty entry each.
EMPTIED_LISTS = {"values"}


def scaffold(data_dir: Path, kind: str, year: int, period: str | None, agency: str | None) -> Path:
    """Create the next plan or report from the latest one of its kind, with figures emptied."""
    agencies = sorted(p.name for p in data_dir.iterdir() if (p / "agency.yml").is_file())
    if agency is None and len(agencies) != 1:
        raise PortalError(f"請用 --agency 指定機關代號：{'、'.join(agencies)}")
    agency = agency or agencies[0]
    folder = data_dir / agency / ("plans" if kind == "plan" else "reports")
    if kind == "report" and period not in NAMED:
        raise UsageError(f"期間只能是 {'、'.join(NAMED)}，讀到的是「{period}」")
    existing = sorted(folder.glob("*.yml"), key=_plan_order if kind == "plan" else _report_order)
    if not existing:
        raise PortalError(f"{folder} 中沒有可複製的{'施政計畫' if kind == 'plan' else '工作成果報告'}")
    latest = existing[-1]
    data = load_file(latest, latest.name).data
    if not isinstance(data, dict):
        raise PortalError(f"{latest} 的最上層不是欄位對照，無法複製；請先執行 portal check 修正")
    old_year, old_period, title = data.get("year"), data.get("period"), str(data.get("title") or "")
    record = _empty(data)
    record["year"] = year
    if old_year is not None:
        title = re.sub(rf"(?<!\d){old_year}(?!\d)", str(year), title)
    if kind == "plan":
        slug = str(year)
        if isinstance(old_year, int) and isinstance(data.get("to_year"), int):  # as many years as the last plan
            record["to_year"] = year + data["to_year"] - old_year
            title = re.sub(rf"(?<!\d){data['to_year']}(?!\d)", str(record["to_year"]), title)
            slug = f"{year}-{record['to_year']}"
        _shift_targets(record, year - old_year if isinstance(old_year, int) else 0)
    else:
        title = title.replace(old_period, str(period)) if isinstance(old_period, str) else title
        record["period"] = period
        slug = Span.of(year, str(period)).slug
    record["title"] = title
    target = folder / f"{slug}.yml"
    if target.exists():
        raise PortalError(f"{target} 已經存在，不會覆寫 (refusing to overwrite)")
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


def _plan_order(path: Path) -> tuple[bool, int, int, str]:
    """Sort plan files by their first and last year (113.yml, 104-107.yml); other names first."""
    found = re.fullmatch(r"(\d{1,3})(?:-(\d{1,3}))?", path.stem)
    if not found:
        return False, 0, 0, path.name
    return True, int(found[1]), int(found[2] or found[1]), path.name


def _report_order(path: Path) -> tuple[bool, Span, str]:
    """Sort report files by the period their name says; other names first (they are never the latest)."""
    span = from_slug(path.stem)
    return span is not None, span or Span.of(0, "全年"), path.name


def _shift_targets(record: dict[str, Any], years: int) -> None:
    """Move the yearly targets of a copied plan's goals by as many years as the plan moved (values stay empty)."""
    goals = record.get("goals")
    for goal in goals.get("entries", []) if isinstance(goals, dict) else []:
        for measure in goal.get("indicators", []) if isinstance(goal, dict) else []:
            for target in measure.get("targets", []) if isinstance(measure, dict) else []:
                if isinstance(target, dict) and isinstance(target.get("year"), int):
                    target["year"] += years


def _empty(node: Any, key: str | None = None) -> Any:
    if isinstance(node, dict) and key in EMPTIED_BY_KEY:
        return dict.fromkeys(node)
    if isinstance(node, dict):  # corrections belong to the old record's numbers; indicator ids carry over
        return {k: _empty(v, k) for k, v in node.items() if k != "corrections"}
    if isinstance(node, list):
        if key in ("steps", "entries") and node and all(isinstance(v, str) for v in node):
            return []
        if key in EMPTIED_LISTS:  # a statistics table row: one empty cell per column
            return [None] * len(node)
        return [_empty(v, key) for v in node]
    if key in EMPTIED:
        return None
    if isinstance(node, Decimal):
        return float(node)
    return node
