//! The schema registry: every synced table and column, with its type and check.
//! It lives here, in the wire crate, so the desktop and the server hold changes to
//! one definition.
//!
//! The desktop's `Store::merge` and the server's push refuse changes to anything not listed here, and SQL for synced
//! tables is only ever built from these static names, never from incoming strings.

use uuid::Uuid;

use crate::{checks, Change, Value};

/// A change the registry refuses: an unknown table or column, or a bad value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SchemaError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    Text,
    Int,
    Bool,
    /// A reference to another row, stored as hyphenated text.
    Uuid,
}

/// A domain rule checked on every value that reaches the store, local or remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    None,
    /// Exactly four ASCII digits: the only part of a card number Kith keeps.
    CardLast4,
    /// Free text that must never carry a full card number.
    NoCardNumber,
    /// An email address (and no card number).
    Email,
    /// A phone number in E.164: + and 8 to 15 digits.
    E164,
    /// A SHA-256 as 64 lower-case hex digits. Blob paths are built from it, so a
    /// remote change must not be able to name anything else.
    Sha256,
    /// An ISO 4217 currency code Kith knows (EUR, USD, …).
    Currency,
    /// A custom field's stored value: no card number, except that a select's
    /// option ids (one, or a JSON list) are taken as ids — a UUID's digit groups can
    /// pass the Luhn check by chance, and an id is never a card someone typed.
    CustomValue,
}

/// Longest text any synced column accepts, local or remote.
pub const MAX_TEXT_BYTES: usize = 100_000;

#[derive(Debug)]
pub struct ColumnDef {
    pub name: &'static str,
    pub ty: ColType,
    pub check: Check,
}

#[derive(Debug)]
pub struct TableDef {
    pub name: &'static str,
    pub columns: &'static [ColumnDef],
}

/// The tombstone column every synced table has.
pub const DELETED: &str = "_deleted";

const fn col(name: &'static str, ty: ColType) -> ColumnDef {
    ColumnDef {
        name,
        ty,
        check: Check::None,
    }
}

const fn checked(name: &'static str, check: Check) -> ColumnDef {
    ColumnDef {
        name,
        ty: ColType::Text,
        check,
    }
}

const fn text(name: &'static str) -> ColumnDef {
    ColumnDef {
        name,
        ty: ColType::Text,
        check: Check::NoCardNumber,
    }
}

pub static USERS: TableDef = TableDef {
    name: "users",
    columns: &[
        text("first_name"),
        text("last_name"),
        // The users service validates these in depth; the registry holds every
        // writer, remote ones included, to their shape.
        checked("email", Check::Email),
        checked("mobile_phone", Check::E164),
        checked("home_phone", Check::E164),
        text("app_user_id"),
        text("stripe_customer_id"),
        col("location_id", ColType::Uuid),
        col("generated_password", ColType::Text),
        col("source", ColType::Text),
        col("created_at", ColType::Int),
        col("deleted_at", ColType::Int),
    ],
};

pub static TEAMS: TableDef = TableDef {
    name: "teams",
    columns: &[text("name")],
};

pub static USER_TEAMS: TableDef = TableDef {
    name: "user_teams",
    columns: &[col("user_id", ColType::Uuid), col("team_id", ColType::Uuid)],
};

pub static LOCATIONS: TableDef = TableDef {
    name: "locations",
    columns: &[text("name")],
};

pub static USER_SOCIAL_LINKS: TableDef = TableDef {
    name: "user_social_links",
    columns: &[col("user_id", ColType::Uuid), text("network"), text("url")],
};

pub static USER_ADDRESSES: TableDef = TableDef {
    name: "user_addresses",
    columns: &[
        col("user_id", ColType::Uuid),
        text("label"),
        text("street"),
        text("city"),
        text("region"),
        text("postal_code"),
        text("country"),
    ],
};

pub static USER_PUSH_TOKENS: TableDef = TableDef {
    name: "user_push_tokens",
    columns: &[
        col("user_id", ColType::Uuid),
        col("platform", ColType::Text),
        col("token", ColType::Text),
        col("last_seen_at", ColType::Int),
    ],
};

pub static USER_CARDS: TableDef = TableDef {
    name: "user_cards",
    columns: &[
        col("user_id", ColType::Uuid),
        text("brand"),
        ColumnDef {
            name: "last4",
            ty: ColType::Text,
            check: Check::CardLast4,
        },
        col("exp_month", ColType::Int),
        col("exp_year", ColType::Int),
    ],
};

pub static CUSTOM_FIELDS: TableDef = TableDef {
    name: "custom_fields",
    columns: &[
        text("name"),
        text("kind"),
        col("position", ColType::Int),
        col("required", ColType::Bool),
        checked("currency", Check::Currency),
    ],
};

/// The options of a select field; ids are UUIDv5 of (field, folded label), see
/// `fields::options`.
pub static CUSTOM_FIELD_OPTIONS: TableDef = TableDef {
    name: "custom_field_options",
    columns: &[
        col("field_id", ColType::Uuid),
        text("label"),
        col("position", ColType::Int),
    ],
};

pub static USER_FIELD_VALUES: TableDef = TableDef {
    name: "user_field_values",
    columns: &[
        col("user_id", ColType::Uuid),
        col("field_id", ColType::Uuid),
        checked("value", Check::CustomValue),
    ],
};

pub static STAFF: TableDef = TableDef {
    name: "staff",
    columns: &[
        text("name"),
        checked("email", Check::Email),
        col("color", ColType::Text),
    ],
};

pub static NOTES: TableDef = TableDef {
    name: "notes",
    columns: &[
        col("user_id", ColType::Uuid),
        text("body"),
        col("author_id", ColType::Uuid),
        col("pinned", ColType::Bool),
        col("created_at", ColType::Int),
        col("edited_at", ColType::Int),
    ],
};

pub static NOTE_TAGS: TableDef = TableDef {
    name: "note_tags",
    columns: &[col("note_id", ColType::Uuid), text("tag")],
};

pub static NOTE_VERSIONS: TableDef = TableDef {
    name: "note_versions",
    columns: &[
        col("note_id", ColType::Uuid),
        text("body"),
        col("author_id", ColType::Uuid),
        col("replaced_at", ColType::Int),
    ],
};

pub static TASK_STATUSES: TableDef = TableDef {
    name: "task_statuses",
    columns: &[
        text("name"),
        col("is_done", ColType::Bool),
        col("position", ColType::Int),
    ],
};

pub static TASK_CATEGORIES: TableDef = TableDef {
    name: "task_categories",
    columns: &[text("name"), col("position", ColType::Int)],
};

pub static TASKS: TableDef = TableDef {
    name: "tasks",
    columns: &[
        col("user_id", ColType::Uuid),
        text("title"),
        text("description"),
        col("assignee_id", ColType::Uuid),
        col("due_date", ColType::Text),
        col("due_time", ColType::Text),
        col("priority", ColType::Text),
        col("status_id", ColType::Uuid),
        col("category_id", ColType::Uuid),
        col("created_at", ColType::Int),
        col("created_by", ColType::Uuid),
        col("completed_at", ColType::Int),
    ],
};

pub static ATTACHMENTS: TableDef = TableDef {
    name: "attachments",
    columns: &[
        col("user_id", ColType::Uuid),
        text("name"),
        col("mime", ColType::Text),
        col("size", ColType::Int),
        checked("sha256", Check::Sha256),
        col("kind", ColType::Text),
        col("created_at", ColType::Int),
        col("created_by", ColType::Uuid),
    ],
};

/// A user's profile or cover image: id = UUIDv5(user, role).
pub static USER_IMAGES: TableDef = TableDef {
    name: "user_images",
    columns: &[
        col("user_id", ColType::Uuid),
        col("role", ColType::Text),
        col("attachment_id", ColType::Uuid),
    ],
};

/// The workspace's computers: id = the device's node id.
pub static DEVICES: TableDef = TableDef {
    name: "devices",
    columns: &[text("name"), col("staff_id", ColType::Uuid)],
};

pub static TABLES: &[&TableDef] = &[
    &USERS,
    &TEAMS,
    &USER_TEAMS,
    &LOCATIONS,
    &USER_SOCIAL_LINKS,
    &USER_ADDRESSES,
    &USER_PUSH_TOKENS,
    &USER_CARDS,
    &CUSTOM_FIELDS,
    &CUSTOM_FIELD_OPTIONS,
    &USER_FIELD_VALUES,
    &STAFF,
    &NOTES,
    &NOTE_TAGS,
    &NOTE_VERSIONS,
    &TASK_STATUSES,
    &TASK_CATEGORIES,
    &TASKS,
    &ATTACHMENTS,
    &DEVICES,
    &USER_IMAGES,
];

pub fn table(name: &str) -> Result<&'static TableDef, SchemaError> {
    TABLES
        .iter()
        .copied()
        .find(|t| t.name == name)
        .ok_or_else(|| SchemaError(format!("unknown table {name:?}")))
}

impl TableDef {
    /// The registry's own name for a column (so SQL never embeds the caller's string),
    /// or an error for a column it does not list.
    pub fn column(&self, name: &str) -> Result<(&'static str, ColType, Check), SchemaError> {
        if name == DELETED {
            return Ok((DELETED, ColType::Bool, Check::None));
        }
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| (c.name, c.ty, c.check))
            .ok_or_else(|| SchemaError(format!("unknown column {}.{name}", self.name)))
    }

    /// Number of fields a change must carry to describe the whole row.
    pub fn field_count(&self) -> usize {
        self.columns.len() + 1
    }
}

/// Checks a whole change the way every replica will merge it: a known table,
/// known columns, values that pass [`check_value`], a `_deleted` that is not null,
/// a clock that is not zero, and at least one field.
///
/// The server refuses at push what this refuses, so a change one desktop wrote can
/// never be one every other desktop refuses to merge (which would stop their pulls).
pub fn validate_change(change: &Change) -> Result<(), SchemaError> {
    resolve_change(change).map(|_| ())
}

/// A change [`validate_change`] accepts, its table and columns as the registry
/// names them.
pub struct ResolvedChange<'c> {
    pub table: &'static TableDef,
    /// In the change's (name) order, each with its value.
    pub fields: Vec<(&'static str, &'c Value)>,
}

/// [`validate_change`], keeping what it looked up: the desktop's merge builds
/// its SQL from the registry's names, so it takes them from the one check that
/// decides what a change may name rather than looking each column up again.
pub fn resolve_change(change: &Change) -> Result<ResolvedChange<'_>, SchemaError> {
    let table = table(&change.table)?;
    // Clock 0 is the "never written" clock; a change stamped with it could not win
    // or lose consistently.
    if change.hlc.millis() == 0 {
        return Err(SchemaError(format!(
            "change to {} has no clock",
            table.name
        )));
    }
    if change.fields.is_empty() {
        return Err(SchemaError(format!("empty change to {}", table.name)));
    }
    let mut fields = Vec::with_capacity(change.fields.len());
    for (name, value) in &change.fields {
        let (column, ty, check) = table.column(name)?;
        check_value(table, column, ty, check, value)?;
        if column == DELETED && value.is_null() {
            return Err(SchemaError(format!(
                "{}.{DELETED} cannot be null",
                table.name
            )));
        }
        fields.push((column, value));
    }
    Ok(ResolvedChange { table, fields })
}

/// Checks a value against a column's type and rule.
pub fn check_value(
    table: &TableDef,
    column: &str,
    ty: ColType,
    check: Check,
    value: &Value,
) -> Result<(), SchemaError> {
    let type_ok = match (ty, value) {
        (_, Value::Null) => true,
        (ColType::Text, Value::Text(_)) => true,
        (ColType::Int, Value::Int(_)) => true,
        (ColType::Bool, Value::Bool(_)) => true,
        // Only the canonical form, so equal ids are equal strings in every join.
        (ColType::Uuid, Value::Text(s)) => Uuid::parse_str(s).is_ok_and(|u| u.to_string() == *s),
        _ => false,
    };
    let refuse = |why: &str| Err(SchemaError(format!("{}.{column} {why}", table.name)));
    if !type_ok {
        return refuse(&format!("expects {ty:?}, got {value:?}"));
    }
    let Value::Text(s) = value else {
        return Ok(());
    };
    if s.len() > MAX_TEXT_BYTES {
        return refuse("is longer than Kith stores");
    }
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return refuse("holds control characters");
    }
    let card = || checks::contains_card_number(s);
    match check {
        Check::None => Ok(()),
        Check::CardLast4 if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        Check::CardLast4 => refuse("must be exactly four digits"),
        Check::NoCardNumber | Check::Email if card() => {
            refuse("holds a full card number, which is never stored")
        }
        Check::Email if !s.contains('@') => refuse("is not an email address"),
        Check::E164 if !checks::is_e164(s) => refuse("is not an E.164 phone number"),
        Check::Sha256 if !checks::is_sha256(s) => refuse("is not a SHA-256 in hex"),
        Check::Currency if checks::minor_digits(s).is_none() => {
            refuse("is not a currency code Kith knows")
        }
        Check::CustomValue if card() && !checks::is_option_ids(s) => {
            refuse("holds a full card number, which is never stored")
        }
        Check::NoCardNumber
        | Check::Email
        | Check::E164
        | Check::Sha256
        | Check::Currency
        | Check::CustomValue => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use uuid::Uuid;

    use super::*;
    use crate::{Hlc, NodeId};

    fn change(table: &str, hlc: Hlc, fields: &[(&str, Value)]) -> Change {
        Change {
            table: table.into(),
            row: Uuid::new_v4(),
            hlc,
            node: NodeId::random(),
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn validate_change_refuses_what_no_replica_merges() {
        let ok = Hlc::new(1_700_000_000_000, 0);
        let name = ("first_name", Value::from("Ann"));
        assert_eq!(
            validate_change(&change("users", ok, std::slice::from_ref(&name))),
            Ok(())
        );
        assert_eq!(
            validate_change(&change("users", ok, &[(DELETED, Value::Bool(true))])),
            Ok(())
        );
        // Clock zero, even with a counter.
        assert!(validate_change(&change(
            "users",
            Hlc::new(0, 5),
            std::slice::from_ref(&name)
        ))
        .is_err());
        assert!(validate_change(&change("users", ok, &[(DELETED, Value::Null)])).is_err());
        assert!(validate_change(&change("users", ok, &[])).is_err());
        assert!(validate_change(&change("nope", ok, &[name])).is_err());
        assert!(validate_change(&change("users", ok, &[("nope", Value::Null)])).is_err());
        assert!(
            validate_change(&change("users", ok, &[("created_at", Value::from("x"))])).is_err()
        );
    }

    #[test]
    fn a_resolved_change_names_the_registrys_own_table_and_columns() {
        let ok = Hlc::new(1_700_000_000_000, 0);
        let c = change(
            "users",
            ok,
            &[
                ("last_name", Value::from("Lee")),
                (DELETED, Value::Bool(false)),
            ],
        );
        let resolved = resolve_change(&c).unwrap();
        assert!(std::ptr::eq(resolved.table, &USERS));
        let names: Vec<&str> = resolved.fields.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, [DELETED, "last_name"], "in the change's order");
        // The registry's strings, not the change's: SQL is built from them.
        let registry = USERS.column("last_name").unwrap().0;
        assert!(std::ptr::eq(resolved.fields[1].0, registry));
        assert_eq!(resolved.fields[1].1, &Value::from("Lee"));
        assert!(resolve_change(&change("users", ok, &[("nope", Value::Null)])).is_err());
    }
}
