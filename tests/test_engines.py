"""`portal build` publishes the same site with MkDocs and with ProperDocs, its maintained fork."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import run_portal

# The one place the engines differ: <meta name="generator" content="mkdocs-1.6.1, …"> names the engine.
_GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): _GENERATOR.sub(b"", p.read_bytes()) for p in site.rglob("*") if p.is_file()}


def test_mkdocs_and_properdocs_build_the_same_site(tmp_path: Path) -> None:
    for engine in ("mkdocs", "properdocs"):
        result = run_portal("-q", "build", "--engine", engine, "--site-dir", str(tmp_path / engine))
        assert (result.returncode, result.stderr) == (0, ""), engine
    mkdocs, properdocs = _files(tmp_path / "mkdocs"), _files(tmp_path / "properdocs")
    assert sorted(mkdocs) == sorted(properdocs)
    assert [path for path in mkdocs if mkdocs[path] != properdocs[path]] == []
    generator = _GENERATOR.search((tmp_path / "properdocs" / "index.html").read_bytes())
    assert generator is not None and b"ProperDocs 1.6.7" in generator[0]


def test_an_unknown_engine_is_refused_in_chinese() -> None:
    result = run_portal("build", "--engine", "hugo")
    assert result.returncode == 2
    said = "portal: --engine 不能是「hugo」；可用的有：mkdocs、properdocs（執行 portal -h 看用法）\n"
    assert result.stderr.endswith(said)
