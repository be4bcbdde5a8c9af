//! The HTTP API (`kith_protocol::sync`): routes, shared state, extractors.
//! Stateless: everything a request needs is in the store it reaches.

mod auth;
mod blobs;
mod events;
mod push;
mod read;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::serve::{IncomingStream, Listener};
use axum::{Json, Router};
use kith_protocol::sync::{self, path, ErrorKind};
use serde::de::DeserializeOwned;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower_http::timeout::TimeoutLayer;

use crate::blobs::Blobs;
use crate::credentials::PasswordCost;
use crate::error::ApiError;
use crate::store::Store;
use crate::tls::TlsListener;

pub use auth::{Caller, Reader};

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<Blobs>,
    /// The cost of the hash the login of an unknown email verifies against, so
    /// that answer takes as long as a wrong password.
    pub password_cost: PasswordCost,
    /// Password verifications that may run at once (one per core): argon2 is slow
    /// on purpose, and a flood of sign-ins must not queue without bound.
    pub password_checks: Arc<Semaphore>,
    /// Set once the server is shutting down: open event streams end.
    pub shutdown: Arc<watch::Sender<bool>>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, blobs: Blobs, password_cost: PasswordCost) -> Self {
        AppState {
            store,
            blobs: Arc::new(blobs),
            password_cost,
            password_checks: Arc::new(Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
            shutdown: Arc::new(watch::channel(false).0),
        }
    }

    /// Ends every open event stream, so a graceful shutdown does not wait on them.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }
}

/// Longest a request (but an event stream) may take to be answered.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Largest sign-in request body.
pub const MAX_LOGIN_BODY_BYTES: usize = 8 * 1024;

pub fn router(state: AppState) -> Router {
    let blob_route = format!("{}/{{sha256}}", path::BLOBS);
    let api = Router::new()
        .route(
            path::LOGIN,
            post(auth::login).layer(DefaultBodyLimit::max(MAX_LOGIN_BODY_BYTES)),
        )
        .route(path::LOGOUT, post(auth::logout))
        .route(path::PUSH, post(push::push))
        .route(path::PULL, get(read::pull))
        .route(path::SNAPSHOT, get(read::snapshot))
        .route(path::CHECKSUM, get(read::checksum))
        .route(
            &blob_route,
            get(blobs::get)
                .head(blobs::head)
                .patch(blobs::patch)
                .layer(DefaultBodyLimit::max(sync::MAX_BLOB_CHUNK_BYTES)),
        )
        // Every route but the event stream, which stays open on purpose.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ));
    Router::new()
        .route(path::EVENTS, get(events::events))
        .merge(api)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(sync::MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(add_server_time))
        .with_state(state)
}

/// The address a request came from, whichever listener accepted it (plain TCP or
/// TLS): login rate limits key on it.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// Serves the API on `listener` until the task is dropped or the listener fails.
pub async fn serve<L>(listener: L, state: AppState) -> std::io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
    for<'a> Peer: Connected<IncomingStream<'a, L>>,
{
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<Peer>(),
    )
    .await
}

/// Serves until Ctrl-C / SIGTERM, finishing requests in flight.
pub async fn serve_until_shutdown<L>(listener: L, state: AppState) -> std::io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
    for<'a> Peer: Connected<IncomingStream<'a, L>>,
{
    serve_with_shutdown(listener, state, shutdown_signal()).await
}

/// Serves until `signal` completes, then ends the event streams and finishes the
/// requests in flight.
pub async fn serve_with_shutdown<L>(
    listener: L,
    state: AppState,
    signal: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
    for<'a> Peer: Connected<IncomingStream<'a, L>>,
{
    let on_signal = state.clone();
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<Peer>(),
    )
    .with_graceful_shutdown(async move {
        signal.await;
        on_signal.begin_shutdown();
    })
    .await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

pub fn now_ms() -> u64 {
    crate::store::now_ms().max(0) as u64
}

async fn add_server_time(mut res: Response) -> Response {
    res.headers_mut()
        .insert(sync::HEADER_SERVER_TIME, HeaderValue::from(now_ms()));
    res
}

async fn not_found() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "no such endpoint")
}

/// A JSON body whose rejections are [`ApiError`]s (413 `too_large` past the limit).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(json_rejection(r)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(ErrorKind::TooLarge, "request body too large")
    } else {
        ApiError::bad_request(r.body_text()).with_status(r.status())
    }
}

/// Query parameters whose rejections are [`ApiError`]s.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|r: QueryRejection| ApiError::bad_request(r.body_text()))
    }
}
