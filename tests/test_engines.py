"""`portal build` publishes the same site with MkDocs and with ProperDocs, its maintained fork."""
from __future__ import annotations

import re
import subprocess
import sys
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


def test_zensical_builds_the_site_portal_export_writes(tmp_path: Path) -> None:
    """Smoke test: Zensical (no plugin API) builds every page of `portal export --site`, with its own header."""
    result = run_portal("-q", "export", "--site", str(tmp_path))
    assert (result.returncode, result.stderr) == (0, "")
    zensical = Path(sys.executable).with_name("zensical")
    built = subprocess.run([str(zensical), "build"], cwd=tmp_path, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    docs, site = tmp_path / "docs", tmp_path / "site"
    pages = {p.relative_to(docs).with_suffix("").as_posix() for p in docs.rglob("*.md")}
    expected = {"index.html" if page == "index" else f"{page.removesuffix('/index')}/index.html" for page in pages}
    assert {p.relative_to(site).as_posix() for p in site.rglob("*.html")} == expected | {"404.html"}
    home = (site / "index.html").read_text(encoding="utf-8")
    header = home[home.index("<header"):home.index("</header>")]
    # Zensical's own search button: Material's search dialog of theme/partials would break its header.
    assert re.findall(r'class="(md-search[^"]*)"', header) == ["md-search", "md-search__button"]
    assert 'href="./assets/stylesheets/portal.css"' in home
