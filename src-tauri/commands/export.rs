//! CSV export of a list or search result to a file the person chooses.

use std::sync::atomic::Ordering;

use kith_core::export::{to_file, ExportOptions};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use crate::dialogs;
use crate::error::{CmdResult, KithError};
use crate::files::display_name;
use crate::AppState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportDone {
    pub file_name: String,
    #[ts(type = "number")]
    pub rows: u64,
}

/// Asks where to save, then writes the users; `None` when the person cancelled
/// the save dialog. `on_progress` hears the rows written so far.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_users<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: ExportOptions,
    on_progress: Channel<u64>,
) -> CmdResult<Option<ExportDone>> {
    let suggested = match request.query.as_deref().map(str::trim) {
        Some(q) if !q.is_empty() => format!("Kith users - {q}.csv"),
        _ => "Kith users.csv".to_owned(),
    };
    let target = tauri::async_runtime::spawn_blocking(move || {
        dialogs::save_file(&app, "Export users to CSV", &suggested)
    })
    .await
    .map_err(KithError::internal)?;
    let Some(target) = target else {
        return Ok(None);
    };
    let _running = state.export_slot()?;
    state.export_cancel.store(false, Ordering::Relaxed);
    let rows = to_file(
        state.kith.store().pool(),
        &request,
        &target,
        &state.export_cancel,
        |n| {
            let _ = on_progress.send(n);
        },
    )
    .await?;
    Ok(Some(ExportDone {
        file_name: display_name(&target),
        rows,
    }))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_export(state: State<'_, AppState>) -> CmdResult<()> {
    state.export_cancel.store(true, Ordering::Relaxed);
    Ok(())
}
