//! Sending this desktop's own changes again, for a server that lost them: one
//! restored from a backup no longer holds what desktops pushed after it, and those
//! desktops' outboxes are empty since the server acknowledged it.
//!
//! Every value this store's node wrote goes back into the outbox with the stamp it
//! was written under, so the server's merge keeps whichever edit of a field is
//! latest, exactly as it did the first time. Values other nodes wrote are theirs to
//! send: a device may push only its own node's changes.

use std::collections::BTreeMap;

use kith_protocol::schema::TABLES;
use kith_protocol::{Change, Hlc, Value};
use sqlx::Row;
use uuid::Uuid;

use super::checksum::{synced_columns, typed};
use crate::error::{CoreError, Result};
use crate::store::clocks;
use crate::Kith;

/// Rows read (and changes appended) at a time, so memory stays bounded.
const ROWS: i64 = 2_000;

/// Appends this node's values to the outbox; returns the changes appended.
pub(crate) async fn requeue_own(kith: &Kith) -> Result<u64> {
    let store = kith.store();
    let me = store.node();
    let mut total = 0;
    for table in TABLES {
        let (columns, list) = synced_columns(table);
        let sql = format!(
            "SELECT rid, id, _hlc, _node, _clocks, {list} FROM {} WHERE rid > ? ORDER BY rid LIMIT ?",
            table.name
        );
        let mut after = 0i64;
        loop {
            // Each row's values and field clocks come from the one read.
            let rows = sqlx::query(&sql)
                .bind(after)
                .bind(ROWS)
                .fetch_all(store.pool())
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("rid")?;
            let mut changes = Vec::new();
            for row in &rows {
                let clocks = clocks::decode(table, row.try_get("_clocks")?)?;
                let id: String = row.try_get("id")?;
                let row_id = Uuid::parse_str(&id)
                    .map_err(|e| CoreError::Corrupt(format!("{} id {id:?}: {e}", table.name)))?;
                let row_hlc: i64 = row.try_get("_hlc")?;
                let row_node: String = row.try_get("_node")?;
                let row_clock =
                    (row_hlc != 0 && row_node == me.to_string()).then(|| Hlc::from_i64(row_hlc));
                // A column's stamp: its field clock, else the row clock when the
                // change that created the row carried every column.
                let mut mine: BTreeMap<Hlc, BTreeMap<String, Value>> = BTreeMap::new();
                for (i, (name, ty)) in columns.iter().enumerate() {
                    let hlc = match clocks.get(name) {
                        Some(stamp) => (stamp.node == me).then_some(stamp.hlc),
                        None => row_clock,
                    };
                    let Some(hlc) = hlc else { continue };
                    let value = typed(row, i + 5, *ty)?;
                    mine.entry(hlc)
                        .or_default()
                        .insert((*name).to_owned(), value);
                }
                for (hlc, fields) in mine {
                    changes.push(Change {
                        table: table.name.to_owned(),
                        row: row_id,
                        hlc,
                        node: me,
                        fields,
                    });
                }
            }
            store.requeue(&changes).await?;
            total += changes.len() as u64;
        }
    }
    Ok(total)
}
