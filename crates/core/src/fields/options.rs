//! The options of a select field as synced rows (see migration 0009): an option's
//! id is the UUIDv5 of (field, folded label), so two desktops adding "Gold" offline
//! write one row, and options added on either side are all kept.

use std::collections::HashSet;

use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use super::model::{option_key, OptionInput};
use crate::error::{CoreError, Result};
use crate::ids::{name_id, parse_id};
use crate::schema::{CUSTOM_FIELD_OPTIONS, DELETED};
use crate::store::Edit;
use crate::validate;

/// Most options a select field has: a choice, not a list of customers.
pub const MAX_OPTIONS: usize = 200;
/// Longest option label, in characters.
const MAX_LABEL: usize = 100;

/// The id an option labelled `label` gets in `field` on every desktop.
pub fn option_id(field: Uuid, label: &str) -> Uuid {
    name_id(&format!("custom_field_option/{field}"), &option_key(label))
}

/// An option row as stored, live or not.
struct Stored {
    id: Uuid,
    label: String,
    position: i64,
    deleted: bool,
}

async fn stored(conn: &mut SqliteConnection, field: Uuid) -> Result<Vec<Stored>> {
    let rows = sqlx::query(
        "SELECT id, coalesce(label, '') AS label, coalesce(position, 0) AS position, _deleted \
         FROM custom_field_options WHERE field_id = ?",
    )
    .bind(field.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Stored {
                id: parse_id(&r.try_get::<String, _>("id")?)?,
                label: r.try_get("label")?,
                position: r.try_get("position")?,
                deleted: r.try_get("_deleted")?,
            })
        })
        .collect()
}

/// A label as the field keeps it: trimmed, short, and without ";" — the separator
/// of a multi select's choices in a CSV cell.
pub fn clean_label(label: &str) -> Result<String> {
    let label = validate::text_up_to("options", Some(label), MAX_LABEL)?
        .ok_or_else(|| CoreError::validation("options", "An option needs a name"))?;
    if label.contains(';') {
        return Err(CoreError::validation(
            "options",
            format!("“{label}” holds a “;”, which separates choices in a CSV file — leave it out"),
        ));
    }
    if label.contains('\n') {
        return Err(CoreError::validation("options", "An option is one line"));
    }
    Ok(label)
}

/// The edits that make `field`'s live options exactly `wanted`, in that order:
/// new labels added, listed ones renamed or moved, the others removed. Returns
/// the edits and the resulting (id, label) list.
pub(super) async fn option_edits(
    conn: &mut SqliteConnection,
    field: Uuid,
    wanted: &[OptionInput],
) -> Result<(Vec<Edit>, Vec<(Uuid, String)>)> {
    if wanted.len() > MAX_OPTIONS {
        return Err(CoreError::validation(
            "options",
            format!("A field holds at most {MAX_OPTIONS} options"),
        ));
    }
    let existing = stored(conn, field).await?;
    let mut edits = Vec::new();
    let mut result: Vec<(Uuid, String)> = Vec::with_capacity(wanted.len());
    let mut keys = HashSet::new();
    for (position, input) in wanted.iter().enumerate() {
        let label = clean_label(&input.label)?;
        if !keys.insert(option_key(&label)) {
            return Err(CoreError::validation(
                "options",
                format!("“{label}” is listed twice"),
            ));
        }
        let live_same = existing
            .iter()
            .find(|o| !o.deleted && option_key(&o.label) == option_key(&label));
        let id = match (input.id, live_same) {
            (Some(id), _) => {
                if !existing.iter().any(|o| o.id == id) {
                    return Err(CoreError::not_found("option"));
                }
                id
            }
            // Typed again as new: the option it already is.
            (None, Some(o)) => o.id,
            (None, None) => {
                let derived = option_id(field, &label);
                // The derived id may belong to a live option renamed since (its
                // label no longer says so): a fresh id keeps both.
                match existing.iter().find(|o| o.id == derived) {
                    Some(o) if !o.deleted => Uuid::new_v4(),
                    _ => derived,
                }
            }
        };
        let before = existing.iter().find(|o| o.id == id);
        let unchanged =
            before.is_some_and(|o| !o.deleted && o.label == label && o.position == position as i64);
        if !unchanged {
            edits.push(
                Edit::new(&CUSTOM_FIELD_OPTIONS, id)
                    .set("field_id", field.to_string())
                    .set("label", label.clone())
                    .set("position", position as i64)
                    .set(DELETED, false),
            );
        }
        if result.iter().any(|(other, _)| *other == id) {
            return Err(CoreError::validation(
                "options",
                format!("“{label}” is listed twice"),
            ));
        }
        result.push((id, label));
    }
    for o in existing.iter().filter(|o| !o.deleted) {
        if !result.iter().any(|(id, _)| *id == o.id) {
            edits.push(Edit::tombstone(&CUSTOM_FIELD_OPTIONS, o.id, true));
        }
    }
    Ok((edits, result))
}
