use kith_core::search::SearchResult;
use kith_core::users::*;
use tauri::State;
use uuid::Uuid;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_users(
    state: State<'_, AppState>,
    sort: UserSort,
    offset: i64,
    limit: i64,
) -> CmdResult<UserPage> {
    Ok(state.kith.users().list(sort, offset, limit).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn search_users(
    state: State<'_, AppState>,
    query: String,
    limit: i64,
) -> CmdResult<SearchResult> {
    Ok(state.kith.search(&query, limit).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn count_search_matches(state: State<'_, AppState>, query: String) -> CmdResult<i64> {
    Ok(state.kith.count_matches(&query).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn get_user(state: State<'_, AppState>, id: Uuid) -> CmdResult<UserDetail> {
    Ok(state.kith.users().get(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn find_duplicates(
    state: State<'_, AppState>,
    draft: NewUser,
) -> CmdResult<Vec<UserSummary>> {
    Ok(state.kith.users().find_duplicates(&draft).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_user(state: State<'_, AppState>, draft: NewUser) -> CmdResult<UserDetail> {
    Ok(state.kith.users().create(&draft).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_user_field(
    state: State<'_, AppState>,
    id: Uuid,
    field: UserField,
    value: Option<String>,
) -> CmdResult<UserDetail> {
    Ok(state
        .kith
        .users()
        .set_field(id, field, value.as_deref())
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_user(state: State<'_, AppState>, id: Uuid) -> CmdResult<()> {
    Ok(state.kith.users().delete(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn restore_user(state: State<'_, AppState>, id: Uuid) -> CmdResult<UserDetail> {
    Ok(state.kith.users().restore(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_trash(state: State<'_, AppState>) -> CmdResult<Vec<UserSummary>> {
    Ok(state.kith.users().trash(500).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reveal_password(state: State<'_, AppState>, id: Uuid) -> CmdResult<Option<String>> {
    Ok(state.kith.users().reveal_password(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_address(
    state: State<'_, AppState>,
    user_id: Uuid,
    input: AddressInput,
) -> CmdResult<UserDetail> {
    Ok(state.kith.users().add_address(user_id, &input).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_address(
    state: State<'_, AppState>,
    id: Uuid,
    input: AddressInput,
) -> CmdResult<UserDetail> {
    Ok(state.kith.users().update_address(id, &input).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn remove_address(state: State<'_, AppState>, id: Uuid) -> CmdResult<UserDetail> {
    Ok(state.kith.users().remove_address(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_social_link(
    state: State<'_, AppState>,
    user_id: Uuid,
    input: SocialLinkInput,
) -> CmdResult<UserDetail> {
    Ok(state.kith.users().add_social_link(user_id, &input).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_social_link(
    state: State<'_, AppState>,
    id: Uuid,
    input: SocialLinkInput,
) -> CmdResult<UserDetail> {
    Ok(state.kith.users().update_social_link(id, &input).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn remove_social_link(state: State<'_, AppState>, id: Uuid) -> CmdResult<UserDetail> {
    Ok(state.kith.users().remove_social_link(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_card(
    state: State<'_, AppState>,
    user_id: Uuid,
    input: CardInput,
) -> CmdResult<UserDetail> {
    Ok(state.kith.users().add_card(user_id, &input).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn remove_card(state: State<'_, AppState>, id: Uuid) -> CmdResult<UserDetail> {
    Ok(state.kith.users().remove_card(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn remove_push_token(state: State<'_, AppState>, id: Uuid) -> CmdResult<UserDetail> {
    Ok(state.kith.users().remove_push_token(id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_user_team(
    state: State<'_, AppState>,
    user_id: Uuid,
    team_id: Uuid,
    member: bool,
) -> CmdResult<UserDetail> {
    Ok(state
        .kith
        .users()
        .set_team(user_id, team_id, member)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_custom_value(
    state: State<'_, AppState>,
    user_id: Uuid,
    field_id: Uuid,
    value: Option<String>,
) -> CmdResult<UserDetail> {
    Ok(state
        .kith
        .users()
        .set_custom_value(user_id, field_id, value.as_deref())
        .await?)
}
