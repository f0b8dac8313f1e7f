"""The one exception type for problems a person editing `data/` can fix."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One fixable problem, located at a file, line and column (both 1-based)."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class DataError(Exception):
    """Carry every problem found in one run; the CLI prints them and exits 1."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def report(self) -> str:
        """Return the problems as lines plus a one-line summary in Traditional Chinese."""
        lines = [str(p) for p in self.problems]
        lines.append(f"共 {len(self.problems)} 個問題，請修正後再試。({len(self.problems)} problem(s) found)")
        return "\n".join(lines)
