//! Finding notes: word prefixes through the word index over folded bodies and
//! tags (so "cafe" finds "Cafés"), filtered by tag and user, newest first.

use sqlx::SqlitePool;

use super::model::{NoteHit, NoteQuery, NoteSearch};
use super::read::{note_of, with_tags, NOTE_COLUMNS};
use crate::error::Result;
use crate::search::{user_name_of, word_prefix_match, USER_NAME_COLUMNS};
use crate::store::tag_phrase;

/// Most hits one search returns.
const MAX_LIMIT: i64 = 500;

pub(super) async fn search(pool: &SqlitePool, query: &NoteQuery) -> Result<NoteSearch> {
    let (words, query_too_short) = word_prefix_match(&query.text);
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
    let mut expr: Vec<String> = words.into_iter().collect();
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
