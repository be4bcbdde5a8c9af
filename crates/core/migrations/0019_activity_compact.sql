-- The activity history, compacted. Every field change of a user's record writes a
-- row here, and three UUIDs in text made up 108 of its 183 bytes, with a 57-byte
-- entry in the index by user: applying 100,000 remote three-field edits wrote
-- 55 MB of history and touched every page of that index. Now:
--   user_id: the user's UUID as 16 bytes (BLOB), in the row and in the index
--   node:    the device's node id as 16 bytes (BLOB)
--   row:     NULL for the user's own record (tbl = 'users', where it equalled
--            user_id); the row's UUID text for notes, tasks, files, custom values
-- Readers bind the UUID's bytes (activity/read.rs, store/activity_log.rs).
-- The values were always UUIDs written by Kith; one that is not (it cannot be) is
-- kept as its text's bytes rather than failing the upgrade.
CREATE TABLE activity_compact (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id  BLOB NOT NULL,
    at       INTEGER NOT NULL,
    node     BLOB NOT NULL,
    staff_id TEXT,
    origin   TEXT NOT NULL,
    kind     TEXT NOT NULL,
    tbl      TEXT NOT NULL,
    row      TEXT,
    field    TEXT,
    old      TEXT,
    new      TEXT
);

INSERT INTO activity_compact
    (seq, user_id, at, node, staff_id, origin, kind, tbl, row, field, old, new)
SELECT seq,
       coalesce(unhex(replace(user_id, '-', '')), CAST(user_id AS BLOB)),
       at,
       coalesce(unhex(replace(node, '-', '')), CAST(node AS BLOB)),
       staff_id, origin, kind, tbl,
       CASE WHEN tbl = 'users' THEN NULL ELSE row END,
       field, old, new
FROM activity ORDER BY seq;

DROP TABLE activity;
ALTER TABLE activity_compact RENAME TO activity;
CREATE INDEX activity_by_user ON activity (user_id, at DESC);
