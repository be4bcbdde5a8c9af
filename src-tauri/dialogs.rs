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

/// Files to open (several may be chosen); empty when the person cancelled.
pub fn pick_files<R: Runtime>(app: &AppHandle<R>, title: &str) -> Vec<PathBuf> {
    #[cfg(feature = "e2e-dialogs")]
    {
        let _ = title;
        // One path a line: the stand-in for choosing several files at once.
        test_answer_text(app, ".e2e-dialog-open")
            .map(|text| {
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(PathBuf::from)
                    .collect()
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "e2e-dialogs"))]
    {
        use tauri_plugin_dialog::DialogExt;
        app.dialog()
            .file()
            .set_title(title)
            .blocking_pick_files()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|f| f.into_path().ok())
            .collect()
    }
}

/// One image file, or `None` when the person cancelled.
pub fn pick_image<R: Runtime>(app: &AppHandle<R>, title: &str) -> Option<PathBuf> {
    #[cfg(feature = "e2e-dialogs")]
    {
        let _ = title;
        pick_files(app, title).into_iter().next()
    }
    #[cfg(not(feature = "e2e-dialogs"))]
    {
        use tauri_plugin_dialog::DialogExt;
        app.dialog()
            .file()
            .set_title(title)
            .add_filter("Images", &["png", "jpg", "jpeg", "gif", "webp"])
            .blocking_pick_file()
            .and_then(|f| f.into_path().ok())
    }
}

/// Where to save a CSV file, or `None` when the person cancelled.
pub fn save_file<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    suggested_name: &str,
) -> Option<PathBuf> {
    save_file_filtered(app, title, suggested_name, Some(("CSV", &["csv"])))
}

/// Where to save, offering only `filter`'s extensions when given; `None` when
/// the person cancelled.
pub fn save_file_filtered<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    suggested_name: &str,
    filter: Option<(&str, &[&str])>,
) -> Option<PathBuf> {
    #[cfg(feature = "e2e-dialogs")]
    {
        let _ = (title, suggested_name, filter);
        test_answer(app, ".e2e-dialog-save")
    }
    #[cfg(not(feature = "e2e-dialogs"))]
    {
        use tauri_plugin_dialog::DialogExt;
        let mut dialog = app
            .dialog()
            .file()
            .set_title(title)
            .set_file_name(suggested_name);
        if let Some((name, extensions)) = filter {
            dialog = dialog.add_filter(name, extensions);
        }
        dialog.blocking_save_file()?.into_path().ok()
    }
}

#[cfg(feature = "e2e-dialogs")]
fn test_answer<R: Runtime>(app: &AppHandle<R>, file: &str) -> Option<PathBuf> {
    test_answer_text(app, file).map(|text| PathBuf::from(text.trim()))
}

/// The stand-in's answer, read once: the file is removed so the next dialog asks again.
#[cfg(feature = "e2e-dialogs")]
fn test_answer_text<R: Runtime>(app: &AppHandle<R>, file: &str) -> Option<String> {
    use tauri::Manager;
    let state = app.try_state::<crate::AppState>()?;
    let answer = state.kith.data_dir().join(file);
    let text = std::fs::read_to_string(&answer).ok()?;
    let _ = std::fs::remove_file(&answer);
    Some(text)
}

/// End-to-end tests must not start a browser or a file manager: what the app
/// would open (a link, a file, a folder) is written to `<data dir>/.e2e-opened`.
#[cfg(feature = "e2e-dialogs")]
pub fn record_opened<R: Runtime>(app: &AppHandle<R>, what: &str) -> crate::error::CmdResult<()> {
    use crate::error::KithError;
    use tauri::Manager;
    let state = app
        .try_state::<crate::AppState>()
        .ok_or_else(|| KithError::internal("no app state"))?;
    std::fs::write(state.kith.data_dir().join(".e2e-opened"), what).map_err(KithError::internal)
}
