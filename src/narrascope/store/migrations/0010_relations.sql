-- narrascope store, schema version 10: relations between actors, the actor network, stance.

-- One row per relation found in a content sentence (start/end): subject and object are
-- the words naming them in the sentence (a name, a pronoun, a description) and
-- *_ref_start/*_ref_end the mention they refer to (join mentions on doc and the ref span
-- for the entity; the corpus stage copies it into subject_entity/object_entity).
-- predicate: the verbatim lemma phrase; relation: its label in
-- data/taxonomy/relations.json, or the predicate itself when no entry names it.
-- attribution: outlet, hedged, quoted or reported; asserted_by: outlet or the source.
CREATE TABLE relations (
    id                 INTEGER PRIMARY KEY,
    doc                TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start              INTEGER NOT NULL,
    end                INTEGER NOT NULL,
    subject_start      INTEGER NOT NULL,
    subject_end        INTEGER NOT NULL,
    subject            TEXT NOT NULL,
    subject_label      TEXT NOT NULL,
    subject_ref_start  INTEGER NOT NULL,
    subject_ref_end    INTEGER NOT NULL,
    object_start       INTEGER NOT NULL,
    object_end         INTEGER NOT NULL,
    object             TEXT NOT NULL,
    object_label       TEXT NOT NULL,
    object_ref_start   INTEGER NOT NULL,
    object_ref_end     INTEGER NOT NULL,
    predicate          TEXT NOT NULL,
    predicate_start    INTEGER NOT NULL,
    predicate_end      INTEGER NOT NULL,
    relation           TEXT NOT NULL,
    cameo              TEXT,
    pattern            TEXT NOT NULL,
    negated            INTEGER NOT NULL DEFAULT 0,
    modality           TEXT,
    attribution        TEXT NOT NULL,
    asserted_by        TEXT NOT NULL,
    speaker_start      INTEGER,
    speaker_end        INTEGER,
    subject_entity     TEXT,
    object_entity      TEXT,
    edge               TEXT,
    CHECK (0 <= start AND start < end)
);
CREATE INDEX relations_doc ON relations(doc, start);
CREATE INDEX relations_edge ON relations(edge);

-- Lexicon sentiment (VADER) of each content sentence: compound in -1..1.
CREATE TABLE sentence_sentiment (
    doc       TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL,
    compound  REAL NOT NULL,
    positive  REAL NOT NULL,
    negative  REAL NOT NULL,
    PRIMARY KEY (doc, start),
    CHECK (0 <= start AND start < end)
);

-- The actor network: one edge per (source entity, relation, target entity, negated),
-- replaced by the corpus stage on every build. JSON columns: predicates ({predicate:
-- count}), docs, sites, dates (timeline dates of the evidence sentences), evidence
-- ([{doc, start, end, attribution, asserted_by}]).
CREATE TABLE network_edges (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    source_name   TEXT NOT NULL,
    relation      TEXT NOT NULL,
    cameo         TEXT,
    target        TEXT NOT NULL,
    target_name   TEXT NOT NULL,
    negated       INTEGER NOT NULL,
    predicates    TEXT NOT NULL,
    count         INTEGER NOT NULL,
    doc_count     INTEGER NOT NULL,
    outlet_count  INTEGER NOT NULL,
    quoted_count  INTEGER NOT NULL,
    docs          TEXT NOT NULL,
    sites         TEXT NOT NULL,
    dates         TEXT NOT NULL,
    first_date    TEXT,
    evidence      TEXT NOT NULL
);
CREATE INDEX network_edges_source ON network_edges(source);
CREATE INDEX network_edges_target ON network_edges(target);

-- How each document portrays each entity it mentions: polarity in -1..1 (label
-- negative / neutral / positive) from the sentiment of the sentences naming it, the
-- relations it takes part in and the persuasion techniques targeting it.
CREATE TABLE stance (
    doc                 TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    entity              TEXT NOT NULL,
    name                TEXT NOT NULL,
    polarity            REAL NOT NULL,
    label               TEXT NOT NULL,
    sentiment           REAL,
    sentences           INTEGER NOT NULL,
    relation_polarity   REAL,
    relations           INTEGER NOT NULL,
    technique_polarity  REAL,
    techniques          INTEGER NOT NULL,
    PRIMARY KEY (doc, entity)
);
CREATE INDEX stance_entity ON stance(entity);
