"""Exports in other tools' formats: FollowTheMoney, every table as CSV, SemEval, graphs.

- ``ftm``: FollowTheMoney entity JSON lines (Aleph / OpenAleph ``ftm`` tools): each
  document as an ``Article``, each entity as a ``Person``, ``Organization``,
  ``Address`` or ``LegalEntity`` (see :data:`FTM_SCHEMAS`), each mention as a
  ``Mention`` linking its ``document`` and the entity it was ``resolved`` to.
- ``table:NAME``: the rows of one store table as they are stored; :func:`export_tables`
  writes one CSV per table of the store (discovered from the schema, so tables added
  by later versions are included; full-text index tables are left out).
- ``semeval-si`` / ``semeval-tc``: the technique spans in the formats of
  SemEval-2020 Task 11 (``article_id\\tstart\\tend`` and
  ``article_id\\ttechnique\\tstart\\tend``).
- ``gexf`` / ``graphml``: the graphs of :mod:`narrascope.web.graphs`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import Any, TextIO

from narrascope.errors import ConfigError
from narrascope.store import SqliteStore

__all__ = [
    "FTM_SCHEMAS",
    "OTHER_FORMATS",
    "export_other",
    "export_tables",
    "ftm_entities",
    "semeval_article_id",
    "store_tables",
    "table_records",
]

Record = dict[str, Any]

#: Formats beyond JSON lines and CSV records, with the kinds each one applies to
#: (``table:NAME`` takes ``jsonl`` and ``csv``).
OTHER_FORMATS: dict[str, tuple[str, ...]] = {
    "ftm": ("entities", "documents"),
    "semeval-si": ("techniques",),
    "semeval-tc": ("techniques",),
    "gexf": ("entities", "reuse", "network"),
    "graphml": ("entities", "reuse", "network"),
}

#: spaCy entity label -> FollowTheMoney schema. FtM has no place schema: places
#: become ``Address`` (``full`` = the name); labels with no FtM match (products,
#: works, laws, events...) become ``LegalEntity``, the most general schema that is
#: not abstract and that Aleph lists as a party.
FTM_SCHEMAS = {
    "PERSON": "Person",
    "ORG": "Organization",
    "NORP": "Organization",
    "GPE": "Address",
    "LOC": "Address",
    "FAC": "Address",
}
_FTM_DEFAULT = "LegalEntity"
_PREFIX = "narrascope"


def _ftm_id(kind: str, *parts: object) -> str:
    """An FtM id (letters, digits, dots and dashes only) for a store record."""
    raw = "-".join(str(p) for p in parts)
    return f"{_PREFIX}-{kind}-" + re.sub(r"[^0-9A-Za-z.-]+", "-", raw).strip("-.")


def _props(**values: Any) -> dict[str, list[str]]:
    """FtM properties: every value a list of strings, each once; blank ones left out."""
    out: dict[str, list[str]] = {}
    for key, value in values.items():
        items = value if isinstance(value, list | tuple) else [value]
        kept = list(dict.fromkeys(str(v) for v in items if v is not None and str(v).strip()))
        if kept:
            out[key] = kept
    return out


def _is_url(value: str | None) -> bool:
    return bool(value) and str(value).startswith(("http://", "https://"))


#: FtM schema -> the property of a document listing the names of such entities in it
_MENTIONED = {"Person": "peopleMentioned", "Organization": "companiesMentioned",
              "Address": "locationMentioned", _FTM_DEFAULT: "namesMentioned"}
_HONORIFICS = frozenset({"mr.", "mrs.", "ms.", "dr.", "prof.", "sir", "dame", "mr", "mrs", "ms",
                         "dr"})


def _ftm_documents(store: SqliteStore) -> Iterator[Record]:
    named: dict[str, dict[str, list[str]]] = {}
    if "entities" in store.table_columns():
        for r in store.query("SELECT DISTINCT m.doc, e.name, e.type FROM mentions m"
                             " JOIN entities e ON e.id = m.entity"):
            prop = _MENTIONED[FTM_SCHEMAS.get(r["type"], _FTM_DEFAULT)]
            named.setdefault(r["doc"], {}).setdefault(prop, []).append(r["name"])
        for props in named.values():  # sorted here: SQL collations differ between stores
            for names in props.values():
                names.sort()
    for row in store.documents():
        source = row["source"]
        url = row["url"] or (source if _is_url(source) else None)
        yield {
            "id": _ftm_id("doc", row["id"]),
            "schema": "Article",
            "properties": _props(
                title=row["title"], author=row["author"], publishedAt=row["published"],
                publisher=row["site"], sourceUrl=url,
                fileName=None if url or not source else Path(source.split("#", 1)[0]).name,
                bodyText=row["text"], **named.get(row["id"], {}),
            ),
        }


def ftm_entities(store: SqliteStore, what: str = "entities") -> Iterator[Record]:
    """FtM entities of ``what``.

    ``entities``: the documents (``Article``), the entities, then every mention
    (``Mention``, pointing at both), so each reference follows its target.
    ``documents``: the ``Article`` entities only.
    """
    yield from _ftm_documents(store)
    if what != "entities" or "entities" not in store.table_columns():
        return
    urls: dict[str, list[str]] = {}
    for r in store.query("SELECT DISTINCT m.entity, d.url, d.source FROM mentions m"
                         " JOIN documents d ON d.id = m.doc WHERE m.entity IS NOT NULL"):
        url = r["url"] or (r["source"] if _is_url(r["source"]) else None)
        if url:
            urls.setdefault(r["entity"], []).append(url)
    for found in urls.values():
        found.sort()
    schemas: dict[str, str] = {}
    for row in store.entities():
        schema = FTM_SCHEMAS.get(row["type"], _FTM_DEFAULT)
        schemas[row["id"]] = schema
        spellings = [t for t, _ in store.entity_aliases(row["id"]) if t != row["name"]]
        titles = list(json.loads(row["titles"])) if row["titles"] else []
        notes = (f"narrascope entity {row['id']} ({row['type']}): {row['mention_count']} "
                 f"mentions in {row['doc_count']} documents")
        if row["first_seen"]:
            notes += f", dated {row['first_seen']} to {row['last_seen']}"
        props = _props(name=row["name"], alias=spellings, notes=notes,
                       sourceUrl=urls.get(row["id"], []))
        if schema == "Address":
            props["full"] = [row["name"]]
        if schema == "Person" and titles:  # "Dr." is a title, "party chairman" a position
            honorific = [t for t in titles if t.split()[-1].lower() in _HONORIFICS]
            props |= _props(title=[t.split()[-1] for t in honorific],
                            position=[t for t in titles if t not in honorific])
        yield {"id": _ftm_id("ent", row["id"]), "schema": schema, "properties": props}
    for m in store.mentions():
        entity = m["entity"]
        yield {
            "id": _ftm_id("mention", m["doc"], m["start"], m["end"]),
            "schema": "Mention",
            "properties": _props(
                document=_ftm_id("doc", m["doc"]),
                # FtM's Mention.resolved ranges over LegalEntity: places stay unresolved
                resolved=_ftm_id("ent", entity) if schemas.get(entity, "Address") != "Address"
                else None,
                name=m["text"],
                detectedSchema=schemas.get(entity) or FTM_SCHEMAS.get(m["label"], _FTM_DEFAULT),
            ),
        }


# -- every table --------------------------------------------------------------------


def store_tables(store: SqliteStore) -> list[str]:
    """The data tables of a store in creation order: no views, no full-text index tables.

    SQLite: every table of ``sqlite_master`` except its own (``sqlite_*``), virtual
    tables (FTS5) and their shadow tables (``<virtual>_data`` and so on).
    PostgreSQL: the base tables of the current schema except the schema-version table
    and the text-search table (``*_fts``).
    """
    if store.dialect == "sqlite":
        rows = store.query("SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                           " ORDER BY rowid")
        virtual = [r["name"] for r in rows
                   if (r["sql"] or "").upper().startswith("CREATE VIRTUAL TABLE")]
        return [r["name"] for r in rows if not r["name"].startswith("sqlite_")
                and r["name"] not in virtual
                and not any(r["name"].startswith(v + "_") for v in virtual)]
    rows = store.query("SELECT table_name FROM information_schema.tables"
                       " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                       " ORDER BY table_name")
    names = [str(r[0]) for r in rows]
    return [n for n in names if n != "narrascope_schema" and not n.endswith("_fts")
            and "_fts_" not in n]


def _value(value: Any) -> Any:
    if isinstance(value, memoryview):
        value = bytes(value)
    return value.hex() if isinstance(value, bytes) else value


def _check_table(store: SqliteStore, table: str) -> None:
    tables = store_tables(store)
    if table not in tables:
        raise ConfigError(f"no table {table!r} in this store; it has: {', '.join(tables)}")


def table_records(store: SqliteStore, table: str) -> Iterator[Record]:
    """The rows of ``table`` as stored (blobs as hex), in insertion order."""
    _check_table(store, table)
    name = '"' + table.replace('"', '""') + '"'  # a name read from the schema, quoted
    if store.dialect != "sqlite":
        for row in store.query(f"SELECT * FROM {name}"):  # noqa: S608 - name from the schema
            yield {k: _value(row[k]) for k in row.keys()}  # noqa: SIM118 - a Row, not a dict
        return
    last = None
    while True:  # keyset pages over rowid, so a large table is never held in memory
        try:
            rows = store.query(
                f'SELECT rowid AS "__rowid__", * FROM {name}'  # noqa: S608 - name from the schema
                + (" WHERE rowid > ?" if last is not None else "") + " ORDER BY rowid LIMIT 5000",
                () if last is None else (last,))
        except sqlite3.OperationalError:  # a WITHOUT ROWID table: read it whole
            if last is not None:
                raise
            for row in store.query(f"SELECT * FROM {name}"):  # noqa: S608 - name from the schema
                yield {k: _value(row[k]) for k in row.keys()}  # noqa: SIM118
            return
        if not rows:
            return
        for row in rows:
            yield {k: _value(row[k]) for k in row.keys() if k != "__rowid__"}  # noqa: SIM118
        last = rows[-1]["__rowid__"]


def _write_table_csv(store: SqliteStore, table: str, out: TextIO) -> int:
    columns = store.table_columns()[table]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n",
                            extrasaction="ignore")
    writer.writeheader()
    n = 0
    for record in table_records(store, table):
        writer.writerow(record)
        n += 1
    return n


def export_tables(store: SqliteStore, folder: str | Path) -> dict[str, int]:
    """Write ``folder/NAME.csv`` for every table of :func:`store_tables`; rows per table.

    Each file has a header of the table's columns; NULL is an empty field, blobs are
    hex, line ends are RFC 4180's ``\\r\\n`` (a field holding a line break is quoted).
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for table in store_tables(store):
        with (target / f"{table}.csv").open("w", encoding="utf-8", newline="") as out:
            counts[table] = _write_table_csv(store, table, out)
    return counts


# -- SemEval-2020 Task 11 ------------------------------------------------------------

def semeval_article_id(doc: str, source: str | None) -> str:
    """``ID`` when the document was read from ``article<ID>.txt``, else the document id."""
    from narrascope.extract.techniques.semeval import article_id

    name = PurePath((source or "").split("#", 1)[0].replace("\\", "/")).name
    aid = article_id(name)
    return aid if name == f"article{aid}.txt" else doc


def _semeval(store: SqliteStore, fmt: str, out: TextIO) -> int:
    from narrascope.extract.techniques.semeval import TcSpan, merge_spans, write_si, write_tc

    if "techniques" not in store.table_columns():
        return 0
    rows = sorted(store.query("SELECT t.doc, d.source, t.technique, t.start, t.end"
                              " FROM techniques t JOIN documents d ON d.id = t.doc"),
                  key=lambda r: (r["source"], r["start"], r["end"], r["technique"]))
    if fmt == "semeval-tc":
        spans = [TcSpan(semeval_article_id(r["doc"], r["source"]), r["technique"],
                        int(r["start"]), int(r["end"])) for r in rows]
        out.write(write_tc(spans))
        return len(spans)
    by_article: dict[str, list[tuple[int, int]]] = {}
    for r in rows:  # SI has no labels: a span found for two techniques is one span
        by_article.setdefault(semeval_article_id(r["doc"], r["source"]), []).append(
            (int(r["start"]), int(r["end"])))
    merged = {a: merge_spans(s) for a, s in by_article.items()}
    out.write(write_si(merged))
    return sum(len(s) for s in merged.values())


# -- dispatch ------------------------------------------------------------------------


def export_other(store: SqliteStore, what: str, fmt: str, out: TextIO) -> int:
    """Write ``what`` as ``fmt`` for the kinds and formats beyond JSON lines/CSV records.

    Returns the number of lines, rows or (for graphs) nodes written.
    """
    if what.startswith("table:"):
        table = what[len("table:"):]
        _check_table(store, table)
        if fmt == "csv":
            return _write_table_csv(store, table, out)
        if fmt == "jsonl":
            n = 0
            for record in table_records(store, table):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                n += 1
            return n
        raise ConfigError(f"a table exports as jsonl or csv, not {fmt!r}")
    kinds = OTHER_FORMATS.get(fmt)
    if kinds is None:
        raise ConfigError(f"unknown format {fmt!r}; choose one of: jsonl, csv, "
                          + ", ".join(OTHER_FORMATS))
    if what not in kinds:
        raise ConfigError(f"--format {fmt} applies to {' or '.join(kinds)}, not {what!r}")
    if fmt == "ftm":
        n = 0
        for record in ftm_entities(store, what):
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
        return n
    if fmt.startswith("semeval-"):
        return _semeval(store, fmt, out)
    from narrascope.web.graphs import write_graph

    buffer = io.BytesIO()
    nodes, _ = write_graph(store, what, fmt, buffer)
    out.write(buffer.getvalue().decode("utf-8"))
    return nodes
