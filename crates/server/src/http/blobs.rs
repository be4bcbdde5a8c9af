//! `/v1/blobs/{sha256}`: HEAD (stored, or how much of an upload arrived), PATCH
//! (append a chunk at an offset), GET (whole or a `Range`).

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use kith_protocol::checks::is_sha256;
use kith_protocol::sync::{ErrorKind, HEADER_UPLOAD_LENGTH, HEADER_UPLOAD_OFFSET};

use super::{AppState, Caller, Reader};
use crate::blobs::{BlobError, Upload};
use crate::error::ApiError;

fn checked_name(sha: &str) -> Result<&str, ApiError> {
    if is_sha256(sha) {
        Ok(sha)
    } else {
        Err(ApiError::bad_request(
            "a blob is named by its SHA-256 in lower-case hex",
        ))
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Result<u64, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ApiError::bad_request(format!("missing or bad {name} header")))
}

fn with_offset(status: StatusCode, offset: u64) -> Response {
    (status, [(HEADER_UPLOAD_OFFSET, HeaderValue::from(offset))]).into_response()
}

pub async fn head(
    State(state): State<AppState>,
    reader: Reader,
    Path(sha): Path<String>,
) -> Result<Response, ApiError> {
    let sha = checked_name(&sha)?;
    let ws = reader.workspace;
    if let Some(len) = state.blobs.stored_len(ws, sha).await? {
        return Ok(with_offset(StatusCode::OK, len));
    }
    // An API key only reads: it neither completes a device's upload below nor
    // learns how far one has got.
    if reader.device.is_none() {
        return Err(ApiError::new(ErrorKind::NotFound, "no such blob"));
    }
    // A complete upload an earlier attempt could not store is stored now.
    if let Some(len) = state.blobs.resume(ws, sha).await? {
        return Ok(with_offset(StatusCode::OK, len));
    }
    let held = state.blobs.staged_len(ws, sha).await?;
    Ok(with_offset(StatusCode::NOT_FOUND, held))
}

pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let sha = checked_name(&sha)?;
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(ErrorKind::TooLarge, "blob chunk too large")
        } else {
            ApiError::bad_request(r.body_text())
        }
    })?;
    let offset = header_u64(&headers, HEADER_UPLOAD_OFFSET)?;
    let length = header_u64(&headers, HEADER_UPLOAD_LENGTH)?;
    let ws = caller.auth.workspace;
    match state.blobs.append(ws, sha, offset, length, &body).await {
        Ok(Upload::Partial(held)) => Ok(with_offset(StatusCode::NO_CONTENT, held)),
        Ok(Upload::Stored(len)) => Ok(with_offset(StatusCode::CREATED, len)),
        Err(BlobError::OffsetMismatch { held }) => {
            let mut e = ApiError::new(
                ErrorKind::OffsetMismatch,
                format!("the upload is at offset {held}"),
            );
            e.body.offset = Some(held);
            Err(e)
        }
        Err(BlobError::HashMismatch) => Err(ApiError::new(
            ErrorKind::HashMismatch,
            "the uploaded bytes do not hash to the blob's name; the upload was discarded",
        )),
        Err(BlobError::BadRequest(m)) => Err(ApiError::bad_request(m)),
        Err(BlobError::TooLarge) => Err(ApiError::new(
            ErrorKind::TooLarge,
            format!(
                "a blob may be at most {} bytes",
                kith_protocol::sync::MAX_BLOB_BYTES
            ),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn get(
    State(state): State<AppState>,
    reader: Reader,
    Path(sha): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let sha = checked_name(&sha)?;
    let ws = reader.workspace;
    let Some(len) = state.blobs.stored_len(ws, sha).await? else {
        return Err(ApiError::new(ErrorKind::NotFound, "no such blob"));
    };
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        None => None,
        Some(r) => Some(parse_range(r, len).ok_or_else(|| {
            ApiError::bad_request(format!("unsatisfiable range {r:?} of {len} bytes"))
                .with_status(StatusCode::RANGE_NOT_SATISFIABLE)
        })?),
    };
    let result = state
        .blobs
        .get(ws, sha, range.map(|(a, b)| a..b + 1))
        .await?;
    let body = Body::from_stream(result.into_stream().map_err(std::io::Error::other));
    let mut res = Response::new(body);
    let h = res.headers_mut();
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    match range {
        Some((a, b)) => {
            *res.status_mut() = StatusCode::PARTIAL_CONTENT;
            let h = res.headers_mut();
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(b - a + 1));
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {a}-{b}/{len}")) {
                h.insert(header::CONTENT_RANGE, v);
            }
        }
        None => {
            res.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
        }
    }
    Ok(res)
}

/// One `bytes=` range of a blob `len` bytes long, as inclusive `(first, last)`.
fn parse_range(spec: &str, len: u64) -> Option<(u64, u64)> {
    let spec = spec.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let (first, last) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 {
            return None;
        }
        (len.saturating_sub(n), len - 1)
    } else {
        let first: u64 = a.parse().ok()?;
        let last = if b.is_empty() {
            len - 1
        } else {
            b.parse::<u64>().ok()?.min(len - 1)
        };
        (first, last)
    };
    (first <= last && first < len).then_some((first, last))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_parse_like_http_says() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=95-200", 100), Some((95, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("bytes=5-2", 100), None);
        assert_eq!(parse_range("bytes=0-1,3-4", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }
}
