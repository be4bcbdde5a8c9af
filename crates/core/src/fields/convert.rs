//! Changing a field's kind: every value it holds is read as people would type it
//! (its display form) and parsed as the new kind. A field becoming a select gets
//! an option for every distinct value first. Either every value converts, or
//! nothing changes and the error names the values that would not.

use std::collections::HashMap;

use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use super::model::{option_key, CustomField, CustomFieldKind, FieldOption};
use super::number::{canonical_number, format_minor};
use super::options::{clean_label, option_id, MAX_OPTIONS};
use super::value::{display, parse, split_choices, split_money, ValueError};
use crate::error::{CoreError, Result};
use crate::ids::parse_id;
use crate::schema::{CUSTOM_FIELD_OPTIONS, DELETED};
use crate::store::Edit;
use crate::users::custom_value_edit;

pub(super) struct Converted {
    /// Options the new select kind needs for values that had none.
    pub option_edits: Vec<Edit>,
    /// Values whose stored form changes.
    pub value_edits: Vec<Edit>,
}

/// Examples of unconvertible values named in the error.
const EXAMPLES: usize = 3;

/// Converts every live value of `from` to the kind of `to` (whose options are
/// those the field will have).
pub(super) async fn convert_values(
    conn: &mut SqliteConnection,
    from: &CustomField,
    mut to: CustomField,
    region: &str,
) -> Result<Converted> {
    let rows = sqlx::query(
        "SELECT user_id, value FROM user_field_values \
         WHERE field_id = ? AND _deleted = 0 AND value IS NOT NULL AND user_id IS NOT NULL",
    )
    .bind(from.id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut values: Vec<(Uuid, String)> = Vec::with_capacity(rows.len());
    for r in rows {
        values.push((
            parse_id(&r.try_get::<String, _>("user_id")?)?,
            r.try_get("value")?,
        ));
    }

    let mut option_edits = Vec::new();
    if to.kind.has_options() && !from.kind.has_options() {
        option_edits = options_for(from, &mut to, &values)?;
    }

    let mut value_edits = Vec::new();
    let mut failed: Vec<(String, ValueError)> = Vec::new();
    let mut failures = 0usize;
    for (user, stored) in values {
        match convert(from, &to, &stored, region) {
            Ok(Some(new)) if new == stored => {}
            Ok(new) => value_edits.push(custom_value_edit(user, to.id, new)),
            Err(e) => {
                failures += 1;
                if failed.len() < EXAMPLES {
                    failed.push((display(from, &stored), e));
                }
            }
        }
    }
    if failures > 0 {
        let examples = failed
            .iter()
            .map(|(v, e)| format!("“{v}” ({e})"))
            .collect::<Vec<_>>()
            .join("; ");
        let values = if failures == 1 { "value" } else { "values" };
        return Err(CoreError::validation(
            "kind",
            format!(
                "{failures} {values} of {} cannot become {}: {examples}. Change or clear them first",
                from.name,
                kind_words(to.kind)
            ),
        ));
    }
    Ok(Converted {
        option_edits,
        value_edits,
    })
}

/// One stored value of `from` as a stored value of `to`.
pub(super) fn convert(
    from: &CustomField,
    to: &CustomField,
    stored: &str,
    region: &str,
) -> Result<Option<String>, ValueError> {
    // An amount becomes its number; its currency has nowhere to go.
    if from.kind == CustomFieldKind::Money && to.kind == CustomFieldKind::Number {
        if let Some((units, _, digits)) = split_money(stored) {
            return canonical_number(&format_minor(units, digits)).map(Some);
        }
    }
    parse(to, &display(from, stored), region)
}

/// Adds to `to` an option for every distinct value (or, for a multi select, every
/// choice in a value) it lacks, and returns their edits.
fn options_for(
    from: &CustomField,
    to: &mut CustomField,
    values: &[(Uuid, String)],
) -> Result<Vec<Edit>> {
    let mut added: HashMap<String, ()> = HashMap::new();
    let mut edits = Vec::new();
    for (_, stored) in values {
        let shown = display(from, stored);
        let labels = if to.kind == CustomFieldKind::MultiSelect {
            split_choices(&shown)
        } else {
            vec![shown]
        };
        for label in labels {
            if to.option_by_label(&label).is_some() || added.contains_key(&option_key(&label)) {
                continue;
            }
            // A value that cannot be an option fails the conversion, with the
            // option rule as its reason.
            let Ok(label) = clean_label(&label) else {
                continue;
            };
            if to.options.len() >= MAX_OPTIONS {
                return Err(CoreError::validation(
                    "kind",
                    format!(
                        "{} has more than {MAX_OPTIONS} different values — too many for a select field",
                        from.name
                    ),
                ));
            }
            let id = option_id(to.id, &label);
            edits.push(
                Edit::new(&CUSTOM_FIELD_OPTIONS, id)
                    .set("field_id", to.id.to_string())
                    .set("label", label.clone())
                    .set("position", to.options.len() as i64)
                    .set(DELETED, false),
            );
            added.insert(option_key(&label), ());
            to.options.push(FieldOption { id, label });
        }
    }
    Ok(edits)
}

fn kind_words(kind: CustomFieldKind) -> &'static str {
    match kind {
        CustomFieldKind::Text => "one line of text",
        CustomFieldKind::LongText => "long text",
        CustomFieldKind::Number => "numbers",
        CustomFieldKind::Money => "amounts of money",
        CustomFieldKind::Date => "dates",
        CustomFieldKind::Checkbox => "yes or no",
        CustomFieldKind::SingleSelect => "a single option",
        CustomFieldKind::MultiSelect => "options",
        CustomFieldKind::Url => "web links",
        CustomFieldKind::Email => "email addresses",
        CustomFieldKind::Phone => "phone numbers",
    }
}
