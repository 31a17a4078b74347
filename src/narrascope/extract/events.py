"""Per-document stage: dated assertions (event candidates) from the dependency parse.

An event is one sentence with one resolved date in it (a date or range, never a
duration, a set or a vague reference): its trigger is the noun the date modifies
("the 2003 invasion") or else the verb governing the date ("was forced ... on
September 9, 2016"), its predicate the trigger's lemma; its actors are the entity
mentions of the sentence, with the role the parse gives them towards the trigger
(``agent`` for a subject or a passive's by-phrase, ``patient`` for an object or a
passive subject); its place a GPE, LOC or FAC mention, preferably the object of
"in"/"at". The corpus stage (:mod:`narrascope.corpus.events`) merges the same
event told by several documents into one timeline entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from narrascope.extract.dates import governing_verb, timexes
from narrascope.extract.nlp import Parsed
from narrascope.extract.timex_grammar import sort_key
from narrascope.model import Document, Event, EventActor, Mention, Timex

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = ["Lemmatize", "clear_lemma_caches", "document_rows", "events", "lemmatizer", "with_dates"]

Lemmatize = Callable[["Token"], str]

_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_PLACE_PREPS = frozenset({"in", "at", "into", "inside", "near", "outside", "across"})
_NOMINAL_DEPS = frozenset({"nummod", "compound", "amod", "nmod", "npadvmod", "poss"})
_EVENT_GRANULARITIES = frozenset({
    "century", "decade", "year", "half", "quarter", "season", "month", "week", "day",
})


# Rule lemmas by (orth, pos, morph) per lemmatizer component, kept across batches:
# spaCy's own cache skips base forms, which are most of the words asked for.
# Both caches grow with the corpus's vocabulary, so both are emptied past this size.
_MAX_CACHED = 200_000
_RULE_CACHES: WeakKeyDictionary[Any, dict[tuple[int, int, int], str]] = WeakKeyDictionary()


def _component(nlp: Any) -> Any | None:
    """The pipeline's lemmatizer component, enabled or not; ``None`` where it has none."""
    if "lemmatizer" not in getattr(nlp, "component_names", ()):
        return None
    return nlp.get_pipe("lemmatizer")


def _clear_spacy_cache(component: Any) -> None:
    """Empty spaCy's own lemma cache of ``component`` (a dict, where it has one)."""
    if isinstance(spacy_cache := getattr(component, "cache", None), dict):
        spacy_cache.clear()


def _rule_forms(component: Any) -> Callable[[Token], list[str]] | None:
    """spaCy's ``Lemmatizer.rule_lemmatize`` for ``component``, its word indexes as sets.

    spaCy keeps each part of speech's index of known lemmas as a list (57,000 nouns
    in the English tables) and tests each candidate form against it by a linear
    scan: 0.2 ms a word, a tenth of the parse's time on a corpus of new words. This
    is the same algorithm step for step, with the index looked up in a set, so the
    lemmas are the same (tested against spaCy's own). ``None`` where the component
    is not spaCy's rule lemmatizer as such (a subclass that changes the rule).
    """
    from spacy.pipeline import Lemmatizer

    if type(component).rule_lemmatize is not Lemmatizer.rule_lemmatize:
        return None
    lookups = component.lookups
    index_table = lookups.get_table("lemma_index", {})
    exc_table = lookups.get_table("lemma_exc", {})
    rules_table = lookups.get_table("lemma_rules", {})
    tables: dict[str, tuple[frozenset[str], dict[str, list[str]], list[list[str]]] | None] = {}

    def of(univ_pos: str) -> tuple[frozenset[str], dict[str, list[str]], list[list[str]]] | None:
        if univ_pos not in tables:
            parts = (index_table.get(univ_pos), exc_table.get(univ_pos),
                     rules_table.get(univ_pos))
            tables[univ_pos] = (
                (frozenset(parts[0] or ()), parts[1] or {}, parts[2] or [])
                if any(parts) else None
            )
        return tables[univ_pos]

    def forms(token: Token) -> list[str]:
        string = token.text
        univ_pos = token.pos_.lower()
        if univ_pos in {"", "eol", "space"} or component.is_base_form(token):
            return [string.lower()]
        found = of(univ_pos)
        if found is None:
            return [string] if univ_pos == "propn" else [string.lower()]
        index, exceptions, rules = found
        orig, string = string, string.lower()
        out: list[str] = []
        oov: list[str] = []
        for old, new in rules:
            if string.endswith(old):
                form = string[: len(string) - len(old)] + new
                if not form:
                    pass
                elif form in index:
                    out.insert(0, form)
                elif not form.isalpha():
                    out.append(form)
                else:
                    oov.append(form)
        out = list(dict.fromkeys(out))
        for form in exceptions.get(string, []):
            if form not in out:
                out.insert(0, form)
        return out or oov or [orig]

    return forms


def lemmatizer(nlp: Any) -> Lemmatize:
    """A lemma function for triggers: the pipeline's lemmatizer even when it is disabled."""
    if (component := _component(nlp)) is not None:
        rule = getattr(component, "rule_lemmatize", None)
        if rule is not None and getattr(component, "mode", "") == "rule":
            rule = _rule_forms(component) or rule
            cache = _RULE_CACHES.setdefault(component, {})

            def lemma(token: Token) -> str:
                if token.lemma_:
                    return str(token.lemma_).lower()
                # the rule reads only the word, its part of speech and its morphology
                key = (token.orth, token.pos, token.morph.key)  # type: ignore[attr-defined]
                found = cache.get(key)
                if found is None:
                    if len(cache) >= _MAX_CACHED:
                        cache.clear()
                        _clear_spacy_cache(component)
                    forms = rule(token)
                    found = cache[key] = str(forms[0]).lower() if forms else str(token.lower_)
                return found

            return lemma
    return lambda token: str(token.lemma_ or token.lower_).lower()


def clear_lemma_caches(nlp: Any) -> None:
    """Empty the lemma caches of ``nlp``'s lemmatizer, this module's and spaCy's own.

    Both fill with the corpus's vocabulary during a parse (hundreds of thousands
    of entries, tens of MB) and are read only by it: a build empties them before
    its corpus stages, which then reuse that memory.
    """
    if (component := _component(nlp)) is not None:
        _RULE_CACHES.pop(component, None)
        _clear_spacy_cache(component)


def with_dates(doc: Document, parsed: Sequence[Parsed], lemma: Lemmatize) -> Document:
    """``doc`` with its temporal expressions and event candidates."""
    dated = replace(doc, timexes=timexes(doc, parsed, doc.published))
    return replace(dated, events=events(dated, parsed, lemma))


def _dated(t: Timex) -> bool:
    return bool(t.value) and t.kind in {"date", "range"} and t.granularity in (
        _EVENT_GRANULARITIES
    )


def _trigger(span: Span) -> Token | None:
    root = span.root
    if root.dep_ in _NOMINAL_DEPS and root.head.pos_ in {"NOUN", "PROPN"} and root.head != root:
        return root.head
    return governing_verb(root)


def _role(mention_root: Token, trigger: Token | None) -> str | None:
    if trigger is None:
        return None
    tok = mention_root
    for _ in range(3):
        head = tok.head
        if trigger in (head, tok):
            break
        if tok.dep_ in {"compound", "poss", "amod", "appos", "conj"} and head != tok:
            tok = head
            continue
        if tok.dep_ == "pobj" and head.dep_ == "agent" and head.head == trigger:
            return "agent"
        return None
    if tok.head != trigger:
        return None
    if tok.dep_ in {"nsubj", "csubj"}:
        return "agent"
    if tok.dep_ in {"dobj", "nsubjpass", "attr", "oprd"}:
        return "patient"
    return None


def _is_place_phrase(root: Token) -> bool:
    return root.dep_ == "pobj" and root.head.lower_ in _PLACE_PREPS


def events(doc: Document, parsed: Sequence[Parsed], lemma: Lemmatize) -> tuple[Event, ...]:
    """One event per resolved date expression, with the sentence as its evidence."""
    dated = [t for t in doc.timexes if _dated(t)]
    if not dated:
        return ()
    found: list[Event] = []
    for piece in parsed:
        for sent in piece.doc.sents:
            lo, hi = piece.offset + sent.start_char, piece.offset + sent.end_char
            in_sent = [t for t in dated if lo <= t.start and t.end <= hi]
            if not in_sent:
                continue
            text = doc.text[lo:hi]
            lo, hi = lo + len(text) - len(text.lstrip()), hi - (len(text) - len(text.rstrip()))
            mentions = [m for m in doc.mentions if lo <= m.start and m.end <= hi]
            found.extend(_event(doc, piece, lo, hi, timex=t, mentions=mentions, lemma=lemma)
                         for t in in_sent)
    return tuple(found)


def _event(
    doc: Document, piece: Parsed, lo: int, hi: int, *, timex: Timex,
    mentions: list[Mention], lemma: Lemmatize,
) -> Event:
    local = piece.doc.char_span(timex.start - piece.offset, timex.end - piece.offset,
                                alignment_mode="expand")
    trigger = _trigger(local) if local is not None else None
    actors: list[EventActor] = []
    places: list[tuple[int, Mention]] = []
    for m in mentions:
        span = piece.doc.char_span(m.start - piece.offset, m.end - piece.offset,
                                   alignment_mode="expand")
        role = _role(span.root, trigger) if span is not None else None
        if m.label in _PLACE_LABELS and role is None:
            places.append((0 if span is not None and _is_place_phrase(span.root) else 1, m))
            continue
        actors.append(EventActor(m.start, m.end, m.text, m.label, role))
    place = min(places, key=lambda p: (p[0], p[1].start))[1] if places else None
    actors.extend(EventActor(m.start, m.end, m.text, m.label, None)
                  for _, m in places if m is not place)
    actors.sort(key=lambda a: a.start)
    return Event(
        doc=doc.id, start=lo, end=hi, timex_start=timex.start, timex_end=timex.end,
        date=timex.value or "", date_text=timex.text, granularity=timex.granularity,
        predicate=lemma(trigger) if trigger is not None else None,
        trigger_start=piece.offset + trigger.idx if trigger is not None else None,
        trigger_end=piece.offset + trigger.idx + len(trigger) if trigger is not None else None,
        actors=tuple(actors),
        place=place.text if place else None,
        place_start=place.start if place else None,
        place_end=place.end if place else None,
    )


_TIMEX_INSERT = (
    "INSERT INTO timexes (doc, start, end, text, value, granularity, kind, start_value,"
    " end_value, anchor_source, unresolved_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_EVENT_INSERT = (
    "INSERT INTO events (doc, start, end, timex_start, timex_end, date, date_text,"
    " granularity, sort_key, predicate, trigger_start, trigger_end, actors, place,"
    " place_start, place_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def document_rows(doc: Document) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """``(insert statement, rows)`` pairs for ``store.save_document(..., extra=...)``."""
    timex_rows = [
        (doc.id, t.start, t.end, t.text, t.value, t.granularity, t.kind, t.start_value,
         t.end_value, t.anchor_source, t.unresolved_reason)
        for t in doc.timexes
    ]
    event_rows = [
        (doc.id, e.start, e.end, e.timex_start, e.timex_end, e.date, e.date_text,
         e.granularity, sort_key(e.date, e.granularity), e.predicate, e.trigger_start,
         e.trigger_end,
         json.dumps([{"start": a.start, "end": a.end, "text": a.text, "label": a.label,
                      "role": a.role} for a in e.actors], ensure_ascii=False),
         e.place, e.place_start, e.place_end)
        for e in doc.events
    ]
    return [(_TIMEX_INSERT, timex_rows), (_EVENT_INSERT, event_rows)]
