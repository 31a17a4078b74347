"""The self-contained report, and the graph exports read back by networkx."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from narrascope.cli import main
from narrascope.store import open_store

from .conftest import PAYLOADS


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("href", "src", "srcset", "action", "xlink:href", "data", "poster") \
                    or name.startswith("on"):
                self.refs.append((tag, name, value or ""))


def test_report_is_self_contained(web_db: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "--db", str(web_db), "-o", str(out)]) == 0
    assert "self-contained" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    parser = _Refs()
    parser.feed(html)
    # nothing to fetch: only in-page anchors, no scripts, frames or stylesheets to load
    assert parser.refs
    assert all(n == "href" and v.startswith("#") for _, n, v in parser.refs)
    assert not parser.tags & {"script", "link", "img", "iframe", "object", "embed", "base"}
    assert "url(" not in html.replace("url(#arrow)", "")  # only the in-page SVG marker
    assert "@import" not in html
    assert "Content-Security-Policy" in html
    assert "default-src 'none'" in unescape(html)
    for payload in PAYLOADS:
        assert payload not in html
    # real data: the sample corpus's entities, timeline and documents
    assert "Anselm Korvik" in html
    assert html.count("<svg") >= 3
    assert "Events per decade" in html
    with open_store(web_db, read_only=True) as store:
        n = store.count("documents")
    assert html.count("<code>") >= n


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_entity_graph_loads_in_networkx(web_db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"entities.{fmt}"
    assert main(["graph", "--db", str(web_db), "--what", "entities", "--format", fmt,
                 "-o", str(out)]) == 0
    graph = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out)
    with open_store(web_db, read_only=True) as store:
        entities = store.query("SELECT id, name FROM entities")
        # two entities in one sentence must be linked
        pair = store.query(
            "SELECT a.entity AS a, b.entity AS b FROM mentions a JOIN mentions b"
            " ON a.doc = b.doc AND a.entity < b.entity JOIN sentences s ON s.doc = a.doc"
            " AND a.start >= s.start AND a.start < s.end AND b.start >= s.start"
            " AND b.start < s.end LIMIT 1")[0]
    assert graph.number_of_nodes() == len(entities)
    assert graph.number_of_edges() > 0
    assert graph.has_edge(pair["a"], pair["b"])
    assert all(int(d["weight"]) >= 1 for _, _, d in graph.edges(data=True))
    labels = {str(d["label"]) for _, d in graph.nodes(data=True)}
    assert labels == {e["name"] for e in entities}


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_reuse_graph_loads_in_networkx(web_db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"reuse.{fmt}"
    assert main(["graph", "--db", str(web_db), "--what", "reuse", "--format", fmt,
                 "-o", str(out)]) == 0
    graph = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out)
    assert graph.is_directed()
    with open_store(web_db, read_only=True) as store:
        assert graph.number_of_nodes() == store.count("documents")


def test_bar_chart_leaves_room_for_long_labels() -> None:
    import re

    from narrascope.web.svg import bar_chart

    label = "Whataboutism,Straw_Men,Red_Herring"  # a combined technique label
    svg = str(bar_chart([(label, 3), ("Doubt", 10)]))
    assert f">{label}</text>" in svg  # shown whole, not cut at 28 characters
    bars = re.search(r'<rect x="(\d+)"', svg)
    assert bars is not None
    assert int(bars.group(1)) >= 7.5 * len(label)  # right-aligned labels end before the bars
    # in a narrow chart (the report's) the label is cut at its end, never at its start
    narrow = str(bar_chart([(label, 3)], width=420))
    shown = re.search(r'text-anchor="end"[^>]*>([^<]*)</text>', narrow)
    assert shown is not None
    assert shown.group(1).startswith("Whataboutism")
    assert shown.group(1).endswith("…")
    bars = re.search(r'<rect x="(\d+)"', narrow)
    assert bars is not None
    assert int(bars.group(1)) >= 7.5 * len(shown.group(1))
