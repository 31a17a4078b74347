"""Arguments of relations: which named actor a noun phrase of a sentence stands for.

A relation's subject or object is a word of the parse; :class:`ArgFinder` says
which name it refers to:

* a token of an entity mention (``PERSON``, ``ORG``, ``GPE``, ``NORP``, ``LOC``,
  ``FAC``) is that mention; a run of proper nouns the NER missed is a name of its
  own (label ``PROPN``; the corpus stage links it to an entity by its spelling);
* a subject or possessive pronoun (he, she, it, they, his, their ...) or a
  definite description with a group noun ("the group", "this organisation") is
  the most recent compatible name of the last sentences, preferring subjects:
  he/she a person of that gender or of unknown gender (:func:`genders`), it a
  group or place, they a group or a person named as the subject of a plural verb
  in the document; object pronouns (him, them, it) are left unresolved;
* a common noun owned by a name stands for it ("MKO units", "the CIA's agents",
  "the actions of the group", "Iranian officials").

No coreference model is used; the rules are generic English grammar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from narrascope.model import Document

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from narrascope.extract.nlp import Parsed

__all__ = ["ACTOR_LABELS", "Arg", "ArgFinder", "genders", "plural_names"]

#: Mention labels that can take part in a relation.
ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})

_PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers"})
_IT_PRONOUNS = frozenset({"it", "its"})
_THEY_PRONOUNS = frozenset({"they", "them", "their", "theirs"})
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
_PLURAL_VERB_TAGS = frozenset({"VBP"})
_PLURAL_AUX = frozenset({"were", "are", "have"})
_LOOKBACK_SENTENCES = 2


@dataclass(frozen=True, slots=True)
class Arg:
    """A relation argument: the words in the sentence and the name they refer to."""

    start: int
    end: int
    text: str
    label: str
    ref_start: int
    ref_end: int
    ref_text: str
    via: str  # name, pronoun, description, part


@dataclass(frozen=True, slots=True)
class _Seen:
    arg: Arg
    kind: str  # person, group, place
    plural: bool
    salience: int  # 2 subject, 1 possessor, 0 other
    sentence: int


def _kind(label: str) -> str:
    if label == "PERSON":
        return "person"
    if label in {"GPE", "LOC", "FAC"}:
        return "place"
    return "group"


def _is_plural_subject(tok: Token) -> bool:
    head = tok.head
    if head.tag_ in _PLURAL_VERB_TAGS and head.lower_ not in {"am"}:
        return True
    return any(c.dep_ in {"aux", "auxpass"} and c.lower_ in _PLURAL_AUX for c in head.children) or (
        head.lower_ in _PLURAL_AUX)


_MALE = frozenset({"he", "him", "his"})
_FEMALE = frozenset({"she", "her", "hers"})
_MALE_TITLES = frozenset({"mr", "mr.", "sir", "lord", "king", "prince", "father", "brother"})
_FEMALE_TITLES = frozenset({"mrs", "mrs.", "ms", "ms.", "miss", "madam", "dame", "lady", "queen",
                            "princess", "sister"})


def genders(doc: Document, parsed: Sequence[Parsed]) -> dict[str, str]:
    """Gender ("m"/"f") of the people of a document, by majority of its own evidence.

    An honorific before a name ("Mrs", "Sir") votes, and so does a sentence whose
    subject is "he" or "she" for the person who was the subject of the sentence before.
    """
    votes: dict[str, list[str]] = {}
    for piece in parsed:
        last_person: str | None = None
        for sent in piece.doc.sents:
            subject_person: str | None = None
            for tok in sent:
                if tok.dep_ not in {"nsubj", "nsubjpass"}:
                    continue
                if tok.lower_ in {"he", "she"} and last_person is not None:
                    votes.setdefault(last_person, []).append("m" if tok.lower_ == "he" else "f")
                elif tok.ent_type_ == "PERSON" and subject_person is None:
                    subject_person = tok.text.casefold()
            for ent in sent.ents:
                before = piece.doc[ent.start - 1].lower_ if ent.start > 0 else ""
                if ent.label_ == "PERSON" and before in _MALE_TITLES | _FEMALE_TITLES:
                    votes.setdefault(ent.root.text.casefold(), []).extend(
                        ["m" if before in _MALE_TITLES else "f"] * 3)  # a title outweighs
            last_person = subject_person
    return {k: max(sorted(set(v)), key=v.count) for k, v in votes.items()}


def plural_names(doc: Document, parsed: Sequence[Parsed]) -> frozenset[str]:
    """Names the document uses as the subject of a plural verb ("X were", "X have")."""
    found: set[str] = set()
    for piece in parsed:
        for ent in piece.doc.ents:
            root = ent.root
            if root.dep_ in {"nsubj", "nsubjpass"} and _is_plural_subject(root):
                found.add(ent.text.casefold())
    return frozenset(found)


@dataclass
class ArgFinder:
    """Resolves tokens of one document's parses to :class:`Arg`; keeps the discourse."""

    doc: Document
    plural: frozenset[str]
    group_nouns: frozenset[str]
    #: predicate and role nouns: a name they govern is not what they stand for
    opaque: frozenset[str]
    #: predicate nouns only: "X's support" does not stand for X ("X's agents" does)
    predicates: frozenset[str]
    lemma: Callable[[Token], str]
    #: gender of people by the last word of their name (see :func:`genders`)
    gender: dict[str, str] = field(default_factory=dict)
    #: nouns whose definite description refers back to a named group ("the group")
    anaphoric: frozenset[str] = frozenset()
    history: list[_Seen] = field(default_factory=list)
    sentence_no: int = 0
    _names: dict[int, Arg] = field(default_factory=dict)
    _piece: Parsed | None = None

    def start_piece(self, piece: Parsed) -> None:
        """Index the names of one parsed content region."""
        self._piece = piece
        self._names = {}
        off = piece.offset
        sdoc = piece.doc
        limit = off + len(piece.text)
        for m in self.doc.mentions:
            inside = off <= m.start and m.end <= limit
            if m.label not in ACTOR_LABELS or not inside:
                continue
            span = sdoc.char_span(m.start - off, m.end - off, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            first = span[0].i
            while first > 0 and _name_part(sdoc[first - 1]) and sdoc[first - 1].head.i in range(
                    first, span.end) and sdoc[first - 1].lower_ not in self.opaque and (
                    not sdoc[first - 1].ent_type_):
                first -= 1
            words = sdoc[first:span.end]
            arg = Arg(off + words.start_char, off + words.end_char, words.text, m.label,
                      m.start, m.end, m.text, "name")
            for i in range(first, span.end):
                self._names.setdefault(i, arg)
        run: list[Token] = []
        for tok in [*sdoc, None]:
            if tok is not None and tok.i not in self._names and tok.pos_ == "PROPN" and (
                    tok.lower_ not in self.group_nouns and tok.lower_ not in self.opaque
                    and len(tok.text) > 1 and tok.is_alpha and not tok.ent_type_) and not (
                    not run and tok.i > 0 and sdoc[tok.i - 1].lower_ in {"a", "an", "#", "@"}):
                run.append(tok)
                continue
            if run:
                s, e = off + run[0].idx, off + run[-1].idx + len(run[-1].text)
                text = self.doc.text[s:e]
                arg = Arg(s, e, text, "PROPN", s, e, text, "name")
                for t in run:
                    self._names[t.i] = arg
                run = []

    def note_sentence(self, sent: Span) -> None:
        """Remember the names (and resolved subjects) of a finished sentence."""
        seen: dict[int, _Seen] = {}
        for tok in sent:
            subject = tok.dep_ in {"nsubj", "nsubjpass"}
            args = self.of(tok, parts=False, conj=False) if subject else (
                [self._names[tok.i]] if tok.i in self._names and tok.dep_ != "amod" else [])
            rank = _salience(tok)
            for a in args:
                key = a.ref_start
                if key in seen and seen[key].salience >= rank:
                    continue
                seen[key] = _Seen(a, _kind(a.label), self._is_plural(a), rank, self.sentence_no)
        self.history.extend(sorted(seen.values(), key=lambda s: s.arg.start))
        self.sentence_no += 1
        cutoff = self.sentence_no - _LOOKBACK_SENTENCES - 1
        self.history = [s for s in self.history if s.sentence >= cutoff]

    def _agrees(self, pronoun: str, a: Arg) -> bool:
        """Whether a gendered pronoun may refer to ``a`` (unknown gender: yes)."""
        words = a.ref_text.replace("’s", "").replace("'s", "").split()
        known = self.gender.get(words[-1].casefold()) if words else None
        if known is None:
            return True
        return not ((pronoun in _MALE and known == "f") or (pronoun in _FEMALE and known == "m"))

    def name_at(self, i: int) -> Arg | None:
        """The name token ``i`` of the current region belongs to, if any."""
        return self._names.get(i)

    def _is_plural(self, a: Arg) -> bool:
        return a.label == "NORP" or a.ref_text.casefold() in self.plural

    def of(self, tok: Token, *, parts: bool = True, conj: bool = True,
           depth: int = 2) -> list[Arg]:
        """The names ``tok`` stands for (with the names conjoined to it)."""
        found = self._one(tok, parts=parts, depth=depth)
        if conj:
            for c in tok.children:
                if c.dep_ == "conj":
                    found.extend(a for a in self.of(c, parts=parts, conj=True, depth=depth)
                                 if a not in found)
        return found

    def _one(self, tok: Token, *, parts: bool, depth: int) -> list[Arg]:
        if tok.i in self._names:
            return [self._names[tok.i]]
        lower = tok.lower_
        if tok.pos_ == "PRON" and lower in _PERSON_PRONOUNS | _IT_PRONOUNS | _THEY_PRONOUNS:
            if tok.dep_ not in {"nsubj", "nsubjpass", "poss"}:
                return []  # object pronouns ("him", "them", "it") resolve too poorly to use
            return self._antecedent(tok, lower, "pronoun")
        for c in tok.children:  # "the organisation, the X (XO), ..." names it
            if c.dep_ == "appos" and c.i in self._names:
                return [self._names[c.i]]
        if tok.pos_ == "PRON" and lower in {"who", "which", "that"} and tok.head.dep_ == "relcl":
            return self._one(tok.head.head, parts=parts, depth=depth)
        if tok.pos_ == "NOUN" and self.lemma(tok) in self.anaphoric and any(
                c.dep_ == "det" and c.lower_ in _DEFINITE for c in tok.children) and not any(
                c.dep_ in {"poss", "compound", "amod"} and c.i in self._names
                for c in tok.children) and not any(c.dep_ == "prep" and c.lower_ == "of"
                                                   for c in tok.children):
            return self._antecedent(tok, "it", "description")
        if not parts or depth <= 0 or tok.pos_ not in {"NOUN", "NUM", "PRON"} or (
                self.lemma(tok) in self.predicates):
            return []
        if tok.pos_ == "PRON" and lower not in {"one", "some", "many", "most", "all", "none"}:
            return []
        for c in tok.children:
            if c.dep_ in {"poss", "compound", "amod", "nmod"} and (
                    c.i in self._names or (depth == 2 and c.dep_ == "poss")):
                inner = [a for a in self._one(c, parts=False, depth=0) if a.label != "PERSON"]
                if inner:
                    return [_as_part(a) for a in inner]
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    if p.dep_ == "pobj" and p.pos_ != "PRON":
                        inner = [a for a in self._one(p, parts=True, depth=depth - 1)
                                 if a.label != "PERSON" or a.via != "name"]
                        if inner:
                            return [_as_part(a) for a in inner]
        return []

    def _antecedent(self, tok: Token, lower: str, via: str) -> list[Arg]:
        if self._piece is None:
            return []
        if lower in _PERSON_PRONOUNS:
            ok = {("person", False)}
        elif lower in _IT_PRONOUNS:
            ok = {("group", False), ("group", True), ("place", False)}
        else:
            ok = {("group", True), ("person", True), ("group", False)}
        pos = self._piece.offset + tok.idx
        sdoc = self._piece.doc
        sent_start = tok.sent.start
        current = list({
            a.ref_start: _Seen(a, _kind(a.label), self._is_plural(a), _salience(sdoc[i]),
                               self.sentence_no)
            for i, a in sorted(self._names.items())
            if a.end <= pos and sent_start <= i < tok.i and sdoc[i].dep_ != "amod"
            and (sdoc[i].head.i == i or self._names.get(sdoc[i].head.i) != a)
        }.values())
        pool = [*self.history, *current]
        if via == "description":
            pool = [s for s in pool if s.kind == "group" and s.arg.label in {"ORG", "PROPN"}]
        for salience in (2, 1, 0):
            for s in reversed(pool):
                if (s.kind, s.plural) in ok and s.salience >= salience and self._agrees(
                        lower, s.arg):
                    a = s.arg
                    return [Arg(pos, pos + len(tok.text), tok.text, a.label, a.ref_start,
                                a.ref_end, a.ref_text, via)]
        return []


def _salience(tok: Token) -> int:
    """2 for a subject, 1 for a possessor, 0 otherwise (names: their head token's role)."""
    while tok.dep_ in {"compound", "flat"} and tok.head != tok:
        tok = tok.head
    if tok.dep_ in {"nsubj", "nsubjpass"}:
        return 2
    return 1 if tok.dep_ == "poss" else 0


def _name_part(tok: Token) -> bool:
    return tok.pos_ == "PROPN" or (tok.text in {"-", "‐"} and tok.dep_ in {"punct", "compound"})


def _as_part(a: Arg) -> Arg:
    return Arg(a.start, a.end, a.text, a.label, a.ref_start, a.ref_end, a.ref_text,
               "part" if a.via == "name" else a.via)
