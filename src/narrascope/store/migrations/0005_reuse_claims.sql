-- narrascope store, schema version 5: passage reuse and recurring claims.

-- MinHash signatures of a document's shingled content windows, so that adding
-- documents does not redo old ones. windows: int32 [[region_start, token_start,
-- token_end], ...] (token indices into the document's content tokens); sigs: the
-- windows' MinHash values (uint32, num_perm per window); params: the settings used.
CREATE TABLE reuse_signatures (
    doc      TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    params   TEXT NOT NULL,
    windows  BLOB NOT NULL,
    sigs     BLOB NOT NULL
);

-- A reused passage: doc_a[start_a:end_a] and doc_b[start_b:end_b] (both inside content).
-- kind: verbatim | near-verbatim; scope: between | within (the same document);
-- direction: 'a->b' where doc_a was published first, else 'undirected';
-- boilerplate: 1 when the passage recurs on one site only (never counted as reuse).
CREATE TABLE reuse (
    id           INTEGER PRIMARY KEY,
    doc_a        TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start_a      INTEGER NOT NULL,
    end_a        INTEGER NOT NULL,
    doc_b        TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start_b      INTEGER NOT NULL,
    end_b        INTEGER NOT NULL,
    similarity   REAL NOT NULL,
    kind         TEXT NOT NULL,
    scope        TEXT NOT NULL,
    direction    TEXT NOT NULL,
    boilerplate  INTEGER NOT NULL DEFAULT 0,
    CHECK (0 <= start_a AND start_a < end_a AND 0 <= start_b AND start_b < end_b)
);
CREATE INDEX reuse_doc_a ON reuse(doc_a, start_a);
CREATE INDEX reuse_doc_b ON reuse(doc_b, start_b);

-- One embedding per content sentence and model (float32 blob), computed once.
CREATE TABLE sentence_embeddings (
    doc     TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start   INTEGER NOT NULL,
    end     INTEGER NOT NULL,
    model   TEXT NOT NULL,
    vector  BLOB NOT NULL,
    PRIMARY KEY (doc, start, end, model)
);

-- A claim: content sentences in several documents asserting the same thing.
-- doc/start/end: the representative sentence; docs, sites, speakers: JSON lists;
-- independent_count: documents not reusing one another's text and not of one site.
CREATE TABLE claims (
    id                 INTEGER PRIMARY KEY,
    text               TEXT NOT NULL,
    doc                TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start              INTEGER NOT NULL,
    end                INTEGER NOT NULL,
    docs               TEXT NOT NULL,
    sites              TEXT NOT NULL,
    speakers           TEXT NOT NULL,
    doc_count          INTEGER NOT NULL,
    independent_count  INTEGER NOT NULL,
    first_seen         TEXT
);

CREATE TABLE claim_members (
    claim  INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    doc    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start  INTEGER NOT NULL,
    end    INTEGER NOT NULL,
    CHECK (0 <= start AND start < end)
);
CREATE INDEX claim_members_claim ON claim_members(claim);
