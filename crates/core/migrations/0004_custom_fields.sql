-- Extra user fields the team defines (kind: 'text' for now; more kinds to come),
-- and each user's values for them. Synced like every other table.
CREATE TABLE custom_fields (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    name     TEXT,
    kind     TEXT,
    position INTEGER,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);

-- One row per (user, field); its id is the UUIDv5 of the pair, so two devices
-- setting the same field of the same user write the same row.
CREATE TABLE user_field_values (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    user_id  TEXT,
    field_id TEXT,
    value    TEXT,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_field_values_by_user ON user_field_values (user_id);
