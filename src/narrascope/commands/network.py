"""``narrascope network``: the actor network of a store, with its evidence sentences."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

__all__ = ["add_commands", "cmd_network", "print_network"]

_EVIDENCE_CHARS = 200
_EVIDENCE_LINES = 3


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "network", parents=[common], help="who did what to whom: the actor network",
        description="Print the actor network: one edge per (source entity, relation, "
        "target entity), negated relations apart, with how many sentences support it "
        "(asserted by the outlet / by a quoted source), its documents, dates and evidence "
        "sentences; with --entity, also how each site portrays that entity. Exit status 1 "
        "if it is empty.",
    )
    p.add_argument("--db", required=True, metavar="PATH", help="store file")
    p.add_argument("--entity", metavar="NAME",
                   help="only edges touching this entity (its name or one of its spellings)")
    p.add_argument("--limit", type=int, default=0, metavar="N",
                   help="print at most N edges (default: all)")
    p.set_defaults(func=cmd_network)


def cmd_network(args: argparse.Namespace) -> int:
    from narrascope.corpus.network import edges, entity_ids
    from narrascope.corpus.stance import by_site
    from narrascope.store import open_store

    with open_store(args.db, read_only=True) as store:
        found = edges(store, args.entity)
        stance = [s for ent in sorted(entity_ids(store, args.entity))
                  for s in by_site(store, ent)] if args.entity else []
    print_network(found[: args.limit] if args.limit > 0 else found, args.entity, stance)
    return 0 if found else 1


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EVIDENCE_CHARS else text[: _EVIDENCE_CHARS - 1] + "…"


def print_network(found: Sequence[Any], entity: str | None = None,
                  stance: Sequence[Any] = ()) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=False)
    title = f"Actor network ({len(found)} edges)" + (f" of {entity}" if entity else "")
    if not found:
        console.print(f"{title}: no relations found")
        return
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("Edge", ratio=2)
    table.add_column("Support", no_wrap=True)
    table.add_column("Evidence (document: sentence)", ratio=4)
    for e in found:
        rel = ("NOT " if e.negated else "") + e.relation
        what = (f"[bold]{escape(e.source_name)}[/bold]\n— {escape(rel)} →\n"
                f"[bold]{escape(e.target_name)}[/bold]")
        support = (f"{e.count} sent., {e.doc_count} doc\noutlet {e.outlet_count}\n"
                   f"quoted {e.quoted_count}")
        if e.dates:
            support += "\n" + escape(", ".join(e.dates[:3]))
        lines = [
            f"[cyan]{escape(ev.source.rsplit('/', 1)[-1])}[/cyan]"
            + (f" [dim]({escape(ev.asserted_by)})[/dim]" if ev.asserted_by != "outlet" else "")
            + f": {escape(_short(ev.text))}"
            for ev in e.evidence[:_EVIDENCE_LINES]
        ]
        if len(e.evidence) > _EVIDENCE_LINES:
            lines.append(f"[dim]… {len(e.evidence) - _EVIDENCE_LINES} more[/dim]")
        table.add_row(what, support, "\n".join(lines))
    console.print(table)
    if stance:
        st = Table(title=f"How each site portrays {entity}")
        st.add_column("Site")
        st.add_column("Polarity", justify="right")
        st.add_column("Label")
        st.add_column("Documents", justify="right")
        for s in stance:
            st.add_row(escape(s.site), f"{s.polarity:+.3f}", s.label, str(s.docs))
        console.print(st)
