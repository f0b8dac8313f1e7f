"""Damaged or hostile input gets a located verdict in Chinese, never a traceback or a hang (SYNTHETIC data).

Each case damages the minimal fixture the way a paste from a PDF, a wrong key, a bad merge or a stray file
would, and states the exact message `portal check` prints.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import FIXTURES, copy_data, run_portal
from generator.errors import Problem

AGENCY = "demo/agency.yml"
PLAN = "demo/plans/100.yml"
REPORT = "demo/reports/100-h1.yml"


def _write(rel: str, text: str) -> Callable[[Path], object]:
    return lambda data: (data / rel).write_text(text, encoding="utf-8", errors="surrogatepass")


def _replace(rel: str, old: str, new: str) -> Callable[[Path], object]:
    def edit(data: Path) -> None:
        text = (data / rel).read_text(encoding="utf-8")
        assert old in text
        (data / rel).write_text(text.replace(old, new), encoding="utf-8")

    return edit


def _unreadable(char: str, name: str) -> tuple[Callable[[Path], object], str]:
    return _write(AGENCY, f"name: 示範{char}機關\n"), (
        f"data/demo/agency.yml:1:9: 這裡有 YAML 不接受的字元 {name}；請刪除它（從 PDF 複製時常夾帶）"
    )


def _link(target: str, name: str = "101.yml") -> Callable[[Path], object]:
    return lambda data: os.symlink(target, data / "demo/plans" / name)


def _link_loop(data: Path) -> None:
    os.symlink("102.yml", data / "demo/plans/101.yml")
    os.symlink("101.yml", data / "demo/plans/102.yml")


def _hundred_and_one_lines(data: Path) -> None:
    plan = (data / PLAN).read_text(encoding="utf-8")
    lines = "".join(f"    - name: 列{i}\n      amount: 1\n" for i in range(101))
    start = plan.index("  lines:\n")  # the lines, the total and the items that refer to them are replaced
    (data / PLAN).write_text(plan[:start] + "  lines:\n" + lines + "  total: 101\n", encoding="utf-8")


def _folder_for_agency(data: Path) -> None:
    (data / AGENCY).unlink()
    (data / AGENCY).mkdir()


_DEEP = "".join(" " * i + "a:\n" for i in range(1, 200))
_LONG_ID = "                quote: 說明會12場次\n                indicator: " + "a" * 61 + "\n"
_INVISIBLE = "網頁上看到的會和檔案不同；請刪除這個字元"
_MISPLACED = (
    "檔案放錯位置：資料必須是 data/<機關代號>/agency.yml、data/<機關代號>/indicators.yml、"
    "data/<機關代號>/plans/<年度>.yml 或 data/<機關代號>/reports/<期間>.yml"
    "（例如 110-h2.yml、110-q1.yml、89.07-96.04.yml；機關代號只用小寫英文、數字與 -）"
)


CASES: dict[str, tuple[Callable[[Path], object], str]] = {
    "form-feed": _unreadable("\x0c", "U+000C（換頁字元）"),
    "escape": _unreadable("\x1b", "U+001B（跳脫字元 ESC）"),
    "delete": _unreadable("\x7f", "U+007F（刪除字元 DEL）"),
    "nul": _unreadable("\x00", "U+0000（空字元 NUL）"),
    "non-character": _unreadable("\ufffe", "U+FFFE（非字元）"),
    "deep-brackets": (_write(AGENCY, "name: " + "[" * 20000 + "]" * 20000 + "\n"),
                      "data/demo/agency.yml:1:47: 括號巢狀超過 40 層；資料不需要這麼多層，請檢查括號與縮排 (limit)"),
    "deep-indent": (_write(AGENCY, "name: a\nparent:\n" + _DEEP),
                    "data/demo/agency.yml:163:162: 這一行縮排了 161 格，超過上限 160 格；"
                    "資料不需要這麼多層，請檢查括號與縮排 (limit)"),
    "long-integer": (_write(AGENCY, "name: 示範\nparent: " + "9" * 5000 + "\n"),
                     "data/demo/agency.yml:2:9: parent: 數字太長（5000 位），上限 30 位 (limit)"),
    "huge-amount": (_replace(PLAN, "amount: 234\n", "amount: 1" + "0" * 309 + "\n"),
                    "data/demo/plans/100.yml:24:15: budget.lines[2].amount: 數字太長（310 位），上限 30 位 (limit)"),
    "huge-decimal": (_replace(REPORT, "value: 98.39\n", "value: 1" + "0" * 320 + ".5\n"),
                     "data/demo/reports/100-h1.yml:27:24: chapters[1].sections[1].items[1].figures[3].value: "
                     "數字太長（323 位），上限 30 位 (limit)"),
    "too-precise-decimal": (
        _replace(REPORT, "value: 98.39\n", "value: 98.3900000000000001\n"),
        "data/demo/reports/100-h1.yml:27:24: chapters[1].sections[1].items[1].figures[3].value: "
        "小數最多 15 位有效數字，讀到的是「98.3900000000000001」 (limit)"),
    "escape-beyond-unicode": (_write(AGENCY, 'name: "\\U00110000"\n'),
                              "data/demo/agency.yml:1:8: \\U00110000 不是有效的字元碼，請刪除 (limit)"),
    "lone-surrogate": (_write(AGENCY, 'name: "\\ud800"\n'),
                       "data/demo/agency.yml:1:7: name: 文字中有看不見或會改變顯示的字元 "
                       f"U+D800（無效的代理字元），{_INVISIBLE}"),
    "zero-width-in-quote": (
        _replace(REPORT, "說明會12場次", "說明會1\u200b2場次"),
        "data/demo/reports/100-h1.yml:16:19: chapters[1].sections[1].items[1].text: 文字中有看不見或會改變顯示的字元 "
        f"U+200B（零寬空格），{_INVISIBLE}"),
    "bidi-override": (
        _replace(REPORT, "label: 說明會\n", "label: 說明會\u202e59\n"),
        "data/demo/reports/100-h1.yml:18:24: chapters[1].sections[1].items[1].figures[1].label: "
        f"文字中有看不見或會改變顯示的字元 U+202E（雙向文字控制字元），{_INVISIBLE}"),
    "escaped-control-in-text": (
        _write(AGENCY, 'name: "示範\\e[2K機關"\n'),
        f"data/demo/agency.yml:1:7: name: 文字中有看不見或會改變顯示的字元 U+001B（跳脫字元 ESC），{_INVISIBLE}"),
    "blank-text": (_write(AGENCY, 'name: "\u3000"\n'),
                   "data/demo/agency.yml:1:7: name: 不可空白（只有空格也算空白）(must not be empty)"),
    "long-id": (_replace(REPORT, "                quote: 說明會12場次\n", _LONG_ID),
                "data/demo/reports/100-h1.yml:22:28: chapters[1].sections[1].items[1].figures[1].indicator: "
                "太長：最多 60 字 (limit)"),
    "link-outside-data": (_link("/etc/hostname"),
                          "data/demo/plans/101.yml:1:1: 這是指向資料夾之外的連結；網站只發布資料夾內的檔案，"
                          "請把檔案本身放進來 (link outside data)"),
    "dangling-link": (_link("/nonexistent/101.yml"),
                      "data/demo/plans/101.yml:1:1: 這是指向不存在的檔案的連結（或連結形成迴圈）；"
                      "請刪除它或換成檔案本身 (broken link)"),
    "link-loop": (_link_loop,
                  "data/demo/plans/101.yml:1:1: 這是指向不存在的檔案的連結（或連結形成迴圈）；"
                  "請刪除它或換成檔案本身 (broken link)"),
    "fifo": (lambda data: os.mkfifo(data / "demo/plans/101.yml"),
             "data/demo/plans/101.yml:1:1: 這是特殊檔案（例如具名管道），不是資料檔；"
             "請刪除或改名 (not a regular file)"),
    "agency-file-is-a-folder": (
        _folder_for_agency,
        "data/demo/agency.yml:1:1: 這是資料夾，不是資料檔；請刪除或改名 (not a regular file)"),
    "chart-too-many-lines": (_hundred_and_one_lines,
                             "data/demo/plans/100.yml:17:5: budget.lines: 最上層的預算列有 101 項，超過一張圖表的上限 "
                             "100 項；請確認來源文件，或拆成幾層 (limit)"),
    "hidden-agency-folder": (lambda data: (data / "demo").rename(data / ".demo"),
                             f"data/.demo:1:1: {_MISPLACED}"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_damaged_input_gets_a_located_verdict(case: str, tmp_path: Path) -> None:
    damage, expected = CASES[case]
    data = copy_data(FIXTURES / "minimal", tmp_path / "data")
    damage(data)
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "check")
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == expected


def test_an_empty_data_folder_is_not_a_pass(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "check")
    assert (result.returncode, result.stderr) == (1, (
        "data:1:1: 資料夾中沒有任何機關：請建立 data/<機關代號>/agency.yml (no agency)\n"
        "共 1 個問題，請修正後再試。(1 problem(s) found)\n"
    ))


def test_macos_and_git_files_are_ignored(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "minimal", tmp_path / "data")
    for name in (".DS_Store", "demo/.DS_Store", "demo/plans/.gitkeep"):
        (data / name).write_bytes(b"\x00\x01")
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "check")
    assert (result.returncode, result.stderr) == (0, "")


def test_a_value_can_never_move_the_terminal_cursor(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "minimal", tmp_path / "data")
    # An escape sequence written as a YAML escape in a field name reaches the message's field path:
    # it must be shown, not obeyed, or it could erase the error line and print a fake pass.
    _write(AGENCY, '"name\\e[1A\\e[2K資料檢查通過": 示範\n')(data)
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "check")
    assert "\x1b" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        "data/demo/agency.yml:1:1: 文字中有看不見或會改變顯示的字元 U+001B（跳脫字元 ESC），網頁上看到的會和檔案不同；"
        "請刪除這個字元"
    )


def test_every_message_shows_control_characters_instead_of_obeying_them() -> None:
    problem = Problem("data/x.yml", 3, 5, "name\x1b[2K", "「示範\x1b[1A\u202e59」\n第二行")
    assert str(problem) == "data/x.yml:3:5: name<U+001B>[2K: 「示範<U+001B>[1A<U+202E>59」↵第二行"
