-- The sync hub's tables on PostgreSQL. Text the LWW order and snapshot cursor compare is COLLATE "C" (byte order, as the desktop compares). Ids are hyphenated UUID text; times are Unix ms.
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- The newest sequence number of the workspace's change log: bumped inside the
    -- push transaction, so sequence order is commit order.
    head BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, email)
);
CREATE INDEX accounts_email ON accounts(email);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    node TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    token_hash TEXT NOT NULL UNIQUE,
    acked BIGINT NOT NULL DEFAULT 0,
    revoked_at BIGINT,
    last_seen BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, node)
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE changes (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    seq BIGINT NOT NULL,
    node TEXT COLLATE "C" NOT NULL,
    -- NULL for changes the server writes itself (staff records).
    device_counter BIGINT,
    tbl TEXT COLLATE "C" NOT NULL,
    row_id TEXT COLLATE "C" NOT NULL,
    hlc BIGINT NOT NULL,
    fields TEXT NOT NULL,
    PRIMARY KEY (workspace_id, seq)
);

CREATE TABLE field_state (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    tbl TEXT COLLATE "C" NOT NULL,
    row_id TEXT COLLATE "C" NOT NULL,
    col TEXT COLLATE "C" NOT NULL,
    value TEXT NOT NULL,
    hlc BIGINT NOT NULL,
    node TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (workspace_id, tbl, row_id, col)
);
