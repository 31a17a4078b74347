"""``narrascope reuse`` and ``narrascope claims``: reused passages and recurring claims."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_commands", "cmd_claims", "cmd_reuse"]

_CHARS = 160


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "reuse",
        parents=[common],
        help="passages reused between and within documents",
        description="Print the reused passages of a store: both documents with offsets, "
        "similarity, verbatim or near-verbatim, and which came first where the publication "
        "dates tell. Site boilerplate is left out. Exit status 1 if there is none.",
    )
    p.add_argument("--db", required=True, metavar="PATH", help="store file")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="show at most N passages")
    p.set_defaults(func=cmd_reuse)
    p = sub.add_parser(
        "claims",
        parents=[common],
        help="claims that recur across documents",
        description="Print the claims that several documents make (in the same or in "
        "different words), with their documents, independent sources and first date. "
        "A build that adds documents to a store links their sentences to the stored "
        "claims and leaves the rest as it was; --recompute clusters every sentence "
        "again from scratch, as a first build does. Exit status 1 if there is none.",
    )
    p.add_argument("--db", required=True, metavar="PATH", help="store file")
    p.add_argument("--limit", type=int, default=30, metavar="N", help="show at most N claims")
    p.add_argument("--recompute", action="store_true",
                   help="compute all claims again from the stored sentences first")
    p.set_defaults(func=cmd_claims)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _CHARS else text[: _CHARS - 1] + "…"


def _sources(store: Any) -> dict[str, tuple[str, str]]:
    return {
        r["id"]: (r["source"].rsplit("/", 1)[-1], r["text"])
        for r in store.query("SELECT id, source, text FROM documents")
    }


def cmd_reuse(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from narrascope.corpus.reuse import reuse_passages
    from narrascope.store import open_store

    with open_store(args.db, read_only=True) as store:
        passages = reuse_passages(store)
        docs = _sources(store)
    console = Console(highlight=False, soft_wrap=False)
    if not passages:
        console.print("Reuse: no reused passages found")
        return 1
    table = Table(title=f"Reused passages ({len(passages)})", show_lines=True, expand=True)
    table.add_column("From", ratio=2)
    table.add_column("To", ratio=2)
    table.add_column("Kind", no_wrap=True)
    for x in passages[: args.limit]:
        arrow = "→ first" if x.direction == "a->b" else ""
        table.add_row(
            f"[cyan]{escape(docs[x.doc_a][0])}[/cyan] {x.start_a}-{x.end_a} {arrow}\n"
            + escape(_short(docs[x.doc_a][1][x.start_a : x.end_a])),
            f"[cyan]{escape(docs[x.doc_b][0])}[/cyan] {x.start_b}-{x.end_b}\n"
            + escape(_short(docs[x.doc_b][1][x.start_b : x.end_b])),
            f"{x.kind}\n{x.scope}\n{x.similarity:.2f}",
        )
    console.print(table)
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from narrascope.corpus.claims import claims, find_claims
    from narrascope.store import open_store

    with open_store(args.db, read_only=not args.recompute) as store:
        if args.recompute:
            find_claims(store)
        found = claims(store)
        docs = _sources(store)
    console = Console(highlight=False, soft_wrap=False)
    if not found:
        console.print("Claims: no claim recurs across documents")
        return 1
    table = Table(title=f"Claims ({len(found)})", show_lines=True, expand=True)
    table.add_column("Claim", ratio=3)
    table.add_column("Docs", no_wrap=True)
    table.add_column("Indep.", no_wrap=True)
    table.add_column("First seen", no_wrap=True)
    for c in found[: args.limit]:
        members = "\n".join(
            f"[dim]{escape(docs[m.doc][0])}: {escape(_short(m.text))}[/dim]" for m in c.members
        )
        speakers = (
            f"\n[italic]speakers: {escape(', '.join(c.speakers))}[/italic]" if c.speakers else ""
        )
        table.add_row(
            f"[bold]{escape(_short(c.text))}[/bold]\n{members}{speakers}",
            str(c.doc_count),
            str(c.independent_count),
            c.first_seen or "—",
        )
    console.print(table)
    return 0
