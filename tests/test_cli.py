"""The command line: exit 0 on success, 1 on data errors, 2 on usage errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, copy_data, run_portal

USAGE = "用法： portal [-h] [-f CONFIG_FILE] [-q] COMMAND ...\n"
COMMANDS = "check、build、merge、serve、export、new、diff、schemas"


def test_no_command_is_a_usage_error_in_chinese() -> None:
    result = run_portal()
    assert (result.returncode, result.stderr) == (
        2, USAGE + "portal: 缺少必要的參數：COMMAND（執行 portal -h 看用法）\n"
    )


def test_a_typo_suggests_the_nearest_command() -> None:
    result = run_portal("biuld")
    assert (result.returncode, result.stderr) == (
        2, USAGE + f"portal: 不認得指令「biuld」；您是不是要打「portal build」？可用的指令有：{COMMANDS}\n"
    )


def test_an_unknown_command_lists_the_commands() -> None:
    result = run_portal("publish")
    assert (result.returncode, result.stderr) == (
        2, USAGE + f"portal: 不認得指令「publish」；可用的指令有：{COMMANDS}\n"
    )


def test_an_unknown_option_is_named_in_chinese() -> None:
    result = run_portal("check", "--bogus")
    assert (result.returncode, result.stderr) == (
        2, USAGE + "portal: 不認得這些參數：--bogus（執行 portal -h 看用法）\n"
    )


@pytest.mark.parametrize("args", [("-q", "check"), ("check", "-q")])
def test_quiet_works_before_or_after_the_command(args: tuple[str, ...]) -> None:
    result = run_portal(*args)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_config_file_option_works_after_the_command(tmp_path: Path) -> None:
    result = run_portal("build", "-f", str(tmp_path / "missing.yml"))
    assert (result.returncode, result.stderr) == (
        2, f"找不到設定檔 {tmp_path / 'missing.yml'} (config file not found)\n"
    )


def test_new_refuses_a_western_year_and_explains_roc_years(tmp_path: Path) -> None:
    copy_data(FIXTURES / "minimal", tmp_path / "data")
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "new", "plan", "2025")
    assert (result.returncode, result.stderr) == (
        2, "「2025」看起來是西元年；年度請寫民國年，例如 114（西元年減 1911） (ROC year expected)\n"
    )
    assert not (tmp_path / "data/demo/plans/2025.yml").exists()


def test_a_year_that_is_not_a_number_is_explained() -> None:
    result = run_portal("new", "plan", "abc")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "portal: year 必須是數字（民國年，例如 114），讀到的是「abc」"


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
        "demo/index.md",
        "demo/plans/100/budget/index.md",
        "demo/plans/100/index.md",
        "demo/reports/100-h1/index.md",
        "corrections/index.md",
        "index.md",
        *(f"opendata/demo/{name}.{ext}" for name in ("100-budget", "100-plan-items", "100-h1-figures")
          for ext in ("csv", "json")),
        "opendata/catalog.jsonld",
        "opendata/datapackage.json",
        "opendata/demo/index.md",
        "opendata/index.md",
        "search/index.md",
        *(f"search/{shard}.json" for shard in ("demo", "site", "index")),
        "assets/javascripts/portal-search.js",
        "assets/javascripts/portal-chapters.js",
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
