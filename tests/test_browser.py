"""The built site in a real Chromium: accessibility, Chinese search, no JavaScript, print, no other hosts."""
from __future__ import annotations

import functools
import http.server
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from conftest import EPOCH, FIXTURES, ROOT, copy_data, run_portal, write_config

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PAGES = {
    "home": "",
    "plan": "kcg-ethics/plans/113/",
    "budget": "kcg-ethics/plans/113/budget/",
    "report": "kcg-ethics/reports/110-h2/",
    "open data": "opendata/",
    "an agency's open data": "opendata/kcg-ethics/",
    "about": "about/",
    "how to read": "how-to-read/",
    "accessibility statement": "accessibility/",
    "indicator": "kcg-ethics/indicators/integrity-meetings/",
    "indicator index": "kcg-ethics/indicators/",
    "corrections": "corrections/",
    "search": "search/",
}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def _serve(folder: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def base_url(built_site: Path) -> Iterator[str]:
    yield from _serve(built_site)


@pytest.fixture(scope="module")
def periods_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve a site built from the SYNTHETIC several-period fixture (the real data has one plan)."""
    folder = tmp_path_factory.mktemp("periods")
    data = copy_data(FIXTURES / "periods", folder / "data")
    result = run_portal("-f", str(write_config(folder, data)), "build")
    assert result.returncode == 0, result.stderr
    yield from _serve(folder / "site")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium with a Chinese font, as on readers' phones: the bundled Noto Sans CJK (a fresh machine has none)."""
    import noto_cjk_sans_otc

    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install -y chromium"
    fonts = tmp_path_factory.mktemp("fontconfig")
    (fonts / "fonts.conf").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{Path(noto_cjk_sans_otc.FONT_PATH).parent}</dir>\n  <cachedir>{fonts}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS,
                                     env={**os.environ, "FONTCONFIG_FILE": str(fonts / "fonts.conf")})
        yield chromium
        chromium.close()


def _violations(page: Any) -> list[str]:
    result = Axe().run(page, options=WCAG)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"]]


@pytest.mark.parametrize("name", list(PAGES))
def test_no_wcag_aa_violations(browser: Any, base_url: str, name: str) -> None:
    page = browser.new_page(viewport={"width": 412, "height": 900})
    page.goto(base_url + PAGES[name])
    assert _violations(page) == []
    page.close()


@pytest.mark.parametrize("path", ["demo/budget-history/", "demo/indicators/briefings/", "corrections/"])
def test_no_wcag_aa_violations_on_pages_needing_several_periods(browser: Any, periods_url: str, path: str) -> None:
    page = browser.new_page(viewport={"width": 412, "height": 900})
    page.goto(periods_url + path)
    assert page.title().startswith(("歷年預算比較", "說明會", "更正紀錄"))
    assert _violations(page) == []
    page.close()


# What a resident or journalist would type, and the section that answers it: the work report's own account
# first, then the plan, then the site's explanations; pages that only repeat a figure never come first.
QUERIES = {
    "貪瀆": "kcg-ethics/reports/110-h2/#ch3-s1",
    "財產申報": "kcg-ethics/reports/110-h2/#ch1-s3",
    "廉政會報": "kcg-ethics/reports/110-h2/#ch1-s1",
    "檢舉": "kcg-ethics/reports/110-h2/#ch3-s1",
    "匿名檢舉": "kcg-ethics/reports/110-h2/#ch3-s1",
    "廉潔楷模": "kcg-ethics/reports/110-h2/#ch1-s2",
    "安全維護檢查": "kcg-ethics/reports/110-h2/#ch2-s2-i2",
    "利益衝突迴避": "kcg-ethics/reports/110-h2/#ch1-s3",
    "授權率": "kcg-ethics/reports/110-h2/#ch1-s3",
    "說明會": "kcg-ethics/reports/110-h2/#ch1-s3",
    "洩密": "kcg-ethics/reports/110-h2/#ch2-s1-i1",
    "公務機密": "kcg-ethics/reports/110-h2/#ch2-s1-i1",
    "採購": "kcg-ethics/reports/110-h2/#ch3-s2",
    "誠信": "kcg-ethics/reports/110-h2/#ch1-s2",
    "風險管理": "kcg-ethics/reports/110-h2/#ch1-s1",
    "肅貪": "kcg-ethics/reports/110-h2/#ch3",
    "陳情": "kcg-ethics/plans/113/#item-2-2-2",
    "稽核": "kcg-ethics/plans/113/#priorities",
    "一般行政": "kcg-ethics/plans/113/#item-1",
    "預算": "kcg-ethics/plans/113/budget/",
    "民國": "how-to-read/#_2",
    "千元": "how-to-read/#_3",
    "無障礙": "accessibility/",
    "開放資料": "opendata/",
    "更正": "corrections/",
}


def _search(page: Any, base_url: str, query: str) -> list[str]:
    """Type a query into the search page as a reader would, and return the results' addresses (without ?h=)."""
    page.goto(base_url + "search/")
    page.fill("#portal-search-q", query)
    page.keyboard.press("End")
    page.wait_for_function("document.getElementById('portal-search-status').textContent.includes('」')")
    links = page.locator("#portal-search-results li a").evaluate_all("links => links.map(a => a.href)")
    return [re.sub(r"\?h=[^#]*", "", link).removeprefix(base_url) for link in links]


def test_search_ranks_the_source_first_for_every_query_of_the_set(browser: Any, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 412, "height": 900})
    firsts = {query: (_search(page, base_url, query) or ["(nothing)"])[0] for query in QUERIES}
    assert firsts == QUERIES
    page.close()


def test_search_marks_whole_words_in_results_and_on_the_page_it_opens(browser: Any, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 412, "height": 900})
    _search(page, base_url, "貪瀆")
    first = page.locator("#portal-search-results li").first
    assert set(first.locator("mark").all_inner_texts()) == {"貪瀆"}
    assert _violations(page) == []
    first.locator("a").click()
    page.wait_for_load_state()
    assert page.url == base_url + "kcg-ethics/reports/110-h2/?h=%E8%B2%AA%E7%80%86#ch3-s1"
    marks = page.locator("article mark").all_inner_texts()
    assert len(marks) > 10 and set(marks) == {"貪瀆"}  # the whole word, never 貪 alone
    _search(page, base_url, "無障礙")
    assert set(page.locator("#portal-search-results li").first.locator("mark").all_inner_texts()) == {"無障礙"}
    page.close()


def test_search_names_what_it_did_not_find_and_scopes_to_the_agency_being_read(browser: Any, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 412, "height": 900})
    assert _search(page, base_url, "核電廠") == []
    assert page.inner_text("#portal-search-status") == "找不到「核電廠」。可換個說法，或把範圍改為全部。"
    page.goto(base_url + "kcg-ethics/reports/110-h2/")
    page.click(".portal-search-button")
    page.wait_for_load_state()
    assert page.url == base_url + "search/?scope=kcg-ethics"
    assert page.eval_on_selector("#portal-search-scope", "select => select.value") == "kcg-ethics"
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url.removeprefix(base_url)))
    page.fill("#portal-search-q", "<img src=x onerror=alert(1)>")
    page.keyboard.press("End")
    page.wait_for_function("document.getElementById('portal-search-status').textContent.includes('」')")
    assert page.locator("#portal-search-status img, #portal-search-results img").count() == 0
    assert [r for r in requested if r.startswith("search/")] == ["search/kcg-ethics.json", "search/site.json"]
    page.close()


def test_a_long_report_folds_into_its_chapters_on_a_phone_and_unfolds_to_print(browser: Any, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base_url + PAGES["report"])
    chapters = page.locator("details.portal-chapter")
    assert chapters.evaluate_all("all => all.map(d => d.open)") == [False, False, False]
    assert page.locator("summary").first.inner_text() == "展開本章（3 節）"
    page.get_by_role("article").get_by_role("link", name="三、檢肅貪瀆，澄清吏治").click()  # the index at the top
    assert chapters.evaluate_all("all => all.map(d => d.open)") == [False, False, True]
    assert page.locator("#fig-23").is_visible()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert chapters.evaluate_all("all => all.map(d => d.open)") == [True, True, True]
    page.goto(base_url + PAGES["report"] + "#fig-2")  # a figure's permalink opens its chapter
    assert page.locator("#fig-2").is_visible()
    page.close()
    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(base_url + PAGES["report"])
    assert wide.locator("details.portal-chapter").evaluate_all("all => all.map(d => d.open)") == [True, True, True]
    wide.close()


def test_pages_work_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + PAGES["report"])
    assert page.locator("table.portal-table").count() >= 10
    image = page.locator("figure.portal-chart img").first
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "受理檢舉貪瀆不法案件" in page.inner_text("article")
    # Without the script, every chapter is open, and the reader can still fold it.
    assert page.locator("details.portal-chapter[open]").count() == 3
    page.locator("summary").first.click()
    assert page.locator("details.portal-chapter[open]").count() == 2
    context.close()


def test_no_request_leaves_this_host(browser: Any, base_url: str) -> None:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in PAGES.values():
        page.goto(base_url + path, wait_until="networkidle")
    assert requested and all(url.startswith(base_url) for url in requested), set(requested)
    page.close()


def test_report_prints_on_a4_without_navigation(browser: Any, base_url: str, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(base_url + PAGES["report"])
    page.emulate_media(media="print")
    assert not page.locator(".md-sidebar--primary").is_visible()
    assert not page.locator(".md-header").is_visible()
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3
    page.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_keyboard_reaches_every_link_with_visible_focus(browser: Any, base_url: str, name: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url + PAGES[name])
    targets = page.evaluate(
        """() => [...document.querySelectorAll('a[href], button, input, [tabindex]')]
               .filter(e => e.tabIndex >= 0 && e.checkVisibility({visibilityProperty: true})
                       && !e.closest('[hidden]')).length"""
    )
    unfocused = []
    for _ in range(targets + 5):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                       e.dataset.tabbed = 'yes';
                       return [e.outerHTML.slice(0, 80),
                               s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                               || s.boxShadow !== 'none' || s.textDecorationLine.includes('underline')
                               || s.backgroundColor !== 'rgba(0, 0, 0, 0)'] }"""
        )
        if not info[1]:
            unfocused.append(info[0])
    assert page.evaluate("() => document.querySelectorAll('[data-tabbed]').length") >= targets
    assert unfocused == []
    page.close()


def test_serve_previews_a_scaffolded_report_and_updates_on_save(browser: Any, tmp_path: Path) -> None:
    """`portal serve` on a report just made by `portal new`: the problems page, then a fixed value shows."""
    data = copy_data(FIXTURES / "minimal", tmp_path / "data")
    config = write_config(tmp_path, data)
    assert run_portal("-f", str(config), "new", "report", "100", "下半年").returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "-f", str(config), "serve", "-a", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline() == f"預覽網址：http://127.0.0.1:{port}/（存檔後自動更新；按 Ctrl+C 結束）\n"
        built = next(line for line in server.stdout if line.startswith("預覽已更新"))  # then the server answers
        said = r"預覽已更新（\d+\.\d 秒，重新產生 \d+ 頁）；資料有 15 個問題，見「資料問題（預覽）」頁。\n"
        assert re.fullmatch(said, built)
        for _ in range(300):  # the server (and its file watcher) starts after the first build
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        assert page.locator(".portal-preview-banner").inner_text() == (
            "預覽：資料有 0 個錯誤、15 個欄位尚未填寫；有問題的檔案暫不顯示。查看資料問題"
        )
        page.locator(".portal-preview-banner a").click()
        page.wait_for_selector("h2:text-is('尚未填寫（15）')")
        report = data / "demo" / "reports" / "100-h2.yml"
        text = report.read_text(encoding="utf-8")
        report.write_text(text.replace("document: null", "document: 示範機關100年下半年工作成果", 1), encoding="utf-8")
        page.wait_for_selector("h2:text-is('尚未填寫（14）')", timeout=30_000)  # live reload, no click
        assert "source&#46;document" not in page.content()
    finally:
        server.terminate()
        server.wait(timeout=30)


SCREENSHOTS = ROOT / ".cache" / "screenshots"  # every page type at both widths; tests/screenshots/ keeps two


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_every_page_type(browser: Any, base_url: str, width: int) -> None:
    """Take a screenshot of each page type on a phone (390 px) and a desktop (1280 px) for reviewing the layout."""
    from PIL import Image

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 844 if width == 390 else 900})
    for name, path in PAGES.items():
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        shot = SCREENSHOTS / f"{name.replace(' ', '-')}-{width}.png"
        page.screenshot(path=str(shot))
        with Image.open(shot) as image:
            assert image.size == (width, 844 if width == 390 else 900), name
            assert len(image.getcolors(1 << 24) or []) > 20, name  # drawn, not a blank page
    page.close()


_WIDE = """() => {
    const out = [];
    if (document.documentElement.scrollWidth > 360) out.push('page ' + document.documentElement.scrollWidth);
    for (const el of document.querySelectorAll('.md-content table, .md-content figure, .md-content pre')) {
        const box = el.closest('.md-typeset__scrollwrap') || el;
        if (el.scrollWidth > box.clientWidth + 1) out.push(el.tagName + ' ' + el.scrollWidth + '>' + box.clientWidth);
    }
    return out;
}"""


def _too_wide(browser: Any, base: str, paths: list[str]) -> dict[str, list[str]]:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    wide = {}
    for path in paths:
        page.goto(base + path)
        found = page.evaluate(_WIDE)
        if found:
            wide[path] = found
    page.close()
    return wide


def test_no_page_overflows_a_360_px_phone(browser: Any, base_url: str, periods_url: str) -> None:
    """Nothing is wider than the smallest common phone: no sideways scrolling of the page or of a table."""
    assert _too_wide(browser, base_url, list(PAGES.values())) == {}
    several = ["", "demo/indicators/briefings/", "demo/indicators/", "demo/budget-history/", "demo/reports/112-h1/",
               "demo/plans/112/", "demo/plans/112/budget/", "corrections/"]
    assert _too_wide(browser, periods_url, several) == {}  # with several periods, more columns


_CHART_TEXT = """async () => {
    const out = [];
    for (const img of document.querySelectorAll('figure.portal-chart img')) {
        const svg = await (await fetch(img.src)).text();
        const box = /viewBox="0 0 ([\\d.]+) /.exec(svg);
        const sizes = [...svg.matchAll(/scale\\(([\\d.]+) -/g)].map(m => parseFloat(m[1]) * 100);
        const px = Math.min(...sizes) * img.getBoundingClientRect().width / parseFloat(box[1]);
        out.push([img.getAttribute('src'), Math.round(px * 10) / 10]);
    }
    return out;
}"""


def test_chart_text_renders_at_12_px_or_more_on_a_360_px_phone(
    browser: Any, base_url: str, periods_url: str
) -> None:
    """A chart shrinks to the page's width on a phone; its smallest text still renders at 12 CSS px or more."""
    page = browser.new_page(viewport={"width": 360, "height": 740})
    found: dict[str, float] = {}
    for base, path in [(base_url, PAGES["budget"]), (base_url, PAGES["report"]), (base_url, PAGES["indicator"]),
                       (periods_url, "demo/budget-history/"), (periods_url, "demo/indicators/briefings/"),
                       (periods_url, "demo/reports/112-h1/")]:
        page.goto(base + path)
        found.update({f"{path}{src}": px for src, px in page.evaluate(_CHART_TEXT)})
    page.close()
    assert len(found) >= 8
    assert {chart: px for chart, px in found.items() if px < 12} == {}


@pytest.mark.parametrize(("width", "display", "before"), [(390, "block", '"數字："'), (1280, "table-row", "none")])
def test_figure_tables_are_stacked_cards_on_a_phone(
    browser: Any, base_url: str, width: int, display: str, before: str
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base_url + PAGES["report"] + "#fig-1")  # on a phone, the chapters are folded until asked for
    row = page.locator("table.portal-cards tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == display
    cell = row.locator("td.num")
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == before
    assert cell.inner_text() == "95 會議次"
    page.close()
