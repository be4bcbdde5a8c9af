//! Finding files across all users: words through the trigram index over folded
//! names (so "cafe" finds "Café.pdf"), filtered by kind, newest first.

use sqlx::SqlitePool;

use super::model::{FileHit, FileKind, FileSearch};
use super::read::{attachment_of, ATTACHMENT_COLUMNS};
use crate::error::Result;
use crate::search::{trigram_match, user_name_of, USER_NAME_COLUMNS};

/// Most hits one search returns.
const MAX_LIMIT: i64 = 500;

pub(super) async fn find(
    pool: &SqlitePool,
    blobs: &super::BlobStore,
    query: &str,
    kind: Option<FileKind>,
    limit: i64,
) -> Result<FileSearch> {
    // Words shorter than a trigram are left out, as in note search.
    let (words, query_too_short) = trigram_match(query);

    let mut filters = vec!["a._deleted = 0".to_owned(), "u._deleted = 0".to_owned()];
    let mut binds: Vec<String> = Vec::new();
    // Newest first by rid: FTS5 walks its index by rowid, so ORDER BY rowid DESC
    // stops at the limit instead of sorting every match; without words the kind
    // index (which holds rid) does the same.
    let (from, order) = if let Some(words) = words {
        filters.push("attachments_fts MATCH ?".into());
        binds.push(words);
        (
            "attachments_fts f JOIN attachments a ON a.rid = f.rowid",
            "f.rowid DESC",
        )
    } else {
        ("attachments a", "a.rid DESC")
    };
    if let Some(kind) = kind {
        filters.push("a.kind = ?".into());
        binds.push(kind.as_str().to_owned());
    }
    let sql = format!(
        "SELECT {ATTACHMENT_COLUMNS}, {USER_NAME_COLUMNS} \
         FROM {from} JOIN users u ON u.id = a.user_id \
         LEFT JOIN staff s ON s.id = a.created_by \
         WHERE {} ORDER BY {order} LIMIT ?",
        filters.join(" AND ")
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.bind(limit.clamp(1, MAX_LIMIT)).fetch_all(pool).await?;
    let hits = rows
        .iter()
        .map(|r| {
            Ok(FileHit {
                attachment: attachment_of(r, blobs)?,
                user_name: user_name_of(r)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(FileSearch {
        hits,
        query_too_short,
    })
}
