-- The users search index without contentless_delete. With it, FTS5 checks every
-- posting it merges against the deleted rowids of each segment: merging the index
-- while remote renames were applied spent 39% of SQLite's time in that one check
-- (fts5MultiIterIsDeleted). Plain contentless, an entry is removed with FTS5's
-- 'delete' command and the text it was indexed with — which the store always
-- has: it reads a user's searched columns before it rewrites them, and the index
-- text is derived from them alone (store::derive). The deletion then cancels the
-- postings as segments merge. The store rebuilds the entries when it sees the
-- 'rebuild:users_fts' mark.
DROP TABLE users_fts;
CREATE VIRTUAL TABLE users_fts USING fts5 (
    name, email, phone,
    content = '',
    tokenize = 'trigram'
);
INSERT INTO meta (key, value) VALUES ('rebuild:users_fts', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
