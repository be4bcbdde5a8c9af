//! Reading attachment rows back.

use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::model::{Attachment, FileKind};
use super::BlobStore;
use crate::error::Result;
use crate::ids::parse_id;

/// The columns [`attachment_of`] reads, for
/// `FROM attachments a LEFT JOIN staff s ON s.id = a.created_by`.
pub(super) const ATTACHMENT_COLUMNS: &str = "a.id, a.user_id, coalesce(a.name, '') AS name, \
     coalesce(a.mime, 'application/octet-stream') AS mime, a.kind, \
     coalesce(a.size, 0) AS size, coalesce(a.sha256, '') AS sha256, \
     coalesce(a.created_at, 0) AS created_at, a.created_by, s.name AS created_by_name";

pub(super) fn attachment_of(r: &SqliteRow, blobs: &BlobStore) -> Result<Attachment> {
    let created_by: Option<String> = r.try_get("created_by")?;
    let kind: Option<String> = r.try_get("kind")?;
    let sha256: String = r.try_get("sha256")?;
    Ok(Attachment {
        downloaded: blobs.contains(&sha256),
        id: parse_id(&r.try_get::<String, _>("id")?)?,
        user_id: parse_id(
            &r.try_get::<Option<String>, _>("user_id")?
                .unwrap_or_default(),
        )?,
        name: r.try_get("name")?,
        mime: r.try_get("mime")?,
        // A kind this version does not know (written by a newer one) shows as other.
        kind: kind.and_then(|k| k.parse().ok()).unwrap_or(FileKind::Other),
        size: r.try_get("size")?,
        sha256,
        created_at: r.try_get("created_at")?,
        created_by: created_by.as_deref().map(parse_id).transpose()?,
        created_by_name: r.try_get("created_by_name")?,
    })
}
