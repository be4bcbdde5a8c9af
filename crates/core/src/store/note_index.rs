//! The note search index (`notes_fts`): folded body and tags of every live note,
//! rowid = notes.rid, by words (see migration 0008): the body, the tags' words,
//! and one key token per tag for exact tag filters. Kept in the write transaction
//! like the users index, so a search never finds a note as it was before an edit, a delete or a new tag.

use std::collections::BTreeSet;

use kith_protocol::Value;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use super::apply::{placeholders, Outcome, CHUNK};
use crate::error::Result;
use crate::schema::{self, NOTES, NOTE_TAGS};
use crate::text::fold;

/// Note columns whose change re-indexes the note.
const INDEXED: [&str; 2] = ["body", schema::DELETED];

/// Re-indexes every note the batch wrote, or whose tags it changed.
pub(super) async fn after_batch(conn: &mut SqliteConnection, outcome: &Outcome) -> Result<()> {
    let mut notes: BTreeSet<Uuid> = BTreeSet::new();
    let mut tag_rows_without_note: Vec<String> = Vec::new();
    for (table, id) in &outcome.rows {
        let Some(w) = outcome.work.get(&(table.name, *id)) else {
            continue;
        };
        if w.latest.is_none() {
            continue;
        }
        if table.name == NOTES.name
            && (w.created_here() || w.writes.keys().any(|k| INDEXED.contains(k)))
        {
            notes.insert(*id);
        } else if table.name == NOTE_TAGS.name {
            match w.writes.get("note_id").and_then(Value::as_str) {
                Some(note) => {
                    if let Ok(note) = Uuid::parse_str(note) {
                        notes.insert(note);
                    }
                }
                None => tag_rows_without_note.push(id.to_string()),
            }
        }
    }
    for chunk in tag_rows_without_note.chunks(CHUNK) {
        let sql = format!(
            "SELECT note_id FROM note_tags WHERE id IN ({}) AND note_id IS NOT NULL",
            placeholders(chunk.len())
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for note in q.fetch_all(&mut *conn).await? {
            if let Ok(note) = Uuid::parse_str(&note) {
                notes.insert(note);
            }
        }
    }
    let notes: Vec<String> = notes.into_iter().map(|n| n.to_string()).collect();
    for chunk in notes.chunks(CHUNK) {
        reindex(conn, chunk).await?;
    }
    Ok(())
}

async fn reindex(conn: &mut SqliteConnection, notes: &[String]) -> Result<()> {
    // Tags cannot hold control characters (notes::clean_tags): U+001F separates them.
    let sql = format!(
        "SELECT n.rid, n.body, n._deleted, \
                (SELECT group_concat(t.tag, char(31)) FROM note_tags t \
                  WHERE t.note_id = n.id AND t._deleted = 0) AS tags \
         FROM notes n WHERE n.id IN ({})",
        placeholders(notes.len())
    );
    let mut q = sqlx::query(&sql);
    for id in notes {
        q = q.bind(id);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let rids: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get::<i64, _>("rid"))
        .collect::<std::result::Result<_, _>>()?;
    let mut entries: Vec<(i64, Vec<String>)> = Vec::with_capacity(rows.len());
    for r in rows {
        let deleted: bool = r.try_get("_deleted")?;
        let Some(body) = r.try_get::<Option<String>, _>("body")? else {
            continue;
        };
        if deleted {
            continue;
        }
        let tags: Option<String> = r.try_get("tags")?;
        let tags: Vec<&str> = tags
            .as_deref()
            .map_or(Vec::new(), |t| t.split('\u{1f}').collect());
        let words = tags.iter().map(|t| fold(t)).collect::<Vec<_>>().join(" ");
        let keys = tags
            .iter()
            .map(|t| tag_key(t))
            .collect::<Vec<_>>()
            .join(" ");
        entries.push((r.try_get("rid")?, vec![fold(&body), words, keys]));
    }
    record_terms(conn, &entries).await?;
    super::fts::rewrite(
        conn,
        "notes_fts",
        &["body", "tags", "tag_keys"],
        &rids,
        &entries,
    )
    .await
}

/// Adds the terms of `entries` to `notes_terms` (migration 0015), tokenized by
/// the index's own tokenizer through a scratch index emptied again at once.
async fn record_terms(conn: &mut SqliteConnection, entries: &[(i64, Vec<String>)]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    super::fts::rewrite(
        conn,
        "notes_terms_scratch",
        &["body", "tags", "tag_keys"],
        &[],
        entries,
    )
    .await?;
    sqlx::query(
        "INSERT OR IGNORE INTO notes_terms (term) SELECT term FROM notes_terms_scratch_vocab",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO notes_terms_scratch (notes_terms_scratch) VALUES ('delete-all')")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A tag as one token of the `tag_keys` column: folded, every character that is
/// not a letter or digit as `_` (a token character of the index), so "Follow up"
/// and "follow-up" are the key `follow_up`, and no other tag contains it.
fn tag_key(tag: &str) -> String {
    fold(tag.trim().trim_start_matches('#'))
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect()
}

/// The FTS5 query term that finds notes tagged `tag`.
pub(crate) fn tag_phrase(tag: &str) -> String {
    format!("tag_keys : \"{}\"", tag_key(tag))
}

/// Indexes every note again: after a migration redefined the index.
pub(super) async fn rebuild(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("DELETE FROM notes_fts")
        .execute(&mut *conn)
        .await?;
    let mut after = 0i64;
    loop {
        let ids: Vec<(i64, String)> = sqlx::query_as(
            "SELECT rid, id FROM notes WHERE rid > ? AND _deleted = 0 ORDER BY rid LIMIT ?",
        )
        .bind(after)
        .bind(CHUNK as i64)
        .fetch_all(&mut *conn)
        .await?;
        let Some((last, _)) = ids.last() else {
            return Ok(());
        };
        after = *last;
        let ids: Vec<String> = ids.into_iter().map(|(_, id)| id).collect();
        reindex(conn, &ids).await?;
    }
}
