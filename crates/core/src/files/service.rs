//! Attaching files to users, renaming, deleting and restoring them, and getting
//! their bytes back out.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::blobs::{check_source, BlobStore, FileError, StoredBlob};
use super::model::{Attachment, FileKind, FileSearch};
use super::read::{attachment_of, ATTACHMENT_COLUMNS};
use crate::error::{CoreError, Result};
use crate::schema::ATTACHMENTS;
use crate::store::{system_ms, Edit, Store};
use crate::validate::contains_card_number;

/// Longest display name, in characters (most file systems' limit too).
const MAX_NAME_CHARS: usize = 255;

pub struct Files<'a> {
    pub(crate) store: &'a Store,
    pub(crate) blobs: BlobStore,
}

impl Files<'_> {
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// Attaches the file at `path` to a live user; `author` is the staff member
    /// attaching it.
    pub async fn attach(
        &self,
        user_id: Uuid,
        path: &Path,
        author: Option<Uuid>,
    ) -> Result<Attachment> {
        self.attach_many(user_id, &[path.to_path_buf()], author)
            .await?
            .pop()
            .ok_or_else(|| CoreError::not_found("attachment"))
    }

    /// Attaches files to a live user, all or none: every path is checked before
    /// any is stored (a folder among the files refuses the whole drop), each file
    /// is streamed into the blob store, and the rows are written in one commit.
    /// On a failure half-way, blobs this call stored and nothing names are
    /// removed again.
    pub async fn attach_many(
        &self,
        user_id: Uuid,
        paths: &[PathBuf],
        author: Option<Uuid>,
    ) -> Result<Vec<Attachment>> {
        crate::users::ensure_live(self.store.pool(), user_id).await?;
        for path in paths {
            check_source(path)?;
        }
        let mut stored: Vec<StoredBlob> = Vec::with_capacity(paths.len());
        for path in paths {
            let blobs = self.blobs.clone();
            let path = path.clone();
            match blocking(move || blobs.put_file(&path)).await {
                Ok(blob) => stored.push(blob),
                Err(e) => {
                    self.discard(&stored).await;
                    return Err(e);
                }
            }
        }
        let now = system_ms() as i64;
        let mut ids = Vec::with_capacity(paths.len());
        let mut edits = Vec::with_capacity(paths.len());
        for (path, blob) in paths.iter().zip(&stored) {
            let mime = mime_guess::from_path(path).first_or_octet_stream();
            let id = Uuid::now_v7();
            ids.push(id);
            let new = NewAttachment {
                user_id,
                name: name_of(path),
                mime: mime.essence_str(),
                sha256: &blob.sha256,
                size: blob.size,
                created_at: now,
                created_by: author,
            };
            edits.push(new.edit(id));
        }
        if let Err(e) = self.store.commit(edits).await {
            self.discard(&stored).await;
            return Err(e);
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.get(id).await?);
        }
        Ok(out)
    }

    /// A live attachment.
    pub async fn get(&self, id: Uuid) -> Result<Attachment> {
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments a \
             LEFT JOIN staff s ON s.id = a.created_by WHERE a.id = ? AND a._deleted = 0"
        );
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(self.store.pool())
            .await?
            .ok_or_else(|| CoreError::not_found("file"))?;
        attachment_of(&row, &self.blobs)
    }

    /// A user's files, newest first; only those of `kind` when given (the Media
    /// tab asks for images, then videos).
    pub async fn list_for_user(
        &self,
        user_id: Uuid,
        kind: Option<FileKind>,
    ) -> Result<Vec<Attachment>> {
        let kind_filter = if kind.is_some() { "AND a.kind = ?" } else { "" };
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments a \
             LEFT JOIN staff s ON s.id = a.created_by \
             WHERE a.user_id = ? AND a._deleted = 0 {kind_filter} \
             ORDER BY a.created_at DESC, a.rid DESC"
        );
        let mut q = sqlx::query(&sql).bind(user_id.to_string());
        if let Some(kind) = kind {
            q = q.bind(kind.as_str());
        }
        let rows = q.fetch_all(self.store.pool()).await?;
        rows.iter().map(|r| attachment_of(r, &self.blobs)).collect()
    }

    /// Changes an attachment's display name; its content and type stay.
    pub async fn rename(&self, id: Uuid, name: &str) -> Result<Attachment> {
        self.get(id).await?;
        let name = clean_name(name)?;
        self.store
            .commit(vec![Edit::new(&ATTACHMENTS, id).set("name", name)])
            .await?;
        self.get(id).await
    }

    /// Deletes an attachment (a tombstone: [`Files::restore`] brings it back, and
    /// its blob stays while any row, deleted or not, names it).
    pub async fn delete(&self, id: Uuid) -> Result<()> {
        self.get(id).await?;
        self.store
            .commit(vec![Edit::tombstone(&ATTACHMENTS, id, true)])
            .await?;
        Ok(())
    }

    pub async fn restore(&self, id: Uuid) -> Result<Attachment> {
        self.store.restore_row(&ATTACHMENTS, id, "file").await?;
        self.get(id).await
    }

    /// Files of every live user whose names hold every word of `query`
    /// (ignoring case and accents), of `kind` when given, newest first.
    pub async fn find(
        &self,
        query: &str,
        kind: Option<FileKind>,
        limit: i64,
    ) -> Result<FileSearch> {
        super::search::find(self.store.pool(), &self.blobs, query, kind, limit).await
    }

    /// Whether a live attachment's bytes are on this device. False for a file
    /// synced from another desktop and not fetched yet: `kith.sync().fetch_blob`
    /// brings it now.
    pub async fn downloaded(&self, id: Uuid) -> Result<bool> {
        let attachment = self.get(id).await?;
        Ok(self.blobs.contains(&attachment.sha256))
    }

    /// Where a live attachment's bytes are on this device, for opening it with
    /// the default app or showing it in its folder. Not found when the row came
    /// from another device whose upload this one has not fetched yet.
    pub async fn blob_path(&self, id: Uuid) -> Result<PathBuf> {
        let attachment = self.get(id).await?;
        self.blobs
            .path_of(&attachment.sha256)
            .filter(|p| p.is_file())
            .ok_or_else(|| CoreError::not_found("the file's content on this device"))
    }

    /// Saves a copy of a live attachment at `dest` (replacing a file there),
    /// checking its hash on the way. Returns the bytes written.
    pub async fn export_copy(&self, id: Uuid, dest: &Path) -> Result<u64> {
        let attachment = self.get(id).await?;
        if !self.blobs.contains(&attachment.sha256) {
            return Err(CoreError::not_found("the file's content on this device"));
        }
        let blobs = self.blobs.clone();
        let dest = dest.to_path_buf();
        blocking(move || blobs.copy_to(&attachment.sha256, &dest)).await
    }

    /// Takes back blobs an attach stored and no row names. Best effort: a blob
    /// left behind is only disk space, never a wrong file.
    async fn discard(&self, stored: &[StoredBlob]) {
        let created = stored.iter().filter(|b| b.created);
        discard_unnamed(self.store, &self.blobs, created.map(|b| b.sha256.as_str())).await;
    }
}

/// A file given to a user, its bytes already in the blob store.
pub(crate) struct NewAttachment<'a> {
    pub user_id: Uuid,
    /// As [`name_of`] makes it from a path, or as storable.
    pub name: String,
    pub mime: &'a str,
    pub sha256: &'a str,
    pub size: u64,
    pub created_at: i64,
    /// The staff member giving it; `None` for an import.
    pub created_by: Option<Uuid>,
}

impl NewAttachment<'_> {
    /// Its `attachments` row, as every way of adding a file writes it.
    pub(crate) fn edit(&self, id: Uuid) -> Edit {
        Edit::create(&ATTACHMENTS, id)
            .set("user_id", self.user_id.to_string())
            .set("name", self.name.clone())
            .set("mime", self.mime.to_owned())
            .set("size", i64::try_from(self.size).unwrap_or(i64::MAX))
            .set("sha256", self.sha256.to_owned())
            .set("kind", FileKind::of_mime(self.mime).as_str())
            .set("created_at", self.created_at)
            .set("created_by", self.created_by.map(|a| a.to_string()))
    }
}

/// Removes blobs a failed write stored (`created`: not there before it) that no
/// attachment row names, trashed or not. Best effort: a blob left behind is
/// disk space, not a wrong record.
pub(crate) async fn discard_unnamed<'a>(
    store: &Store,
    blobs: &BlobStore,
    created: impl Iterator<Item = &'a str>,
) {
    for sha256 in created {
        let named: std::result::Result<Option<i64>, _> =
            sqlx::query_scalar("SELECT rid FROM attachments WHERE sha256 = ? LIMIT 1")
                .bind(sha256)
                .fetch_optional(store.pool())
                .await;
        if matches!(named, Ok(None)) {
            if let Err(e) = blobs.remove(sha256) {
                tracing::warn!(error = %e, "could not remove an unused blob");
            }
        }
    }
}

/// Runs blocking file work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::result::Result<T, FileError> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CoreError::Io(std::io::Error::other(e)))?
        .map_err(CoreError::from)
}

/// The display name a file starts with: its own name, made storable. A name the
/// registry would refuse (a control character, what looks like a card number)
/// must not refuse the file itself.
fn name_of(path: &Path) -> String {
    let raw = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let printable: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_NAME_CHARS)
        .collect();
    clean_name(&printable).unwrap_or_else(|_| match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if clean_name(ext).is_ok() => format!("attachment.{ext}"),
        _ => "attachment".to_owned(),
    })
}

/// A display name: trimmed, not empty, one line, no path separators, no card number.
fn clean_name(name: &str) -> Result<String> {
    let name = name.trim();
    let refuse = |why: &str| Err(CoreError::validation("name", why));
    if name.is_empty() {
        return refuse("A file needs a name");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return refuse("File names are at most 255 characters");
    }
    if name.chars().any(char::is_control) {
        return refuse("A file name is one line of text");
    }
    if name.contains(['/', '\\']) {
        return refuse("A file name cannot hold / or \\");
    }
    if contains_card_number(name) {
        return refuse("File names cannot hold a full card number");
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_clean_line() {
        assert_eq!(clean_name("  Contract.pdf ").unwrap(), "Contract.pdf");
        assert!(clean_name("  ").is_err());
        assert!(clean_name("a/b").is_err());
        assert!(clean_name("line\nbreak").is_err());
        assert!(clean_name(&"x".repeat(256)).is_err());
    }

    #[test]
    fn a_file_name_the_registry_would_refuse_still_attaches() {
        assert_eq!(name_of(Path::new("/tmp/Zoë café.jpg")), "Zoë café.jpg");
        assert_eq!(name_of(Path::new("/tmp/a\nb.txt")), "a b.txt");
        assert_eq!(
            name_of(Path::new("/tmp/4242 4242 4242 4242.png")),
            "attachment.png"
        );
    }
}
