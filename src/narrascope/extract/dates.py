"""Per-document stage: temporal expressions, normalised to TIMEX3-style values.

Expressions are found only in content regions, by the grammar of
:mod:`narrascope.extract.timex_grammar` and by spaCy's DATE/TIME entities (an
entity the grammar cannot read is kept, unresolved, with the reason). Relative
expressions are resolved in document order:

* deictic ones ("yesterday", "on Saturday", "last July", "earlier this year",
  "three years ago") against the document's date (``Document.published``, from
  metadata or a dateline), with the tense of the governing verb choosing the
  direction ("reported Saturday" is the Saturday before);
* anaphoric ones ("six days after", "the following year", "in July", "August 28")
  in a past-tense sentence against the last absolute date of the discourse when
  it was set in the same paragraph or there is no document date, else against
  the document's date.

Nothing is guessed: without an anchor the expression keeps ``value=None`` and
an ``unresolved_reason``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from narrascope.extract.nlp import Parsed
from narrascope.extract.timex_grammar import RULES, Anchor, Reading, duration_prefix, resolve
from narrascope.model import Document, Timex

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["find_readings", "tense_of", "timexes"]

_SPACY_LABELS = frozenset({"DATE", "TIME"})
_NUMERIC_LABELS = frozenset({"CARDINAL", "MONEY", "QUANTITY", "PERCENT", "ORDINAL"})
_MONTH_CUES = frozenset({
    "in", "since", "by", "until", "till", "during", "of", "early", "late", "mid", "from",
    "to", "through", "before", "after", "this", "that", "last", "next", "each", "every",
    "on", "throughout", "between", "and", "mid-",
})
_ANCHOR_GRANULARITIES = frozenset({"year", "month", "day", "season", "quarter", "half"})
_FUTURE_AUX = frozenset({"will", "'ll", "shall", "wo"})


@dataclass(frozen=True, slots=True)
class _Found:
    start: int  # offsets inside the region text
    end: int
    reading: Reading | None
    reason: str | None = None


def _accept(rule: str, m: re.Match[str], text: str, doc: Doc | None) -> bool:
    """Context checks the patterns cannot express (numbers that are not years...)."""
    if doc is not None:
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        labels = {t.ent_type_ for t in span} if span is not None else set()
        if "DATE" in labels or "TIME" in labels:
            return True
        if rule == "year" and labels & _NUMERIC_LABELS:
            return False
        if rule == "year" and span is not None:
            tok = span[-1]
            if tok.dep_ == "nummod" and tok.head.tag_ == "NNS" and tok.head.i > tok.i:
                return False
    if rule == "month-rel" and not m["which"] and not m["ofyear"]:
        month = m["mon"]
        if (len(month) <= 4 and month not in {"May", "June", "July"}) or month.endswith("."):
            return False
        before = re.findall(r"[\w-]+", text[max(0, m.start() - 20):m.start()])
        return bool(before) and before[-1].lower() in _MONTH_CUES
    return True


def find_readings(text: str, doc: Doc | None = None) -> list[tuple[int, int, Reading]]:
    """Grammar matches in ``text`` (longest first, no overlaps), in text order."""
    cands: list[tuple[int, int, int, Reading]] = []
    for order, rule in enumerate(RULES):
        if rule.cue is not None and rule.cue.search(text) is None:
            continue  # no match can be found without the cue
        for m in rule.pattern.finditer(text):
            if m.end() <= m.start():
                continue
            reading = rule.read(m)
            if reading is not None and _accept(rule.name, m, text, doc):
                start, end = _trim(text, m.start(), m.end())
                cands.append((start, end, order, reading))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    taken: list[tuple[int, int, Reading]] = []
    for start, end, _, reading in cands:
        if all(end <= s or e <= start for s, e, _ in taken):
            taken.append((start, end, reading))
    return sorted(taken, key=lambda t: t[0])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in " ,\t\n":
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _spacy_only(piece: Parsed, taken: list[tuple[int, int, Reading]]) -> list[_Found]:
    extra = []
    for ent in piece.doc.ents:
        if ent.label_ not in _SPACY_LABELS or not re.search(r"[^\W\d]", ent.text):
            continue
        if any(ent.start_char < e and s < ent.end_char for s, e, _ in taken):
            continue
        start, end = _trim(piece.text, ent.start_char, ent.end_char)
        if end > start:
            extra.append(_Found(start, end, None, "form not recognised by the date grammar"))
    return extra


def tense_of(span: Span | None) -> str:
    """past, future or present for the verb governing ``span`` (``unknown`` without one)."""
    if span is None:
        return "unknown"
    verb = governing_verb(span.root)
    if verb is None:
        return "unknown"
    aux = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]
    if any(c.lower_ in _FUTURE_AUX for c in aux):
        return "future"
    tags = {verb.tag_} | {c.tag_ for c in aux}
    if tags & {"VBD"} or (verb.tag_ == "VBN" and not aux):
        return "past"
    if verb.tag_ == "VBN" and any(c.lower_ in {"has", "have", "had"} for c in aux):
        return "past"
    return "present"


def governing_verb(token: Token) -> Token | None:
    """The nearest verb or auxiliary at or above ``token`` in the dependency tree."""
    seen = 0
    while seen < 8:
        if token.pos_ in {"VERB", "AUX"}:
            return token
        if token.head is token:
            return None
        token = token.head
        seen += 1
    return None


def _anchor_of(value: str) -> Anchor | None:
    return Anchor.parse(value)


def timexes(doc: Document, parsed: Sequence[Parsed], anchor: str | None) -> tuple[Timex, ...]:
    """Temporal expressions of the content regions of ``doc``, resolved where possible.

    ``anchor`` is the document's date (ISO 8601), usually ``doc.published``.
    """
    doc_anchor = Anchor.parse(anchor)
    discourse: Anchor | None = None
    discourse_region = -1
    out: list[Timex] = []
    pending_times: list[tuple[int, Timex, Span | None]] = []
    for region, piece in enumerate(parsed):
        text = piece.text
        taken = find_readings(text, piece.doc)
        found = [_Found(s, e, r) for s, e, r in taken] + _spacy_only(piece, taken)
        for f in sorted(found, key=lambda f: f.start):
            start, end = piece.offset + f.start, piece.offset + f.end
            span = piece.doc.char_span(f.start, f.end, alignment_mode="expand")
            base = (doc.id, start, end, doc.text[start:end])
            reading = f.reading
            if reading is None:
                out.append(Timex(*base, None, None, "date", unresolved_reason=f.reason))
                continue
            if reading.needs == "sentence":
                timex = Timex(*base, None, "time", "time",
                              unresolved_reason="time of day without a date")
                pending_times.append((len(out), timex, span))
                out.append(timex)
                continue
            if reading.needs is None:
                out.append(_timex(base, reading, "absolute"))
                if reading.kind in {"date", "range"} and reading.granularity in (
                    _ANCHOR_GRANULARITIES
                ):
                    found_anchor = _anchor_of(reading.start_value or reading.value or "")
                    if found_anchor is not None:
                        discourse, discourse_region = found_anchor, region
                continue
            tense = tense_of(span)
            if reading.needs == "following":
                out.append(_following(base, reading, tense, taken, f.end))
                continue
            source, use = _choose_anchor(reading, tense, doc_anchor, discourse,
                                         discourse_region == region)
            if use is None:
                out.append(Timex(*base, None, None, reading.kind, unresolved_reason=source))
                continue
            resolved = resolve(reading, use, tense)
            if resolved is None:
                out.append(Timex(*base, None, None, reading.kind,
                                 unresolved_reason=f"the {source} date is not precise enough"))
            else:
                out.append(_timex(base, resolved, source))
                if source == "discourse" and resolved.granularity in _ANCHOR_GRANULARITIES:
                    discourse = Anchor.parse(resolved.value) or discourse
    for i, timex, span in pending_times:
        out[i] = _date_time(timex, span, out, doc_anchor)
    return tuple(out)


def _choose_anchor(
    reading: Reading, tense: str, doc_anchor: Anchor | None, discourse: Anchor | None,
    same_region: bool,
) -> tuple[str, Anchor | None]:
    if reading.needs == "deictic":
        if doc_anchor is None:
            return "relative to the document's date, which is unknown", None
        return "document", doc_anchor
    if reading.needs == "anaphoric" and discourse is not None:
        return "discourse", discourse
    narrative = tense in {"past", "unknown"} and (
        doc_anchor is None or (same_region and discourse is not None
                               and discourse.year < doc_anchor.year - 1)
    )
    if discourse is not None and narrative:
        return "discourse", discourse
    if doc_anchor is not None:
        return "document", doc_anchor
    if discourse is not None:
        return "discourse", discourse
    return "no date earlier in the document and no document date to anchor it", None


def _timex(base: tuple[str, int, int, str], r: Reading, source: str) -> Timex:
    dated = r.kind in {"date", "range", "time"} and r.granularity != "vague"
    return Timex(*base, r.value, r.granularity, r.kind, r.start_value, r.end_value,
                 anchor_source=source if dated and r.value else None,
                 unresolved_reason=None if r.value else r.reason)


def _following(
    base: tuple[str, int, int, str], reading: Reading, tense: str,
    taken: list[tuple[int, int, Reading]], end: int,
) -> Timex:
    """ "six days after June 3": resolved against the date that follows, if one does."""
    for s, _, r in taken:
        if end <= s <= end + 5 and r.needs is None and r.kind == "date" and r.value:
            use = Anchor.parse(r.value)
            resolved = resolve(reading, use, tense) if use is not None else None
            if resolved is not None:
                return _timex(base, resolved, "following")
    prefix = duration_prefix(base[3])
    if prefix is not None:
        doc, start, _, text = base
        return _timex((doc, start, start + prefix[0], text[: prefix[0]]), prefix[1], "")
    return Timex(*base, None, None, reading.kind,
                 unresolved_reason="relative to an event whose date is not given")


def _date_time(
    timex: Timex, span: Span | None, found: list[Timex], doc_anchor: Anchor | None
) -> Timex:
    """A time of day takes the day named in its sentence, else the document's date."""
    clock = re.sub(r"^\D*", "", timex.text)
    m = re.match(r"(\d{1,2})(?::(\d\d))?\s*([ap])?", clock.lower())
    if m is None:
        return timex
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3) == "p" and hour < 12:
        hour += 12
    elif m.group(3) == "a" and hour == 12:
        hour = 0
    day: str | None = None
    source = "sentence"
    if span is not None:
        sent = span.sent
        lo = timex.start - (span.start_char - sent.start_char)
        hi = lo + (sent.end_char - sent.start_char)
        days = [t for t in found if t.granularity == "day" and t.value and lo <= t.start < hi]
        if days:
            day = min(days, key=lambda t: abs(t.start - timex.start)).value
    if day is None and doc_anchor is not None and doc_anchor.day is not None:
        day, source = f"{doc_anchor.year:04d}-{doc_anchor.month:02d}-{doc_anchor.day:02d}", (
            "document")
    if day is None:
        return timex
    return Timex(timex.doc, timex.start, timex.end, timex.text, f"{day}T{hour:02d}:{minute:02d}",
                 "time", "time", anchor_source=source)
