-- The operations loop (docs/RULES.md §11): warnings as stored facts, the outbox that
-- delivers them, the webhooks it delivers to, and the rows that claim scheduled jobs.
-- Written only by the `operations` crate. Times are microseconds since 1970-01-01T00:00
-- Asia/Shanghai local time, like every other timestamp of the store.

-- One row per (subject, month, reason), ever (§11: "a key is raised once, ever"). The light
-- only goes up (yellow → red, escalation); `state` moves open → acknowledged → resolved by a
-- person, or to `cleared` by the system when the light is green again.
CREATE TABLE warnings (
    id           INTEGER PRIMARY KEY,
    month        TEXT    NOT NULL,            -- YYYY-MM
    subject_kind TEXT    NOT NULL CHECK (subject_kind IN ('member', 'org')),
    subject_id   TEXT    NOT NULL,            -- member_id or org_id
    org_id       TEXT    NOT NULL,            -- the member's organisation, or the branch itself
    subject_name TEXT    NOT NULL,            -- the member's or the branch's name when raised
    org_name     TEXT    NOT NULL,
    reason       TEXT    NOT NULL CHECK (reason IN ('dues', 'absence', 'gap', 'share')),
    light        TEXT    NOT NULL CHECK (light IN ('yellow', 'red')),
    measure      TEXT    NOT NULL,            -- the run (months) or the red share, as computed
    state        TEXT    NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved', 'cleared')),
    raised_at    INTEGER NOT NULL,
    escalated_at INTEGER,
    acked_by     TEXT,
    acked_at     INTEGER,
    resolved_by  TEXT,
    resolved_at  INTEGER,
    note         TEXT,
    cleared_at   INTEGER,
    UNIQUE (subject_kind, subject_id, month, reason)
);
CREATE INDEX warnings_month ON warnings(month, state);
CREATE INDEX warnings_org ON warnings(org_id, month);

-- Where warnings are pushed besides the in-app inboxes: a robot of a group chat or a
-- generic HTTP receiver, for the warnings of an organisation's subtree.
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    org_id     TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'generic')),
    url        TEXT    NOT NULL,
    secret     TEXT,                          -- the signing secret; NULL when unsigned
    created_at INTEGER NOT NULL,
    removed_at INTEGER
);

-- One row per (message, channel): written in the transaction of the warning it carries, so
-- a message exists exactly when its warning does. A worker claims due rows (`claimed_until`
-- fences two workers and a killed one), delivers, and marks them `delivered`, or retries
-- them with a backoff until `failed`.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    topic         TEXT    NOT NULL CHECK (topic IN ('raised', 'escalated', 'reopened', 'reports', 'test')),
    warning_id    INTEGER REFERENCES warnings(id),
    subject       TEXT    NOT NULL,           -- what the message is about, for a digest line
    account_id    INTEGER REFERENCES accounts(id),
    webhook_id    INTEGER REFERENCES webhooks(id),
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    next_at       INTEGER NOT NULL,
    claimed_until INTEGER,
    delivered_at  INTEGER,
    read_at       INTEGER,                    -- an inbox row the recipient has opened
    last_error    TEXT,
    CHECK ((account_id IS NULL) <> (webhook_id IS NULL))
);
CREATE INDEX outbox_due ON outbox(state, next_at);
CREATE INDEX outbox_account ON outbox(account_id, id);
CREATE INDEX outbox_warning ON outbox(warning_id);

-- Each request made to a robot, for its limit of 20 messages a minute across restarts.
CREATE TABLE webhook_sends (
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id),
    sent_at    INTEGER NOT NULL
);
CREATE INDEX webhook_sends_at ON webhook_sends(webhook_id, sent_at);

-- A scheduled job run (the monthly reports): the first server to insert the row runs it.
CREATE TABLE job_runs (
    job         TEXT    NOT NULL,
    period      TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (job, period)
);
