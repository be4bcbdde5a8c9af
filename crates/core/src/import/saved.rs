//! Mappings saved for next time, keyed by the file's header row: the next export
//! from the same system maps itself the way the person chose before.

use sqlx::SqliteExecutor;

use super::mapping::Target;
use crate::error::{CoreError, Result};
use crate::text::fold;

/// The settings key for a header row: folded so "E-mail" and "e-mail " agree.
fn key(headers: &[String]) -> String {
    let folded: Vec<String> = headers.iter().map(|h| fold(h.trim())).collect();
    format!("import_mapping:{}", folded.join("\u{1f}"))
}

/// The mapping saved for files with these headers, if any.
pub async fn load(db: impl SqliteExecutor<'_>, headers: &[String]) -> Result<Option<Vec<Target>>> {
    let stored: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(key(headers))
        .fetch_optional(db)
        .await?;
    Ok(stored
        .and_then(|json| match serde_json::from_str::<Vec<Target>>(&json) {
            Ok(m) => Some(m),
            Err(e) => {
                // A mapping from another version is a convenience lost, not an error.
                tracing::warn!(error = %e, "unreadable saved import mapping; ignoring it");
                None
            }
        })
        .filter(|m| m.len() == headers.len()))
}

/// Keeps `mapping` for files with these headers (inside an import's transaction,
/// so only a kept import remembers it).
pub async fn save(
    db: impl SqliteExecutor<'_>,
    headers: &[String],
    mapping: &[Target],
) -> Result<()> {
    if mapping.len() != headers.len() {
        return Err(CoreError::validation(
            "mapping",
            format!(
                "the mapping names {} columns but the file has {}",
                mapping.len(),
                headers.len()
            ),
        ));
    }
    let json = serde_json::to_string(mapping).map_err(|e| CoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?, ?) \
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )
    .bind(key(headers))
    .bind(json)
    .execute(db)
    .await?;
    Ok(())
}
