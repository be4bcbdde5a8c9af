//! The scale-out backend: PostgreSQL shared by any number of server instances.
//! Pokes travel by `pg_notify` inside the push transaction (delivered at commit)
//! to a `LISTEN`ing connection in every instance.

use std::time::Duration;

use sqlx::postgres::{PgConnection, PgListener, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::Poke;
use crate::error::StoreError;

const CHANNEL: &str = "kith_changes";

pub struct PgStore {
    pool: PgPool,
    events: broadcast::Sender<Poke>,
    listener: JoinHandle<()>,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl PgStore {
    /// Parameter `n` of a long multi-row statement.
    pub(crate) fn placeholder(n: usize) -> String {
        format!("${n}")
    }

    /// [`super::sqlite::SqliteStore::SNAPSHOT_SQL`] in PostgreSQL's words.
    pub(crate) const SNAPSHOT_SQL: &'static str =
        "SELECT tbl, row_id, json_agg(json_build_array(col, value, hlc, node))::text AS fields \
         FROM (SELECT tbl, row_id, col, value, hlc, node FROM field_state \
               WHERE workspace_id = $1 AND (tbl, row_id) > ($2, $3) \
               ORDER BY tbl, row_id, col LIMIT $4) AS page \
         GROUP BY tbl, row_id ORDER BY tbl, row_id";
    /// [`super::sqlite::SqliteStore::CHECKSUM_SQL`] in PostgreSQL's words.
    pub(crate) const CHECKSUM_SQL: &'static str =
        "SELECT tbl, row_id, json_agg(json_build_array(col, value))::text AS fields \
         FROM field_state WHERE workspace_id = $1 GROUP BY tbl, row_id";
    /// Connects to `postgres://…` and migrates the database (sqlx takes an advisory
    /// lock, so instances starting together migrate once).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let (events, _) = broadcast::channel(1024);
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANNEL).await?;
        let tx = events.clone();
        let listener = tokio::spawn(async move {
            loop {
                // `recv` reconnects by itself after a lost connection; a failure
                // here is one it could not recover from yet, so wait and retry.
                match listener.recv().await {
                    Ok(n) => {
                        if let Some(poke) = parse_poke(n.payload()) {
                            let _ = tx.send(poke);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "LISTEN connection failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(PgStore {
            pool,
            events,
            listener,
        })
    }

    async fn notify_in_tx(&self, conn: &mut PgConnection, poke: Poke) -> Result<(), StoreError> {
        let device = poke.device.map(|d| d.to_string()).unwrap_or_default();
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(format!("{} {} {device}", poke.workspace, poke.head))
            .execute(conn)
            .await?;
        Ok(())
    }

    fn notify_committed(&self, _poke: Poke) {
        // Delivered by the listener, like every other instance's pokes.
    }

    async fn begin_read(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}

fn parse_poke(payload: &str) -> Option<Poke> {
    let mut parts = payload.split(' ');
    let workspace = Uuid::parse_str(parts.next()?).ok()?;
    let head = parts.next()?.parse().ok()?;
    let device = parts.next().and_then(|d| Uuid::parse_str(d).ok());
    Some(Poke {
        workspace,
        head,
        device,
    })
}

super::sql::sql_store!(PgStore, sqlx::Postgres);
