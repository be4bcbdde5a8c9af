//! Folding the write-ahead log back into the database beside the writer, not in
//! its way.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses its
//! threshold: the writer copies the whole log into the database before it can
//! go on. Applying pulled changes spent a third of its commit time there (and
//! every local edit that happened to cross the line waited for it too). Here a
//! connection of its own checkpoints after writes, on another thread, while
//! the writer goes on (a PASSIVE checkpoint never blocks a writer or a reader).
//! SQLite's own checkpoint stays on as a bound, at a higher threshold: under
//! writes that never pause the log only restarts from its beginning after a
//! checkpoint the writer itself ran, and by then this one has done nearly all
//! of the copying.

use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{oneshot, Mutex, Notify};
use tokio::task::JoinHandle;

use crate::error::Result;

/// The log size, in pages, at which the writer checkpoints itself (256 MiB).
/// Lower bounds cost the writer: at 64 MiB, applying pulled changes spent a
/// quarter more time in its commits (`kith-cli bench --only sync`).
pub(super) const WRITER_THRESHOLD_PAGES: &str = "65536";

/// Commits closer together than this share one checkpoint.
const SETTLE: Duration = Duration::from_millis(20);

pub(super) struct Checkpointer {
    wake: Arc<Notify>,
    stop: Mutex<Option<(oneshot::Sender<()>, JoinHandle<()>)>>,
}

impl Checkpointer {
    /// Opens the checkpointing connection (not one of the pool's: it must never
    /// keep a reader waiting) and starts its task.
    pub async fn start(options: &SqliteConnectOptions) -> Result<Self> {
        let mut conn = options.connect().await?;
        let wake = Arc::new(Notify::new());
        let (stop_tx, mut stop_rx) = oneshot::channel();
        let woken = wake.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = woken.notified() => {}
                    _ = &mut stop_rx => break,
                }
                tokio::time::sleep(SETTLE).await;
                // A failure only leaves the pages in the log for the next pass
                // or for the writer's own checkpoint.
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&mut conn)
                    .await
                {
                    tracing::debug!(error = %e, "background checkpoint failed");
                }
            }
            if let Err(e) = conn.close().await {
                tracing::debug!(error = %e, "closing the checkpoint connection");
            }
        });
        Ok(Checkpointer {
            wake,
            stop: Mutex::new(Some((stop_tx, task))),
        })
    }

    /// After a commit: the log has pages to fold back. One stored permit, so
    /// commits during a checkpoint lead to exactly one more.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stops the task and closes its connection, waiting for a checkpoint under
    /// way to end.
    pub async fn stop(&self) {
        if let Some((stop, task)) = self.stop.lock().await.take() {
            let _ = stop.send(());
            if let Err(e) = task.await {
                tracing::debug!(error = %e, "checkpoint task ended badly");
            }
        }
    }
}
