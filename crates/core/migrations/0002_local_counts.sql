-- Counts kept by the store in the write transaction, so showing "1,000,000 users"
-- does not walk an index of a million entries. Local and derived: never synced.
CREATE TABLE local_counts (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO local_counts (name, value)
SELECT 'live_users', count(*) FROM users WHERE _deleted = 0;
