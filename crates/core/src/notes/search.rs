//! Finding notes: word prefixes through the word index over folded bodies and
//! tags (so "cafe" finds "Cafés"), filtered by tag and user, newest first.

use sqlx::SqlitePool;

use super::model::{NoteHit, NoteQuery, NoteSearch};
use super::read::{note_of, with_tags, NOTE_COLUMNS};
use crate::error::Result;
use crate::search::{fts_literal, search_words, user_name_of, USER_NAME_COLUMNS};
use crate::store::tag_phrase;

/// Most hits one search returns.
const MAX_LIMIT: i64 = 500;

pub(super) async fn search(pool: &SqlitePool, query: &NoteQuery) -> Result<NoteSearch> {
    let (words, query_too_short) = search_words(&query.text);
    let mut terms = Vec::with_capacity(words.len());
    for word in &words {
        terms.push(prefix_expression(pool, word).await?);
    }
    let tag = query
        .tag
        .as_deref()
        .map(|t| t.trim().trim_start_matches('#'))
        .filter(|t| !t.is_empty());

    let mut filters = vec!["n._deleted = 0".to_owned(), "u._deleted = 0".to_owned()];
    let mut binds: Vec<String> = Vec::new();
    // Words and tag both go to the index, which intersects them. Newest first: notes
    // get rids in the order they were written here, and FTS5 walks its index by
    // rowid, so ORDER BY rowid DESC stops at the limit instead of sorting every match.
    let mut expr: Vec<String> = terms;
    if let Some(tag) = tag {
        expr.push(tag_phrase(tag));
    }
    let (from, order) = if expr.is_empty() {
        // One user's notes come from notes_by_user (user, created_at); all notes
        // from the newest rid back.
        let order = if query.user_id.is_some() {
            "n.created_at DESC"
        } else {
            "n.rid DESC"
        };
        ("notes n", order)
    } else {
        filters.push("notes_fts MATCH ?".into());
        binds.push(expr.join(" AND "));
        (
            "notes_fts f JOIN notes n ON n.rid = f.rowid",
            "f.rowid DESC",
        )
    };
    if let Some(user) = query.user_id {
        filters.push("n.user_id = ?".into());
        binds.push(user.to_string());
    }
    let sql = format!(
        "SELECT {NOTE_COLUMNS}, {USER_NAME_COLUMNS} \
         FROM {from} JOIN users u ON u.id = n.user_id \
         LEFT JOIN staff s ON s.id = n.author_id \
         WHERE {} ORDER BY {order} LIMIT ?",
        filters.join(" AND ")
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q
        .bind(query.limit.clamp(1, MAX_LIMIT))
        .fetch_all(pool)
        .await?;
    let mut names = Vec::with_capacity(rows.len());
    let mut notes = Vec::with_capacity(rows.len());
    for r in &rows {
        names.push(user_name_of(r)?);
        notes.push(note_of(r)?);
    }
    let notes = with_tags(pool, notes).await?;
    let hits = notes
        .into_iter()
        .zip(names)
        .map(|(note, user_name)| NoteHit { note, user_name })
        .collect();
    Ok(NoteSearch {
        hits,
        query_too_short,
    })
}

/// Terms a prefix may expand to before the index's own prefix search is cheaper.
const MAX_EXPANSION: i64 = 64;
/// Prefix lengths the index keeps a prefix index for (migration 0008's `prefix`).
const INDEXED_PREFIX_CHARS: usize = 3;

/// One searched word as an FTS5 expression matching every term it is a prefix of.
///
/// FTS5 answers `"word"*` by merging the postings of every matching term in memory
/// before `ORDER BY rowid DESC LIMIT n` can stop, which for a common word means
/// reading hundreds of thousands of entries. The same set of terms written out —
/// `("word" OR "words")` — is read lazily, newest first, and stops at the limit. So a
/// word with few completions is expanded through the index's vocabulary; one with
/// many, or short enough for the prefix index, stays a prefix query.
async fn prefix_expression(pool: &SqlitePool, word: &str) -> Result<String> {
    let prefix = format!("{}*", fts_literal(word));
    // Words the tokenizer splits ("follow-up") are phrase prefixes; leave them be.
    let one_token = word.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !one_token || word.chars().count() <= INDEXED_PREFIX_CHARS {
        return Ok(prefix);
    }
    // Terms sort by their UTF-8 bytes: every term starting with `word` lies in
    // [word, word + U+10FFFF).
    let upper = format!("{word}\u{10FFFF}");
    let terms: Vec<String> = sqlx::query_scalar(
        "SELECT term FROM notes_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
    )
    .bind(word)
    .bind(&upper)
    .bind(MAX_EXPANSION + 1)
    .fetch_all(pool)
    .await?;
    Ok(match terms.len() as i64 {
        // No term has this prefix: the word itself finds nothing, at once.
        0 => fts_literal(word),
        n if n > MAX_EXPANSION => prefix,
        _ => format!(
            "({})",
            terms
                .iter()
                .map(|t| fts_literal(t))
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
    })
}
