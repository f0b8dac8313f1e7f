"""Search segmentation: each distinct run is segmented once and gives the same words as jieba itself."""
from __future__ import annotations

import jieba
from hypothesis import given
from hypothesis import strategies as st

from generator.vocabulary import load_search_dictionary

HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1, max_size=30)


@given(st.lists(HAN, min_size=1, max_size=5))
def test_remembered_segmentation_equals_jiebas_own(runs: list[str]) -> None:
    load_search_dictionary()
    for run in runs + runs:  # the second time from memory
        assert list(jieba.cut(run.encode("utf-8"))) == list(jieba.dt.cut(run.encode("utf-8")))


def test_the_portal_dictionary_is_loaded_and_calls_with_options_pass_through() -> None:
    load_search_dictionary()
    assert list(jieba.cut("本府各機關下半年共召開機關廉政會報".encode())) == [
        "本府", "各機關", "下半年", "共召開", "機關", "廉政會報",
    ]
    assert list(jieba.cut("機關廉政會報", cut_all=True)) == list(jieba.dt.cut("機關廉政會報", cut_all=True))
