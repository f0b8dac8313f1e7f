"""The `portal` command: one function per subcommand, and one place that turns a PortalError into a message."""
from __future__ import annotations

import argparse
import difflib
import logging
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from .errors import EXIT_DATA, EXIT_OK, EXIT_USAGE, DataError, PortalError, UsageError


class _Parser(argparse.ArgumentParser):
    """An argument parser that explains usage mistakes in Chinese and suggests the command meant."""

    def format_usage(self) -> str:
        """Return the usage line in Chinese."""
        return _chinese(super().format_usage())

    def format_help(self) -> str:
        """Return the help text with argparse's own headings in Chinese."""
        return _chinese(super().format_help())

    def error(self, message: str) -> NoReturn:
        """Print the mistake in Chinese with a suggestion, and exit 2."""
        self.print_usage(sys.stderr)
        sys.stderr.write(_explain_usage(message) + "\n")
        sys.exit(EXIT_USAGE)


_HEADINGS = {"usage:": "用法：", "positional arguments:": "參數：", "options:": "選項：",
             "show this help message and exit": "顯示這段說明"}


def _chinese(text: str) -> str:
    for english, chinese in _HEADINGS.items():
        text = text.replace(english, chinese)
    return text


def _explain_usage(message: str) -> str:
    """Say in Chinese what argparse found wrong with the command line."""
    option = re.search(r"argument (-[-\w]+|[a-z_]+): invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if option:  # a choice of an option or argument, not the command
        allowed = [c.strip(" '") for c in option[3].split(",")]
        return f"portal: {option[1]} 不能是「{option[2]}」；可用的有：{'、'.join(allowed)}（執行 portal -h 看用法）"
    choice = re.search(r"invalid choice: '([^']*)'", message)
    if choice:
        meant = difflib.get_close_matches(choice[1], COMMANDS, n=1, cutoff=0.4)
        hint = f"；您是不是要打「portal {meant[0]}」？" if meant else "；"
        return f"portal: 不認得指令「{choice[1]}」{hint}可用的指令有：{'、'.join(COMMANDS)}"
    if "the following arguments are required" in message:
        return "portal: 缺少必要的參數：" + message.split(":", 1)[1].strip() + "（執行 portal -h 看用法）"
    if message.startswith("unrecognized arguments"):
        return "portal: 不認得這些參數：" + message.split(":", 1)[1].strip() + "（執行 portal -h 看用法）"
    number = re.search(r"argument (\w+): invalid int value: '([^']*)'", message)
    if number:
        return f"portal: {number[1]} 必須是數字（民國年，例如 114），讀到的是「{number[2]}」"
    return f"portal: 指令的寫法有誤（{message}）；執行 portal -h 看用法"


ENGINES = ("mkdocs", "properdocs")  # the engines `build.use_engine` knows


def _parser() -> argparse.ArgumentParser:
    # -f and -q may stand before or after the command: each subcommand takes them too, without a default of its
    # own so that one given before the command is kept.
    common = _Parser(add_help=False)
    common.add_argument("-f", "--config-file", default=argparse.SUPPRESS, help="MkDocs 設定檔（預設 mkdocs.yml）")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="只在出錯時輸出訊息")
    parser = _Parser(
        prog="portal", description="施政透明網產生器：檢查資料、建置與預覽網站 (transparency portal generator)"
    )
    parser.add_argument("-f", "--config-file", default="mkdocs.yml", help="MkDocs 設定檔（預設 mkdocs.yml）")
    parser.add_argument("-q", "--quiet", action="store_true", help="只在出錯時輸出訊息")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    check = commands.add_parser("check", parents=[common], help="只檢查 data/ 的資料，不建置網站")
    check.add_argument("--data", default="data", help="資料資料夾（預設 data）")
    check.add_argument("--published", metavar="REV", default=None,
                       help="已公布的 git 版本（例如 origin/main）：改了那時公布的數字卻沒有更正紀錄就不通過")
    build = commands.add_parser("build", parents=[common], help="檢查資料並以嚴格模式建置網站到 site/")
    build.add_argument("-d", "--site-dir", default=None, help="輸出資料夾（預設依 mkdocs.yml，通常是 site/）")
    build.add_argument("--engine", choices=ENGINES, default="mkdocs",
                       help="網站引擎：mkdocs（預設）或 properdocs（MkDocs 1.6 的維護分支，需另外安裝）")
    build.add_argument("--shard", metavar="I/N", default=None,
                       help="只建置第 I 片（共 N 片，依機關分）；各片建好後用 portal merge 合併成完整網站")
    merge = commands.add_parser("merge", parents=[common], help="把 portal build --shard 建好的各片合併成完整網站")
    merge.add_argument("parts", nargs="+", help="各分片的輸出資料夾")
    merge.add_argument("-d", "--site-dir", default="site", help="合併後的網站資料夾（預設 site）")
    serve = commands.add_parser("serve", parents=[common], help="在本機預覽網站，修改 YAML 後自動重新整理")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", help="位址與埠（預設 127.0.0.1:8000）")
    serve.add_argument("--engine", choices=ENGINES, default="mkdocs", help="網站引擎：mkdocs（預設）或 properdocs")
    serve.add_argument("--agency", action="append", default=[], metavar="機關代號",
                       help="只預覽這個機關（可重複）：大型入口網站存檔後也在幾秒內更新；其他機關不讀取、不檢查")
    export = commands.add_parser("export", parents=[common], help="把產生的頁面與圖表寫成一般檔案（給其他網站產生器）")
    export.add_argument("out_dir", help="輸出資料夾（不可在 data/ 或 content/ 之內）")
    export.add_argument("--data", default="data", help="資料資料夾（預設 data）")
    export.add_argument("--site", action="store_true",
                        help="輸出可交給其他引擎（例如 Zensical）建置的完整專案：docs/ 與不含外掛的 mkdocs.yml")
    new = commands.add_parser("new", parents=[common], help="從最新一份同類資料複製出下一份（數字清空，供填寫）")
    new.add_argument("kind", choices=["plan", "report"], help="plan（施政計畫）或 report（工作成果）")
    new.add_argument("year", type=int, help="民國年度，例如 114")
    new.add_argument("period", nargs="?", help="工作成果的期間：上半年、下半年或全年")
    new.add_argument("--agency", default=None, help="機關代號（只有一個機關時可省略）")
    new.add_argument("--data", default="data", help="資料資料夾（預設 data）")
    diff = commands.add_parser("diff", parents=[common], help="列出與某個 git 版本相比，所有變動的數字（給審核者看）")
    diff.add_argument("rev", nargs="?", default=None, help="比較的 git 版本（預設：與 main 的分岔點）")
    diff.add_argument("--markdown", action="store_true", help="輸出 Markdown（可貼到 pull request）")
    diff.add_argument("--data", default="data", help="資料資料夾（預設 data）")
    commands.add_parser("schemas", parents=[common], help="依資料模型重新產生 schemas/ 中給編輯器用的 JSON Schema")
    return parser


class _Run:
    """What every subcommand needs: its arguments, the project folder, and a way to report progress."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.config_file = Path(args.config_file)
        self.root = self.config_file.resolve().parent

    def say(self, message: str) -> None:
        """Print a progress or success message unless -q was given."""
        if not self.args.quiet:
            print(message, flush=True)

    def config(self) -> Path:
        """Return mkdocs.yml, or refuse when it is not there."""
        if not self.config_file.is_file():
            raise UsageError(f"找不到設定檔 {self.config_file} (config file not found)")
        return self.config_file


def check(run: _Run) -> int:
    """Load and validate the data only."""
    from .assemble import load_portal
    from .cache import cache_dir

    records = cache_dir(run.root) / "records"
    published = run.args.published
    portal = load_portal(run.root / run.args.data, run.root, keep_reports=published is not None, cache_dir=records)
    if published is not None:
        from .review import unrecorded

        problems = unrecorded(run.root, run.root / run.args.data, published, portal)
        if problems:
            raise DataError(problems)
    agencies, plans, reports = portal.counts()
    run.say(f"資料檢查通過：{agencies} 個機關、{plans} 份施政計畫、{reports} 份工作成果報告。")
    return EXIT_OK


def build(run: _Run) -> int:
    """Check, generate and build the site all-or-nothing."""
    from .build import build as build_site
    from .build import use_engine
    from .shards import Shard

    use_engine(run.args.engine)
    started = time.monotonic()
    site_dir = Path(run.args.site_dir) if run.args.site_dir else None
    shard = Shard.parse(run.args.shard) if run.args.shard else None
    published = build_site(run.config(), site_dir, shard)
    site, stats = published.site, published.site.stats
    part = f"第 {shard.index}/{shard.count} 片" if shard else "網站"
    same = (f"；全站 {published.pages} 頁中有 {published.reused} 頁與上次建置的相同，直接沿用"
            if published.reused else "")
    run.say(f"{part}已建置到 {_shown(published.target)}（{time.monotonic() - started:.1f} 秒）："
            f"產生 {len(site.pages())} 頁、{stats.drawn + stats.cached} 張圖表"
            f"（新繪 {stats.drawn} 張，{stats.cached} 張取自快取 .cache/）{same}。")
    return EXIT_OK


def _shown(path: Path) -> Path:
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def merge(run: _Run) -> int:
    """Merge the parts of a sharded build into one site."""
    from .build import merge_parts

    target = Path(run.args.site_dir)
    count = merge_parts([Path(part) for part in run.args.parts], target)
    run.say(f"已合併 {len(run.args.parts)} 片、{count:,} 個檔案到 {_shown(target.resolve())}。")
    return EXIT_OK


def serve(run: _Run) -> int:
    """Preview the site with live reload, whatever the state of the data."""
    from .build import serve as serve_site
    from .build import use_engine

    use_engine(run.args.engine)
    serve_site(run.config(), run.args.dev_addr, lambda message: print(message, flush=True), run.args.agency)
    return EXIT_OK


def export(run: _Run) -> int:
    """Write the generated pages and charts as plain files."""
    from .build import export as export_files

    config = run.config() if run.args.site else None
    count = export_files(run.root / run.args.data, run.root, Path(run.args.out_dir), config)
    run.say(f"已輸出 {count} 個檔案到 {run.args.out_dir}。")
    return EXIT_OK


def new(run: _Run) -> int:
    """Start the next plan or report from the latest one."""
    from .scaffold import scaffold

    args = run.args
    if args.year > 300:
        raise UsageError(
            f"「{args.year}」看起來是西元年；年度請寫民國年，例如 {args.year - 1911}（西元年減 1911）"
            " (ROC year expected)"
        )
    if args.kind == "report" and args.period is None:
        raise UsageError("工作成果需要期間：portal new report 114 上半年")
    created = scaffold(run.root / args.data, args.kind, args.year, args.period, args.agency)
    run.say(f"已建立 {created.relative_to(run.root).as_posix()}；請填入數字與原文後執行 portal check。")
    return EXIT_OK


def diff(run: _Run) -> int:
    """Print every number changed since a git revision; exit 1 when the data now has errors."""
    from .review import merge_base, review

    text, valid = review(run.root, run.root / run.args.data, run.args.rev or merge_base(run.root), run.args.markdown)
    print(text, end="")
    return EXIT_OK if valid else EXIT_DATA


def schemas(run: _Run) -> int:
    """Write the editor schemas from the models."""
    from .schemas import write_schemas

    for path in write_schemas(run.root / "schemas"):
        run.say(f"已寫入 {path.relative_to(run.root).as_posix()}")
    return EXIT_OK


COMMANDS: dict[str, Callable[[_Run], int]] = {
    "check": check, "build": build, "merge": merge, "serve": serve, "export": export, "new": new, "diff": diff,
    "schemas": schemas,
}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return 0 on success, 1 on data or build errors, 2 on usage errors."""
    args = _parser().parse_args(argv)
    if not args.quiet and args.command in ("build", "serve", "export"):
        progress = logging.StreamHandler(sys.stdout)
        progress.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("generator").addHandler(progress)
        logging.getLogger("generator").setLevel(logging.INFO)
    try:
        return COMMANDS[args.command](_Run(args))
    except PortalError as exc:
        print(exc.report(), file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
