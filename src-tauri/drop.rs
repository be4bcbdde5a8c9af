//! Files dragged onto the window. The webview never sees their paths: each dropped
//! file is registered and the UI hears its token, name and size (or why it cannot
//! be used), and whether a drag is hovering so it can show where to drop. Both
//! come with the pointer's position in CSS pixels, so the UI can tell whether
//! the files are over a user (their profile or their row in the list).

use serde::Serialize;
use tauri::{DragDropEvent, Emitter, Manager, PhysicalPosition, Runtime, Window, WindowEvent};
use ts_rs::TS;

use crate::files::{display_name, ChosenFile};
use crate::AppState;

/// Event: files were dropped on the window.
pub const FILES_DROPPED: &str = "files-dropped";
/// Event: a drag entered (`true`) or left (`false`) the window.
pub const DRAG_HOVER: &str = "drag-hover";
/// Event: the names of the files a drag brings (never their paths), as it enters
/// the window, so the UI can say what a drop there will do with them.
pub const DRAG_FILES: &str = "drag-files";
/// Event: a drag moved over the window, with the pointer's [`DropPoint`].
pub const DRAG_OVER: &str = "drag-over";

/// Where the pointer is, in the webview's CSS pixels (what `elementFromPoint` takes).
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[ts(export)]
pub struct DropPoint {
    pub x: f64,
    pub y: f64,
}

/// Files dropped on the window, and where.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FilesDrop {
    pub files: Vec<DroppedFile>,
    /// `None` when the window's scale could not be read.
    pub position: Option<DropPoint>,
}

/// One dropped file: usable, or the reason it is not.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DroppedFile {
    pub name: String,
    pub file: Option<ChosenFile>,
    pub error: Option<String>,
}

pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let WindowEvent::DragDrop(drag) = event else {
        return;
    };
    let result = match drag {
        DragDropEvent::Enter { paths, position } => window
            .emit(DRAG_FILES, dragged_names(paths))
            .and_then(|()| window.emit(DRAG_HOVER, true))
            .and_then(|()| window.emit(DRAG_OVER, point(window, *position))),
        DragDropEvent::Over { position } => window.emit(DRAG_OVER, point(window, *position)),
        DragDropEvent::Leave => window.emit(DRAG_HOVER, false),
        DragDropEvent::Drop { paths, position } => {
            let _ = window.emit(DRAG_HOVER, false);
            let Some(state) = window.try_state::<AppState>() else {
                return;
            };
            let dropped: Vec<DroppedFile> = paths
                .iter()
                .map(|p| match state.files.register(p.clone()) {
                    Ok(file) => DroppedFile {
                        name: file.name.clone(),
                        file: Some(file),
                        error: None,
                    },
                    Err(e) => DroppedFile {
                        name: display_name(p),
                        file: None,
                        error: Some(e.message),
                    },
                })
                .collect();
            let position = point(window, *position);
            window.emit(
                FILES_DROPPED,
                FilesDrop {
                    files: dropped,
                    position,
                },
            )
        }
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not tell the UI about a drag and drop");
    }
}

/// The file names of a drag's paths; a path without one (a drive's root) is left out.
fn dragged_names(paths: &[std::path::PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect()
}

/// The drag event's physical pixels as the webview's CSS pixels.
fn point<R: Runtime>(window: &Window<R>, position: PhysicalPosition<f64>) -> Option<DropPoint> {
    let scale = window.scale_factor().ok()?;
    let logical = position.to_logical::<f64>(scale);
    Some(DropPoint {
        x: logical.x,
        y: logical.y,
    })
}
