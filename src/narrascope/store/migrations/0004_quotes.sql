-- narrascope store, schema version 4: quotes, their speakers, and cited sources.

-- A direct, partial or indirect quote. parts: JSON [[start, end], ...] of the content
-- spans (a split quote has several); start/end run from the first to the last.
-- speaker_start/speaker_end: the span naming the speaker where the quote is attributed;
-- ref_start/ref_end: the mention it resolves to (join mentions on doc, start, end).
CREATE TABLE quotes (
    id             INTEGER PRIMARY KEY,
    doc            TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start          INTEGER NOT NULL,
    end            INTEGER NOT NULL,
    kind           TEXT NOT NULL,            -- direct | partial | indirect
    parts          TEXT NOT NULL,
    source_type    TEXT NOT NULL,            -- person | organisation | document | anonymous | outlet
    cue            TEXT,
    cue_start      INTEGER,
    cue_end        INTEGER,
    speaker_start  INTEGER,
    speaker_end    INTEGER,
    speaker        TEXT,                     -- the resolved speaker's name
    ref_start      INTEGER,
    ref_end        INTEGER,
    grp            INTEGER,                  -- start of the first paragraph of a multi-paragraph quote
    CHECK (0 <= start AND start < end)
);
CREATE INDEX quotes_doc ON quotes(doc, start);

-- A cited source (report, book, memoir, article, journal, study, letter, footnote, url).
-- note_start/note_end: the footnote a marker points to; sentences: JSON [[start, end], ...]
-- of the sentences that rely on it.
CREATE TABLE citations (
    id          INTEGER PRIMARY KEY,
    doc         TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    note_start  INTEGER,
    note_end    INTEGER,
    sentences   TEXT NOT NULL,
    CHECK (0 <= start AND start < end)
);
CREATE INDEX citations_doc ON citations(doc, start);
