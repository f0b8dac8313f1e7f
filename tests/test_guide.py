"""The staff guide shows every error message the validator can print, with a real example."""
from __future__ import annotations

import ast
import re

from conftest import FIXTURES, ROOT

GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_fixture_message_is_in_the_guide() -> None:
    for expected in sorted((FIXTURES / "bad").glob("*/expected.txt")):
        for line in expected.read_text(encoding="utf-8").splitlines():
            assert line in GUIDE, f"{expected.parent.name}: {line}"


def _message_fragments(module: str) -> set[str]:
    """Return the fixed Chinese parts of every message literal in a module."""
    tree = ast.parse((ROOT / "generator" / module).read_text(encoding="utf-8"))
    fragments = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _CJK.search(node.value):
            for part in re.split(r"\{[^}]*\}", node.value):
                part = part.strip()
                if len(part) >= 4 and _CJK.search(part):
                    fragments.add(part)
    return fragments


def test_every_message_the_validator_can_print_is_in_the_guide() -> None:
    for module in ("load.py", "syntax.py", "translate.py", "checks.py", "plan_checks.py", "validate.py", "checked.py",
                   "assemble.py"):
        for fragment in sorted(_message_fragments(module)):
            assert fragment in GUIDE, f"{module}: 「{fragment}」 is not explained in CONTRIBUTING.md"
