"""Stores: SQLite is the embedded default; PostgreSQL is the alternative for a server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from narrascope.errors import StoreError
from narrascope.store.base import Row, Store
from narrascope.store.sqlite import SCHEMA_VERSION, EntityRow, SearchHit, SqliteStore

if TYPE_CHECKING:
    from narrascope.store.postgres import PostgresStore

__all__ = [
    "SCHEMA_VERSION",
    "EntityRow",
    "Row",
    "SearchHit",
    "SqliteStore",
    "Store",
    "open_store",
]


def open_store(db: str | Path, *, read_only: bool = False) -> SqliteStore | PostgresStore:
    """Open the store named by ``db``, creating it unless ``read_only``.

    ``db`` is a file path (SQLite) or a ``postgresql://`` URL (an existing database).
    """
    name = str(db)
    if name.startswith(("postgresql://", "postgres://")):
        from narrascope.store.postgres import PostgresStore

        return PostgresStore(name, read_only=read_only)
    if "://" in name:
        scheme = name.split("://", 1)[0]
        raise StoreError(
            f"store URLs {scheme}:// are not supported; give a file path or a postgresql:// URL"
        )
    return SqliteStore(name, read_only=read_only)
