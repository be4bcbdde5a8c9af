-- Custom fields of every kind (issue 4): text, long text, number, money, date,
-- checkbox, single and multi select, URL, email and phone.
--
-- A field says whether it is required (enforced where staff type a user in by hand,
-- not on import) and, for money, the currency its amounts default to.
ALTER TABLE custom_fields ADD COLUMN required INTEGER;
ALTER TABLE custom_fields ADD COLUMN currency TEXT;

-- The options of a single or multi select field, one synced row each rather than a
-- list in one column of the field: two desktops that add different options offline
-- keep both (a list column would keep only the last writer's list), and two that add
-- the same option write the same row, because its id is the UUIDv5 of (field, folded
-- label). A rename keeps the id; values name options by id, so they follow it.
CREATE TABLE custom_field_options (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    field_id TEXT,
    label    TEXT,
    position INTEGER,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX custom_field_options_by_field ON custom_field_options (field_id);

-- A field's values: what a change of kind converts, and the users whose search entry a
-- renamed option or a deleted field changes.
CREATE INDEX user_field_values_by_field ON user_field_values (field_id);

-- Search over custom values, one entry per user who has any (rowid = users.rid): the
-- folded text of text-ish values and option labels, and the digits of phone values.
-- Beside users_fts rather than inside it, so users without custom values (every user
-- of a plain import) cost nothing, and adding it needs no rebuild of the user index.
-- Contentless; filled by the store in the write transaction (store::value_index).
CREATE VIRTUAL TABLE user_values_fts USING fts5 (
    value, phone,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram'
);
-- Values imported into text fields before this migration are indexed on next open.
INSERT INTO meta (key, value) VALUES ('rebuild:user_values_fts', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
