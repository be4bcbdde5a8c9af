use kith_core::users::{Location, Team, TeamSize};
use tauri::State;
use uuid::Uuid;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_teams(state: State<'_, AppState>) -> CmdResult<Vec<Team>> {
    Ok(state.kith.workspace().teams().await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_team(state: State<'_, AppState>, name: String) -> CmdResult<Team> {
    Ok(state.kith.workspace().create_team(&name).await?)
}

/// Teams with their member counts, for Settings (pickers use `list_teams`).
#[tauri::command(rename_all = "snake_case")]
pub async fn team_sizes(state: State<'_, AppState>) -> CmdResult<Vec<TeamSize>> {
    Ok(state.kith.workspace().team_sizes().await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rename_team(state: State<'_, AppState>, id: Uuid, name: String) -> CmdResult<Team> {
    Ok(state.kith.workspace().rename_team(id, &name).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_team(state: State<'_, AppState>, id: Uuid) -> CmdResult<()> {
    Ok(state.kith.workspace().delete_team(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn restore_team(state: State<'_, AppState>, id: Uuid) -> CmdResult<Team> {
    Ok(state.kith.workspace().restore_team(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_locations(state: State<'_, AppState>) -> CmdResult<Vec<Location>> {
    Ok(state.kith.workspace().locations().await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_location(state: State<'_, AppState>, name: String) -> CmdResult<Location> {
    Ok(state.kith.workspace().create_location(&name).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rename_location(
    state: State<'_, AppState>,
    id: Uuid,
    name: String,
) -> CmdResult<Location> {
    Ok(state.kith.workspace().rename_location(id, &name).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_location(state: State<'_, AppState>, id: Uuid) -> CmdResult<()> {
    Ok(state.kith.workspace().delete_location(id).await?)
}
