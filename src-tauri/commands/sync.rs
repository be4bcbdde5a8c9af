//! Settings → Sync: sign in to a Kith server, sync now, sign out. The background
//! worker (see [`crate::sync_worker`]) does the rest and reports its status as the
//! `sync-status` event.

use kith_core::sync::{ServerCertificate, SyncReport, SyncStatus};
use tauri::State;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_status(state: State<'_, AppState>) -> CmdResult<SyncStatus> {
    Ok(state.kith.sync().status().await?)
}

/// Signs this computer in; the worker starts syncing at once. `fingerprint`: the
/// office's own certificate authority the person confirmed for this server.
#[tauri::command(rename_all = "snake_case")]
pub async fn sync_login(
    state: State<'_, AppState>,
    server_url: String,
    email: String,
    password: String,
    workspace: Option<String>,
    fingerprint: Option<String>,
) -> CmdResult<SyncStatus> {
    let status = state
        .kith
        .sync()
        .login_trusting(
            &server_url,
            &email,
            &password,
            workspace.as_deref(),
            fingerprint.as_deref(),
        )
        .await?;
    state.poke_sync();
    Ok(status)
}

/// The certificate authority a server presents, for the person to compare with
/// the fingerprint `kith-server tls-cert` printed; trusts nothing.
#[tauri::command(rename_all = "snake_case")]
pub async fn sync_server_certificate(
    state: State<'_, AppState>,
    server_url: String,
) -> CmdResult<ServerCertificate> {
    Ok(state.kith.sync().server_certificate(&server_url).await?)
}

/// Signs out; every record stays on this computer.
#[tauri::command(rename_all = "snake_case")]
pub async fn sync_logout(state: State<'_, AppState>) -> CmdResult<()> {
    Ok(state.kith.sync().logout().await?)
}

/// Sends what waits and fetches what others did, now.
#[tauri::command(rename_all = "snake_case")]
pub async fn sync_now(state: State<'_, AppState>) -> CmdResult<SyncReport> {
    Ok(state.kith.sync().sync_now().await?)
}
