"""Taxonomies kept as data files in ``narrascope/data/taxonomy``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["EntityType", "RelationTaxonomy", "RelationType", "entity_types", "relation_taxonomy"]


@dataclass(frozen=True, slots=True)
class EntityType:
    label: str
    name: str
    color: str
    description: str


@cache
def entity_types() -> dict[str, EntityType]:
    """The entity labels narrascope keeps, by NER label (read once, on first use)."""
    raw = (resources.files("narrascope.data") / "taxonomy" / "entity_types.json").read_text(
        encoding="utf-8"
    )
    types = json.loads(raw)["types"]
    return {label: EntityType(label=label, **spec) for label, spec in types.items()}


@dataclass(frozen=True, slots=True)
class RelationType:
    """One relation of the actor network (``data/taxonomy/relations.json``)."""

    label: str
    description: str
    cameo: str | None
    cameo_name: str | None
    symmetric: bool
    of_is_source: bool
    source_portrayal: int
    target_portrayal: int
    verbs: frozenset[str]
    nouns: frozenset[str]
    roles: frozenset[str]
    inverse: frozenset[str]


@dataclass(frozen=True, slots=True)
class RelationTaxonomy:
    """The relations and the word lists that map predicates onto them."""

    relations: dict[str, RelationType]
    by_verb: dict[str, str]
    by_noun: dict[str, str]
    by_role: dict[str, str]
    inverse: frozenset[str]
    words: dict[str, frozenset[str]]
    fallback: dict[str, str]

    def word_set(self, name: str) -> frozenset[str]:
        """One of the auxiliary word lists (``light_verbs``, ``modal_verbs`` ...)."""
        return self.words.get(name, frozenset())


def _relation_type(label: str, spec: dict[str, Any]) -> RelationType:
    portrayal = spec.get("portrayal") or {}
    return RelationType(
        label=label, description=spec["description"], cameo=spec.get("cameo"),
        cameo_name=spec.get("cameo_name"), symmetric=bool(spec.get("symmetric")),
        of_is_source=bool(spec.get("of_is_source")),
        source_portrayal=int(portrayal.get("source", 0)),
        target_portrayal=int(portrayal.get("target", 0)),
        verbs=frozenset(spec.get("verbs", ())), nouns=frozenset(spec.get("nouns", ())),
        roles=frozenset(spec.get("roles", ())), inverse=frozenset(spec.get("inverse", ())),
    )


@cache
def relation_taxonomy() -> RelationTaxonomy:
    """The relation taxonomy (read once, on first use)."""
    raw = json.loads((resources.files("narrascope.data") / "taxonomy" / "relations.json")
                     .read_text(encoding="utf-8"))
    types = {label: _relation_type(label, spec) for label, spec in raw["relations"].items()}
    by_verb: dict[str, str] = {}
    by_noun: dict[str, str] = {}
    by_role: dict[str, str] = {}
    for t in types.values():
        for table, listed in ((by_verb, t.verbs), (by_noun, t.nouns), (by_role, t.roles)):
            for w in listed:
                table.setdefault(w, t.label)
    words = {k: frozenset(v) for k, v in raw.items() if isinstance(v, list)}
    inverse = frozenset(w for t in types.values() for w in t.inverse)
    return RelationTaxonomy(types, by_verb, by_noun, by_role, inverse, words,
                            dict(raw.get("preposition_fallback", {})))
