-- narrascope store, schema version 11: what the claim stage reads of each document.

-- The claim features of a document's content sentences (numbers, quantities, word
-- stems, word pairs, the mentions inside each), computed once from its text, sentences
-- and mentions, so that adding documents does not re-read the old ones. data: a JSON
-- list with one row per candidate sentence; version: the feature code and settings
-- that made it (rows of another version are recomputed).
CREATE TABLE claim_features (
    doc      TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    version  TEXT NOT NULL,
    data     TEXT NOT NULL
);
