use kith_core::tasks::{Task, TaskCategory, TaskFilter, TaskGroups, TaskInput, TaskStatus};
use tauri::State;
use uuid::Uuid;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_user_tasks(state: State<'_, AppState>, user_id: Uuid) -> CmdResult<Vec<Task>> {
    Ok(state.kith.tasks().for_user(user_id).await?)
}

/// `today` is the UI's local date, `YYYY-MM-DD`: the grouping is relative to it.
#[tauri::command(rename_all = "snake_case")]
pub async fn list_tasks(
    state: State<'_, AppState>,
    filter: TaskFilter,
    today: String,
) -> CmdResult<TaskGroups> {
    Ok(state.kith.tasks().view(&filter, &today).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_task(
    state: State<'_, AppState>,
    user_id: Uuid,
    input: TaskInput,
) -> CmdResult<Task> {
    Ok(state.kith.tasks().create(user_id, &input).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_task(
    state: State<'_, AppState>,
    id: Uuid,
    input: TaskInput,
) -> CmdResult<Task> {
    Ok(state.kith.tasks().update(id, &input).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn complete_task(state: State<'_, AppState>, id: Uuid) -> CmdResult<Task> {
    Ok(state.kith.tasks().complete(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reopen_task(state: State<'_, AppState>, id: Uuid) -> CmdResult<Task> {
    Ok(state.kith.tasks().reopen(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_task(state: State<'_, AppState>, id: Uuid) -> CmdResult<()> {
    Ok(state.kith.tasks().delete(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn restore_task(state: State<'_, AppState>, id: Uuid) -> CmdResult<Task> {
    Ok(state.kith.tasks().restore(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_task_statuses(state: State<'_, AppState>) -> CmdResult<Vec<TaskStatus>> {
    Ok(state.kith.tasks().statuses().await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_task_status(
    state: State<'_, AppState>,
    name: String,
    is_done: bool,
) -> CmdResult<TaskStatus> {
    Ok(state.kith.tasks().add_status(&name, is_done).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_task_status(
    state: State<'_, AppState>,
    id: Uuid,
    name: String,
    is_done: bool,
) -> CmdResult<TaskStatus> {
    Ok(state.kith.tasks().update_status(id, &name, is_done).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reorder_task_statuses(
    state: State<'_, AppState>,
    ids: Vec<Uuid>,
) -> CmdResult<Vec<TaskStatus>> {
    Ok(state.kith.tasks().reorder_statuses(&ids).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn remove_task_status(state: State<'_, AppState>, id: Uuid) -> CmdResult<()> {
    Ok(state.kith.tasks().remove_status(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_task_categories(state: State<'_, AppState>) -> CmdResult<Vec<TaskCategory>> {
    Ok(state.kith.tasks().categories().await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_task_category(
    state: State<'_, AppState>,
    name: String,
) -> CmdResult<TaskCategory> {
    Ok(state.kith.tasks().add_category(&name).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rename_task_category(
    state: State<'_, AppState>,
    id: Uuid,
    name: String,
) -> CmdResult<TaskCategory> {
    Ok(state.kith.tasks().rename_category(id, &name).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reorder_task_categories(
    state: State<'_, AppState>,
    ids: Vec<Uuid>,
) -> CmdResult<Vec<TaskCategory>> {
    Ok(state.kith.tasks().reorder_categories(&ids).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn remove_task_category(state: State<'_, AppState>, id: Uuid) -> CmdResult<()> {
    Ok(state.kith.tasks().remove_category(id).await?)
}
