-- narrascope store, schema version 8: persuasion technique spans (the 14 PTC labels).

-- A span using a technique, the detector's confidence (score, 0..1), and the
-- mention or noun phrase it targets where the sentence makes it clear
-- (target_start/target_end; join mentions on doc, target_start, target_end for the entity).
CREATE TABLE techniques (
    id            INTEGER PRIMARY KEY,
    doc           TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL,
    text          TEXT NOT NULL,
    technique     TEXT NOT NULL,
    score         REAL NOT NULL,
    target_start  INTEGER,
    target_end    INTEGER,
    target        TEXT,
    CHECK (0 <= start AND start < end)
);
CREATE INDEX techniques_doc ON techniques(doc, start);
CREATE INDEX techniques_technique ON techniques(technique);
