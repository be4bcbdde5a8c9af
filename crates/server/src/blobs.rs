//! Content-addressed blobs of each workspace, behind `object_store` (a local
//! directory by default; S3-compatible with the `aws` feature).
//!
//! Objects live under `ws/<workspace id>/<sha256>`: no dedupe across workspaces, so
//! one workspace can never learn whether another holds a file. A resumable upload
//! collects its chunks in a local staging file per workspace; when the last byte
//! is in, the server hashes what it received and stores it only if the SHA-256 is
//! the name it was sent under.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, GetResult, ObjectStore};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    #[error("staging: {0}")]
    Io(#[from] std::io::Error),
    /// The chunk does not start where the upload stands.
    #[error("upload is at offset {held}")]
    OffsetMismatch { held: u64 },
    #[error("the uploaded bytes do not hash to the blob's name")]
    HashMismatch,
    #[error("{0}")]
    BadRequest(String),
    #[error("the blob is larger than the server accepts")]
    TooLarge,
}

/// Where an upload stands after a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upload {
    /// Bytes received so far.
    Partial(u64),
    /// Verified and stored; the blob's length.
    Stored(u64),
}

/// One lock per upload in flight, keyed by (workspace, blob name).
type UploadLocks = Mutex<HashMap<(Uuid, String), Arc<tokio::sync::Mutex<()>>>>;

pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    staging: PathBuf,
    /// One upload of a blob at a time in this instance.
    locks: UploadLocks,
}

impl Blobs {
    /// Objects in `dir/objects`, partial uploads in `dir/staging`.
    pub fn local(dir: &Path) -> Result<Self, BlobError> {
        let objects = dir.join("objects");
        std::fs::create_dir_all(&objects)?;
        let store = LocalFileSystem::new_with_prefix(&objects)?;
        Self::with_store(Arc::new(store), dir.join("staging"))
    }

    /// Any object store, with partial uploads staged in a local directory.
    pub fn with_store(store: Arc<dyn ObjectStore>, staging: PathBuf) -> Result<Self, BlobError> {
        std::fs::create_dir_all(&staging)?;
        Ok(Blobs {
            store,
            staging,
            locks: Mutex::new(HashMap::new()),
        })
    }

    /// An S3-compatible bucket configured from the standard `AWS_*` environment
    /// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`
    /// for non-AWS stores, `AWS_ALLOW_HTTP` for a plain-HTTP endpoint).
    #[cfg(feature = "aws")]
    pub fn s3_from_env(bucket: &str, staging: PathBuf) -> Result<Self, BlobError> {
        Self::s3(
            object_store::aws::AmazonS3Builder::from_env(),
            bucket,
            staging,
        )
    }

    /// An S3-compatible bucket configured by `builder` (endpoint, credentials).
    #[cfg(feature = "aws")]
    pub fn s3(
        builder: object_store::aws::AmazonS3Builder,
        bucket: &str,
        staging: PathBuf,
    ) -> Result<Self, BlobError> {
        let store = builder.with_bucket_name(bucket).build()?;
        Self::with_store(Arc::new(store), staging)
    }

    fn key(ws: Uuid, sha: &str) -> ObjectPath {
        ObjectPath::from(format!("ws/{ws}/{sha}"))
    }

    fn staged(&self, ws: Uuid, sha: &str) -> PathBuf {
        self.staging
            .join(ws.to_string())
            .join(format!("{sha}.part"))
    }

    /// A complete upload waiting to be verified and stored.
    fn done(&self, ws: Uuid, sha: &str) -> PathBuf {
        self.staging
            .join(ws.to_string())
            .join(format!("{sha}.done"))
    }

    fn lock(&self, ws: Uuid, sha: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        // Forget locks nobody holds, so the map stays the size of the uploads in flight.
        locks.retain(|_, l| Arc::strong_count(l) > 1);
        locks.entry((ws, sha.to_owned())).or_default().clone()
    }

    /// The stored blob's length, if it is stored.
    pub async fn stored_len(&self, ws: Uuid, sha: &str) -> Result<Option<u64>, BlobError> {
        match self.store.head(&Self::key(ws, sha)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Bytes of an unfinished upload received so far.
    pub async fn staged_len(&self, ws: Uuid, sha: &str) -> Result<u64, BlobError> {
        match tokio::fs::metadata(self.staged(ws, sha)).await {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e.into()),
        }
    }

    /// Appends a chunk at `offset` of a blob `length` bytes long.
    pub async fn append(
        &self,
        ws: Uuid,
        sha: &str,
        offset: u64,
        length: u64,
        chunk: &[u8],
    ) -> Result<Upload, BlobError> {
        if length > kith_protocol::sync::MAX_BLOB_BYTES {
            return Err(BlobError::TooLarge);
        }
        let lock = self.lock(ws, sha);
        let _held = lock.lock().await;
        if let Some(len) = self.stored_len(ws, sha).await? {
            return Ok(Upload::Stored(len));
        }
        if let Some(len) = self.resume_locked(ws, sha).await? {
            return Ok(Upload::Stored(len));
        }
        let held = self.staged_len(ws, sha).await?;
        if offset != held {
            return Err(BlobError::OffsetMismatch { held });
        }
        let end = offset.saturating_add(chunk.len() as u64);
        if end > length {
            return Err(BlobError::BadRequest(format!(
                "chunk ends at {end}, past the blob's length {length}"
            )));
        }
        let path = self.staged(ws, sha);
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .await?;
        file.write_all(chunk).await?;
        file.flush().await?;
        drop(file);
        if end < length {
            return Ok(Upload::Partial(end));
        }
        // Complete: set aside, so a failure to store it (the object store
        // unreachable, a full disk) keeps the bytes for the next HEAD or PATCH to
        // store, and no HEAD ever reports a whole blob as a partial upload.
        let done = self.done(ws, sha);
        tokio::fs::rename(&path, &done).await?;
        self.finish_done(ws, sha, &done)
            .await
            .map(|()| Upload::Stored(length))
    }

    /// Stores a complete upload that an earlier attempt could not store; its
    /// length when it is now stored. Takes the upload's lock.
    pub async fn resume(&self, ws: Uuid, sha: &str) -> Result<Option<u64>, BlobError> {
        let lock = self.lock(ws, sha);
        let _held = lock.lock().await;
        self.resume_locked(ws, sha).await
    }

    async fn resume_locked(&self, ws: Uuid, sha: &str) -> Result<Option<u64>, BlobError> {
        let done = self.done(ws, sha);
        if !tokio::fs::try_exists(&done).await? {
            return Ok(None);
        }
        match self.finish_done(ws, sha, &done).await {
            Ok(()) => self.stored_len(ws, sha).await,
            // Discarded: the client uploads it again and learns the mismatch then.
            Err(BlobError::HashMismatch) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Verifies and stores a complete upload; removes it once stored or refused,
    /// and only then.
    async fn finish_done(&self, ws: Uuid, sha: &str, done: &Path) -> Result<(), BlobError> {
        let result = self.finish(ws, sha, done).await;
        if matches!(result, Ok(()) | Err(BlobError::HashMismatch)) {
            if let Err(e) = tokio::fs::remove_file(done).await {
                tracing::warn!(error = %e, "could not remove a staged upload");
            }
        }
        result
    }

    async fn finish(&self, ws: Uuid, sha: &str, path: &Path) -> Result<(), BlobError> {
        let mut file = tokio::fs::File::open(path).await?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        let got: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if got != sha {
            return Err(BlobError::HashMismatch);
        }
        let mut file = tokio::fs::File::open(path).await?;
        let mut writer = BufWriter::new(self.store.clone(), Self::key(ws, sha));
        tokio::io::copy(&mut file, &mut writer).await?;
        writer.shutdown().await?;
        Ok(())
    }

    /// The stored blob, or the `range` of it.
    pub async fn get(
        &self,
        ws: Uuid,
        sha: &str,
        range: Option<Range<u64>>,
    ) -> Result<GetResult, BlobError> {
        let opts = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        Ok(self.store.get_opts(&Self::key(ws, sha), opts).await?)
    }
}
