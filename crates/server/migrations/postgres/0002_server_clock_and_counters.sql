-- The clock of the workspace's server node (the changes the server writes itself),
-- kept next to the head and bumped in the same locked update, so writing a staff
-- record does not scan the log for the node's newest clock. Changes without a
-- device counter are exactly the server node's.
ALTER TABLE workspaces ADD COLUMN server_hlc BIGINT NOT NULL DEFAULT 0;
UPDATE workspaces SET server_hlc = COALESCE(
    (SELECT MAX(c.hlc) FROM changes c
     WHERE c.workspace_id = workspaces.id AND c.device_counter IS NULL), 0);

-- A retried push is compared with what the log holds for those device counters.
CREATE INDEX changes_node_counter ON changes(workspace_id, node, device_counter);
