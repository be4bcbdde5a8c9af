//! Export: any list or search result to CSV, streamed row by row, with the Kith id
//! of each user so the file can be edited and imported again as updates. The
//! headers are the ones the importer maps back on its own.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{Row, SqlitePool};
use ts_rs::TS;

use crate::fields::value::display;
use crate::fields::CustomField;
use crate::search;

/// A column the user can pick for an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "ExportColumn")]
pub enum Column {
    KithId,
    FirstName,
    LastName,
    Email,
    MobilePhone,
    HomePhone,
    AppUserId,
    StripeCustomerId,
    CreatedAt,
    Teams,
    Street,
    City,
    Region,
    PostalCode,
    Country,
}

impl Column {
    pub const ALL: [Column; 15] = [
        Column::KithId,
        Column::FirstName,
        Column::LastName,
        Column::Email,
        Column::MobilePhone,
        Column::HomePhone,
        Column::AppUserId,
        Column::StripeCustomerId,
        Column::CreatedAt,
        Column::Teams,
        Column::Street,
        Column::City,
        Column::Region,
        Column::PostalCode,
        Column::Country,
    ];

    /// The header written for the column: the importer maps each back to it.
    pub fn header(self) -> &'static str {
        match self {
            Column::KithId => "Kith ID",
            Column::FirstName => "First Name",
            Column::LastName => "Last Name",
            Column::Email => "Email",
            Column::MobilePhone => "Mobile Phone",
            Column::HomePhone => "Home Phone",
            Column::AppUserId => "App User ID",
            Column::StripeCustomerId => "Stripe Customer ID",
            Column::CreatedAt => "Created At",
            Column::Teams => "Teams",
            Column::Street => "Street",
            Column::City => "City",
            Column::Region => "Region",
            Column::PostalCode => "Postal Code",
            Column::Country => "Country",
        }
    }

    /// The column of the export query holding the value.
    fn source(self) -> &'static str {
        match self {
            Column::KithId => "id",
            Column::FirstName => "first_name",
            Column::LastName => "last_name",
            Column::Email => "email",
            Column::MobilePhone => "mobile_phone",
            Column::HomePhone => "home_phone",
            Column::AppUserId => "app_user_id",
            Column::StripeCustomerId => "stripe_customer_id",
            Column::CreatedAt => "created_at",
            Column::Teams => "teams",
            Column::Street => "street",
            Column::City => "city",
            Column::Region => "region",
            Column::PostalCode => "postal_code",
            Column::Country => "country",
        }
    }

    /// The snake_case name used on the command line.
    pub fn parse(name: &str) -> Option<Column> {
        let name = name.trim().replace('-', "_");
        Column::ALL
            .into_iter()
            .find(|c| c.source() == name || (name == "kith_id" && *c == Column::KithId))
    }
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "ExportRequest")]
pub struct ExportOptions {
    /// Only the users this search finds (all of them, not just the first page);
    /// `None` or blank: every user.
    pub query: Option<String>,
    /// In this order. With `custom_fields` also empty: every column and every
    /// custom field.
    pub columns: Vec<Column>,
    /// Custom fields to write as columns after `columns`, in this order (headed by
    /// their names, values as people type them, so the file imports back).
    #[serde(default)]
    pub custom_fields: Vec<uuid::Uuid>,
    /// "Excel-friendly": start the file with a UTF-8 byte order mark so Excel
    /// reads accents right.
    pub bom: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not write the export: {0}")]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Core(#[from] crate::CoreError),
    #[error("the export was cancelled")]
    Cancelled,
}

impl From<sqlx::Error> for ExportError {
    fn from(e: sqlx::Error) -> Self {
        ExportError::Core(e.into())
    }
}

/// Progress is reported every this many rows.
const PROGRESS_EVERY: u64 = 5_000;

/// Writes the users `opts` selects to `out`, in name order; returns how many.
/// `progress` hears the rows written so far.
pub async fn export(
    pool: &SqlitePool,
    opts: &ExportOptions,
    out: impl Write,
    cancel: &AtomicBool,
    mut progress: impl FnMut(u64),
) -> Result<u64, ExportError> {
    let everything = opts.columns.is_empty() && opts.custom_fields.is_empty();
    let columns: Vec<Column> = if everything {
        Column::ALL.to_vec()
    } else {
        opts.columns.clone()
    };
    let catalog = {
        let mut conn = pool.acquire().await?;
        crate::fields::Catalog::load(&mut conn).await?
    };
    let custom: Vec<CustomField> = if everything {
        catalog.fields.clone()
    } else {
        opts.custom_fields
            .iter()
            .map(|id| {
                catalog
                    .get(*id)
                    .cloned()
                    .ok_or_else(|| crate::CoreError::not_found(format!("custom field {id}")))
            })
            .collect::<Result<_, _>>()?
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    if opts.bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(
        columns
            .iter()
            .map(|c| c.header())
            .chain(custom.iter().map(|f| f.name.as_str())),
    )?;
    // Custom values come as one JSON object per user, and only when asked for: an
    // export without custom columns reads nothing more than before.
    let custom_sql = if custom.is_empty() {
        ""
    } else {
        ", (SELECT json_group_object(v.field_id, v.value) FROM user_field_values v \
           WHERE v.user_id = u.id AND v._deleted = 0 AND v.value IS NOT NULL \
           AND v.field_id IS NOT NULL) AS custom"
    };

    let (filter, params) = opts
        .query
        .as_deref()
        .and_then(search::all_matches)
        .unwrap_or_else(|| ("1".to_owned(), Vec::new()));
    let sql = format!(
        "SELECT u.id, u.first_name, u.last_name, u.email, u.mobile_phone, u.home_phone, \
           u.app_user_id, u.stripe_customer_id, u.created_at, \
           (SELECT group_concat(name, '; ') FROM ( \
              SELECT t.name FROM user_teams ut JOIN teams t ON t.id = ut.team_id \
              WHERE ut.user_id = u.id AND ut._deleted = 0 AND t._deleted = 0 ORDER BY t.name)) AS teams, \
           a.street, a.city, a.region, a.postal_code, a.country{custom_sql} \
         FROM users u INDEXED BY users_by_name \
         LEFT JOIN user_addresses a ON a.rid = ( \
           SELECT rid FROM user_addresses WHERE user_id = u.id AND _deleted = 0 ORDER BY rid LIMIT 1) \
         WHERE u._deleted = 0 AND ({filter}) ORDER BY u.name_key, u.rid"
    );
    let mut q = sqlx::query(&sql);
    for p in &params {
        q = q.bind(p);
    }
    let mut rows = q.fetch(pool);
    let mut written = 0u64;
    let mut cells: Vec<String> = Vec::with_capacity(columns.len());
    while let Some(row) = rows.try_next().await? {
        cells.clear();
        for c in &columns {
            let cell = match c {
                Column::CreatedAt => row
                    .try_get::<Option<i64>, _>("created_at")?
                    .map(format_time)
                    .unwrap_or_default(),
                other => row
                    .try_get::<Option<String>, _>(other.source())?
                    .map(|v| neutralize_formula(&v))
                    .unwrap_or_default(),
            };
            cells.push(cell);
        }
        if !custom.is_empty() {
            let json: Option<String> = row.try_get("custom")?;
            let values: std::collections::HashMap<String, String> = json
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| crate::CoreError::Corrupt(format!("custom values: {e}")))?
                .unwrap_or_default();
            for field in &custom {
                cells.push(
                    values
                        .get(&field.id.to_string())
                        .map(|v| neutralize_formula(&display(field, v)))
                        .unwrap_or_default(),
                );
            }
        }
        writer.write_record(&cells)?;
        written += 1;
        if written.is_multiple_of(PROGRESS_EVERY) {
            progress(written);
            if cancel.load(Ordering::Relaxed) {
                return Err(ExportError::Cancelled);
            }
        }
    }
    writer.flush()?;
    progress(written);
    Ok(written)
}

/// Exports into the file at `path`, which appears only once complete: the rows
/// go to a ".part" file beside it that is renamed at the end and removed on error
/// or cancel, so a half-written export never stands where the person looks.
pub async fn to_file(
    pool: &SqlitePool,
    opts: &ExportOptions,
    path: &std::path::Path,
    cancel: &AtomicBool,
    progress: impl FnMut(u64),
) -> Result<u64, ExportError> {
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = std::path::PathBuf::from(part);
    let file = std::fs::File::create(&part)?;
    let result = export(pool, opts, file, cancel, progress).await;
    let result = result.and_then(|n| {
        std::fs::rename(&part, path)?;
        Ok(n)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}

/// ISO 8601 in UTC, which the importer reads back (and the CLI prints).
pub fn format_time(ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// A spreadsheet runs a cell starting with "=", "@", "+" or "-" as a formula
/// ("CSV injection"): such values get a leading apostrophe, which the importer
/// removes again. Phone numbers (+44…) and negative numbers are left alone.
pub fn neutralize_formula(value: &str) -> String {
    if is_formula_like(value) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// The value an exported cell had before [`neutralize_formula`].
pub fn restore_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if is_formula_like(rest) => rest,
        _ => cell,
    }
}

fn is_formula_like(value: &str) -> bool {
    let mut chars = value.chars();
    match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        // A number or a phone number is left alone; anything else after a sign
        // ("-2+3+cmd|calc") is a formula to a spreadsheet.
        Some('+' | '-') => !chars.all(|c| c.is_ascii_digit() || " ().-".contains(c)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_restored() {
        for v in [
            "=HYPERLINK(\"x\")",
            "@SUM(A1)",
            "+A1",
            "-A1",
            "\tx",
            "-2+3+cmd|calc",
            "+1 555 CALL",
        ] {
            let cell = neutralize_formula(v);
            assert!(cell.starts_with('\''), "{v}");
            assert_eq!(restore_formula(&cell), v);
        }
        for v in [
            "+44 7700 900123",
            "+1 (202) 555-0143",
            "+447700900123",
            "-12",
            "-1.5",
            "Zoë",
            "'quoted'",
        ] {
            assert_eq!(neutralize_formula(v), v);
            assert_eq!(restore_formula(v), v);
        }
    }

    #[test]
    fn columns_parse_by_name() {
        assert_eq!(Column::parse("kith-id"), Some(Column::KithId));
        assert_eq!(Column::parse("postal_code"), Some(Column::PostalCode));
        assert_eq!(Column::parse("id"), Some(Column::KithId));
        assert_eq!(Column::parse("nope"), None);
    }

    #[test]
    fn times_are_iso_utc() {
        assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
    }
}
