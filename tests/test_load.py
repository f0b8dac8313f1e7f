"""The strict YAML loader: no YAML 1.1 surprises, and positions for every key and value."""
from __future__ import annotations

from decimal import Decimal

import pytest

from generator.errors import DataError
from generator.load import format_loc, parse


def test_yes_no_on_off_stay_text() -> None:
    doc = parse("a: no\nb: yes\nc: on\nd: off\ne: true\n", "x.yml")
    assert doc.data == {"a": "no", "b": "yes", "c": "on", "d": "off", "e": True}


def test_numbers_that_yaml_11_would_change_stay_text() -> None:
    doc = parse("octal: 010\nsexagesimal: 1:20\ndate: 2024-01-01\ncomma: 1,170\n", "x.yml")
    assert doc.data == {"octal": "010", "sexagesimal": "1:20", "date": "2024-01-01", "comma": "1,170"}


def test_decimals_are_exact_and_integers_are_integers() -> None:
    doc = parse("pct: 98.39\ncount: 571\nneg: -3\n", "x.yml")
    assert doc.data == {"pct": Decimal("98.39"), "count": 571, "neg": -3}
    assert isinstance(doc.data["pct"], Decimal)


def test_positions_of_keys_and_values_are_one_based() -> None:
    doc = parse("budget:\n  lines:\n    - amount: 5\n", "x.yml")
    assert doc.where(("budget", "lines", 0, "amount")) == (3, 15)
    assert doc.where(("budget", "lines", 0, "amount"), key=True) == (3, 7)
    assert doc.where(("budget", "lines", 0, "missing")) == (3, 7)


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(DataError) as exc:
        parse("a: 1\nb: 2\na: 3\n", "x.yml")
    assert [str(p) for p in exc.value.problems] == [
        "x.yml:3:1: a: 欄位重複：第 1 行已經寫過 a，同一層只能寫一次 (duplicate key)"
    ]


def test_python_tags_are_refused() -> None:
    with pytest.raises(DataError) as exc:
        parse("a: !!python/object:os.system ls\n", "x.yml")
    assert str(exc.value.problems[0]).startswith("x.yml:1:4: a: 不支援的 YAML 標籤 tag:yaml.org,2002:python/object")


def test_format_loc_counts_from_one() -> None:
    assert format_loc(("budget", "lines", 2, "amount")) == "budget.lines[3].amount"
    assert format_loc(()) == ""
