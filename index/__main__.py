"""python -m index: build, rebuild or inspect Dossier's search index."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from index.environment import configure
from index.errors import run_command
from index.settings import Settings

if TYPE_CHECKING:
    from index.models import BuildReport
    from index.reader import IndexStatus

EPILOG = """\
examples:
  python -m index build                 # index ./corpus, embedding only what changed
  python -m index build --corpus ~/news # index another folder
  python -m index rebuild               # start over (re-embed everything)
  python -m index status --json         # what the live index holds

Supported article files: .txt .md .html .htm (one article each, metadata in a
NAME.meta.json beside it or in front matter) and .json .jsonl .csv (one article per
record with fields such as title, text, source, url, published).
Settings come from DOSSIER_* environment variables or dossier.toml (see README).
"""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", type=Path, help="folder of articles (default: ./corpus or DOSSIER_CORPUS_DIR)")
    common.add_argument("--index", type=Path, help="index folder (default: .dossier/index or DOSSIER_INDEX_DIR)")
    common.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    common.add_argument("--quiet", action="store_true", help="no progress bars")
    p = argparse.ArgumentParser(prog="python -m index", description=__doc__, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="{build,rebuild,status}")
    sub.add_parser("build", parents=[common], help="add, update and remove articles incrementally")
    sub.add_parser("rebuild", parents=[common], help="re-embed the whole corpus from scratch")
    sub.add_parser("status", parents=[common], help="show what the live index holds")
    return p


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if args.corpus:
        overrides["corpus_dir"] = args.corpus
    if args.index:
        overrides["index_dir"] = args.index
    return Settings(**overrides)


def _print_report(report: BuildReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_json()))
        return
    kind = f"full rebuild ({report.reason})" if report.full_rebuild else "incremental build"
    print(f"{kind}: {report.counts()} in {report.seconds:.2f} s")
    for sk in report.skipped:
        print(f"  skipped {sk.path}: {sk.reason}")
    print(f"index: {report.articles} articles, {report.chunks} chunks in {report.index_dir}")


def _print_status(st: IndexStatus, as_json: bool) -> None:
    if as_json:
        print(json.dumps(st.to_json()))
        return
    print(f"{st.articles} articles, {st.chunks} chunks, model {st.model} ({st.dimension}-d)")
    print(f"built {st.built_at}, collection {st.collection} in {st.index_dir}")
    if st.build_running:
        print("a build is running now")
    for sk in st.skipped:
        print(f"  skipped {sk.path}: {sk.reason}")


def main(argv: list[str] | None = None) -> int:
    configure()  # before the build loads numpy and the embedder
    args = _parser().parse_args(argv)
    return run_command(lambda: _run(args), interrupted="interrupted: the previous index is still the live one")


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.command == "status":
        from index.reader import status

        _print_status(status(settings, probe=True), args.json)
    else:
        from index.build import build

        report = build(settings, force=args.command == "rebuild", quiet=args.quiet or args.json)
        _print_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
