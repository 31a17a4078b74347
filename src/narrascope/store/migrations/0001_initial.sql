-- narrascope store, schema version 1.
-- Every finding points into documents.text by [start, end) character offsets.

CREATE TABLE documents (
    id          TEXT PRIMARY KEY,          -- first 16 hex digits of sha256(text)
    source      TEXT NOT NULL,             -- path, URL, or path#record
    format      TEXT NOT NULL,             -- txt | html | warc | jsonl | url
    url         TEXT,
    title       TEXT,
    author      TEXT,
    published   TEXT,                      -- ISO 8601 date or datetime, or NULL
    site        TEXT,
    encoding    TEXT,
    text        TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    build_id    INTEGER REFERENCES builds(id)
);
CREATE INDEX documents_source ON documents(source);

-- Content and boilerplate regions; kind 'content' is main text, every other kind is excluded.
CREATE TABLE regions (
    doc    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start  INTEGER NOT NULL,
    end    INTEGER NOT NULL,
    kind   TEXT NOT NULL,
    CHECK (0 <= start AND start <= end)
);
CREATE INDEX regions_doc ON regions(doc, start);

CREATE TABLE sentences (
    doc    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx    INTEGER NOT NULL,
    start  INTEGER NOT NULL,
    end    INTEGER NOT NULL,
    PRIMARY KEY (doc, idx),
    CHECK (0 <= start AND start <= end)
);

CREATE TABLE entities (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    type           TEXT NOT NULL,
    mention_count  INTEGER NOT NULL DEFAULT 0,
    doc_count      INTEGER NOT NULL DEFAULT 0,
    merged_by      TEXT                     -- JSON: the rules and evidence behind the cluster
);

CREATE TABLE mentions (
    id      INTEGER PRIMARY KEY,
    doc     TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start   INTEGER NOT NULL,
    end     INTEGER NOT NULL,
    text    TEXT NOT NULL,
    label   TEXT NOT NULL,
    entity  TEXT REFERENCES entities(id) ON DELETE SET NULL,
    CHECK (0 <= start AND start <= end)
);
CREATE INDEX mentions_doc ON mentions(doc, start);
CREATE INDEX mentions_entity ON mentions(entity);

CREATE TABLE builds (
    id           INTEGER PRIMARY KEY,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    inputs       TEXT NOT NULL,             -- JSON list
    added        INTEGER,
    unchanged    INTEGER,
    skipped      INTEGER,
    seconds      REAL
);

-- Why an input produced no document, per build.
CREATE TABLE skips (
    id        INTEGER PRIMARY KEY,
    build_id  INTEGER REFERENCES builds(id) ON DELETE CASCADE,
    source    TEXT NOT NULL,
    reason    TEXT NOT NULL
);

-- Raw responses of fetched URLs, so a re-run does not fetch again.
CREATE TABLE fetch_cache (
    url           TEXT PRIMARY KEY,
    status        INTEGER NOT NULL,
    content_type  TEXT,
    headers       TEXT NOT NULL,            -- JSON object
    body          BLOB NOT NULL,
    fetched_at    TEXT NOT NULL
);

-- Full-text index over the title and main content (boilerplate left out).
CREATE VIRTUAL TABLE documents_fts USING fts5(
    doc UNINDEXED, title, content, tokenize = 'unicode61 remove_diacritics 2'
);
