-- Kith local store, first schema. Never edit a released migration: add a new one.
--
-- Every synced table has: rid (stable integer key for indexes and FTS), id (the row's
-- UUID, what changes name), its registry columns, the tombstone _deleted, and the row
-- clock (_hlc, _node). The row clock is set only when the change that created the row
-- here carried every column; it then stands for all of them, so a bulk import does not
-- cost a clock row per field. Any later write records its own clock in field_clock.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Device-local preferences; never synced.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE field_clock (
    tbl  TEXT NOT NULL,
    row  TEXT NOT NULL,
    col  TEXT NOT NULL,
    hlc  INTEGER NOT NULL,
    node TEXT NOT NULL,
    PRIMARY KEY (tbl, row, col)
) WITHOUT ROWID;

-- The outbox: local changes not yet acknowledged by a server, written in the same
-- transaction as the data they describe.
CREATE TABLE pending_changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl    TEXT NOT NULL,
    row    TEXT NOT NULL,
    hlc    INTEGER NOT NULL,
    node   TEXT NOT NULL,
    fields TEXT NOT NULL
);

CREATE TABLE users (
    rid                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    first_name         TEXT,
    last_name          TEXT,
    email              TEXT,
    mobile_phone       TEXT,
    home_phone         TEXT,
    app_user_id        TEXT,
    stripe_customer_id TEXT,
    location_id        TEXT,
    generated_password TEXT,
    source             TEXT,
    created_at         INTEGER,
    deleted_at         INTEGER,
    _deleted           INTEGER NOT NULL DEFAULT 0,
    _hlc               INTEGER NOT NULL DEFAULT 0,
    _node              TEXT NOT NULL DEFAULT '',
    -- Derived locally from the columns above (see store::derive); never synced.
    name_key           TEXT NOT NULL DEFAULT '',
    last_key           TEXT NOT NULL DEFAULT '',
    email_key          TEXT,
    _activity          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX users_by_name ON users (name_key, rid) WHERE _deleted = 0;
CREATE INDEX users_by_last ON users (last_key, rid) WHERE _deleted = 0;
CREATE INDEX users_by_created ON users (created_at DESC, rid) WHERE _deleted = 0;
CREATE INDEX users_by_activity ON users (_activity DESC, rid) WHERE _deleted = 0;
CREATE INDEX users_by_deleted_at ON users (deleted_at DESC) WHERE _deleted = 1;
CREATE INDEX users_by_email ON users (email_key);
CREATE INDEX users_by_mobile ON users (mobile_phone);
CREATE INDEX users_by_home ON users (home_phone);
CREATE INDEX users_by_app_user_id ON users (app_user_id);
CREATE INDEX users_by_stripe_id ON users (stripe_customer_id);

-- Substring search over folded (lower-case, accent-free) names and emails and the
-- digits of phone numbers. Contentless: the text lives in users; rowid = users.rid.
CREATE VIRTUAL TABLE users_fts USING fts5 (
    name, email, phone,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram'
);

CREATE TABLE teams (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    name     TEXT,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE user_teams (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    user_id  TEXT,
    team_id  TEXT,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_teams_by_user ON user_teams (user_id);

CREATE TABLE locations (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    name     TEXT,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE user_social_links (
    rid      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    user_id  TEXT,
    network  TEXT,
    url      TEXT,
    _deleted INTEGER NOT NULL DEFAULT 0,
    _hlc     INTEGER NOT NULL DEFAULT 0,
    _node    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_social_links_by_user ON user_social_links (user_id);

CREATE TABLE user_addresses (
    rid         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    user_id     TEXT,
    label       TEXT,
    street      TEXT,
    city        TEXT,
    region      TEXT,
    postal_code TEXT,
    country     TEXT,
    _deleted    INTEGER NOT NULL DEFAULT 0,
    _hlc        INTEGER NOT NULL DEFAULT 0,
    _node       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_addresses_by_user ON user_addresses (user_id);

CREATE TABLE user_push_tokens (
    rid          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    user_id      TEXT,
    platform     TEXT,
    token        TEXT,
    last_seen_at INTEGER,
    _deleted     INTEGER NOT NULL DEFAULT 0,
    _hlc         INTEGER NOT NULL DEFAULT 0,
    _node        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_push_tokens_by_user ON user_push_tokens (user_id);

CREATE TABLE user_cards (
    rid       INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    user_id   TEXT,
    brand     TEXT,
    last4     TEXT,
    exp_month INTEGER,
    exp_year  INTEGER,
    _deleted  INTEGER NOT NULL DEFAULT 0,
    _hlc      INTEGER NOT NULL DEFAULT 0,
    _node     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_cards_by_user ON user_cards (user_id);
