-- People and access (docs/RULES.md §10): accounts, kiosk tokens, server-side sessions, the audit
-- log and the server's own keys. Written only by the `access` crate. The same tables as
-- SQLite's 0003_access.sql; text keys compare as bytes (COLLATE "C", as in 0002).
--
-- Times are microseconds since 1970-01-01T00:00 Asia/Shanghai local time, like every other
-- timestamp of the store (Asia/Shanghai is UTC+8 all year, so this is an instant too).
-- Secrets are never stored: a kiosk token and a session id are kept as the lowercase hex of
-- their SHA-256, an account's password as an argon2id PHC string. Organisations and members
-- are named by their interchange ids (org_id, member_id), which survive re-imports.

CREATE TABLE accounts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login         TEXT COLLATE "C" NOT NULL UNIQUE,
    role          TEXT   NOT NULL CHECK (role IN ('admin', 'officer', 'secretary', 'member', 'viewer')),
    org_id        TEXT COLLATE "C" NOT NULL,
    member_id     TEXT COLLATE "C",
    password_hash TEXT   NOT NULL,            -- $argon2id$v=19$…
    created_at    BIGINT NOT NULL,
    disabled_at   BIGINT                      -- NULL while the account may log in
);

CREATE TABLE kiosk_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT COLLATE "C" NOT NULL UNIQUE, -- hex SHA-256 of the bearer token
    org_id     TEXT COLLATE "C" NOT NULL,
    label      TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,                        -- NULL: until revoked
    revoked_at BIGINT
);

-- One row per logged-in browser (or kiosk display): the cookie holds a random id, the row
-- only its hash, so a copy of the database cannot be replayed as a cookie.
CREATE TABLE sessions (
    id_hash    TEXT COLLATE "C" PRIMARY KEY,  -- hex SHA-256 of the cookie value
    account_id BIGINT REFERENCES accounts(id),
    token_id   BIGINT REFERENCES kiosk_tokens(id),
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,               -- slides forward with use
    CHECK ((account_id IS NULL) <> (token_id IS NULL))
);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX sessions_token ON sessions(token_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Append-only: the triggers refuse UPDATE, DELETE and TRUNCATE, so not even a bug of the
-- application can rewrite history (§10: "never updated or deleted by the application").
CREATE TABLE audit (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- append order, breaks ties of `at`
    at      BIGINT NOT NULL,
    actor   TEXT   NOT NULL,                  -- login, token:LABEL, cli, or the login tried
    role    TEXT   NOT NULL,                  -- the actor's role, '' when it has none
    action  TEXT   NOT NULL,
    target  TEXT   NOT NULL,
    outcome TEXT   NOT NULL CHECK (outcome IN ('ok', 'denied')),
    ip      TEXT   NOT NULL                   -- '' when not over the network
);
CREATE INDEX audit_at ON audit(at, id);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- Keys the server generates once and keeps (e.g. `checkin`, the HMAC key of QR check-in).
CREATE TABLE server_keys (
    name       TEXT COLLATE "C" PRIMARY KEY,
    key_hex    TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
