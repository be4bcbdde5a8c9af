//! Reading the workspace: pull (the log by sequence), snapshot (the current state
//! in pages), checksum.

use axum::extract::State;
use axum::Json;
use kith_protocol::sync::{ChecksumResponse, PullResponse, SeqMark, SnapshotResponse, MAX_PAGE};
use kith_protocol::{Hlc, NodeId};
use serde::Deserialize;

use super::{ApiQuery, AppState, Reader};
use crate::error::{ApiError, StoreError};
use crate::store::SnapshotCursor;

#[derive(Debug, Deserialize)]
pub struct PullParams {
    #[serde(default)]
    since: u64,
    /// The mark of `since` as the device pulled it (see [`SeqMark`]).
    since_hlc: Option<Hlc>,
    since_node: Option<NodeId>,
    limit: Option<u32>,
}

pub async fn pull(
    State(state): State<AppState>,
    reader: Reader,
    ApiQuery(p): ApiQuery<PullParams>,
) -> Result<Json<PullResponse>, ApiError> {
    let workspace = reader.workspace;
    if let (Some(hlc), Some(node), true) = (p.since_hlc, p.since_node, p.since > 0) {
        let held = state.store.mark_at(workspace, p.since).await?;
        if held != Some(SeqMark { hlc, node }) {
            return Err(StoreError::Behind(format!(
                "change {} is not the one this device pulled: the server has lost changes \
                 (restored from a backup?)",
                p.since
            ))
            .into());
        }
    }
    let mut res = state
        .store
        .pull(
            workspace,
            p.since,
            p.limit.unwrap_or(MAX_PAGE),
            // A device has its own changes; an API key has none to leave out.
            reader.device.as_ref().map(|d| d.node),
        )
        .await?;
    if res.through > 0 {
        res.through_mark = state.store.mark_at(workspace, res.through).await?;
    }
    Ok(Json(res))
}

#[derive(Debug, Deserialize)]
pub struct SnapshotParams {
    cursor: Option<String>,
    limit: Option<u32>,
}

pub async fn snapshot(
    State(state): State<AppState>,
    reader: Reader,
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
            reader.workspace,
            cursor.as_ref(),
            p.limit.unwrap_or(MAX_PAGE),
        )
        .await?;
    Ok(Json(res))
}

pub async fn checksum(
    State(state): State<AppState>,
    reader: Reader,
) -> Result<Json<ChecksumResponse>, ApiError> {
    Ok(Json(state.store.checksum(reader.workspace).await?))
}
