//! Reading notes back: one query for the notes, one for their tags.

use std::collections::HashMap;

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};
use uuid::Uuid;

use super::model::Note;
use crate::error::Result;
use crate::ids::parse_id;
use crate::store::placeholders;

/// The columns [`note_of`] reads, for `FROM notes n LEFT JOIN staff s ON s.id = n.author_id`.
pub(super) const NOTE_COLUMNS: &str = "n.id, n.user_id, coalesce(n.body, '') AS body, \
     n.author_id, s.name AS author_name, coalesce(n.pinned, 0) AS pinned, \
     coalesce(n.created_at, 0) AS created_at, n.edited_at, \
     (SELECT count(*) FROM note_versions v WHERE v.note_id = n.id AND v._deleted = 0) AS versions";

/// A note from a row of [`NOTE_COLUMNS`], without its tags yet.
pub(super) fn note_of(r: &SqliteRow) -> Result<Note> {
    let author: Option<String> = r.try_get("author_id")?;
    Ok(Note {
        id: parse_id(&r.try_get::<String, _>("id")?)?,
        user_id: parse_id(
            &r.try_get::<Option<String>, _>("user_id")?
                .unwrap_or_default(),
        )?,
        body: r.try_get("body")?,
        author_id: author.as_deref().map(parse_id).transpose()?,
        author_name: r.try_get("author_name")?,
        pinned: r.try_get("pinned")?,
        created_at: r.try_get("created_at")?,
        edited_at: r.try_get("edited_at")?,
        tags: Vec::new(),
        versions: r.try_get::<i64, _>("versions")?.try_into().unwrap_or(0),
    })
}

/// Fills in the tags of `notes`.
pub(super) async fn with_tags(pool: &SqlitePool, mut notes: Vec<Note>) -> Result<Vec<Note>> {
    let mut conn = pool.acquire().await?;
    attach_tags(&mut conn, &mut notes).await?;
    Ok(notes)
}

async fn attach_tags(conn: &mut SqliteConnection, notes: &mut [Note]) -> Result<()> {
    let ids: Vec<String> = notes.iter().map(|n| n.id.to_string()).collect();
    let mut tags: HashMap<Uuid, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(crate::store::CHUNK) {
        let sql = format!(
            "SELECT note_id, tag FROM note_tags WHERE _deleted = 0 AND tag IS NOT NULL \
             AND note_id IN ({}) ORDER BY rid",
            placeholders(chunk.len())
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for (note, tag) in q.fetch_all(&mut *conn).await? {
            tags.entry(parse_id(&note)?).or_default().push(tag);
        }
    }
    for note in notes {
        note.tags = tags.remove(&note.id).unwrap_or_default();
    }
    Ok(())
}
