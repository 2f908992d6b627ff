-- A retired signing key verifies nothing any more (its tokens are refused
-- everywhere within a second) and never signs again. NULL while in use.
ALTER TABLE signing_keys ADD COLUMN retired_at BIGINT; -- Unix microseconds, UTC
