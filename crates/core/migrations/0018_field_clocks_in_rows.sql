-- Field clocks kept in their row, as a JSON object {"column": [hlc, "node"], …} in
-- a `_clocks` column of every synced table (NULL: no field clock, the row clock
-- stands for every column), instead of the field_clock table.
--
-- The merge reads a row before it writes it and rewrites the row anyway, so the
-- clocks now come and go with it: applying remote edits no longer reads the clocks
-- in a second query and upserts one index entry per field won. Remote edits of
-- existing users merge about a fifth faster (BENCHMARKS.md, issue 5, session 16).
--
-- The object's keys are in name order (json_group_object over field_clock's key
-- order), as the store writes them.
-- A migration that rebuilds a synced table from here on carries `_clocks` over.

ALTER TABLE users ADD COLUMN _clocks TEXT;
ALTER TABLE teams ADD COLUMN _clocks TEXT;
ALTER TABLE user_teams ADD COLUMN _clocks TEXT;
ALTER TABLE locations ADD COLUMN _clocks TEXT;
ALTER TABLE user_social_links ADD COLUMN _clocks TEXT;
ALTER TABLE user_addresses ADD COLUMN _clocks TEXT;
ALTER TABLE user_push_tokens ADD COLUMN _clocks TEXT;
ALTER TABLE user_cards ADD COLUMN _clocks TEXT;
ALTER TABLE custom_fields ADD COLUMN _clocks TEXT;
ALTER TABLE custom_field_options ADD COLUMN _clocks TEXT;
ALTER TABLE user_field_values ADD COLUMN _clocks TEXT;
ALTER TABLE staff ADD COLUMN _clocks TEXT;
ALTER TABLE notes ADD COLUMN _clocks TEXT;
ALTER TABLE note_tags ADD COLUMN _clocks TEXT;
ALTER TABLE note_versions ADD COLUMN _clocks TEXT;
ALTER TABLE task_statuses ADD COLUMN _clocks TEXT;
ALTER TABLE task_categories ADD COLUMN _clocks TEXT;
ALTER TABLE tasks ADD COLUMN _clocks TEXT;
ALTER TABLE attachments ADD COLUMN _clocks TEXT;
ALTER TABLE user_images ADD COLUMN _clocks TEXT;
ALTER TABLE devices ADD COLUMN _clocks TEXT;

UPDATE users SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'users' AND f.rid = users.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'users');
UPDATE teams SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'teams' AND f.rid = teams.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'teams');
UPDATE user_teams SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'user_teams' AND f.rid = user_teams.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'user_teams');
UPDATE locations SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'locations' AND f.rid = locations.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'locations');
UPDATE user_social_links SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'user_social_links' AND f.rid = user_social_links.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'user_social_links');
UPDATE user_addresses SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'user_addresses' AND f.rid = user_addresses.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'user_addresses');
UPDATE user_push_tokens SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'user_push_tokens' AND f.rid = user_push_tokens.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'user_push_tokens');
UPDATE user_cards SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'user_cards' AND f.rid = user_cards.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'user_cards');
UPDATE custom_fields SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'custom_fields' AND f.rid = custom_fields.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'custom_fields');
UPDATE custom_field_options SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'custom_field_options' AND f.rid = custom_field_options.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'custom_field_options');
UPDATE user_field_values SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'user_field_values' AND f.rid = user_field_values.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'user_field_values');
UPDATE staff SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'staff' AND f.rid = staff.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'staff');
UPDATE notes SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'notes' AND f.rid = notes.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'notes');
UPDATE note_tags SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'note_tags' AND f.rid = note_tags.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'note_tags');
UPDATE note_versions SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'note_versions' AND f.rid = note_versions.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'note_versions');
UPDATE task_statuses SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'task_statuses' AND f.rid = task_statuses.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'task_statuses');
UPDATE task_categories SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'task_categories' AND f.rid = task_categories.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'task_categories');
UPDATE tasks SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'tasks' AND f.rid = tasks.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'tasks');
UPDATE attachments SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'attachments' AND f.rid = attachments.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'attachments');
UPDATE user_images SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'user_images' AND f.rid = user_images.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'user_images');
UPDATE devices SET _clocks = (
    SELECT json_group_object(f.col, json_array(f.hlc, f.node)) FROM field_clock f
    WHERE f.tbl = 'devices' AND f.rid = devices.rid
) WHERE rid IN (SELECT rid FROM field_clock WHERE tbl = 'devices');

DROP TABLE field_clock;
