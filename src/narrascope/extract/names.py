"""Reading names: the text functions the entity stages share.

A mention's *name* is its text without a leading article, a possessive,
surrounding quote marks or a title ("Lt. Col.", "former Mayor"); its *key*
folds case, accents, apostrophes and spacing; its *skeleton* also drops
vowels, hyphens and doubled letters, so transliterations of one name
("Mojahedin-e Khalq", "Mujahideen-e-Khalq", "Mujahedin Khalq") meet.
*Initials* give the acronyms a long name can stand for ("Mojahedin-e Khalq
Organization" -> MKO, MEKO; "Valdran Renewal Front" -> VRF).

The vocabulary (titles, pronouns, particles, organisation head nouns) is
generic English kept as data in ``data/lexicon/names.json``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

__all__ = [
    "Lexicon",
    "NameParts",
    "acronym_key",
    "clear_caches",
    "folded_name",
    "initials",
    "is_acronym",
    "lexicon",
    "name_key",
    "name_tokens",
    "read_name",
    "skeleton",
    "skeleton_letters",
    "title_before",
    "trim_span",
]

_QUOTES = "\"'“”‘’«»„‟‹›`´"
_APOSTROPHES = "'’‘`´"
_POSSESSIVE = re.compile(r"(?:['’`´]s|s['’`´])$")
_LIST_MARKER = re.compile(r"^(?:[a-z]|\d{1,2})[.)]\s+")
_TOKEN = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*\.?", re.UNICODE)
_VOWELS = set("aeiouy")


@dataclass(frozen=True, slots=True)
class Lexicon:
    titles: frozenset[str]
    pronouns: frozenset[str]
    particles: frozenset[str]
    org_heads: frozenset[str]
    designators: frozenset[str]
    longest_title: int


@cache
def lexicon() -> Lexicon:
    """The generic name vocabulary (read once, on first use)."""
    raw = (resources.files("narrascope.data") / "lexicon" / "names.json").read_text(
        encoding="utf-8"
    )
    data = json.loads(raw)
    titles = frozenset(_fold(t).replace(".", "") for t in data["titles"])
    return Lexicon(
        titles=titles,
        pronouns=frozenset(data["pronouns"]),
        particles=frozenset(data["particles"]),
        org_heads=frozenset(data["org_heads"]),
        designators=frozenset(data["designators"]),
        longest_title=max(len(t.split()) for t in titles),
    )


def clear_caches() -> None:
    """Empty the spelling caches below (a corpus's names: 65,536 entries each at most).

    Their entries are allocated among a stage's temporary objects, so while they
    live the allocator cannot give that stage's memory back: after the entity
    stage of 10,000 documents, 278 MB resident with them, 62 MB once emptied.
    A build empties them after each stage; they fill again as they are read.
    """
    for memo in (_fold, read_name, name_key):
        memo.cache_clear()


@lru_cache(maxsize=65536)  # names recur across a corpus, and every build folds them all again
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain).casefold().strip()


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``text[start:end]`` to the name a tagger meant.

    Drops surrounding quote marks and punctuation, a list marker ("f. "), an
    unclosed parenthesis and what follows it, and text glued to the name by a
    closing quote mark ("MEK”is" -> "MEK"). Returns ``(start, end)``, empty if
    nothing name-like is left.
    """
    span = text[start:end]
    paren = span.find("(")
    if paren > 0 and ")" not in span[paren:]:
        end = start + paren
    span = text[start:end]
    glued = re.search(r"[”\"»](?=[a-z])|’(?=[a-rt-z]|s\w)", span)
    if glued and glued.start() > 0:
        end = start + glued.start()
    while start < end and (text[start] in _QUOTES or text[start] in " \t\n([{-–—,;:*•"):
        start += 1
    while end > start and (text[end - 1] in _QUOTES.replace("'", "").replace("’", "")
                           or text[end - 1] in " \t\n)]},;:*•-–—"):
        end -= 1
    marker = _LIST_MARKER.match(text[start:end])
    if marker and len(text[start:end]) > marker.end():
        start += marker.end()
    kept = text[start:end]
    if not re.search(r"[^\W\d_]{2}", kept) and not is_acronym(kept):
        return start, start
    return start, end


@dataclass(frozen=True, slots=True)
class NameParts:
    """A mention's text read as a name."""

    name: str  #: without article, possessive, leading title or quotes
    title: str | None  #: a title or role at the start of the mention
    possessive: bool


@lru_cache(maxsize=65536)  # the same spellings recur across a corpus; every stage reads them
def read_name(text: str, *, person: bool = False) -> NameParts:
    """Split ``text`` (a mention's text) into name, leading title and possessive.

    A leading title is split off only from a personal name (``person``):
    "General Motors" keeps its first word.
    """
    name = text.strip().strip(_QUOTES + " ")
    possessive = bool(_POSSESSIVE.search(name)) and len(name) > 3
    if possessive:
        name = name[:-2].rstrip()
    name = re.sub(r"^(?:the|The|THE)\s+", "", name).strip(_QUOTES + " ")
    title = None
    words = name.split()
    lex = lexicon()
    for n in range(min(len(words) - 1, lex.longest_title) if person else 0, 0, -1):
        if _fold(" ".join(words[:n])).replace(".", "") in lex.titles:
            title = " ".join(words[:n])
            name = " ".join(words[n:])
            break
    return NameParts(name=name.strip(), title=title, possessive=possessive)


_WORD = re.compile(r"\S+")


def _last_words(text: str, n: int) -> list[re.Match[str]]:
    """The last ``n`` matches of ``\\S+`` in ``text``, read from its end, not its start."""
    size = 16 * n
    while True:
        pos = max(0, len(text) - size)
        words = list(_WORD.finditer(text, pos))
        # from ``pos`` the first match may be a cut word; every later one is whole
        if pos == 0 or len(words) > n:
            return words[-n:]
        size *= 4


def title_before(text: str, start: int, floor: int = 0) -> str | None:
    """The title or role written just before a name at ``start`` ("former New York City
    Mayor", "Lt. Col.", "Secretary of State"), or ``None``.

    It must end with a title word right before the name; it extends leftwards
    over further titles, particles and capitalised words, within one line.
    """
    lex = lexicon()
    line_start = max(floor, text.rfind("\n", 0, start) + 1)
    before = text[line_start:start]
    words = _last_words(before, 8)
    if not words or words[-1].end() != len(before.rstrip()) or before[-1:] not in " \u00a0":
        return None
    taken = 0
    ends_with_title = False
    for n in range(min(len(words), lex.longest_title), 0, -1):
        phrase = " ".join(w.group() for w in words[-n:])
        if _fold(phrase).replace(".", "").strip(",") in lex.titles and "," not in phrase:
            taken, ends_with_title = n, True
            break
    if not ends_with_title:
        return None
    i = len(words) - taken
    while i > 0:
        word = words[i - 1].group()
        folded = _fold(word).replace(".", "")
        if word.endswith((",", ";", ":", ".")) and folded not in lex.titles:
            break
        if folded in lex.titles or folded in {"of", "the", "for"} or word[:1].isupper():
            i -= 1
            continue
        break
    phrase = before[words[i].start():].strip()
    return phrase or None


@lru_cache(maxsize=65536)  # as _fold
def name_key(name: str) -> str:
    """Fold case, accents, apostrophes, hyphens and spacing: the exact-match key."""
    folded = _fold(name)
    folded = re.sub(f"[{re.escape(_APOSTROPHES)}]", "'", folded)
    folded = re.sub(r"[-‐‑–—]+", " ", folded)
    folded = re.sub(r"\s+", " ", folded)
    return folded.strip(" \"'.,;:()[]")


def folded_name(text: str, *, person: bool = False) -> str:
    """The exact-match key of a mention's text: :func:`read_name`, then :func:`name_key`."""
    return name_key(read_name(text, person=person).name)


def name_tokens(name: str) -> list[str]:
    """The words of a folded name (apostrophes kept inside a word, dots dropped)."""
    return [t.replace(".", "") for t in _TOKEN.findall(name_key(name)) if t.replace(".", "")]


def skeleton_letters(word: str) -> str:
    """The letters of a folded word, without accents, digits or punctuation."""
    return "".join(c for c in _fold(word) if c.isalpha())


def skeleton(word: str) -> str:
    """Consonants of a folded word, doubled letters collapsed ("Mujahideen" -> "mjhdn")."""
    letters = [c for c in _fold(word) if c.isalpha() and c not in _VOWELS]
    out: list[str] = []
    for c in letters:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def is_acronym(name: str) -> bool:
    """Whether ``name`` is written as an acronym: "MEK", "U.S.", "V.R.F.", "PMOI"."""
    bare = name.replace(".", "").replace(" ", "").replace("&", "")
    return 2 <= len(bare) <= 8 and bare.isalpha() and bare.isupper()


def acronym_key(name: str) -> str:
    """The letters of an acronym, upper-cased ("U.S." -> "US")."""
    return re.sub(r"[^\w]", "", _fold(name)).upper()


def initials(name: str) -> set[str]:
    """Acronyms a multi-word name can stand for.

    Each capitalised word gives its first letter; a hyphenated word gives one
    per part; lowercase particles ("of", "the", "-e-") may be skipped or used.
    """
    parts = [p for p in re.split(r"[\s\-‐‑–—/]+", name.strip()) if p]
    parts = [p.strip(_QUOTES + ".,;:()") for p in parts]
    parts = [p for p in parts if p]
    if parts and parts[0].casefold() == "the":
        parts = parts[1:]
    lex = lexicon()
    strict = [p[0] for p in parts if p[0].isupper() or p[0].isdigit()]
    loose = [p[0] for p in parts if p[0].isalnum() and (p[0].isupper() or p.casefold() not in
                                                       {"of", "the", "and", "for", "&"})]
    found = set()
    for letters in (strict, loose):
        if len(letters) >= 2:
            found.add("".join(letters).upper())
    if parts and _fold(parts[-1]) in lex.designators and len(strict) > 2:
        found.add("".join(strict[:-1]).upper())
    return found
