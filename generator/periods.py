"""The periods figures cover: named periods of an ROC year (上半年, 第1季, 7月) and any range of months."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from .formats import western_year

# Named periods as staff write them, with the file and URL stem of each.
HALVES = {"上半年": "h1", "下半年": "h2", "全年": "year"}
QUARTERS = {f"第{q}季": f"q{q}" for q in range(1, 5)}
MONTHS = {f"{m}月": f"m{m:02d}" for m in range(1, 13)}
NAMED = {**HALVES, **QUARTERS, **MONTHS}
# The first and last month of each named period.
_NAMED_MONTHS = {
    "上半年": (1, 6), "下半年": (7, 12), "全年": (1, 12),
    **{f"第{q}季": (3 * q - 2, 3 * q) for q in range(1, 5)},
    **{f"{m}月": (m, m) for m in range(1, 13)},
}
_SHORT = {"上半年": "上", "下半年": "下", "全年": "全年"}
YearMonth = tuple[int, int]


@dataclass(frozen=True, order=True)
class Span:
    """A period in whole months of ROC years, ordered by its end, then by its length (上半年 < 下半年 < 全年)."""

    end: YearMonth
    months: int
    named: str | None = None
    cumulative: bool = False

    @staticmethod
    def of(year: int, name: str) -> Span:
        """Return the span of a named period of a year: 110 下半年 is 110-07 to 110-12."""
        first, last = _NAMED_MONTHS[name]
        return Span((year, last), last - first + 1, name)

    @staticmethod
    def between(start: YearMonth, end: YearMonth, cumulative: bool = False) -> Span:
        """Return the span from the start month to the end month, both included."""
        return Span(end, (end[0] - start[0]) * 12 + end[1] - start[1] + 1, None, cumulative)

    @property
    def start(self) -> YearMonth:
        """Return the first month of the span."""
        return _back(self.end, self.months - 1)

    @property
    def year(self) -> int:
        """Return the ROC year the span ends in."""
        return self.end[0]

    def before(self, months: int) -> tuple[YearMonth, int]:
        """Return (end, length) of the span of the same length that ends `months` earlier."""
        return _back(self.end, months), self.months

    @property
    def key(self) -> tuple[YearMonth, int]:
        """Return (end, length): two spans with the same key cover the same months."""
        return self.end, self.months

    @property
    def slug(self) -> str:
        """Return the file and URL stem: 110-h2, 110-q1, 110-m07, or 89.07-96.04 for a range."""
        if self.named:
            return f"{self.year}-{NAMED[self.named]}"
        return f"{self.start[0]}.{self.start[1]:02d}-{self.end[0]}.{self.end[1]:02d}"

    @property
    def name(self) -> str:
        """Name the span: 110 年下半年, 110 年第1季, 89 年 7 月至 96 年 4 月（累計 adds 累計）."""
        if self.named:
            return f"{self.year} 年{self.named}"
        start = self.start
        text = f"{start[0]} 年 {start[1]} 月至 {self.end[0]} 年 {self.end[1]} 月"
        return text + ("累計" if self.cumulative else "")

    @property
    def short(self) -> str:
        """Label the span under a chart column: 110下, 111全年, 110第1季, 89.07–96.04."""
        if self.named:
            return f"{self.year}{_SHORT[self.named]}" if self.named in _SHORT else f"{self.year}年{self.named}"
        return f"{self.start[0]}.{self.start[1]:02d}–{self.end[0]}.{self.end[1]:02d}"

    @property
    def through(self) -> str:
        """Return the last day the span covers: 110 年 12 月 31 日."""
        last = calendar.monthrange(western_year(self.end[0]), self.end[1])[1]
        return f"{self.end[0]} 年 {self.end[1]} 月 {last} 日"

    @property
    def western(self) -> str:
        """Return the Western years the span falls in: 2021, or 2000 至 2007."""
        first, last = western_year(self.start[0]), western_year(self.end[0])
        return str(last) if first == last else f"{first} 至 {last}"


def from_slug(stem: str) -> Span | None:
    """Read a report file's stem back into its span: 110-h2, 110-q1, 110-m07, 89.07-96.04; None otherwise."""
    named = {slug: name for name, slug in NAMED.items()}
    year, _, rest = stem.partition("-")
    if year.isdigit() and rest in named:
        return Span.of(int(year), named[rest])
    found = re.fullmatch(r"(\d{1,3})\.(\d{2})-(\d{1,3})\.(\d{2})", stem)
    if found:
        return Span.between((int(found[1]), int(found[2])), (int(found[3]), int(found[4])))
    return None


def _back(at: YearMonth, months: int) -> YearMonth:
    total = at[0] * 12 + at[1] - 1 - months
    return total // 12, total % 12 + 1


def parse_month(text: str) -> YearMonth | None:
    """Read an ROC year and month written 89-07 (or 89-7); None when it is not one."""
    found = re.fullmatch(r"(\d{1,3})-(\d{1,2})", text)
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
        return None
    return int(found[1]), int(found[2])
