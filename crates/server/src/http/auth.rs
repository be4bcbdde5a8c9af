//! Sign-in, sign-out, and resolving a request's bearer token to its device (or,
//! for reading, to the workspace of an API key).

use std::sync::OnceLock;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::Json;
use kith_protocol::sync::{ErrorKind, LoginRequest, LoginResponse};
use kith_protocol::NodeId;

use super::{ApiJson, AppState, Peer};
use crate::admin::normalize_email;
use crate::credentials::{hash_secret, new_secret, verify_password};
use crate::error::ApiError;
use crate::ratelimit;
use crate::store::{now_ms, server_node, AccountRecord, DeviceAuth};

/// Longest device name kept.
const MAX_DEVICE_NAME_CHARS: usize = 200;
/// Longest a sign-in waits for a free password check.
pub const PASSWORD_CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The device a request's token belongs to. Looked up on every request, so a
/// revoked token is refused at once.
#[derive(Debug, Clone)]
pub struct Caller {
    pub auth: DeviceAuth,
    /// The stored hash of the token, for re-checking a long-lived stream.
    pub token_hash: String,
}

/// The stored hash of the request's bearer token.
fn bearer_hash(parts: &Parts) -> Result<String, ApiError> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
    Ok(hash_secret(token.trim()))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token_hash = bearer_hash(parts)?;
        match state.store.device_by_token(&token_hash).await? {
            Some(auth) => Ok(Caller { auth, token_hash }),
            None if state
                .store
                .workspace_by_api_key(&token_hash)
                .await?
                .is_some() =>
            {
                Err(ApiError::new(
                    ErrorKind::Forbidden,
                    "an API key only reads the workspace: writing needs a signed-in device",
                ))
            }
            None => Err(ApiError::unauthorized("unknown or revoked token")),
        }
    }
}

/// Who may read a workspace (pull, snapshot, checksum, events, blobs): a
/// signed-in device, or an API key made with `kith-server api-keys create` for
/// the business's own systems — a report, a backup, a website's customer list.
/// Keys only read: they have no node to stamp changes with. Looked up on every
/// request, so a revoked key is refused at once.
#[derive(Debug, Clone)]
pub struct Reader {
    pub workspace: uuid::Uuid,
    /// The device, when a device reads: its own changes and pokes are left out.
    pub device: Option<DeviceAuth>,
    token_hash: String,
}

impl Reader {
    /// Whether the token is still good, for a stream that outlives its request.
    pub async fn still_valid(&self, state: &AppState) -> bool {
        let live = match self.device {
            Some(_) => state
                .store
                .device_by_token(&self.token_hash)
                .await
                .map(|d| d.is_some()),
            None => state
                .store
                .workspace_by_api_key(&self.token_hash)
                .await
                .map(|w| w.is_some()),
        };
        live.unwrap_or(false)
    }
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token_hash = bearer_hash(parts)?;
        if let Some(auth) = state.store.device_by_token(&token_hash).await? {
            return Ok(Reader {
                workspace: auth.workspace,
                device: Some(auth),
                token_hash,
            });
        }
        let workspace = state
            .store
            .workspace_by_api_key(&token_hash)
            .await?
            .ok_or_else(|| ApiError::unauthorized("unknown or revoked token"))?;
        Ok(Reader {
            workspace,
            device: None,
            token_hash,
        })
    }
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let email = normalize_email(&req.email);
    let device_name = req.device_name.trim().to_owned();
    if device_name.is_empty()
        || device_name.chars().count() > MAX_DEVICE_NAME_CHARS
        || device_name.chars().any(char::is_control)
    {
        return Err(ApiError::bad_request(
            "device_name must be a short line of text",
        ));
    }
    // Counts this attempt: parallel guesses are each counted before any is checked.
    let attempt = ratelimit::key(peer.ip(), &email);
    if let Err(retry_after) = state.store.count_login_attempt(&attempt, now_ms()).await? {
        let mut err = ApiError::new(ErrorKind::RateLimited, "too many failed sign-ins");
        err.body.retry_after = Some(retry_after);
        return Err(err);
    }
    let mut accounts = state.store.accounts_by_email(&email).await?;
    if let Some(ws) = &req.workspace {
        accounts.retain(|a| &a.workspace.name == ws);
    }
    let mut matching = match check_passwords(&state, accounts, req.password).await {
        Ok(m) => m,
        Err(e) => {
            // No password was checked: the attempt does not count. Should that
            // fail, the answer is still why no password was checked.
            if let Err(uncount) = state.store.uncount_login_attempt(&attempt).await {
                tracing::warn!(error = %uncount, "could not take back a sign-in attempt");
            }
            return Err(e);
        }
    };
    if !matching.is_empty() {
        state.store.clear_login_attempts(&attempt).await?;
    }
    if matching.len() > 1 {
        return Err(ApiError::bad_request(
            "this email has accounts in several workspaces: name the workspace",
        ));
    }
    let Some(account) = matching.pop() else {
        return Err(ApiError::unauthorized("wrong email or password"));
    };
    if req.node == server_node(account.workspace.id) || req.node == NodeId(uuid::Uuid::nil()) {
        return Err(ApiError::bad_request("this node id is reserved"));
    }
    let (token, token_hash) = new_secret("kith_dev_");
    let device = state
        .store
        .upsert_device(
            account.workspace.id,
            account.account.id,
            req.node,
            &device_name,
            &token_hash,
        )
        .await?;
    tracing::info!(workspace = %account.workspace.id, device = %device.id, "device signed in");
    Ok(Json(LoginResponse {
        token,
        device_id: device.id,
        workspace: account.workspace,
        staff: account.account,
        counter: device.acked,
    }))
}

/// The accounts whose password is `password`. Hashing is slow on purpose, so it
/// runs off the async workers, at most [`AppState::password_checks`] at a time; a
/// sign-in that waits longer than [`PASSWORD_CHECK_WAIT`] for its turn is refused
/// (503, `rate_limited`) rather than queued without bound.
async fn check_passwords(
    state: &AppState,
    accounts: Vec<AccountRecord>,
    password: String,
) -> Result<Vec<AccountRecord>, ApiError> {
    let cost = state.password_cost;
    let permit = tokio::time::timeout(
        PASSWORD_CHECK_WAIT,
        state.password_checks.clone().acquire_owned(),
    )
    .await;
    let Ok(Ok(permit)) = permit else {
        let mut err = ApiError::new(
            ErrorKind::RateLimited,
            "the server is busy checking other sign-ins; try again shortly",
        )
        .with_status(StatusCode::SERVICE_UNAVAILABLE);
        err.body.retry_after = Some(1);
        return Err(err);
    };
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if accounts.is_empty() {
            // As slow as a wrong password, so timing does not tell who has an account.
            let _ = verify_password(&password, dummy_hash(cost));
        }
        accounts
            .into_iter()
            .filter(|a| verify_password(&password, &a.password_hash))
            .collect()
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "password check failed");
        ApiError::new(ErrorKind::Internal, "internal error")
    })
}

fn dummy_hash(cost: crate::credentials::PasswordCost) -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| cost.hash("not anyone's password").unwrap_or_default())
}

pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    state
        .store
        .revoke_device(caller.auth.workspace, caller.auth.device)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
