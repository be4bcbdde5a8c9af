//! Device-local preferences: the default phone region, the theme, and which staff
//! member uses this desktop.

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::validate;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    /// ISO 3166 alpha-2 region for phone numbers typed without a country code.
    pub default_region: String,
    pub theme: Theme,
    /// The staff member using this desktop: the author of its notes and the
    /// "Mine" of its task lists. `None` until chosen on first run.
    #[serde(default)]
    pub current_staff_id: Option<uuid::Uuid>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            default_region: "US".into(),
            theme: Theme::System,
            current_staff_id: None,
        }
    }
}

const KEY: &str = "settings";

pub async fn load(pool: &SqlitePool) -> Result<Settings> {
    let stored: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(KEY)
        .fetch_optional(pool)
        .await?;
    match stored {
        // A settings blob from a newer or broken version falls back to defaults
        // rather than locking the user out of the app.
        Some(json) => Ok(serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unreadable settings; using defaults");
            Settings::default()
        })),
        None => Ok(Settings::default()),
    }
}

pub async fn save(pool: &SqlitePool, settings: &Settings) -> Result<Settings> {
    let region = settings.default_region.trim().to_uppercase();
    if !validate::is_region(&region) {
        return Err(CoreError::validation(
            "default_region",
            format!("{region:?} is not a country code Kith knows, like US, GB or DE"),
        ));
    }
    let clean = Settings {
        default_region: region,
        theme: settings.theme,
        current_staff_id: settings.current_staff_id,
    };
    let json = serde_json::to_string(&clean).map_err(|e| CoreError::Corrupt(e.to_string()))?;
    sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(KEY)
        .bind(json)
        .execute(pool)
        .await?;
    Ok(clean)
}
