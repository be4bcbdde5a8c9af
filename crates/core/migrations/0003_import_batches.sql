-- Every import is recorded as a batch, with what it did to each user, so it can be
-- undone. Device-local bookkeeping: the users it wrote sync like any other change.
CREATE TABLE import_batches (
    id          TEXT PRIMARY KEY,
    file_name   TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    skipped     INTEGER NOT NULL,
    failed      INTEGER NOT NULL,
    undone_at   INTEGER
) WITHOUT ROWID;

-- action: 'created' or 'updated'; before: for updates, the JSON object of the
-- fields the import changed, with their values before it.
CREATE TABLE import_batch_rows (
    batch   TEXT NOT NULL,
    user_id TEXT NOT NULL,
    action  TEXT NOT NULL,
    before  TEXT,
    PRIMARY KEY (batch, user_id)
) WITHOUT ROWID;
