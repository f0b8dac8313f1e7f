"""A build split by agency into parts, built in separate processes, merges into the very site one build makes."""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from test_build import tree

from conftest import ROOT, run_portal, write_config
from generator.shards import MARKER, Shard, owner


def _synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SYNTHETIC portal of 3 agencies × 2 years (bench/synth.py), with its whole site built in one run."""
    folder = tmp_path_factory.mktemp("shards")
    _synth().write_portal(folder / "data", 3, 2)
    config = write_config(folder, folder / "data")
    result = run_portal("-f", str(config), "-q", "build", "-d", str(folder / "whole"))
    assert result.returncode == 0, result.stderr
    return folder


def test_parts_built_in_separate_processes_merge_into_the_whole_site_byte_for_byte(project: Path) -> None:
    config = project / "mkdocs.yml"
    for index in (1, 2):
        result = run_portal("-f", str(config), "build", "--shard", f"{index}/2", "-d", str(project / f"part{index}"))
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1].startswith(f"第 {index}/2 片已建置到 ")
    whole = tree(project / "whole")
    parts = [tree(project / f"part{index}") for index in (1, 2)]
    assert all(0 < len(part) - 1 < len(whole) for part in parts)  # each part holds less than the site
    result = run_portal("-f", str(config), "merge", str(project / "part1"), str(project / "part2"),
                        "-d", str(project / "merged"))
    assert result.returncode == 0, result.stderr
    assert tree(project / "merged") == whole
    assert result.stdout == f"已合併 2 片、{len(whole):,} 個檔案到 {project / 'merged'}。\n"


def test_agencies_are_dealt_to_parts_and_the_rest_goes_to_part_one() -> None:
    agencies = ["c", "a", "b"]
    assert [owner(f"{a}/reports/110-h2/index.md", agencies, 2) for a in "abc"] == [1, 2, 1]
    assert owner("search/b.json", agencies, 2) == 2
    assert owner("search/site.json", agencies, 2) == 1
    assert owner("opendata/b/index.md", agencies, 2) == 2  # an agency's datasets and their page go with its pages
    assert owner("opendata/b/113-budget.csv", agencies, 2) == 2
    assert owner("opendata/index.md", agencies, 2) == 1
    assert owner("opendata/datapackage.json", agencies, 2) == 1
    assert owner("assets/javascripts/portal-search.js", agencies, 2) == 1
    assert Shard(2, 2).owns("b/indicators/index.md", agencies)


@pytest.mark.parametrize("spec", ["0/2", "3/2", "1", "一/二", "1/0"])
def test_a_malformed_part_is_refused_in_chinese(project: Path, spec: str) -> None:
    result = run_portal("-f", str(project / "mkdocs.yml"), "build", "--shard", spec)
    assert result.returncode == 2
    assert result.stderr == f"分片「{spec}」的寫法不對；請寫成 第幾片/共幾片，例如 --shard 1/2（從 1 數起）\n"


def test_merge_refuses_missing_mixed_or_conflicting_parts_and_leaves_the_site_alone(
    project: Path, tmp_path: Path
) -> None:
    config = project / "mkdocs.yml"
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    parts = []
    for index in (1, 2, 3):
        part = tmp_path / f"p{index}"
        assert run_portal("-f", str(config), "-q", "build", "--shard", f"{index}/3", "-d", str(part)).returncode == 0
        parts.append(part)

    def merge(*folders: Path) -> str:
        result = run_portal("-f", str(config), "merge", *map(str, folders), "-d", str(site))
        assert result.returncode == 1, result.stdout
        first, _, rest = result.stderr.partition("\n")
        assert first == "網站建置失敗，原有的網站沒有變動 (build failed, site/ left as it was):"
        return rest

    assert merge(parts[0], parts[2]) == "分片不齊或重複：共 3 片，收到第 1、3 片，缺第 2 片。\n"
    assert merge(parts[0], parts[0], parts[1], parts[2]) == "分片不齊或重複：共 3 片，收到第 1、1、2、3 片。\n"
    mixed = tmp_path / "mixed"
    shutil.copytree(parts[1], mixed)
    marker = json.loads((mixed / MARKER).read_text(encoding="utf-8"))
    (mixed / MARKER).write_text(json.dumps({**marker, "input": "0" * 64}), encoding="utf-8")
    assert merge(parts[0], mixed, parts[2]) == (
        "這些分片不是由同一份資料與程式、同一種分法建置的，無法合併；請用同一個版本重新建置每一片。\n"
    )
    (parts[1] / "404.html").write_text("changed", encoding="utf-8")
    assert merge(*parts) == "p1 與 p2 的 404.html 內容不同，無法合併。\n"
    result = run_portal("-f", str(config), "merge", str(tmp_path / "nowhere"), "-d", str(site))
    assert (result.returncode, result.stderr) == (2, f"找不到分片資料夾 {tmp_path / 'nowhere'}\n")
    assert (site / "index.html").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == []


def test_the_home_page_of_several_agencies_opens_with_each_ones_latest_budget_and_report(project: Path) -> None:
    page = (project / "whole" / "index.html").read_text(encoding="utf-8")
    table = page[page.index("<caption>各機關最新的預算與工作成果</caption>"):]
    rows = re.findall(r'<tr><th scope="row"><a href="([\w-]+)/">', table[:table.index("</table>")])
    assert rows == [f"synth-{n:03d}" for n in range(1, 4)]  # each agency's page, which its summary heads
    assert 'id="synth-001-budget"' not in page
    assert 'id="synth-001-budget"' in (project / "whole" / "synth-001" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<td class="num">\d+ 年度 [\d,]+ 千元</td><td><a href="synth-001/reports/[\w.-]+/">', table)
