-- One row that GET /healthz rewrites (at most once a second per process)
-- to prove that the store can commit a write.
CREATE TABLE health_probe (
    one        INTEGER PRIMARY KEY,
    checked_at BIGINT  NOT NULL -- Unix microseconds, UTC
);
