"""``narrascope timeline``: the events of a store in date order, with their evidence."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

__all__ = ["add_commands", "cmd_timeline", "print_timeline"]

_EVIDENCE_CHARS = 220


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "timeline", parents=[common], help="the dated events of a store in date order",
        description="Print the timeline: each event the documents assert (the same event "
        "told by several documents is one entry), its date, predicate, actors and place, "
        "and the evidence sentences with their documents. Exit status 1 if it is empty.",
    )
    p.add_argument("--db", required=True, metavar="PATH", help="store file")
    p.add_argument("--entity", metavar="NAME",
                   help="only entries with this actor (an entity's name or alias)")
    p.set_defaults(func=cmd_timeline)


def cmd_timeline(args: argparse.Namespace) -> int:
    from narrascope.corpus.events import timeline
    from narrascope.store import open_store

    with open_store(args.db, read_only=True) as store:
        entries = timeline(store, args.entity)
    print_timeline(entries, args.entity)
    return 0 if entries else 1


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EVIDENCE_CHARS else text[: _EVIDENCE_CHARS - 1] + "…"


def print_timeline(entries: Sequence[Any], entity: str | None = None) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=False)
    title = f"Timeline ({len(entries)} entries)" + (f" with {entity}" if entity else "")
    if not entries:
        console.print(f"{title}: nothing dated found")
        return
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("Date", no_wrap=True, style="bold")
    table.add_column("Event", ratio=1)
    table.add_column("Evidence (document: sentence)", ratio=3)
    for e in entries:
        what = escape(e.predicate or "—")
        if e.actors:
            what += "\n[dim]" + escape(", ".join(e.actors[:5])) + "[/dim]"
        if e.place:
            what += f"\n[italic]in {escape(e.place)}[/italic]"
        docs = len({s.doc for s in e.sources})
        evidence = "\n".join(
            f"[cyan]{escape(s.source.rsplit('/', 1)[-1])}[/cyan] "
            f"({escape(s.date_text)}): {escape(_short(s.text))}"
            for s in e.sources
        )
        date = f"{e.date}\n[dim]{e.granularity or ''} · {docs} doc{'s' if docs > 1 else ''}[/dim]"
        table.add_row(date, what, evidence)
    console.print(table)
