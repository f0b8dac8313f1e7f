"""The one exception base for problems a person can fix; the CLI turns it into a message and an exit code."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .scan import visible

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


class PortalError(Exception):
    """Raise for anything a person can fix: the message says what, in Traditional Chinese, and the exit code how bad."""

    exit_code = EXIT_DATA

    def report(self) -> str:
        """Return the text the command line prints for this problem."""
        return visible(str(self))


class UsageError(PortalError):
    """Raise when the command was called wrongly: an unknown revision, a folder that cannot be written."""

    exit_code = EXIT_USAGE


class BuildError(PortalError):
    """Raise when the site engine refuses to build (a broken link, a strict-mode warning)."""

    @classmethod
    def process_ended(cls) -> BuildError:
        """Return the error for a process of the build that ended without a result (most often out of memory)."""
        return cls("產生頁面的程序意外結束（可能是記憶體不足）；請關掉其他程式後再試一次。")

    def report(self) -> str:
        """Say that nothing changed, then what the engine said."""
        return f"網站建置失敗，原有的網站沒有變動 (build failed, site/ left as it was):\n{self}"


@dataclass(frozen=True, order=True)
class Problem:
    """One fixable problem, located at a file, line and column (both 1-based)."""

    file: str
    line: int
    column: int
    field: str
    message: str

    @property
    def todo(self) -> bool:
        """Tell whether this is a field still to fill in (「尚未填寫」, as `portal new` leaves them), not a mistake."""
        return self.message.startswith("尚未填寫")

    def __str__(self) -> str:
        where = visible(f"{self.file}:{self.line}:{self.column}")
        message = visible(self.message.replace("\n", "↵"))  # one line per problem, and nothing a terminal obeys
        return f"{where}: {visible(self.field)}: {message}" if self.field else f"{where}: {message}"


class DataError(PortalError):
    """Carry every problem found in the data in one run, each at its file, line and column."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[DataError], tuple[list[Problem]]]:
        """Rebuild from the problems when sent from the process that checked the data."""
        return DataError, (self.problems,)

    def report(self) -> str:
        """Return the problems as lines plus a one-line summary in Traditional Chinese."""
        mistakes = [p for p in self.problems if not p.todo]
        todo = [p for p in self.problems if p.todo]
        lines = [str(p) for p in mistakes + todo]  # a real mistake is not buried among the fields to fill in
        count = len(self.problems)
        if todo and mistakes:
            summary = (f"共 {count} 個問題：{len(mistakes)} 個錯誤（列在前面），"
                       f"{len(todo)} 個欄位尚未填寫。請修正後再試。")
        elif todo:
            summary = f"共 {count} 個問題：{count} 個欄位尚未填寫，請依來源文件填入後再試。"
        else:
            summary = f"共 {count} 個問題，請修正後再試。"
        lines.append(f"{summary}({count} problem(s) found)")
        return "\n".join(lines)
