"""Random damage to the real data files always gets a verdict (property-based; the seed is fixed, see conftest).

`bench/mutation_run.py` runs the same damage many more times.
"""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from mutate import Damage, damages, verdict


@settings(max_examples=150)
@given(st.lists(damages, min_size=1, max_size=3))
@example([Damage("kcg-ethics/reports/110-h2.yml", "insert", 0.5, "\x0c", 1)])
@example([Damage("kcg-ethics/agency.yml", "insert", 0.9, "[" * 60, 1)])
@example([Damage("kcg-ethics/plans/113.yml", "insert", 0.7, "1" + "0" * 309, 1)])
@example([Damage("kcg-ethics/indicators.yml", "truncate", 0.5, "", 1)])
def test_any_damage_to_the_real_data_gets_a_located_verdict(damage: list[Damage]) -> None:
    assert verdict(damage) in ("passed", "problems")


def test_the_undamaged_data_passes() -> None:
    assert verdict([]) == "passed"
