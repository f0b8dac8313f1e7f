"""Staff workflow: `portal new` scaffolds the next record; `portal diff` shows reviewers every changed number."""
from __future__ import annotations

import subprocess
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from conftest import FIXTURES, copy_data, run_portal
from generator import scaffold
from generator.model import Plan, Report

PLAN = "data/demo/plans/100.yml"


def _repo(tmp_path: Path) -> Path:
    copy_data(FIXTURES / "minimal", tmp_path / "data")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "synthetic data"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                       cwd=tmp_path, check=True)
    return tmp_path


def _edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def test_new_report_keeps_structure_and_empties_figures(tmp_path: Path) -> None:
    copy_data(FIXTURES / "minimal", tmp_path / "data")
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "new", "report", "101", "下半年")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "已建立 data/demo/reports/101-h2.yml；請填入數字與原文後執行 portal check。\n"
    text = (tmp_path / "data/demo/reports/101-h2.yml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/report.schema.json\n")
    assert "title: 示範機關 101 年下半年工作成果\n" in text
    assert "label: 授權率\n" in text and "value: null\n" in text and "quote: null\n" in text
    assert "98.39" not in text and "1,170" not in text
    check = run_portal("-f", str(tmp_path / "mkdocs.yml"), "check")
    assert check.returncode == 1
    missing = "data/demo/reports/101-h2.yml:8:13: source.document: 尚未填寫（目前是空白），請依來源文件填入"
    assert f"{missing} (no value yet)\n" in check.stderr


def test_new_report_keeps_indicators_and_drops_corrections(tmp_path: Path) -> None:
    copy_data(FIXTURES / "periods", tmp_path / "data")  # 112-h1 has a corrected figure
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "new", "report", "112", "下半年")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "data/demo/reports/112-h2.yml").read_text(encoding="utf-8")
    assert text.count("indicator: briefings\n") == 1 and text.count("indicator: complaints\n") == 1
    assert "corrections" not in text and "previous" not in text


def test_new_never_overwrites(tmp_path: Path) -> None:
    copy_data(FIXTURES / "minimal", tmp_path / "data")
    before = (tmp_path / PLAN).read_bytes()
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "new", "plan", "100")
    assert result.returncode == 1
    assert result.stderr == f"{tmp_path / PLAN} 已經存在，不會覆寫 (refusing to overwrite)\n"
    assert (tmp_path / PLAN).read_bytes() == before


def test_new_report_without_period_is_a_usage_error(tmp_path: Path) -> None:
    copy_data(FIXTURES / "minimal", tmp_path / "data")
    assert run_portal("-f", str(tmp_path / "mkdocs.yml"), "new", "report", "101").returncode == 2


def test_diff_lists_every_changed_number(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root / PLAN, ("amount: 234", "amount: 238"), ("budget: 234", "budget: 238"), ("total: 1234", "total: 1238"))
    _edit(root / "data/demo/reports/100-h1.yml", ("value: 12\n", "value: 13\n"), ("12場次", "13場次"))
    result = run_portal("diff", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout[:10]
    assert result.stdout == (
        f"數字變動（與 {head} 比較）\n"
        "  未登記更正 100年度 預算 貳、示範業務: 234 → 238 千元 (+4)\n"
        "  100年度 預算 合計: 1,234 → 1,238 千元 (+4)\n"
        "  100年度 計畫 貳 示範業務 預算: 234 → 238 千元 (+4)\n"
        "  未登記更正 100年上半年 一、示範章 > （一）示範節 > 1. 說明會: 12 → 13 場次 (+1)\n"
    )


CORRECTION = (
    "                quote: 說明會13場次\n",
    "                quote: 說明會13場次\n                corrections:\n                  - previous: 12\n"
    "                    date: 2024-03-05\n                    reason: 原文件誤植，依機關更正函修正。\n",
)


def test_changing_a_published_figure_without_a_correction_fails_the_check(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root / "data/demo/reports/100-h1.yml", ("value: 12\n", "value: 13\n"), ("12場次", "13場次"))
    result = run_portal("check", "--published", "main", cwd=root)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "data/demo/reports/100-h1.yml:19:24: chapters[1].sections[1].items[1].figures[1].value: 這個數字已經公布過"
        "（main 上是 12），現在是 13：更改已公布的數字必須在 corrections 加一筆更正紀錄，寫出 previous: 12、"
        "date（更正日期）與 reason（原因） (correction missing)\n"
        "共 1 個問題，請修正後再試。(1 problem(s) found)\n"
    )
    _edit(root / "data/demo/reports/100-h1.yml", CORRECTION)
    result = run_portal("check", "--published", "main", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    diff = run_portal("diff", "main", cwd=root)
    assert ("  更正 100年上半年 一、示範章 > （一）示範節 > 1. 說明會: 12 → 13 場次 (+1)"
            "（2024-03-05，原文件誤植，依機關更正函修正。）\n" in diff.stdout)


def test_the_published_check_needs_history_and_says_so(tmp_path: Path) -> None:
    copy_data(FIXTURES / "minimal", tmp_path / "data")
    result = run_portal("check", "--published", "main", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, (
        "找不到 git 版本「main」，或其中沒有 data/；請給分支名稱、標籤或提交編號，例如 main 或 HEAD~1"
        " (unknown revision)\n"
    ))


def test_diff_markdown_shows_added_records(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "data/demo/plans/101.yml").write_text(
        (root / PLAN).read_text(encoding="utf-8").replace("year: 100", "year: 101"), encoding="utf-8"
    )
    result = run_portal("diff", "HEAD", "--markdown", cwd=root)
    assert result.returncode == 0
    assert result.stdout.startswith("### 數字變動（與 HEAD 比較）\n\n")
    assert "- 新增 101年度 預算 合計: 1,234 千元\n" in result.stdout  # no entities where a character is safe


def test_diff_lists_the_valid_records_changes_next_to_the_errors_of_others(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root / PLAN, ("total: 1234", "total: 1243"))
    _edit(root / "data/demo/reports/100-h1.yml", ("value: 12\n", "value: 13\n"), ("12場次", "13場次"))
    result = run_portal("diff", "HEAD", cwd=root)
    assert result.returncode == 1
    assert result.stdout == (
        "數字變動（與 HEAD 比較）\n"
        "  未登記更正 100年上半年 一、示範章 > （一）示範節 > 1. 說明會: 12 → 13 場次 (+1)\n"
        "  （data/demo/plans/100.yml 有錯誤，修正後才會比較其中的數字）\n"
        "資料錯誤（合併前必須修正）：\n"
        "data/demo/plans/100.yml:25:10: budget.total: 各列金額加總為 1,234 千元，與合計 1,243 千元不符"
        "（相差 -9 千元）(budget lines do not add up to the total)\n"
    )


def test_new_plan_after_a_four_year_plan_covers_the_next_four_years(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "shapes", tmp_path / "data")
    (data / "demo/plans/105.yml").unlink()  # the latest plan is then the four-year one
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "new", "plan", "108")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "已建立 data/demo/plans/108-111.yml；請填入數字與原文後執行 portal check。\n"
    text = (tmp_path / "data/demo/plans/108-111.yml").read_text(encoding="utf-8")
    assert "year: 108\nto_year: 111\ntitle: 示範機關 108 至 111 年度中程施政計畫\n" in text
    assert [line.strip() for line in text.splitlines() if line.strip().startswith("- year:")] == [
        "- year: 108", "- year: 109", "- year: 110", "- year: 111", "- year: 109",
    ]
    assert "weight: 20\n" in text and "45件" not in text and "quote: null\n" in text


def test_new_statistics_report_keeps_its_table_and_empties_every_cell(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "shapes", tmp_path / "data")
    for name in ("105-year.yml", "89.07-96.04.yml"):
        (data / "demo/reports" / name).unlink()
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "new", "report", "105", "全年")
    assert result.returncode == 0, result.stderr
    text = (data / "demo/reports/105-year.yml").read_text(encoding="utf-8")
    assert "label: 查處案件\n" in text and "31" not in text and "68.25" not in text
    _edit(data / "demo/reports/105-year.yml",
          ("document: null", "document: 示範統計（虛構）"), ("file: null", "file: x.txt"))
    check = run_portal("-f", str(tmp_path / "mkdocs.yml"), "check")
    blank = "尚未填寫（目前是空白），請依來源文件填入；文件中這一格空白或畫「－」時請寫 － (no value yet)"
    assert check.stderr.count(blank) == 30  # three rows of ten cells


def test_diff_names_targets_and_table_cells(tmp_path: Path) -> None:
    copy_data(FIXTURES / "shapes", tmp_path / "data")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "synthetic data"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                       cwd=tmp_path, check=True)
    _edit(tmp_path / "data/demo/plans/104-107.yml", ("value: 50\n", "value: 52\n"), ("quote: 50件", "quote: 52件"))
    _edit(tmp_path / "data/demo/reports/95.01-104.12.yml", ("[31, 33, 35,", "[31, 34, 35,"))
    result = run_portal("diff", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[1:] == [
        "  104 至 107 年度 衡量指標 查處案件數 106 年度目標值: 50 → 52 件 (+2)",
        "  95年1月至104年12月 表1 歷年查處案件統計（第 3 頁） > 查處案件 > 96年: 33 → 34 件 (+1)",
    ]


def _numeric_fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    """Return the names of every field, at any depth, whose value may be a number."""
    if model in seen:
        return set()
    seen.add(model)
    found = set()
    for name, field in model.model_fields.items():
        for part in _parts(field.annotation):
            if isinstance(part, type) and issubclass(part, BaseModel):
                found |= _numeric_fields(part, seen)
            elif part in (int, Decimal):
                found.add(name)
    return found


def _parts(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    return [annotation] if not args else [p for arg in args for p in _parts(arg)]


def test_new_empties_every_number_field_the_models_have() -> None:
    numeric = _numeric_fields(Plan, set()) | _numeric_fields(Report, set())
    assert {"amount", "amounts", "total", "totals", "value", "values", "budget", "year", "weight"} <= numeric
    handled = scaffold.EMPTIED | scaffold.KEPT_NUMBERS | scaffold.EMPTIED_LISTS | scaffold.EMPTIED_BY_KEY
    assert sorted(numeric - handled) == ["previous"]  # a correction's old value: corrections are dropped whole


def test_a_value_can_never_leave_the_review_summary_code_block(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    forged = '"說明會12場次````\\n### 審核通過 ✅\\n![](http://example.invalid/a.png)"'
    _edit(root / "data/demo/reports/100-h1.yml", ("quote: 說明會12場次", f"quote: {forged}"))
    result = run_portal("diff", "--markdown", cwd=root)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    start = lines.index("### 資料錯誤（合併前必須修正）")
    fence = lines[start + 2].removesuffix("text")
    assert len(fence) == 5  # longer than the four backticks the value holds
    assert lines[start + 2:] == [
        f"{fence}text",
        "data/demo/reports/100-h1.yml:21:24: chapters[1].sections[1].items[1].figures[1].quote: "
        "原文片段「說明會12場次````"
        "↵### 審核通過 ✅↵![](http://example.invalid/a.png)」沒有逐字出現在內文中 (quote not found in text)",
        fence,
    ]
    assert not any(line.startswith("### 審核通過") for line in lines)


def test_new_ignores_a_stray_file_name_and_copes_with_a_record_without_title(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "minimal", tmp_path / "data")
    (data / "demo/reports/110-h3.yml").write_text("year: 110\n", encoding="utf-8")
    report = data / "demo/reports/100-h1.yml"
    report.write_text(report.read_text(encoding="utf-8").replace("title: 示範機關 100 年上半年工作成果\n", ""),
                      encoding="utf-8")
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "new", "report", "101", "上半年")
    assert (result.returncode, result.stderr) == (0, "")
    text = (data / "demo/reports/101-h1.yml").read_text(encoding="utf-8")
    assert "year: 101\nperiod: 上半年\n" in text and "title: ''\n" in text
