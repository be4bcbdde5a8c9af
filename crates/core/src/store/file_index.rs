//! The file name search index (`attachments_fts`): the folded display name of
//! every live attachment, rowid = attachments.rid. Kept in the write transaction
//! like the notes index, so the Files view never finds a file under its old
//! name, or one that was deleted.

use sqlx::{Row, SqliteConnection};

use super::apply::{placeholders, Outcome, CHUNK};
use crate::error::Result;
use crate::schema::{self, ATTACHMENTS};
use crate::text::fold;

/// Attachment columns whose change re-indexes the row.
const INDEXED: [&str; 2] = ["name", schema::DELETED];

/// Re-indexes every attachment the batch created, renamed, deleted or restored.
pub(super) async fn after_batch(conn: &mut SqliteConnection, outcome: &Outcome) -> Result<()> {
    let ids: Vec<String> = outcome
        .rows
        .iter()
        .filter(|(table, _)| table.name == ATTACHMENTS.name)
        .filter(|(table, id)| {
            outcome.work.get(&(table.name, *id)).is_some_and(|w| {
                w.latest.is_some()
                    && (w.created_here() || w.writes.keys().any(|k| INDEXED.contains(k)))
            })
        })
        .map(|(_, id)| id.to_string())
        .collect();
    for chunk in ids.chunks(CHUNK) {
        reindex(conn, chunk).await?;
    }
    Ok(())
}

async fn reindex(conn: &mut SqliteConnection, ids: &[String]) -> Result<()> {
    let sql = format!(
        "SELECT rid, name, _deleted FROM attachments WHERE id IN ({})",
        placeholders(ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut rids = Vec::with_capacity(rows.len());
    let mut entries = Vec::with_capacity(rows.len());
    for r in rows {
        let rid: i64 = r.try_get("rid")?;
        rids.push(rid);
        let deleted: bool = r.try_get("_deleted")?;
        if let (false, Some(name)) = (deleted, r.try_get::<Option<String>, _>("name")?) {
            entries.push((rid, vec![fold(&name)]));
        }
    }
    super::fts::rewrite(conn, "attachments_fts", &["name"], &rids, &entries).await
}
