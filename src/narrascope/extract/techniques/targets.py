"""Whom a technique span targets, where the sentence's syntax makes it clear.

Rules over the dependency parse, tried in order on the span's root token:

* an adjective or noun modifier outside its head ("the *corrupt* regime") targets
  the head noun phrase;
* an appositive ("X, *a terrorist cult*") targets the noun it stands beside;
* a predicate nominal or adjective ("X is *a terrorist cult*", "called X *a cult*")
  targets the subject (or the object of the calling verb);
* a noun phrase with an appositive, an of-phrase, a compound or possessive naming
  an entity ("*the cult*, X,", "the *cult-like character* of X", "the *X cult*")
  targets that entity;
* a verb ("X *brainwashes* its members") targets its subject;
* a span that holds a whole report ("*Y, an expert, explains that X aims to ...*",
  an appeal to authority) targets the subject of the reported clause, inside it;
* a generic statement (a cliché: "*A leopard cannot change its spots.* After
  settling in Albania, X ...") names no one; :func:`context_target` gives the
  named subject of the next (else the previous) sentence of its paragraph.

The target is widened to the entity mention containing the chosen token, or
else to its noun phrase (determiners, compounds and modifiers, never a clause).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from narrascope.model import Mention

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = ["context_target", "find_target"]

_MODIFIER_DEPS = frozenset({"amod", "compound", "nmod", "advmod", "npadvmod"})
_PREDICATE_DEPS = frozenset({"attr", "acomp", "oprd"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_NOMINAL = frozenset({"NOUN", "PROPN", "PRON"})
_PHRASE_DEPS = frozenset({"det", "compound", "amod", "poss", "nummod", "nmod", "case", "flat"})


def _outside(tok: Token, span: Span) -> bool:
    return not (span.start <= tok.i < span.end)


def _child(tok: Token, deps: frozenset[str]) -> Token | None:
    return next((c for c in tok.children if c.dep_ in deps), None)


def _choose(span: Span) -> Token | None:
    root = span.root
    head = root.head
    if root.dep_ in _MODIFIER_DEPS and head.pos_ in _NOMINAL and _outside(head, span):
        return head
    if root.dep_ == "appos" and _outside(head, span):
        return head
    if root.dep_ in _PREDICATE_DEPS and _outside(head, span):
        if root.dep_ == "oprd":
            obj = _child(head, frozenset({"dobj"}))
            if obj is not None and _outside(obj, span):
                return obj
        subj = _child(head, _SUBJECT_DEPS)
        if subj is not None and _outside(subj, span):
            return subj
    if root.pos_ in _NOMINAL:
        appos = _child(root, frozenset({"appos"}))
        if appos is not None and _outside(appos, span):
            return appos
        of = next((c for c in root.rights if c.dep_ == "prep" and c.lower_ == "of"), None)
        pobj = _child(of, frozenset({"pobj"})) if of is not None else None
        if pobj is not None and _outside(pobj, span) and pobj.pos_ in {"NOUN", "PROPN"}:
            return pobj
        if root.dep_ == "appos" or root.dep_ in _SUBJECT_DEPS | {"dobj", "pobj"}:
            named = [t for t in span if t.ent_type_ and t.dep_ in {"compound", "poss"}]
            if named:
                return named[0]
    if root.pos_ in {"VERB", "AUX"}:
        subj = _child(root, _SUBJECT_DEPS)
        if subj is not None and _outside(subj, span) and subj.pos_ != "PRON":
            return subj
    if root.dep_ in _MODIFIER_DEPS | {"acl", "relcl"} and _outside(head, span) and (
        head.pos_ in _NOMINAL
    ):
        return head
    return None


def _reported(span: Span) -> Token | None:
    """The subject (else object) of the clause a whole-report span reports."""
    root = span.root
    if root.pos_ not in {"VERB", "AUX"} or _child(root, _SUBJECT_DEPS) is None:
        return None
    clause = next((c for c in root.children if c.dep_ == "ccomp" and not _outside(c, span)), None)
    if clause is None:
        return None
    for deps in (_SUBJECT_DEPS, frozenset({"dobj"})):
        arg = _child(clause, deps)
        if arg is not None and not _outside(arg, span) and (arg.pos_ != "PRON" or arg.ent_type_):
            return arg
    return None


def _mention_at(at: int, mentions: Sequence[Mention]) -> tuple[int, int] | None:
    """The offsets of the first entity mention holding document offset ``at``."""
    return next(((m.start, m.end) for m in mentions if m.start <= at < m.end), None)


def _phrase(tok: Token) -> tuple[int, int]:
    """Character offsets (in the parsed text) of ``tok``'s noun phrase."""
    left = right = tok.i
    for child in tok.lefts:
        if child.dep_ in _PHRASE_DEPS:
            left = min(left, child.left_edge.i)
    for child in tok.rights:
        if child.dep_ in {"compound", "flat", "nummod"}:
            right = max(right, child.right_edge.i)
    doc = tok.doc
    return doc[left].idx, doc[right].idx + len(doc[right])


def find_target(
    span: Span, offset: int, mentions: Sequence[Mention]
) -> tuple[int, int] | None:
    """Document offsets of the target of ``span`` (a span of a region parsed at ``offset``).

    ``mentions`` are the document's entity mentions; a target inside one is
    widened to it. ``None`` where the syntax names no target.
    """
    tok = _choose(span)
    if tok is None:
        reported = _reported(span)
        if reported is None:
            return None
        start, end = _phrase(reported)
        return _mention_at(offset + reported.idx, mentions) or (offset + start, offset + end)
    if tok.pos_ == "PRON" and not tok.ent_type_:
        return None
    if (inside := _mention_at(offset + tok.idx, mentions)) is not None:
        return inside
    start, end = _phrase(tok)
    lo, hi = span.start_char, span.end_char
    if start < hi and lo < end:  # never a target overlapping the span itself
        start, end = tok.idx, tok.idx + len(tok)
        if start < hi and lo < end:
            return None
    return offset + start, offset + end


def context_target(
    sent: Span, offset: int, mentions: Sequence[Mention]
) -> tuple[int, int] | None:
    """The named first subject of the sentence after ``sent`` (else before it) in its paragraph.

    For a sentence that names no one (a generic statement): what it is said of
    is the actor the paragraph goes on (or went) to name. Only a subject that is
    an entity mention or a proper noun counts; a line break ends the paragraph.
    """
    doc = sent.doc
    sents = list(doc.sents)
    k = next((i for i, s in enumerate(sents) if s.start == sent.start), None)
    if k is None:
        return None
    for other in (sents[k + 1] if k + 1 < len(sents) else None, sents[k - 1] if k else None):
        if other is None:
            continue
        first, second = (sent, other) if other.start > sent.start else (other, sent)
        # spaCy keeps a line break at the end of the sentence before it
        if "\n" in doc.text[first.start_char + len(first.text.rstrip()) : second.start_char]:
            continue  # another paragraph
        # the first clause's subject: a sentence's root may be a later clause's verb
        subj = next((t for t in other if t.dep_ in _SUBJECT_DEPS and t.pos_ != "PRON"), None)
        if subj is None:
            continue
        if (inside := _mention_at(offset + subj.idx, mentions)) is not None:
            return inside
        if subj.pos_ == "PROPN":
            start, end = _phrase(subj)
            return offset + start, offset + end
    return None
