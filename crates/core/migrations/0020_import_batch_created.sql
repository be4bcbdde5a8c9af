-- The teams and custom fields an import created (tbl: 'teams' or 'custom_fields'),
-- so undoing it can remove those nobody uses any more. Device-local bookkeeping,
-- like import_batch_rows.
CREATE TABLE import_batch_created (
    batch TEXT NOT NULL,
    tbl   TEXT NOT NULL,
    row   TEXT NOT NULL,
    PRIMARY KEY (batch, tbl, row)
) WITHOUT ROWID;
