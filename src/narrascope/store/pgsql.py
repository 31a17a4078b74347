"""SQLite-dialect SQL to PostgreSQL, mechanically: the queries of the code and the migrations.

narrascope writes its SQL once, in the SQLite dialect (``?`` placeholders, columns
named ``end``, ``INSERT OR REPLACE``, ``group_concat``), and its schema as numbered
SQLite migrations. The PostgreSQL store runs the same text through :func:`translate`
(statements) and :func:`translate_migration` (schema), so a migration or a query added
later needs no second copy. What cannot be translated raises :class:`TranslationError`
naming the construct; a migration then gets a hand-written PostgreSQL version in
``migrations/postgres/NNNN_name.sql``, used instead of translating it.

Translation works on tokens (strings, quoted identifiers and comments are left alone):

* ``?`` becomes ``%s`` and every ``%`` is doubled, for psycopg;
* column names that are reserved words in PostgreSQL (``end``) are double-quoted
  wherever they are not closing a ``CASE``;
* ``INSERT OR REPLACE`` / ``REPLACE INTO`` become ``INSERT ... ON CONFLICT (primary key)
  DO UPDATE``, ``INSERT OR IGNORE`` becomes ``ON CONFLICT DO NOTHING``;
* ``sqlite_master`` and ``PRAGMA table_info(t)`` read PostgreSQL's catalogue instead;
* ``group_concat(x[, sep])`` becomes ``string_agg(CAST(x AS TEXT), sep)``, ``ifnull``
  ``coalesce``, ``instr`` ``strpos``, the two-argument ``min``/``max`` ``least``/``greatest``,
  ``LIKE`` ``ILIKE`` (SQLite's LIKE ignores ASCII case), ``LIMIT -1`` ``LIMIT ALL``,
  and ``substr``/``round`` get the integer and numeric arguments PostgreSQL wants;
* in migrations, column types follow SQLite's affinity rules (``INTEGER`` -> ``BIGINT``,
  ``INTEGER PRIMARY KEY`` -> an identity column, ``REAL`` -> ``DOUBLE PRECISION``,
  ``BLOB`` -> ``BYTEA``, ``TEXT`` -> ``TEXT COLLATE "C"`` so that ``ORDER BY`` sorts as
  SQLite's BINARY collation does), foreign keys are added after the tables of a
  migration exist (SQLite lets a table reference one created later), and an FTS5
  virtual table becomes a table with a generated, GIN-indexed ``tsv`` column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "FTS_CONFIG",
    "RESERVED_WORDS",
    "Schema",
    "Translated",
    "TranslationError",
    "split_statements",
    "translate",
    "translate_migration",
]

#: The text search configuration of FTS tables: no stemming, like SQLite's unicode61.
FTS_CONFIG = "simple"

#: PostgreSQL's reserved key words (catcode R and T of ``pg_get_keywords()``, PostgreSQL
#: 15-17). The store asks its server instead; this list serves offline translation and
#: a test checks it against a real server.
_RESERVED = """
all analyse analyze and any array as asc asymmetric authorization binary both case cast
check collate collation column concurrently constraint create cross current_catalog
current_date current_role current_schema current_time current_timestamp current_user
default deferrable desc distinct do else end except false fetch for foreign freeze from
full grant group having ilike in initially inner intersect into is isnull join lateral
leading left like limit localtime localtimestamp natural not notnull null offset on only
or order outer overlaps placing primary references returning right select session_user
similar some symmetric system_user table tablesample then to trailing true union unique
user using variadic verbose when where window with
"""
RESERVED_WORDS = frozenset(_RESERVED.split())


class TranslationError(ValueError):
    """A statement uses SQLite syntax this module cannot turn into PostgreSQL."""


@dataclass(frozen=True)
class Schema:
    """What query translation needs to know of the tables."""

    #: column names that are reserved words in PostgreSQL (quoted wherever they occur)
    reserved_columns: frozenset[str] = frozenset({"end"})
    #: table -> its primary key columns (for INSERT OR REPLACE)
    primary_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Translated:
    sql: str
    #: the table an INSERT writes to (lower case), else None
    insert_table: str | None
    #: whether the statement already has a RETURNING clause
    returning: bool


# -- tokens --------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<ident>"(?:[^"]|"")*"|`[^`]*`)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)
  | (?P<param>\?\d*|[:@$][A-Za-z_]\w*)
  | (?P<op>\|\||<=|>=|<>|!=|==|<<|>>|::|.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str

    @property
    def low(self) -> str:
        return self.text.lower()

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


def _tokens(sql: str) -> list[_Tok]:
    out = []
    pos = 0
    while pos < len(sql):
        m = _TOKEN.match(sql, pos)
        if m is None:  # pragma: no cover - the last alternative matches any character
            raise TranslationError(f"cannot read SQL at {sql[pos:pos + 20]!r}")
        kind = m.lastgroup or "op"
        text = m.group()
        if (kind == "string" and not text.endswith("'")) or text == "'":
            raise TranslationError(f"unterminated string in {sql[:60]!r}")
        out.append(_Tok(kind, text))
        pos = m.end()
    return out


def _code(tokens: Sequence[_Tok]) -> list[_Tok]:
    """The tokens without whitespace and comments."""
    return [t for t in tokens if t.kind not in ("ws", "comment")]


def _join(tokens: Iterable[_Tok]) -> str:
    return "".join(t.text for t in tokens)


def _close(tokens: Sequence[_Tok], i: int) -> int:
    """Index of the ``)`` matching the ``(`` at ``tokens[i]``."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].text == "(":
            depth += 1
        elif tokens[j].text == ")":
            depth -= 1
            if depth == 0:
                return j
    raise TranslationError("unbalanced parentheses")


def _split_top(tokens: Sequence[_Tok], sep: str = ",") -> list[list[_Tok]]:
    """Split on ``sep`` outside parentheses."""
    parts: list[list[_Tok]] = [[]]
    depth = 0
    for t in tokens:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        if t.text == sep and depth == 0:
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _name(tok: _Tok) -> str:
    """An identifier token's name (unquoted, lower case when it was not quoted)."""
    if tok.kind == "ident":
        return tok.text[1:-1].replace('""', '"') if tok.text[0] == '"' else tok.text[1:-1]
    return tok.low


def split_statements(script: str) -> list[str]:
    """Split a script on ``;`` outside strings and comments; comments are dropped."""
    statements: list[list[_Tok]] = [[]]
    for t in _tokens(script):
        if t.kind == "comment":
            continue
        if t.text == ";":
            statements.append([])
        else:
            statements[-1].append(t)
    return [s for s in (_join(x).strip() for x in statements) if s]


# -- queries -------------------------------------------------------------------------------


def _ws(i: int, tokens: Sequence[_Tok]) -> int:
    """The index of the next token at or after ``i`` that is not whitespace or a comment."""
    while i < len(tokens) and tokens[i].kind in ("ws", "comment"):
        i += 1
    return i


class _Query:
    def __init__(self, schema: Schema, *, params: bool) -> None:
        self.schema = schema
        self.params = params

    def run(self, tokens: Sequence[_Tok]) -> str:
        out: list[str] = []
        case_depth = 0
        i = 0
        while i < len(tokens):
            t = tokens[i]
            if t.kind == "word":
                low = t.low
                nxt = _ws(i + 1, tokens)
                if nxt < len(tokens) and tokens[nxt].text == "(" and (
                        call := self._call(low, tokens, nxt)) is not None:
                    out.append(call[0])
                    i = call[1]
                    continue
                if low == "case":
                    case_depth += 1
                    out.append(t.text)
                elif low == "end" and case_depth > 0:
                    case_depth -= 1
                    out.append(t.text)
                elif low in self.schema.reserved_columns:
                    out.append(_quote(low))
                elif low == "like":
                    out.append("ILIKE")
                elif low in ("sqlite_master", "sqlite_schema"):
                    out.append(_SQLITE_MASTER if _aliased(tokens, nxt)
                               else _SQLITE_MASTER + " AS sqlite_master")
                elif low == "glob":
                    raise TranslationError("GLOB has no PostgreSQL translation")
                elif low == "limit" and _limit_all(tokens, nxt):
                    out.append("LIMIT ALL")
                    i = _ws(nxt + 1, tokens) + 1
                    continue
                else:
                    out.append(t.text)
            elif t.kind == "param":
                if t.text != "?":
                    raise TranslationError(f"only ? placeholders are supported, not {t.text}")
                out.append("%s" if self.params else "?")
            elif t.kind == "ident" and t.text.startswith("`"):
                out.append(_quote(t.text[1:-1]))
            else:
                out.append(t.text.replace("%", "%%") if self.params else t.text)
            i += 1
        return "".join(out)

    def _call(self, name: str, tokens: Sequence[_Tok], open_: int) -> tuple[str, int] | None:
        """A translated function call ``name(...)`` starting at ``open_``, or None."""
        if name not in ("group_concat", "ifnull", "instr", "min", "max", "substr", "round"):
            return None
        close = _close(tokens, open_)
        args = _split_top(tokens[open_ + 1 : close])
        done = [self.run(a).strip() for a in args]
        if name == "substr":  # PostgreSQL's takes int4 positions; the columns are BIGINT
            ints = [f"CAST({d} AS INTEGER)" for d in done[1:]]
            return f"substr({', '.join([done[0], *ints])})", close + 1
        if name == "round":  # PostgreSQL rounds to n places only numerics
            if len(done) == 1:
                return None
            return (f"round(CAST({done[0]} AS NUMERIC), CAST({done[1]} AS INTEGER))",
                    close + 1)
        if name == "group_concat":
            distinct = ""
            head = _code(args[0])
            if head and head[0].is_word("distinct"):
                distinct = "DISTINCT "
                done[0] = self.run(args[0][args[0].index(head[0]) + 1 :]).strip()
            sep = done[1] if len(done) > 1 else "','"
            return f"string_agg({distinct}CAST({done[0]} AS TEXT), {sep})", close + 1
        if name in ("min", "max"):
            if len(args) < 2:
                return None
            return f"{'least' if name == 'min' else 'greatest'}({', '.join(done)})", close + 1
        new = {"ifnull": "coalesce", "instr": "strpos"}[name]
        return f"{new}({', '.join(done)})", close + 1


#: ``sqlite_master`` over PostgreSQL's catalogue: the tables, views and indexes of the
#: current schema (``sql`` is NULL), so that code asking SQLite which tables exist works.
_SQLITE_MASTER = (
    "(SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'i' THEN 'index' ELSE 'table' END"
    " AS type, c.relname::text AS name, coalesce(t.relname, c.relname)::text AS tbl_name,"
    " NULL::text AS sql FROM pg_class c LEFT JOIN pg_index x ON x.indexrelid = c.oid"
    " LEFT JOIN pg_class t ON t.oid = x.indrelid"
    " WHERE c.relnamespace = current_schema()::regnamespace"
    " AND c.relkind IN ('r', 'p', 'v', 'm', 'i') AND c.relname <> 'narrascope_schema')"
)

_CLAUSE_WORDS = frozenset({"where", "group", "order", "limit", "join", "left", "inner",
                           "cross", "on", "union", "except", "intersect", "natural", "having",
                           "window", "offset", "full", "right", "using"})


def _aliased(tokens: Sequence[_Tok], i: int) -> bool:
    """Whether the table name before ``tokens[i]`` is followed by an alias."""
    return i < len(tokens) and (tokens[i].kind == "ident" or (
        tokens[i].kind == "word" and tokens[i].low not in _CLAUSE_WORDS))


def _pragma(code: Sequence[_Tok]) -> str:
    """The PostgreSQL query standing for a ``PRAGMA`` that reads the schema."""
    name = code[1].low if len(code) > 1 else ""
    if name == "table_info" and len(code) >= 5 and code[2].text == "(":
        table = _name(code[3]).replace("'", "''")
        return (
            "SELECT a.attnum - 1 AS cid, a.attname::text AS name,"  # noqa: S608 - quoted name
            " upper(format_type(a.atttypid, a.atttypmod)) AS type,"
            " CAST(a.attnotnull AS INTEGER) AS notnull,"
            " pg_get_expr(d.adbin, d.adrelid) AS dflt_value,"
            " coalesce(array_position(i.indkey::int2[], a.attnum), 0) AS pk"
            " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            " LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary"
            f" WHERE c.relname = '{table}' AND c.relnamespace = current_schema()::regnamespace"
            " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
        )
    if name == "foreign_keys" and len(code) == 2:
        return "SELECT 1 AS foreign_keys"
    raise TranslationError(f"PRAGMA {name} has no PostgreSQL translation")


def _limit_all(tokens: Sequence[_Tok], i: int) -> bool:
    """Whether ``LIMIT`` is followed by ``-1`` (SQLite's no limit) at ``i``."""
    if i >= len(tokens) or tokens[i].text != "-":
        return False
    j = _ws(i + 1, tokens)
    return j < len(tokens) and tokens[j].text == "1"


def translate(sql: str, schema: Schema | None = None, *, params: bool = True) -> Translated:
    """One SQLite-dialect statement as PostgreSQL (``params``: for psycopg, ``%s``)."""
    schema = schema or Schema()
    tokens = _tokens(sql.strip().rstrip(";"))
    code = _code(tokens)
    if code and code[0].is_word("pragma"):
        return Translated(_pragma(code), None, False)
    mode: str | None = None
    table: str | None = None
    if code and code[0].is_word("insert", "replace"):
        at = 1
        if code[0].is_word("replace"):
            mode = "replace"
        elif len(code) > 2 and code[1].is_word("or"):
            mode, at = code[2].low, 3
            if mode not in ("replace", "ignore"):
                raise TranslationError(f"INSERT OR {code[2].text} has no PostgreSQL translation")
        if len(code) <= at + 1 or not code[at].is_word("into"):
            raise TranslationError(f"cannot read INSERT statement {sql[:60]!r}")
        table = _name(code[at + 1])
        first, into = tokens.index(code[0]), tokens.index(code[at])
        tokens = [*tokens[:first], _Tok("word", "INSERT"), _Tok("ws", " "), *tokens[into:]]
    text = _Query(schema, params=params).run(tokens)
    returning = any(t.is_word("returning") for t in code)
    if mode == "ignore":
        text += " ON CONFLICT DO NOTHING"
    elif mode == "replace":
        text += _upsert(code, table or "", schema)
    return Translated(text, table, returning)


def _upsert(code: Sequence[_Tok], table: str, schema: Schema) -> str:
    key = schema.primary_keys.get(table)
    if not key:
        raise TranslationError(f"INSERT OR REPLACE INTO {table}: the table has no primary key")
    into = next(i for i, t in enumerate(code) if t.is_word("into"))
    if len(code) <= into + 2 or code[into + 2].text != "(":
        raise TranslationError(f"INSERT OR REPLACE INTO {table} needs a column list")
    close = _close(code, into + 2)
    columns = [_name(p[0]) for p in _split_top(code[into + 3 : close]) if p]
    quoted = {c: _quote(c) if c in schema.reserved_columns else c for c in columns}
    keys = ", ".join(_quote(c) if c in schema.reserved_columns else c for c in key)
    update = [f"{quoted[c]} = EXCLUDED.{quoted[c]}" for c in columns if c not in key]
    if not update:
        return f" ON CONFLICT ({keys}) DO NOTHING"
    return f" ON CONFLICT ({keys}) DO UPDATE SET {', '.join(update)}"


# -- migrations ----------------------------------------------------------------------------

_CONSTRAINT_WORDS = ("constraint", "primary", "not", "null", "unique", "check", "default",
                     "collate", "references", "generated", "as")


def translate_migration(
    script: str, reserved: frozenset[str] = RESERVED_WORDS, columns: set[str] | None = None
) -> list[str]:
    """The PostgreSQL statements of one SQLite migration script.

    ``reserved`` are PostgreSQL's reserved words; ``columns`` collects the column names
    of every table seen so far (pass the same set through migrations in order), so that
    a reserved column name is quoted wherever later statements use it.
    """
    seen = columns if columns is not None else set()
    out: list[str] = []
    deferred: list[str] = []
    for statement in split_statements(script):
        tokens = _tokens(statement)
        code = _code(tokens)
        words = [t.low for t in code[:4] if t.kind == "word"]
        if words[:2] == ["create", "table"]:
            out.extend(_create_table(code, reserved, seen, deferred))
        elif words[:2] == ["create", "virtual"]:
            out.extend(_create_virtual(code, reserved, seen))
        elif words[:2] == ["alter", "table"] and len(code) > 4 and code[3].is_word("add") and (
                not code[4].is_word("constraint", "primary", "unique", "check", "foreign")):
            table = _name(code[2])
            at = 5 if code[4].is_word("column") else 4
            column, fks = _column(code[at:], table, reserved, seen)
            out.append(f"ALTER TABLE {table} ADD COLUMN {column}")
            deferred.extend(fks)
        elif words[:2] == ["create", "trigger"] or (words[:1] == ["create"] and "trigger" in words):
            raise TranslationError("triggers need a PostgreSQL override of this migration")
        elif words[:1] == ["pragma"]:
            if len(code) > 1 and code[1].is_word("foreign_keys"):
                continue
            raise TranslationError(f"{statement[:40]!r} has no PostgreSQL translation")
        else:
            schema = Schema(reserved_columns=frozenset(seen & reserved))
            out.append(translate(statement, schema, params=False).sql)
    return out + deferred


def _create_table(
    code: Sequence[_Tok], reserved: frozenset[str], seen: set[str], deferred: list[str]
) -> list[str]:
    i = 2
    if_not = ""
    if code[i].is_word("if"):
        if_not, i = "IF NOT EXISTS ", i + 3
    table = _name(code[i])
    if i + 1 >= len(code) or code[i + 1].text != "(":
        raise TranslationError(f"CREATE TABLE {table} AS SELECT has no translation")
    close = _close(code, i + 1)
    for t in code[close + 1 :]:
        if not (t.is_word("without", "rowid", "strict") or t.text == ","):
            raise TranslationError(f"CREATE TABLE {table}: cannot translate {t.text!r}")
    items = _split_top(code[i + 2 : close])
    # every column name first, so that CHECK constraints quote reserved ones
    for item in items:
        if item and not item[0].is_word("constraint", "primary", "unique", "check", "foreign"):
            seen.add(_name(item[0]))
    defs: list[str] = []
    for item in items:
        if not item:
            raise TranslationError(f"CREATE TABLE {table}: empty column definition")
        if item[0].is_word("constraint", "primary", "unique", "check", "foreign"):
            text = _expr(item, reserved, seen)
            if any(t.is_word("foreign") for t in item[:3]):
                deferred.append(f"ALTER TABLE {table} ADD {text}")
            else:
                defs.append(text)
            continue
        column, fks = _column(item, table, reserved, seen)
        defs.append(column)
        deferred.extend(fks)
    body = ",\n    ".join(defs)
    return [f"CREATE TABLE {if_not}{table} (\n    {body}\n)"]


def _expr(tokens: Sequence[_Tok], reserved: frozenset[str], seen: set[str]) -> str:
    """Tokens of an expression or constraint, spaced back together and translated."""
    spaced: list[_Tok] = []
    for t in tokens:
        if spaced and not (t.text in "(),." or spaced[-1].text in "(."):
            spaced.append(_Tok("ws", " "))
        spaced.append(t)
    return translate(_join(spaced), Schema(frozenset(seen & reserved)), params=False).sql


def _column(
    item: Sequence[_Tok], table: str, reserved: frozenset[str], seen: set[str]
) -> tuple[str, list[str]]:
    """One column definition, and the ``ALTER TABLE`` statements adding its foreign key."""
    name = _name(item[0])
    seen.add(name)
    col = _quote(name) if name in reserved else name
    j = 1
    while j < len(item) and not item[j].is_word(*_CONSTRAINT_WORDS):
        j = _close(item, j) + 1 if item[j].text == "(" else j + 1
    declared = " ".join(t.text for t in item[1:j]).upper()
    rest = list(item[j:])
    if any(t.is_word("constraint") for t in rest):
        raise TranslationError(f"{table}.{name}: named column constraints are not translated")
    fks: list[str] = []
    if (k := next((n for n, t in enumerate(rest) if t.is_word("references")), None)) is not None:
        end = _references_end(rest, k)
        clause = _expr(rest[k:end], reserved, seen)
        fks.append(f"ALTER TABLE {table} ADD FOREIGN KEY ({col}) {clause}")
        rest = rest[:k] + rest[end:]
    collate = next((n for n, t in enumerate(rest) if t.is_word("collate")), None)
    if collate is not None:
        which = rest[collate + 1].low if collate + 1 < len(rest) else ""
        if which != "binary":
            raise TranslationError(f"{table}.{name}: COLLATE {which.upper()} is not translated")
        del rest[collate : collate + 2]
    rest = [t for t in rest if not t.is_word("autoincrement")]
    primary = any(t.is_word("primary") for t in rest)
    if declared == "INTEGER" and primary:
        pg_type = "BIGINT GENERATED BY DEFAULT AS IDENTITY"
    else:
        pg_type = _affinity(declared, f"{table}.{name}")
    constraints = _expr(rest, reserved, seen) if rest else ""
    return f"{col} {pg_type}{' ' + constraints if constraints else ''}", fks


def _references_end(rest: Sequence[_Tok], k: int) -> int:
    """The index just past the foreign key clause starting at ``rest[k]`` (REFERENCES)."""
    j = k + 2  # REFERENCES table
    if j < len(rest) and rest[j].text == "(":
        j = _close(rest, j) + 1
    while j < len(rest):
        t = rest[j]
        if t.is_word("on") and j + 2 < len(rest):
            j += 3  # ON DELETE CASCADE | ON UPDATE RESTRICT
            if rest[j - 1].is_word("set", "no"):
                j += 1  # SET NULL | SET DEFAULT | NO ACTION
        elif t.is_word("match", "initially"):
            j += 2
        elif t.is_word("deferrable"):
            j += 1
        elif t.is_word("not") and j + 1 < len(rest) and rest[j + 1].is_word("deferrable"):
            j += 2
        else:
            break
    return j


def _affinity(declared: str, where: str) -> str:
    """A PostgreSQL type for a declared SQLite type, by SQLite's affinity rules."""
    if not declared:
        raise TranslationError(f"{where}: a column without a type is not translated")
    if "INT" in declared or "BOOL" in declared:
        return "BIGINT"
    if any(w in declared for w in ("CHAR", "CLOB", "TEXT", "DATE", "TIME")):
        return 'TEXT COLLATE "C"'
    if "BLOB" in declared:
        return "BYTEA"
    if any(w in declared for w in ("REAL", "FLOA", "DOUB")):
        return "DOUBLE PRECISION"
    return "NUMERIC"


def _create_virtual(code: Sequence[_Tok], reserved: frozenset[str], seen: set[str]) -> list[str]:
    i = 3
    if_not = ""
    if code[i].is_word("if"):
        if_not, i = "IF NOT EXISTS ", i + 3
    table = _name(code[i])
    if not (code[i + 1].is_word("using") and code[i + 2].is_word("fts5")):
        raise TranslationError(f"virtual table {table}: only fts5 tables are translated")
    close = _close(code, i + 3)
    columns: list[tuple[str, bool]] = []
    for arg in _split_top(code[i + 4 : close]):
        if any(t.text == "=" for t in arg):
            option = arg[0].low
            if option in ("content", "content_rowid", "contentless_delete"):
                raise TranslationError(f"virtual table {table}: fts5 {option}= is not translated")
            continue  # tokenize, prefix, detail: PostgreSQL's text search has its own
        columns.append((_name(arg[0]), any(t.is_word("unindexed") for t in arg[1:])))
    if "tsv" in {c for c, _ in columns}:
        raise TranslationError(f"virtual table {table}: a column named tsv is not translated")
    for c, _ in columns:
        seen.add(c)
    indexed = [c for c, unindexed in columns if not unindexed]
    if not indexed:
        raise TranslationError(f"virtual table {table} indexes no column")
    weights = "ABCD"
    vector = " || ".join(
        f"setweight(to_tsvector('{FTS_CONFIG}', coalesce({_col(c, reserved)}, '')),"
        f" '{weights[min(n, 3)]}')"
        for n, c in enumerate(indexed)
    )
    defs = [f'{_col(c, reserved)} TEXT COLLATE "C"' for c, _ in columns]
    defs.append(f"tsv tsvector GENERATED ALWAYS AS ({vector}) STORED")
    body = ",\n    ".join(defs)
    out = [f"CREATE TABLE {if_not}{table} (\n    {body}\n)",
           f"CREATE INDEX {if_not}{table}_tsv ON {table} USING GIN (tsv)"]
    out.extend(f"CREATE INDEX {if_not}{table}_{c} ON {table} ({_col(c, reserved)})"
               for c, unindexed in columns if unindexed)
    return out


def _col(name: str, reserved: frozenset[str]) -> str:
    return _quote(name) if name in reserved else name
