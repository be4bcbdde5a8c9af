-- The terms of the notes word index, for expanding a searched word prefix into the
-- words it stands for (notes/search.rs): FTS5 answers `renew*` by merging every
-- matching term's postings in memory before the newest 50 can be picked, while
-- `(renew OR renewal OR renewals)` is read lazily, newest first, and stops at 50.
CREATE VIRTUAL TABLE notes_fts_terms USING fts5vocab (notes_fts, 'row');
