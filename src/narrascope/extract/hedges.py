"""Per-document stage: on whose word each asserting sentence rests.

Every content sentence that asserts something (at least five words, not a
question) gets one status, the first that applies:

* ``quoted``: it holds a direct or partial quote;
* ``attributed``: it holds reported speech whose source is a named person, an
  organisation, a document or the outlet, or it cites a document or footnote;
* ``hedged``: it rests on nobody's name: a hedge ("reportedly", "allegedly",
  "it is believed", "is said to", "sources say", "according to reports") or
  reported speech from an anonymous source ("officials said");
* ``unattributed``: none of these: the outlet's own assertion.

Sentences inside a quote's span count as quoted; the speaker's and cue's
sentence count as the quote's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrascope.model import Document

__all__ = ["STATUSES", "SentenceStatus", "sentence_statuses"]

STATUSES = ("quoted", "attributed", "hedged", "unattributed")

_HEDGE = re.compile(
    r"\b(?:reportedly|allegedly|purportedly|supposedly|rumou?red(?:ly)?|"
    r"it\s+(?:is|was|has\s+been)\s+(?:widely\s+|generally\s+)?"
    r"(?:believed|said|thought|reported|alleged|claimed|rumou?red|understood|suspected)|"
    r"(?:is|are|was|were)\s+(?:widely\s+)?(?:said|believed|thought|alleged|reported|rumou?red)"
    r"\s+to\b|"
    r"(?:sources?|insiders?|observers|critics|experts|officials|analysts)\s+"
    r"(?:say|said|claim(?:ed)?|believe[sd]?|suggest(?:ed)?)|"
    r"according\s+to\s+(?:some\s+|unnamed\s+|several\s+)?(?:reports|sources|rumou?rs))\b",
    re.IGNORECASE,
)
_MIN_WORDS = 5


@dataclass(frozen=True, slots=True)
class SentenceStatus:
    """One asserting content sentence and on whose word it rests."""

    doc: str
    start: int
    end: int
    status: str
    cue: str | None = None


def _asserts(text: str) -> bool:
    t = text.strip()
    return len(t.split()) >= _MIN_WORDS and not t.rstrip("\"”’'»)").endswith("?")


def sentence_statuses(doc: Document) -> tuple[SentenceStatus, ...]:
    """The status of each asserting content sentence of ``doc`` (needs its quotes)."""
    cited = [s for c in doc.citations for s in c.sentences]
    out: list[SentenceStatus] = []
    for sent in doc.sentences:
        s, e = sent.start, sent.end
        text = doc.text[s:e]
        if not doc.in_content(s, e) or not _asserts(text):
            continue
        status, cue = "unattributed", None
        best = 9
        for q in doc.quotes:
            spans = [*q.parts]
            if q.cue_start is not None and q.cue_end is not None:
                spans.append((q.cue_start, q.cue_end))
            if not any(a < e and s < b for a, b in spans):
                continue
            if q.kind != "indirect":
                rank, st = 0, "quoted"
            elif q.source_type in {"anonymous", "unknown"}:
                rank, st = 2, "hedged"
            else:
                rank, st = 1, "attributed"
            if rank < best:
                best, status, cue = rank, st, q.cue
        if best > 1 and any(a < e and s < b for a, b in cited):
            best, status, cue = 1, "attributed", None
        if best > 2:
            m = _HEDGE.search(text)
            if m is not None:
                status, cue = "hedged", " ".join(m.group().split())
        out.append(SentenceStatus(doc.id, s, e, status, cue))
    return tuple(out)
