-- Sign-in attempts per (client address, email), kept in the database so that every
-- server instance on it shares the limit (ratelimit.rs). key_hash is a SHA-256 of
-- the pair (out of plain sight, not secret); times are the attempts still counted,
-- Unix ms, comma-separated, oldest first; last_at is the newest, for sweeping keys
-- whose attempts all left the window.
CREATE TABLE login_attempts (
    key_hash TEXT PRIMARY KEY,
    times TEXT NOT NULL,
    last_at BIGINT NOT NULL
);
CREATE INDEX login_attempts_last_at ON login_attempts(last_at);
