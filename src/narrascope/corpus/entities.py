"""Corpus stage: resolve mentions to entities across documents, with the evidence.

Mentions are read as names (:mod:`narrascope.extract.names`) and merged by
generic, explainable rules, each recorded in the entity's ``merged_by``:

1. ``same-name``: the same name once case, accents, apostrophes, hyphens, a
   leading "the" and a possessive are folded ("MEK’s", "MEK").
2. ``transliteration``: multi-word names with the same consonant skeleton
   ("Mojahedin-e Khalq", "Mujahideen-e-Khalq", "Mujahedin Khalq").
3. ``designator``: names that differ by a trailing designator
   ("Mujahedin Khalq Organization", "Mujahedin Khalq").
4. ``declared-alias``: a document says so ("X (ABC)", "(MKO, also known as
   the MEK, PMOI)", "X, also known as Y"); the evidence span is kept.
5. ``initials``: an acronym whose letters are the initials of exactly one
   multi-word name of the corpus ("VRF" and "Valdran Renewal Front").
6. ``similar-spelling``: multi-word names of organisations and places whose
   content words match closely (rapidfuzz), within blocks sharing a word.
7. ``person-name``: full names with one surname and compatible first names
   ("Massoud"/"Masoud", "Rudy"/"Rudolph"); different first names stay apart.
8. One-word mentions, one at a time: a bare surname goes to the person of
   that surname most recently named in the same document (``surname``), or
   to the only person of that surname in the corpus (``surname-corpus``); a
   bare first name likewise (``first-name``) when no surname matches; a word
   that is, across the corpus, nearly always part of one organisation's name
   is its ``short-form`` ("the Front", "Khalq").

The type of an entity is the vote of its mentions' labels (a name tagged
PERSON once and ORG elsewhere becomes ORG; a name with an organisation head
noun is never a person). Corrections from the audit log
(:mod:`narrascope.corpus.corrections`) are applied last, on every run.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from narrascope.extract.names import (
    acronym_key,
    folded_name,
    initials,
    is_acronym,
    lexicon,
    name_key,
    name_tokens,
    read_name,
    skeleton,
    skeleton_letters,
)
from narrascope.model import Alias
from narrascope.store import EntityRow

__all__ = [
    "Cluster",
    "MentionRef",
    "canonical_name",
    "entity_type",
    "mention_key",
    "normalize_name",
    "resolve",
    "to_rows",
]

_PERSON = "PERSON"
_PLACES = {"GPE", "LOC", "FAC"}
_RESOLVABLE = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
_SIMILAR = 92.0
_SHORT_FORM_SHARE = 0.75
_MAX_BLOCK = 200
_MAX_EVIDENCE = 40


def normalize_name(text: str) -> str:
    """The folded key of a mention's text (kept for the stages that match actors by name)."""
    return folded_name(text)


def mention_key(text: str, label: str) -> str:
    """The folded name of a mention (a personal name without its title)."""
    return folded_name(text, person=label == _PERSON)


@dataclass(frozen=True, slots=True)
class MentionRef:
    """A stored mention as the entity stage reads it."""

    id: int
    doc: str
    start: int
    text: str
    label: str
    title: str | None = None
    published: str | None = None


@dataclass
class Cluster:
    """Mentions resolved to one entity, and why."""

    mentions: list[MentionRef] = field(default_factory=list)
    rules: list[dict[str, object]] = field(default_factory=list)
    name: str | None = None  #: set by a rename correction
    ignored: bool = False
    person: bool = False  #: bare names were resolved to it as to a person


@dataclass
class _Node:
    key: str
    names: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    mentions: list[MentionRef] = field(default_factory=list)
    tokens: tuple[str, ...] = ()


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.rules: dict[str, list[dict[str, object]]] = defaultdict(list)

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str, rule: dict[str, object]) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[rb] = ra
        self.rules[ra].extend(self.rules.pop(rb, []))
        if len(self.rules[ra]) < _MAX_EVIDENCE:
            self.rules[ra].append(rule)
        return True


def _key(name: str) -> str:
    return "acr:" + acronym_key(name) if is_acronym(name) else name_key(name)


def _content(tokens: Sequence[str]) -> list[str]:
    particles = lexicon().particles
    return [t for t in tokens if t not in particles]


def _skeleton_key(tokens: Sequence[str]) -> str:
    return " ".join(s for s in (skeleton(t) for t in _content(tokens)) if s)


def _word(token: str) -> str:
    """A one-word matching key: vowel runs read as one vowel, doubled letters as one.

    "Mojahedin" and "Mujahideen" meet, "Massoud" and "Masoud" meet; "Front"
    and "Frente", "Tirana" and "Turn" do not.
    """
    out: list[str] = []
    for letter in skeleton_letters(token):
        c = "V" if letter in "aeiouy" else letter
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _first_names_agree(a: str, b: str) -> bool:
    """"Massoud"/"Masoud", "Rudy"/"Rudolph", "J."/"John"; not "Dick"/"Elizabeth"."""
    if a[:1] != b[:1]:
        return False
    short, long = sorted((skeleton(a), skeleton(b)), key=len)
    return long.startswith(short) and (len(short) >= 2 or len(min(a, b, key=len)) == 1)


def _is_org_name(tokens: Sequence[str]) -> bool:
    heads = lexicon().org_heads
    return any(t in heads for t in tokens)


def _majority(node_labels: Counter[str]) -> str:
    return max(node_labels.items(), key=lambda kv: (kv[1], kv[0] != _PERSON, kv[0]))[0]


def resolve(mentions: Iterable[MentionRef], aliases: Iterable[Alias] = ()) -> list[Cluster]:
    """Group ``mentions`` (ordered by document and position) into entity clusters."""
    lex = lexicon()
    nodes: dict[str, _Node] = {}
    singles: list[tuple[MentionRef, str]] = []
    for m in mentions:
        name = read_name(m.text, person=m.label == _PERSON).name
        if m.label not in _RESOLVABLE and m.label:
            key = f"{m.label}:{name_key(name)}"
        else:
            key = _key(name)
        bare = key.removeprefix("acr:")
        if not bare or (not is_acronym(name) and name.casefold() in lex.pronouns):
            continue
        tokens = tuple(name_tokens(name))
        node = nodes.setdefault(key, _Node(key, tokens=tokens))
        node.names[name] += 1
        node.labels[m.label] += 1
        node.mentions.append(m)
        if len(tokens) == 1 and not key.startswith("acr:") and m.label in _RESOLVABLE:
            singles.append((m, key))
    uf = _Union()
    for key in nodes:
        uf.find(key)
    multi = {k: n for k, n in nodes.items() if len(_content(n.tokens)) >= 2
             and not k.startswith("acr:") and ":" not in k.split(" ")[0]}
    _merge_by_form(uf, multi)
    _merge_declared(uf, aliases)
    _merge_initials(uf, nodes, multi)
    _merge_similar(uf, multi)
    _merge_people(uf, multi)
    return _attach_singles(uf, nodes, multi, singles)


def _merge_by_form(uf: _Union, multi: dict[str, _Node]) -> None:
    by_skeleton: dict[str, list[str]] = defaultdict(list)
    designators = lexicon().designators
    stripped: dict[str, str] = {}
    for key, node in multi.items():
        skel = _skeleton_key(node.tokens)
        if len(skel.replace(" ", "")) >= 5:
            by_skeleton[skel].append(key)
        content = _content(node.tokens)
        while content and content[-1] in designators:
            content = content[:-1]
        if len(content) >= 2 and len(content) < len(_content(node.tokens)):
            stripped[key] = _skeleton_key(content)
    for skel, keys in by_skeleton.items():
        for other in keys[1:]:
            uf.union(keys[0], other, {"rule": "transliteration", "names": [
                multi[keys[0]].names.most_common(1)[0][0],
                multi[other].names.most_common(1)[0][0]], "skeleton": skel})
    for key, skel in stripped.items():
        for target in by_skeleton.get(skel, ()):
            uf.union(target, key, {"rule": "designator", "names": [
                multi[target].names.most_common(1)[0][0],
                multi[key].names.most_common(1)[0][0]]})


def _merge_declared(uf: _Union, aliases: Iterable[Alias]) -> None:
    for a in aliases:
        ka, kb = _key(read_name(a.name).name), _key(read_name(a.alias).name)
        if not ka or not kb or ka == kb:
            continue
        uf.union(ka, kb, {"rule": "declared-alias", "names": [a.name, a.alias],
                          "evidence": {"doc": a.doc, "start": a.start, "end": a.end}})


def _merge_initials(uf: _Union, nodes: dict[str, _Node], multi: dict[str, _Node]) -> None:
    by_code: dict[str, set[str]] = defaultdict(set)
    for key, node in multi.items():
        if _majority(node.labels) == _PERSON and not _is_org_name(node.tokens):
            continue
        for name in node.names:
            for code in initials(name):
                by_code[code].add(key)
    for key, node in nodes.items():
        if not key.startswith("acr:"):
            continue
        candidates = {uf.find(k) for k in by_code.get(key[4:], ())}
        if len(candidates) == 1:
            target = candidates.pop()
            uf.union(target, key, {"rule": "initials", "names": [
                nodes[target].names.most_common(1)[0][0] if target in nodes else target,
                node.names.most_common(1)[0][0]]})


def _merge_similar(uf: _Union, multi: dict[str, _Node]) -> None:
    from rapidfuzz import fuzz

    blocks: dict[str, list[str]] = defaultdict(list)
    words: dict[str, str] = {}
    for key, node in multi.items():
        if _majority(node.labels) == _PERSON and not _is_org_name(node.tokens):
            continue
        content = _content(node.tokens)
        words[key] = " ".join(sorted(content))
    for key in words:
        for token in set(_content(multi[key].tokens)):
            blocks[token].append(key)
    compared: set[tuple[str, str]] = set()
    for keys in blocks.values():
        if len(keys) > _MAX_BLOCK:
            continue
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if (a, b) in compared or len(words[a].split()) != len(words[b].split()):
                    continue
                compared.add((a, b))
                score = fuzz.ratio(words[a], words[b])
                if score >= _SIMILAR:
                    uf.union(a, b, {"rule": "similar-spelling", "score": round(score, 1),
                                    "names": [multi[a].names.most_common(1)[0][0],
                                              multi[b].names.most_common(1)[0][0]]})


def _person_parts(node: _Node) -> tuple[str, str] | None:
    """(first name, surname key) of a full personal name; ``None`` for other names."""
    content = _content(node.tokens)
    if len(content) < 2 or _is_org_name(node.tokens) or not skeleton(content[0]):
        return None
    return content[0], _word(content[-1])


def _is_person(node: _Node) -> bool:
    return _majority(node.labels) == _PERSON and _person_parts(node) is not None


def _merge_people(uf: _Union, multi: dict[str, _Node]) -> None:
    by_surname: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, node in multi.items():
        parts = _person_parts(node)
        if parts is not None and _is_person(node):
            by_surname[parts[1]].append((parts[0], key))
    for people in by_surname.values():
        for i, (first_a, a) in enumerate(people):
            for first_b, b in people[i + 1:]:
                if _first_names_agree(first_a, first_b):
                    uf.union(a, b, {"rule": "person-name", "names": [
                        multi[a].names.most_common(1)[0][0],
                        multi[b].names.most_common(1)[0][0]]})


def _attach_singles(
    uf: _Union,
    nodes: dict[str, _Node],
    multi: dict[str, _Node],
    singles: list[tuple[MentionRef, str]],
) -> list[Cluster]:
    surnames: dict[str, set[str]] = defaultdict(set)
    firsts: dict[str, set[str]] = defaultdict(set)
    named_in_doc: dict[str, list[tuple[int, str, str, str, str]]] = defaultdict(list)
    root_labels: dict[str, Counter[str]] = defaultdict(Counter)
    for key, node in nodes.items():
        root_labels[uf.find(key)].update(node.labels)
    for key, node in multi.items():
        parts = _person_parts(node)
        root = uf.find(key)
        if parts is None or _majority(root_labels[root]) != _PERSON:
            continue
        parts = (_word(parts[0]), parts[1])
        firsts[parts[0]].add(root)
        surnames[parts[1]].add(root)
        for m in node.mentions:
            named_in_doc[m.doc].append((m.start, parts[0], parts[1], root, m.text))
    for entries in named_in_doc.values():
        entries.sort()
    person_words = set(surnames) | set(firsts)
    short_forms = _short_forms(uf, nodes, multi, person_words, root_labels)

    assigned: dict[int, tuple[str, dict[str, object]]] = {}
    for m, key in singles:
        word = _word(nodes[key].tokens[0])
        found = (_in_document(named_in_doc[m.doc], m, word, surname=True)
                 or _in_corpus(surnames, word, m, "surname-corpus"))
        if found is None and m.label == _PERSON and word not in surnames:
            found = (_in_document(named_in_doc[m.doc], m, word, surname=False)
                     or _in_corpus(firsts, word, m, "first-name-corpus"))
        if found is not None:
            assigned[m.id] = found
    _same_word(singles, assigned, nodes, uf)
    groups: dict[str, Cluster] = {}
    for key, node in nodes.items():
        for m in node.mentions:
            if m.id in assigned:
                root, rule = assigned[m.id]
                cluster = groups.setdefault(uf.find(root), Cluster())
                cluster.person = True
                if len(cluster.rules) < _MAX_EVIDENCE:
                    cluster.rules.append(rule)
            else:
                root = uf.find(short_forms.get(key, key))
                cluster = groups.setdefault(root, Cluster())
            cluster.mentions.append(m)
    shown: dict[str, str] = {}
    for key, node in sorted(multi.items(), key=lambda kv: -len(kv[1].mentions)):
        shown.setdefault(uf.find(key), node.names.most_common(1)[0][0])
    for root, cluster in groups.items():
        cluster.rules[:0] = uf.rules.get(root, [])
        for key, target in short_forms.items():
            if uf.find(target) == root:
                cluster.rules.append({"rule": "short-form", "names": [
                    nodes[key].names.most_common(1)[0][0], shown.get(root, target)]})
    return [c for c in groups.values() if c.mentions]


def _same_word(
    singles: list[tuple[MentionRef, str]],
    assigned: dict[int, tuple[str, dict[str, object]]],
    nodes: dict[str, _Node],
    uf: _Union,
) -> None:
    """A bare name resolved to one person wherever it was resolved goes there everywhere.

    Only where every resolved mention of the word went to the same person, so a
    surname two people share stays unresolved outside their documents.
    """
    roots: dict[str, set[str]] = defaultdict(set)
    for m, key in singles:
        if m.id in assigned:
            roots[key].add(uf.find(assigned[m.id][0]))
    for m, key in singles:
        if m.id not in assigned and len(roots.get(key, ())) == 1:
            root = next(iter(roots[key]))
            assigned[m.id] = root, {"rule": "same-word-corpus", "names": [m.text],
                                    "evidence": {"doc": m.doc, "start": m.start}}


def _in_document(
    named: list[tuple[int, str, str, str, str]], m: MentionRef, word: str, *, surname: bool
) -> tuple[str, dict[str, object]] | None:
    """The person of that surname (first name) named last before ``m``, else the only one after."""
    part = 2 if surname else 1
    before = [e for e in named if e[part] == word and e[0] < m.start]
    after = {e[3] for e in named if e[part] == word and e[0] > m.start}
    entry = before[-1] if before else None
    if entry is None and len(after) == 1:
        entry = next(e for e in named if e[part] == word and e[0] > m.start)
    if entry is None:
        return None
    rule = "surname" if surname else "first-name"
    return entry[3], {"rule": rule, "names": [m.text, entry[4]],
                      "evidence": {"doc": m.doc, "start": m.start}}


def _in_corpus(
    index: dict[str, set[str]], word: str, m: MentionRef, rule: str
) -> tuple[str, dict[str, object]] | None:
    roots = index.get(word, set())
    if len(roots) != 1 or m.label != _PERSON:
        return None
    return next(iter(roots)), {"rule": rule, "names": [m.text],
                               "evidence": {"doc": m.doc, "start": m.start}}


def _short_forms(
    uf: _Union,
    nodes: dict[str, _Node],
    multi: dict[str, _Node],
    person_words: set[str],
    root_labels: dict[str, Counter[str]],
) -> dict[str, str]:
    """One-word keys that are, across the corpus, nearly always part of one organisation's name.

    The organisation must read as one: an organisation head noun in a name, or an
    acronym among its names. Adjectives of nationality (NORP) and places are never
    short forms ("America" is not "Latin America").
    """
    lex = lexicon()
    containing: dict[str, Counter[str]] = defaultdict(Counter)
    organisational: set[str] = set()
    for key, node in nodes.items():
        root = uf.find(key)
        if key.startswith("acr:") or _is_org_name(node.tokens):
            organisational.add(root)
        if key in multi:
            for token in set(_content(node.tokens)):
                containing[_word(token)][root] += len(node.mentions)
    found: dict[str, str] = {}
    for key, node in nodes.items():
        if len(node.tokens) != 1 or key.startswith("acr:") or ":" in key:
            continue
        token = node.tokens[0]
        word = _word(token)
        if len(token) < 3 or token in lex.designators or token in lex.particles:
            continue
        if token in lex.titles or word in person_words or not containing.get(word):
            continue
        counts = containing[word]
        target, n = counts.most_common(1)[0]
        if _majority(node.labels) in _PLACES | {"NORP"} and n < 4 * len(node.mentions):
            continue  # "Albania" is not short for "Bank of Albania"
        if n / sum(counts.values()) < _SHORT_FORM_SHARE or target not in organisational:
            continue
        if _majority(root_labels[target]) in _PLACES | {_PERSON}:
            continue
        found[key] = target
    return found


def _entity_id(label: str, key: str) -> str:
    return hashlib.sha256(f"{label}\x00{key}".encode()).hexdigest()[:12]


def entity_type(cluster: Cluster) -> str:
    """The vote of the mentions' labels; full names count double; org names are never people."""
    votes: Counter[str] = Counter()
    org = False
    for m in cluster.mentions:
        tokens = name_tokens(read_name(m.text, person=m.label == _PERSON).name)
        votes[m.label] += 2 if len(tokens) > 1 and not is_acronym(m.text) else 1
        org = org or _is_org_name(tokens)
    ranked = [label for label, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))]
    if cluster.person and not org:
        return _PERSON
    if org and ranked[0] == _PERSON:
        return next((r for r in ranked if r in {"ORG", "NORP"}), "ORG")
    return ranked[0]


def canonical_name(cluster: Cluster) -> str:
    """The most frequent full spelling (an acronym or single word only when there is none)."""
    if cluster.name:
        return cluster.name
    spellings = Counter(read_name(m.text, person=m.label == _PERSON).name
                        for m in cluster.mentions)
    full = {s: n for s, n in spellings.items() if len(name_tokens(s)) > 1 and not is_acronym(s)}
    pool = full or spellings
    return max(pool.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]


def to_rows(clusters: Iterable[Cluster]) -> list[EntityRow]:
    """Entity rows for the store, largest first; the id is stable for a name and type."""
    rows = []
    for cluster in clusters:
        name = canonical_name(cluster)
        label = entity_type(cluster)
        dates = sorted(m.published[:10] for m in cluster.mentions if m.published)
        titles = Counter(m.title for m in cluster.mentions if m.title)
        rows.append(EntityRow(
            id=_entity_id(label, name_key(name)),
            name=name,
            type=label,
            mention_ids=tuple(m.id for m in cluster.mentions),
            doc_count=len({m.doc for m in cluster.mentions}),
            merged_by=json.dumps({"rules": _collapse(cluster.rules) if cluster.rules
                                  else [{"rule": "same-name"}]}, ensure_ascii=False),
            first_seen=dates[0] if dates else None,
            last_seen=dates[-1] if dates else None,
            titles=json.dumps(dict(titles.most_common(10)), ensure_ascii=False)
            if titles else None,
            ignored=cluster.ignored,
        ))
    unique: dict[str, EntityRow] = {}
    for row in sorted(rows, key=lambda r: (-len(r.mention_ids), r.name)):
        rid = row.id
        n = 1
        while rid in unique:
            n += 1
            rid = _entity_id(row.type, f"{name_key(row.name)}#{n}")
        unique[rid] = row if rid == row.id else _with_id(row, rid)
    return list(unique.values())


def _collapse(rules: list[dict[str, object]]) -> list[dict[str, object]]:
    """One record per rule and names, with the first evidence and how often it applied."""
    out: dict[tuple[str, str], dict[str, object]] = {}
    for rule in rules:
        key = (str(rule.get("rule")), json.dumps(rule.get("names"), ensure_ascii=False))
        if key in out:
            out[key]["count"] = int(str(out[key].get("count", 1))) + 1
        else:
            out[key] = dict(rule)
    return list(out.values())


def _with_id(row: EntityRow, rid: str) -> EntityRow:
    return replace(row, id=rid)
