"""``narrascope report``: one self-contained HTML file to share by email.

Styles are inline and charts are inline SVG; the file loads nothing from any
network and runs no script (its own Content-Security-Policy says so), and all
scraped text in it is escaped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from narrascope import __version__
from narrascope.store import Store
from narrascope.web.data import Corpus

__all__ = ["REPORT_CSP", "render_report", "write_report"]

#: Nothing may load; only the inline stylesheet applies.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"

#: Timeline entries listed in the report (the chart counts all of them).
MAX_ENTRIES = 300


def render_report(store: Store, *, title: str | None = None) -> str:
    """The report of ``store`` as one HTML document."""
    from narrascope.web.app import environment

    corpus = Corpus(store)
    css = (resources.files("narrascope.web") / "static" / "style.css").read_text("utf-8")
    timeline = corpus.timeline("year")
    decades = corpus.timeline("decade")["buckets"]
    return str(environment().get_template("report.html").render(
        title=title or f"narrascope report: {Path(store.path).name}",
        css=css, csp=REPORT_CSP, version=__version__,
        made=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        overview=corpus.overview(top=25), timeline=timeline, decades=decades,
        entries=timeline["entries"][:MAX_ENTRIES], claims=corpus.claims(top=40),
        reuse=corpus.reuse(),
    ))


def write_report(store: Store, path: str | Path, *, title: str | None = None) -> int:
    """Write the report to ``path``; returns its size in bytes."""
    html = render_report(store, title=title)
    Path(path).write_text(html, encoding="utf-8")
    return len(html.encode("utf-8"))
