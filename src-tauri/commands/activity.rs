use kith_core::activity::*;
use tauri::State;
use uuid::Uuid;

use crate::error::CmdResult;
use crate::AppState;

/// One page of a user's history, newest first.
#[tauri::command(rename_all = "snake_case")]
pub async fn user_activity(
    state: State<'_, AppState>,
    user_id: Uuid,
    query: ActivityQuery,
) -> CmdResult<Vec<ActivityEntry>> {
    Ok(state.kith.activity().for_user(user_id, &query).await?)
}

/// The Overview's key figures; `today` is the UI's local date, `YYYY-MM-DD`, which
/// decides what is overdue.
#[tauri::command(rename_all = "snake_case")]
pub async fn user_summary(
    state: State<'_, AppState>,
    user_id: Uuid,
    today: String,
) -> CmdResult<UserFigures> {
    Ok(state.kith.activity().summary(user_id, &today).await?)
}
