//! Files the person chose with a native dialog or dropped on the window. Their
//! paths stay in Rust: the webview only ever holds an opaque token for each, so a
//! compromised page cannot name a file of its own choosing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use kith_core::ErrorKind;
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::error::{CmdResult, KithError};

/// What the UI learns of a chosen file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChosenFile {
    pub token: String,
    /// The file's name, without its folder.
    pub name: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
}

#[derive(Default)]
pub struct ChosenFiles(Mutex<HashMap<String, PathBuf>>);

impl ChosenFiles {
    /// Remembers `path` and returns its token; a folder or an unreadable path is
    /// refused with a message the person can act on.
    pub fn register(&self, path: PathBuf) -> CmdResult<ChosenFile> {
        let name = display_name(&path);
        let meta = std::fs::metadata(&path).map_err(|e| {
            KithError::new(
                ErrorKind::Validation,
                format!("Kith cannot read {name}: {e}"),
            )
        })?;
        if meta.is_dir() {
            return Err(KithError::new(
                ErrorKind::Validation,
                format!("{name} is a folder — drop or choose the files inside it"),
            ));
        }
        let token = Uuid::new_v4().to_string();
        self.lock().insert(token.clone(), path);
        Ok(ChosenFile {
            token,
            name,
            size_bytes: meta.len(),
        })
    }

    pub fn path(&self, token: &str) -> CmdResult<PathBuf> {
        self.lock().get(token).cloned().ok_or_else(|| {
            KithError::new(
                ErrorKind::NotFound,
                "That file is no longer available — choose it again".to_owned(),
            )
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, PathBuf>> {
        // A poisoned lock only means a panic elsewhere while inserting a plain value.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
