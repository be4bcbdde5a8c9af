-- Field clocks keyed by the row's rid instead of its UUID text. Keyed by UUID, the
-- clocks of consecutive rows sat on random pages of the index: applying 5,000 remote
-- edits rewrote thousands of its pages (each a WAL frame, then a checkpoint write),
-- and the lookups compared 36-byte keys. By rid, a batch's clocks sit together.
--
-- Copied in rid order, so the new table is written front to back. A clock whose row
-- is missing cannot exist (a clock is written with its row) and is not copied.
--
-- From here on a synced table's rid must never change: a migration that rebuilds
-- one keeps its rids (INSERT … SELECT rid, …), and rows are never deleted (they
-- are tombstoned), so a rid is never reused.
CREATE TABLE field_clock_by_rid (
    tbl  TEXT NOT NULL,
    rid  INTEGER NOT NULL,
    col  TEXT NOT NULL,
    hlc  INTEGER NOT NULL,
    node TEXT NOT NULL,
    PRIMARY KEY (tbl, rid, col)
) WITHOUT ROWID;

INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN users t ON t.id = f.row
    WHERE f.tbl = 'users' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN teams t ON t.id = f.row
    WHERE f.tbl = 'teams' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN user_teams t ON t.id = f.row
    WHERE f.tbl = 'user_teams' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN locations t ON t.id = f.row
    WHERE f.tbl = 'locations' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN user_social_links t ON t.id = f.row
    WHERE f.tbl = 'user_social_links' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN user_addresses t ON t.id = f.row
    WHERE f.tbl = 'user_addresses' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN user_push_tokens t ON t.id = f.row
    WHERE f.tbl = 'user_push_tokens' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN user_cards t ON t.id = f.row
    WHERE f.tbl = 'user_cards' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN custom_fields t ON t.id = f.row
    WHERE f.tbl = 'custom_fields' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN custom_field_options t ON t.id = f.row
    WHERE f.tbl = 'custom_field_options' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN user_field_values t ON t.id = f.row
    WHERE f.tbl = 'user_field_values' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN staff t ON t.id = f.row
    WHERE f.tbl = 'staff' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN notes t ON t.id = f.row
    WHERE f.tbl = 'notes' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN note_tags t ON t.id = f.row
    WHERE f.tbl = 'note_tags' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN note_versions t ON t.id = f.row
    WHERE f.tbl = 'note_versions' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN task_statuses t ON t.id = f.row
    WHERE f.tbl = 'task_statuses' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN task_categories t ON t.id = f.row
    WHERE f.tbl = 'task_categories' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN tasks t ON t.id = f.row
    WHERE f.tbl = 'tasks' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN attachments t ON t.id = f.row
    WHERE f.tbl = 'attachments' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN user_images t ON t.id = f.row
    WHERE f.tbl = 'user_images' ORDER BY t.rid;
INSERT INTO field_clock_by_rid (tbl, rid, col, hlc, node)
    SELECT f.tbl, t.rid, f.col, f.hlc, f.node FROM field_clock f JOIN devices t ON t.id = f.row
    WHERE f.tbl = 'devices' ORDER BY t.rid;

DROP TABLE field_clock;
ALTER TABLE field_clock_by_rid RENAME TO field_clock;
