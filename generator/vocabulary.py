"""Teach the search segmenter the agency's vocabulary so words inside sentences are found."""
from __future__ import annotations

from functools import cache
from pathlib import Path

DICTIONARY = Path(__file__).with_name("search-dict.txt")


@cache
def load_search_dictionary() -> None:
    """Load the portal's jieba user dictionary once per process."""
    import jieba

    jieba.setLogLevel(60)
    jieba.load_userdict(str(DICTIONARY))
