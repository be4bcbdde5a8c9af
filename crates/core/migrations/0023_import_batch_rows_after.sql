-- For an update: the values the import set in the fields it changed (same keys
-- as `before`). Its undo puts a field back only while it still holds the value
-- the import set: a value changed since — by hand, by a later import, on another
-- desktop — stays, while one put back by undoing a later import is the
-- import's again (clocks could not tell that: the later undo's are newer).
-- The clock range of 0022 now tells only whether a row the import added
-- (an address, a membership, a photo's file) was edited since. NULL for
-- records made before this.
ALTER TABLE import_batch_rows ADD COLUMN after TEXT;
-- Whether the batch's records carry `after` (1 for imports made since), so its
-- undo can keep values changed since.
ALTER TABLE import_batches ADD COLUMN records_after INTEGER NOT NULL DEFAULT 0;
