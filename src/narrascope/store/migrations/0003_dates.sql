-- narrascope store, schema version 3: temporal expressions, events and the timeline.

-- A temporal expression. value: TIMEX3-style (1976-08-28, 1979-11, 1972, 196X, P20Y,
-- 1980/1988 for a range with start_value/end_value), NULL when unresolved (then
-- unresolved_reason says why). kind: date | time | duration | set | range.
-- anchor_source: what a relative value was resolved against (absolute, document,
-- discourse, following, sentence).
CREATE TABLE timexes (
    id                 INTEGER PRIMARY KEY,
    doc                TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start              INTEGER NOT NULL,
    end                INTEGER NOT NULL,
    text               TEXT NOT NULL,
    value              TEXT,
    granularity        TEXT,
    kind               TEXT NOT NULL,
    start_value        TEXT,
    end_value          TEXT,
    anchor_source      TEXT,
    unresolved_reason  TEXT,
    CHECK (0 <= start AND start < end)
);
CREATE INDEX timexes_doc ON timexes(doc, start);

-- One timeline entry: the same event told by one or more documents (corpus stage).
-- actors: JSON [{"entity", "name", "roles", "count"}]; docs: JSON list of document ids;
-- merged_by: JSON, the rule that joined its events.
CREATE TABLE timeline (
    id           TEXT PRIMARY KEY,
    date         TEXT NOT NULL,
    granularity  TEXT,
    sort_key     TEXT NOT NULL,
    predicate    TEXT,
    label        TEXT NOT NULL,
    actors       TEXT NOT NULL,
    place        TEXT,
    docs         TEXT NOT NULL,
    event_count  INTEGER NOT NULL,
    doc_count    INTEGER NOT NULL,
    merged_by    TEXT
);
CREATE INDEX timeline_sort ON timeline(sort_key);

-- A dated assertion: start/end is the evidence sentence, timex_start/timex_end its date
-- expression, trigger_start/trigger_end the predicate's word. actors: JSON
-- [{"start", "end", "text", "label", "role"}] (join mentions on doc, start, end for the
-- entity). timeline: the entry it belongs to (set by the corpus stage).
CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    doc            TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start          INTEGER NOT NULL,
    end            INTEGER NOT NULL,
    timex_start    INTEGER NOT NULL,
    timex_end      INTEGER NOT NULL,
    date           TEXT NOT NULL,
    date_text      TEXT NOT NULL,
    granularity    TEXT,
    sort_key       TEXT NOT NULL,
    predicate      TEXT,
    trigger_start  INTEGER,
    trigger_end    INTEGER,
    actors         TEXT NOT NULL,
    place          TEXT,
    place_start    INTEGER,
    place_end      INTEGER,
    timeline       TEXT REFERENCES timeline(id) ON DELETE SET NULL,
    CHECK (0 <= start AND start < end)
);
CREATE INDEX events_doc ON events(doc, start);
CREATE INDEX events_timeline ON events(timeline);
