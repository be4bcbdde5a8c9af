//! Push: a device's outbox, validated whole before anything is written.

use axum::extract::State;
use axum::Json;
use kith_protocol::sync::{
    ErrorKind, PushRequest, PushResponse, MAX_FUTURE_SKEW_MS, MAX_PUSH_CHANGES,
};
use kith_protocol::{schema, Change};

use super::{now_ms, ApiJson, AppState, Caller};
use crate::error::ApiError;

pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if req.changes.len() > MAX_PUSH_CHANGES {
        return Err(ApiError::new(
            ErrorKind::TooLarge,
            format!("a push carries at most {MAX_PUSH_CHANGES} changes"),
        ));
    }
    let now = now_ms();
    for (i, change) in req.changes.iter().enumerate() {
        check_change(change, &caller, now).map_err(|mut e| {
            e.body.message = format!("change {i}: {}", e.body.message);
            e
        })?;
    }
    let auth = &caller.auth;
    let res = state
        .store
        .push(auth.workspace, auth.device, req.first_counter, &req.changes)
        .await?;
    Ok(Json(res))
}

/// Refuses a change of another node, one stamped too far ahead of the server's
/// clock, and anything the schema registry refuses ([`schema::validate_change`],
/// the check every desktop's merge applies too).
fn check_change(change: &Change, caller: &Caller, now: u64) -> Result<(), ApiError> {
    if change.node != caller.auth.node {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            format!(
                "a device may push only its own node's changes, not {}",
                change.node
            ),
        ));
    }
    if change.hlc.millis() > now.saturating_add(MAX_FUTURE_SKEW_MS) {
        let mut e = ApiError::new(
            ErrorKind::ClockSkew,
            format!(
                "stamped {} ms ahead of the server",
                change.hlc.millis() - now
            ),
        );
        e.body.server_time = Some(now);
        return Err(e);
    }
    schema::validate_change(change).map_err(|e| ApiError::new(ErrorKind::InvalidChange, e.0))
}
