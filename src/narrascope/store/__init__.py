"""Stores: SQLite is the embedded default."""

from __future__ import annotations

from pathlib import Path

from narrascope.errors import StoreError
from narrascope.store.sqlite import SCHEMA_VERSION, EntityRow, SearchHit, SqliteStore

__all__ = ["SCHEMA_VERSION", "EntityRow", "SearchHit", "SqliteStore", "open_store"]


def open_store(db: str | Path, *, read_only: bool = False) -> SqliteStore:
    """Open the store named by ``db`` (a file path), creating it unless ``read_only``."""
    name = str(db)
    if "://" in name:
        scheme = name.split("://", 1)[0]
        raise StoreError(f"store URLs ({scheme}://) are not supported yet; give a file path")
    return SqliteStore(name, read_only=read_only)
