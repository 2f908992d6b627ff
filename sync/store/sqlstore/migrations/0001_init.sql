-- Applications and the head revision of each. A deleted application keeps
-- its row (deleted = 1) and its history, so revision numbers never restart.
CREATE TABLE applications (
    runtime  TEXT    NOT NULL,
    app_id   TEXT    NOT NULL,
    platform TEXT    NOT NULL,
    version  TEXT    NOT NULL,
    head     BIGINT  NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (runtime, app_id, platform, version)
);

-- Every revision of every descriptor, in canonical form.
CREATE TABLE revisions (
    runtime    TEXT   NOT NULL,
    app_id     TEXT   NOT NULL,
    platform   TEXT   NOT NULL,
    version    TEXT   NOT NULL,
    number     BIGINT NOT NULL,
    author     TEXT   NOT NULL,
    applied_at BIGINT NOT NULL, -- Unix microseconds, UTC
    hash       TEXT   NOT NULL, -- hex SHA-256 of content
    summary    TEXT   NOT NULL, -- one line: what changed from the previous revision
    content    TEXT   NOT NULL,
    PRIMARY KEY (runtime, app_id, platform, version, number)
);

-- Confidential clients; secrets are stored as bcrypt hashes only.
CREATE TABLE clients (
    runtime       TEXT   NOT NULL,
    id            TEXT   NOT NULL,
    display_name  TEXT   NOT NULL,
    secret_hash   TEXT   NOT NULL,
    secret_set_at BIGINT NOT NULL, -- Unix microseconds; older tokens are refused
    allowed_scope TEXT   NOT NULL,
    PRIMARY KEY (runtime, id)
);

-- Token signing keys; the newest signs, older ones still verify.
CREATE TABLE signing_keys (
    id          TEXT   PRIMARY KEY,
    private_pem TEXT   NOT NULL,
    created_at  BIGINT NOT NULL -- Unix microseconds, UTC
);

-- One row once the first signing key exists, so that processes starting
-- together on an empty database create one key between them, not one each.
CREATE TABLE signing_key_bootstrap (
    one INTEGER PRIMARY KEY
);
