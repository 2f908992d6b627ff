-- Registered instances of mobile applications (sync/authz). The rows of
-- the two tables below go with their client (ON DELETE CASCADE; SQLite
-- enforces it with PRAGMA foreign_keys, which the sqlite package sets).
CREATE TABLE mobile_clients (
    runtime    TEXT   NOT NULL,
    id         TEXT   NOT NULL,
    app_id     TEXT   NOT NULL,
    platform   TEXT   NOT NULL,
    version    TEXT   NOT NULL,
    public_key TEXT   NOT NULL, -- the public JWK (JSON), as registered
    device     TEXT   NOT NULL, -- JSON of authz.Device
    created_at BIGINT NOT NULL, -- Unix microseconds, UTC
    PRIMARY KEY (runtime, id)
);

-- The security-check states of a client: one JSON object per client, by
-- check name, replaced whole under a lock of the client's row.
CREATE TABLE mobile_check_states (
    runtime   TEXT NOT NULL,
    client_id TEXT NOT NULL,
    states    TEXT NOT NULL, -- JSON: check name -> authz.CheckState
    PRIMARY KEY (runtime, client_id),
    FOREIGN KEY (runtime, client_id) REFERENCES mobile_clients (runtime, id) ON DELETE CASCADE
);

-- Authorization codes, refresh tokens and the jti of client assertions
-- (kept until the assertion expires, so that none is replayed), by the
-- hash of their value (never the value), each taken once.
CREATE TABLE mobile_grants (
    hash         TEXT   PRIMARY KEY, -- hex SHA-256 of the value
    kind         TEXT   NOT NULL,    -- "code", "refresh" or "assertion"
    runtime      TEXT   NOT NULL,
    client_id    TEXT   NOT NULL,
    app_id       TEXT   NOT NULL,
    platform     TEXT   NOT NULL,
    version      TEXT   NOT NULL,
    scope        TEXT   NOT NULL,
    lifetime     BIGINT NOT NULL,    -- nanoseconds (a Go time.Duration)
    user_name    TEXT   NOT NULL,    -- the user a user-login check authenticated, or ''
    redirect_uri TEXT   NOT NULL,
    expires_at   BIGINT NOT NULL,    -- Unix microseconds, UTC
    FOREIGN KEY (runtime, client_id) REFERENCES mobile_clients (runtime, id) ON DELETE CASCADE
);

-- The grants of a client, by expiry: the cascade on delete and the cleanup
-- of a client's expired grants when it is given a new one.
CREATE INDEX mobile_grants_client ON mobile_grants (runtime, client_id, expires_at);
