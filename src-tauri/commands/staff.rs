use kith_core::staff::{Staff, StaffInput};
use tauri::State;
use uuid::Uuid;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_staff(state: State<'_, AppState>) -> CmdResult<Vec<Staff>> {
    Ok(state.kith.staff().list().await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_staff(state: State<'_, AppState>, input: StaffInput) -> CmdResult<Staff> {
    Ok(state.kith.staff().add(&input).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_staff(
    state: State<'_, AppState>,
    id: Uuid,
    input: StaffInput,
) -> CmdResult<Staff> {
    Ok(state.kith.staff().update(id, &input).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn remove_staff(state: State<'_, AppState>, id: Uuid) -> CmdResult<()> {
    Ok(state.kith.staff().remove(id).await?)
}
