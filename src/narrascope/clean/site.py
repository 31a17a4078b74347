"""Corpus statistics for boilerplate: short lines that recur across a site's documents.

A navigation heading ("Most viewed"), a footer ("Leave a Comment") or a
sidebar headline shows up on many pages of one site, while an article's own
lines rarely do. :class:`SiteLines` counts, per collection (a site, or the
folder of plain-text files), in how many documents each short line occurs.
Only short lines are kept, so memory grows with the number of distinct
navigation lines, not with the corpus text.
"""

from __future__ import annotations

from collections import Counter, defaultdict

__all__ = ["MAX_SITE_LINE_CHARS", "SiteLines", "line_key"]

#: Lines longer than this are never counted (article paragraphs are not site boilerplate).
MAX_SITE_LINE_CHARS = 120


def line_key(line: str) -> str:
    """The form a line is counted under: whitespace collapsed, case folded."""
    return " ".join(line.split()).casefold()


class SiteLines:
    """Document frequency of short lines, per collection."""

    def __init__(self) -> None:
        self._counts: dict[str, Counter[str]] = defaultdict(Counter)
        self._docs: Counter[str] = Counter()

    def add(self, collection: str, text: str) -> None:
        """Count the distinct short lines of one document of ``collection``."""
        keys = {
            line_key(line)
            for line in text.splitlines()
            if line.strip() and len(line) <= MAX_SITE_LINE_CHARS
        }
        self._counts[collection].update(keys)
        self._docs[collection] += 1

    def prune(self, least: int) -> None:
        """Forget the lines found in fewer than ``least`` documents of their collection
        (their :meth:`doc_count` becomes 0); the document counts stay."""
        for collection, counts in self._counts.items():
            self._counts[collection] = Counter({k: n for k, n in counts.items() if n >= least})

    def doc_count(self, collection: str, line: str) -> int:
        """In how many documents of ``collection`` the line occurs."""
        if len(line) > MAX_SITE_LINE_CHARS:
            return 0
        counts = self._counts.get(collection)
        return counts[line_key(line)] if counts is not None else 0

    def documents(self, collection: str) -> int:
        """How many documents of ``collection`` were counted."""
        return self._docs[collection]
