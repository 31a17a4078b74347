"""Integrity check of a store: what ``narrascope check`` reports.

After a crash, a full disk or a killed build, a user needs to know whether
the store can be trusted. :func:`check_store` runs SQLite's own checks and
narrascope's invariants: the schema is at this version, foreign keys hold,
every finding's ``start``/``end`` lies inside its document's text, no
document is stored twice, and the full-text index holds each document once.
On PostgreSQL, which enforces foreign keys itself, it checks that each one is
in place and validated and counts rows whose reference does not resolve
(none unless constraints were bypassed), and that every document has its
``tsvector``.
"""

from __future__ import annotations

from dataclasses import dataclass

from narrascope.model import document_id
from narrascope.store.base import Store
from narrascope.store.sqlite import SCHEMA_VERSION

__all__ = ["CheckResult", "check_store"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check: its name, whether it passed, and what was found."""

    name: str
    ok: bool
    detail: str


def _offset_tables(store: Store) -> list[str]:
    """Tables with ``doc``, ``start`` and ``end`` columns (every kind of finding)."""
    return sorted(
        table for table, columns in store.table_columns().items()
        if "fts" not in table and {"doc", "start", "end"} <= set(columns)
    )


def _sqlite_checks(store: Store) -> list[CheckResult]:
    integrity = [row[0] for row in store.query("PRAGMA integrity_check")]
    broken = store.query("PRAGMA foreign_key_check")
    return [
        CheckResult("sqlite integrity", integrity == ["ok"], "; ".join(integrity[:5])),
        CheckResult("foreign keys", not broken,
                    "all references resolve" if not broken
                    else f"{len(broken)} dangling references"),
    ]


def _postgres_checks(store: Store) -> list[CheckResult]:
    keys = store.query(
        "SELECT t.relname AS tbl, r.relname AS ref, c.convalidated AS valid,"
        " (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY"
        "  AS k(num, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num)"
        "  AS cols,"
        " (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY"
        "  AS k(num, n) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num)"
        "  AS refcols"
        " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
        " JOIN pg_class r ON r.oid = c.confrelid"
        " WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace"
    )
    invalid = sum(1 for k in keys if not k["valid"])
    dangling = 0
    for k in keys:
        cols, refs = list(k["cols"]), list(k["refcols"])
        match = " AND ".join(f'r."{b}" = t."{a}"' for a, b in zip(cols, refs, strict=True))
        present = " AND ".join(f't."{a}" IS NOT NULL' for a in cols)
        dangling += int(store.query(
            f'SELECT count(*) FROM "{k["tbl"]}" AS t WHERE {present} AND NOT EXISTS'  # noqa: S608 - names from the catalogue
            f' (SELECT 1 FROM "{k["ref"]}" AS r WHERE {match})'
        )[0][0])
    return [CheckResult(
        "foreign keys", bool(keys) and invalid == 0 and dangling == 0,
        f"{len(keys)} foreign keys, {invalid} not validated, {dangling} dangling references",
    )]  # fmt: skip


def check_store(store: Store) -> list[CheckResult]:
    """Run every check; the store is sound when all results are ``ok``."""
    results = []
    version = store.schema_version
    results.append(CheckResult(
        "schema version", version == SCHEMA_VERSION,
        f"{version} (this narrascope expects {SCHEMA_VERSION})",
    ))  # fmt: skip
    if store.dialect == "postgresql":
        results.extend(_postgres_checks(store))
    else:
        results.extend(_sqlite_checks(store))
    for table in _offset_tables(store):
        bad = store.query(
            f"SELECT COUNT(*) AS n FROM {table} AS f JOIN documents AS d ON d.id = f.doc "  # noqa: S608 - table names come from the store's catalogue
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
    vectorless = (" (SELECT COUNT(*) FROM documents_fts WHERE tsv IS NULL)"
                  if store.dialect == "postgresql" else " 0")
    fts = store.query(
        "SELECT (SELECT COUNT(*) FROM documents_fts) AS indexed,"  # noqa: S608 - constants
        " (SELECT COUNT(DISTINCT doc) FROM documents_fts) AS distinct_docs,"
        " (SELECT COUNT(*) FROM documents) AS docs,"
        " (SELECT COUNT(*) FROM documents_fts WHERE doc NOT IN (SELECT id FROM documents))"
        f" AS orphans,{vectorless} AS vectorless"
    )[0]
    in_sync = (fts["indexed"] == fts["distinct_docs"] == fts["docs"] and fts["orphans"] == 0
               and fts["vectorless"] == 0)
    vectors = f", {fts['vectorless']} without a tsvector" if store.dialect == "postgresql" else ""
    results.append(CheckResult(
        "full-text index in sync", in_sync,
        f"{fts['indexed']} index rows for {fts['docs']} documents, {fts['orphans']} orphans"
        + vectors,
    ))  # fmt: skip
    return results
