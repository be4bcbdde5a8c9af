-- The activity history (issue 4). (0009 belongs to the custom field kinds.)

-- The computers of the workspace, so a change's node can be shown as "Front desk PC,
-- Dana". id = the device's node id. staff_id: who uses it now. Synced.
CREATE TABLE devices (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    name     TEXT,
    staff_id TEXT,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);

-- What each applied change did to a user's record and the records hanging off it:
-- one row per field that changed value, with the value before and after. Written by
-- the store in the same transaction as the change itself (store/activity_log.rs), for
-- local edits, imports and merged remote changes alike, so it cannot drift from the
-- data. Creations are not logged here: the created rows themselves carry when, who
-- and what (see activity/read.rs). Device-local and derived; never synced.
--   kind:   changed | deleted | restored
--   tbl:    the synced table written (users, user_field_values, notes, tasks, attachments)
--   at:     the winning change's clock, epoch milliseconds
--   node:   the device that made the change; staff_id: who used it then, if known
--   origin: edit | sync | import:<batch id> | undo:<batch id>
CREATE TABLE activity (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id  TEXT NOT NULL,
    at       INTEGER NOT NULL,
    node     TEXT NOT NULL,
    staff_id TEXT,
    origin   TEXT NOT NULL,
    kind     TEXT NOT NULL,
    tbl      TEXT NOT NULL,
    row      TEXT NOT NULL,
    field    TEXT,
    old      TEXT,
    new      TEXT
);
CREATE INDEX activity_by_user ON activity (user_id, at DESC);

-- The history lists a user's notes, tasks and files deleted or not: the per-user
-- indexes cover every row, not only live ones.
DROP INDEX notes_by_user;
CREATE INDEX notes_by_user ON notes (user_id, created_at DESC);
DROP INDEX tasks_by_user;
CREATE INDEX tasks_by_user ON tasks (user_id, created_at DESC);
DROP INDEX attachments_by_user;
CREATE INDEX attachments_by_user ON attachments (user_id, created_at DESC);
