"""Hand the portal's own HTML tables through Python-Markdown whole, instead of parsing them tag by tag.

A generated page is mostly HTML tables (every figure with its quote and links). Python-Markdown finds the
end of each raw HTML block by feeding it to its HTML parser, and inside a chapter (`<details markdown="1">`)
parses every cell into elements and writes them out again: most of the engine's time on a national portal.
The tables come from the page templates, and every text in them was escaped by `markup.escape` (no `<`,
no line break), so a table is one block from its `<table class="portal-table` line to its `</table>` line.
This extension stores each such block as it is, the way Python-Markdown stores any raw HTML block.
The HTML is the same element for element; only the spacing between tags and the order of attributes differ.
"""
from __future__ import annotations

import re

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

# One of the templates' tables: it starts a block (after a blank line) and ends at a `</table>` line.
TABLE = re.compile(r'(?:(?<=\n\n)|\A)<table class="portal-table[ "][^\n]*\n.*?\n</table>(?=\n\n|\n?\Z)', re.S)
NAME = __name__  # what a list of Markdown extensions calls it: "generator.rawhtml"
# After Python-Markdown's own clean-up of the text (priority 30), before its HTML block parser (20).
PRIORITY = 25


class _StoreTables(Preprocessor):
    """Put each generated table into the HTML stash, leaving its placeholder as a block of its own."""

    def run(self, lines: list[str]) -> list[str]:
        """Replace every table block with its placeholder."""
        text = "\n".join(lines)
        if '<table class="portal-table' not in text:
            return lines
        # The trailing line break is the one Python-Markdown keeps when it stores a raw HTML block itself.
        return TABLE.sub(lambda found: self.md.htmlStash.store(found[0] + "\n"), text).split("\n")


class PortalTables(Extension):
    """Pass the portal's generated tables through untouched."""

    def extendMarkdown(self, md: Markdown) -> None:
        """Register the preprocessor."""
        md.preprocessors.register(_StoreTables(md), "portal_tables", PRIORITY)


def makeExtension(**kwargs: object) -> PortalTables:
    """Let Python-Markdown load the extension by its module name, `generator.rawhtml`."""
    return PortalTables(**kwargs)
