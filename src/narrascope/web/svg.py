"""Charts as inline SVG computed on the server: no script, no external resources.

Every label is escaped; colours are presentation attributes (not ``style``) so
the pages' Content-Security-Policy needs no inline styles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

__all__ = ["bar_chart", "graph_svg"]

_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
            "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


_CHAR = 7.5  #: widest average character of a 12 px label, in px


def _trim(text: str, n: int = 28) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def bar_chart(items: Sequence[tuple[str, int]], *, width: int = 640, bar: int = 18,
              title: str = "") -> Markup:
    """Horizontal bars, one per ``(label, count)``."""
    if not items:
        return Markup("")
    top = max(c for _, c in items) or 1
    # room for the longest label (at most 7.5 px a character at 12 px), up to half the
    # chart; a label longer than that is cut at its end (the tooltip has it whole)
    longest = max(len(str(label)) for label, _ in items)
    label_w, h = min(width // 2, max(80, 12 + math.ceil(_CHAR * longest))), bar + 6
    labels = [_trim(str(label), int((label_w - 12) / _CHAR)) for label, _ in items]
    out = [(f'<svg class="chart" role="img" '
           f'width="{width}" height="{len(items) * h + 4}" '
           f'viewBox="0 0 {width} {len(items) * h + 4}" aria-label="{escape(title)}">')]
    for i, ((label, count), shown) in enumerate(zip(items, labels, strict=True)):
        y = i * h + 2
        w = max(1, int((width - label_w - 50) * count / top))
        out.append(
            f'<g><title>{escape(label)}: {count}</title>'
            f'<text x="{label_w - 6}" y="{y + bar - 5}" text-anchor="end" font-size="12" '
            f'fill="#333">{escape(shown)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar}" fill="#4e79a7"/>'
            f'<text x="{label_w + w + 4}" y="{y + bar - 5}" font-size="12" '
            f'fill="#333">{count}</text></g>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - labels escaped above


def graph_svg(nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]], *,
              size: int = 560, link: str | None = "/doc/") -> Markup:
    """A directed graph on a circle, nodes coloured by ``site``, edges source -> target."""
    if not nodes:
        return Markup("")
    r = size / 2 - 120
    cx = cy = size / 2
    sites = sorted({str(n.get("site") or "") for n in nodes})
    colour = {s: _PALETTE[i % len(_PALETTE)] for i, s in enumerate(sites)}
    order = sorted(nodes, key=lambda n: (str(n.get("site") or ""), str(n["id"])))
    pos: dict[str, tuple[float, float]] = {}
    for i, n in enumerate(order):
        angle = 2 * math.pi * i / len(order) - math.pi / 2
        pos[str(n["id"])] = (cx + r * math.cos(angle), cy + r * math.sin(angle))
    out = [(f'<svg class="graph" role="img" width="{size}" '
           f'height="{size}" viewBox="0 0 {size} {size}" aria-label="reuse graph">'
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="18" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
           'fill="#777"/></marker></defs>')]
    top = max((float(e.get("weight") or 1) for e in edges), default=1.0) or 1.0
    for e in edges:
        s, t = str(e["source"]), str(e["target"])
        if s not in pos or t not in pos:
            continue
        (x1, y1), (x2, y2) = pos[s], pos[t]
        w = 1 + 3 * float(e.get("weight") or 1) / top
        directed = e.get("directed", True)
        arrow = ' marker-end="url(#arrow)"' if directed else ""
        sign = "→" if directed else "–"
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                   f'stroke="#777" stroke-width="{w:.1f}"{arrow}>'
                   f'<title>{escape(s)} {sign} {escape(t)}</title></line>')
    for n in order:
        x, y = pos[str(n["id"])]
        site = str(n.get("site") or "")
        label = escape(_trim(str(n.get("title") or n["id"])))
        anchor = "start" if x >= cx else "end"
        dx = 10 if x >= cx else -10
        dot = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="{colour[site]}">'
               f'<title>{escape(str(n.get("title") or n["id"]))} ({escape(site)})</title>'
               f'</circle><text x="{x + dx:.1f}" y="{y + 4:.1f}" font-size="11" '
               f'text-anchor="{anchor}" fill="#222">{label}</text>')
        if link:
            dot = f'<a href="{escape(link + str(n["id"]))}">{dot}</a>'
        out.append(dot)
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - labels escaped above
