use kith_core::notes::*;
use tauri::State;
use uuid::Uuid;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_notes(state: State<'_, AppState>, user_id: Uuid) -> CmdResult<Vec<Note>> {
    Ok(state.kith.notes().for_user(user_id).await?)
}

/// Written by this desktop's staff member (Settings → "You are").
#[tauri::command(rename_all = "snake_case")]
pub async fn add_note(
    state: State<'_, AppState>,
    user_id: Uuid,
    input: NoteInput,
) -> CmdResult<Note> {
    let author = state.kith.settings().current_staff_id;
    Ok(state.kith.notes().add(user_id, &input, author).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn edit_note(
    state: State<'_, AppState>,
    note_id: Uuid,
    input: NoteInput,
) -> CmdResult<Note> {
    let editor = state.kith.settings().current_staff_id;
    Ok(state.kith.notes().edit(note_id, &input, editor).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_note_pinned(
    state: State<'_, AppState>,
    note_id: Uuid,
    pinned: bool,
) -> CmdResult<Note> {
    Ok(state.kith.notes().set_pinned(note_id, pinned).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_note(state: State<'_, AppState>, note_id: Uuid) -> CmdResult<()> {
    Ok(state.kith.notes().delete(note_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn restore_note(state: State<'_, AppState>, note_id: Uuid) -> CmdResult<Note> {
    Ok(state.kith.notes().restore(note_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn note_versions(
    state: State<'_, AppState>,
    note_id: Uuid,
) -> CmdResult<Vec<NoteVersion>> {
    Ok(state.kith.notes().versions(note_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn note_tags(
    state: State<'_, AppState>,
    prefix: String,
    limit: i64,
) -> CmdResult<Vec<TagCount>> {
    Ok(state.kith.notes().tags(&prefix, limit).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn search_notes(state: State<'_, AppState>, query: NoteQuery) -> CmdResult<NoteSearch> {
    Ok(state.kith.notes().search(&query).await?)
}
