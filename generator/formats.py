"""Write numbers, amounts and years the way Taiwanese readers expect; depends on nothing else in the package."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal


def western_year(roc_year: int) -> int:
    """Convert an ROC year to the Western year (民國 113 年 = 2024)."""
    return roc_year + 1911


def roc_year(year: int, to_year: int | None = None) -> str:
    """Show ROC years with their Western years: 113 年度（2024 年）, 104 至 107 年度（2015 至 2018 年）."""
    if to_year is None:
        return f"{year} 年度（{western_year(year)} 年）"
    return f"{year} 至 {to_year} 年度（{western_year(year)} 至 {western_year(to_year)} 年）"


def number(value: int | Decimal) -> str:
    """Write a number with thousands separators: 59,738 or 98.39."""
    return f"{value:,}"


def value_label(value: int | Decimal, unit: str) -> str:
    """Write a value with its unit: 95 會議次, 98.39% (pages, charts and review all print it so)."""
    return f"{value:,}{unit}" if unit == "%" else f"{value:,} {unit}"


# Money units and how many 元 each one is; amounts stay in the unit the document uses, this is only for reading.
MONEY = {"元": 1, "千元": 1_000, "萬元": 10_000, "百萬元": 1_000_000, "億元": 100_000_000}


def amount_reading(amount: int | Decimal, unit: str = "千元") -> str:
    """Spell money exactly in 億, 萬 and 千 or 元: 59,738 千元 → 5,973 萬 8 千元, 27,872,503 元 → 2,787 萬 2,503 元."""
    yuan = Decimal(amount) * MONEY.get(unit, 0)
    if unit not in MONEY or yuan != yuan.to_integral_value():
        return f"{amount:,} {unit}"  # not money, or a fraction of a 元: no exact reading
    yi, rest = divmod(abs(int(yuan)), 100_000_000)
    wan, small = divmod(rest, 10_000)
    parts = ([f"{yi:,} 億"] if yi else []) + ([f"{wan:,} 萬"] if wan else [])
    if small:
        parts.append(f"{small // 1000} 千" if small % 1000 == 0 else f"{small:,} ")
    if not parts:
        return "0 元"
    return ("負 " if yuan < 0 else "") + " ".join(parts) + "元"


# A number as documents print it: 2665, 2,665, 2，665 or 2 665 (thin or full-width spaces too), maybe with decimals.
_NUMBER = re.compile(
    r"(?<![\d.])\d{1,3}(?:[,，\u0020\u2009\u202f\u3000]\d{3})+(?:\.\d+)?(?!\d)|(?<![\d.])\d+(?:\.\d+)?(?!\d)"
)
_SEPARATORS = str.maketrans("", "", ",，\u0020\u2009\u202f\u3000")


def numbers_in(text: str) -> list[Decimal]:
    """Return every number written in `text`, thousands separators of any kind removed."""
    return [Decimal(found.translate(_SEPARATORS)) for found in _NUMBER.findall(text)]


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """Return part/whole in percent to two decimals, half up (computed by the portal); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
