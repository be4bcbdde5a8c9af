//! The embedded backend: one SQLite file (WAL), pokes through an in-process channel.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use tokio::sync::broadcast;

use super::Poke;
use crate::error::StoreError;

pub struct SqliteStore {
    pool: SqlitePool,
    events: broadcast::Sender<Poke>,
}

impl SqliteStore {
    /// Parameter `n` of a long multi-row statement: `?`, taken in order. SQLite
    /// finds a `$n` parameter by a linear search of the statement's names, and
    /// sqlx looks each one up: quadratic in the parameters, 85% of a large push.
    pub(crate) fn placeholder(_n: usize) -> String {
        "?".to_owned()
    }

    /// A snapshot page's fields (`$4` of them, from after the row `($2, $3)`),
    /// one result row per synced row with its fields as a JSON array of
    /// `[column, value, hlc, node]`: a tenth of the rows a field each would take,
    /// and each result row costs a hop from SQLite's worker thread.
    pub(crate) const SNAPSHOT_SQL: &'static str =
        "SELECT tbl, row_id, json_group_array(json_array(col, value, hlc, node)) AS fields \
         FROM (SELECT tbl, row_id, col, value, hlc, node FROM field_state \
               WHERE workspace_id = $1 AND (tbl, row_id) > ($2, $3) \
               ORDER BY tbl, row_id, col LIMIT $4) \
         GROUP BY tbl, row_id ORDER BY tbl, row_id";
    /// The checksum's input, grouped per synced row as in [`Self::SNAPSHOT_SQL`]:
    /// `[column, value]` pairs (the sum does not depend on their order).
    pub(crate) const CHECKSUM_SQL: &'static str =
        "SELECT tbl, row_id, json_group_array(json_array(col, value)) AS fields \
         FROM field_state WHERE workspace_id = $1 GROUP BY tbl, row_id";
    /// Opens `sqlite://PATH`, creating the file if needed, and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Full: a push is acknowledged only once it survives a power loss (in
            // WAL mode, Normal may lose the last commits).
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Writers queue on the file lock; a push waits rather than fails.
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let (events, _) = broadcast::channel(1024);
        Ok(SqliteStore { pool, events })
    }

    async fn notify_in_tx(
        &self,
        _conn: &mut SqliteConnection,
        _poke: Poke,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    fn notify_committed(&self, poke: Poke) {
        // No subscriber is not an error: nobody is listening.
        let _ = self.events.send(poke);
    }

    async fn begin_read(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        // In WAL mode a transaction's reads all see the state of its first read.
        Ok(self.pool.begin().await?)
    }
}

/// The file a `sqlite://` URL names (for putting blobs next to it).
pub fn database_file(url: &str) -> Option<PathBuf> {
    let opts = SqliteConnectOptions::from_str(url).ok()?;
    let path = opts.get_filename();
    (path.as_os_str() != ":memory:").then(|| path.to_path_buf())
}

super::sql::sql_store!(SqliteStore, sqlx::Sqlite);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn commits_are_durable() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(level, 2, "synchronous=FULL");
    }
}
