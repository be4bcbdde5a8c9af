//! Field clocks as a row holds them (migration 0018): `_clocks`, a JSON object
//! `{"column": [hlc, "node"], …}` with its keys in name order, NULL when the row has
//! none and its row clock stands for every column.
//!
//! A field's clock is the stamp of the change that last wrote it. Kept in the row,
//! the clocks are read with the row the merge reads anyway and written by the
//! UPDATE it runs anyway; SQL can still reach them through the JSON functions.

use std::collections::{BTreeMap, HashMap};

use kith_protocol::{Hlc, NodeId, Stamp};
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use super::apply::{placeholders, CHUNK};
use crate::error::{CoreError, Result};
use crate::schema::TableDef;

/// A row's field clocks by registry column name.
pub(crate) type Clocks = HashMap<&'static str, Stamp>;

/// The clocks in a row's `_clocks`. Only registry columns can have clocks; a key
/// the registry does not know (a column since removed) is left out, and so is
/// gone once the row is next written: no merge could use it.
pub(crate) fn decode(table: &TableDef, text: Option<&str>) -> Result<Clocks> {
    let Some(text) = text else {
        return Ok(Clocks::new());
    };
    let raw: HashMap<String, (i64, String)> = serde_json::from_str(text)
        .map_err(|e| CoreError::Corrupt(format!("{} field clocks {text:?}: {e}", table.name)))?;
    let mut clocks = Clocks::with_capacity(raw.len());
    for (column, (hlc, node)) in raw {
        if let Ok((column, _, _)) = table.column(&column) {
            clocks.insert(column, stamp(hlc, &node)?);
        }
    }
    Ok(clocks)
}

/// The `_clocks` text of `clocks`: NULL for none, keys in name order so the same
/// clocks are always the same text.
pub(crate) fn encode(clocks: &Clocks) -> Option<String> {
    if clocks.is_empty() {
        return None;
    }
    let sorted: BTreeMap<&str, (i64, String)> = clocks
        .iter()
        .map(|(column, s)| (*column, (s.hlc.as_i64(), s.node.to_string())))
        .collect();
    // A map of strings to (integer, string) pairs always serializes.
    serde_json::to_string(&sorted).ok()
}

/// A stamp as the store keeps it: hlc 0 is no stamp at all.
pub(crate) fn stamp(hlc: i64, node: &str) -> Result<Stamp> {
    if hlc == 0 {
        return Ok(Stamp::ZERO);
    }
    let node =
        Uuid::parse_str(node).map_err(|e| CoreError::Corrupt(format!("node {node:?}: {e}")))?;
    Ok(Stamp {
        hlc: Hlc::from_i64(hlc),
        node: NodeId(node),
    })
}

/// What last wrote each column of a row as it stands.
#[derive(Debug, Clone)]
pub(crate) struct RowStamps {
    /// The row clock: the creating change's, standing for every column that has
    /// no field clock.
    row: Stamp,
    clocks: Clocks,
    pub deleted: bool,
}

impl RowStamps {
    /// The stamp of the change that last wrote `column`.
    pub fn field(&self, column: &str) -> Stamp {
        self.clocks.get(column).copied().unwrap_or(self.row)
    }

    /// The stamps of all of `table`'s columns, the tombstone's included.
    pub fn columns(&self, table: &TableDef) -> impl Iterator<Item = Stamp> + '_ {
        // A column without a field clock holds what the row clock's change wrote.
        let row_stands = self.clocks.len() < table.field_count();
        self.clocks
            .values()
            .copied()
            .chain(row_stands.then_some(self.row))
    }
}

/// The stamps of those of `rows` that exist in `table`, deleted ones included,
/// each with its values in `columns` (registry names of text columns).
pub(crate) async fn row_stamps(
    conn: &mut SqliteConnection,
    table: &'static TableDef,
    rows: &[Uuid],
    columns: &[&'static str],
) -> Result<HashMap<Uuid, (RowStamps, Vec<Option<String>>)>> {
    let mut out = HashMap::with_capacity(rows.len());
    let extra: String = columns.iter().map(|c| format!(", {c}")).collect();
    for chunk in rows.chunks(CHUNK) {
        // Registry names only.
        let sql = format!(
            "SELECT id, _clocks, _hlc, _node, _deleted{extra} FROM {} WHERE id IN ({})",
            table.name,
            placeholders(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let id = crate::ids::parse_id(r.try_get("id")?)?;
            let stamps = RowStamps {
                row: stamp(r.try_get("_hlc")?, r.try_get("_node")?)?,
                clocks: decode(table, r.try_get("_clocks")?)?,
                deleted: r.try_get("_deleted")?,
            };
            let values = (5..5 + columns.len())
                .map(|i| r.try_get::<Option<String>, _>(i))
                .collect::<std::result::Result<_, _>>()?;
            out.insert(id, (stamps, values));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::USERS;

    fn at(hlc: i64, node: u128) -> Stamp {
        Stamp {
            hlc: Hlc::from_i64(hlc),
            node: NodeId(Uuid::from_u128(node)),
        }
    }

    #[test]
    fn clocks_round_trip_in_name_order() {
        let clocks: Clocks = [
            ("last_name", at(7 << 16, 2)),
            ("email", at(5 << 16 | 3, 1)),
            ("_deleted", at(9 << 16, 1)),
        ]
        .into();
        let text = encode(&clocks).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"_deleted":[{},"{}"],"email":[{},"{}"],"last_name":[{},"{}"]}}"#,
                9 << 16,
                Uuid::from_u128(1),
                5 << 16 | 3,
                Uuid::from_u128(1),
                7 << 16,
                Uuid::from_u128(2)
            )
        );
        assert_eq!(decode(&USERS, Some(&text)).unwrap(), clocks);
    }

    #[test]
    fn no_clocks_is_null_and_null_is_no_clocks() {
        assert_eq!(encode(&Clocks::new()), None);
        assert!(decode(&USERS, None).unwrap().is_empty());
    }

    #[test]
    fn a_column_the_registry_does_not_know_is_left_out() {
        let text = format!(r#"{{"gone":[65536,"{}"]}}"#, Uuid::from_u128(1));
        assert!(decode(&USERS, Some(&text)).unwrap().is_empty());
    }

    #[test]
    fn damaged_clocks_are_reported_not_ignored() {
        for text in ["{", r#"{"email":[1]}"#, r#"{"email":[65536,"not a node"]}"#] {
            let err = decode(&USERS, Some(text)).unwrap_err();
            assert!(matches!(err, CoreError::Corrupt(_)), "{text}: {err:?}");
        }
    }
}
