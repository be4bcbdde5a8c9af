//! Sync with a Kith server: sign in, push the outbox, pull what others wrote,
//! bootstrap a new desktop from a snapshot, check that both sides agree, and move
//! attachments' bytes in the background. No Tauri here: the app's IPC and the CLI
//! call [`Sync`], and the app runs a [`Worker`].
//!
//! Network I/O never happens while the store's writer lock is held: a page is
//! fetched first, then merged in one short transaction, so the UI never waits on
//! the network.

mod blobs;
mod checksum;
mod client;
pub mod credentials;
mod engine;
mod requeue;
mod state;
mod trust;
mod worker;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use kith_protocol::sync::{ErrorBody, ErrorKind as WireErrorKind, LoginRequest};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use checksum::local_checksum;
pub use credentials::Credentials;
pub use trust::ServerCertificate;
pub use worker::{Worker, WorkerHandle};

use crate::error::{CoreError, Result};
use crate::Kith;
use state::{key, SyncRecord};

/// Where a desktop stands with its server, for the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncState {
    SignedOut,
    /// Everything local is on the server, as of `last_sync_at`.
    Synced,
    /// Local changes wait to be sent.
    Pending,
    Syncing,
    /// The server cannot be reached; work goes on locally and is sent later.
    Offline,
    /// The server refused something; `error` says what.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    pub state: SyncState,
    /// Outbox changes waiting to be sent.
    #[ts(type = "number")]
    pub pending: u64,
    /// Unix milliseconds of the last complete sync.
    #[ts(type = "number | null")]
    pub last_sync_at: Option<i64>,
    pub server_url: Option<String>,
    pub workspace: Option<String>,
    pub staff_name: Option<String>,
    pub staff_email: Option<String>,
    pub device_name: Option<String>,
    /// The server's id of this computer's sign-in, as `kith-server devices list`
    /// shows it (to sign one computer out among several of the same name).
    pub device_id: Option<String>,
    /// Why the last sync failed, for a person.
    pub error: Option<String>,
    /// Files whose bytes still go to or come from the server.
    #[ts(type = "number")]
    pub files_waiting: u64,
    /// Fingerprint of the office's own certificate authority this computer was
    /// told to trust for its server at sign-in, if any.
    pub trusted_certificate: Option<String>,
    /// Changes the sync under way has brought in from the server so far (0 when
    /// none runs): a new desktop's first sync loads the whole office, seconds
    /// at 100k customers, and the window shows it moving.
    #[ts(type = "number")]
    pub received: u64,
    /// The sync under way is loading the server's snapshot (a new desktop, or a
    /// repair), not just others' latest changes.
    pub loading_snapshot: bool,
}

/// What one [`Sync::sync_now`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncReport {
    /// Local changes the server acknowledged.
    #[ts(type = "number")]
    pub pushed: u64,
    /// Remote changes merged here (pull and snapshot pages).
    #[ts(type = "number")]
    pub pulled: u64,
    /// This run brought in a snapshot (a new desktop, or a repair).
    pub bootstrapped: bool,
    #[ts(type = "number")]
    pub files_uploaded: u64,
    #[ts(type = "number")]
    pub files_downloaded: u64,
    /// Whether this desktop's checksum matched the server's; `None` when not
    /// compared (changes still moving).
    pub checksum_matched: Option<bool>,
    /// A mismatch was found and repaired from the server's snapshot.
    pub repaired: bool,
}

/// Knobs of the engine and the worker; tests shorten the waits.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// Keep the device token in the OS keychain when there is one (else a file).
    pub use_keychain: bool,
    /// Connect and read timeout of each request.
    pub request_timeout: Duration,
    pub push_page: usize,
    pub pull_page: u32,
    /// Largest blob chunk sent in one PATCH.
    pub blob_chunk: usize,
    /// Compare checksums with the server after a sync that moved changes.
    pub verify_checksum: bool,
    /// At most one comparison per this long (the first run of a process always
    /// compares): both sides hash the whole workspace, seconds of work at 100k
    /// customers, and the worker syncs after every edit. `ZERO`: after every run
    /// that moved changes.
    pub verify_every: Duration,
    /// First retry delay after a failure; doubles up to `backoff_max`, with jitter.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// After a local commit, wait this long for more before pushing.
    pub poke_delay: Duration,
    /// Sync this often even without events (a missed event, a quiet server).
    pub poll_interval: Duration,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            use_keychain: true,
            request_timeout: Duration::from_secs(30),
            push_page: kith_protocol::sync::MAX_PUSH_CHANGES,
            pull_page: kith_protocol::sync::MAX_PAGE,
            blob_chunk: kith_protocol::sync::MAX_BLOB_CHUNK_BYTES,
            verify_checksum: true,
            verify_every: Duration::from_secs(10 * 60),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            poke_delay: Duration::from_millis(300),
            poll_interval: Duration::from_secs(300),
        }
    }
}

/// Why a sync step failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this desktop is not signed in to a Kith server")]
    SignedOut,
    #[error("cannot reach the Kith server at {url} ({reason}); changes are kept and sent when it is back")]
    Offline { url: String, reason: String },
    /// The connection's TLS certificate check failed: not the network, and not
    /// fixed by waiting, but by trusting the right certificate.
    #[error(
        "the server at {url} did not prove it is the server ({reason}){}",
        if *unknown_authority {
            ". If your office made its own certificate (kith-server tls-cert), sign in to it \
             again and confirm its fingerprint, or trust its kith-ca.pem on this computer"
        } else {
            ""
        }
    )]
    Untrusted {
        url: String,
        reason: String,
        /// No authority this computer trusts vouched for the certificate, the case
        /// confirming the office's own CA at sign-in fixes (see `trust`), or the
        /// platform did not say why: macOS reports an untrusted root only as a
        /// generic error. Whether trust is offered then depends on what the server
        /// presents (a CA that signs itself).
        unknown_authority: bool,
    },
    /// The server no longer takes this computer's token (a `Server` error of kind
    /// unauthorized, put in words for the person at the desk).
    #[error(
        "the server no longer accepts this computer's sign-in (an owner signed it out, or the \
         account was removed): sign out and sign in again. Changes made here are kept"
    )]
    Revoked,
    #[error("{url:?} is not a server address: {reason}")]
    BadUrl { url: String, reason: String },
    /// The server answered with an error.
    #[error("the server refused: {}", body.message)]
    Server { status: u16, body: Box<ErrorBody> },
    #[error("the server's answer makes no sense: {0}")]
    Protocol(String),
    #[error("cannot keep the sign-in: {0}")]
    Credentials(String),
    /// The checksums (`local`, `server`) go to the log, not into the message
    /// staff read.
    #[error(
        "this computer's data still differs from the server's after reloading it and sending \
         its own changes again. Edits keep syncing; the difference may be changes of a computer \
         that no longer syncs, after the server was restored from a backup"
    )]
    Diverged { local: String, server: String },
}

impl SyncError {
    /// Worth retrying later by itself (the network, a busy server).
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Offline { .. } => true,
            SyncError::Server { body, .. } => matches!(
                body.kind,
                WireErrorKind::Internal | WireErrorKind::RateLimited
            ),
            _ => false,
        }
    }

    pub fn is_unauthorized(&self) -> bool {
        matches!(self, SyncError::Revoked)
            || matches!(self, SyncError::Server { body, .. } if body.kind == WireErrorKind::Unauthorized)
    }

    fn wire_kind(&self) -> Option<WireErrorKind> {
        match self {
            SyncError::Server { body, .. } => Some(body.kind),
            _ => None,
        }
    }
}

/// Per-`Kith` sync bookkeeping that lives only in memory.
#[derive(Default)]
pub(crate) struct Runtime {
    /// One sync run at a time per process (the worker and a manual "sync now").
    gate: tokio::sync::Mutex<()>,
    syncing: AtomicBool,
    config: std::sync::RwLock<SyncConfig>,
    /// When a checksum comparison last began in this process.
    last_verify: std::sync::Mutex<Option<std::time::Instant>>,
    /// Changes fetched by the run under way (see `SyncStatus::received`).
    received: AtomicU64,
    loading_snapshot: AtomicBool,
}

impl Runtime {
    /// A page of `n` changes from the server is about to be merged; `snapshot`:
    /// a page of the server's snapshot, not of its latest changes.
    pub(crate) fn received(&self, n: usize, snapshot: bool) {
        self.loading_snapshot.store(snapshot, Ordering::Relaxed);
        self.received.fetch_add(n as u64, Ordering::Relaxed);
    }

    fn reset_progress(&self) {
        self.received.store(0, Ordering::Relaxed);
        self.loading_snapshot.store(false, Ordering::Relaxed);
    }
}

/// The sync API of one opened data directory: `kith.sync()`.
pub struct Sync<'a> {
    kith: &'a Kith,
}

impl Kith {
    pub fn sync(&self) -> Sync<'_> {
        Sync { kith: self }
    }

    /// Replaces the sync settings (tests shorten waits; a headless box skips the
    /// keychain).
    pub fn set_sync_config(&self, config: SyncConfig) {
        *self
            .sync_runtime()
            .config
            .write()
            .unwrap_or_else(|e| e.into_inner()) = config;
    }

    pub fn sync_config(&self) -> SyncConfig {
        self.sync_runtime()
            .config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl<'a> Sync<'a> {
    pub(crate) fn credentials(&self) -> Credentials {
        Credentials::new(
            self.kith.data_dir(),
            &self.kith.store().node().to_string(),
            self.kith.sync_config().use_keychain,
        )
    }

    /// Signs this desktop in to `server_url` as `email`, keeps the device token,
    /// and makes the signed-in staff member this desktop's current one. Nothing
    /// is sent or fetched yet: [`Sync::sync_now`] or the worker does that.
    pub async fn login(
        &self,
        server_url: &str,
        email: &str,
        password: &str,
        workspace: Option<&str>,
    ) -> Result<SyncStatus> {
        self.login_trusting(server_url, email, password, workspace, None)
            .await
    }

    /// The certificate authority the server at `server_url` presents, for a
    /// person to compare with the fingerprint `kith-server tls-cert` printed
    /// before signing in with [`Sync::login_trusting`]. Nothing is trusted here.
    pub async fn server_certificate(&self, server_url: &str) -> Result<ServerCertificate> {
        let base = client::parse_base(server_url)?;
        Ok(trust::presented(&base, self.kith.sync_config().request_timeout).await?)
    }

    /// [`Sync::login`], trusting for this server the certificate authority it
    /// presents when its fingerprint is `fingerprint` (as the person confirmed
    /// it): kept with the sign-in, forgotten at sign-out. The server must still
    /// prove its name with a certificate that authority signed.
    pub async fn login_trusting(
        &self,
        server_url: &str,
        email: &str,
        password: &str,
        workspace: Option<&str>,
        fingerprint: Option<&str>,
    ) -> Result<SyncStatus> {
        let pool = self.kith.store().pool();
        let record = SyncRecord::load(pool).await?;
        if record.signed_in() {
            return Err(CoreError::validation(
                "server_url",
                format!(
                    "already signed in to {}: sign out first",
                    record.get(key::SERVER_URL).unwrap_or_default()
                ),
            ));
        }
        let base = client::parse_base(server_url)?;
        if crate::demo::present(pool).await? {
            return Err(CoreError::validation(
                "server_url",
                "this data folder holds demo customers (from kith-cli demo), which never sync: \
                 this computer would never be in step with the server. Sign in from a new data \
                 folder, without the demo data",
            ));
        }
        let config = self.kith.sync_config();
        let trusted = match fingerprint {
            Some(confirmed) => {
                Some(trust::confirmed(&base, confirmed, config.request_timeout).await?)
            }
            None => None,
        };
        let client = client::Client::new(
            base.clone(),
            None,
            config.request_timeout,
            trusted.as_deref(),
        )?;
        let device_name = crate::activity::devices::device_name();
        let resp = client
            .login(&LoginRequest {
                email: email.trim().to_owned(),
                password: password.to_owned(),
                workspace: workspace
                    .map(|w| w.trim().to_owned())
                    .filter(|w| !w.is_empty()),
                device_name: device_name.clone(),
                node: self.kith.store().node(),
            })
            .await?;
        if let Some(bound) = record.get(key::BOUND_WORKSPACE) {
            if bound != resp.workspace.id.to_string() {
                let signed_in = client::Client::new(
                    base.clone(),
                    Some(resp.token.clone()),
                    config.request_timeout,
                    trusted.as_deref(),
                )?;
                if let Err(e) = signed_in.logout().await {
                    tracing::warn!(error = %e, "could not revoke the refused sign-in");
                }
                return Err(CoreError::validation(
                    "workspace",
                    format!(
                        "this computer's Kith data belongs to another workspace than {}; \
                         sign in to that one, or use a new data folder",
                        resp.workspace.name
                    ),
                ));
            }
        }
        self.credentials().save(&resp.token).await?;
        if client.server_time() > 0 {
            self.kith.store().observe_time(client.server_time()).await?;
        }
        // The server numbers this computer's changes on from `counter` (0 unless
        // it signed in before: counters are kept per node, so changes made while
        // signed out follow those it already sent). The outbox may already hold
        // edits made before signing in, and they go first.
        let counter = i64::try_from(resp.counter).unwrap_or(i64::MAX);
        let outbox = self.kith.store().outbox(1).await?;
        let base_seq = match outbox.first() {
            Some((seq, _)) => seq - 1 - counter,
            None => self.kith.store().outbox_stats().await?.last_seq - counter,
        };
        state::set(
            pool,
            &[
                (key::SERVER_URL, base.to_string()),
                (key::WORKSPACE_ID, resp.workspace.id.to_string()),
                (key::BOUND_WORKSPACE, resp.workspace.id.to_string()),
                (key::WORKSPACE_NAME, resp.workspace.name.clone()),
                (key::STAFF_ID, resp.staff.id.to_string()),
                (key::STAFF_NAME, resp.staff.name.clone()),
                (key::STAFF_EMAIL, resp.staff.email.clone()),
                (key::DEVICE_ID, resp.device_id.to_string()),
                (key::DEVICE_NAME, device_name),
                (key::COUNTER_BASE, base_seq.to_string()),
                (key::CURSOR, "0".into()),
                (key::CURSOR_MARK, String::new()),
                (key::BOOTSTRAPPED, String::new()),
                (key::LAST_ERROR, String::new()),
                (key::TRUSTED_CA, trusted.unwrap_or_default()),
            ],
        )
        .await?;
        let mut settings = self.kith.settings();
        settings.current_staff_id = Some(resp.staff.id);
        self.kith.update_settings(&settings).await?;
        tracing::info!(server = %base, workspace = %resp.workspace.name, "signed in");
        self.status().await
    }

    /// Signs out: revokes the device token on the server when it can be reached,
    /// forgets it here either way, and keeps every record and the outbox.
    pub async fn logout(&self) -> Result<()> {
        let _gate = self.kith.sync_runtime().gate.lock().await;
        let pool = self.kith.store().pool();
        let record = SyncRecord::load(pool).await?;
        let creds = self.credentials();
        if let (Some(url), Some(token)) = (record.get(key::SERVER_URL), creds.load().await?) {
            let config = self.kith.sync_config();
            // Signing out must always work: a client that cannot be made, a server
            // unreachable or the token already revoked only cost the revocation.
            let revoked = match client::Client::new(
                client::parse_base(url)?,
                Some(token),
                config.request_timeout.min(Duration::from_secs(10)),
                record.get(key::TRUSTED_CA),
            ) {
                Ok(client) => client.logout().await,
                Err(e) => Err(e),
            };
            if let Err(e) = revoked {
                tracing::warn!(error = %e, "could not revoke the device token on the server");
            }
        }
        creds.forget().await?;
        state::clear_session(pool).await?;
        Ok(())
    }

    /// Sends every local change, then fetches until nothing new is left (a new
    /// desktop first loads the server's snapshot), moves waiting files, and checks
    /// the result against the server's checksum.
    pub async fn sync_now(&self) -> Result<SyncReport> {
        let rt = self.kith.sync_runtime();
        let _gate = rt.gate.lock().await;
        rt.reset_progress();
        rt.syncing.store(true, Ordering::Relaxed);
        let result = engine::run(self.kith, &self.credentials())
            .await
            .map_err(|e| match e {
                // Signed in, so not a wrong password: the token was revoked.
                CoreError::Sync(s) if s.is_unauthorized() => SyncError::Revoked.into(),
                other => other,
            });
        rt.syncing.store(false, Ordering::Relaxed);
        rt.reset_progress();
        let pool = self.kith.store().pool();
        match &result {
            Ok(_) => {
                state::set(
                    pool,
                    &[
                        (key::LAST_SYNC_AT, crate::store::system_ms().to_string()),
                        (key::LAST_ERROR, String::new()),
                        (key::LAST_ERROR_KIND, String::new()),
                    ],
                )
                .await?;
            }
            Err(CoreError::Sync(SyncError::SignedOut)) => {}
            Err(e) => {
                let kind = match e {
                    CoreError::Sync(s) if s.is_transient() => "offline",
                    _ => "error",
                };
                tracing::warn!(error = %e, "sync failed");
                state::set(
                    pool,
                    &[
                        (key::LAST_ERROR, e.to_string()),
                        (key::LAST_ERROR_KIND, kind.into()),
                    ],
                )
                .await?;
            }
        }
        result
    }

    pub async fn status(&self) -> Result<SyncStatus> {
        let store = self.kith.store();
        let record = SyncRecord::load(store.pool()).await?;
        let pending = store.outbox_stats().await?.pending;
        let files_waiting = blobs::waiting(store.pool()).await?;
        let signed_in = record.signed_in();
        let error = record.owned(key::LAST_ERROR).filter(|_| signed_in);
        let rt = self.kith.sync_runtime();
        let state = if !signed_in {
            SyncState::SignedOut
        } else if rt.syncing.load(Ordering::Relaxed) {
            SyncState::Syncing
        } else if error.is_some() {
            if record.get(key::LAST_ERROR_KIND) == Some("offline") {
                SyncState::Offline
            } else {
                SyncState::Error
            }
        } else if pending > 0 {
            SyncState::Pending
        } else {
            SyncState::Synced
        };
        Ok(SyncStatus {
            state,
            pending,
            last_sync_at: Some(record.int(key::LAST_SYNC_AT)).filter(|t| *t > 0),
            server_url: record.owned(key::SERVER_URL),
            workspace: record.owned(key::WORKSPACE_NAME),
            staff_name: record.owned(key::STAFF_NAME),
            staff_email: record.owned(key::STAFF_EMAIL),
            device_name: record.owned(key::DEVICE_NAME),
            device_id: record.owned(key::DEVICE_ID),
            error,
            files_waiting,
            trusted_certificate: record
                .get(key::TRUSTED_CA)
                .and_then(trust::fingerprint_of_pem),
            received: rt.received.load(Ordering::Relaxed),
            loading_snapshot: rt.loading_snapshot.load(Ordering::Relaxed),
        })
    }

    /// Downloads one attachment's bytes now (opening a file not yet here).
    pub async fn fetch_blob(&self, sha256: &str) -> Result<()> {
        if self.kith.files().blobs().contains(sha256) {
            return Ok(());
        }
        let client = engine::signed_in_client(self.kith, &self.credentials()).await?;
        blobs::download(self.kith, &client, sha256).await?;
        blobs::done(self.kith.store().pool(), sha256, "down").await?;
        Ok(())
    }
}

impl Runtime {
    fn backoff(config: &SyncConfig, attempt: u32) -> Duration {
        let exp = config
            .backoff_min
            .saturating_mul(1u32 << attempt.min(16))
            .min(config.backoff_max);
        // Full jitter on half the delay: many desktops coming back after an outage
        // do not all knock at once.
        let half = exp / 2;
        let jitter = half.mul_f64(rand::random::<f64>());
        half + jitter
    }
}

pub(crate) fn error_kind(e: &SyncError) -> crate::ErrorKind {
    use crate::ErrorKind as K;
    match e {
        SyncError::Offline { .. } | SyncError::Untrusted { .. } => K::Network,
        SyncError::SignedOut => K::Unauthorized,
        _ if e.is_unauthorized() => K::Unauthorized,
        SyncError::BadUrl { .. } => K::Validation,
        SyncError::Server { .. }
            if matches!(
                e.wire_kind(),
                Some(WireErrorKind::InvalidChange | WireErrorKind::BadRequest)
            ) =>
        {
            K::InvalidInput
        }
        _ => K::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_within_bounds() {
        let config = SyncConfig {
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(2),
            ..SyncConfig::default()
        };
        for attempt in 0..30 {
            let d = Runtime::backoff(&config, attempt);
            let cap = (config.backoff_min * 2u32.pow(attempt.min(16))).min(config.backoff_max);
            assert!(d >= cap / 2 && d <= cap, "attempt {attempt}: {d:?}");
        }
    }
}
