"""Numbers in quotes, money readings and periods: what staff write is read as the document means it."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from generator.formats import amount_reading, numbers_in
from generator.periods import Span, from_slug

SEPARATORS = [",", "，", " ", "\u3000", "\u2009"]


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(SEPARATORS), st.sampled_from(["計", "共 ", "達"]),
       st.sampled_from(["件", " 元", "人次", "%"]))
@example(2665, " ", "累計查處 ", " 宗")
def test_a_number_is_found_however_its_thousands_are_separated(value: int, sep: str, before: str, after: str) -> None:
    written = f"{value:,}".replace(",", sep)
    assert numbers_in(f"{before}{written}{after}") == [Decimal(value)]


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=99))
def test_decimals_keep_their_digits(whole: int, fraction: int) -> None:
    assert numbers_in(f"授權率達{whole:,}.{fraction:02d}％") == [Decimal(f"{whole}.{fraction:02d}")]


def test_separate_numbers_stay_separate() -> None:
    assert numbers_in("計95會議次，討論提案185案次") == [Decimal(95), Decimal(185)]
    assert numbers_in("110年 2件") == [Decimal(110), Decimal(2)]
    assert numbers_in("第56條、98.39%、1,170人次") == [Decimal(56), Decimal("98.39"), Decimal(1170)]


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["元", "千元", "萬元"]))
def test_a_money_reading_is_exact(amount: int, unit: str) -> None:
    reading = amount_reading(amount, unit)
    scale = {"元": 1, "千元": 1000, "萬元": 10000}[unit]
    total = 0
    for part, factor in (("億", 10**8), ("萬", 10**4), ("千", 1000)):
        if f" {part}" in reading:
            head, _, reading = reading.partition(f" {part}")
            total += int(head.split()[-1].replace(",", "")) * factor
    rest = reading.replace("元", "").strip()
    total += int(rest.replace(",", "")) if rest else 0
    assert total == amount * scale


def test_money_readings() -> None:
    assert amount_reading(59738, "千元") == "5,973 萬 8 千元"
    assert amount_reading(27872503, "元") == "2,787 萬 2,503 元"
    assert amount_reading(12345, "萬元") == "1 億 2,345 萬元"
    assert amount_reading(0, "元") == "0 元"
    assert amount_reading(-802323, "元") == "負 80 萬 2,323 元"


@given(st.integers(min_value=1, max_value=300), st.sampled_from(
    ["上半年", "下半年", "全年", *(f"第{q}季" for q in range(1, 5)), *(f"{m}月" for m in range(1, 13))]))
def test_a_named_period_survives_its_file_name(year: int, name: str) -> None:
    span = Span.of(year, name)
    assert from_slug(span.slug) == span


@given(st.integers(min_value=1, max_value=300), st.integers(min_value=1, max_value=12),
       st.integers(min_value=0, max_value=240))
def test_a_range_survives_its_file_name_and_counts_its_months(year: int, month: int, length: int) -> None:
    start = (year, month)
    end_total = year * 12 + month - 1 + length
    span = Span.between(start, (end_total // 12, end_total % 12 + 1))
    assert span.months == length + 1 and span.start == start
    assert from_slug(span.slug) == span


def test_periods_sort_by_end_then_length_and_compare_with_the_same_length_before() -> None:
    h1, h2, year = Span.of(110, "上半年"), Span.of(110, "下半年"), Span.of(110, "全年")
    assert sorted([year, h2, h1]) == [h1, h2, year]
    assert h1.before(h1.months) == Span.of(109, "下半年").key
    assert Span.of(111, "第1季").before(3) == Span.of(110, "第4季").key
    assert Span.between((89, 7), (96, 4), cumulative=True).name == "89 年 7 月至 96 年 4 月累計"
    assert Span.of(111, "2月").through == "111 年 2 月 28 日" and Span.of(113, "2月").through == "113 年 2 月 29 日"
