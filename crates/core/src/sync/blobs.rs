//! Attachments' bytes: uploaded after their row is pushed, downloaded when a
//! pulled row names a blob this desktop lacks. Both resume where they stopped:
//! an upload from the offset the server holds, a download from the bytes already
//! in its partial file. A download is verified against its SHA-256 before it
//! enters the blob store.

use futures_util::StreamExt;
use kith_protocol::sync::ErrorKind as WireErrorKind;
use kith_protocol::Change;
use sqlx::SqlitePool;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::client::{BlobHead, Client};
use super::SyncError;
use crate::error::Result;
use crate::files::FileError;
use crate::schema::ATTACHMENTS;
use crate::Kith;

const UP: &str = "up";
const DOWN: &str = "down";

pub(super) fn names_a_blob(c: &Change) -> bool {
    c.table == ATTACHMENTS.name && c.fields.contains_key("sha256")
}

/// Files still to move, either way.
pub(super) async fn waiting(pool: &SqlitePool) -> Result<u64> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_blobs")
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(super) async fn done(pool: &SqlitePool, sha256: &str, direction: &str) -> Result<()> {
    sqlx::query("DELETE FROM sync_blobs WHERE sha256 = ? AND direction = ?")
        .bind(sha256)
        .bind(direction)
        .execute(pool)
        .await?;
    Ok(())
}

/// Queues the blobs of attachments about to be pushed that this desktop holds.
pub(super) async fn enqueue_uploads(kith: &Kith, changes: &[Change]) -> Result<()> {
    let blobs = kith.files().blobs().clone();
    for c in changes.iter().filter(|c| names_a_blob(c)) {
        let Some(sha) = c.fields.get("sha256").and_then(|v| v.as_str()) else {
            continue;
        };
        if !blobs.contains(sha) {
            continue;
        }
        sqlx::query("INSERT OR IGNORE INTO sync_blobs (sha256, direction) VALUES (?, ?)")
            .bind(sha)
            .bind(UP)
            .execute(kith.store().pool())
            .await?;
    }
    Ok(())
}

/// Queues every live attachment's blob missing from this desktop.
pub(super) async fn enqueue_missing(kith: &Kith) -> Result<()> {
    let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT sha256, max(size) FROM attachments \
         WHERE _deleted = 0 AND sha256 IS NOT NULL GROUP BY sha256",
    )
    .fetch_all(kith.store().pool())
    .await?;
    let blobs = kith.files().blobs().clone();
    for (sha, size) in rows {
        if blobs.contains(&sha) {
            continue;
        }
        sqlx::query("INSERT OR IGNORE INTO sync_blobs (sha256, direction, size) VALUES (?, ?, ?)")
            .bind(&sha)
            .bind(DOWN)
            .bind(size)
            .execute(kith.store().pool())
            .await?;
    }
    Ok(())
}

/// Moves every queued file; returns (uploaded, downloaded). Being offline stops
/// the run; a file the server refuses or does not have yet stays queued with its
/// reason, and the others go on.
pub(super) async fn transfer_all(kith: &Kith, client: &Client, chunk: usize) -> Result<(u64, u64)> {
    let queued: Vec<(String, String)> =
        sqlx::query_as("SELECT sha256, direction FROM sync_blobs ORDER BY direction DESC, sha256")
            .fetch_all(kith.store().pool())
            .await?;
    let (mut up, mut down) = (0, 0);
    for (sha, direction) in queued {
        let result = if direction == UP {
            upload(kith, client, &sha, chunk).await
        } else {
            download(kith, client, &sha).await
        };
        match result {
            Ok(()) => {
                done(kith.store().pool(), &sha, &direction).await?;
                if direction == UP {
                    up += 1;
                } else {
                    down += 1;
                }
            }
            Err(crate::CoreError::Sync(e)) if e.is_transient() => return Err(e.into()),
            Err(e) => {
                tracing::warn!(%sha, %direction, error = %e, "file transfer failed; will retry");
                sqlx::query(
                    "UPDATE sync_blobs SET attempts = attempts + 1, last_error = ? \
                     WHERE sha256 = ? AND direction = ?",
                )
                .bind(e.to_string())
                .bind(&sha)
                .bind(&direction)
                .execute(kith.store().pool())
                .await?;
            }
        }
    }
    Ok((up, down))
}

async fn upload(kith: &Kith, client: &Client, sha256: &str, chunk: usize) -> Result<()> {
    let Some(path) = kith.files().blobs().path_of(sha256) else {
        return Ok(());
    };
    let mut file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        // Gone from this desktop: nothing to send, and nothing to wait for.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let total = file.metadata().await?.len();
    let mut offset = match client.blob_head(sha256, total).await? {
        BlobHead::Stored => return Ok(()),
        BlobHead::Partial(o) => o,
    };
    let mut buf = vec![0u8; chunk.max(1)];
    while offset < total {
        file.seek(std::io::SeekFrom::Start(offset)).await?;
        let want = usize::try_from(total - offset).map_or(buf.len(), |r| r.min(buf.len()));
        file.read_exact(&mut buf[..want]).await?;
        match client
            .blob_patch(sha256, offset, total, buf[..want].to_vec())
            .await
        {
            Ok(held) => offset = held,
            Err(SyncError::Server { body, .. }) if body.kind == WireErrorKind::OffsetMismatch => {
                // An earlier chunk's answer was lost: go on from what it holds.
                offset = body.offset.ok_or_else(|| {
                    SyncError::Protocol("offset mismatch without the offset".into())
                })?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Downloads one blob into the store, resuming a partial download.
pub(super) async fn download(kith: &Kith, client: &Client, sha256: &str) -> Result<()> {
    let blobs = kith.files().blobs().clone();
    if blobs.contains(sha256) {
        return Ok(());
    }
    let partial = blobs
        .partial_path(sha256)
        .ok_or_else(|| FileError::Damaged(sha256.to_owned()))?;
    if let Some(dir) = partial.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    let have = tokio::fs::metadata(&partial)
        .await
        .map(|m| m.len())
        .unwrap_or(0);
    let resp = client.blob_get(sha256, have).await?;
    // 206: the server resumed where we are; 200: it sent the whole blob.
    let resumed = resp.status() == reqwest::StatusCode::PARTIAL_CONTENT;
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(resumed)
        .write(true)
        .truncate(!resumed)
        .open(&partial)
        .await?;
    let mut body = resp.bytes_stream();
    while let Some(bytes) = body.next().await {
        let bytes = bytes.map_err(|e| client.transport(&e))?;
        file.write_all(&bytes).await?;
    }
    file.flush().await?;
    file.sync_all().await?;
    drop(file);
    let sha = sha256.to_owned();
    tokio::task::spawn_blocking(move || blobs.adopt_partial(&sha))
        .await
        .map_err(|e| SyncError::Protocol(format!("blob check failed: {e}")))??;
    Ok(())
}
