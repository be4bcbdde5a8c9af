//! Backend-independent pieces of the stores: decoding stored rows into changes,
//! grouping a snapshot page, the snapshot cursor, and the server's own node.

use std::collections::BTreeMap;

use kith_protocol::sync::Role;
use kith_protocol::{Change, Hlc, NodeId, Value};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::StoreError;

/// The node that signs the changes the server writes itself (staff records): fixed
/// per workspace, so its clock is one sequence every instance continues.
pub fn server_node(workspace: Uuid) -> NodeId {
    NodeId(Uuid::new_v5(&workspace, b"kith-server"))
}

/// The colours the desktop picks staff colours from (kith-core's `STAFF_COLORS`).
const STAFF_COLORS: &[&str] = &[
    "#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#4d7c0f",
];

/// A colour for a new staff member, stable for the account id.
pub fn staff_color(account: Uuid) -> &'static str {
    let i = account.as_bytes()[0] as usize % STAFF_COLORS.len();
    STAFF_COLORS[i]
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub fn role_str(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Staff => "staff",
    }
}

pub fn parse_role(s: &str) -> Result<Role, StoreError> {
    match s {
        "owner" => Ok(Role::Owner),
        "staff" => Ok(Role::Staff),
        other => Err(StoreError::Corrupt(format!("role {other:?}"))),
    }
}

pub fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("uuid {s:?}: {e}")))
}

pub fn value_json(v: &Value) -> String {
    // A Value always serializes; the fallback is never taken.
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

pub fn parse_value(s: &str) -> Result<Value, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("value {s:?}: {e}")))
}

pub fn fields_json(fields: &BTreeMap<String, Value>) -> String {
    serde_json::to_string(fields).unwrap_or_else(|_| "{}".to_owned())
}

/// A change as the `changes` table holds it.
pub fn change_from_row(
    table: String,
    row: &str,
    hlc: i64,
    node: &str,
    fields: &str,
) -> Result<Change, StoreError> {
    Ok(Change {
        table,
        row: parse_uuid(row)?,
        hlc: Hlc::from_i64(hlc),
        node: NodeId(parse_uuid(node)?),
        fields: serde_json::from_str(fields)
            .map_err(|e| StoreError::Corrupt(format!("fields {fields:?}: {e}")))?,
    })
}

/// One row of `field_state`.
#[derive(Debug, Clone)]
pub struct FieldRow {
    pub table: String,
    pub row: String,
    pub column: String,
    pub value: String,
    pub hlc: i64,
    pub node: String,
}

/// Fields of one page, ordered by (table, row, column), as changes: one per row and
/// stamp, so every field keeps the clock it won with.
pub fn group_fields(fields: Vec<FieldRow>) -> Result<Vec<Change>, StoreError> {
    let mut out: Vec<Change> = Vec::new();
    let mut current: BTreeMap<(i64, String), Change> = BTreeMap::new();
    let mut key: Option<(String, String)> = None;
    for f in fields {
        let this = (f.table.clone(), f.row.clone());
        if key.as_ref() != Some(&this) {
            out.extend(std::mem::take(&mut current).into_values());
            key = Some(this);
        }
        let value = parse_value(&f.value)?;
        let entry = match current.entry((f.hlc, f.node.clone())) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(Change {
                table: f.table,
                row: parse_uuid(&f.row)?,
                hlc: Hlc::from_i64(f.hlc),
                node: NodeId(parse_uuid(&f.node)?),
                fields: BTreeMap::new(),
            }),
        };
        entry.fields.insert(f.column, value);
    }
    out.extend(current.into_values());
    Ok(out)
}

/// Fewest fields a snapshot page holds, so the widest row always fits in one page.
pub const MIN_SNAPSHOT_FIELDS: u32 = 64;

/// Cuts a snapshot page at the last complete row that fits in `limit` fields and
/// `budget` bytes of values, but never below one whole row; returns the fields to
/// send and whether more follow (the input holds at least one field past the page
/// when more do).
pub fn cut_page(mut fields: Vec<FieldRow>, limit: usize, budget: usize) -> (Vec<FieldRow>, bool) {
    let mut fit = 0;
    let mut bytes = 0usize;
    while fit < fields.len() && fit < limit {
        bytes += fields[fit].value.len();
        if fit > 0 && bytes > budget {
            break;
        }
        fit += 1;
    }
    if fit == fields.len() {
        return (fields, false);
    }
    let same_row = |f: &FieldRow, g: &FieldRow| f.table == g.table && f.row == g.row;
    let first_out = &fields[fit];
    let mut end = fit;
    while end > 0 && same_row(&fields[end - 1], first_out) {
        end -= 1;
    }
    if end == 0 {
        // The first row alone is past the budget: it goes whole.
        end = fields
            .iter()
            .take_while(|f| same_row(f, &fields[0]))
            .count();
    }
    let more = end < fields.len();
    fields.truncate(end);
    (fields, more)
}

/// Where the next snapshot page starts: after `(table, row)`, at the `as_of` of the
/// first page. Sent to the client as opaque hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotCursor {
    pub as_of: u64,
    pub table: String,
    pub row: String,
}

impl SnapshotCursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        json.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn decode(s: &str) -> Option<SnapshotCursor> {
        if s.len() & 1 == 1 || s.len() > 1024 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
            .collect();
        serde_json::from_slice(&bytes?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(table: &str, row: &str, column: &str) -> FieldRow {
        FieldRow {
            table: table.into(),
            row: row.into(),
            column: column.into(),
            value: "1".into(),
            hlc: 1,
            node: Uuid::nil().to_string(),
        }
    }

    #[test]
    fn cursor_round_trips_and_refuses_garbage() {
        let c = SnapshotCursor {
            as_of: 7,
            table: "users".into(),
            row: Uuid::new_v4().to_string(),
        };
        assert_eq!(SnapshotCursor::decode(&c.encode()), Some(c));
        assert_eq!(SnapshotCursor::decode("zz"), None);
        assert_eq!(SnapshotCursor::decode("abc"), None);
    }

    #[test]
    fn a_page_is_cut_at_a_row_boundary() {
        let rows = vec![
            field("a", "1", "x"),
            field("a", "1", "y"),
            field("a", "2", "x"),
            field("a", "2", "y"),
        ];
        let (page, more) = cut_page(rows.clone(), 3, usize::MAX);
        assert!(more);
        assert_eq!(page.len(), 2);
        let (page, more) = cut_page(rows.clone(), 4, usize::MAX);
        assert!(!more);
        assert_eq!(page.len(), 4);
        // Each value is one byte: three bytes fit one row and a half.
        let (page, more) = cut_page(rows.clone(), 4, 3);
        assert!(more);
        assert_eq!(page.len(), 2);
        // A budget below the first row still sends the first row whole.
        let (page, more) = cut_page(rows, 4, 1);
        assert!(more);
        assert_eq!(page.len(), 2);
    }
}
