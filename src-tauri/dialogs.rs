//! Native open/save dialogs (tauri-plugin-dialog), called from Rust so paths never
//! pass through the webview.
//!
//! End-to-end tests cannot click a GTK file chooser through WebDriver. With the
//! test-only cargo feature `e2e-dialogs` (refused in release builds, see below)
//! a dialog instead answers with the path written in `<data dir>/.e2e-dialog-open`
//! or `.e2e-dialog-save` — a stand-in for the native picker, and nothing else.

use std::path::PathBuf;

use tauri::{AppHandle, Runtime};

#[cfg(all(feature = "e2e-dialogs", not(debug_assertions)))]
compile_error!(
    "the e2e-dialogs feature replaces native file dialogs and must never be in a release build"
);

/// A file to open, or `None` when the person cancelled.
pub fn pick_file<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    filters: &[(&str, &[&str])],
) -> Option<PathBuf> {
    #[cfg(feature = "e2e-dialogs")]
    {
        let _ = (title, filters);
        test_answer(app, ".e2e-dialog-open")
    }
    #[cfg(not(feature = "e2e-dialogs"))]
    {
        use tauri_plugin_dialog::DialogExt;
        let mut dialog = app.dialog().file().set_title(title);
        for (name, extensions) in filters {
            dialog = dialog.add_filter(*name, extensions);
        }
        dialog.blocking_pick_file()?.into_path().ok()
    }
}

/// Where to save, or `None` when the person cancelled.
pub fn save_file<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    suggested_name: &str,
) -> Option<PathBuf> {
    #[cfg(feature = "e2e-dialogs")]
    {
        let _ = (title, suggested_name);
        test_answer(app, ".e2e-dialog-save")
    }
    #[cfg(not(feature = "e2e-dialogs"))]
    {
        use tauri_plugin_dialog::DialogExt;
        app.dialog()
            .file()
            .set_title(title)
            .set_file_name(suggested_name)
            .add_filter("CSV", &["csv"])
            .blocking_save_file()?
            .into_path()
            .ok()
    }
}

#[cfg(feature = "e2e-dialogs")]
fn test_answer<R: Runtime>(app: &AppHandle<R>, file: &str) -> Option<PathBuf> {
    use tauri::Manager;
    let state = app.try_state::<crate::AppState>()?;
    let answer = state.kith.data_dir().join(file);
    let path = std::fs::read_to_string(&answer).ok()?;
    let _ = std::fs::remove_file(&answer);
    Some(PathBuf::from(path.trim()))
}
