"""Write numbers, units and periods the way Taiwanese readers expect; depends on nothing else in the package."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Report periods as staff write them, with the file and URL stem of each, in the order of the year.
PERIODS = {"上半年": "h1", "下半年": "h2", "全年": "year"}
PERIOD_END = {"上半年": "6 月 30 日", "下半年": "12 月 31 日", "全年": "12 月 31 日"}
PERIOD_SHORT = {"上半年": "上", "下半年": "下", "全年": "全年"}


def period_index(period: str) -> int:
    """Return where a period falls in the year: 上半年 0, 下半年 1, 全年 2."""
    return list(PERIODS).index(period)


def western_year(roc_year: int) -> int:
    """Convert an ROC year to the Western year (民國 113 年 = 2024)."""
    return roc_year + 1911


def roc_year(year: int) -> str:
    """Show an ROC year with its Western year: 113 年度（2024 年）."""
    return f"{year} 年度（{western_year(year)} 年）"


def period_slug(year: int, period: str) -> str:
    """Return the file and URL stem of a report period, e.g. 110-h2."""
    return f"{year}-{PERIODS[period]}"


def period_name(year: int, period: str) -> str:
    """Name a report's period: 110 年下半年."""
    return f"{year} 年{period}"


def period_through(year: int, period: str) -> str:
    """Return the last day a period covers, e.g. 110 年 12 月 31 日."""
    return f"{year} 年 {PERIOD_END[period]}"


def number(value: int | Decimal) -> str:
    """Write a number with thousands separators: 59,738 or 98.39."""
    return f"{value:,}"


def value_label(value: int | Decimal, unit: str) -> str:
    """Write a value with its unit: 95 會議次, 98.39% (pages, charts and review all print it so)."""
    return f"{value:,}{unit}" if unit == "%" else f"{value:,} {unit}"


def amount_reading(thousands: int) -> str:
    """Spell an amount in 千元 exactly in 億/萬/千 units: 59,738 → 5,973 萬 8 千元."""
    yi, rest = divmod(thousands, 100_000)
    wan, qian = divmod(rest, 10)
    parts = [f"{yi:,} 億"] if yi else []
    if wan:
        parts.append(f"{wan:,} 萬")
    if qian:
        parts.append(f"{qian} 千")
    return " ".join(parts) + "元" if parts else "0 元"


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """Return part/whole in percent to two decimals, half up (computed by the portal); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
