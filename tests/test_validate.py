"""Every kind of bad input is refused with file:line:column, in Traditional Chinese, exit status 1."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, copy_data, run_portal

BAD = sorted(p.name for p in (FIXTURES / "bad").iterdir() if p.is_dir())


def test_there_is_a_fixture_for_each_kind_of_bad_input() -> None:
    assert len(BAD) == 102  # one folder per kind of mistake: adding or losing one changes this count
    assert [name for name in BAD if not (FIXTURES / "bad" / name / "expected.txt").is_file()] == []


@pytest.mark.parametrize("scenario", BAD)
def test_bad_input_is_refused_with_exact_message(scenario: str, tmp_path: Path) -> None:
    fixture = FIXTURES / "bad" / scenario
    copy_data(FIXTURES / "minimal", tmp_path / "data", fixture)
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "check")
    assert result.returncode == 1
    assert result.stderr == (fixture / "expected.txt").read_text(encoding="utf-8")
    assert result.stdout == ""


def test_minimal_fixture_passes(tmp_path: Path) -> None:
    copy_data(FIXTURES / "minimal", tmp_path / "data")
    result = run_portal("-f", str(tmp_path / "mkdocs.yml"), "check")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "資料檢查通過：1 個機關、1 份施政計畫、1 份工作成果報告。\n"


def test_real_data_passes() -> None:
    result = run_portal("check")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "資料檢查通過：1 個機關、1 份施政計畫、1 份工作成果報告。\n"


def test_check_never_writes_data_and_caches_only_files_that_passed(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "minimal", tmp_path / "data", FIXTURES / "bad" / "budget-total-mismatch")
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    run_portal("-f", str(tmp_path / "mkdocs.yml"), "check")
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "data"]
    passed = pickle.loads((tmp_path / ".cache/records/passed.pickle").read_bytes())
    assert list(passed.values()) == [None]  # the report, not kept by a check; the plan has an error


def test_real_data_files_point_editors_at_schemas() -> None:
    for path in sorted((ROOT / "data").rglob("*.yml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
