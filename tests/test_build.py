"""The built site: every seed figure on its page, no other hosts, reproducible, all-or-nothing."""
from __future__ import annotations

import re
import shutil
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from conftest import FIXTURES, ROOT, copy_data, run_portal, write_config
from generator.assemble import load_portal
from generator.cache import Stored, content_bytes
from generator.charts import ChartCache
from generator.load import parse
from generator.markup import with_unit
from generator.pages import generate
from generator.walk import plan_items, report_figures


class _Text(HTMLParser):
    """Collect the visible text of an HTML page (entities decoded, scripts skipped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("td", "th", "tr", "p", "li", "br", "div", "caption", "h1", "h2", "h3", "h4", "figcaption"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_of(page: Path) -> str:
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    return " ".join("".join(parser.parts).split())


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_report_figure_is_on_the_report_page(built_site: Path) -> None:
    report = load_portal(ROOT / "data", ROOT).agencies[0].reports[0].record
    text = text_of(built_site / "kcg-ethics/reports/110-h2/index.html")
    figures = report_figures(report)
    assert len(figures) == 28
    for located in figures:
        for figure in [located.figure] + [p for b in located.figure.breakdowns for p in b.parts]:
            assert f"{figure.label} {with_unit(figure.value, figure.unit)}" in text, figure.label
            assert f"「{figure.quote}」" in text
    for chapter in report.chapters:
        for section in chapter.sections:
            for item in section.items:
                assert item.text in text
    assert "受理檢舉貪瀆不法案件 571 案" in text
    assert "具名檢舉 402 案 70.40%" in text


def test_every_plan_item_and_budget_line_is_on_the_site(built_site: Path) -> None:
    plan = load_portal(ROOT / "data", ROOT).agencies[0].plans[0].record
    plan_text = text_of(built_site / "kcg-ethics/plans/113/index.html")
    budget_text = text_of(built_site / "kcg-ethics/plans/113/budget/index.html")

    for item in (at.item for at in plan_items(plan)):
        assert item.name in plan_text
        if item.objective:
            assert item.objective in plan_text
        for step in item.steps:
            assert step in plan_text
    assert plan.priorities and plan.budget
    for priority in plan.priorities.entries:
        assert priority.text in plan_text
    for line in plan.budget.lines:
        assert f"{line.no} {line.name} {line.program} {line.amount:,}" in budget_text
    assert "合計 59,738 100.00%" in budget_text
    assert "本年度預算合計 59,738 千元，即 5,973 萬 8 千元。" in budget_text


def test_home_shows_latest_budget_and_key_figures(built_site: Path) -> None:
    text = text_of(built_site / "index.html")
    assert "113 年度（2024 年）預算合計 59,738 千元，即 5,973 萬 8 千元。" in text
    for fragment in ("召開機關廉政會報 95 會議次", "執行保密宣導 947 案", "受理檢舉貪瀆不法案件 571 案"):
        assert fragment in text


def test_charts_are_published_with_alt_text(built_site: Path) -> None:
    page = (built_site / "kcg-ethics/reports/110-h2/index.html").read_text(encoding="utf-8")
    for name in ("figure-23-1.svg", "figure-23-2.svg"):
        assert (built_site / "kcg-ethics/reports/110-h2" / name).is_file()
        assert re.search(rf'<img src="{name}" alt="長條圖，[^"]+"', page)


_EXTERNAL = re.compile(r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def test_no_page_loads_anything_from_another_host(built_site: Path) -> None:
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe|source|video|audio|object|embed)\b[^>]*>", html):
            assert not _EXTERNAL.search(tag), f"{page}: {tag}"
    for sheet in built_site.rglob("*.css"):
        assert not re.search(r"url\(\s*[\"']?(?:https?:)?//", sheet.read_text(encoding="utf-8")), sheet


def test_two_builds_are_byte_identical(built_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "site"
    result = run_portal("build", "--site-dir", str(again))
    assert result.returncode == 0, result.stderr
    assert tree(again) == tree(built_site)


def test_failed_build_leaves_site_and_data_untouched(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "minimal", tmp_path / "data", FIXTURES / "bad" / "breakdown-mismatch")
    config = write_config(tmp_path, data)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old site", encoding="utf-8")
    data_before = tree(data)
    result = run_portal("-f", str(config), "build")
    assert result.returncode == 1
    assert result.stderr == (FIXTURES / "bad/breakdown-mismatch/expected.txt").read_text(encoding="utf-8")
    assert tree(site) == {"index.html": b"old site"}
    assert tree(data) == data_before
    # Nothing but the cache of files that passed (.cache, outside site/ and data/) is written.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "data", "mkdocs.yml", "site"]


def test_broken_link_fails_strict_build_and_keeps_old_site(tmp_path: Path) -> None:
    docs = tmp_path / "content"
    shutil.copytree(ROOT / "content", docs)
    (docs / "about.md").write_text("# 關於\n\n[壞連結](no-such-page.md)\n", encoding="utf-8")
    data = copy_data(FIXTURES / "minimal", tmp_path / "data")
    config = write_config(tmp_path, data, docs)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old site", encoding="utf-8")
    result = run_portal("-f", str(config), "build")
    assert result.returncode == 1
    assert result.stderr.startswith("網站建置失敗，原有的網站沒有變動 (build failed, site/ left as it was):")
    assert tree(site) == {"index.html": b"old site"}
    # No staging folder is left behind; .cache holds the caches of charts and of each agency's pages, kept on purpose.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "content", "data", "mkdocs.yml", "site"]
    # Nor the folder the generated pages were written to for the engine (it failed after they were written).
    assert sorted(p.name for p in (tmp_path / ".cache").iterdir()) == ["charts", "pages", "records"]


def test_pages_written_to_disk_for_the_engine_are_the_pages_made_in_memory(tmp_path: Path) -> None:
    portal = load_portal(FIXTURES / "periods", ROOT)
    memory = generate(portal, updated="2023-11-14")
    spilled = generate(portal, updated="2023-11-14", spill=tmp_path / "spill", cache=ChartCache(tmp_path / "charts"))
    # Nothing generated is held in memory: pages and data are in the spill folder, charts in the chart cache.
    assert [path for path, content in spilled.files.items() if not isinstance(content, Stored)] == []
    assert {p: content_bytes(c) for p, c in spilled.files.items()} == {
        p: content_bytes(c) for p, c in memory.files.items()}


PAYLOAD = "<script>alert(1)</script> | *粗* [x](javascript:alert(1)) # 標 {: .x } <img src=x onerror=alert(1)> `c`"
_LITERAL_FIELDS = {
    "unit", "period", "year", "value", "amount", "total", "budget", "id", "indicator", "date", "previous",
}


def _poison(node: Any, key: str | None = None) -> Any:
    if isinstance(node, dict):
        return {k: _poison(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_poison(v, key) for v in node]
    if isinstance(node, Decimal):
        return float(node)
    if isinstance(node, str) and key not in _LITERAL_FIELDS and key != "quote":
        return node + PAYLOAD
    return node


def test_markup_in_any_text_field_shows_up_as_text(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "periods", tmp_path / "data")  # every kind of record, indicators and corrections
    for path in data.rglob("*.yml"):
        record = parse(path.read_text(encoding="utf-8"), path.name).data  # PyYAML would read `no:` as False
        path.write_text(yaml.safe_dump(_poison(record), allow_unicode=True), encoding="utf-8")
    config = write_config(tmp_path, data)
    result = run_portal("-f", str(config), "build")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    pages = list(site.rglob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html, page
        assert "<img src=x" not in html, page
        assert 'href="javascript:' not in html.lower(), page
        assert "<em>粗</em>" not in html and "<strong>粗</strong>" not in html, page
    shown = " ".join(PAYLOAD.split())
    report = text_of(site / "demo/reports/111-h1/index.html")
    assert f"示範章{shown}" in report
    plan = text_of(site / "demo/plans/111/index.html")
    assert f"提高行政效率。{shown}" in plan
    indicator = text_of(site / "demo/indicators/briefings/index.html")
    assert f"辦理說明會的場次。{shown}" in indicator and f"示範業務{shown} > 示範子計畫{shown}" in indicator
    corrections = text_of(site / "corrections/index.html")
    assert f"原文件誤植，依機關更正函修正。{shown}" in corrections
    nav = (site / "index.html").read_text(encoding="utf-8")
    assert "示範機關（測試用虛構資料）&lt;script&gt;" in nav or "示範機關（測試用虛構資料）&#60;script&#62;" in nav


def test_data_folder_is_never_written_by_a_build(built_site: Path) -> None:
    assert not any(p.suffix in (".md", ".svg", ".html") for p in (ROOT / "data").rglob("*"))
    assert not any(p.suffix == ".svg" for p in (ROOT / "content").rglob("*"))


def test_no_page_shows_the_transcription_file_name(built_site: Path) -> None:
    """Readers get the document's name (and its address when known), not the file it was transcribed from."""
    shown = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")
             if re.search(r"\d{3}_[0-9a-f]{16}\.txt", p.read_text(encoding="utf-8"))]
    assert shown == []


def test_every_page_has_the_footer_with_publisher_licence_and_links(built_site: Path) -> None:
    """The footer says who publishes, how recent the data are, the licence, and leads to the reference pages."""
    for page in sorted(built_site.rglob("*.html")):
        if page.name == "404.html":
            continue
        text = page.read_text(encoding="utf-8")
        footer = text[text.index('<div class="md-copyright portal-footer">'):text.index("</footer>")]
        said = " ".join(re.sub(r"<[^>]+>", " ", footer).split())
        assert said == ("資料發布：高雄市政府政風處 ｜資料截至 110 年 12 月 31 日 ｜授權： 政府資料開放授權條款－第1版 "
                        "開放資料 更正紀錄 無障礙聲明 關於本網站"), page
        for href in re.findall(r'href="([^"]+)"', footer):
            assert (page.parent / href / "index.html").resolve().is_file(), (page, href)


def _article_links(page: Path, site: Path) -> set[Path]:
    """Return the pages a reader reaches in one click from a page's text (the same on a phone and a desktop)."""
    html = page.read_text(encoding="utf-8")
    article = html[html.find("<article"):html.find("</article>")]
    found = set()
    for href in re.findall(r'<a [^>]*href="([^"#?:]*)(?:[#?][^"]*)?"', article):
        target = (page.parent / href).resolve()
        target = target / "index.html" if target.is_dir() else target
        if target.suffix == ".html" and target.is_file() and site in target.parents:
            found.add(target)
    return found


def test_every_page_is_within_two_clicks_of_the_home_page(built_site: Path) -> None:
    site = built_site.resolve()
    home = site / "index.html"
    one = _article_links(home, site)
    two = set().union(*(_article_links(page, site) for page in one))
    pages = {p for p in site.rglob("*.html") if p.name != "404.html"}
    assert sorted(p.relative_to(site).as_posix() for p in pages - {home} - one - two) == []
    assert {"opendata/index.html", "corrections/index.html", "search/index.html", "about/index.html",
            "kcg-ethics/index.html"} <= {p.relative_to(site).as_posix() for p in one}
