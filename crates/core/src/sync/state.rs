//! The device-local sync state in `sync_state` (migration 0013): which server and
//! account this desktop is signed in to, and how far it got.

use std::collections::HashMap;

use sqlx::SqlitePool;

use crate::error::Result;

pub(crate) mod key {
    pub const SERVER_URL: &str = "server_url";
    pub const WORKSPACE_ID: &str = "workspace_id";
    pub const WORKSPACE_NAME: &str = "workspace_name";
    pub const STAFF_ID: &str = "staff_id";
    pub const STAFF_NAME: &str = "staff_name";
    pub const STAFF_EMAIL: &str = "staff_email";
    pub const DEVICE_ID: &str = "device_id";
    pub const DEVICE_NAME: &str = "device_name";
    /// Pull from here: the server sequence of the last change applied.
    pub const CURSOR: &str = "cursor";
    /// The server's mark of the change CURSOR names, "HLC:NODE" (see
    /// `SeqMark`); empty when not known yet.
    pub const CURSOR_MARK: &str = "cursor_mark";
    /// "1" once the first snapshot is in.
    pub const BOOTSTRAPPED: &str = "bootstrapped";
    /// Cursor of the next snapshot page, while a bootstrap is under way.
    pub const SNAPSHOT_CURSOR: &str = "snapshot_cursor";
    pub const SNAPSHOT_AS_OF: &str = "snapshot_as_of";
    /// "1" while a snapshot is loaded to repair a checksum mismatch.
    pub const REPAIRING: &str = "repairing";
    /// "1" once this desktop's own changes were sent again (sync::requeue), until
    /// its checksum next matches the server's: at most one resend per difference.
    pub const RESENT: &str = "resent";
    /// "LOCAL:SERVER" checksums of a difference the repairs could not close.
    pub const DIVERGED: &str = "diverged";
    /// Device counter of outbox row `seq` is `seq - counter_base`.
    pub const COUNTER_BASE: &str = "counter_base";
    pub const LAST_SYNC_AT: &str = "last_sync_at";
    pub const LAST_ERROR: &str = "last_error";
    /// "offline" or "error", with LAST_ERROR.
    pub const LAST_ERROR_KIND: &str = "last_error_kind";
    /// The workspace this data directory's records were synced with; kept after
    /// signing out, so they are never pushed into another workspace.
    pub const BOUND_WORKSPACE: &str = "bound_workspace";
    /// PEM of the office's own certificate authority the person confirmed for
    /// this server at sign-in (see `trust`); empty when the system's roots serve.
    pub const TRUSTED_CA: &str = "trusted_ca";
}

/// Keys that belong to one sign-in; logging out drops them, data stays.
const SESSION_KEYS: &[&str] = &[
    key::SERVER_URL,
    key::WORKSPACE_ID,
    key::WORKSPACE_NAME,
    key::STAFF_ID,
    key::STAFF_NAME,
    key::STAFF_EMAIL,
    key::DEVICE_ID,
    key::DEVICE_NAME,
    key::CURSOR,
    key::CURSOR_MARK,
    key::BOOTSTRAPPED,
    key::SNAPSHOT_CURSOR,
    key::SNAPSHOT_AS_OF,
    key::REPAIRING,
    key::RESENT,
    key::DIVERGED,
    key::COUNTER_BASE,
    key::LAST_ERROR,
    key::LAST_ERROR_KIND,
    key::TRUSTED_CA,
];

#[derive(Debug, Clone, Default)]
pub(crate) struct SyncRecord(HashMap<String, String>);

impl SyncRecord {
    pub async fn load(pool: &SqlitePool) -> Result<SyncRecord> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM sync_state")
            .fetch_all(pool)
            .await?;
        Ok(SyncRecord(rows.into_iter().collect()))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn owned(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_owned)
    }

    pub fn int(&self, key: &str) -> i64 {
        self.get(key).and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    pub fn signed_in(&self) -> bool {
        self.get(key::SERVER_URL).is_some() && self.get(key::DEVICE_ID).is_some()
    }
}

pub(crate) async fn set(pool: &SqlitePool, pairs: &[(&str, String)]) -> Result<()> {
    let mut tx = pool.begin().await?;
    for (k, v) in pairs {
        sqlx::query(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) \
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .bind(k)
        .bind(v)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn clear_session(pool: &SqlitePool) -> Result<()> {
    let mut tx = pool.begin().await?;
    for k in SESSION_KEYS {
        sqlx::query("DELETE FROM sync_state WHERE key = ?")
            .bind(k)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM sync_blobs")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
