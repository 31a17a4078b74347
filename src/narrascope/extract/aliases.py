"""Per-document stage: names the text itself declares equal, and tidier mentions.

Articles define their own aliases: "the Mojahedin-e Khalq (MEK)", "(MKO, also
known as the MEK, PMOI and NCRI)", "(the MKO/ MEK/ PMOI)", "X, also known as
Y", "Mojahedin-e Khalq or MEK". :func:`find_aliases` records each such
statement as an :class:`~narrascope.model.Alias` with the span that says it,
so the corpus entity stage can merge on evidence and show it.

:func:`clean_mentions` tidies what the tagger found (quote marks and list
markers trimmed, titles and possessives kept as attributes, pronoun-like
mentions dropped) and adds the mentions it missed of acronyms the document
itself defined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from narrascope.extract.names import (
    acronym_key,
    folded_name,
    initials,
    is_acronym,
    lexicon,
    name_key,
    read_name,
    title_before,
    trim_span,
)
from narrascope.model import Alias, Document, Mention

__all__ = ["clean_mentions", "find_aliases", "with_aliases"]

_CUE = (r"(?:also\s+known\s+as|better\s+known\s+as|formerly\s+known\s+as|known\s+as"
        r"|a\.?k\.?a\.?|formerly|or\s+simply)")
_SPLIT = re.compile(rf"\s*(?:/|,|;|\band\b|\bor\b|{_CUE})\s*", re.IGNORECASE)
_HAS_CUE = re.compile(rf"/|{_CUE}", re.IGNORECASE)
_NAME_WORD = r"(?:[A-Z][\w'’.]*(?:-[\w'’.]+)*)"
_LINK = r"(?:[\s-]+(?:e|of|the|for|and|al|el|de|du|des|la|le|von|van|-e)[\s-]+|[\s-]+)"
_CAP_PHRASE = re.compile(rf"({_NAME_WORD}(?:{_LINK}{_NAME_WORD}){{0,8}})\s*$")
_PAREN = re.compile(r"\(([^()\n]{1,160})\)")
_AKA = re.compile(
    rf"(?P<name>{_NAME_WORD}(?:{_LINK}{_NAME_WORD}){{0,8}}),?\s+{_CUE}\s+(?:the\s+)?"
    rf"(?P<items>{_NAME_WORD}(?:(?:{_LINK}|\s*(?:,|/|\band\b|\bor\b)\s*(?:the\s+)?)"
    rf"{_NAME_WORD}){{0,8}})"
)
_OR_ACRONYM = re.compile(
    rf"(?P<name>{_NAME_WORD}(?:{_LINK}{_NAME_WORD}){{1,8}})\s+or\s+(?P<acr>[A-Z]{{2,8}})\b")
_SLASH_LIST = re.compile(r"\b[A-Z]{2,8}(?:\s*/\s*[A-Z]{2,8})+\b")
_PROPAGATED_LABELS = {"ORG", "GPE", "NORP", "FAC", "LOC", "PERSON"}


def find_aliases(doc: Document) -> tuple[Alias, ...]:
    """Alias statements in the content regions of ``doc``, in text order."""
    found: list[Alias] = []
    for start, end in doc.content_spans:
        found.extend(_parenthesised(doc, start, end))
        found.extend(_spelled_out(doc, start, end))
    unique = {(a.name, a.alias): a for a in sorted(found, key=lambda a: (a.start, a.end))}
    return tuple(sorted(unique.values(), key=lambda a: (a.start, a.end, a.alias)))


def _items(inner: str) -> list[str]:
    items = []
    for piece in _SPLIT.split(inner):
        item = re.sub(r"^(?:the|The)\s+", "", piece.strip(" .\"'“”‘’"))
        if not item or len(item) > 60 or len(item.split()) > 7:
            continue
        if not item[0].isupper() or not re.search(r"[^\W\d_]{2}", item):
            continue
        if re.fullmatch(r"[\d\W]+", item):
            continue
        items.append(item)
    return items


def _mention_ending(doc: Document, pos: int) -> Mention | None:
    for m in doc.mentions:
        if m.end <= pos and pos - m.end <= 2 and not doc.text[m.end:pos].strip(" ,"):
            return m
    return None


def _parenthesised(doc: Document, lo: int, hi: int) -> Iterator[Alias]:
    text = doc.text
    for match in _PAREN.finditer(text, lo, hi):
        inner = match.group(1)
        items = _items(inner)
        if not items:
            continue
        mention = _mention_ending(doc, match.start())
        if mention is not None:
            s, e = trim_span(text, mention.start, mention.end)
            name = read_name(text[s:e]).name
        else:
            line = text[max(lo, text.rfind("\n", 0, match.start()) + 1):match.start()]
            phrase = _CAP_PHRASE.search(line.rstrip(" ,"))
            if phrase is None:
                continue
            name = read_name(phrase.group(1)).name
        if not name or len(name) < 2:
            continue
        cued = bool(_HAS_CUE.search(inner))
        codes = initials(name)
        for item in items:
            if name_key(item) == name_key(name):
                continue
            acronym = is_acronym(item)
            if cued or (acronym and (acronym_key(item) in codes or len(items) == 1)):
                kind = "acronym" if acronym else "alias"
                yield Alias(doc.id, _span_start(text, match.start(), name), match.end(),
                            name, item, kind)


def _span_start(text: str, paren: int, name: str) -> int:
    found = text.rfind(name, max(0, paren - len(name) - 8), paren)
    return found if found >= 0 else paren


def _spelled_out(doc: Document, lo: int, hi: int) -> Iterator[Alias]:
    text = doc.text
    for match in _AKA.finditer(text, lo, hi):
        name = read_name(match.group("name")).name
        for item in _items(match.group("items")):
            if name_key(item) != name_key(name):
                kind = "acronym" if is_acronym(item) else "alias"
                yield Alias(doc.id, match.start(), match.end(), name, item, kind)
    for match in _OR_ACRONYM.finditer(text, lo, hi):
        name = read_name(match.group("name")).name
        acr = match.group("acr")
        if acronym_key(acr) in initials(name):
            yield Alias(doc.id, match.start(), match.end(), name, acr, "acronym")
    for match in _SLASH_LIST.finditer(text, lo, hi):
        codes = [c.strip() for c in match.group().split("/")]
        for code in codes[1:]:
            if code != codes[0]:
                yield Alias(doc.id, match.start(), match.end(), codes[0], code, "acronym")


def clean_mentions(doc: Document) -> tuple[Mention, ...]:
    """Tidy the tagger's mentions and add missed mentions of acronyms the document defines."""
    lex = lexicon()
    text = doc.text
    kept: list[Mention] = []
    for m in _join_split_names(doc.mentions, text):
        start, end = trim_span(text, m.start, m.end)
        if end <= start:
            continue
        parts = read_name(text[start:end], person=m.label == "PERSON")
        if parts.possessive:
            end -= 1 if text[end - 2:end - 1] in "sS" and text[end - 1] in "'’`´" else 2
        surface = text[start:end]
        if not parts.name or (parts.name.casefold() in lex.pronouns
                              and not parts.name.isupper()):
            continue  # "He", "It"; but "US", "IT" are names
        if surface.islower() and m.label == "PERSON":
            continue  # "he", "the spokesman": not names
        title = parts.title or title_before(text, start)
        kept.append(replace(m, start=start, end=end, text=surface, title=title,
                            possessive=parts.possessive))
    kept = _split_pairs(kept, text)
    kept.extend(_missed_acronyms(doc, kept))
    return tuple(sorted(kept, key=lambda m: (m.start, m.end)))


_PAIR = re.compile(r"([^\W\d_][\w'’.]*)(\s+(?:and|&)\s+|-)([^\W\d_][\w'’.]*)")


def _split_pairs(mentions: list[Mention], text: str) -> list[Mention]:
    """Split "Vizinko and Sa'adati", "Sa'adati-Vizinko" into two people.

    Only when both words are surnames of people named in full in the same
    document, so "Iran-Iraq" or "Procter and Gamble" stay as they are.
    """
    surnames = {m.text.split()[-1].casefold() for m in mentions
                if m.label == "PERSON" and len(m.text.split()) >= 2}
    out: list[Mention] = []
    for m in mentions:
        pair = _PAIR.fullmatch(m.text)
        if pair and pair.group(1).casefold() in surnames and pair.group(3).casefold() in surnames:
            first_end = m.start + pair.end(1)
            second_start = m.start + pair.start(3)
            out.append(Mention(m.doc, m.start, first_end, text[m.start:first_end], "PERSON"))
            out.append(Mention(m.doc, second_start, m.end, text[second_start:m.end], "PERSON"))
        else:
            out.append(m)
    return out


_PARTICLE_GAP = re.compile(r"[\s-]*(?:e|al|el|ul|ud|ad|ed|i|y|de|bin|ibn)[\s-]+|-(?:e|al|el|ul)-?",
                           re.IGNORECASE)


def _join_split_names(mentions: Iterable[Mention], text: str) -> list[Mention]:
    """Join a name the tagger split at a particle: "Mojahedin" + "-e " + "Khalq"."""
    joined: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (m.start, m.end)):
        if joined:
            prev = joined[-1]
            gap = text[prev.end:m.start]
            glued = re.search(r"[\s-](?:e|al|el|ul)-?$", prev.text) is not None
            if (0 <= len(gap) <= 5 and "\n" not in gap
                    and prev.label in _PROPAGATED_LABELS and m.label in _PROPAGATED_LABELS
                    and (_PARTICLE_GAP.fullmatch(gap) or (glued and gap.strip() == ""))
                    and m.text[:1].isupper()):
                label = "ORG" if "ORG" in {prev.label, m.label} else prev.label
                joined[-1] = Mention(prev.doc, prev.start, m.end, text[prev.start:m.end], label)
                continue
        joined.append(m)
    return joined


def _missed_acronyms(doc: Document, mentions: list[Mention]) -> Iterable[Mention]:
    """Occurrences of acronyms defined in ``doc`` that the tagger did not mark."""
    label_of: dict[str, str] = {}
    by_name = {folded_name(m.text): m.label for m in mentions}
    for alias in doc.aliases:
        for surface, other in ((alias.alias, alias.name), (alias.name, alias.alias)):
            if is_acronym(surface) and "." not in surface:
                label = by_name.get(name_key(other)) or by_name.get(name_key(surface)) or "ORG"
                if label in _PROPAGATED_LABELS:
                    label_of.setdefault(surface, label)
    if not label_of:
        return []
    covered = [(m.start, m.end) for m in mentions]
    pattern = re.compile(r"\b(" + "|".join(re.escape(a) for a in sorted(label_of)) + r")\b")
    added = []
    for lo, hi in doc.content_spans:
        for match in pattern.finditer(doc.text, lo, hi):
            s, e = match.span()
            if any(cs < e and s < ce for cs, ce in covered):
                continue
            possessive = doc.text[e:e + 2] in {"'s", "’s"}
            added.append(Mention(doc.id, s, e, doc.text[s:e], label_of[match.group(1)],
                                 possessive=possessive))
    return added


def with_aliases(doc: Document) -> Document:
    """``doc`` with its alias statements found and its mentions tidied."""
    doc = replace(doc, aliases=find_aliases(doc))
    return replace(doc, mentions=clean_mentions(doc))
