//! Rewriting entries of the contentless FTS5 indexes kept beside synced tables
//! (notes, file names): rowid = the row's rid, text already folded.

use sqlx::SqliteConnection;

use super::apply::placeholders;
use crate::error::Result;

/// Removes the entries of `rids` from `index`, then adds `entries` (rowid, one
/// text per column of `columns`). `index` and `columns` are static names, never
/// input. Deleting a rowid the index does not hold is harmless with
/// contentless_delete: simpler and cheaper than tracking which rows were indexed.
pub(super) async fn rewrite(
    conn: &mut SqliteConnection,
    index: &'static str,
    columns: &'static [&'static str],
    rids: &[i64],
    entries: &[(i64, Vec<String>)],
) -> Result<()> {
    if !rids.is_empty() {
        let sql = format!(
            "DELETE FROM {index} WHERE rowid IN ({})",
            placeholders(rids.len())
        );
        let mut q = sqlx::query(&sql);
        for rid in rids {
            q = q.bind(rid);
        }
        q.execute(&mut *conn).await?;
    }
    if entries.is_empty() {
        return Ok(());
    }
    let one = format!("({})", placeholders(columns.len() + 1));
    let values = vec![one; entries.len()].join(", ");
    let sql = format!(
        "INSERT INTO {index} (rowid, {}) VALUES {values}",
        columns.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for (rid, texts) in entries {
        q = q.bind(rid);
        for text in texts {
            q = q.bind(text.as_str());
        }
    }
    q.execute(&mut *conn).await?;
    Ok(())
}
