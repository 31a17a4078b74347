-- narrascope store, schema version 9: entity resolution with evidence and corrections.

-- What the tagger's mention carried besides the name.
ALTER TABLE mentions ADD COLUMN title TEXT;                      -- "Lt. Col.", "former Mayor"
ALTER TABLE mentions ADD COLUMN possessive INTEGER NOT NULL DEFAULT 0;

-- A document's own statements that two names are one ("X (ABC)", "X, also known as Y").
CREATE TABLE aliases (
    id     INTEGER PRIMARY KEY,
    doc    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start  INTEGER NOT NULL,
    end    INTEGER NOT NULL,
    name   TEXT NOT NULL,
    alias  TEXT NOT NULL,
    kind   TEXT NOT NULL,                                        -- acronym | alias
    CHECK (0 <= start AND start <= end)
);
CREATE INDEX aliases_doc ON aliases(doc, start);

-- Profile fields the entity stage fills.
ALTER TABLE entities ADD COLUMN first_seen TEXT;                 -- earliest document date
ALTER TABLE entities ADD COLUMN last_seen TEXT;                  -- latest document date
ALTER TABLE entities ADD COLUMN titles TEXT;                     -- JSON: titles written with it

-- Human corrections, an audit log re-applied in order on every build.
CREATE TABLE entity_corrections (
    id          INTEGER PRIMARY KEY,
    action      TEXT NOT NULL,                                   -- merge | split | rename | ignore
    target      TEXT NOT NULL,                                   -- entity name or alias
    argument    TEXT,                                            -- other name, spelling or new name
    note        TEXT,
    created_at  TEXT NOT NULL
);
