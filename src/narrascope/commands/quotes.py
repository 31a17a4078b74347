"""``narrascope quotes`` and ``narrascope sources``: who is quoted, and on whose word."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_commands", "cmd_quotes", "cmd_sources"]

_TEXT_CHARS = 200


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "quotes", parents=[common], help="the quotes of a store with their speakers",
        description="Print every quote (direct, partial or indirect) with its speaker, "
        "source type and cue. Exit status 1 if none is found.",
    )
    p.add_argument("--db", required=True, metavar="PATH", help="store file")
    p.add_argument("--speaker", metavar="NAME", help="only the quotes of this speaker "
                   "(full name or last name, case-insensitive)")
    p.set_defaults(func=cmd_quotes)
    s = sub.add_parser(
        "sources", parents=[common], help="on whose word the corpus rests",
        description="Print, for the corpus and each document, the share of asserting "
        "sentences that are quoted or attributed, hedged or unattributed, the share of "
        "anonymous quotes, and the most quoted speakers and most cited documents.",
    )
    s.add_argument("--db", required=True, metavar="PATH", help="store file")
    s.set_defaults(func=cmd_sources)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _TEXT_CHARS else text[: _TEXT_CHARS - 1] + "…"


def cmd_quotes(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from narrascope.corpus.sources import quotes_of
    from narrascope.store import open_store

    with open_store(args.db, read_only=True) as store:
        records = quotes_of(store, args.speaker)
        sources = {r["id"]: r["source"] for r in store.query("SELECT id, source FROM documents")}
    console = Console(highlight=False, soft_wrap=False)
    title = f"Quotes ({len(records)})" + (f" of {args.speaker}" if args.speaker else "")
    if not records:
        console.print(f"{title}: none found")
        return 1
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("Speaker", ratio=1)
    table.add_column("Quote", ratio=3)
    table.add_column("Document", ratio=1)
    for r in records:
        who = escape(r["speaker"] or r["speaker_text"] or "—")
        who += f"\n[dim]{escape(r['source_type'])} · {escape(r['kind'])}"
        who += f" · {escape(r['cue'])}[/dim]" if r["cue"] else "[/dim]"
        doc = str(sources.get(r["doc"], r["doc"])).rsplit("/", 1)[-1]
        table.add_row(who, escape(_short(r["text"])), f"{escape(doc)}\n[dim]{r['start']}[/dim]")
    console.print(table)
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from narrascope.corpus.sources import summarise
    from narrascope.store import open_store

    with open_store(args.db, read_only=True) as store:
        corpus, docs = summarise(store)
    console = Console(highlight=False, soft_wrap=False)
    console.print(
        f"[bold]Corpus[/bold]: {corpus.sentences} asserting sentences, "
        f"{corpus.attributed_share:.0%} quoted or attributed, {corpus.share('hedged'):.0%} "
        f"hedged, {corpus.share('unattributed'):.0%} unattributed; {corpus.quotes} quotes, "
        f"{corpus.anonymous_share:.0%} anonymous")
    if corpus.speakers:
        console.print("Most quoted: " + escape(", ".join(f"{n} ({c})" for n, c in corpus.speakers)))
    if corpus.documents:
        console.print("Most cited documents: "
                      + escape(", ".join(f"{_short(n)[:60]} ({c})" for n, c in corpus.documents)))
    table = Table(title="Per document")
    table.add_column("Document", overflow="fold")
    for name in ("Sent.", "Attr.", "Hedged", "Unattr.", "Quotes", "Anon."):
        table.add_column(name, justify="right", no_wrap=True)
    for d in docs:
        table.add_row(
            escape(str(d.source).rsplit("/", 1)[-1]), str(d.sentences),
            f"{d.attributed_share:.0%}", f"{d.share('hedged'):.0%}",
            f"{d.share('unattributed'):.0%}", str(d.quotes), f"{d.anonymous_share:.0%}",
        )
    console.print(table)
    return 0 if corpus.sentences else 1
