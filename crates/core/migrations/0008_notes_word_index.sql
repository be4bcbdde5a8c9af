-- Note search by words and word prefixes instead of trigrams. On a million notes a
-- trigram index had to intersect huge posting lists for every word of a query
-- (p99 100–150 ms for two words); whole words are selective. Tags get a column of
-- their own keys (one token per tag: folded, non-alphanumerics as '_') so a tag
-- filter matches exactly that tag. Contentless, rowid = notes.rid, text folded by
-- Kith before it is indexed. The store rebuilds the index when it sees the
-- 'rebuild:notes_fts' mark (see store::derived).
DROP TABLE notes_fts;
CREATE VIRTUAL TABLE notes_fts USING fts5 (
    body, tags, tag_keys,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2 tokenchars ''_''',
    prefix = '2 3'
);
INSERT INTO meta (key, value) VALUES ('rebuild:notes_fts', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
