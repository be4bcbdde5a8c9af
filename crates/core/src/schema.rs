//! The schema registry: every synced table and column, with its type and check.
//!
//! `Store::merge` refuses changes to anything not listed here, and SQL for synced
//! tables is only ever built from these static names, never from incoming strings.

use kith_protocol::Value;
use uuid::Uuid;

use crate::error::{CoreError, Result};

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
}

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
        // Emails and phones are validated by the users service; a phone is E.164.
        col("email", ColType::Text),
        col("mobile_phone", ColType::Text),
        col("home_phone", ColType::Text),
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

pub static TABLES: &[&TableDef] = &[
    &USERS,
    &TEAMS,
    &USER_TEAMS,
    &LOCATIONS,
    &USER_SOCIAL_LINKS,
    &USER_ADDRESSES,
    &USER_PUSH_TOKENS,
    &USER_CARDS,
];

pub fn table(name: &str) -> Result<&'static TableDef> {
    TABLES
        .iter()
        .copied()
        .find(|t| t.name == name)
        .ok_or_else(|| CoreError::Schema(format!("unknown table {name:?}")))
}

impl TableDef {
    /// The registry's own name for a column (so SQL never embeds the caller's string),
    /// or an error for a column it does not list.
    pub fn column(&self, name: &str) -> Result<(&'static str, ColType, Check)> {
        if name == DELETED {
            return Ok((DELETED, ColType::Bool, Check::None));
        }
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| (c.name, c.ty, c.check))
            .ok_or_else(|| CoreError::Schema(format!("unknown column {}.{name}", self.name)))
    }

    /// Number of fields a change must carry to describe the whole row.
    pub fn field_count(&self) -> usize {
        self.columns.len() + 1
    }
}

/// Checks a value against a column's type and rule.
pub fn check_value(
    table: &TableDef,
    column: &str,
    ty: ColType,
    check: Check,
    value: &Value,
) -> Result<()> {
    let type_ok = match (ty, value) {
        (_, Value::Null) => true,
        (ColType::Text, Value::Text(_)) => true,
        (ColType::Int, Value::Int(_)) => true,
        (ColType::Bool, Value::Bool(_)) => true,
        (ColType::Uuid, Value::Text(s)) => Uuid::parse_str(s).is_ok(),
        _ => false,
    };
    if !type_ok {
        return Err(CoreError::Schema(format!(
            "{}.{column} expects {ty:?}, got {value:?}",
            table.name
        )));
    }
    let Value::Text(s) = value else {
        return Ok(());
    };
    match check {
        Check::None => Ok(()),
        Check::CardLast4 if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        Check::CardLast4 => Err(CoreError::Schema(format!(
            "{}.{column} must be exactly four digits",
            table.name
        ))),
        Check::NoCardNumber if crate::validate::contains_card_number(s) => {
            Err(CoreError::Schema(format!(
                "{}.{column} holds a full card number, which is never stored",
                table.name
            )))
        }
        Check::NoCardNumber => Ok(()),
    }
}
