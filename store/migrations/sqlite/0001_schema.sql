-- Vanguard system of record (SQLite). Dates are days since 1970-01-01, timestamps are
-- microseconds since 1970-01-01T00:00 Asia/Shanghai local time, periods are year*12+month-1,
-- decimals are millionths (see the domain crate). Each entity with an interchange id also has
-- an integer surrogate key so that the 80-million-row events table stays narrow.

CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL,
    started_at  TEXT    NOT NULL,
    finished_at TEXT,
    status      TEXT    NOT NULL,           -- running | done | interrupted | failed
    accepted    INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE import_rejections (
    batch_id INTEGER NOT NULL REFERENCES import_batches(id),
    file     TEXT    NOT NULL,
    line     INTEGER NOT NULL,
    reason   TEXT    NOT NULL
);
CREATE INDEX import_rejections_batch ON import_rejections(batch_id);

CREATE TABLE orgs (
    id             INTEGER PRIMARY KEY,
    org_id         TEXT    NOT NULL UNIQUE,
    parent         INTEGER REFERENCES orgs(id),
    name           TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    established_on INTEGER NOT NULL,
    batch_id       INTEGER NOT NULL
);
CREATE INDEX orgs_parent ON orgs(parent);

CREATE TABLE members (
    id           INTEGER PRIMARY KEY,
    member_id    TEXT    NOT NULL UNIQUE,
    org          INTEGER NOT NULL REFERENCES orgs(id),
    name         TEXT    NOT NULL,
    gender       TEXT    NOT NULL,
    birth_date   INTEGER NOT NULL,
    joined_on    INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    monthly_dues INTEGER NOT NULL,
    batch_id     INTEGER NOT NULL
);
CREATE INDEX members_org ON members(org);

CREATE TABLE activities (
    id          INTEGER PRIMARY KEY,
    activity_id TEXT    NOT NULL UNIQUE,
    org         INTEGER NOT NULL REFERENCES orgs(id),
    kind        TEXT    NOT NULL,
    held_at     INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    batch_id    INTEGER NOT NULL
);
CREATE INDEX activities_org ON activities(org, held_at);

-- seq is the append order: the columnar copy reads "everything after seq N".
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    event_id    TEXT    NOT NULL UNIQUE,
    member      INTEGER NOT NULL,
    kind        INTEGER NOT NULL,
    occurred_at INTEGER NOT NULL,
    activity    INTEGER,
    quantity    INTEGER,
    period      INTEGER,
    source      INTEGER NOT NULL,
    batch_id    INTEGER NOT NULL
);

CREATE TABLE resources (
    resource_id TEXT PRIMARY KEY,
    kind        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    tags        TEXT    NOT NULL,
    batch_id    INTEGER NOT NULL
);

CREATE TABLE transfers (
    transfer_id  TEXT PRIMARY KEY,
    member       INTEGER NOT NULL REFERENCES members(id),
    from_org     INTEGER NOT NULL REFERENCES orgs(id),
    to_org       INTEGER NOT NULL REFERENCES orgs(id),
    requested_on INTEGER NOT NULL,
    completed_on INTEGER,
    batch_id     INTEGER NOT NULL
);

CREATE TABLE ratings (
    org      INTEGER NOT NULL REFERENCES orgs(id),
    year     INTEGER NOT NULL,
    stars    INTEGER NOT NULL,
    batch_id INTEGER NOT NULL,
    PRIMARY KEY (org, year)
);

CREATE TABLE projects (
    project_id   TEXT PRIMARY KEY,
    org          INTEGER NOT NULL REFERENCES orgs(id),
    title        TEXT    NOT NULL,
    started_on   INTEGER NOT NULL,
    due_on       INTEGER NOT NULL,
    completed_on INTEGER,
    progress     INTEGER NOT NULL,
    batch_id     INTEGER NOT NULL
);

CREATE TABLE candidates (
    candidate_id TEXT    NOT NULL,
    step         TEXT    NOT NULL,
    org          INTEGER NOT NULL REFERENCES orgs(id),
    name         TEXT    NOT NULL,
    step_on      INTEGER NOT NULL,
    batch_id     INTEGER NOT NULL,
    PRIMARY KEY (candidate_id, step)
);
