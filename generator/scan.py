"""Find what makes text unsafe before it is parsed or shown: control and invisible characters, deep nesting.

Depends on nothing else in the package: the loader uses it on every file before parsing, and every message
goes through `visible` before it reaches a terminal or a pull-request summary.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Limits on what one data file may hold; each has its own message, and CONTRIBUTING lists them.
MAX_FILE_BYTES = 5_000_000
MAX_DEPTH = 40
MAX_INDENT = 160
MAX_DIGITS = 30
MAX_CHART_ITEMS = 100

# Characters YAML refuses in a file (PyYAML's list): C0 controls but tab, line feed and carriage return,
# DEL, C1 controls but NEL, surrogates, U+FFFE and U+FFFF.
_UNREADABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters that make text display differently from its bytes: bidirectional controls (Trojan Source)
# and zero-width characters. Refused in every value; shown by name in messages.
_INVISIBLE = {
    "\u200b": "零寬空格", "\u200c": "零寬非連接符", "\u200d": "零寬連接符", "\u2060": "字連接符",
    "\ufeff": "零寬不換行空格", "\u00ad": "軟連字號", "\u061c": "阿拉伯字母標記",
    "\u200e": "由左至右標記", "\u200f": "由右至左標記",
    **{chr(c): "雙向文字控制字元" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}
# The same characters as one pattern (controls but tab and line feed, surrogates, and _INVISIBLE), searched in C.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + "".join(_INVISIBLE) + "]")
_NAMES = {
    "\t": "定位字元 Tab", "\x0c": "換頁字元", "\x1b": "跳脫字元 ESC", "\x00": "空字元 NUL", "\x7f": "刪除字元 DEL",
    "\ufffe": "非字元", "\uffff": "非字元", "\r": "歸位字元 CR",
}


def describe(char: str) -> str:
    """Name a character for staff: its code point and what it is, e.g. U+200B（零寬空格）."""
    name = _NAMES.get(char) or _INVISIBLE.get(char)
    if name is None:
        category = unicodedata.category(char)
        kinds = {"Cc": "控制字元", "Cs": "無效的代理字元", "Cn": "未定義的字元"}
        name = kinds.get(category) or unicodedata.name(char, "特殊字元")
    return f"U+{ord(char):04X}（{name}）"


def unreadable(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (line, column, character), both from 1, of every character YAML cannot read in a file."""
    for found in _UNREADABLE.finditer(text):
        line = text.count("\n", 0, found.start())
        yield line + 1, found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1, found.group()


def invisible(text: str) -> str | None:
    """Return the first character in a value that would show differently from its bytes, or None."""
    found = _HIDDEN.search(text)
    return found.group() if found else None


def too_deep(text: str) -> tuple[int, int, str] | None:
    """Find where nesting first exceeds the limits: brackets deeper than MAX_DEPTH, or an indent over MAX_INDENT."""
    indent = _DEEP_INDENT.search(text)
    indent_line = text.count("\n", 0, indent.start()) + 1 if indent else None
    depth, line, start, quote = 0, 1, 0, ""
    for match in _STRUCTURE.finditer(text):  # only the characters that open, close or quote, searched in C
        char, at = match.group(), match.start()
        if char == "\n":
            line, start, quote = line + 1, at + 1, ""
            if indent_line is not None and line > indent_line:
                break
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, at - start + 1, f"括號巢狀超過 {MAX_DEPTH} 層"
        else:
            depth = max(depth - 1, 0)
    if indent and indent_line is not None:
        width = len(indent.group())
        return indent_line, width + 1, f"這一行縮排了 {width} 格，超過上限 {MAX_INDENT} 格"
    return None


_STRUCTURE = re.compile(r"[\n\"'\[\]{}]")
_DEEP_INDENT = re.compile(rf"^ {{{MAX_INDENT + 1},}}", re.MULTILINE)


def impossible_escape(text: str) -> tuple[int, int, str] | None:
    """Find a \\U escape beyond the last Unicode code point, which the YAML parser cannot turn into a character."""
    for found in re.finditer(r"\\U([0-9A-Fa-f]{8})", text):
        if int(found[1], 16) > 0x10FFFF:
            line = text.count("\n", 0, found.start())
            return line + 1, found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1, found.group()
    return None


def visible(text: str) -> str:
    """Show control and invisible characters as <U+XXXX>, so no value can move the cursor or hide in a message."""
    return "".join(f"<U+{ord(c):04X}>" if c in _INVISIBLE or unicodedata.category(c) in ("Cc", "Cs") else c
                   for c in text)
