-- The ids of spent client assertions (RFC 7523 jti), apart from codes and
-- refresh tokens: every mobile token request spends one. Kept by client in
-- one B-tree (WITHOUT ROWID on SQLite, where /*clustered*/ stands), a
-- spend writes one page where a row of mobile_grants wrote three: its
-- table's, its hash's and its client index's. hash is the SHA-256 of the
-- client id and the jti.
CREATE TABLE mobile_spent_assertions (
    runtime    TEXT   NOT NULL,
    client_id  TEXT   NOT NULL,
    hash       TEXT   NOT NULL,
    expires_at BIGINT NOT NULL, -- Unix microseconds, UTC
    PRIMARY KEY (runtime, client_id, hash),
    FOREIGN KEY (runtime, client_id) REFERENCES mobile_clients (runtime, id) ON DELETE CASCADE
) /*clustered*/;

-- The ids spent already move; the delete takes only those copied (an
-- older scoped still running may spend one in between: it stays, and is
-- swept with its client's expired grants).
INSERT INTO mobile_spent_assertions (runtime, client_id, hash, expires_at)
    SELECT runtime, client_id, hash, expires_at FROM mobile_grants WHERE kind = 'assertion';
DELETE FROM mobile_grants WHERE kind = 'assertion'
    AND hash IN (SELECT hash FROM mobile_spent_assertions);
