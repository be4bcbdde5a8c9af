//! The imports made on this desktop, newest first: what each did and whether it
//! was undone, so an import can be undone long after its dialog was closed.

use serde::Serialize;
use sqlx::Row;
use ts_rs::TS;
use uuid::Uuid;

use crate::error::Result;
use crate::ids::parse_id;
use crate::store::Store;

/// One import kept on this desktop (imports are device-local bookkeeping: the
/// users they wrote sync like any other change, the record of the import does not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, rename = "ImportRecord")]
pub struct Record {
    pub batch_id: Uuid,
    pub file_name: String,
    /// When it was committed, ms since the epoch.
    #[ts(type = "number")]
    pub finished_at: i64,
    #[ts(type = "number")]
    pub created: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub skipped: u64,
    /// Rows refused (the import kept the valid ones).
    #[ts(type = "number")]
    pub failed: u64,
    /// Teams and custom fields it created.
    #[ts(type = "number")]
    pub new_teams: u64,
    #[ts(type = "number")]
    pub new_fields: u64,
    /// When it was undone, if it was.
    #[ts(type = "number | null")]
    pub undone_at: Option<i64>,
    /// Whether its undo can tell its values from changes made since, and keep
    /// those (see `import::undo`); not for imports made before Kith kept what
    /// an import set.
    pub keeps_later_edits: bool,
}

/// The `limit` newest imports made here.
pub async fn history(store: &Store, limit: i64) -> Result<Vec<Record>> {
    let rows = sqlx::query(
        "SELECT b.id, b.file_name, b.finished_at, b.created, b.updated, b.skipped, b.failed, \
           b.undone_at, b.records_after AS keeps_later_edits, \
           (SELECT count(*) FROM import_batch_created c WHERE c.batch = b.id AND c.tbl = 'teams') AS new_teams, \
           (SELECT count(*) FROM import_batch_created c WHERE c.batch = b.id AND c.tbl = 'custom_fields') AS new_fields \
         FROM import_batches b ORDER BY b.finished_at DESC, b.started_at DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let count = |row: &sqlx::sqlite::SqliteRow, column: &str| -> Result<u64> {
        Ok(u64::try_from(row.try_get::<i64, _>(column)?).unwrap_or(0))
    };
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            Ok(Record {
                batch_id: parse_id(&id)?,
                file_name: row.try_get("file_name")?,
                finished_at: row.try_get("finished_at")?,
                created: count(row, "created")?,
                updated: count(row, "updated")?,
                skipped: count(row, "skipped")?,
                failed: count(row, "failed")?,
                new_teams: count(row, "new_teams")?,
                new_fields: count(row, "new_fields")?,
                undone_at: row.try_get("undone_at")?,
                keeps_later_edits: row.try_get("keeps_later_edits")?,
            })
        })
        .collect()
}
