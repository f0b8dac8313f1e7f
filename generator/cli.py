"""The `portal` command: check, build, serve and export the site."""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from .errors import DataError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portal", description="施政透明網產生器：檢查資料、建置與預覽網站 (transparency portal generator)"
    )
    parser.add_argument("-f", "--config-file", default="mkdocs.yml", help="MkDocs 設定檔（預設 mkdocs.yml）")
    parser.add_argument("-q", "--quiet", action="store_true", help="只在出錯時輸出訊息")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="只檢查 data/ 的資料，不建置網站")
    check.add_argument("--data", default="data", help="資料資料夾（預設 data）")
    build = commands.add_parser("build", help="檢查資料並以嚴格模式建置網站到 site/")
    build.add_argument("-d", "--site-dir", default=None, help="輸出資料夾（預設依 mkdocs.yml，通常是 site/）")
    serve = commands.add_parser("serve", help="在本機預覽網站，修改 YAML 後自動重新整理")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", help="位址與埠（預設 127.0.0.1:8000）")
    export = commands.add_parser("export", help="把產生的頁面與圖表寫成一般檔案（供其他網站產生器使用）")
    export.add_argument("out_dir", help="輸出資料夾（不可在 data/ 或 content/ 之內）")
    export.add_argument("--data", default="data", help="資料資料夾（預設 data）")
    new = commands.add_parser("new", help="從最新一份同類資料複製出下一份（數字清空，供填寫）")
    new.add_argument("kind", choices=["plan", "report"], help="plan（施政計畫）或 report（工作成果）")
    new.add_argument("year", type=int, help="民國年度，例如 114")
    new.add_argument("period", nargs="?", help="工作成果的期間：上半年、下半年或全年")
    new.add_argument("--agency", default=None, help="機關代號（只有一個機關時可省略）")
    new.add_argument("--data", default="data", help="資料資料夾（預設 data）")
    diff = commands.add_parser("diff", help="列出與某個 git 版本相比，所有變動的數字（給審核者看）")
    diff.add_argument("rev", nargs="?", default=None, help="比較的 git 版本（預設：與 main 的分岔點）")
    diff.add_argument("--markdown", action="store_true", help="輸出 Markdown（可貼到 pull request）")
    diff.add_argument("--data", default="data", help="資料資料夾（預設 data）")
    commands.add_parser("schemas", help="依資料模型重新產生 schemas/ 中給編輯器用的 JSON Schema")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return 0 on success, 1 on data errors, 2 on usage errors."""
    args = _parser().parse_args(argv)
    config_file = Path(args.config_file)
    root = config_file.resolve().parent

    def say(message: str) -> None:
        if not args.quiet:
            print(message, flush=True)

    if not args.quiet and args.command in ("build", "serve", "export"):
        progress = logging.StreamHandler(sys.stdout)
        progress.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("generator").addHandler(progress)
        logging.getLogger("generator").setLevel(logging.INFO)

    try:
        if args.command == "check":
            from .collect import load_portal
            from .layout import cache_dir

            portal = load_portal(root / args.data, root, keep_reports=False, cache_dir=cache_dir(root) / "records")
            agencies, plans, reports = portal.counts()
            say(f"資料檢查通過：{agencies} 個機關、{plans} 份施政計畫、{reports} 份工作成果報告。")
            return EXIT_OK
        if args.command == "export":
            from .build import export

            try:
                count = export(root / args.data, root, Path(args.out_dir))
            except ValueError as exc:
                print(str(exc), file=sys.stderr)
                return EXIT_USAGE
            say(f"已輸出 {count} 個檔案到 {args.out_dir}。")
            return EXIT_OK
        if args.command == "new":
            from .workflow import ScaffoldError, scaffold

            if args.kind == "report" and args.period is None:
                print("工作成果需要期間：portal new report 114 上半年", file=sys.stderr)
                return EXIT_USAGE
            try:
                created = scaffold(root / args.data, args.kind, args.year, args.period, args.agency)
            except ScaffoldError as exc:
                print(str(exc), file=sys.stderr)
                return EXIT_DATA
            say(f"已建立 {created.relative_to(root).as_posix()}；請填入數字與原文後執行 portal check。")
            return EXIT_OK
        if args.command == "diff":
            from .workflow import merge_base, review

            text, valid = review(root, root / args.data, args.rev or merge_base(root), args.markdown)
            print(text, end="")
            return EXIT_OK if valid else EXIT_DATA
        if args.command == "schemas":
            from .schemas import write_schemas

            for path in write_schemas(root / "schemas"):
                say(f"已寫入 {path.relative_to(root).as_posix()}")
            return EXIT_OK
        if not config_file.is_file():
            print(f"找不到設定檔 {config_file} (config file not found)", file=sys.stderr)
            return EXIT_USAGE
        if args.command == "build":
            from .build import BuildError, build

            started = time.monotonic()
            try:
                target, site = build(config_file, Path(args.site_dir) if args.site_dir else None)
            except BuildError as exc:
                print(f"網站建置失敗，原有的網站沒有變動 (build failed, site/ left as it was):\n{exc}",
                      file=sys.stderr)
                return EXIT_DATA
            pages, stats = len(site.pages()), site.stats
            shown = target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target
            say(f"網站已建置到 {shown}（{time.monotonic() - started:.1f} 秒）：產生 {pages} 頁、"
                f"{len(site.charts)} 張圖表（新繪 {stats.drawn} 張，{stats.cached} 張取自快取 .cache/）。")
            return EXIT_OK
        from .build import data_dir_of, serve
        from .collect import load_portal
        from .layout import cache_dir

        load_portal(data_dir_of(config_file), root, cache_dir=cache_dir(root) / "records")
        serve(config_file, args.dev_addr)
        return EXIT_OK
    except DataError as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_DATA


if __name__ == "__main__":
    sys.exit(main())
