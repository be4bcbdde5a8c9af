-- The words of the notes index, for expanding a searched prefix (notes/search.rs).
-- Migration 0012 read them through fts5vocab, which counts the postings of every
-- term it visits: looking up the completions of a word in half the notes ("called")
-- read all its postings, 20 ms of a search that then took 3. This table holds each
-- term once and is read as a plain index range.
--
-- It only grows: a term whose last note is gone stays, and a search expanding to it
-- just finds nothing more with it.
CREATE TABLE notes_terms (
    term TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Its terms come from SQLite's own tokenizer, so they are exactly the index's: a
-- write's texts go into this scratch index (same tokenizer), its few terms are read
-- out through the vocabulary table into notes_terms, and the scratch is emptied.
CREATE VIRTUAL TABLE notes_terms_scratch USING fts5 (
    body, tags, tag_keys,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2 tokenchars ''_'''
);
CREATE VIRTUAL TABLE notes_terms_scratch_vocab USING fts5vocab (notes_terms_scratch, 'row');

INSERT INTO notes_terms (term) SELECT term FROM notes_fts_terms;
DROP TABLE notes_fts_terms;
