"""The PostgreSQL store: the same schema and methods as the SQLite store, on a server.

``open_store("postgresql://user@host:5432/dbname")`` returns a :class:`PostgresStore`.
The schema is the bundled SQLite migrations translated mechanically
(:mod:`narrascope.store.pgsql`), or a hand-written ``migrations/postgres/NNNN_*.sql``
where one exists; its version is kept in the table ``narrascope_schema``. Every method
that only runs SQL is the SQLite store's own, running over :class:`_Connection`, which
offers the part of the ``sqlite3`` connection API those methods use and translates each
statement, so both stores write the same rows in the same transactions (one per
document; a re-run skips stored documents). Full-text search uses PostgreSQL's text
search: a generated ``tsvector`` column, ``websearch_to_tsquery`` for the user's query
and ``ts_headline`` for the snippets. A read-only store runs every transaction
read-only (``default_transaction_read_only``).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from typing import Any, cast

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Dumper, Loader
from psycopg.pq import TransactionStatus

from narrascope.errors import StoreError
from narrascope.store import pgsql
from narrascope.store.base import Store
from narrascope.store.sqlite import SCHEMA_VERSION, SearchHit, SqliteStore, _migrations

__all__ = ["PgRow", "PostgresStore", "pg_migrations", "redact"]

#: the key of the advisory lock held while migrating (two builds may start at once)
_MIGRATION_LOCK = 0x6E61_7272  # "narr"
_VERSION_TABLE = "narrascope_schema"
_CHUNK = 200


def redact(url: str) -> str:
    """``url`` without its password (for messages and :attr:`PostgresStore.path`)."""
    url = re.sub(r"(://[^:/@?]*):[^@/?]*@", r"\1:***@", url)
    return re.sub(r"(?i)(password=)[^&\s]*", r"\1***", url)


class PgRow:
    """A row like ``sqlite3.Row``: by position, by column name (case-insensitive), ``keys()``."""

    __slots__ = ("_index", "_names", "_values")

    def __init__(self, names: tuple[str, ...], index: dict[str, int], values: Sequence[Any]):
        self._names = names
        self._index = index
        self._values = tuple(values)

    def keys(self) -> list[str]:
        return list(self._names)

    def __getitem__(self, key: int | str | slice, /) -> Any:
        if isinstance(key, str):
            n = self._index.get(key)
            if n is None:
                n = self._index.get(key.lower())
            if n is None:
                raise IndexError("No item with that key")
            return self._values[n]
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PgRow):
            return NotImplemented
        return self._names == other._names and self._values == other._values

    def __hash__(self) -> int:
        return hash((self._names, self._values))

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self._names, self._values, strict=True))!r})"


def _row_factory(cursor: psycopg.Cursor[Any]) -> Any:
    names = tuple(c.name for c in cursor.description or ())
    index: dict[str, int] = {}
    for n, name in enumerate(names):
        index.setdefault(name, n)
        index.setdefault(name.lower(), n)

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(names, index, values)

    return make


class _BoolAsInt(Dumper):
    """Python bools as integers, as sqlite3 stores them (the schema has no boolean)."""

    oid = psycopg.postgres.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _NumericAsNumber(Loader):
    """``numeric`` (what ``sum()`` of integers gives) as int or float, as in SQLite."""

    def load(self, data: Any) -> Any:
        value = Decimal(bytes(data).decode("ascii"))
        return int(value) if value == value.to_integral_value() else float(value)


class _PgError(sqlite3.DatabaseError):
    """A PostgreSQL error, raised as the sqlite3 error the shared store methods catch."""


class _PgDiskFull(sqlite3.OperationalError):
    """The server's disk is full (the message says "full", as SQLite's does)."""


def _error(exc: psycopg.Error) -> sqlite3.DatabaseError:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, pg_errors.DiskFull):
        return _PgDiskFull(f"database or disk is full: {message}")
    return _PgError(message)


class _Cursor:
    """The result of one statement: the part of ``sqlite3.Cursor`` the store uses."""

    def __init__(self, rows: list[PgRow], lastrowid: int | None = None) -> None:
        self._rows = rows
        self.lastrowid = lastrowid

    def fetchone(self) -> PgRow | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[PgRow]:
        return self._rows

    def __iter__(self) -> Iterator[PgRow]:
        return iter(self._rows)


class _Connection:
    """A psycopg connection behind the part of ``sqlite3.Connection`` the store uses.

    Each statement is translated from SQLite's dialect (cached); an ``INSERT`` into a
    table with an identity ``id`` returns it as ``lastrowid``; ``BEGIN IMMEDIATE``
    starts a transaction (nesting one is an error, as in SQLite); PostgreSQL errors are
    raised as ``sqlite3.DatabaseError`` so that the shared methods report them.
    """

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.schema = pgsql.Schema()
        self.identity: frozenset[str] = frozenset()
        self._cache: dict[str, pgsql.Translated] = {}

    def load_schema(self) -> None:
        """Read what translation needs from the server's catalogue."""
        reserved = {r[0] for r in self.conn.execute(
            "SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')")}
        columns = {r[0] for r in self.conn.execute(
            "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " WHERE c.relnamespace = current_schema()::regnamespace AND a.attnum > 0"
            " AND NOT a.attisdropped")}
        keys: dict[str, list[str]] = {}
        for table, column in self.conn.execute(
            "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indisprimary AND c.relnamespace = current_schema()::regnamespace"
            " ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)"
        ):
            keys.setdefault(table, []).append(column)
        self.identity = frozenset(r[0] for r in self.conn.execute(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name = 'id'"
            " AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"))
        self.schema = pgsql.Schema(
            reserved_columns=frozenset(columns & reserved),
            primary_keys={t: tuple(c) for t, c in keys.items()},
        )
        self._cache.clear()

    def translate(self, sql: str) -> pgsql.Translated:
        done = self._cache.get(sql)
        if done is None:
            try:
                done = pgsql.translate(sql, self.schema)
            except pgsql.TranslationError as exc:
                raise _PgError(f"cannot run on PostgreSQL: {exc}") from None
            if len(self._cache) < 4096:
                self._cache[sql] = done
        return done

    @property
    def in_transaction(self) -> bool:
        return self.conn.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Cursor:
        head = sql.lstrip()[:6].upper()
        if head == "BEGIN " or sql.strip().upper() == "BEGIN":
            if self.in_transaction:
                raise _PgError("cannot start a transaction within a transaction")
            sql = "BEGIN"
        t = self.translate(sql)
        text = t.sql
        returning = t.insert_table in self.identity and not t.returning
        if returning:
            text += " RETURNING id"
        try:
            cur = self.conn.execute(text, tuple(params))
            rows = cast("list[PgRow]", cur.fetchall()) if cur.description else []
        except psycopg.Error as exc:
            raise _error(exc) from None
        if returning:
            return _Cursor([], int(rows[0][0]) if rows else None)
        return _Cursor(rows)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> _Cursor:
        text = self.translate(sql).sql
        try:
            with self.conn.cursor() as cur:
                cur.executemany(text, [tuple(r) for r in rows])
        except psycopg.Error as exc:
            raise _error(exc) from None
        return _Cursor([])

    def close(self) -> None:
        self.conn.close()


def _overrides() -> dict[int, str]:
    """The hand-written PostgreSQL migrations, ``migrations/postgres/NNNN_*.sql``."""
    folder = resources.files("narrascope.store") / "migrations" / "postgres"
    found: dict[int, str] = {}
    if folder.is_dir():
        for entry in folder.iterdir():
            match = re.fullmatch(r"(\d{4})_[a-z0-9_]+\.sql", entry.name)
            if match:
                found[int(match.group(1))] = entry.read_text(encoding="utf-8")
    return found


def pg_migrations(
    reserved: frozenset[str] = pgsql.RESERVED_WORDS, overrides: Mapping[int, str] | None = None
) -> list[tuple[int, list[str]]]:
    """Every bundled migration as PostgreSQL statements, in order.

    A migration with a hand-written PostgreSQL version (``overrides``, by default the
    files ``migrations/postgres/NNNN_*.sql``) uses its statements; every other one is
    translated from its SQLite text.
    """
    overrides = _overrides() if overrides is None else overrides
    columns: set[str] = set()
    out = []
    for number, sql in _migrations():
        try:
            statements = pgsql.translate_migration(sql, reserved, columns)
        except pgsql.TranslationError as exc:
            if number not in overrides:
                raise pgsql.TranslationError(
                    f"migration {number:04d}: {exc}; write migrations/postgres/"
                    f"{number:04d}_*.sql by hand") from None
            statements = []
        if number in overrides:
            statements = pgsql.split_statements(overrides[number])
        out.append((number, statements))
    return out


class PostgresStore(SqliteStore):
    """Read and write a narrascope store in a PostgreSQL database. Use as a context manager.

    ``url`` is a libpq connection URI (``postgresql://user:password@host:port/dbname``);
    the database must exist and use UTF-8. The tables go into the connection's
    current schema (``?options=-csearch_path%3Dname`` in the URL picks another).
    """

    dialect = "postgresql"

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = url
        self.path = redact(url)
        self.read_only = read_only
        try:
            conn = psycopg.connect(url, autocommit=True, row_factory=_row_factory,
                                   connect_timeout=15)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {self.path}: {_error(exc)}") from None
        conn.adapters.register_dumper(bool, _BoolAsInt)
        conn.adapters.register_loader("numeric", _NumericAsNumber)
        self._pg = _Connection(conn)
        # the shared SqliteStore methods talk to self._db as to a sqlite3 connection
        self._db = cast("sqlite3.Connection", self._pg)
        try:
            self._check_encoding()
            if read_only:
                conn.execute("SET default_transaction_read_only = on")
            self._migrate()
            self._pg.load_schema()
        except psycopg.Error as exc:
            conn.close()
            raise StoreError(f"cannot open store {self.path}: {_error(exc)}") from None
        except BaseException:
            conn.close()
            raise

    def _check_encoding(self) -> None:
        row = self._pg.conn.execute("SHOW server_encoding").fetchone()
        encoding = row[0] if row is not None else "?"
        if encoding != "UTF8":
            raise StoreError(f"{self.path} uses encoding {encoding}; narrascope needs a UTF8 "
                             "database (offsets count characters)")

    def _version(self) -> int | None:
        conn = self._pg.conn
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (_VERSION_TABLE,)).fetchone()
        if row is None or not row[0]:
            return None
        got = conn.execute(f"SELECT max(version) FROM {_VERSION_TABLE}").fetchone()  # noqa: S608 - a constant
        return int(got[0]) if got is not None and got[0] is not None else 0

    def _migrate(self) -> None:
        version = self._version()
        if version is None and self.read_only:
            raise StoreError(f"no store at {self.path}")
        version = version or 0
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this narrascope "
                f"({SCHEMA_VERSION}); upgrade narrascope"
            )
        if not [n for n, _ in _migrations() if n > version]:
            return
        if self.read_only:
            raise StoreError(f"{self.path} needs migrating; open it once for writing")
        reserved = frozenset(r[0] for r in self._pg.conn.execute(
            "SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')"))
        try:
            migrations = pg_migrations(reserved)
        except pgsql.TranslationError as exc:
            raise StoreError(str(exc)) from None
        conn = self._pg.conn
        number = 0
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {_VERSION_TABLE} (version INTEGER NOT NULL)")
                version = self._version() or 0  # another process may have migrated meanwhile
                for number, statements in migrations:
                    if number <= version:
                        continue
                    for statement in statements:
                        conn.execute(statement)
                    conn.execute(f"DELETE FROM {_VERSION_TABLE}")  # noqa: S608 - a constant
                    conn.execute(f"INSERT INTO {_VERSION_TABLE} (version) VALUES (%s)", (number,))  # noqa: S608 - a constant
        except psycopg.Error as exc:
            raise StoreError(f"migration {number} failed on {self.path}: {_error(exc)}") from None

    def __enter__(self) -> PostgresStore:
        return self

    @property
    def schema_version(self) -> int:
        return self._version() or 0

    def close(self) -> None:
        self._pg.close()

    # -- reading -------------------------------------------------------------------------

    def documents(self) -> Iterator[Any]:
        """Every document, by source and id, read a few hundred at a time."""
        ids = [r[0] for r in self.query("SELECT id FROM documents ORDER BY source, id")]
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            yield from self.query(
                f"SELECT * FROM documents WHERE id IN ({marks}) ORDER BY source, id",  # noqa: S608 - placeholders only
                chunk,
            )

    def table_columns(self) -> dict[str, list[str]]:
        """Each table and view of the store with its columns, in creation order."""
        out: dict[str, list[str]] = {}
        for row in self.query(
            "SELECT c.relname, a.attname FROM pg_class c"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            " WHERE c.relnamespace = current_schema()::regnamespace"
            " AND c.relkind IN ('r', 'v', 'p', 'm') AND c.relname <> ?"
            " ORDER BY c.oid, a.attnum",
            (_VERSION_TABLE,),
        ):
            out.setdefault(row[0], []).append(row[1])
        return out

    # -- search --------------------------------------------------------------------------

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over titles and main content, best first.

        ``query`` is read by ``websearch_to_tsquery``: words, ``"exact phrase"``,
        ``a OR b``, ``-word``; a word ending in ``*`` matches as a prefix. ``rank`` is
        the negated ``ts_rank_cd`` (lower is better, as SQLite's bm25).
        """
        prefixes = re.findall(r"(\w+)\*", query)
        words = re.sub(r"\w+\*", " ", query)
        words = re.sub(r"\bAND\b", " ", words)
        words = re.sub(r"\bNOT\s+", "-", words)
        prefix = " & ".join("'" + p.lower().replace("'", "''") + "':*" for p in prefixes)
        cfg = pgsql.FTS_CONFIG
        options = ('StartSel="\x02", StopSel="\x03", MaxWords=16, MinWords=6, ShortWord=2,'
                   ' MaxFragments=1, FragmentDelimiter=" … "')
        sql = (
            "WITH q AS (SELECT websearch_to_tsquery(%s, %s) && to_tsquery(%s, %s) AS q),"
            " hits AS (SELECT f.doc, f.content, ts_rank_cd(f.tsv, q.q) AS rank"
            " FROM documents_fts f, q WHERE f.tsv @@ q.q ORDER BY rank DESC, f.doc LIMIT %s)"
            " SELECT h.doc, d.title, d.source, h.rank, h.content,"
            " ts_headline(%s, h.content, q.q, %s) AS snip"
            " FROM hits h JOIN documents d ON d.id = h.doc, q ORDER BY h.rank DESC, h.doc"
        )
        try:
            rows = self._pg.conn.execute(
                sql, (cfg, words, cfg, prefix, limit, cfg, options)).fetchall()
        except psycopg.Error as exc:
            raise StoreError(f"search failed on {self.path}: {_error(exc)}") from None
        hits = []
        for r in rows:
            content: str = r["content"] or ""
            snip: str = r["snip"] or ""
            plain = snip.replace("\x02", "").replace("\x03", "")
            if plain and not content.startswith(plain):
                snip = "…" + snip
            if plain and not content.endswith(plain):
                snip += "…"
            hits.append(SearchHit(r["doc"], r["title"], r["source"], snip, -float(r["rank"])))
        return hits


def _both_are_stores(a: SqliteStore, b: PostgresStore) -> tuple[Store, Store]:
    """Never called: mypy checks here that both stores provide the :class:`Store` interface."""
    return a, b
