"""Integrity check of a store: what ``narrascope check`` reports.

After a crash, a full disk or a killed build, a user needs to know whether
the store can be trusted. :func:`check_store` runs SQLite's own checks and
narrascope's invariants: the schema is at this version, foreign keys hold,
every finding's ``start``/``end`` lies inside its document's text, no
document is stored twice, and the full-text index holds each document once.
"""

from __future__ import annotations

from dataclasses import dataclass

from narrascope.model import document_id
from narrascope.store.sqlite import SCHEMA_VERSION, SqliteStore

__all__ = ["CheckResult", "check_store"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check: its name, whether it passed, and what was found."""

    name: str
    ok: bool
    detail: str


def _offset_tables(store: SqliteStore) -> list[str]:
    """Tables with ``doc``, ``start`` and ``end`` columns (every kind of finding)."""
    tables = [
        row["name"]
        for row in store.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'"
        )
    ]
    found = []
    for table in tables:
        columns = {row["name"] for row in store.query(f"PRAGMA table_info({table})")}
        if {"doc", "start", "end"} <= columns:
            found.append(table)
    return sorted(found)


def check_store(store: SqliteStore) -> list[CheckResult]:
    """Run every check; the store is sound when all results are ``ok``."""
    results = []
    version = store.schema_version
    results.append(CheckResult(
        "schema version", version == SCHEMA_VERSION,
        f"{version} (this narrascope expects {SCHEMA_VERSION})",
    ))  # fmt: skip
    integrity = [row[0] for row in store.query("PRAGMA integrity_check")]
    results.append(CheckResult("sqlite integrity", integrity == ["ok"], "; ".join(integrity[:5])))
    broken = store.query("PRAGMA foreign_key_check")
    results.append(CheckResult(
        "foreign keys", not broken,
        "all references resolve" if not broken else f"{len(broken)} dangling references",
    ))  # fmt: skip
    for table in _offset_tables(store):
        bad = store.query(
            f"SELECT COUNT(*) AS n FROM {table} AS f JOIN documents AS d ON d.id = f.doc "  # noqa: S608 - table names come from sqlite_master
            "WHERE f.start < 0 OR f.end <= f.start OR f.end > length(d.text)"
        )[0]["n"]
        total = store.query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]  # noqa: S608 - as above
        results.append(CheckResult(
            f"offsets in {table}", bad == 0, f"{bad} of {total} outside their document's text",
        ))  # fmt: skip
    rows = store.query("SELECT id, text FROM documents")
    wrong = sum(1 for row in rows if row["id"] != document_id(row["text"]))
    results.append(CheckResult(
        "document ids match their text", wrong == 0,
        f"{wrong} of {len(rows)} documents changed since stored (each text is stored once)",
    ))  # fmt: skip
    fts = store.query(
        "SELECT (SELECT COUNT(*) FROM documents_fts) AS indexed,"
        " (SELECT COUNT(DISTINCT doc) FROM documents_fts) AS distinct_docs,"
        " (SELECT COUNT(*) FROM documents) AS docs,"
        " (SELECT COUNT(*) FROM documents_fts WHERE doc NOT IN (SELECT id FROM documents))"
        " AS orphans"
    )[0]
    in_sync = fts["indexed"] == fts["distinct_docs"] == fts["docs"] and fts["orphans"] == 0
    results.append(CheckResult(
        "full-text index in sync", in_sync,
        f"{fts['indexed']} index rows for {fts['docs']} documents, {fts['orphans']} orphans",
    ))  # fmt: skip
    return results
