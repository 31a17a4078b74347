"""Corpus stage: group mentions into entities.

This first version groups mentions whose normalised surface form and type
agree ("Varga's" and "VARGA" meet; "Varga" the person and "Varga" the
organisation do not). Each entity records the rule that formed it in
``merged_by``. It runs over the whole store after each build, so the result
does not depend on the order documents were added.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from narrascope.store import EntityRow

__all__ = ["MentionRef", "group_mentions", "normalize_name"]

_POSSESSIVE = re.compile(r"(?:['’`]s|s['’`])$", re.IGNORECASE)
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MentionRef:
    id: int
    doc: str
    text: str
    label: str


def normalize_name(text: str) -> str:
    """Fold case, accents, quotes, possessives, a leading 'the' and spacing."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = folded.replace("’", "'").replace("`", "'").strip(" \t\n\"'.,;:()[]")
    folded = _POSSESSIVE.sub("", folded)
    folded = _LEADING_THE.sub("", folded)
    return re.sub(r"\s+", " ", folded).casefold().strip()


def _entity_id(label: str, key: str) -> str:
    return hashlib.sha256(f"{label}\x00{key}".encode()).hexdigest()[:12]


def group_mentions(mentions: Iterable[MentionRef]) -> list[EntityRow]:
    """One entity per (type, normalised name), named by its most frequent spelling."""
    groups: dict[tuple[str, str], list[MentionRef]] = defaultdict(list)
    for m in mentions:
        key = normalize_name(m.text)
        if key:
            groups[(m.label, key)].append(m)
    rows = []
    for (label, key), members in groups.items():
        spellings = Counter(m.text.strip() for m in members)
        name = max(spellings.items(), key=lambda kv: (kv[1], -len(kv[0]), kv[0]))[0]
        rows.append(
            EntityRow(
                id=_entity_id(label, key),
                name=name,
                type=label,
                mention_ids=tuple(m.id for m in members),
                doc_count=len({m.doc for m in members}),
                merged_by=json.dumps({"rule": "same-normalized-name", "key": key}),
            )
        )
    return sorted(rows, key=lambda r: (-len(r.mention_ids), r.name))
