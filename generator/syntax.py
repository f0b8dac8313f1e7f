"""Explain YAML syntax mistakes in Chinese, at the place they were made, with advice that fits the mistake.

Staff type YAML with a Chinese input method: full-width spaces and colons, a missing space after a colon,
a tab. The parser reports such a mistake a line or more later, in English, or not at all; `mistakes` finds
them first, line by line. Whatever else the parser says is translated by `explain`, which never shows its
English text.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from yaml.error import Mark, MarkedYAMLError

# A field name as staff write them: lower-case ASCII, digits, underscores ("no", "source_section").
_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
_FULL_WIDTH_INDENT = re.compile(r"^[ \t]*\u3000")
_TAB_INDENT = re.compile(r"^ *\t")
_FULL_WIDTH_COLON = re.compile(rf"^\s*(?:-\s+)?\"?({_KEY})\"?\s*：")
_NO_SPACE = re.compile(rf"^\s*(?:-\s+)?\"?({_KEY})\"?:(?=[^\s:/])")


FULL_WIDTH_SPACE = "這一行用了全形空格「　」縮排（中文輸入法常打出）；請刪除後改用半形空格 (full-width space)"
_AFTER_VALUE = "這裡的寫法有誤：一個值之後不能再接其他文字；含有引號、冒號等符號的文字請整段用引號括起來"


def mistakes(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (line, column, message) for the typing mistakes the parser would report in the wrong place."""
    block: int | None = None  # the indent of a line that opened a block scalar (| or >): its text is free
    for number, line in enumerate(text.splitlines(), 1):
        indent = len(line) - len(line.lstrip(" "))
        if block is not None and (not line.strip() or indent > block):
            continue
        block = indent if re.search(r"[|>][-+]?\s*$", line) else None
        if line.lstrip().startswith("#"):
            continue
        if _FULL_WIDTH_INDENT.match(line):
            yield number, line.index("\u3000") + 1, FULL_WIDTH_SPACE
        elif _TAB_INDENT.match(line):
            yield number, line.index("\t") + 1, "不可用 Tab 鍵縮排，請改用空格 (tab characters are not allowed)"
        found = _FULL_WIDTH_COLON.match(line)
        if found:
            yield number, line.index("：") + 1, (
                f"「{found[1]}」後面用了全形冒號「：」；欄位名稱後面請用半形冒號加一個空格，"
                f"例如「{found[1]}: 96」(full-width colon)"
            )
        found = _NO_SPACE.match(line)
        if found:
            yield number, found.end() + 1, (
                f"冒號後面要有一個空格：請寫成「{found[1]}: …」(no space after colon)"
            )


def _unclosed(exc: MarkedYAMLError) -> bool:
    problem, context = str(exc.problem or ""), str(exc.context or "")
    return "quoted scalar" in context and problem.startswith(("found unexpected end", "found unexpected document"))


def position(exc: MarkedYAMLError) -> tuple[int, int]:
    """Return where a parser error should be shown: at the opening quote of an unclosed one, else where it is."""
    mark: Mark | None = exc.problem_mark or exc.context_mark
    if _unclosed(exc) and exc.context_mark is not None:
        mark = exc.context_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def explain(exc: MarkedYAMLError, text: str) -> str:
    """Say in Chinese what a parser error means and what to do; the parser's English is never shown."""
    problem = str(exc.problem or "")
    if _unclosed(exc):
        return "這裡開始的引號沒有結束：請在文字結尾補上同樣的引號（\" 或 '）(unclosed quote)"
    if problem.startswith("found character '\\t'"):
        return "不可用 Tab 鍵縮排，請改用空格 (tab characters are not allowed)"
    if problem.startswith("mapping values are not allowed here"):
        return "這裡不能出現冒號「:」；若文字中含有冒號，請用引號把整段文字括起來"
    if problem.startswith("could not find expected ':'"):
        return "找不到預期的冒號「:」，請檢查縮排與欄位名稱"
    mark, lines = exc.problem_mark, text.splitlines()
    after_value = mark is not None and mark.line < len(lines) and bool(lines[mark.line][:mark.column].strip())
    if after_value and problem.startswith(("expected <block end>", "expected a comment or a line break")):
        return _AFTER_VALUE
    if (problem.startswith("expected <block end>, but found '-'") and exc.context_mark is not None
            and mark is not None and mark.column == exc.context_mark.column):
        return (f"同一層不能同時有欄位（key: value）和「- 」開頭的項目：請檢查第 {exc.context_mark.line + 1} 行"
                "開始的這一層，項目要再縮排，或這裡少了欄位名稱 (misaligned indentation)")
    if problem.startswith(("expected <block end>", "did not find expected key", "did not find expected '-'")):
        here = f"這一行縮排 {exc.problem_mark.column} 格，" if exc.problem_mark else "這一行的縮排"
        where = (f"和第 {exc.context_mark.line + 1} 行開始的同一層（縮排 {exc.context_mark.column} 格）"
                 if exc.context_mark else "和上面同一層")
        return f"{here}{where}不一致：同一層的欄位（或「- 」開頭的項目）要對齊在同一欄 (misaligned indentation)"
    if problem.startswith(("expected ',' or ']'", "expected ',' or '}'")):
        return "方括號「[ ]」或大括號「{ }」裡的寫法有誤：項目之間用逗號分隔，括號要成對；含有冒號或逗號的文字請加引號"
    if problem.startswith("found character") and "cannot start any token" in problem:
        char = problem.split("'")[1] if problem.count("'") >= 2 else ""
        return f"「{char}」不能放在值的開頭：請用引號把整段文字括起來"
    if problem.startswith("found unknown escape character"):
        return "引號中的「\\」後面不是有效的跳脫字元：要寫反斜線本身請寫「\\\\」，或改用單引號"
    if problem.startswith("found unexpected end of stream"):
        return "檔案在這裡意外結束：請檢查上面是否有沒結束的引號或括號"
    if problem.startswith(("expected a comment or a line break", "expected the node content")):
        return _AFTER_VALUE
    return "這裡的 YAML 格式有誤：請檢查這一行與上一行的縮排、冒號「:」與引號 (YAML syntax error)"
