-- The CRM around each user (issue 4): the team directory, notes with tags and
-- versions, and tasks with the team's statuses and categories. All synced.

-- Staff: who works in the workspace. The staff member using a desktop is a
-- device-local setting, not a row here.
CREATE TABLE staff (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    name     TEXT,
    email    TEXT,
    color    TEXT,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);

-- A note on a user. created_at/edited_at are milliseconds since the epoch.
CREATE TABLE notes (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    user_id    TEXT,
    body       TEXT,
    author_id  TEXT,
    pinned     INTEGER,
    created_at INTEGER,
    edited_at  INTEGER,
    _deleted   INTEGER NOT NULL DEFAULT 0,
    _hlc       INTEGER NOT NULL DEFAULT 0,
    _node      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notes_by_user ON notes (user_id, created_at DESC) WHERE _deleted = 0;

-- A tag on a note: id = UUIDv5(note, folded tag), so two devices tagging the same
-- note alike write one row.
CREATE TABLE note_tags (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    note_id  TEXT,
    tag      TEXT,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX note_tags_by_note ON note_tags (note_id);
CREATE INDEX note_tags_by_tag ON note_tags (tag COLLATE NOCASE, note_id) WHERE _deleted = 0;

-- The text a note had before an edit replaced it, and who wrote that text.
CREATE TABLE note_versions (
    rid         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    note_id     TEXT,
    body        TEXT,
    author_id   TEXT,
    replaced_at INTEGER,
    _deleted    INTEGER NOT NULL DEFAULT 0,
    _hlc        INTEGER NOT NULL DEFAULT 0,
    _node       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX note_versions_by_note ON note_versions (note_id, replaced_at DESC);

-- Search over notes: folded body and tags. Contentless; rowid = notes.rid.
CREATE VIRTUAL TABLE notes_fts USING fts5 (
    body, tags,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram'
);

CREATE TABLE task_statuses (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    name     TEXT,
    is_done  INTEGER,
    position INTEGER,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE task_categories (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    name     TEXT,
    position INTEGER,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);

-- due_date: 'YYYY-MM-DD'; due_time: 'HH:MM' or NULL for "any time that day";
-- priority: none | low | medium | high | urgent; times in epoch milliseconds.
CREATE TABLE tasks (
    rid          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    user_id      TEXT,
    title        TEXT,
    description  TEXT,
    assignee_id  TEXT,
    due_date     TEXT,
    due_time     TEXT,
    priority     TEXT,
    status_id    TEXT,
    category_id  TEXT,
    created_at   INTEGER,
    created_by   TEXT,
    completed_at INTEGER,
    _deleted     INTEGER NOT NULL DEFAULT 0,
    _hlc         INTEGER NOT NULL DEFAULT 0,
    _node        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tasks_by_user ON tasks (user_id) WHERE _deleted = 0;
CREATE INDEX tasks_by_due ON tasks (due_date, due_time) WHERE _deleted = 0;
CREATE INDEX tasks_by_assignee ON tasks (assignee_id) WHERE _deleted = 0;
