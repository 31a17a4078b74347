"""Taxonomies kept as data files in ``narrascope/data/taxonomy``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["EntityType", "entity_types"]


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
