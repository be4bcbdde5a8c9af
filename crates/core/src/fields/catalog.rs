//! Reading the custom fields and their options back from the store.

use std::collections::HashMap;

use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use super::model::{CustomField, CustomFieldKind, FieldOption};
use crate::error::Result;
use crate::ids::parse_id;

/// The custom fields (the live ones, or those in the trash), in the order the
/// Detail tab shows them, each with its live options in their order.
pub(crate) async fn load(conn: &mut SqliteConnection, deleted: bool) -> Result<Vec<CustomField>> {
    let rows = sqlx::query(
        "SELECT id, coalesce(name, '') AS name, coalesce(kind, 'text') AS kind, \
         coalesce(position, 0) AS position, coalesce(required, 0) AS required, currency \
         FROM custom_fields WHERE _deleted = ? ORDER BY position, name COLLATE NOCASE, id",
    )
    .bind(deleted)
    .fetch_all(&mut *conn)
    .await?;
    let mut options: HashMap<Uuid, Vec<FieldOption>> = HashMap::new();
    // Fields are few and options per field fewer: one read of them all is cheapest.
    let option_rows = sqlx::query(
        "SELECT id, field_id, coalesce(label, '') AS label FROM custom_field_options \
         WHERE _deleted = 0 AND field_id IS NOT NULL ORDER BY position, label COLLATE NOCASE, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in option_rows {
        let field = parse_id(&r.try_get::<String, _>("field_id")?)?;
        options.entry(field).or_default().push(FieldOption {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            label: r.try_get("label")?,
        });
    }
    rows.iter()
        .map(|r| {
            let id = parse_id(&r.try_get::<String, _>("id")?)?;
            // A kind from a newer version of Kith reads as text until this one
            // learns it; nothing is converted or lost.
            let kind = CustomFieldKind::parse(&r.try_get::<String, _>("kind")?)
                .unwrap_or(CustomFieldKind::Text);
            Ok(CustomField {
                id,
                name: r.try_get("name")?,
                kind,
                position: r.try_get("position")?,
                required: r.try_get("required")?,
                options: if kind.has_options() {
                    options.remove(&id).unwrap_or_default()
                } else {
                    Vec::new()
                },
                currency: if kind == CustomFieldKind::Money {
                    r.try_get("currency")?
                } else {
                    None
                },
            })
        })
        .collect()
}

/// The live custom fields, looked up by id or by name.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub fields: Vec<CustomField>,
}

impl Catalog {
    pub(crate) async fn load(conn: &mut SqliteConnection) -> Result<Catalog> {
        Ok(Catalog {
            fields: load(conn, false).await?,
        })
    }

    pub fn get(&self, id: Uuid) -> Option<&CustomField> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The field named `name`, ignoring case and surrounding spaces.
    pub fn by_name(&self, name: &str) -> Option<&CustomField> {
        let key = name.trim().to_lowercase();
        self.fields.iter().find(|f| f.name.to_lowercase() == key)
    }
}
