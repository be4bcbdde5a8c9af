-- The members a team had when it was deleted in Settings, so its Undo puts back
-- exactly those. Deleting a team takes everyone out of it (a deleted team has no
-- members on any device, so restoring a user never brings it back); restoring it
-- here reads this. Device-local bookkeeping, like import_batch_created.
CREATE TABLE team_deletions (
    team    TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (team, user_id)
) WITHOUT ROWID;
