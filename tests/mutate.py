"""Damage the real data files the ways staff do, and judge the verdict (used by tests and bench/mutation_run.py).

The damage is what a paste from a PDF, a wrong key, an IME or a bad merge does: stray characters (form
feeds, escapes, invisible and bidi characters, full-width spaces and colons), brackets and quotes, cut or
doubled lines, shifted indents, huge or mangled numbers, impossible escapes. The rule: `portal check` ends
with a result, or with problems that each name a data file, a line and a column and say what is wrong in
Chinese; never any other exception. When the data still passes, the site is generated too.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from generator.assemble import load_portal
from generator.errors import DataError
from generator.pages import generate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FILES = sorted(path.relative_to(DATA).as_posix() for path in DATA.rglob("*.yml"))
STRAYS = [
    "\x0c", "\x1b[2K", "\x00", "\x7f", "\ufffe", "\u200b", "\u202e", "\u2066", "\ufeff", "\u3000", "：", "\t",
    "[", "]", "{", "}", ":", "- ", '"', "'", "&a", "*a", "!!python/object:x", "#", "|", ">", "\\U00110000",
    '"\\ud800"', "9" * 40, "1" + "0" * 309, "-", "１２", "1,234", "98.39%", "null", "~", "\n", "\n  ", "[" * 60,
]
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Damage:
    """One way of damaging one data file."""

    file: str
    kind: str
    at: float
    extra: str
    size: int

    def apply(self, text: str) -> str:
        """Return the damaged text."""
        cut = int(self.at * len(text))
        lines = text.splitlines(keepends=True)
        line = min(int(self.at * len(lines)), len(lines) - 1)
        if self.kind == "insert":
            return text[:cut] + self.extra + text[cut:]
        if self.kind == "delete":
            return text[:cut] + text[cut + self.size:]
        if self.kind == "truncate":
            return text[:cut]
        if not lines:  # an emptied file has no line to work on
            return text
        if self.kind == "double-line":
            return "".join(lines[:line + 1] + lines[line:])
        if self.kind == "drop-line":
            return "".join(lines[:line] + lines[line + 1:])
        if self.kind == "indent":
            return "".join([*lines[:line], " " * self.size + lines[line], *lines[line + 1:]])
        if self.kind == "dedent":
            return "".join([*lines[:line], lines[line].lstrip(" "), *lines[line + 1:]])
        if self.kind == "swap-lines" and line + 1 < len(lines):
            return "".join([*lines[:line], lines[line + 1], lines[line], *lines[line + 2:]])
        if self.kind == "digit":
            return re.sub(r"\d", self.extra[:1] if self.extra[:1].isdigit() else "7", text, count=self.size)
        return text


damages = st.builds(
    Damage,
    file=st.sampled_from(FILES),
    kind=st.sampled_from(["insert", "insert", "insert", "delete", "truncate", "double-line", "drop-line", "indent",
                          "dedent", "swap-lines", "digit"]),
    at=st.floats(min_value=0, max_value=1, allow_nan=False),
    extra=st.sampled_from(STRAYS),
    size=st.integers(min_value=1, max_value=12),
)


def verdict(damage: list[Damage]) -> str:
    """Apply the damage to a copy of data/ and return `passed` or `problems`; raise on any broken promise."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(DATA, data)
        for one in damage:
            path = data / one.file
            path.write_text(one.apply(path.read_text(encoding="utf-8")), encoding="utf-8", errors="surrogatepass")
        try:
            portal = load_portal(data, Path(tmp))
        except DataError as exc:
            assert exc.problems, "a DataError without problems"
            for problem in exc.problems:
                shown = str(problem)
                assert problem.file.startswith("data/") and problem.line >= 1 and problem.column >= 1, shown
                assert _CJK.search(problem.message), shown
                assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u200b\u202a-\u202e]", shown), shown
            return "problems"
        generate(portal, updated="2023-11-14")
        return "passed"
