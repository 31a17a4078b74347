"""Quote marks: pair them into quoted spans, whatever the style and however unbalanced.

Straight (``"…"``, ``'…'``), curly (``“…”``, ``‘…’``, ``„…“``) and guillemets
(``«…»``, ``‹…›``) are paired per paragraph with a stack. Whether a mark can
open or close is decided by its glyph and by what flanks it (space or
punctuation on one side, a word on the other), so apostrophes (``it's``,
``Sa'adati``, ``Saddam’s``) are never taken for quote marks and a wrongly
turned mark (``”Death to …``) still opens. A mark that cannot be paired is
left out; nothing here raises on any input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["MARKS", "Quoted", "pair_marks"]

#: Each quote mark and its family: marks pair only within a family.
MARKS = {
    '"': "double", "“": "double", "”": "double", "„": "double", "‟": "double",
    "'": "single", "‘": "single", "’": "single", "‚": "single", "‛": "single",
    "«": "angle", "»": "angle", "‹": "sangle", "›": "sangle",
}
_OPENERS = frozenset("“„‟‘‚‛«‹")
_CLOSERS = frozenset("”’»›")
_SENTENCE_END = frozenset(".!?…")


@dataclass(frozen=True, slots=True)
class Quoted:
    """A paired quote: marks at ``open`` and ``close``; ``nested`` if inside another pair.

    ``close`` is ``None`` for a quote left open at the end of its paragraph
    (it then runs to ``end``).
    """

    open: int
    close: int | None
    end: int
    family: str
    nested: bool = False

    @property
    def content(self) -> tuple[int, int]:
        """The span between the marks (or to the paragraph end if left open)."""
        return self.open + 1, self.close if self.close is not None else self.end


def _space(c: str) -> bool:
    return c == "" or c.isspace()


def _punct(c: str) -> bool:
    return c != "" and unicodedata.category(c)[0] in "PS"


def _flanks(text: str, i: int) -> tuple[bool, bool, str, str]:
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    left = not _space(nxt) and (_space(prev) or _punct(prev))
    right = not _space(prev) and (_space(nxt) or _punct(nxt))
    return left, right, prev, nxt


def _roles(text: str, i: int, is_open: bool) -> tuple[bool, bool]:
    """Whether the mark at ``i`` can open and can close a quote."""
    mark = text[i]
    left, right, prev, nxt = _flanks(text, i)
    if MARKS[mark] == "single" and mark in "'’":
        if prev.isalnum() and nxt.isalnum():
            return False, False  # an apostrophe: it's, Sa'adati, Saddam’s
        if _space(prev) and nxt.isdigit():
            return False, False  # '90s
    if mark in _OPENERS:
        return not _space(nxt), right and not left and is_open
    if mark in _CLOSERS:
        return left, not _space(prev)
    # a straight mark: by what flanks it, the open state deciding when both sides do
    if left and right:
        return not is_open, is_open
    if not left and not right:  # inside a word, e.g. Iran"s: a glued mark
        return not is_open and not prev.isalnum(), is_open
    return left, right


def _glued_reopen(text: str, i: int) -> bool:
    """``Iran.”Death``: a closing mark glued to a new sentence also opens the next quote."""
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    return prev in _SENTENCE_END and nxt.isupper()


def pair_marks(text: str) -> list[Quoted]:
    """Pair the quote marks of one paragraph; unpaired marks are dropped.

    A quote left open whose opening mark starts the paragraph is returned with
    ``close=None`` (a multi-paragraph quote's paragraph); other unpaired
    openers are dropped. The result is sorted by position.
    """
    found: list[Quoted] = []
    stack: list[tuple[str, int]] = []
    glued: set[int] = set()  # openers glued between two words: with”former”terror
    dropped: list[tuple[str, int]] = []
    for i, c in enumerate(text):
        family = MARKS.get(c)
        if family is None:
            continue
        is_open = any(f == family for f, _ in stack)
        if family != "single" and _between_words(text, i):
            if stack and stack[-1][0] == family and stack[-1][1] in glued:
                found.append(Quoted(stack.pop()[1], i, i + 1, family))
            else:
                stack.append((family, i))
                glued.add(i)
            continue
        can_open, can_close = _roles(text, i, is_open)
        if can_close and is_open:
            while stack:
                f, at = stack.pop()
                if f == family:
                    found.append(Quoted(at, i, i + 1, family))
                    break
            if c in _CLOSERS and _glued_reopen(text, i):
                stack.append((family, i))
        elif can_open:
            if is_open and stack and stack[-1][0] == family and stack[-1][1] not in glued:
                dropped.append(stack.pop())  # the same family cannot nest: it was unpaired
            stack.append((family, i))
    dropped.extend(m for m in stack if m[1] not in glued)
    if stack:
        first, at = stack[0]
        if not text[:at].strip():
            found.append(Quoted(at, None, len(text.rstrip()), first))
    found.sort(key=lambda q: q.open)
    return sorted(_mark_nested(found) + _blocks(text, dropped, found), key=lambda q: q.open)


def _between_words(text: str, i: int) -> bool:
    """A mark glued between two words (``with”former``): it opens or closes an inner quote."""
    return 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


_FOOTNOTE = re.compile(r"\((?:\*{1,6}|\d{1,2})\)|\[\d{1,3}\]")


def _blocks(text: str, dropped: list[tuple[str, int]], found: list[Quoted]) -> list[Quoted]:
    """``… as follows: "Quote`` never closed: it runs to the next footnote marker or the end.

    Only an opener introduced by a colon counts; quotes inside it keep their own
    records (they are not marked nested).
    """
    out: list[Quoted] = []
    taken = {q.open for q in found}
    for family, at in sorted(dropped, key=lambda m: m[1]):
        if at in taken or not text[:at].rstrip().endswith(":"):
            continue
        if out and at < out[-1].end:
            continue
        note = _FOOTNOTE.search(text, at)
        end = note.start() if note else len(text.rstrip())
        while end > at + 1 and text[end - 1].isspace():
            end -= 1
        if end > at + 1:
            out.append(Quoted(at, None, end, family))
    return out


def _mark_nested(found: list[Quoted]) -> list[Quoted]:
    out: list[Quoted] = []
    outer_end = -1
    for q in found:
        end = q.close if q.close is not None else q.end
        if q.open < outer_end:
            out.append(Quoted(q.open, q.close, q.end, q.family, nested=True))
        else:
            out.append(q)
            outer_end = end
    return out
