//! Files attached to users: attach what was dropped or picked, list, rename,
//! delete and restore them, find them across users, open them outside the app,
//! save a copy, and small thumbnails of images for the Files and Media tabs.

use std::path::{Path, PathBuf};

use kith_core::files::{
    check_source, Attachment, FileError, FileKind, FileSearch, ImageRole, UserImages,
};
use kith_core::ErrorKind;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;
use uuid::Uuid;

use crate::dialogs;
use crate::error::{CmdResult, KithError};
use crate::files::display_name;
use crate::thumbs;
use crate::AppState;

/// What an attach did: the files now on the user, and each one that was not,
/// with why, so one unreadable file among twenty does not hide the others.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct AttachReport {
    pub attached: Vec<Attachment>,
    pub failed: Vec<AttachFailure>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AttachFailure {
    /// The file's name, without its folder.
    pub name: String,
    pub message: String,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_files(
    state: State<'_, AppState>,
    user_id: Uuid,
    kind: Option<FileKind>,
) -> CmdResult<Vec<Attachment>> {
    Ok(state.kith.files().list_for_user(user_id, kind).await?)
}

/// Attaches files dropped on the window or picked earlier, known by their tokens.
#[tauri::command(rename_all = "snake_case")]
pub async fn attach_files(
    state: State<'_, AppState>,
    user_id: Uuid,
    tokens: Vec<String>,
) -> CmdResult<AttachReport> {
    let mut paths = Vec::with_capacity(tokens.len());
    let mut failed = Vec::new();
    for token in &tokens {
        match state.files.path(token) {
            Ok(path) => paths.push(path),
            Err(e) => failed.push(AttachFailure {
                name: "A file".into(),
                message: e.message,
            }),
        }
    }
    let mut report = attach_paths(&state, user_id, paths).await?;
    // Unknown tokens first, then the files that could not be read, in the order dropped.
    failed.append(&mut report.failed);
    report.failed = failed;
    Ok(report)
}

/// The native multi-file picker, then the chosen files attached to the user.
/// Nothing chosen (cancelled) is an empty report.
#[tauri::command(rename_all = "snake_case")]
pub async fn choose_files_to_attach<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    user_id: Uuid,
) -> CmdResult<AttachReport> {
    // Refuse before the dialog: picking files for a user who is gone wastes the person's time.
    state.kith.users().get(user_id).await?;
    let picker = app.clone();
    let paths =
        tauri::async_runtime::spawn_blocking(move || dialogs::pick_files(&picker, "Attach files"))
            .await
            .map_err(KithError::internal)?;
    attach_paths(&state, user_id, paths).await
}

/// Checks every file first, so a folder or an unreadable file is reported by
/// name and the rest still attach (the core attaches a set all or none).
async fn attach_paths(
    state: &AppState,
    user_id: Uuid,
    paths: Vec<PathBuf>,
) -> CmdResult<AttachReport> {
    let mut report = AttachReport::default();
    if paths.is_empty() {
        return Ok(report);
    }
    // Opening a file can block (a network share, a sleeping disk): off the async threads.
    let checked = tauri::async_runtime::spawn_blocking(move || {
        paths
            .into_iter()
            .map(|p| {
                let problem = check_source(&p).err();
                (p, problem)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(KithError::internal)?;
    let mut good = Vec::new();
    for (path, problem) in checked {
        match problem {
            None => good.push(path),
            Some(e) => report.failed.push(AttachFailure {
                message: source_message(&path, &e),
                name: display_name(&path),
            }),
        }
    }
    if good.is_empty() {
        return Ok(report);
    }
    let author = state.kith.settings().current_staff_id;
    // The core streams each file into the blob store on blocking threads itself.
    match state.kith.files().attach_many(user_id, &good, author).await {
        Ok(attached) => report.attached = attached,
        // The user is gone: nothing could attach, say so once.
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(e.into()),
        Err(e) => {
            let message = KithError::from(e).message;
            report.failed.extend(good.iter().map(|p| AttachFailure {
                name: display_name(p),
                message: message.clone(),
            }));
        }
    }
    Ok(report)
}

/// Why a file cannot be attached, naming the file but not its folder: the
/// webview never learns where the person's files live.
fn source_message(path: &Path, e: &FileError) -> String {
    let name = display_name(path);
    match e {
        FileError::IsFolder(_) => {
            format!("{name} is a folder — attach the files inside it instead")
        }
        FileError::Missing(_) => format!("{name} no longer exists"),
        FileError::NotAFile(_) => format!("{name} is not a regular file"),
        FileError::Unreadable { source, .. } => format!("Kith cannot read {name}: {source}"),
        other => format!("{name}: {other}"),
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rename_file(
    state: State<'_, AppState>,
    id: Uuid,
    name: String,
) -> CmdResult<Attachment> {
    Ok(state.kith.files().rename(id, &name).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_file(state: State<'_, AppState>, id: Uuid) -> CmdResult<()> {
    Ok(state.kith.files().delete(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn restore_file(state: State<'_, AppState>, id: Uuid) -> CmdResult<Attachment> {
    Ok(state.kith.files().restore(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn find_files(
    state: State<'_, AppState>,
    query: String,
    kind: Option<FileKind>,
    limit: i64,
) -> CmdResult<FileSearch> {
    Ok(state.kith.files().find(&query, kind, limit).await?)
}

/// Opens the file with the person's default app for its type.
#[tauri::command(rename_all = "snake_case")]
pub async fn open_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: Uuid,
) -> CmdResult<()> {
    let path = named_copy(&state, id).await?;
    outside::open(&app, &path)
}

/// Shows the file, under its own name, in the system file manager.
#[tauri::command(rename_all = "snake_case")]
pub async fn show_file_in_folder<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: Uuid,
) -> CmdResult<()> {
    let path = named_copy(&state, id).await?;
    outside::reveal(&app, &path)
}

/// The native save dialog, then a verified copy written there. The saved file's
/// name, or `None` when the person cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_file_copy<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: Uuid,
) -> CmdResult<Option<String>> {
    let attachment = state.kith.files().get(id).await?;
    let picker = app.clone();
    let suggested = safe_file_name(&attachment.name);
    let Some(dest) = tauri::async_runtime::spawn_blocking(move || {
        dialogs::save_file_filtered(&picker, "Save a copy", &suggested, None)
    })
    .await
    .map_err(KithError::internal)?
    else {
        return Ok(None);
    };
    state.kith.files().export_copy(id, &dest).await?;
    Ok(Some(display_name(&dest)))
}

/// A small PNG of an image as a `data:` URL, or `None` for files that are not
/// images Kith can read (the UI shows the kind's icon instead).
#[tauri::command(rename_all = "snake_case")]
pub async fn file_thumbnail(state: State<'_, AppState>, id: Uuid) -> CmdResult<Option<String>> {
    preview(&state, id, thumbs::Size::Thumb).await
}

/// A profile's cover band: the image at up to 1600 px, as a JPEG data URL.
#[tauri::command(rename_all = "snake_case")]
pub async fn cover_image(state: State<'_, AppState>, id: Uuid) -> CmdResult<Option<String>> {
    preview(&state, id, thumbs::Size::Cover).await
}

async fn preview(state: &AppState, id: Uuid, size: thumbs::Size) -> CmdResult<Option<String>> {
    let attachment = state.kith.files().get(id).await?;
    if attachment.kind != FileKind::Image {
        return Ok(None);
    }
    let Ok(source) = state.kith.files().blob_path(id).await else {
        // Synced from another device and not fetched yet: no preview for now.
        return Ok(None);
    };
    let cache = state.kith.data_dir().join(thumbs::THUMBS_DIR);
    let sha256 = attachment.sha256;
    tauri::async_runtime::spawn_blocking(move || thumbs::data_url(&source, &cache, &sha256, size))
        .await
        .map_err(KithError::internal)?
}

/// Makes one of the user's images their profile or cover image; `null` removes it.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_user_image(
    state: State<'_, AppState>,
    user_id: Uuid,
    role: ImageRole,
    attachment_id: Option<Uuid>,
) -> CmdResult<UserImages> {
    Ok(state
        .kith
        .files()
        .set_user_image(user_id, role, attachment_id)
        .await?)
}

/// The native picker (images only), then the chosen image attached to the user and
/// made their profile or cover image. `None`: cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn choose_user_image<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    user_id: Uuid,
    role: ImageRole,
) -> CmdResult<Option<UserImages>> {
    state.kith.users().get(user_id).await?;
    let title = match role {
        ImageRole::Avatar => "Choose a profile image",
        ImageRole::Cover => "Choose a cover image",
    };
    let picker = app.clone();
    let path = tauri::async_runtime::spawn_blocking(move || dialogs::pick_image(&picker, title))
        .await
        .map_err(KithError::internal)?;
    let Some(path) = path else {
        return Ok(None);
    };
    let report = attach_paths(&state, user_id, vec![path]).await?;
    if let Some(failure) = report.failed.into_iter().next() {
        return Err(KithError::new(ErrorKind::Validation, failure.message));
    }
    let Some(attached) = report.attached.into_iter().next() else {
        return Ok(None);
    };
    Ok(Some(
        state
            .kith
            .files()
            .set_user_image(user_id, role, Some(attached.id))
            .await?,
    ))
}

/// The blob store names files by their hash, without an extension, so the
/// default app could not tell a PDF from a photo: opening or revealing goes
/// through a copy under the attachment's own name in `<data dir>/opened/<id>/`.
/// A copy, not a link to the blob: an app saving over the opened file must not
/// change the stored content.
async fn named_copy(state: &AppState, id: Uuid) -> CmdResult<PathBuf> {
    let attachment = state.kith.files().get(id).await?;
    // Attached on another desktop and not fetched yet: fetch it now.
    if !attachment.downloaded {
        state.kith.sync().fetch_blob(&attachment.sha256).await?;
    }
    let dir = state.kith.data_dir().join("opened").join(id.to_string());
    // A rename leaves the previous copy behind otherwise. Best effort: an app may
    // still hold it open.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| {
        KithError::new(
            ErrorKind::Storage,
            format!("Kith cannot write to {}: {e}", dir.display()),
        )
    })?;
    let path = dir.join(safe_file_name(&attachment.name));
    state.kith.files().export_copy(id, &path).await?;
    Ok(path)
}

/// A display name made safe as a file name on every system: characters Windows
/// refuses become `_`, and `.`/`..` (which name folders) become "attachment".
fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim_end_matches(['.', ' ']);
    if trimmed.trim_start_matches('.').is_empty() {
        "attachment".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Opening and revealing with the OS (tauri-plugin-opener, from Rust: the webview
/// has no opener permission).
#[cfg(not(feature = "e2e-dialogs"))]
mod outside {
    use std::path::Path;

    use kith_core::ErrorKind;
    use tauri::{AppHandle, Runtime};
    use tauri_plugin_opener::OpenerExt;

    use crate::error::{CmdResult, KithError};

    pub fn open<R: Runtime>(app: &AppHandle<R>, path: &Path) -> CmdResult<()> {
        app.opener()
            .open_path(path.to_string_lossy(), None::<&str>)
            .map_err(|e| failed("open the file", e))
    }

    pub fn reveal<R: Runtime>(app: &AppHandle<R>, path: &Path) -> CmdResult<()> {
        app.opener()
            .reveal_item_in_dir(path)
            .map_err(|e| failed("show the file in its folder", e))
    }

    fn failed(what: &str, e: impl std::fmt::Display) -> KithError {
        KithError::new(ErrorKind::Internal, format!("Kith could not {what}: {e}"))
    }
}

/// End-to-end tests record what would be opened instead (see `dialogs.rs`).
#[cfg(feature = "e2e-dialogs")]
mod outside {
    use std::path::Path;

    use tauri::{AppHandle, Runtime};

    use crate::error::CmdResult;

    pub fn open<R: Runtime>(app: &AppHandle<R>, path: &Path) -> CmdResult<()> {
        crate::dialogs::record_opened(app, &format!("open {}", path.display()))
    }

    pub fn reveal<R: Runtime>(app: &AppHandle<R>, path: &Path) -> CmdResult<()> {
        crate::dialogs::record_opened(app, &format!("reveal {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn opened_copies_get_names_every_system_accepts() {
        assert_eq!(safe_file_name("Zoë café.jpg"), "Zoë café.jpg");
        assert_eq!(safe_file_name("a:b?.pdf"), "a_b_.pdf");
        assert_eq!(safe_file_name(".."), "attachment");
        assert_eq!(safe_file_name("notes. "), "notes");
    }
}
