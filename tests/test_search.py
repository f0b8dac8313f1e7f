"""The search data: sections cut at headings, text as readers see it, one shard per agency, Traditional words."""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import search, vocabulary
from generator.cache import Content
from generator.kept import PageStore
from generator.markup import escape
from generator.search import DERIVED, PAGE_WEIGHT, REPORT, Section, Vocabulary, _plain, page_sections, page_weight
from generator.vocabulary import words

PAGE = """---
title: '報告'
---
# 110 年下半年工作成果

資料來源：<a href="https://example.org/a.pdf">《工作成果》</a>。

## 一、發揮內控機制 {: #ch1 }

### （一）落實風險管理 {: #ch1-s1 }

召開機關**廉政會報**計95會議次。

<table class="portal-table portal-cards">
<tr><td>「召開機關廉政會報計95會議次」</td></tr>
</table>

<figure class="portal-chart">
<img src="c.svg" alt="長條圖"><figcaption>圖的標題</figcaption>
</figure>

<p class="portal-downloads">下載本圖的數字：<a href="c.csv" download>CSV</a></p>

<!-- repeated -->

- [指標](../x/)：95 會議次

<!-- /repeated -->

## 本期數字總表 {: #all-figures }

| 出處 | 數字 |
| --- | --- |
| 一、（一） | 95 會議次 |
"""


def test_a_page_is_cut_at_its_headings_with_the_words_a_reader_sees_and_nothing_it_repeats() -> None:
    assert page_sections("a/reports/110-h2/index.md", PAGE, REPORT) == [
        Section("a/reports/110-h2/", "110 年下半年工作成果", "", "資料來源：《工作成果》。", REPORT),
        Section("a/reports/110-h2/#ch1", "一、發揮內控機制", "110 年下半年工作成果", "", REPORT),
        Section("a/reports/110-h2/#ch1-s1", "（一）落實風險管理", "110 年下半年工作成果 › 一、發揮內控機制",
                "召開機關廉政會報計95會議次。", REPORT),
        Section("a/reports/110-h2/#all-figures", "本期數字總表", "110 年下半年工作成果",
                "出處 數字 一、（一） 95 會議次", DERIVED),
    ]


def test_a_hand_written_page_gets_the_anchors_python_markdown_gives_its_headings() -> None:
    page = "# 如何閱讀數字\n\n## 年度\n\n民國年加 1911 即為西元年。\n\n## 金額單位：千元\n\n千元就是 1,000 元。\n"
    assert [(s.url, s.title, s.text) for s in page_sections("how-to-read.md", page, PAGE_WEIGHT)] == [
        ("how-to-read/", "如何閱讀數字", ""),
        ("how-to-read/#_2", "年度", "民國年加 1911 即為西元年。"),
        ("how-to-read/#_3", "金額單位：千元", "千元就是 1,000 元。"),
    ]


@given(st.text(max_size=200))
def test_any_text_from_the_records_reads_back_exactly_as_written(text: str) -> None:
    """Escaped for Markdown by the templates, text comes back as the words themselves, never as markup."""
    assert _plain(escape(text)) == " ".join(text.split())


def test_a_page_is_weighed_by_what_it_is() -> None:
    agencies = {"kcg-ethics": "高雄市政府政風處"}
    assert page_weight("kcg-ethics/reports/110-h2/index.md", agencies) == ("kcg-ethics", 4)
    assert page_weight("kcg-ethics/plans/113/budget/index.md", agencies) == ("kcg-ethics", 2)
    assert page_weight("kcg-ethics/indicators/integrity-meetings/index.md", agencies) == ("kcg-ethics", 0.5)
    assert page_weight("opendata/index.md", agencies) == ("site", 2)
    assert page_weight("opendata/kcg-ethics/index.md", agencies) == ("kcg-ethics", 0.5)  # it repeats the titles
    assert page_weight("opendata/other/index.md", agencies) == ("site", 2)
    assert page_weight("index.md", agencies) == ("site", 0.5)


def test_traditional_chinese_is_segmented_into_its_own_words() -> None:
    """jieba's Simplified dictionary split 檢肅貪瀆 into 檢 / 肅貪 / 瀆; the Traditional one does not."""
    assert words("檢肅貪瀆不法案件") == {"檢肅", "貪瀆", "不法", "案件"}
    assert words("召開機關廉政會報，財產申報") == {"召開", "機關", "廉政會報", "財產申報"}


def test_each_agency_has_a_shard_whose_words_include_its_own_vocabulary(built_site: Path) -> None:
    manifest = json.loads((built_site / "search/index.json").read_text(encoding="utf-8"))
    assert [s["id"] for s in manifest["shards"]] == ["kcg-ethics", "site"]
    for listed in manifest["shards"]:
        content = (built_site / "search" / listed["file"]).read_bytes()
        assert (listed["bytes"], listed["gzip"]) == (len(content), len(gzip.compress(content, mtime=0)))
    shard = json.loads((built_site / "search/kcg-ethics.json").read_text(encoding="utf-8"))
    for word in ("檢肅", "貪瀆", "財產申報", "廉政會報", "檢舉", "會議次", "利益衝突迴避法"):
        assert word in shard["words"], word


def test_every_search_result_leads_to_a_page_and_heading_that_exist(built_site: Path) -> None:
    for shard in sorted((built_site / "search").glob("*.json")):
        for url, *_ in json.loads(shard.read_text(encoding="utf-8")).get("sections", []):
            page, _, anchor = url.partition("#")
            html = (built_site / page / "index.html").read_text(encoding="utf-8")
            if anchor:
                assert re.search(rf'id="{re.escape(anchor)}"', html), url


def test_runs_segmented_by_one_run_are_remembered_by_the_next_which_then_needs_no_segmenter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = {"a/index.md": "# 廉政會報\n\n召開機關廉政會報 12 次，辦理肅貪宣導。\n"}
    agencies = {"a": Vocabulary("甲機關", lambda: {"廉政會報"})}

    def shards() -> dict[str, Content]:
        return dict(search.shards(pages, pages.__getitem__, agencies, {}, False, PageStore(tmp_path)))

    monkeypatch.setattr(vocabulary, "_RUNS", {})
    made = shards()
    remembered = dict(vocabulary.segmented_runs())
    assert remembered["召開機關廉政會報"] == tuple(vocabulary._tokenizer().cut("召開機關廉政會報", HMM=False))
    monkeypatch.setattr(vocabulary, "_RUNS", {})  # the next process: nothing segmented yet
    monkeypatch.setattr(vocabulary, "_tokenizer", lambda: pytest.fail("segmented again"))
    pages["a/index.md"] = pages["a/index.md"].replace("12", "13")  # a corrected figure: the same runs
    again = shards()
    assert vocabulary.segmented_runs() == remembered
    assert json.loads(str(again["search/a.json"]))["words"] == json.loads(str(made["search/a.json"]))["words"]
