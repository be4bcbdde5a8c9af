//! Reading the workspace: pull (the log by sequence), snapshot (the current state
//! in pages), checksum.

use axum::extract::State;
use axum::Json;
use kith_protocol::sync::{ChecksumResponse, PullResponse, SnapshotResponse, MAX_PAGE};
use serde::Deserialize;

use super::{ApiQuery, AppState, Caller};
use crate::error::ApiError;
use crate::store::SnapshotCursor;

#[derive(Debug, Deserialize)]
pub struct PullParams {
    #[serde(default)]
    since: u64,
    limit: Option<u32>,
}

pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<PullParams>,
) -> Result<Json<PullResponse>, ApiError> {
    let auth = &caller.auth;
    let res = state
        .store
        .pull(
            auth.workspace,
            p.since,
            p.limit.unwrap_or(MAX_PAGE),
            Some(auth.node),
        )
        .await?;
    Ok(Json(res))
}

#[derive(Debug, Deserialize)]
pub struct SnapshotParams {
    cursor: Option<String>,
    limit: Option<u32>,
}

pub async fn snapshot(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<SnapshotParams>,
) -> Result<Json<SnapshotResponse>, ApiError> {
    let cursor = match p.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => {
            Some(SnapshotCursor::decode(c).ok_or_else(|| ApiError::bad_request("bad cursor"))?)
        }
    };
    let res = state
        .store
        .snapshot(
            caller.auth.workspace,
            cursor.as_ref(),
            p.limit.unwrap_or(MAX_PAGE),
        )
        .await?;
    Ok(Json(res))
}

pub async fn checksum(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ChecksumResponse>, ApiError> {
    Ok(Json(state.store.checksum(caller.auth.workspace).await?))
}
