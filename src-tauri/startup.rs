//! The window shows at once; the data directory opens behind it. Opening is
//! usually a blink, but bringing a large database up to a new version or
//! rebuilding a search index takes seconds (about 11 s for a million users), and a
//! database that cannot be opened at all must say why in the window rather than
//! end the app before it ever appears. The UI asks for [`StartupStatus`] and
//! follows the `startup` event until the status is `ready`.

use std::path::PathBuf;
use std::sync::Mutex;

use kith_core::store::{OpenStep, SearchIndex};
use kith_core::{CoreError, Kith};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use ts_rs::TS;

use crate::AppState;

/// The event carrying each new [`StartupStatus`].
pub const STARTUP: &str = "startup";

/// Where opening the data directory stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "camelCase")]
#[ts(export)]
pub enum StartupStatus {
    /// Opening; `step` names a slow step once one starts.
    Opening { step: Option<StartupStep> },
    /// Every command works from now on.
    Ready,
    /// The data directory could not be opened: why, in plain words; the error
    /// itself, for whoever helps; and which folder it is.
    Failed {
        message: String,
        detail: String,
        folder: String,
    },
}

/// A status and its place in the sequence of changes: the first answer to
/// `startup_status` and the events can reach the window in either order, and the
/// window keeps the report with the highest `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StartupReport {
    pub seq: u32,
    pub status: StartupStatus,
}

/// A slow step of the open, as the window names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum StartupStep {
    WaitingForWriter,
    Upgrading,
    ReindexingUsers,
    ReindexingNotes,
    ReindexingCustomValues,
}

impl From<OpenStep> for StartupStep {
    fn from(step: OpenStep) -> Self {
        match step {
            OpenStep::WaitingForWriter => StartupStep::WaitingForWriter,
            OpenStep::Upgrading => StartupStep::Upgrading,
            OpenStep::Reindexing(SearchIndex::Users) => StartupStep::ReindexingUsers,
            OpenStep::Reindexing(SearchIndex::Notes) => StartupStep::ReindexingNotes,
            OpenStep::Reindexing(SearchIndex::CustomValues) => StartupStep::ReindexingCustomValues,
        }
    }
}

/// The current status, and the data directory to open (again, after a failure).
pub struct Startup {
    report: Mutex<StartupReport>,
    dir: PathBuf,
}

impl Startup {
    pub fn new(dir: PathBuf) -> Self {
        Startup {
            report: Mutex::new(StartupReport {
                seq: 0,
                status: StartupStatus::Opening { step: None },
            }),
            dir,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StartupReport> {
        self.report
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn report(&self) -> StartupReport {
        self.lock().clone()
    }

    /// Moves to `status` if `allowed` holds for the current one; returns the new
    /// report to send.
    fn move_to(
        &self,
        status: StartupStatus,
        allowed: impl FnOnce(&StartupStatus) -> bool,
    ) -> Option<StartupReport> {
        let mut current = self.lock();
        if !allowed(&current.status) {
            return None;
        }
        current.seq += 1;
        current.status = status;
        Some(current.clone())
    }
}

/// Records `status`, unless the app is already ready, and tells the window.
fn report<R: Runtime>(app: &AppHandle<R>, status: StartupStatus) {
    let Some(startup) = app.try_state::<Startup>() else {
        return;
    };
    if let Some(report) = startup.move_to(status, |s| *s != StartupStatus::Ready) {
        send(app, report);
    }
}

fn send<R: Runtime>(app: &AppHandle<R>, report: StartupReport) {
    if let Err(e) = app.emit(STARTUP, report) {
        tracing::warn!(error = %e, "could not tell the window how the open goes");
    }
}

/// Opens the data directory in the background: on success the app's state is
/// managed, the sync worker and the task reminders start, and the status becomes
/// `ready`; on failure the status says why and the window offers to try again.
/// `app` must already manage a [`Startup`], whose status is `opening`.
pub fn open<R: Runtime>(app: AppHandle<R>) {
    let task = tauri::async_runtime::spawn(open_now(app.clone()));
    // A panic in the open must not leave the window saying "Opening" for ever.
    tauri::async_runtime::spawn(async move {
        if let Err(e) = task.await {
            tracing::error!(error = %e, "the open of the data directory ended abnormally");
            let folder = app
                .try_state::<Startup>()
                .map(|s| s.dir.display().to_string())
                .unwrap_or_default();
            report(
                &app,
                StartupStatus::Failed {
                    message: "Kith stopped while opening your data.".into(),
                    detail: e.to_string(),
                    folder,
                },
            );
        }
    });
}

async fn open_now<R: Runtime>(app: AppHandle<R>) {
    let Some(dir) = app.try_state::<Startup>().map(|s| s.dir.clone()) else {
        return;
    };
    tracing::info!(data_dir = %dir.display(), "opening data directory");
    let observer = app.clone();
    let observe = move |step: OpenStep| {
        tracing::info!(?step, "a slow step of the open");
        report(
            &observer,
            StartupStatus::Opening {
                step: Some(step.into()),
            },
        );
    };
    let opened = Kith::open_observed(&dir, Box::new(kith_core::store::system_ms), &observe).await;
    match opened {
        Ok(kith) => {
            let state = AppState::new(kith);
            let worker = crate::sync_worker::start(state.kith.clone(), app.clone());
            let _ = state.sync_worker.set(worker);
            app.manage(state);
            tauri::async_runtime::spawn(crate::notify::due_tasks(app.clone()));
            report(&app, StartupStatus::Ready);
        }
        Err(e) => {
            tracing::error!(error = %e, data_dir = %dir.display(), "could not open the data directory");
            report(
                &app,
                StartupStatus::Failed {
                    message: explain(&e),
                    detail: e.to_string(),
                    folder: dir.display().to_string(),
                },
            );
        }
    }
}

/// What an open's failure means for the person at the desk.
fn explain(e: &CoreError) -> String {
    if e.written_by_newer_version() {
        return "This data was last opened by a newer version of Kith. Install that version, or a newer one, to open it.".into();
    }
    let plain = match e.sqlite_code() {
        Some(26) => "The file kith.db in this folder is not a Kith database, or it is damaged.",
        Some(11) => "The file kith.db in this folder is damaged.",
        Some(5 | 6) => "Another program is using kith.db and did not let go of it. Close other copies of Kith and any program that opened the file.",
        Some(8) => "The file kith.db is read-only: Kith needs to write to it.",
        Some(13) => "The disk is full. Free some space on it.",
        Some(14) => "The database file could not be opened: the folder may be missing, read-only or on a disk that is not connected.",
        Some(10) => "The disk reported an error while Kith read the database.",
        _ => return match e {
            CoreError::Io(io) => format!("The folder could not be created or read ({io})."),
            other => other.to_string(),
        },
    };
    plain.into()
}

#[tauri::command(rename_all = "snake_case")]
pub fn startup_status(startup: State<'_, Startup>) -> StartupReport {
    startup.report()
}

/// Opens the data directory again after a failure (another program held the
/// file, a disk was not mounted yet); does nothing otherwise, so a second click
/// while the first retry runs starts no second open.
#[tauri::command(rename_all = "snake_case")]
pub fn retry_startup<R: Runtime>(app: AppHandle<R>, startup: State<'_, Startup>) {
    let opening = StartupStatus::Opening { step: None };
    if let Some(report) = startup.move_to(opening, |s| matches!(s, StartupStatus::Failed { .. })) {
        send(&app, report);
        open(app);
    }
}
