"""Per-document stage: who did what to whom, per sentence, from the dependency parse.

Each relation links two named actors of one content sentence (see
:mod:`narrascope.extract.relation_args` for what counts as naming one):

* **active** and **prepositional**: subject and object or prepositional object of
  a verb ("X funded Y", "X collaborated with Y"); a clause without a subject takes
  its controller's ("X tried to meet Y", "X persuaded Y to invade Z", "after
  settling in Y, X ...");
* **passive**: "Y was backed by X" is X backs Y; without a by-phrase the passive
  subject relates to the prepositional object ("X was linked to Y");
* **nominal**: a predicate noun with its owner and object ("X's cooperation with
  Y", "the friendship of X with Y", "X established contact with Y", "with the
  support of X" for the clause's subject), also after a light verb;
* **appositive**, **copular** and **compound**: role nouns ("X, a proxy of Y",
  "X is the leader of Y", "Y agent X") and hyphenated participles
  ("Y-backed X", "Y-based X").

The predicate (verb or noun lemma with its particle and preposition) is mapped to
a relation of ``data/taxonomy/relations.json``; one no entry names is kept
verbatim. Negation ("did not fund", "refused to meet", "no presence") and
modality ("may have helped", "reportedly", "tried to") are kept, and the
attribution: inside a quote the quoted source asserts it, else the outlet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from narrascope.extract.hedges import sentence_statuses
from narrascope.extract.relation_args import Arg, ArgFinder, genders, plural_names
from narrascope.model import Document, Quote, Relation
from narrascope.taxonomy import RelationTaxonomy, relation_taxonomy

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from narrascope.extract.nlp import Parsed

__all__ = ["relations", "with_relations"]

Lemmatize = Callable[["Token"], str]
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "PROPN"})
_NEVER = frozenset({"be"})
#: prepositions whose clause shares the main clause's subject ("after settling in X, Y ...")
_CLAUSE_PREPS = frozenset({"after", "before", "while", "by", "since", "upon", "on", "without",
                           "despite", "through", "when", "in"})
#: "not just", "not only": the negation does not deny the predicate
_NOT_ONLY = frozenset({"just", "only", "merely", "simply"})
#: roles that relate a person to a group, not to another person
_GROUP_ROLES = frozenset({"member-of", "leads"})


@dataclass(frozen=True, slots=True)
class _Cand:
    subject: Arg
    object: Arg
    predicate: str
    trigger: Any  # Token
    relation: str
    cameo: str | None
    pattern: str
    negated: bool
    modality: str | None


@dataclass
class _Sentence:
    finder: ArgFinder
    lemma: Lemmatize
    tax: RelationTaxonomy
    offset: int

    # -- helpers -----------------------------------------------------------------

    def lem(self, tok: Token) -> str:
        return self.lemma(tok).lower()

    def passive(self, v: Token) -> bool:
        if any(c.dep_ in {"nsubjpass", "auxpass"} for c in v.children):
            return True
        return v.dep_ in {"acl", "amod"} and v.tag_ == "VBN"

    def subjects(self, v: Token, depth: int = 0) -> list[Arg]:
        """The doer of verb ``v``: its subject, its by-phrase if passive, or its controller's."""
        if depth > 4:
            return []
        if self.passive(v):
            return [a for c in v.children if c.dep_ == "agent"
                    for p in c.children if p.dep_ == "pobj" for a in self.finder.of(p)]
        found = [a for c in v.children if c.dep_ in {"nsubj", "csubj"} for a in self.finder.of(c)]
        if found or any(c.dep_ in {"nsubj", "expl"} for c in v.children):
            return found
        head = v.head
        if head == v:
            return []
        if v.dep_ == "xcomp":
            dobj = [c for c in head.children if c.dep_ == "dobj"]
            if dobj and head.pos_ == "VERB":
                return self.finder.of(dobj[0])
            if self.passive(head):
                return self.patients(head, depth + 1)
            return self.subjects(head, depth + 1)
        if v.dep_ in {"conj", "advcl"} and head.pos_ in {"VERB", "AUX"}:
            if self.passive(head) and not self.passive(v):
                return self.patients(head, depth + 1)
            return self.subjects(head, depth + 1)
        if v.dep_ == "pcomp" and head.dep_ == "prep" and head.head.pos_ in {"VERB", "AUX"} and (
                head.lower_ in _CLAUSE_PREPS):
            return self.subjects(head.head, depth + 1)
        if v.dep_ in {"acl", "relcl"} and head.pos_ in {"NOUN", "PROPN", "PRON"}:
            return self.finder.of(head)
        return []

    def patients(self, v: Token, depth: int = 0) -> list[Arg]:
        """The passive subject of ``v`` (or of the passive clause it continues)."""
        found = [a for c in v.children if c.dep_ == "nsubjpass" for a in self.finder.of(c)]
        if found or depth > 4:
            return found
        if v.dep_ in {"acl", "amod"} and v.head.pos_ in {"NOUN", "PROPN"}:
            return self.finder.of(v.head)
        if v.dep_ == "conj" and v.head.pos_ in {"VERB", "AUX"}:
            return self.patients(v.head, depth + 1) if self.passive(v.head) else self.subjects(
                v.head, depth + 1)
        return []

    def controllers(self, v: Token) -> list[Token]:
        """``v`` and the verbs whose open complement it is ("tried to meet": meet, tried)."""
        chain = [v]
        while chain[-1].dep_ in {"xcomp", "ccomp"} and chain[-1].head != chain[-1] and (
                chain[-1].dep_ == "xcomp") and len(chain) < 5:
            chain.append(chain[-1].head)
        return chain

    def negated(self, v: Token) -> bool:
        negating = self.tax.word_set("negating_verbs")
        for i, t in enumerate(self.controllers(v)):
            if any(c.dep_ == "neg" for c in t.children) and not any(
                    c.dep_ == "advmod" and c.lower_ in _NOT_ONLY for c in t.children):
                return True  # "did not fund", but not "did not just fund"
            if i > 0 and self.lem(t) in negating:
                return True
        if any(c.dep_ == "dobj" and any(d.dep_ == "det" and d.lower_ in {"no", "neither"}
                                         for d in c.children) for c in v.children):
            return True  # "offered no help to X"
        return v.dep_ == "pcomp" and v.head.lower_ == "without"

    def modality(self, v: Token) -> str | None:
        modal = self.tax.word_set("modal_verbs")
        hedges = self.tax.word_set("hedge_adverbs")
        intent = self.tax.word_set("intent_verbs")
        found: list[str] = []
        for i, t in enumerate(self.controllers(v)):
            found.extend(self.lem(c) for c in t.children
                         if (c.dep_ == "aux" and (c.tag_ == "MD" or c.lower_ in modal)) or (
                             c.dep_ == "advmod" and c.lower_ in hedges))
            if i > 0 and (self.lem(t) in intent or any(c.dep_ == "dobj" for c in t.children)):
                found.append(self.lem(t))  # "tried to", "urged X to", "nominated X to"
        return " ".join(dict.fromkeys(found)) or None

    def lookup(self, keys: Sequence[str]) -> tuple[str | None, str]:
        for k in keys:
            label = self.tax.by_verb.get(k)
            if label is not None:
                return label, k
        return None, keys[0]

    def cand(self, subj: Arg, obj: Arg, predicate: str, trigger: Token, *,
             relation: str | None, pattern: str, negated: bool,
             modality: str | None) -> _Cand:
        label = relation or predicate
        rtype = self.tax.relations.get(label)
        return _Cand(subj, obj, predicate, trigger, label, rtype.cameo if rtype else None,
                     pattern, negated, modality)

    # -- patterns ----------------------------------------------------------------

    def verb(self, v: Token) -> Iterator[_Cand]:
        lem = self.lem(v)
        if lem in _NEVER:
            return
        prt = next((c.lower_ for c in v.children if c.dep_ == "prt"), None)
        base = f"{lem} {prt}" if prt else lem
        preps = self.tax.word_set("object_prepositions")
        light = lem in self.tax.word_set("light_verbs")
        passive = self.passive(v)
        objects: list[tuple[Arg, str | None]] = []
        if passive:
            agents = self.subjects(v)
            patients = self.patients(v)
            if agents:
                subjects, objects = agents, [(p, None) for p in patients]
            else:
                subjects = patients
        else:
            subjects = self.subjects(v)
        if not subjects:
            return
        objects += self.verb_objects(v, light=light, passive=passive)
        neg, mod = self.negated(v), self.modality(v)
        pattern = "passive" if passive else "active"
        for obj, marked in objects:
            if marked == "npadvmod":  # "Y-backed X", "Y-based X"
                relation, key = self.lookup([base, f"{base} in"])
                yield from self._hyphen(obj, subjects, v, relation=relation, key=key, neg=neg,
                                        mod=mod)
                continue
            through_noun = marked is not None and marked.endswith("+")  # "attacks against X"
            prep = marked.rstrip("+") if marked else None
            keys = [f"{base} {prep}", f"{lem} {prep}"] if prep else [base, lem]
            relation, key = self.lookup(keys)
            if relation is None and prep is not None:
                if prep not in preps or (passive and not through_noun):
                    continue  # an unknown passive with a prepositional object is unreliable
                relation = self.lookup([base])[0] if through_noun or prep == "against" else None
                relation = relation or self.tax.fallback.get(prep)
                key = f"{base} {prep}"
            if relation in self.tax.word_set("place_relations") and obj.label not in _PLACE_LABELS:
                continue
            pat = "prepositional" if prep and not passive else pattern
            for s in subjects:
                a, b = (obj, s) if key in self.tax.inverse else (s, obj)
                yield self.cand(a, b, key, v, relation=relation, pattern=pat, negated=neg,
                                modality=mod)

    def verb_objects(self, v: Token, *, light: bool, passive: bool) -> list[tuple[Arg, str | None]]:
        """Objects of ``v`` with the preposition introducing each (None: direct object)."""
        objects: list[tuple[Arg, str | None]] = []
        for c in v.children:
            if c.dep_ in {"dobj", "dative"} and not passive and c.pos_ != "ADP":
                if light and c.pos_ == "NOUN" and self.lem(c) in self.tax.by_noun:
                    continue  # the noun is the predicate (see ``noun``)
                objects.extend((a, None) for a in self.finder.of(c))
                if self.finder.name_at(c.i) is None and c.pos_ == "NOUN":
                    for p in c.children:  # "launched attacks against X"
                        if p.dep_ == "prep" and p.lower_ in {"against", "on"}:
                            objects.extend((a, f"{p.lower_}+") for q in p.children
                                           if q.dep_ == "pobj" for a in self.finder.of(q))
            elif c.dep_ == "prep" or (c.dep_ == "dative" and c.pos_ == "ADP"):
                word = c.lower_
                for q in c.children:
                    if q.dep_ == "pobj":
                        objects.extend((a, word) for a in self.finder.of(q))
            elif c.dep_ == "npadvmod" and v.tag_ == "VBN" and (
                    name := self.finder.name_at(c.i)) is not None:
                objects.append((name, "npadvmod"))
        return objects

    def _hyphen(self, name: Arg, heads: list[Arg], v: Token, *, relation: str | None,
                key: str, neg: bool, mod: str | None) -> Iterator[_Cand]:
        place = relation in self.tax.word_set("place_relations")
        for h in heads:
            a, b = (h, name) if place else (name, h)
            yield self.cand(a, b, key, v, relation=relation, pattern="compound", negated=neg,
                            modality=mod)

    def noun(self, n: Token) -> Iterator[_Cand]:
        lemma = self.lem(n)
        relation = self.tax.by_noun.get(lemma)
        if relation is None:
            return
        rtype = self.tax.relations[relation]
        finder = self.finder
        owners = [a for c in n.children if c.dep_ in {"poss", "compound", "amod"}
                  for a in finder.of(c, parts=False)]
        owners += [a for c in n.children if c.dep_ == "prep" and c.lower_ == "by"
                   for q in c.children if q.dep_ == "pobj" for a in finder.of(q)]
        of_args = [a for c in n.children if c.dep_ == "prep" and c.lower_ == "of"
                   for q in c.children if q.dep_ == "pobj" for a in finder.of(q)]
        objects: list[Arg] = []
        if not owners and rtype.of_is_source:
            owners = of_args
        else:
            objects += of_args
        preps = self.tax.word_set("object_prepositions") | (
            {"in", "inside"} if relation in self.tax.word_set("place_relations") else set())
        between: list[Arg] = []
        for c in n.children:
            if c.dep_ == "prep" and c.lower_ in preps - {"of"}:
                for q in c.children:
                    if q.dep_ == "pobj":
                        (between if c.lower_ == "between" else objects).extend(finder.of(q))
        if between and not owners:
            owners, objects = between[:1], [*objects, *between[1:]]
        host: Any = n.head
        via: str | None = None
        if n.dep_ == "pobj" and host.dep_ == "prep":
            via, host = host.lower_, host.head
            if host.pos_ == "NOUN" and host.dep_ == "dobj":  # "launched an operation with ..."
                host = host.head
        elif n.dep_ not in {"dobj", "attr", "nsubj"}:
            host = None
        negated = any(c.dep_ == "det" and c.lower_ == "no" for c in n.children)
        modality = None
        inverted = False
        if host is not None and host.pos_ in {"VERB", "AUX"}:
            host_lemma = self.lem(host)
            light = host_lemma in self.tax.word_set("light_verbs")
            if n.dep_ == "dobj" and light:
                for c in host.children:
                    if c.dep_ in {"prep", "dative"} and c.lower_ in preps:
                        objects += [a for q in c.children if q.dep_ == "pobj"
                                    for a in finder.of(q)]
                inverted = host_lemma in self.tax.word_set("inverting_light_verbs")
                negated = negated or self.negated(host) or (
                    host_lemma in self.tax.word_set("negating_light_verbs"))
                modality = self.modality(host)
            if not owners and n.dep_ == "dobj" and light and not any(
                    c.dep_ == "poss" for c in n.children):
                owners = self.subjects(host)
            elif owners and not objects and via == "with":
                objects = self.subjects(host)  # "with X's support", X supports the subject
                inverted = False
        if relation in self.tax.word_set("place_relations"):
            objects = [o for o in objects if o.label in _PLACE_LABELS]
        key = lemma
        for s in owners:
            for o in objects:
                a, b = (o, s) if inverted or lemma in self.tax.inverse else (s, o)
                yield self.cand(a, b, key, n, relation=relation, pattern="nominal",
                                negated=negated, modality=modality)

    def role(self, r: Token) -> Iterator[_Cand]:
        relation = self.tax.by_role.get(r.lower_) or (
            self.tax.by_role.get(self.lem(r)) if r.pos_ == "NOUN" else None)
        modality: str | None = None
        if relation is None or self.finder.name_at(r.i) is not None:
            return
        finder = self.finder
        holders: list[Arg] = []
        pattern = "appositive"
        if r.dep_ == "appos":
            holders = finder.of(r.head, parts=False)
        elif r.dep_ == "attr" and self.lem(r.head) == "be":
            holders = [a for c in r.head.children if c.dep_ == "nsubj" for a in finder.of(c)]
            pattern = "copular"
        elif r.dep_ == "compound" and (head := finder.name_at(r.head.i)) is not None:
            holders = [head]
            pattern = "compound"
        elif r.dep_ == "pobj" and r.head.lower_ == "as" and r.head.head.pos_ == "VERB":
            verb = r.head.head  # "serve as a proxy": the subject; "use X as a tool": X
            dobj = [c for c in verb.children if c.dep_ == "dobj"]
            holders = finder.of(dobj[0]) if dobj else self.subjects(verb)
            pattern = "copular"
            if dobj:  # "nominated X as director": the subject's designation
                modality = self.lem(verb)
        holders += [a for c in r.children if c.dep_ == "appos" for a in finder.of(c, parts=False)]
        if not holders:
            return
        targets = [a for c in r.children if c.dep_ in {"poss", "compound", "nmod", "amod"}
                   for a in finder.of(c, parts=False)]
        targets += [a for c in r.children if c.dep_ == "prep" and c.lower_ in {"of", "for", "to"}
                    for q in c.children if q.dep_ == "pobj" for a in finder.of(q)]
        if pattern == "compound":
            targets += [a for c in r.head.children if c.dep_ == "compound" and c.i < r.i
                        and (a := finder.name_at(c.i)) is not None]
        if relation in _GROUP_ROLES:
            targets = [t for t in targets if t.label != "PERSON"]
        neg = pattern == "copular" and self.negated(r.head)
        for h in holders:
            for t in targets:
                yield self.cand(h, t, self.lem(r), r, relation=relation, pattern=pattern,
                                negated=neg, modality=modality)

    def sentence(self, sent: Span) -> list[_Cand]:
        found: dict[tuple[int, int, str, int], _Cand] = {}
        for tok in sent:
            gens: list[Iterator[_Cand]] = []
            if tok.pos_ in {"VERB", "AUX"}:
                gens.append(self.verb(tok))
            if tok.pos_ in {"NOUN", "PROPN"}:
                gens.append(self.noun(tok))
                gens.append(self.role(tok))
            for gen in gens:
                for c in gen:
                    if c.subject.ref_start == c.object.ref_start or (
                            _same_name(c.subject.ref_text, c.object.ref_text)):
                        continue  # an actor's relation to itself says nothing
                    found.setdefault((c.subject.ref_start, c.object.ref_start, c.relation,
                                      c.trigger.i), c)
        return list(found.values())


def _same_name(a: str, b: str) -> bool:
    """"The White House" and "White House's" are one name."""
    def key(x: str) -> str:
        x = x.casefold().replace("’", "'").strip(" \"'.,")
        x = x.removesuffix("'s").removesuffix("'")
        return x.removeprefix("the ").strip()

    return key(a) == key(b)


def _shouting(sent: Span) -> bool:
    """A sentence mostly in capitals (a headline, a slogan): the parse is not to be trusted."""
    words = [t for t in sent if t.is_alpha and len(t.text) > 1]
    return len(words) >= 4 and sum(1 for t in words if t.is_upper) > 0.6 * len(words)


def _attribution(quotes: Sequence[Quote], pos: int, hedged: bool) -> tuple[str, str, Quote | None]:
    for q in quotes:
        if any(s <= pos < e for s, e in q.parts):
            who = q.speaker or "unnamed source"
            return ("quoted" if q.kind != "indirect" else "reported"), who, q
    return ("hedged" if hedged else "outlet"), "outlet", None


def relations(doc: Document, parsed: Sequence[Parsed], lemma: Lemmatize) -> tuple[Relation, ...]:
    """The relations between named actors in the content sentences of ``doc``.

    Needs the document's mentions, quotes and citations (for the attribution).
    """
    tax = relation_taxonomy()
    finder = ArgFinder(doc, plural_names(doc, parsed), tax.word_set("group_nouns"),
                       frozenset(tax.by_noun) | frozenset(tax.by_role), frozenset(tax.by_noun),
                       lemma, genders(doc, parsed), tax.word_set("anaphoric_nouns"))
    hedged = {(s.start, s.end) for s in sentence_statuses(doc) if s.status == "hedged"}
    found: list[Relation] = []
    for piece in parsed:
        finder.start_piece(piece)
        reader = _Sentence(finder, lemma, tax, piece.offset)
        for sent in piece.doc.sents:
            text = sent.text
            lo = piece.offset + sent.start_char + (len(text) - len(text.lstrip()))
            hi = piece.offset + sent.end_char - (len(text) - len(text.rstrip()))
            if hi > lo and doc.in_content(lo, hi) and not _shouting(sent):
                found.extend(_relation(doc, piece, (lo, hi), c, hedged)
                             for c in reader.sentence(sent))
            finder.note_sentence(sent)
    return tuple(sorted(found, key=lambda r: (r.start, r.predicate_start, r.subject_start,
                                              r.object_start, r.relation)))


def _relation(doc: Document, piece: Parsed, span: tuple[int, int], c: _Cand,
              hedged: set[tuple[int, int]]) -> Relation:
    lo, hi = span
    t = c.trigger
    if doc.text[lo:hi].rstrip("\"”’' )").endswith("?"):  # a question asserts nothing
        c = replace(c, modality=" ".join(x for x in (c.modality, "question") if x))
    p_start = piece.offset + t.idx
    attribution, who, quote = _attribution(doc.quotes, p_start, (lo, hi) in hedged)
    s, o = c.subject, c.object
    return Relation(
        doc=doc.id, start=lo, end=hi,
        subject_start=s.start, subject_end=s.end, subject=s.text, subject_label=s.label,
        subject_ref_start=s.ref_start, subject_ref_end=s.ref_end,
        object_start=o.start, object_end=o.end, object=o.text, object_label=o.label,
        object_ref_start=o.ref_start, object_ref_end=o.ref_end,
        predicate=c.predicate, predicate_start=p_start, predicate_end=p_start + len(t.text),
        relation=c.relation, cameo=c.cameo, pattern=c.pattern, negated=c.negated,
        modality=c.modality, attribution=attribution, asserted_by=who,
        speaker_start=quote.ref_start if quote is not None else None,
        speaker_end=quote.ref_end if quote is not None else None,
    )


def with_relations(doc: Document, parsed: Sequence[Parsed], lemma: Lemmatize) -> Document:
    """``doc`` with its relations (run after quotes, so attribution is known)."""
    return replace(doc, relations=relations(doc, parsed, lemma))
