"""The command line: exit 0 on success, 1 on data errors, 2 on usage errors."""
from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, ROOT, copy_data, run_portal


def test_no_command_is_a_usage_error() -> None:
    result = run_portal()
    assert result.returncode == 2
    assert "usage: portal" in result.stderr


def test_unknown_command_is_a_usage_error() -> None:
    assert run_portal("publish").returncode == 2


def test_build_without_config_is_a_usage_error(tmp_path: Path) -> None:
    result = run_portal("-f", str(tmp_path / "missing.yml"), "build")
    assert result.returncode == 2
    assert result.stderr == f"找不到設定檔 {tmp_path / 'missing.yml'} (config file not found)\n"


def test_export_writes_plain_markdown_and_charts(tmp_path: Path) -> None:
    copy_data(FIXTURES / "minimal", tmp_path / "data")
    out = tmp_path / "out"
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "export", str(out))
    assert result.returncode == 0, result.stderr
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    chart = ["demo/plans/100/budget/budget", "demo/reports/100-h1/figure-4-1"]
    assert files == sorted([
        *(stem + ext for stem in chart for ext in (".csv", ".json", ".png", ".svg")),
        "demo/plans/100/budget/index.md",
        "demo/plans/100/index.md",
        "demo/reports/100-h1/index.md",
        "corrections/index.md",
        "index.md",
        *(f"opendata/demo/{name}.{ext}" for name in ("100-budget", "100-plan-items", "100-h1-figures")
          for ext in ("csv", "json")),
        "opendata/catalog.jsonld",
        "opendata/datapackage.json",
        "opendata/index.md",
    ])


def test_export_refuses_to_write_into_data() -> None:
    result = run_portal("export", str(ROOT / "data" / "out"))
    assert result.returncode == 2
    assert not (ROOT / "data" / "out").exists()


def test_quiet_check_prints_nothing() -> None:
    result = run_portal("-q", "check")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_diff_with_an_unknown_revision_says_so_in_chinese() -> None:
    result = run_portal("diff", "no-such-rev")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "找不到 git 版本「no-such-rev」，或其中沒有 data/；請給分支名稱、標籤或提交編號，例如 main 或 HEAD~1"
        " (unknown revision)\n"
    )
