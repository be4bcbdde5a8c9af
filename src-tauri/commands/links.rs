//! Links in notes open in the person's browser or mail app, never in the webview:
//! the webview only ever shows Kith.

use kith_core::ErrorKind;
use tauri::{AppHandle, Runtime};

use crate::error::{CmdResult, KithError};

/// Schemes a note's link may open; anything else (javascript:, file:, …) is refused.
const OPENABLE: [&str; 4] = ["https://", "http://", "mailto:", "tel:"];

#[tauri::command(rename_all = "snake_case")]
pub async fn open_link<R: Runtime>(app: AppHandle<R>, url: String) -> CmdResult<()> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if !OPENABLE.iter().any(|s| lower.starts_with(s)) || url.chars().any(char::is_control) {
        return Err(KithError::new(
            ErrorKind::Validation,
            format!("Kith only opens web, mail and phone links, not {url:?}"),
        ));
    }
    open(&app, url)
}

#[cfg(not(feature = "e2e-dialogs"))]
fn open<R: Runtime>(app: &AppHandle<R>, url: &str) -> CmdResult<()> {
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| KithError::new(ErrorKind::Internal, format!("could not open the link: {e}")))
}

/// End-to-end tests record the link instead of opening it (see `dialogs.rs`).
#[cfg(feature = "e2e-dialogs")]
fn open<R: Runtime>(app: &AppHandle<R>, url: &str) -> CmdResult<()> {
    crate::dialogs::record_opened(app, url)
}
