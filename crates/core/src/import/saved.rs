//! Mappings saved for next time, keyed by the file's header row: the next export
//! from the same system maps itself the way the person chose before, and is read
//! in the text encoding they chose for it, if they had to.

use serde::{Deserialize, Serialize};
use sqlx::SqliteExecutor;

use super::mapping::Target;
use super::source::TextEncoding;
use crate::error::{CoreError, Result};
use crate::text::fold;

/// What is remembered for files with a header row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedMapping {
    pub mapping: Vec<Target>,
    /// The encoding the person chose instead of the guessed one.
    pub encoding: Option<TextEncoding>,
}

/// A stored mapping as this version writes it, or as a mapping alone, as
/// versions before the encoding was remembered did.
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    MappingOnly(Vec<Target>),
    WithEncoding {
        mapping: Vec<Target>,
        #[serde(default)]
        encoding: Option<TextEncoding>,
    },
}

/// The settings key for a header row: folded so "E-mail" and "e-mail " agree.
fn key(headers: &[String]) -> String {
    let folded: Vec<String> = headers.iter().map(|h| fold(h.trim())).collect();
    format!("import_mapping:{}", folded.join("\u{1f}"))
}

/// The mapping saved for files with these headers, if any.
pub async fn load(db: impl SqliteExecutor<'_>, headers: &[String]) -> Result<Option<SavedMapping>> {
    let stored: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(key(headers))
        .fetch_optional(db)
        .await?;
    Ok(stored
        .and_then(|json| match serde_json::from_str::<Stored>(&json) {
            Ok(Stored::WithEncoding { mapping, encoding }) => {
                Some(SavedMapping { mapping, encoding })
            }
            Ok(Stored::MappingOnly(mapping)) => Some(SavedMapping {
                mapping,
                encoding: None,
            }),
            Err(e) => {
                // A mapping from another version is a convenience lost, not an error.
                tracing::warn!(error = %e, "unreadable saved import mapping; ignoring it");
                None
            }
        })
        .filter(|m| m.mapping.len() == headers.len()))
}

/// Keeps `saved` for files with these headers (inside an import's transaction,
/// so only a kept import remembers it).
pub async fn save(
    db: impl SqliteExecutor<'_>,
    headers: &[String],
    saved: &SavedMapping,
) -> Result<()> {
    let mapping = &saved.mapping;
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
    let json = serde_json::to_string(saved).map_err(|e| CoreError::Corrupt(e.to_string()))?;
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
