-- narrascope store, schema version 7: on whose word each content sentence rests.

-- One row per asserting content sentence (questions and fragments are left out).
-- status: quoted (holds a direct or partial quote), attributed (reported speech with a
-- named source, or a cited document), hedged ("reportedly", "it is believed", an
-- anonymous source) or unattributed (the outlet's own word). cue: the quote's cue or
-- the hedge phrase that decided it, if any.
CREATE TABLE sentence_attribution (
    doc     TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start   INTEGER NOT NULL,
    end     INTEGER NOT NULL,
    status  TEXT NOT NULL,
    cue     TEXT,
    PRIMARY KEY (doc, start),
    CHECK (0 <= start AND start < end)
);
