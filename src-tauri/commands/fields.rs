//! Custom fields: define, change, reorder, delete and restore them. A user's value
//! is set by `users::set_custom_value`.

use kith_core::fields::{CustomField, CustomFieldInput};
use tauri::State;
use uuid::Uuid;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_custom_fields(state: State<'_, AppState>) -> CmdResult<Vec<CustomField>> {
    Ok(state.kith.fields().list().await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_deleted_custom_fields(state: State<'_, AppState>) -> CmdResult<Vec<CustomField>> {
    Ok(state.kith.fields().deleted().await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_custom_field(
    state: State<'_, AppState>,
    input: CustomFieldInput,
) -> CmdResult<CustomField> {
    Ok(state.kith.fields().create(&input).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_custom_field(
    state: State<'_, AppState>,
    id: Uuid,
    input: CustomFieldInput,
) -> CmdResult<CustomField> {
    Ok(state.kith.fields().update(id, &input).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reorder_custom_fields(
    state: State<'_, AppState>,
    ids: Vec<Uuid>,
) -> CmdResult<Vec<CustomField>> {
    Ok(state.kith.fields().reorder(&ids).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_custom_field(state: State<'_, AppState>, id: Uuid) -> CmdResult<()> {
    Ok(state.kith.fields().delete(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn restore_custom_field(state: State<'_, AppState>, id: Uuid) -> CmdResult<CustomField> {
    Ok(state.kith.fields().restore(id).await?)
}
