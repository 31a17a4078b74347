"""The command line: thin wrappers over the library.

Each command parses its flags, calls one library function and prints; library
errors become one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from narrascope import __version__
from narrascope.errors import NarrascopeError

__all__ = ["main"]

EPILOG = """examples:
  narrascope build articles/ more/*.html crawl.warc.gz --db corpus.db
  narrascope export --db corpus.db --what documents --format jsonl > docs.jsonl
  narrascope search --db corpus.db '"regime change" OR sanctions'
  narrascope demo
"""


def _settings(args: argparse.Namespace) -> Any:
    from narrascope.settings import load_settings

    return load_settings(
        args.config,
        spacy_model=getattr(args, "spacy_model", None),
        batch_size=getattr(args, "batch_size", None),
        n_process=getattr(args, "n_process", None),
        workers=getattr(args, "workers", None),
        scheduler=getattr(args, "scheduler", None),
        fetch_allow_private=getattr(args, "allow_private", None) or None,
    )


def cmd_build(args: argparse.Namespace) -> int:
    from narrascope.console import BuildProgress, print_build_report
    from narrascope.ingest.fetch import read_url_list
    from narrascope.pipeline import build
    from narrascope.store import open_store

    settings = _settings(args)
    urls = read_url_list(args.urls) if args.urls else []
    if not args.inputs and not urls:
        raise NarrascopeError("nothing to build: give INPUT paths or --urls FILE")
    with open_store(args.db) as store, BuildProgress(enabled=not args.quiet) as progress:
        report = build(args.inputs, store, settings, urls=urls, progress=progress)
    print_build_report(report, store.path)
    return 0 if report.documents else 1


def cmd_export(args: argparse.Namespace) -> int:
    from narrascope.export import export
    from narrascope.store import open_store

    with open_store(args.db, read_only=True) as store:
        if args.all_tables:
            from narrascope.interchange import export_tables

            counts = export_tables(store, args.all_tables)
            print(f"wrote {len(counts)} tables ({sum(counts.values()):,} rows) as CSV to "
                  f"{args.all_tables}", file=sys.stderr)
        elif args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                export(store, args.what, args.format, out)
        else:
            export(store, args.what, args.format, sys.stdout)
    return 0


def _export_kind(value: str) -> str:
    from narrascope.export import EXPORTS

    if value in EXPORTS or (value.startswith("table:") and len(value) > len("table:")):
        return value
    raise argparse.ArgumentTypeError(
        f"invalid choice: {value!r} (choose from {', '.join(EXPORTS)}, or table:NAME)")


def cmd_search(args: argparse.Namespace) -> int:
    from narrascope.console import print_search_hits
    from narrascope.store import open_store

    with open_store(args.db, read_only=True) as store:
        hits = store.search(args.query, limit=args.limit)
    print_search_hits(args.query, hits)
    return 0 if hits else 1


def cmd_check(args: argparse.Namespace) -> int:
    from narrascope.console import print_check
    from narrascope.store import open_store
    from narrascope.store.check import check_store

    with open_store(args.db, read_only=True) as store:
        results = check_store(store)
    print_check(results)
    return 0 if all(r.ok for r in results) else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from narrascope.console import BuildProgress, print_build_report, print_overview
    from narrascope.demo import run_demo
    from narrascope.store import open_store

    settings = _settings(args)
    with open_store(args.db) as store, BuildProgress(enabled=not args.quiet) as progress:
        report = run_demo(store, settings, progress)
        print_build_report(report, store.path)
        print_overview(store)
    if not report.documents:
        return 1
    if not args.no_serve:
        from narrascope.commands.web import serve_store

        serve_store(args.db, "127.0.0.1", args.port)
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    from narrascope.console import print_settings

    print_settings(_settings(args))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="narrascope",
        description="Understand a corpus of web articles: who is in it, on whose word, "
        "when, how it persuades and who copies whom, each finding linked to the "
        "characters of its source.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"narrascope {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, metavar="FILE",
                        help="settings file (TOML); default: ./narrascope.toml if present")

    p = sub.add_parser("build", parents=[common], help="ingest and analyse articles into a store",
                       description="Ingest files, folders (recursive) and globs of .txt, "
                       ".html/.htm, .warc/.warc.gz and .jsonl, and optionally URLs, into a "
                       "store. Bad inputs are skipped with a reason; documents already "
                       "stored are not redone. Exit status 1 if nothing was ingested.")
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="file, folder or glob")
    p.add_argument("--db", required=True, metavar="PATH",
                   help="store file (created if missing) or postgresql://user@host:port/dbname")
    p.add_argument("--urls", type=Path, metavar="FILE",
                   help="also fetch the URLs listed in FILE, one per line (# comments)")
    p.add_argument("--allow-private", action="store_true",
                   help="allow fetching from loopback/private addresses")
    _model_flags(p)
    p.set_defaults(func=cmd_build)

    from narrascope.export import EXPORTS, FORMATS
    from narrascope.interchange import OTHER_FORMATS

    p = sub.add_parser("export", parents=[common], help="write records of a store to stdout",
                       description="Export the records of a store as JSON lines or CSV. "
                       "Findings carry doc, start, end and text. Also: entities or documents "
                       "as FollowTheMoney JSON lines (ftm), techniques in the SemEval-2020 "
                       "Task 11 formats, the entities/reuse/network graphs as GEXF or GraphML, "
                       "any table as table:NAME, and every table as CSV (--all-tables DIR).")
    p.add_argument("--db", required=True, metavar="PATH", help="store file")
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--what", type=_export_kind, metavar="KIND",
                      help=f"one of {', '.join(EXPORTS)}, or table:NAME (a store table)")
    kind.add_argument("--all-tables", metavar="DIR",
                      help="write DIR/NAME.csv for every table of the store")
    p.add_argument("--format", default="jsonl", choices=[*FORMATS, *OTHER_FORMATS])
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("search", parents=[common], help="full-text search with snippets",
                       description="Search titles and main content (boilerplate is not "
                       "indexed). FTS5 syntax works: \"a phrase\", a OR b, prefix*.")
    p.add_argument("--db", required=True, metavar="PATH", help="store file")
    p.add_argument("query", help="words, a quoted phrase, or an FTS5 query")
    p.add_argument("--limit", type=int, default=20, help="most hits to show (default 20)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("check", parents=[common], help="check a store's integrity",
                       description="Check a store: schema version, SQLite integrity, "
                       "foreign keys, every finding's offsets inside its document, document "
                       "ids, and the full-text index. Exit status 1 if any check fails.")
    p.add_argument("--db", required=True, metavar="PATH", help="store file")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("demo", parents=[common], help="build the bundled sample corpus and "
                       "show what was found",
                       description="Build the fictional sample corpus shipped with "
                       "narrascope into a store, print an overview, and serve the web UI "
                       "over it (the URL is printed; Ctrl-C stops it).")
    p.add_argument("--db", default="narrascope-demo.db", metavar="PATH",
                   help="store file (default: narrascope-demo.db)")
    p.add_argument("--no-serve", action="store_true", help="build and print, do not serve")
    p.add_argument("--port", type=int, default=8001, metavar="N",
                   help="port of the web UI (default 8001; 0 picks a free one)")
    _model_flags(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("settings", parents=[common], help="list every setting with its help",
                       description="Print each setting, its current value (defaults, then "
                       "the settings file) and what it does.")
    p.set_defaults(func=cmd_settings)

    for add_commands in _command_modules():
        add_commands(sub, common)
    return parser


def _command_modules() -> list[Any]:
    """``add_commands(sub, common)`` of each module under :mod:`narrascope.commands`."""
    from narrascope import commands

    return list(commands.ADDERS)


def _model_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spacy-model", metavar="NAME", help="spaCy pipeline to load")
    p.add_argument("--batch-size", type=int, metavar="N", help="documents per spaCy batch")
    p.add_argument("--n-process", type=int, metavar="N", help="spaCy worker processes")
    p.add_argument("--workers", type=int, metavar="N",
                   help="run the per-document stages on a local Dask cluster of N processes")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the per-document stages on the Dask cluster at tcp://HOST:PORT")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``narrascope`` command."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except NarrascopeError as exc:
        print(f"narrascope: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("narrascope: interrupted; documents stored so far are kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
