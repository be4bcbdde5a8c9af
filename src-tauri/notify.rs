//! "Task due" desktop notifications while the app runs.
//!
//! Every 30 s the app asks the core for open tasks whose due moment passed since
//! the previous check, and shows one notification per task. The notification is
//! sent from Rust (tauri-plugin-notification), so the webview needs no
//! notification permission.

use std::collections::HashSet;
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use uuid::Uuid;

use crate::AppState;

const EVERY: Duration = Duration::from_secs(30);

/// The desktop's local time as the core's due moments are written, `YYYY-MM-DDTHH:MM`.
fn local_now() -> String {
    chrono::Local::now().format("%Y-%m-%dT%H:%M").to_string()
}

/// Runs until the app exits. Tasks already due when the app starts are not
/// announced: the Tasks view shows them as overdue.
pub async fn due_tasks<R: Runtime>(app: AppHandle<R>) {
    let mut last = local_now();
    let mut told: HashSet<Uuid> = HashSet::new();
    let mut ticks = tokio::time::interval(EVERY);
    loop {
        ticks.tick().await;
        let now = local_now();
        // The clock went back (a time zone or DST change): start over from now
        // rather than announce the same hour twice.
        if now <= last {
            last = now;
            continue;
        }
        let state = app.state::<AppState>();
        match state.kith.tasks().due_between(&last, &now).await {
            Ok(due) => {
                for task in due.into_iter().filter(|t| told.insert(t.id)) {
                    let when = task.due_time.as_deref().unwrap_or("today");
                    let body = format!("{} · due {when}", task.user_name);
                    if let Err(e) = app
                        .notification()
                        .builder()
                        .title(&task.title)
                        .body(body)
                        .show()
                    {
                        tracing::warn!(error = %e, "could not show a task notification");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not look for due tasks"),
        }
        last = now;
    }
}
