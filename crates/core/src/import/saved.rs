//! Mappings saved for next time, keyed by the file's header row: the next export
//! from the same system maps itself the way the person chose before, and is read
//! in the text encoding they chose for it, if they had to.

use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqliteExecutor};

use super::mapping::Target;
use super::source::TextEncoding;
use crate::error::{CoreError, Result};
use crate::text::fold;

/// What is remembered for files with a header row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedMapping {
    pub mapping: Vec<Target>,
    /// The code page the person chose instead of the guessed one.
    pub encoding: Option<TextEncoding>,
}

impl SavedMapping {
    /// The code page to read a file detected as `detected` in, instead: the one
    /// remembered, when this file's was guessed too and guessed otherwise.
    pub fn reread_as(&self, detected: TextEncoding) -> Option<TextEncoding> {
        self.encoding
            .filter(|e| e.is_guessed() && detected.is_guessed() && *e != detected)
    }
}

/// A stored mapping as this version writes it, or as a mapping alone, as
/// versions before the encoding was remembered did. The encoding is read apart:
/// one this version does not know loses the encoding, not the mapping.
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    MappingOnly(Vec<Target>),
    WithEncoding {
        mapping: Vec<Target>,
        encoding: Option<serde_json::Value>,
    },
}

impl Stored {
    fn read(json: &str) -> Option<SavedMapping> {
        match serde_json::from_str::<Stored>(json) {
            Ok(Stored::MappingOnly(mapping)) => Some(SavedMapping {
                mapping,
                encoding: None,
            }),
            Ok(Stored::WithEncoding { mapping, encoding }) => Some(SavedMapping {
                mapping,
                encoding: encoding.and_then(|e| serde_json::from_value(e).ok()),
            }),
            Err(e) => {
                // A mapping from another version is a convenience lost, not an error.
                tracing::warn!(error = %e, "unreadable saved import mapping; ignoring it");
                None
            }
        }
    }
}

/// The settings key for a header row: folded so "E-mail" and "e-mail " agree.
fn key(headers: &[String]) -> String {
    let folded: Vec<String> = headers.iter().map(|h| fold(h.trim())).collect();
    format!("import_mapping:{}", folded.join("\u{1f}"))
}

/// The settings key for a header row as its bytes say (see
/// [`super::source::headers_by_bytes`]): exact, as folding would make different
/// bytes one key ("ФИО" and "Тип" read as Windows-1252 fold alike).
fn bytes_key(headers: &[String]) -> String {
    format!("import_mapping_bytes:{}", headers.join("\u{1f}"))
}

/// The mapping saved for files with these headers, if any.
pub async fn load(db: impl SqliteExecutor<'_>, headers: &[String]) -> Result<Option<SavedMapping>> {
    load_key(db, key(headers), headers.len()).await
}

/// The mapping saved for files whose header row has these bytes, if any.
pub async fn load_by_bytes(
    db: impl SqliteExecutor<'_>,
    headers: &[String],
) -> Result<Option<SavedMapping>> {
    load_key(db, bytes_key(headers), headers.len()).await
}

async fn load_key(
    db: impl SqliteExecutor<'_>,
    key: String,
    columns: usize,
) -> Result<Option<SavedMapping>> {
    let stored: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(key)
        .fetch_optional(db)
        .await?;
    Ok(stored
        .and_then(|json| Stored::read(&json))
        .filter(|m| m.mapping.len() == columns))
}

/// Keeps `saved` for files with these headers (inside an import's transaction,
/// so only a kept import remembers it). Without an encoding, the one saved
/// before stays: a later file of the same system that happened to be guessed
/// right must not make the next one, guessed wrong, garbled again. Choosing the
/// guessed encoding on purpose replaces it.
pub async fn save(
    conn: &mut SqliteConnection,
    headers: &[String],
    saved: &SavedMapping,
) -> Result<()> {
    save_key(conn, key(headers), headers.len(), saved).await
}

/// [`save`], for files whose header row has these bytes.
pub async fn save_by_bytes(
    conn: &mut SqliteConnection,
    headers: &[String],
    saved: &SavedMapping,
) -> Result<()> {
    save_key(conn, bytes_key(headers), headers.len(), saved).await
}

async fn save_key(
    conn: &mut SqliteConnection,
    key: String,
    columns: usize,
    saved: &SavedMapping,
) -> Result<()> {
    let mapping = &saved.mapping;
    if mapping.len() != columns {
        return Err(CoreError::validation(
            "mapping",
            format!(
                "the mapping names {} columns but the file has {columns}",
                mapping.len(),
            ),
        ));
    }
    let encoding = match saved.encoding {
        Some(chosen) => Some(chosen),
        None => load_key(&mut *conn, key.clone(), columns)
            .await?
            .and_then(|s| s.encoding),
    };
    let kept = SavedMapping {
        mapping: mapping.clone(),
        encoding,
    };
    let json = serde_json::to_string(&kept).map_err(|e| CoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?, ?) \
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(json)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
