//! Starts the background sync worker for the window and wires it up: its status goes
//! to the UI as `sync-status`, and each batch of others' changes merged here as
//! `remote-changes`, so the views refetch. (Local commits wake the worker in core.)

use std::sync::Arc;

use kith_core::sync::{Worker, WorkerHandle};
use kith_core::Kith;
use tauri::{AppHandle, Emitter, Runtime};

pub const STATUS_EVENT: &str = "sync-status";
pub const REMOTE_CHANGES_EVENT: &str = "remote-changes";

/// Must run inside the async runtime (the worker spawns its tasks there).
pub fn start<R: Runtime>(kith: Arc<Kith>, app: AppHandle<R>) -> Arc<WorkerHandle> {
    let status_app = app.clone();
    let worker = Arc::new(Worker::spawn(kith.clone(), move |status| {
        if let Err(e) = status_app.emit(STATUS_EVENT, status) {
            tracing::warn!(error = %e, "could not send the sync status to the window");
        }
    }));

    let mut merges = kith.store().remote_changes();
    tokio::spawn(async move {
        while merges.changed().await.is_ok() {
            let count = *merges.borrow_and_update();
            if let Err(e) = app.emit(REMOTE_CHANGES_EVENT, count) {
                tracing::warn!(error = %e, "could not tell the window of remote changes");
            }
        }
    });
    worker
}
