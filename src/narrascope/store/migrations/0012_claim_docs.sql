-- narrascope store, schema version 12: which documents the stored claims cover.

-- One row per document whose sentences the stored claims were computed over, with
-- the claim settings and feature code that computed them (params). A build that adds
-- documents links their sentences to the stored claims instead of recomputing all
-- claims; a row of other params makes the next build recompute them from scratch.
CREATE TABLE claim_docs (
    doc     TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    params  TEXT NOT NULL
);
