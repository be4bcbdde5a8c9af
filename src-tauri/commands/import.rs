//! CSV import: choose a file, preview it under a mapping, run it (with progress
//! and cancel), save the refused rows, list the imports made and undo one.

use std::path::Path;
use std::sync::atomic::Ordering;

use kith_core::fields::Catalog;
use kith_core::import::history::{history, Record};
use kith_core::import::mapping::Target;
use kith_core::import::preview::{preview, MappingSource, Preview};
use kith_core::import::report::write_error_rows;
use kith_core::import::row::CellError;
use kith_core::import::run::{
    run, DefaultValue, ImportOptions, ImportReport, MatchOn, Mode, Progress,
};
use kith_core::import::saved;
use kith_core::import::source::{headers_by_bytes, sniff, Sniffed, TextEncoding};
use kith_core::import::undo::{undo, UndoReport};
use kith_core::import::ImportError;
use serde::Deserialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;
use uuid::Uuid;

use crate::dialogs;
use crate::error::{CmdResult, KithError};
use crate::files::{display_name, ChosenFile};
use crate::thumbs;
use crate::AppState;

/// How to run an import, as chosen in the dialog.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ImportRequest {
    pub mode: Mode,
    pub match_on: MatchOn,
    /// One target per column of the file.
    pub mapping: Vec<Target>,
    /// The encoding to read the file in: as the preview read it (chosen by the
    /// person, or brought by a saved mapping). `None` detects it again; the run
    /// does not look up a saved encoding itself.
    #[ts(optional)]
    pub encoding: Option<TextEncoding>,
    /// A workbook's sheet, as the preview read it; `None` reads its first sheet
    /// holding values.
    #[ts(optional)]
    pub sheet: Option<String>,
    /// Teams every imported user joins.
    pub default_teams: Vec<String>,
    /// Custom field values every imported user gets where the row has none
    /// (absent: none, as from a caller that predates them).
    #[serde(default)]
    pub default_values: Vec<DefaultValue>,
    pub dry_run: bool,
    /// When some rows are invalid: import the valid ones (true) or nothing (false).
    pub skip_invalid: bool,
    /// Remember this mapping for files with the same headers.
    pub save_mapping: bool,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn choose_import_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CmdResult<Option<ChosenFile>> {
    let picker = app.clone();
    let path = tauri::async_runtime::spawn_blocking(move || {
        dialogs::pick_file(
            &picker,
            "Import customers from CSV, Excel or vCard",
            &[(
                "CSV, Excel, LibreOffice and vCard files",
                &[
                    "csv", "txt", "tsv", "xlsx", "xlsm", "xlsb", "xls", "ods", "vcf", "vcard",
                ],
            )],
        )
    })
    .await
    .map_err(KithError::internal)?;
    path.map(|p| state.files.register(p)).transpose()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn preview_import(
    state: State<'_, AppState>,
    token: String,
    mapping: Option<Vec<Target>>,
    encoding: Option<TextEncoding>,
    sheet: Option<String>,
) -> CmdResult<Preview> {
    let path = state.files.path(&token)?;
    let region = state.kith.settings().default_region;
    // Sniffing checks the whole file's encoding: once per preview, as a rule.
    let detected = sniff_blocking(path.clone(), region.clone(), encoding, sheet.clone()).await?;
    let detected_encoding = detected.encoding;
    let (sniffed, chosen) = match mapping {
        Some(m) => (detected, Some((m, MappingSource::Chosen))),
        None => match saved_for(&state, &path, &region, &detected).await? {
            // The code page the person chose for files like this one (unless they
            // named one now): read again in it, unless it cannot be read so, or
            // its columns then differ from the mapping's.
            Some(saved) => {
                let reread = match saved
                    .reread_as(detected.encoding)
                    .filter(|_| encoding.is_none())
                {
                    Some(e) => sniff_blocking(path.clone(), region.clone(), Some(e), sheet)
                        .await
                        .ok()
                        .filter(|s| s.headers.len() == saved.mapping.len()),
                    None => None,
                };
                (
                    reread.unwrap_or(detected),
                    Some((saved.mapping, MappingSource::Saved)),
                )
            }
            None => (detected, None),
        },
    };
    let fields = Catalog {
        fields: state.kith.fields().list().await?,
    };
    Ok(tauri::async_runtime::spawn_blocking(move || {
        let mut preview = preview(&path, &sniffed, detected_encoding, chosen, &region, &fields)?;
        // Each photo shown as a thumbnail, not sent whole: a contact's photo
        // can be a few hundred KB, and the preview shows twenty rows.
        for photo in preview
            .rows
            .iter_mut()
            .filter_map(|r| r.user.as_mut()?.photo.as_mut())
        {
            photo.thumbnail = thumbs::data_url_of_bytes(&photo.bytes, thumbs::Size::Thumb);
            photo.bytes = Vec::new();
        }
        Ok::<_, ImportError>(preview)
    })
    .await
    .map_err(KithError::internal)??)
}

/// The mapping saved for files like this one: by its headers as read, or, when
/// its code page was guessed, as its bytes say (a guess may change from one
/// export to the next).
async fn saved_for(
    state: &AppState,
    path: &Path,
    region: &str,
    detected: &Sniffed,
) -> CmdResult<Option<saved::SavedMapping>> {
    let pool = state.kith.store().pool();
    if let Some(saved) = saved::load(pool, &detected.headers).await? {
        return Ok(Some(saved));
    }
    if !detected.encoding.is_guessed() {
        return Ok(None);
    }
    let (path, region, detected) = (path.to_owned(), region.to_owned(), detected.clone());
    let by_bytes =
        tauri::async_runtime::spawn_blocking(move || headers_by_bytes(&path, &region, &detected))
            .await
            .map_err(KithError::internal)?;
    Ok(match by_bytes {
        Some(headers) => saved::load_by_bytes(pool, &headers).await?,
        None => None,
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn run_import(
    state: State<'_, AppState>,
    token: String,
    request: ImportRequest,
    on_progress: Channel<Progress>,
) -> CmdResult<ImportReport> {
    let path = state.files.path(&token)?;
    let _running = state.import_slot()?;
    state.import_cancel.store(false, Ordering::Relaxed);
    let opts = ImportOptions {
        mode: request.mode,
        match_on: request.match_on,
        mapping: Some(request.mapping.clone()),
        region: state.kith.settings().default_region,
        encoding: request.encoding,
        sheet: request.sheet,
        default_teams: request.default_teams,
        default_values: request.default_values,
        dry_run: request.dry_run,
        skip_invalid: request.skip_invalid,
        // Remembered only once an import with it is kept: in the same transaction.
        remember_mapping: request.save_mapping,
    };
    Ok(run(
        state.kith.store(),
        state.kith.files().blobs(),
        &path,
        &opts,
        &state.import_cancel,
        |p| {
            // The dialog may have closed; progress is best effort.
            let _ = on_progress.send(p);
        },
    )
    .await?)
}

/// Reads a file's encoding, delimiter and headers off the async runtime.
async fn sniff_blocking(
    path: std::path::PathBuf,
    region: String,
    chosen: Option<TextEncoding>,
    sheet: Option<String>,
) -> CmdResult<Sniffed> {
    Ok(tauri::async_runtime::spawn_blocking(move || {
        sniff(&path, &region, chosen, sheet.as_deref())
    })
    .await
    .map_err(KithError::internal)??)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_import(state: State<'_, AppState>) -> CmdResult<()> {
    state.import_cancel.store(true, Ordering::Relaxed);
    Ok(())
}

/// Saves the refused rows of the file, with a reason column, where the person
/// chooses; returns the saved file's name, or `None` when they cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_import_errors<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    token: String,
    errors: Vec<CellError>,
    encoding: Option<TextEncoding>,
    sheet: Option<String>,
) -> CmdResult<Option<String>> {
    let source = state.files.path(&token)?;
    let region = state.kith.settings().default_region;
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    // A contact file's records are cards, as the dialog calls them; they are saved
    // as the rows of a CSV file all the same, which imports like the cards.
    let cards = source
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("vcf") || e.eq_ignore_ascii_case("vcard"));
    let what = if cards { "cards" } else { "rows" };
    let suggested = format!("{stem} - {what} to fix.csv");
    tauri::async_runtime::spawn_blocking(move || {
        let title = format!("Save the {what} to fix");
        let Some(target) = dialogs::save_file(&app, &title, &suggested) else {
            return Ok(None);
        };
        let file = std::fs::File::create(&target).map_err(|e| {
            KithError::new(
                kith_core::ErrorKind::Storage,
                format!("could not write {}: {e}", display_name(&target)),
            )
        })?;
        write_error_rows(
            &source,
            &region,
            encoding,
            sheet.as_deref(),
            &errors,
            std::io::BufWriter::new(file),
        )?;
        Ok(Some(display_name(&target)))
    })
    .await
    .map_err(KithError::internal)?
}

/// The imports made on this desktop, newest first, for undoing one later.
#[tauri::command(rename_all = "snake_case")]
pub async fn list_imports(state: State<'_, AppState>, limit: i64) -> CmdResult<Vec<Record>> {
    Ok(history(state.kith.store(), limit.clamp(1, 500)).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn undo_import(
    state: State<'_, AppState>,
    batch_id: Uuid,
    on_progress: Channel<Progress>,
) -> CmdResult<UndoReport> {
    let _running = state.import_slot()?;
    Ok(undo(state.kith.store(), batch_id, |p| {
        // As for a run: the dialog may have closed.
        let _ = on_progress.send(p);
    })
    .await?)
}
