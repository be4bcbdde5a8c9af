use kith_core::settings::Settings;
use tauri::State;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn get_settings(state: State<'_, AppState>) -> CmdResult<Settings> {
    Ok(state.kith.settings())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> CmdResult<Settings> {
    Ok(state.kith.update_settings(&settings).await?)
}
