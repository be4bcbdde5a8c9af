-- Device-local sync state: never synced, never sent anywhere but this desktop.
--
-- sync_state holds one value per key: the server and account signed in to, the
-- pull cursor, whether the first snapshot is in, the counter base of the outbox
-- (device counter = pending_changes.seq - base), the last sync time and error.
-- The device token is not here: it lives in the OS keychain or a 0600 file.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Files whose bytes still have to go to the server ('up') or come from it
-- ('down'). A row leaves when the transfer is complete and verified.
CREATE TABLE sync_blobs (
    sha256     TEXT NOT NULL,
    direction  TEXT NOT NULL CHECK (direction IN ('up', 'down')),
    size       INTEGER,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (sha256, direction)
) WITHOUT ROWID;
