"""Show staff what is left to do while they draft: the problems page and the banner of `portal serve`."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from .errors import PortalError, Problem
from .load import load_file
from .markup import escape, verbatim
from .scan import MAX_FILE_BYTES, visible

PROBLEMS_PAGE = "problems/index.md"
BANNER_SCRIPT = "assets/javascripts/portal-preview.js"
NAV_TITLE = "資料問題（預覽）"
_LONGEST_LINE = 200  # characters of a YAML line shown around the marked place


def is_todo(problem: Problem) -> bool:
    """Tell whether a problem is a field still to fill in (「尚未填寫」) rather than a mistake."""
    return problem.todo


@dataclass(frozen=True)
class Status:
    """How many mistakes and unfilled fields the data has, and in how many files."""

    errors: int
    todo: int
    files_left_out: int


def status(problems: Iterable[Problem]) -> Status:
    """Count the mistakes, the unfilled fields and the files that are not shown because of them."""
    found = list(problems)
    errors = [p for p in found if not is_todo(p)]
    return Status(len(errors), len(found) - len(errors), len({p.file for p in found}))


def preview_files(problems: list[Problem], root: Path, only: Sequence[str] = ()) -> dict[str, str]:
    """Return the problems page, a draft page for each file with problems, and the banner script."""
    files = {draft_path(f): page for f in sorted({p.file for p in problems}) if (page := draft_page(f, root))}
    return {PROBLEMS_PAGE: problems_page(problems, root, set(files), only),
            BANNER_SCRIPT: banner_script(status(problems)), **files}


def draft_path(file: str) -> str:
    """Return where the draft page of a data file is: problems/<its path with dashes>/index.md."""
    name = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in file.removesuffix(".yml"))
    return f"problems/{name.strip('-') or 'file'}/index.md"


def draft_page(file: str, root: Path) -> str | None:
    """Show a data file that has problems as it reads so far, with 「尚未填寫」 where a value is missing."""
    path = root / file
    if path.suffix != ".yml" or not path.is_file():
        return None
    try:
        data = load_file(path, file).data
    except PortalError:
        return None  # its YAML does not parse yet: the problems page says where
    return "\n".join([
        "---", "search:", "  exclude: true", "---", "",
        f"# 草稿：{escape(visible(file))}", "",
        "這個檔案還有問題，修好以前不會出現在網站上。下面是它目前的內容，空白的欄位標為「尚未填寫」；"
        "[回到資料問題](../index.md)。", "",
        f'<div class="portal-outline">{_outline(data)}</div>', "",
    ])


_HEADING_KEYS = ("title", "label", "name")


def _outline(node: object) -> str:
    """Write a YAML value as nested lists: each mapping under its title or label, each blank as 「尚未填寫」."""
    if isinstance(node, dict):
        key = next((k for k in _HEADING_KEYS if isinstance(node.get(k), str)), None)
        items = [f"<li>{escape(visible(str(k)))}：{_outline(v)}</li>" for k, v in node.items() if k != key]
        title = f"<strong>{escape(visible(node[key]))}</strong>" if key is not None else ""
        return f"{title}<ul>{''.join(items)}</ul>"
    if isinstance(node, list):
        return "<ol>" + "".join(f"<li>{_outline(v)}</li>" for v in node) + "</ol>" if node else "（空）"
    if node is None:
        return '<mark class="portal-todo">尚未填寫</mark>'
    return escape(visible(str(node)))


def problems_page(
    problems: list[Problem], root: Path, drafts: set[str] | None = None, only: Sequence[str] = ()
) -> str:
    """Write the page that lists every mistake and every unfilled field, each at its line of YAML."""
    found = sorted(set(problems))
    counts = status(found)
    lines = [
        "---", "search:", "  exclude: true", "---", "",
        "# 資料問題", "",
        "這一頁只在本機預覽（portal serve）出現，每次存檔後自動更新；正式建置的網站沒有這一頁。", "",
    ]
    if only:
        lines += [f"本預覽只含機關 {'、'.join(f'`{agency}`' for agency in only)}（portal serve --agency）："
                  "其他機關的資料沒有讀取也沒有檢查，首頁與開放資料也只列出這些機關。"
                  "正式建置前，請用 portal check 檢查全部資料。", ""]
    if not found:
        lines += ["資料沒有問題，`portal build` 可以建置網站。", ""]
        return "\n".join(lines)
    lines += [
        f"共有 **{counts.errors} 個錯誤**要修正、**{counts.todo} 個欄位尚未填寫**，"
        f"分布在 {counts.files_left_out} 個檔案。這些檔案修好以前不會出現在網站上，其他頁面照常預覽；"
        "全部修好後，`portal check` 才會通過。", "",
    ]
    sources = _Sources(root, drafts or set())
    errors = [p for p in found if not is_todo(p)]
    todo = [p for p in found if is_todo(p)]
    if errors:
        lines += [f"## 錯誤（{len(errors)}）", "", "先修正這些：每一則都標出檔案、行與欄，並在 YAML 中標出位置。", ""]
        lines += _listed(errors, sources)
    if todo:
        lines += [f"## 尚未填寫（{len(todo)}）", "", "這些欄位還是空白：請依來源文件逐字填入。", ""]
        lines += _listed(todo, sources)
    return "\n".join(lines)


def _listed(problems: list[Problem], sources: _Sources) -> list[str]:
    """List problems by file, each with its place, field, message and the marked line of YAML."""
    lines: list[str] = []
    for file, of_file in groupby(problems, key=lambda p: p.file):
        group = list(of_file)
        lines += [f"### {escape(visible(file))}（{len(group)}）", ""]
        if draft_path(file) in sources.drafts:
            lines += [f"[看這個檔案目前的內容（草稿）]({draft_path(file).removeprefix('problems/')})", ""]
        lines.append('<ol class="portal-problems">')
        for p in group:
            where = escape(visible(f"{p.file}:{p.line}:{p.column}"))
            field = f"<code>{escape(visible(p.field))}</code>：" if p.field else ""
            message = escape(visible(p.message.replace("\n", " ")))
            lines.append(f"<li><p><code>{where}</code> {field}{message}</p>{sources.marked(p)}</li>")
        lines += ["</ol>", ""]
    return lines


class _Sources:
    """Read each data file once and show one of its lines with the problem's column marked."""

    def __init__(self, root: Path, drafts: set[str]) -> None:
        self.root = root
        self.drafts = drafts
        self.lines: dict[str, list[str]] = {}

    def marked(self, problem: Problem) -> str:
        """Return the problem's line as preformatted HTML with the character at its column marked."""
        lines = self._read(problem.file)
        if not 1 <= problem.line <= len(lines):
            return ""
        text = lines[problem.line - 1]
        at = max(problem.column - 1, 0)
        start = max(0, at - _LONGEST_LINE // 2)
        end = at + 1
        while end < len(text) and not text[at].isspace() and not text[end].isspace() and end - at < 40:
            end += 1  # mark the whole word read there
        before, here, after = text[start:at], text[at:end], text[end:end + _LONGEST_LINE // 2]
        shown = "␣" if here.isspace() or not here else here  # a tab or a full-width space made visible
        return (
            f'<pre class="portal-source"><code><span class="portal-line">{problem.line}</span>'
            f"{'…' if start else ''}{verbatim(_plain(before))}<mark>{verbatim(_plain(shown))}</mark>"
            f"{verbatim(_plain(after))}</code></pre>"
        )

    def _read(self, file: str) -> list[str]:
        if file not in self.lines:
            path = self.root / file
            data = b""
            try:
                if path.is_file() and not path.is_symlink():  # not a FIFO (opening it would hang) or a link out
                    with path.open("rb") as handle:
                        data = handle.read(MAX_FILE_BYTES)  # nor a huge file whole
            except OSError:
                pass
            self.lines[file] = data.decode("utf-8", errors="replace").splitlines()
        return self.lines[file]


def _plain(text: str) -> str:
    """Make control characters and tabs visible so that a line of YAML shows what the parser read."""
    return visible(text.replace("\t", "⇥"))


def banner_script(counts: Status) -> str:
    """Return the script that puts a banner on every preview page while the data has problems."""
    return (
        "// portal serve：資料有問題時，在每一頁上方顯示提醒並連到「資料問題」頁。\n"
        "(function () {\n"
        f"  var errors = {counts.errors}, todo = {counts.todo};\n"
        "  if (!errors && !todo) { return; }\n"
        "  var here = document.currentScript;\n"
        '  var banner = document.createElement("div");\n'
        '  banner.className = "portal-preview-banner";\n'
        '  banner.setAttribute("role", "status");\n'
        '  var link = document.createElement("a");\n'
        '  link.href = new URL("../../problems/", here.src).href;\n'
        '  link.textContent = "查看資料問題";\n'
        '  banner.textContent = "預覽：資料有 " + errors + " 個錯誤、" + todo + " 個欄位尚未填寫；'
        '有問題的檔案暫不顯示。";\n'
        "  banner.appendChild(link);\n"
        "  document.body.insertBefore(banner, document.body.firstChild);\n"
        "})();\n"
    )
