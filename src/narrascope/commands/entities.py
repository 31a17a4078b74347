"""``narrascope entities``: list, show and correct the entities of a store."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_commands"]

_HELP = {
    "merge": ("NAME", "OTHER", "OTHER (a name or spelling) joins the entity NAME"),
    "split": ("NAME", "SPELLING", "mentions of NAME spelled SPELLING become their own entity"),
    "rename": ("NAME", "NEW", "show the entity NAME as NEW"),
    "ignore": ("NAME", None, "drop the entity NAME; its mentions stay unlinked"),
}


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "entities", parents=[common], help="list, show and correct resolved entities",
        description="Entities resolved across the corpus, and human corrections to them. "
        "Corrections are kept in the store as an audit log and re-applied on every build, "
        "so they survive re-runs; they name entities by a name or spelling, not by id.",
        epilog="examples:\n  narrascope entities list --db corpus.db --type PERSON\n"
        "  narrascope entities show --db corpus.db MEK\n"
        "  narrascope entities merge --db corpus.db 'Valdran Renewal Front' 'the Front'\n"
        "  narrascope entities split --db corpus.db 'Massoud Rajavi' Rajavi\n"
        "  narrascope entities log --db corpus.db",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = actions.add_parser("list", help="entities, most mentioned first")
    q.add_argument("--db", required=True, metavar="PATH", help="store file")
    q.add_argument("--type", metavar="LABEL", help="only this type (PERSON, ORG, GPE, ...)")
    q.add_argument("--limit", type=int, default=40, metavar="N", help="at most N (default 40)")
    q.set_defaults(func=cmd_list)
    q = actions.add_parser("show", help="one entity: aliases, documents, why merged, sentences")
    q.add_argument("--db", required=True, metavar="PATH", help="store file")
    q.add_argument("name", help="a name, spelling or id")
    q.set_defaults(func=cmd_show)
    for action, (first, second, text) in _HELP.items():
        q = actions.add_parser(action, help=text, description=text + "; then the corpus "
                               "stages run again over the store.")
        q.add_argument("--db", required=True, metavar="PATH", help="store file")
        q.add_argument("--note", help="why (kept in the log)")
        q.add_argument("target", metavar=first)
        if second:
            q.add_argument("argument", metavar=second)
        q.set_defaults(func=cmd_correct, correction=action)
    q = actions.add_parser("log", help="the corrections recorded in the store")
    q.add_argument("--db", required=True, metavar="PATH", help="store file")
    q.set_defaults(func=cmd_log)


def cmd_list(args: argparse.Namespace) -> int:
    from narrascope.console import print_entities
    from narrascope.store import open_store

    with open_store(args.db, read_only=True) as store:
        rows = [r for r in store.entities() if not args.type or r["type"] == args.type]
        listed = [(r, store.entity_aliases(r["id"])) for r in rows[: args.limit]]
    print_entities(listed)
    return 0 if listed else 1


def cmd_show(args: argparse.Namespace) -> int:
    from narrascope.console import print_entity_profile
    from narrascope.corpus.profiles import profile
    from narrascope.store import open_store

    with open_store(args.db, read_only=True) as store:
        found = profile(store, args.name)
    print_entity_profile(found)
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    from narrascope.corpus.corrections import record_correction
    from narrascope.pipeline import run_corpus_stages
    from narrascope.store import open_store

    with open_store(args.db) as store:
        cid = record_correction(store, args.correction, args.target,
                                getattr(args, "argument", None), args.note)
        unmatched: list[str] = []
        run_corpus_stages(store, unmatched=unmatched)
    for line in unmatched:
        print(f"narrascope: warning: {line}")
    print(f"correction {cid} recorded ({args.correction} {args.target!r}"
          + (f" {args.argument!r}" if getattr(args, "argument", None) else "") + ")")
    return 1 if any(line.startswith(f"correction {cid} ") for line in unmatched) else 0


def cmd_log(args: argparse.Namespace) -> int:
    from narrascope.corpus.corrections import corrections
    from narrascope.store import open_store

    with open_store(args.db, read_only=True) as store:
        log = corrections(store)
    for c in log:
        second = f" {c.argument!r}" if c.argument else ""
        note = f"  # {c.note}" if c.note else ""
        print(f"{c.id:>4}  {c.created_at}  {c.action} {c.target!r}{second}{note}")
    return 0
