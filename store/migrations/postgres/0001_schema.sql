-- Vanguard system of record (PostgreSQL). Dates are days since 1970-01-01, timestamps are
-- microseconds since 1970-01-01T00:00 Asia/Shanghai local time, periods are year*12+month-1,
-- decimals are millionths (see the domain crate). Each entity with an interchange id also has
-- an integer surrogate key so that the 80-million-row events table stays narrow.

CREATE TABLE import_batches (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source      TEXT    NOT NULL,
    started_at  TEXT    NOT NULL,
    finished_at TEXT,
    status      TEXT    NOT NULL,           -- running | done | interrupted | failed
    accepted    BIGINT NOT NULL DEFAULT 0,
    unchanged   BIGINT NOT NULL DEFAULT 0,
    rejected    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE import_rejections (
    batch_id BIGINT NOT NULL REFERENCES import_batches(id),
    file     TEXT    NOT NULL,
    line     BIGINT NOT NULL,
    reason   TEXT    NOT NULL
);
CREATE INDEX import_rejections_batch ON import_rejections(batch_id);

CREATE TABLE orgs (
    id             BIGINT PRIMARY KEY,
    org_id         TEXT    NOT NULL UNIQUE,
    parent         BIGINT REFERENCES orgs(id) DEFERRABLE INITIALLY DEFERRED,
    name           TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    established_on BIGINT NOT NULL,
    batch_id       BIGINT NOT NULL
);
CREATE INDEX orgs_parent ON orgs(parent);

CREATE TABLE members (
    id           BIGINT PRIMARY KEY,
    member_id    TEXT    NOT NULL UNIQUE,
    org          BIGINT NOT NULL REFERENCES orgs(id),
    name         TEXT    NOT NULL,
    gender       TEXT    NOT NULL,
    birth_date   BIGINT NOT NULL,
    joined_on    BIGINT NOT NULL,
    status       TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    monthly_dues BIGINT NOT NULL,
    batch_id     BIGINT NOT NULL
);
CREATE INDEX members_org ON members(org);

CREATE TABLE activities (
    id          BIGINT PRIMARY KEY,
    activity_id TEXT    NOT NULL UNIQUE,
    org         BIGINT NOT NULL REFERENCES orgs(id),
    kind        TEXT    NOT NULL,
    held_at     BIGINT NOT NULL,
    title       TEXT    NOT NULL,
    batch_id    BIGINT NOT NULL
);
CREATE INDEX activities_org ON activities(org, held_at);

-- seq is the append order: the columnar copy reads "everything after seq N".
CREATE TABLE events (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY,
    event_id    TEXT    NOT NULL UNIQUE,
    member      INTEGER NOT NULL,
    kind        SMALLINT NOT NULL,
    occurred_at BIGINT NOT NULL,
    activity    INTEGER,
    quantity    BIGINT,
    period      INTEGER,
    source      SMALLINT NOT NULL,
    batch_id    BIGINT NOT NULL
);
-- A BRIN index keeps 'events after seq N' cheap without a second B-tree on the hot insert path.
CREATE INDEX events_seq ON events USING brin (seq);

CREATE TABLE resources (
    resource_id TEXT PRIMARY KEY,
    kind        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    tags        TEXT    NOT NULL,
    batch_id    BIGINT NOT NULL
);

CREATE TABLE transfers (
    transfer_id  TEXT PRIMARY KEY,
    member       BIGINT NOT NULL REFERENCES members(id),
    from_org     BIGINT NOT NULL REFERENCES orgs(id),
    to_org       BIGINT NOT NULL REFERENCES orgs(id),
    requested_on BIGINT NOT NULL,
    completed_on BIGINT,
    batch_id     BIGINT NOT NULL
);

CREATE TABLE ratings (
    org      BIGINT NOT NULL REFERENCES orgs(id),
    year     INTEGER NOT NULL,
    stars    INTEGER NOT NULL,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (org, year)
);

CREATE TABLE projects (
    project_id   TEXT PRIMARY KEY,
    org          BIGINT NOT NULL REFERENCES orgs(id),
    title        TEXT    NOT NULL,
    started_on   BIGINT NOT NULL,
    due_on       BIGINT NOT NULL,
    completed_on BIGINT,
    progress     BIGINT NOT NULL,
    batch_id     BIGINT NOT NULL
);

CREATE TABLE candidates (
    candidate_id TEXT    NOT NULL,
    step         TEXT    NOT NULL,
    org          BIGINT NOT NULL REFERENCES orgs(id),
    name         TEXT    NOT NULL,
    step_on      BIGINT NOT NULL,
    batch_id     BIGINT NOT NULL,
    PRIMARY KEY (candidate_id, step)
);
