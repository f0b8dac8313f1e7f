"""Read YAML strictly into plain values, remembering where each value stood."""
from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.error import MarkedYAMLError
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from .errors import DataError, Problem
from .scan import MAX_DIGITS, MAX_FILE_BYTES, describe, impossible_escape, invisible, too_deep, unreadable
from .syntax import FULL_WIDTH_SPACE, explain, mistakes, position

Loc = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _Resolver(BaseResolver):
    """Resolve plain scalars the YAML 1.2 way, and more strictly: only what cannot surprise."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's own class registry

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Skip path resolvers: there are none, and this runs for every node."""

    def ascend_resolver(self) -> None:
        """Skip path resolvers: there are none, and this runs for every node."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """Resolve a node's tag with the implicit resolvers below, without PyYAML's per-node bookkeeping."""
        if kind is ScalarNode and implicit[0]:
            for tag, regexp in self.yaml_implicit_resolvers.get(value[:1] if value else "", ()):
                if regexp.match(value):
                    return str(tag)
            return _STR
        return {ScalarNode: _STR, SequenceNode: _SEQ, MappingNode: _MAP}[kind]


_Resolver.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|false)$"), list("tf"))
_Resolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|)$"), ["~", "n", ""])
# No leading zeros (010 is neither 8 nor 10 but text, which the model then refuses) and no separators.
_Resolver.add_implicit_resolver(_INT, re.compile(r"^-?(?:0|[1-9][0-9]*)$"), list("-0123456789"))
_Resolver.add_implicit_resolver(_FLOAT, re.compile(r"^-?(?:0|[1-9][0-9]*)\.[0-9]+$"), list("-0123456789"))


class _StrictComposeError(MarkedYAMLError):
    """Raise when the document uses a YAML feature staff should not need."""


def _mark(event: Any) -> Any:
    return event.start_mark


class _Loader(Reader, Scanner, Parser, Composer, _Resolver):
    """Compose a node tree, refusing anchors and aliases."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Resolver.__init__(self)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            raise _StrictComposeError(
                None, None, f"不可使用別名 *{event.anchor}，請直接寫出內容 (aliases are not allowed)", _mark(event)
            )
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None:
            raise _StrictComposeError(
                None, None, f"不可使用錨點 &{event.anchor} (anchors are not allowed)", _mark(event)
            )
        return super().compose_node(parent, index)


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _CLoader(CParser, _Resolver):
        """Compose with libyaml (about 15 times faster); used only for text without anchors or aliases."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Resolver.__init__(self)


def _compose(text: str) -> Node | None:
    """Compose the node tree: libyaml when it can give the same answer, else the strict pure-Python loader."""
    if yaml.__with_libyaml__ and "&" not in text and "*" not in text:
        fast = _CLoader(text)
        try:
            return fast.get_single_node()
        except MarkedYAMLError:
            pass  # read it again below, so every error message and position is the pure-Python loader's
        finally:
            fast.dispose()
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@dataclass
class Document:
    """One YAML file's plain value, and its node tree for finding where any key or value stood."""

    path: str
    data: Any
    root: Node | None = None

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Return the 1-based line and column of `loc`, or of its nearest located ancestor."""
        node, found_key = self.root, None
        for step in loc:
            child, child_key = _child(node, step)
            if child is None:
                break
            node, found_key = child, child_key
        else:
            if key and found_key is not None:
                node = found_key
        if node is None:
            return (1, 1)
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        """Return a problem located at `loc` in this document."""
        line, column = self.where(loc, key=key)
        return Problem(self.path, line, column, format_loc(loc), message)


def _child(node: Node | None, step: str | int) -> tuple[Node | None, Node | None]:
    """Return the value node (and key node) one step below `node`; the first of duplicate keys wins."""
    if isinstance(node, MappingNode) and isinstance(step, str):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == step:
                return value_node, key_node
    if isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step], None
    return None, None


def format_loc(loc: Loc) -> str:
    """Spell a location path for people: `budget.lines[2].amount`, counting items from 1."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + part
    return out


def parse(text: str, path: str) -> Document:
    """Parse YAML text into a Document, raising DataError with positions on any problem."""
    found = [
        Problem(path, line, column, "", f"這裡有 YAML 不接受的字元 {describe(char)}；請刪除它（從 PDF 複製時常夾帶）")
        for line, column, char in unreadable(text)
    ]
    if found:
        raise DataError(found[:20])
    scans = ((too_deep, "；資料不需要這麼多層，請檢查括號與縮排"), (impossible_escape, " 不是有效的字元碼，請刪除"))
    for scan, advice in scans:
        problem = scan(text)
        if problem:
            line, column, what = problem
            raise DataError([Problem(path, line, column, "", f"{what}{advice} (limit)")])
    try:
        node = _compose(text)
    except _StrictComposeError as exc:
        line, column = (exc.problem_mark.line + 1, exc.problem_mark.column + 1) if exc.problem_mark else (1, 1)
        raise DataError([Problem(path, line, column, "", str(exc.problem))]) from None
    except MarkedYAMLError as exc:  # the typing mistakes staff make say more, and where, than the parser does
        typed = [Problem(path, line, column, "", message) for line, column, message in mistakes(text)]
        raise DataError(typed or [Problem(path, *position(exc), "", explain(exc, text))]) from None
    except (RecursionError, ValueError) as exc:  # the scans above should leave nothing for these to catch
        message = f"無法讀取這個檔案的 YAML 結構（{type(exc).__name__}）；請檢查括號與引號"
        raise DataError([Problem(path, 1, 1, "", message)]) from None
    if node is None:
        raise DataError([Problem(path, 1, 1, "", "檔案是空的 (the file is empty)")])
    problems: list[Problem] = []
    doc = Document(path, _construct(node, (), path, problems), node)
    if problems:
        raise DataError(problems)
    return doc


def _at(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_INT_TEXT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT_TEXT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")


def _construct(node: Node, loc: Loc, path: str, problems: list[Problem]) -> Any:
    """Turn a node into plain values; report keys that are not text, duplicate keys and unknown tags."""
    if isinstance(node, ScalarNode):
        tag, value = node.tag, node.value
        if tag in (_INT, _FLOAT) and len(value) > MAX_DIGITS:
            message = f"數字太長（{len(value)} 位），上限 {MAX_DIGITS} 位 (limit)"
            problems.append(Problem(path, *_at(node), format_loc(loc), message))
            return None
        if tag == _STR:
            hidden = invisible(value)
            if hidden is not None:
                problems.append(Problem(
                    path, *_at(node), format_loc(loc),
                    f"文字中有看不見或會改變顯示的字元 {describe(hidden)}，網頁上看到的會和檔案不同；請刪除這個字元",
                ))
                return None
            return value
        if tag == _INT and _INT_TEXT.fullmatch(value):
            return int(value)
        if tag == _FLOAT and _FLOAT_TEXT.fullmatch(value):
            return Decimal(value)
        if tag == _BOOL and value in ("true", "false"):
            return value == "true"
        if tag == _NULL and value in ("", "~", "null"):
            return None
        problems.append(Problem(path, *_at(node), format_loc(loc), f"不支援的 YAML 標籤 {tag} (unsupported tag)"))
        return None
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, loc, path, problems)
            if not isinstance(key, str):
                problems.append(Problem(path, *_at(key_node), format_loc(loc), f"欄位名稱必須是文字，讀到的是 {key!r}"))
                continue
            if key.startswith("\u3000"):  # indented with a full-width space at the start of the file's lines
                problems.append(Problem(path, *_at(key_node), "", FULL_WIDTH_SPACE))
                continue
            if key in result:
                problems.append(Problem(
                    path, *_at(key_node), format_loc((*loc, key)),
                    f"欄位重複：第 {first_line[key]} 行已經寫過 {key}，同一層只能寫一次 (duplicate key)",
                ))
                continue
            first_line[key] = key_node.start_mark.line + 1
            result[key] = _construct(value_node, (*loc, key), path, problems)
        return result
    assert isinstance(node, SequenceNode)
    return [_construct(item, (*loc, i), path, problems) for i, item in enumerate(node.value)]


def read_file(path: Path, display: str, within: Path) -> bytes:
    """Read a data file's bytes: refuse links that leave `within` or lead nowhere, special files and huge files."""
    def refuse(message: str) -> DataError:
        return DataError([Problem(display, 1, 1, "", message)])

    try:
        if path.is_symlink() and not path.resolve(strict=True).is_relative_to(within.resolve()):
            raise refuse("這是指向資料夾之外的連結；網站只發布資料夾內的檔案，請把檔案本身放進來 (link outside data)")
        mode = path.stat()
    except (OSError, RuntimeError):  # a dangling link, or a loop of links (RuntimeError before Python 3.13)
        raise refuse("這是指向不存在的檔案的連結（或連結形成迴圈）；請刪除它或換成檔案本身 (broken link)") from None
    if not stat.S_ISREG(mode.st_mode):
        what = "資料夾" if stat.S_ISDIR(mode.st_mode) else "特殊檔案（例如具名管道）"
        raise refuse(f"這是{what}，不是資料檔；請刪除或改名 (not a regular file)")
    if mode.st_size > MAX_FILE_BYTES:
        raise refuse(f"檔案太大（{mode.st_size:,} 位元組），上限 {MAX_FILE_BYTES:,} 位元組；請分成幾個檔案 (limit)")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise refuse(f"無法讀取這個檔案（{exc.strerror}）") from None


def load_file(path: Path, display: str, data: bytes | None = None) -> Document:
    """Read (unless its bytes are given) and parse one YAML file; `display` is the path shown in messages."""
    try:
        text = (read_file(path, display, path.parent) if data is None else data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([Problem(display, 1, 1, "", f"檔案不是 UTF-8 編碼，請以 UTF-8 儲存 ({exc.reason})")]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return parse(text, display)
