"""bench/synth.py: synthetic data that passes every check, is byte-for-byte repeatable and says it is synthetic."""
from __future__ import annotations

import importlib.util
import random
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from conftest import ROOT
from generator.assemble import load_portal
from generator.load import parse
from generator.model import Figure, Report
from generator.walk import report_figures


def _import_synth() -> ModuleType:
    """Import bench/synth.py, which is a script and not part of the package."""
    spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


synth = _import_synth()


def _files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*.yml"))}


def _figures(report: Report) -> list[Figure]:
    return [at.figure for at in report_figures(report)]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Generate 2 agencies × 2 years once for the tests that only read it."""
    out = tmp_path_factory.mktemp("synth") / "data"
    return out, synth.write_portal(out, agencies=2, years=2)


def test_generated_portal_passes_validation(tree: tuple[Path, dict[str, int]]) -> None:
    out, counts = tree
    portal = load_portal(out, ROOT)
    assert [a.id for a in portal.agencies] == ["synth-001", "synth-002"]
    assert sum(len(a.plans) for a in portal.agencies) == 4
    assert sum(len(a.reports) for a in portal.agencies) == 8
    assert [(r.record.year, r.record.period) for r in portal.agencies[0].reports] == [
        (100, "上半年"), (100, "下半年"), (101, "上半年"), (101, "下半年")
    ]
    assert {k: counts[k] for k in ("agencies", "plans", "reports")} == {"agencies": 2, "plans": 4, "reports": 8}
    reports = [s.record for a in portal.agencies for s in a.reports]
    assert counts["figures"] == sum(len(_figures(r)) for r in reports)
    for report in reports:
        figures = _figures(report)
        assert 25 <= len(figures) <= 30
        assert sorted(len(f.breakdowns) for f in figures if f.breakdowns) == [1, 2]
        assert any(isinstance(f.value, Decimal) and f.unit == "%" for f in figures)


def test_labels_recur_across_periods(tree: tuple[Path, dict[str, int]]) -> None:
    out, _ = tree
    portal = load_portal(out, ROOT)
    labels = [[f.label for f in _figures(s.record)] for a in portal.agencies for s in a.reports]
    assert all(found == labels[0] for found in labels)
    assert "召開機關廉政會報" in labels[0] and "受理檢舉案件" in labels[0]


def test_same_arguments_give_identical_files(tmp_path: Path, tree: tuple[Path, dict[str, int]]) -> None:
    first, _ = tree
    synth.write_portal(tmp_path / "again", agencies=2, years=2)
    synth.write_portal(tmp_path / "other-seed", agencies=2, years=2, seed=1)
    assert _files(tmp_path / "again") == _files(first)
    assert len(_files(first)) == 2 * 2 + 4 + 8  # agency.yml and indicators.yml per agency, plans, reports
    assert _files(tmp_path / "other-seed") != _files(first)


def test_every_file_says_it_is_synthetic(tree: tuple[Path, dict[str, int]]) -> None:
    out, _ = tree
    for name, data in _files(out).items():
        lines = data.decode("utf-8").splitlines()
        assert lines[0].startswith("# yaml-language-server: $schema="), name
        assert lines[1] == synth.MARKER, name
        record = parse(data.decode("utf-8"), name).data
        if name.endswith("agency.yml"):
            assert "（合成資料）" in record["name"]
        elif name.endswith("indicators.yml"):
            assert all(i["definition"].startswith("合成資料，非真實文件") for i in record["indicators"]), name
        else:
            assert "（合成資料）" in record["title"], name
            assert record["source"]["document"].startswith("合成資料，非真實文件"), name


def test_yaml_text_reads_back_as_the_record() -> None:
    plan = synth.plan_record("合成機關001政風室", 113, random.Random(0))
    report = synth.report_record("合成機關001政風室", 113, "下半年", 1.0, random.Random(0))
    for record, schema in ((plan, "plan"), (report, "report")):
        assert parse(synth.render(record, schema), "x.yml").data == record


def test_cli_prints_counts_and_refuses_a_non_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert synth.main([str(tmp_path / "out"), "--agencies", "1", "--years", "1", "--first-year", "113"]) == 0
    assert "agencies=1 plans=1 reports=2 figures=60" in capsys.readouterr().out
    assert (tmp_path / "out" / "synth-001" / "reports" / "113-h2.yml").is_file()
    before = _files(tmp_path / "out")
    assert synth.main([str(tmp_path / "out"), "--agencies", "1", "--years", "1", "--seed", "5"]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert _files(tmp_path / "out") == before
