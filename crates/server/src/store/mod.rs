//! Storage of the sync hub behind one trait, with a SQLite and a PostgreSQL backend.
//!
//! Every method that reads or writes synced data takes the caller's workspace id,
//! which the HTTP layer gets from the device token, never from the request.

mod rows;
mod sql;

pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use kith_protocol::sync::{
    ChecksumResponse, PullResponse, PushResponse, Role, SeqMark, SnapshotResponse, StaffAccount,
    Workspace,
};
use kith_protocol::{Change, NodeId};
use serde::Serialize;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::error::StoreError;

pub use rows::{now_ms, server_node, SnapshotCursor};

/// Someone pushed: the workspace's new head, and the device that pushed (none for
/// changes the server wrote itself), so its own event stream can skip it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poke {
    pub workspace: Uuid,
    pub head: u64,
    pub device: Option<Uuid>,
}

/// A device as signing in left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registered {
    pub id: Uuid,
    /// The highest change counter held for its node: a computer signing in again
    /// goes on from here.
    pub acked: u64,
}

/// What a device token resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    pub workspace: Uuid,
    pub device: Uuid,
    pub account: Uuid,
    pub node: NodeId,
    pub role: Role,
}

/// A staff account with its password hash, for login.
#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub workspace: Workspace,
    pub account: StaffAccount,
    pub password_hash: String,
}

/// A row of the device list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceRecord {
    pub id: Uuid,
    pub node: Uuid,
    pub name: String,
    pub account: Uuid,
    pub email: String,
    pub acked: u64,
    pub last_seen: i64,
    pub revoked_at: Option<i64>,
}

/// A new staff account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn create_workspace(&self, name: &str) -> Result<Workspace, StoreError>;
    async fn workspace_by_name(&self, name: &str) -> Result<Option<Workspace>, StoreError>;

    /// Adds an account and, in the same transaction, appends the `staff` change
    /// (written by the workspace's server node) that tells desktops about it.
    /// A removed account with the same email comes back instead, under its old id,
    /// with the new name, password and role; returns the account's id.
    async fn add_account(&self, workspace: Uuid, account: &NewAccount) -> Result<Uuid, StoreError>;
    /// Marks the account removed, revokes its devices and appends the `staff`
    /// tombstone; returns the account id.
    async fn remove_account(&self, workspace: Uuid, email: &str) -> Result<Uuid, StoreError>;
    /// Live (not removed) accounts with this email, in every workspace.
    async fn accounts_by_email(&self, email: &str) -> Result<Vec<AccountRecord>, StoreError>;

    /// Registers (or, for a known `(workspace, node)`, re-registers) a device with a
    /// new token hash, keeping its counters; returns the device id and the highest
    /// counter held for it. A node whose
    /// live (not revoked) device belongs to another account is
    /// [`StoreError::NodeTaken`].
    async fn upsert_device(
        &self,
        workspace: Uuid,
        account: Uuid,
        node: NodeId,
        name: &str,
        token_hash: &str,
    ) -> Result<Registered, StoreError>;
    /// The live device a token hash belongs to (not revoked, account not removed).
    async fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceAuth>, StoreError>;
    /// Revokes a device of the workspace; false when there is no such device.
    async fn revoke_device(&self, workspace: Uuid, device: Uuid) -> Result<bool, StoreError>;
    async fn list_devices(&self, workspace: Uuid) -> Result<Vec<DeviceRecord>, StoreError>;

    async fn create_api_key(
        &self,
        workspace: Uuid,
        name: &str,
        key_hash: &str,
    ) -> Result<Uuid, StoreError>;
    async fn revoke_api_key(&self, workspace: Uuid, id: Uuid) -> Result<bool, StoreError>;
    /// The workspace a live (not revoked) API key's hash belongs to.
    async fn workspace_by_api_key(&self, key_hash: &str) -> Result<Option<Uuid>, StoreError>;

    /// Counts a sign-in attempt of `key` (see [`crate::ratelimit::key`]) made at
    /// `now` (Unix ms) and lets it through, or refuses it with the seconds to wait
    /// (see [`crate::ratelimit::admit`]). The key's row is locked from the check to
    /// the count, so parallel guesses cannot all pass before any is counted, on
    /// every instance that shares the database.
    async fn count_login_attempt(&self, key: &str, now: i64)
        -> Result<Result<(), u64>, StoreError>;
    /// Takes back the newest attempt of `key`: one that never checked a password.
    async fn uncount_login_attempt(&self, key: &str) -> Result<(), StoreError>;
    /// Forgets `key`'s attempts: its password was right.
    async fn clear_login_attempts(&self, key: &str) -> Result<(), StoreError>;

    /// Appends a device's changes: those with counters it already holds are skipped,
    /// a gap is [`StoreError::CounterGap`]. Changes must already be validated.
    async fn push(
        &self,
        workspace: Uuid,
        device: Uuid,
        first_counter: u64,
        changes: &[Change],
    ) -> Result<PushResponse, StoreError>;
    /// Changes after `since`, in sequence order, without those of `exclude` (the
    /// caller's node); `through` advances past excluded ones too.
    async fn pull(
        &self,
        workspace: Uuid,
        since: u64,
        limit: u32,
        exclude: Option<NodeId>,
    ) -> Result<PullResponse, StoreError>;
    /// The stamp of the change numbered `seq`; `None` when there is none.
    async fn mark_at(&self, workspace: Uuid, seq: u64) -> Result<Option<SeqMark>, StoreError>;
    async fn snapshot(
        &self,
        workspace: Uuid,
        cursor: Option<&SnapshotCursor>,
        limit: u32,
    ) -> Result<SnapshotResponse, StoreError>;
    async fn checksum(&self, workspace: Uuid) -> Result<ChecksumResponse, StoreError>;
    async fn head(&self, workspace: Uuid) -> Result<u64, StoreError>;

    /// Pokes of every workspace pushed to through this store (on PostgreSQL: through
    /// any server instance sharing the database).
    fn subscribe(&self) -> broadcast::Receiver<Poke>;
}

/// Opens (creating and migrating) the database a URL names.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(postgres::PgStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}
