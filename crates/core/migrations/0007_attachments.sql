-- Files attached to users (issue 4). The bytes live in the content-addressed blob
-- store beside the database (blobs/ab/cdef…, named by their SHA-256); a row holds
-- what the team sees and syncs: the display name, type, size and hash. Synced.

-- kind: image | video | audio | document | other, derived from mime at attach.
-- created_at in epoch milliseconds; created_by: a staff id, or NULL.
CREATE TABLE attachments (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    user_id    TEXT,
    name       TEXT,
    mime       TEXT,
    size       INTEGER,
    sha256     TEXT,
    kind       TEXT,
    created_at INTEGER,
    created_by TEXT,
    _deleted   INTEGER NOT NULL DEFAULT 0,
    _hlc       INTEGER NOT NULL DEFAULT 0,
    _node      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attachments_by_user ON attachments (user_id, created_at DESC) WHERE _deleted = 0;
-- Every row, deleted or not: a blob is kept while any row names it.
CREATE INDEX attachments_by_sha256 ON attachments (sha256);
-- The Files view filtered by type only, newest first (rid is in every index).
CREATE INDEX attachments_by_kind ON attachments (kind) WHERE _deleted = 0;

-- Search over file names: the folded display name. Contentless; rowid = attachments.rid.
CREATE VIRTUAL TABLE attachments_fts USING fts5 (
    name,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram'
);
