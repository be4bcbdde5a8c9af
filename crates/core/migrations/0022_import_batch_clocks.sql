-- The clocks an import's own writes carry: this device's node, above hlc_from and
-- up to hlc_to (the import held the writer throughout, so nothing else took a
-- clock in between). Undo reverts only the values that still carry one of them:
-- a value someone changed since stays. NULL for imports made before this, and
-- for those whose clocks a re-stamp after clock skew moved: their undo reverts
-- every value the import changed, as it always did.
ALTER TABLE import_batches ADD COLUMN hlc_from INTEGER;
ALTER TABLE import_batches ADD COLUMN hlc_to INTEGER;
