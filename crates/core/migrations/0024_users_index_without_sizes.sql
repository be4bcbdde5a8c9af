-- The users search index without its table of column sizes (columnsize = 0).
-- FTS5 keeps, by default, each entry's token count per column in users_fts_docsize,
-- for ranking by bm25(); Kith ranks its matches itself (search.rs) and never reads
-- them. Every entry added or removed wrote a row of that table too: a remote rename
-- of a user is a removal and an addition, so applying 100,000 of them cost 200,000
-- writes to a table nothing reads. Otherwise the same definition as 0016's.
DROP TABLE users_fts;
CREATE VIRTUAL TABLE users_fts USING fts5 (
    name, email, phone,
    content = '',
    columnsize = 0,
    tokenize = 'trigram'
);
INSERT INTO meta (key, value) VALUES ('rebuild:users_fts', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
