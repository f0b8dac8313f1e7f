"""The generated tables pass through Markdown whole, and give the same HTML as Python-Markdown's own parsing."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT
from generator.assemble import load_portal
from generator.markup import escape
from generator.pages import MARKDOWN_EXTENSIONS, generate
from generator.rawhtml import NAME, TABLE, PortalTables


def _site_extensions() -> tuple[list[str], dict[str, dict[str, object]]]:
    """Return the Markdown extensions and their settings the site's pages are converted with (mkdocs.yml)."""
    names: list[str] = []
    configs: dict[str, dict[str, object]] = {}
    for entry in yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        names.append(name)
        if isinstance(entry, dict):
            configs[name] = entry[name]
    return names + [e for e in MARKDOWN_EXTENSIONS if e not in names], configs


EXTENSIONS, CONFIGS = _site_extensions()


class _Elements(HTMLParser):
    """List a document's elements, attributes (in any order) and text, ignoring the spacing between tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(("start", tag, *sorted(f"{k}={v}" for k, v in attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.found.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.found.append(("text", data.strip()))


def _elements(html: str) -> list[tuple[str, ...]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def _convert(text: str, whole_tables: bool) -> str:
    extensions: list[str | markdown.Extension] = [*EXTENSIONS, *([PortalTables()] if whole_tables else [])]
    return markdown.Markdown(extensions=extensions, extension_configs=CONFIGS).convert(text)


@pytest.mark.parametrize("data", [ROOT / "data", FIXTURES / "periods", FIXTURES / "shapes"],
                         ids=["real-data", "synthetic-periods", "synthetic-shapes"])
def test_every_generated_table_is_passed_whole_and_the_page_has_the_same_elements(data: Path) -> None:
    site = generate(load_portal(data, ROOT), updated="2023-11-14")
    pages = {path: site.text(path) for path in site.pages()}
    tables = sum(page.count('<table class="portal-table') for page in pages.values())
    assert tables > 10
    assert sum(len(TABLE.findall(page)) for page in pages.values()) == tables  # every one is passed whole
    for path, page in pages.items():
        assert _elements(_convert(page, True)) == _elements(_convert(page, False)), path


def test_the_plugin_loads_the_extension_by_its_module_name() -> None:
    html = markdown.Markdown(extensions=[NAME]).convert('<table class="portal-table">\n<tr><td>1</td></tr>\n</table>')
    assert html == '<table class="portal-table">\n<tr><td>1</td></tr>\n</table>'


def test_a_table_that_does_not_start_a_block_is_left_to_markdown() -> None:
    text = '文字\n<table class="portal-table">\n<tr><td>1</td></tr>\n</table>\n\n下一段'
    assert TABLE.findall(text) == []
    assert _convert(text, True) == _convert(text, False)


_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(_TEXT, min_size=1, max_size=4), before=_TEXT, after=_TEXT, chapter=st.booleans())
def test_any_escaped_text_in_a_table_gives_the_same_elements_and_cannot_end_it(
    cells: list[str], before: str, after: str, chapter: bool
) -> None:
    row = "".join(f"<td>{escape(cell)}</td>" for cell in cells)
    table = f'<table class="portal-table">\n<tbody>\n<tr>{row}</tr>\n</tbody>\n</table>'
    body = f"{escape(before) or '前'}\n\n{table}\n\n{escape(after) or '後'}\n"
    if chapter:  # as in a report's chapter, where Markdown parses what the table holds into elements
        opening = '<details class="portal-chapter" open markdown="1">\n<summary>收合</summary>'
        body = f"## 章\n\n{opening}\n\n{body}\n</details>\n"
    assert len(TABLE.findall(body)) == 1
    assert TABLE.findall(body)[0] == table
    assert _elements(_convert(body, True)) == _elements(_convert(body, False))
