"""The SQLite store: one file, WAL mode, foreign keys on, FTS5 over content.

Each document is written in one transaction with everything found in it, so
an interrupted build loses nothing that was committed, and a re-run skips
documents whose text is already stored (their id is a hash of the text).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrascope.errors import StoreError
from narrascope.model import Document

if TYPE_CHECKING:
    from narrascope.ingest.fetch import CachedResponse

__all__ = ["SCHEMA_VERSION", "EntityRow", "SearchHit", "SqliteStore"]


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("narrascope.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = re.fullmatch(r"(\d{4})_[a-z0-9_]+\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


#: The schema version a store reaches after every bundled migration.
SCHEMA_VERSION = 12


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class SearchHit:
    doc: str
    title: str | None
    source: str
    snippet: str
    rank: float


@dataclass(frozen=True, slots=True)
class EntityRow:
    """An entity as the corpus entity stage writes it, with its mentions' ids."""

    id: str
    name: str
    type: str
    mention_ids: tuple[int, ...]
    doc_count: int
    merged_by: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    titles: str | None = None  #: JSON object: title -> count
    ignored: bool = False  #: an "ignore" correction: not stored, mentions left unlinked


class SqliteStore:
    """Read and write a narrascope SQLite file. Use as a context manager."""

    dialect = "sqlite"

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = str(path)
        self.read_only = read_only
        memory = self.path == ":memory:"
        if read_only and (memory or not Path(self.path).is_file()):
            raise StoreError(f"no store at {self.path}")
        try:
            if read_only:
                uri = Path(self.path).resolve().as_uri() + "?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, isolation_level=None)
            else:
                if not memory:
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA foreign_keys = ON")
            if not read_only and not memory:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from None

    # -- lifecycle -----------------------------------------------------------------

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this narrascope "
                f"({SCHEMA_VERSION}); upgrade narrascope"
            )
        pending = [(n, sql) for n, sql in _migrations() if n > version]
        if pending and self.read_only:
            raise StoreError(f"{self.path} needs migrating; open it once for writing")
        for number, sql in pending:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for statement in _split_sql(sql):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number:d}")
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"migration {number} failed on {self.path}: {exc}") from None

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # -- documents -----------------------------------------------------------------

    def has_document(self, doc_id: str) -> bool:
        row = self._db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row is not None

    def save_document(
        self,
        doc: Document,
        build_id: int | None = None,
        extra: Iterable[tuple[str, Iterable[Sequence[Any]]]] = (),
    ) -> None:
        """Write ``doc`` and its findings in one transaction (a no-op if already stored).

        ``extra`` holds ``(insert statement, rows)`` pairs from the per-document
        stages that own further tables; they are written in the same transaction.
        """
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            if self.has_document(doc.id):
                db.execute("ROLLBACK")
                return
            db.execute(
                "INSERT INTO documents (id, source, format, url, title, author, published,"
                " site, encoding, text, added_at, build_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc.id, doc.source, doc.format, doc.url, doc.title, doc.author,
                 doc.published, doc.site, doc.encoding, doc.text, _now(), build_id),
            )
            db.executemany(
                "INSERT INTO regions (doc, start, end, kind) VALUES (?, ?, ?, ?)",
                [(doc.id, r.start, r.end, r.kind) for r in doc.regions],
            )
            db.executemany(
                "INSERT INTO sentences (doc, idx, start, end) VALUES (?, ?, ?, ?)",
                [(doc.id, i, s.start, s.end) for i, s in enumerate(doc.sentences)],
            )
            db.executemany(
                "INSERT INTO mentions (doc, start, end, text, label, title, possessive)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(doc.id, m.start, m.end, m.text, m.label, m.title, int(m.possessive))
                 for m in doc.mentions],
            )
            db.executemany(
                "INSERT INTO aliases (doc, start, end, name, alias, kind)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(doc.id, a.start, a.end, a.name, a.alias, a.kind) for a in doc.aliases],
            )
            content = "\n\n".join(doc.text[s:e] for s, e in doc.content_spans)
            db.execute(
                "INSERT INTO documents_fts (doc, title, content) VALUES (?, ?, ?)",
                (doc.id, doc.title or "", content),
            )
            for statement, rows in extra:
                db.executemany(statement, rows)
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
                raise StoreError(
                    f"disk full while storing {doc.source}: the documents stored so far "
                    "are kept; free some space and run the same build again"
                ) from None
            raise StoreError(f"cannot store {doc.source}: {exc}") from None

    def count(self, table: str) -> int:
        if table not in {"documents", "regions", "sentences", "mentions", "entities", "skips",
                         "claims"}:
            raise StoreError(f"unknown table {table!r}")
        return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - table checked above

    def documents(self) -> Iterator[sqlite3.Row]:
        yield from self._db.execute("SELECT * FROM documents ORDER BY source, id")

    def regions(self, doc_id: str) -> list[sqlite3.Row]:
        return self._db.execute(
            "SELECT start, end, kind FROM regions WHERE doc = ? ORDER BY start", (doc_id,)
        ).fetchall()

    def mentions(self) -> Iterator[sqlite3.Row]:
        yield from self._db.execute(
            "SELECT m.id, m.doc, m.start, m.end, m.text, m.label, m.entity, m.title,"
            " m.possessive, d.published"
            " FROM mentions m JOIN documents d ON d.id = m.doc ORDER BY d.source, m.start"
        )

    def aliases(self) -> Iterator[sqlite3.Row]:
        yield from self._db.execute(
            "SELECT doc, start, end, name, alias, kind FROM aliases ORDER BY doc, start"
        )

    def entities(self) -> Iterator[sqlite3.Row]:
        yield from self._db.execute(
            "SELECT * FROM entities ORDER BY mention_count DESC, name"
        )

    def entity_aliases(self, entity_id: str) -> list[tuple[str, int]]:
        rows = self._db.execute(
            "SELECT text, count(*) AS n FROM mentions WHERE entity = ?"
            " GROUP BY text ORDER BY n DESC, text",
            (entity_id,),
        )
        return [(r["text"], int(r["n"])) for r in rows]

    def replace_entities(self, entities: Iterable[EntityRow]) -> int:
        """Replace all entities and mention links in one transaction; returns the count."""
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("UPDATE mentions SET entity = NULL")
            db.execute("DELETE FROM entities")
            n = 0
            for ent in entities:
                if ent.ignored:
                    continue  # an "ignore" correction: its mentions stay unlinked
                db.execute(
                    "INSERT INTO entities (id, name, type, mention_count, doc_count, merged_by,"
                    " first_seen, last_seen, titles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (ent.id, ent.name, ent.type, len(ent.mention_ids), ent.doc_count,
                     ent.merged_by, ent.first_seen, ent.last_seen, ent.titles),
                )
                db.executemany(
                    "UPDATE mentions SET entity = ? WHERE id = ?",
                    [(ent.id, mid) for mid in ent.mention_ids],
                )
                n += 1
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StoreError(f"cannot write entities: {exc}") from None
        return n

    # -- builds and skips ------------------------------------------------------------

    def start_build(self, inputs: Sequence[str]) -> int:
        cur = self._db.execute(
            "INSERT INTO builds (started_at, inputs) VALUES (?, ?)",
            (_now(), json.dumps(list(inputs))),
        )
        return int(cur.lastrowid or 0)

    def finish_build(
        self, build_id: int, *, added: int, unchanged: int, skipped: int, seconds: float
    ) -> None:
        self._db.execute(
            "UPDATE builds SET finished_at = ?, added = ?, unchanged = ?, skipped = ?,"
            " seconds = ? WHERE id = ?",
            (_now(), added, unchanged, skipped, seconds, build_id),
        )

    def record_skip(self, build_id: int | None, source: str, reason: str) -> None:
        self._db.execute(
            "INSERT INTO skips (build_id, source, reason) VALUES (?, ?, ?)",
            (build_id, source, reason),
        )

    def skips(self, build_id: int | None = None) -> list[sqlite3.Row]:
        if build_id is None:
            return self._db.execute("SELECT * FROM skips ORDER BY id").fetchall()
        return self._db.execute(
            "SELECT * FROM skips WHERE build_id = ? ORDER BY id", (build_id,)
        ).fetchall()

    # -- search ----------------------------------------------------------------------

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over titles and main content, best first.

        ``query`` may use FTS5 syntax (``"exact phrase"``, ``a OR b``, ``pref*``);
        if it is not valid FTS5 it is searched as plain words.
        """
        sql = (
            "SELECT f.doc, d.title, d.source, bm25(documents_fts) AS rank,"
            " snippet(documents_fts, 2, '\x02', '\x03', '…', 16) AS snip"
            " FROM documents_fts f JOIN documents d ON d.id = f.doc"
            " WHERE documents_fts MATCH ? ORDER BY rank LIMIT ?"
        )
        try:
            rows = self._db.execute(sql, (query, limit)).fetchall()
        except sqlite3.OperationalError:
            words = re.findall(r"\w+", query)
            if not words:
                return []
            plain = " ".join('"' + w.replace('"', "") + '"' for w in words)
            rows = self._db.execute(sql, (plain, limit)).fetchall()
        return [
            SearchHit(r["doc"], r["title"], r["source"], r["snip"], float(r["rank"]))
            for r in rows
        ]

    # -- fetch cache (implements narrascope.ingest.fetch.ResponseCache) -----------------

    def get(self, url: str) -> CachedResponse | None:
        from narrascope.ingest.fetch import CachedResponse

        row = self._db.execute("SELECT * FROM fetch_cache WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return CachedResponse(
            url=row["url"], status=row["status"], content_type=row["content_type"],
            headers=json.loads(row["headers"]), body=bytes(row["body"]),
            fetched_at=row["fetched_at"],
        )

    def put(self, url: str, response: CachedResponse) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO fetch_cache (url, status, content_type, headers, body,"
            " fetched_at) VALUES (?, ?, ?, ?, ?, ?)",
            (url, response.status, response.content_type, json.dumps(response.headers),
             response.body, response.fetched_at),
        )

    @contextmanager
    def transaction(self) -> Iterator[SqliteStore]:
        """A write transaction: committed on success, rolled back on any error."""
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only")
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot write to {self.path}: {exc}") from None
        try:
            yield self
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement with parameters; returns the last row id."""
        try:
            cur = self._db.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"store write failed: {exc}") from None
        return int(cur.lastrowid or 0)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one write statement for each row of parameters."""
        try:
            self._db.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"store write failed: {exc}") from None

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a read query with parameters (for exports and tests)."""
        return self._db.execute(sql, params).fetchall()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[sqlite3.Row]:
        """Run a read query and yield its rows as they are read, for a stage that reads
        a whole table: :meth:`query` holds every row at once. No write may run on the
        store before the last row is read."""
        yield from self._db.execute(sql, params)

    def table_columns(self) -> dict[str, list[str]]:
        """Each table and view of the store with its columns, in creation order."""
        names = [r[0] for r in self.query(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
        return {n: [c["name"] for c in self.query(f'PRAGMA table_info("{n}")')] for n in names}


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (our migrations keep ';' out of strings)."""
    lines = [ln for ln in script.splitlines() if not ln.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
