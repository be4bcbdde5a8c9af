//! Files dragged onto the window. The webview never sees their paths: each dropped
//! file is registered and the UI hears its token, name and size (or why it cannot
//! be used), and whether a drag is hovering so it can show where to drop.

use serde::Serialize;
use tauri::{DragDropEvent, Emitter, Manager, Runtime, Window, WindowEvent};
use ts_rs::TS;

use crate::files::{display_name, ChosenFile};
use crate::AppState;

/// Event: files were dropped on the window.
pub const FILES_DROPPED: &str = "files-dropped";
/// Event: a drag entered (`true`) or left (`false`) the window.
pub const DRAG_HOVER: &str = "drag-hover";

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
        DragDropEvent::Enter { .. } => window.emit(DRAG_HOVER, true),
        DragDropEvent::Leave => window.emit(DRAG_HOVER, false),
        DragDropEvent::Drop { paths, .. } => {
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
            window.emit(FILES_DROPPED, dropped)
        }
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not tell the UI about a drag and drop");
    }
}
