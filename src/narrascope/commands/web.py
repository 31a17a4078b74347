"""``narrascope serve``, ``report`` and ``graph``: look at a store, share it, export it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_commands", "cmd_graph", "cmd_report", "cmd_serve", "serve_store"]


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve", parents=[common], help="browse a store in a local web UI",
        description="Serve a read-only web UI over a store: corpus overview, document "
        "reader with highlighted findings, entity pages, timeline, claims, reuse graph, "
        "search, and every table as JSON or CSV under /api/. Listens on 127.0.0.1 only "
        "unless --host says otherwise. Stop with Ctrl-C.",
    )
    p.add_argument("--db", required=True, metavar="PATH",
                   help="store file (opened read-only unless --allow-corrections)")
    p.add_argument("--port", type=int, default=8001, metavar="N",
                   help="port to listen on (default 8001; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", metavar="ADDR",
                   help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--allow-corrections", action="store_true",
                   help="open the store for writing and let entity pages record corrections "
                   "(merge, split, rename, ignore); needs the token printed at start")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "report", parents=[common], help="write a self-contained HTML report of a store",
        description="Write one HTML file with the overview, timeline, top entities, claims "
        "matrix and reuse graph. Styles and charts are inline: it opens offline and "
        "runs no script, so it can be shared by email.",
    )
    p.add_argument("--db", required=True, metavar="PATH", help="store file")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="HTML file to write")
    p.add_argument("--title", metavar="TEXT", help="title of the report")
    p.set_defaults(func=cmd_report)

    from narrascope.web.graphs import GRAPH_FORMATS, GRAPHS

    p = sub.add_parser(
        "graph", parents=[common], help="export the entity, reuse or actor graph (GEXF, GraphML)",
        description="Export a graph for Gephi, Cytoscape or networkx. entities: entities "
        "linked when mentioned in one sentence (weight = sentences) and quote speaker -> "
        "entity quoted about; reuse: documents, with a directed edge from reused to reusing "
        "document; network: the actor network (one edge per relation between two "
        "entities, with its support).",
    )
    p.add_argument("--db", required=True, metavar="PATH", help="store file")
    p.add_argument("--what", default="entities", choices=list(GRAPHS))
    p.add_argument("--format", default="gexf", choices=list(GRAPH_FORMATS))
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=cmd_graph)


def serve_store(db: str, host: str, port: int, *, allow_corrections: bool = False) -> None:
    """Serve ``db`` until Ctrl-C, printing the URL (and the corrections token) once listening."""
    from narrascope.web.corrections import new_token
    from narrascope.web.server import LOOPBACK, serve

    token = new_token() if allow_corrections else None

    shown = db
    if "://" in db:
        from narrascope.store.postgres import redact

        shown = redact(db)  # no password on the terminal

    def ready(url: str) -> None:
        if token is None:
            print(f"Serving {shown} read-only at {url}  (Ctrl-C to stop)", flush=True)
        else:
            print(f"Serving {shown} at {url} with corrections enabled  (Ctrl-C to stop)\n"
                  f"Open {url}?token={token} to correct entities from this browser;\n"
                  f"POST /entity/ID/correct needs the token: {token}", flush=True)
        if host not in LOOPBACK:
            print(f"warning: listening on {host}: other machines can read this store",
                  file=sys.stderr, flush=True)

    try:
        serve(db, host, port, ready, corrections_token=token)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> int:
    serve_store(args.db, args.host, args.port, allow_corrections=args.allow_corrections)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from narrascope.store import open_store
    from narrascope.web.report import write_report

    with open_store(args.db, read_only=True) as store:
        size = write_report(store, args.output, title=args.title)
    print(f"wrote {args.output} ({size:,} bytes, self-contained)")
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    from narrascope.store import open_store
    from narrascope.web.graphs import write_graph

    with open_store(args.db, read_only=True) as store:
        if args.output:
            with open(args.output, "wb") as out:
                nodes, edges = write_graph(store, args.what, args.format, out)
            print(f"wrote {args.output}: {nodes} nodes, {edges} edges", file=sys.stderr)
        else:
            write_graph(store, args.what, args.format, sys.stdout.buffer)
    return 0
