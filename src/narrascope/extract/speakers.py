"""Cues and speakers: who said it, by the parse, resolved without a coreference model.

A cue is a reporting verb ("said", "told", "warned", "wrote", ...) or phrase
("according to"); its speaker is the verb's subject (or, after an inverted
cue, "said Smith", the noun after it). The speaker span is then resolved:

* a span holding a named mention resolves to that mention;
* a pronoun ("he", "she", "they", "it") or a definite description ("the
  spokesman", "the former inspector", "the group") resolves to the nearest
  preceding compatible speaker or mention outside quotes (he/she: a person,
  gender checked against honorifics when known; it/they/the group: an
  organisation);
* indefinite or plural descriptions ("a senior official", "officials",
  "experts", "a source") are anonymous; reports, books, studies ... are
  documents; "we"/"this newspaper" is the outlet itself.

The lemmatizer is not run, so verbs are matched by their inflected forms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from narrascope.model import Mention

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = [
    "DOCUMENT_NOUNS",
    "Resolved",
    "Speaker",
    "find_speaker",
    "is_cue_word",
    "is_reporting",
    "resolve",
    "speaker_of",
    "strong_reporting",
]

_IRREGULAR = {
    "say": ("said", "says", "saying"), "tell": ("told", "tells", "telling"),
    "write": ("wrote", "written", "writes", "writing"), "put": ("puts", "putting"),
    "think": ("thought", "thinks"), "testify": ("testified", "testifies"),
    "deny": ("denied", "denies"), "reply": ("replied", "replies"),
    "speak": ("spoke", "spoken", "speaks"), "find": ("found", "finds"),
    "tweet": ("tweeted", "tweets"),
}
_REGULAR = (
    "add", "explain", "claim", "argue", "warn", "state", "declare", "announce", "insist",
    "suggest", "note", "acknowledge", "admit", "assert", "charge", "conclude", "report",
    "confirm", "reveal", "recall", "maintain", "allege", "stress", "emphasise", "emphasize",
    "observe", "comment", "respond", "answer", "predict", "complain", "concede", "contend",
    "counter", "recount", "remark", "mention", "urge", "accuse", "condemn", "describe",
    "define", "repeat", "estimate", "promise", "threaten", "boast", "ask", "point", "agree",
    "disclose", "indicate", "proclaim", "affirm", "caution", "exclaim", "shout", "quip",
    "muse", "reckon", "conclude", "continue", "clarify", "specify", "write", "say", "tell",
    "deny", "reply",
    "testify", "tweet", "speak", "put", "find",
)


def _forms() -> frozenset[str]:
    out: set[str] = set()
    for base in _REGULAR:
        out.add(base)
        if base in _IRREGULAR:
            out.update(_IRREGULAR[base])
            continue
        stem = base[:-1] if base.endswith("e") else base
        out.update({base + "s", stem + "ed", stem + "ing", base + "es"})
        if base.endswith("y"):
            out.update({base[:-1] + "ied", base[:-1] + "ies"})
    return frozenset(out)


_REPORTING = _forms()
_WEAK = frozenset({"put", "puts", "putting", "point", "points", "pointed", "continue",
                   "continued", "continues", "ask", "asked", "asks", "speak", "spoke"})

#: Head nouns that make a speaker a document (a cited publication).
DOCUMENT_NOUNS = frozenset({
    "report", "reports", "book", "books", "memoir", "memoirs", "article", "articles",
    "journal", "study", "studies", "letter", "letters", "paper", "survey", "document",
    "documents", "statement", "communique", "cable", "dossier", "white", "review", "analysis",
    "editorial", "column", "essay", "leaflet", "pamphlet", "manifesto", "filing", "testimony",
    "transcript", "memo", "memorandum", "telegram", "website", "post", "blog", "tweet",
    "autobiography", "biography", "investigation", "inquiry", "audit", "resolution",
})
_ORG_NOUNS = frozenset({
    "group", "groups", "organisation", "organization", "party", "ministry", "government",
    "movement", "company", "firm", "agency", "department", "council", "committee", "front",
    "institute", "union", "network", "administration", "embassy", "office", "court", "army",
    "police", "regime", "campaign", "association", "foundation", "bank", "board", "cult",
    "coalition", "alliance", "commission", "newspaper", "paper", "magazine", "outlet",
    "station", "channel", "think", "tank", "parliament", "congress", "senate", "state",
})
_ANON_NOUNS = frozenset({
    "official", "officials", "source", "sources", "expert", "experts", "analyst", "analysts",
    "diplomat", "diplomats", "observer", "observers", "critic", "critics", "people", "insider",
    "insiders", "witness", "witnesses", "resident", "residents", "someone", "some", "many",
    "others", "member", "members", "aide", "aides", "officer", "officers", "person",
    "persons", "supporters", "opponents", "activists", "investigators", "researchers",
    "scientists", "employee", "employees", "staff", "veterans",
})
_INDEFINITE = frozenset({"a", "an", "one", "some", "several", "many", "two", "three",
                         "various", "unnamed", "anonymous", "other", "few", "multiple"})
_MALE = frozenset({"he", "him", "his", "mr", "mr.", "sir", "lord", "king", "prince",
                   "chairman", "spokesman", "father", "brother", "son", "husband", "man"})
_FEMALE = frozenset({"she", "her", "hers", "ms", "ms.", "mrs", "mrs.", "miss", "madam",
                     "lady", "queen", "princess", "chairwoman", "spokeswoman", "mother",
                     "sister", "daughter", "wife", "woman", "dame"})
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
_GROUP_PRONOUNS = frozenset({"they", "it", "them"})
_OUTLET = frozenset({"we", "i"})
_ORG_LABELS = frozenset({"ORG", "NORP", "GPE", "FAC"})
_UNKNOWN_GENDER = 80.0  # characters of distance a gender-unknown antecedent gives up


def is_reporting(token: Token) -> bool:
    """Whether ``token`` is a reporting verb ("said", "warned", "wrote", ...)."""
    return token.lower_ in _REPORTING and token.pos_ in {"VERB", "AUX"}


def is_cue_word(word: str) -> bool:
    """Whether ``word`` is a form of a reporting verb, by its text alone."""
    return word.lower() in _REPORTING and word.lower() not in _WEAK


def strong_reporting(token: Token) -> bool:
    return is_reporting(token) and token.lower_ not in _WEAK


@dataclass(frozen=True, slots=True)
class Speaker:
    """A speaker span in piece-local character offsets, and its head token's text."""

    start: int
    end: int
    head: str
    det: str | None
    head_start: int = -1
    head_end: int = -1
    proper: bool = False


def _trim(tokens: Sequence[Token], head: Token) -> tuple[int, int]:
    """The span of a subject, cut at an apposition comma after its head."""
    toks = [t for t in tokens if not t.is_space]
    first = toks[0]
    last = toks[-1]
    for t in toks:
        if t.i > head.i and (t.text in {",", "(", "—", "–"} or (
            t.dep_ in {"prep", "relcl", "acl"} and t.head.i == head.i
        )):
            break
        last = t
    while first.is_punct and first.i < last.i:
        first = first.doc[first.i + 1]
    while last.is_punct and last.i > first.i:
        last = last.doc[last.i - 1]
    return first.idx, last.idx + len(last.text)


def speaker_of(verb: Token) -> Speaker | None:
    """The subject of a cue verb, through conjunctions and auxiliaries ("said and added")."""
    v: Token | None = verb
    for _ in range(3):
        if v is None:
            break
        for child in v.children:
            if child.dep_ in {"nsubj", "nsubjpass"} and child.lower_ not in {"that", "which"}:
                return _speaker(child)
        v = v.head if v.dep_ in {"conj", "xcomp", "advcl"} and v.head is not v else None
    # inverted: "…," said Smith / wrote Max Perry
    for child in verb.rights:
        if child.dep_ in {"dobj", "attr", "npadvmod", "appos", "nsubj", "dative"} and (
            child.pos_ in {"PROPN", "NOUN", "PRON"}
        ):
            return _speaker(child)
    return None


def _speaker(head: Token) -> Speaker:
    if head.pos_ != "PROPN" and head.ent_type_ != "PERSON":
        named = [t for t in head.subtree if t.ent_type_ == "PERSON" and t.dep_ in {
            "appos", "compound", "nsubj"} | {"npadvmod"} and t.i > head.i]
        if named:  # "US ambassador to the United Nations John Bolton"
            head = named[0]
            while head.i + 1 < len(head.doc) and head.doc[head.i + 1].ent_type_ == "PERSON":
                head = head.doc[head.i + 1]
    start, end = _trim(list(head.subtree), head)
    det = next((c.lower_ for c in head.children if c.dep_ in {"det", "poss", "nummod"}), None)
    return Speaker(start, end, head.lower_, det, head.idx, head.idx + len(head.text),
                   head.pos_ == "PROPN")


def find_speaker(span: Span) -> Speaker | None:
    """The speaker after "according to": the object of "to"."""
    for tok in span:
        if tok.lower_ == "according":
            for to in tok.children:
                if to.lower_ == "to":
                    obj = next((c for c in to.children if c.dep_ == "pobj"), None)
                    if obj is not None:
                        return _speaker(obj)
            nxt = tok.doc[tok.i + 2] if tok.i + 2 < len(tok.doc) else None
            if nxt is not None and tok.doc[tok.i + 1].lower_ == "to":
                return _speaker(nxt)
    return None


@dataclass(frozen=True, slots=True)
class Resolved:
    source_type: str
    speaker: str | None = None
    ref: Mention | None = None


def _gender(text: str, start: int) -> str | None:
    """"m", "f" or None from an honorific or title just before ``start``."""
    before = text[max(0, start - 30):start].lower().replace(".", " ").split()
    if before:
        if before[-1] in _MALE or before[-1] + "." in _MALE:
            return "m"
        if before[-1] in _FEMALE or before[-1] + "." in _FEMALE:
            return "f"
    return None


def resolve(
    text: str,
    speaker: Speaker,
    offset: int,
    *,
    mentions: Sequence[Mention],
    history: Sequence[tuple[int, Mention]],
    quoted: Sequence[tuple[int, int]],
    plural: Sequence[tuple[int, Resolved]] = (),
) -> Resolved:
    """Resolve a speaker span (piece-local, shifted by ``offset``) to a source.

    ``history`` holds ``(position, mention)`` of earlier resolved speakers;
    ``quoted`` the spans inside quotes, whose mentions never resolve a speaker.
    """
    start, end = offset + speaker.start, offset + speaker.end
    hs, he = offset + speaker.head_start, offset + speaker.head_end
    head, det = speaker.head, speaker.det
    inside = [m for m in mentions if start <= m.start and m.end <= end]
    if speaker.head_start >= 0:
        inside = [m for m in inside if m.start <= hs and he <= m.end]
    person = next((m for m in inside if m.label == "PERSON"), None)
    if person is None and speaker.proper and inside and _role_follows(text, end):
        # "Mehdi Marand, a spokesman for …": a person whatever the NER label says
        person = replace(inside[-1], label="PERSON")
        inside = [person]
    if head in DOCUMENT_NOUNS and person is None:
        return Resolved("document", text[start:end])
    if head in _OUTLET or (det == "this" and head in {"newspaper", "paper", "magazine"}):
        return Resolved("outlet", text[start:end])
    earlier = _same_name(text[hs:he] if hs < he else "", start, mentions)
    if earlier is not None and (person is None or len(person.text.split()) == 1):
        return Resolved("person", earlier.text, earlier)
    if inside:
        ref = person or inside[0]
        return Resolved(_type_of(ref), ref.text, ref)
    if speaker.proper and head not in _GROUP_PRONOUNS:
        return Resolved("person", text[start:end])
    definite = det == "the"
    if head in _PERSON_PRONOUNS:
        want = "PERSON"
    elif head in _GROUP_PRONOUNS:
        recent = next((r for p, r in reversed(plural) if 0 <= start - p < 600), None)
        if head == "they" and recent is not None:
            return recent
        want = "ORG"
    elif definite and head in _ORG_NOUNS:
        want = "ORG"
    elif head in _ANON_NOUNS or not definite or head.endswith("s"):
        return Resolved("anonymous", text[start:end])
    else:
        want = "PERSON"
    gender = "m" if head in _MALE else "f" if head in _FEMALE else None
    ante = _antecedent(text, start, want, gender, mentions=mentions, history=history,
                       quoted=quoted)
    if ante is None:
        if head in _GROUP_PRONOUNS:
            return Resolved("anonymous", None)
        return Resolved("person" if want == "PERSON" else "organisation", None)
    return Resolved(_type_of(ante), ante.text, ante)


_ROLES = frozenset({
    "spokesman", "spokeswoman", "spokesperson", "director", "leader", "founder", "member",
    "head", "chairman", "chairwoman", "president", "chief", "official", "minister", "senator",
    "professor", "analyst", "expert", "researcher", "author", "journalist", "reporter",
    "editor", "writer", "ambassador", "inspector", "adviser", "advisor", "lawyer", "activist",
    "scholar", "commander", "officer", "secretary", "deputy", "representative", "lawmaker",
    "congressman", "congresswoman", "councillor", "mayor", "governor", "diplomat", "agent",
})


def _role_follows(text: str, end: int) -> bool:
    """Whether an apposition naming a person's role follows: ", a spokesman for …"."""
    m = re.match(r"\s*,\s*(?:(?:a|an|the|its|his|her|their)\s+)?((?:[\w-]+\s+){0,3}?)"
                 r"([\w-]+)\b", text[end:end + 80])
    return m is not None and m.group(2).lower() in _ROLES


def _pronoun_gender(text: str, mentions: Sequence[Mention]) -> dict[str, str]:
    """Gender of a person's last name from evidence elsewhere in the document.

    A sentence opening with "He"/"She" votes for the first person named in the
    sentence before it; an apposition such as ", a spokesman for" votes too.
    The majority wins.
    """
    people = [m for m in mentions if m.label == "PERSON" and m.text.split()]
    votes: dict[str, list[str]] = {}
    for hit in re.finditer(r"(?:^|[.!?][\"”’']?\s+)(He|She)\b", text):
        at = hit.start(1)
        prev_end = max(text.rfind(". ", 0, at - 2), text.rfind("\n", 0, at - 1))
        prev_start = max(text.rfind(". ", 0, prev_end), text.rfind("\n", 0, prev_end)) + 1
        first = next((m for m in people if prev_start <= m.start < at), None)
        if first is not None and at - prev_start < 600:
            votes.setdefault(_last(first.text), []).append("m" if hit.group(1) == "He" else "f")
    for m in people:
        role = re.match(r"\s*,\s*(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?([\w-]+)",
                        text[m.end:m.end + 60])
        if role is not None and role.group(1).lower() in _MALE | _FEMALE:
            votes.setdefault(_last(m.text), []).append(
                "m" if role.group(1).lower() in _MALE else "f")
    return {k: max(set(v), key=v.count) for k, v in votes.items()}


def _last(name: str) -> str:
    words = name.replace("’s", "").replace("'s", "").split()
    return words[-1] if words else ""


def _same_name(name: str, before: int, mentions: Sequence[Mention]) -> Mention | None:
    """An earlier, longer PERSON mention ending in ``name`` ("Ritter" -> "Scott Ritter")."""
    if not name or not name[:1].isupper() or " " in name.strip():
        return None
    found = None
    for m in mentions:
        if m.start >= before:
            break
        words = m.text.replace("’s", "").replace("'s", "").split()
        if m.label == "PERSON" and len(words) > 1 and words[-1] == name:
            found = m
    return found


def _type_of(m: Mention) -> str:
    return "person" if m.label == "PERSON" else "organisation"


def _antecedent(
    text: str,
    at: int,
    want: str,
    gender: str | None,
    *,
    mentions: Sequence[Mention],
    history: Sequence[tuple[int, Mention]],
    quoted: Sequence[tuple[int, int]],
) -> Mention | None:
    by_name: dict[str, str] = _pronoun_gender(text, [*mentions, *(m for _, m in history)])
    for m in mentions:
        g0 = _gender(text, m.start)
        if m.label == "PERSON" and g0 is not None and m.text.split():
            by_name[_last(m.text)] = g0

    def gender_of(m: Mention) -> str | None:
        return by_name.get(_last(m.text))

    def ok(m: Mention) -> bool:
        if want == "PERSON":
            if m.label != "PERSON":
                return False
            g = gender_of(m)
            return gender is None or g is None or g == gender
        return m.label in _ORG_LABELS

    def in_quote(m: Mention) -> bool:
        return any(s <= m.start and m.end <= e for s, e in quoted)

    best: tuple[float, Mention] | None = None
    for pos, m in history:
        if pos < at and ok(m):
            score = (at - pos) / 2 - 300.0  # an earlier speaker is the likeliest antecedent
            if gender is not None and gender_of(m) is None:
                score += _UNKNOWN_GENDER
            if best is None or score < best[0]:
                best = (score, m)
    for m in mentions:
        if m.end <= at and at - m.end < 2000 and ok(m) and not in_quote(m):
            score = float(at - m.end)
            if gender is not None and gender_of(m) is None:
                score += _UNKNOWN_GENDER
            if best is None or score < best[0]:
                best = (score, m)
    return best[1] if best else None
