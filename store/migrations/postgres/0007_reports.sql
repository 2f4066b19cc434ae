-- The monthly reports (docs/RULES.md §6/§11), written only by the `operations` crate.
-- A month is generated once: its `report_runs` row and every report of it are committed in
-- one transaction, and never changed afterwards (later data never changes a report). The
-- body is the report's figures as JSON (domain::report), frozen when generated.

CREATE TABLE report_runs (
    month             TEXT COLLATE "C" PRIMARY KEY,  -- YYYY-MM
    generated_at      BIGINT  NOT NULL,
    rules_version     BIGINT  NOT NULL,
    catalogue_version BIGINT  NOT NULL,
    data_seq          BIGINT  NOT NULL,              -- the newest event sequence number read
    member_reports    BIGINT  NOT NULL,
    branch_reports    BIGINT  NOT NULL
);

CREATE TABLE reports (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    month        TEXT COLLATE "C" NOT NULL REFERENCES report_runs(month),
    kind         TEXT    NOT NULL CHECK (kind IN ('member', 'branch')),
    subject_id   TEXT COLLATE "C" NOT NULL,          -- member_id or org_id
    subject_name TEXT    NOT NULL,
    org_id       TEXT COLLATE "C" NOT NULL,          -- the member's organisation, or the branch
    body         TEXT    NOT NULL,
    UNIQUE (month, kind, subject_id)
);
CREATE INDEX reports_org ON reports(org_id, month, kind);
