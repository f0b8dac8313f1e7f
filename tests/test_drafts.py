"""The preview's problems page, draft pages and banner (SYNTHETIC fixtures): exact text, goldens, hostile values."""
from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURES, copy_data, run_portal, write_config
from generator.assemble import load_what_passes
from generator.drafts import banner_script, draft_path, is_todo, preview_files, problems_page, status
from generator.errors import Problem
from generator.scaffold import scaffold

GOLDEN = Path(__file__).resolve().parent / "golden_drafts"


@pytest.fixture
def drafted(tmp_path: Path) -> Path:
    """A project whose data has a report just scaffolded by `portal new` (every figure 尚未填寫)."""
    data = copy_data(FIXTURES / "minimal", tmp_path / "data")
    scaffold(data, "report", 100, "下半年", None)
    return tmp_path


def test_scaffolded_report_gives_the_golden_problems_and_draft_pages(drafted: Path) -> None:
    _, problems = load_what_passes(drafted / "data", drafted)
    files = preview_files(problems, drafted)
    assert sorted(files) == [
        "assets/javascripts/portal-preview.js", "problems/data-demo-reports-100-h2/index.md", "problems/index.md",
    ]
    for path, content in files.items():
        golden = GOLDEN / path
        if os.environ.get("UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(content, encoding="utf-8")
        assert content == golden.read_text(encoding="utf-8"), path


def test_unfilled_fields_are_to_do_and_not_errors(drafted: Path) -> None:
    _, problems = load_what_passes(drafted / "data", drafted)
    counts = status(problems)
    assert (counts.errors, counts.files_left_out) == (0, 1)
    assert counts.todo == len(problems) > 0
    assert all(is_todo(p) for p in problems)


def test_a_mistake_is_listed_apart_from_the_to_do_with_its_line_marked(drafted: Path) -> None:
    report = drafted / "data" / "demo" / "reports" / "100-h2.yml"
    report.write_text(report.read_text(encoding="utf-8").replace("year: 100", "year: 一百"), encoding="utf-8")
    _, problems = load_what_passes(drafted / "data", drafted)
    page = problems_page(problems, drafted)
    errors = page[page.index("## 錯誤（1）"):page.index("## 尚未填寫")]
    line = next(n for n, text in enumerate(report.read_text(encoding="utf-8").splitlines(), 1) if "year:" in text)
    marked = f'<span class="portal-line">{line}</span>year&#58; <mark>一百</mark></code></pre>'
    assert f'<pre class="portal-source"><code>{marked}' in errors


def test_a_full_width_space_is_marked_visibly(tmp_path: Path) -> None:
    source = tmp_path / "data" / "x.yml"
    source.parent.mkdir()
    source.write_text("title: 甲\n\u3000year: 100\n", encoding="utf-8")
    page = problems_page([Problem("data/x.yml", 2, 1, "", "縮排用了全形空白")], tmp_path)
    assert '<span class="portal-line">2</span><mark>␣</mark>year&#58; 100</code></pre>' in page


def test_a_file_that_does_not_parse_has_no_draft_page(tmp_path: Path) -> None:
    data = copy_data(FIXTURES / "minimal", tmp_path / "data", FIXTURES / "bad" / "tab-indentation")
    _, problems = load_what_passes(data, tmp_path)
    files = preview_files(problems, tmp_path)
    assert [path for path in files if path.startswith("problems/") and path != "problems/index.md"] == []
    assert "看這個檔案目前的內容" not in files["problems/index.md"]


def test_draft_page_keeps_hostile_text_inert(drafted: Path) -> None:
    report = drafted / "data" / "demo" / "reports" / "100-h2.yml"
    text = report.read_text(encoding="utf-8")
    title = re.search(r"^title: (.*)$", text, re.M)
    assert title is not None
    report.write_text(text.replace(title[0], "title: <script>alert(1)</script>[x](javascript:1)"), encoding="utf-8")
    _, problems = load_what_passes(drafted / "data", drafted)
    page = preview_files(problems, drafted)[draft_path("data/demo/reports/100-h2.yml")]
    inert = "&#60;script&#62;alert&#40;1&#41;&#60;&#47;script&#62;&#91;x&#93;&#40;javascript&#58;1&#41;"
    assert f"<strong>{inert}</strong>" in page
    assert "<script" not in page


@given(st.text(max_size=80), st.integers(min_value=1, max_value=90))
def test_any_line_of_yaml_is_shown_as_text_only(
    tmp_path_factory: pytest.TempPathFactory, line: str, column: int
) -> None:
    folder = tmp_path_factory.mktemp("line")
    (folder / "x.yml").write_bytes(line.replace("\r", "").replace("\n", "").encode("utf-8", "surrogatepass"))
    page = problems_page([Problem("x.yml", 1, column, "f<", "m>&")], folder)
    markup = re.sub(r"</?(code|mark|pre|span|ol|li|p)( class=\"[a-z-]+\")?>", "", page)
    assert not set("<>&") & set(re.sub(r"&#\d+;", "", markup))


def test_banner_script_says_the_counts_and_nothing_else() -> None:
    script = banner_script(status([Problem("a.yml", 1, 1, "", "尚未填寫（目前是空白）"),
                                   Problem("a.yml", 2, 1, "", "不認得這個欄位")]))
    assert "  var errors = 1, todo = 1;\n" in script
    assert "if (!errors && !todo) { return; }" in banner_script(status([]))


def test_serve_refuses_a_busy_port_in_chinese(tmp_path: Path) -> None:
    config = write_config(tmp_path, copy_data(FIXTURES / "minimal", tmp_path / "data"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_portal("-f", str(config), "serve", "-a", f"127.0.0.1:{port}")
    assert result.returncode == 2
    assert result.stderr == (
        f"無法使用 127.0.0.1:{port}（可能已有另一個預覽在執行）；"
        f"請關掉它，或換一個埠：portal serve -a 127.0.0.1:{port + 1}\n"
    )


def test_serve_refuses_a_bad_address_in_chinese(tmp_path: Path) -> None:
    config = write_config(tmp_path, copy_data(FIXTURES / "minimal", tmp_path / "data"))
    result = run_portal("-f", str(config), "serve", "-a", "localhost")
    assert (result.returncode, result.stderr) == (
        2, "預覽位址「localhost」的寫法不對；請寫成 主機:埠，例如 127.0.0.1:8000\n"
    )


def test_a_special_file_with_problems_does_not_hang_the_problems_page(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.yml")  # a FIFO is reported by the loader; the page must not wait on reading it
    page = problems_page([Problem("x.yml", 1, 1, "", "不是一般檔案")], tmp_path)
    assert "<code>x&#46;yml&#58;1&#58;1</code> 不是一般檔案</p></li>" in page


def test_serve_refuses_an_agency_that_is_not_there_in_chinese(tmp_path: Path) -> None:
    config = write_config(tmp_path, copy_data(FIXTURES / "minimal", tmp_path / "data"))
    result = run_portal("-f", str(config), "serve", "-a", "127.0.0.1:0", "--agency", "kcg-ethic")
    assert (result.returncode, result.stderr) == (
        2, "找不到機關「kcg-ethic」：data/kcg-ethic/agency.yml 不存在。可預覽的機關代號：demo\n"
    )


@pytest.mark.parametrize("agency", ["../data", "KCG", "\x1b[31mred"])
def test_serve_refuses_what_cannot_be_an_agency_id_without_echoing_it(tmp_path: Path, agency: str) -> None:
    config = write_config(tmp_path, copy_data(FIXTURES / "minimal", tmp_path / "data"))
    result = run_portal("-f", str(config), "serve", "-a", "127.0.0.1:0", "--agency", agency)
    assert (result.returncode, result.stderr) == (
        2, "--agency 後面要寫機關代號，也就是 data/ 裡機關資料夾的名稱（只用小寫英文、數字與 -，例如 kcg-ethics）\n"
    )
