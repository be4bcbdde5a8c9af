//! Sending this desktop's own changes again, for a server that lost them: one
//! restored from a backup no longer holds what desktops pushed after it, and those
//! desktops' outboxes are empty since the server acknowledged it.
//!
//! Every value this store's node wrote goes back into the outbox with the stamp it
//! was written under, so the server's merge keeps whichever edit of a field is
//! latest, exactly as it did the first time. Values other nodes wrote are theirs to
//! send: a device may push only its own node's changes.

use std::collections::{BTreeMap, HashMap};

use kith_protocol::schema::TABLES;
use kith_protocol::{Change, Hlc, Value};
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use super::checksum::{synced_columns, typed};
use crate::error::{CoreError, Result};
use crate::schema::DELETED;
use crate::store::placeholders;
use crate::Kith;

/// Rows read (and changes appended) at a time, so memory stays bounded.
const ROWS: i64 = 2_000;

/// Appends this node's values to the outbox; returns the changes appended.
pub(crate) async fn requeue_own(kith: &Kith) -> Result<u64> {
    let store = kith.store();
    let me = store.node().to_string();
    let mut total = 0;
    for table in TABLES {
        let (columns, list) = synced_columns(table);
        let sql = format!(
            "SELECT rid, id, _hlc, _node, {list} FROM {} WHERE rid > ? ORDER BY rid LIMIT ?",
            table.name
        );
        let mut after = 0i64;
        loop {
            // Rows and their clocks from one read snapshot, so a commit between the
            // two reads cannot pair a value with another write's stamp.
            let mut read = store.pool().begin().await?;
            let rows = sqlx::query(&sql)
                .bind(after)
                .bind(ROWS)
                .fetch_all(&mut *read)
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("rid")?;
            let ids: Vec<String> = rows
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<std::result::Result<_, _>>()?;
            let clocks = field_clocks(&mut read, table.name, &ids).await?;
            read.rollback().await?;
            let mut changes = Vec::new();
            for (row, id) in rows.iter().zip(&ids) {
                let row_hlc: i64 = row.try_get("_hlc")?;
                let row_node: String = row.try_get("_node")?;
                // A column's stamp: its field clock, else the row clock when the
                // change that created the row carried every column.
                let mut mine: BTreeMap<i64, BTreeMap<String, Value>> = BTreeMap::new();
                for (i, (name, ty)) in columns.iter().enumerate() {
                    let stamp = match clocks.get(id.as_str()).and_then(|c| c.get(name)) {
                        Some((hlc, node)) => Some((*hlc, node.as_str())),
                        None => (row_hlc != 0).then_some((row_hlc, row_node.as_str())),
                    };
                    let Some((hlc, node)) = stamp else { continue };
                    if node != me {
                        continue;
                    }
                    let value = typed(row, i + 4, *ty)?;
                    mine.entry(hlc)
                        .or_default()
                        .insert((*name).to_owned(), value);
                }
                let row_id = Uuid::parse_str(id)
                    .map_err(|e| CoreError::Corrupt(format!("{} id {id:?}: {e}", table.name)))?;
                for (hlc, fields) in mine {
                    changes.push(Change {
                        table: table.name.to_owned(),
                        row: row_id,
                        hlc: Hlc::from_i64(hlc),
                        node: store.node(),
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

/// The field clocks of `ids` in `table`: row → column → (hlc, node). Columns
/// outside the registry are left out.
async fn field_clocks(
    conn: &mut SqliteConnection,
    table: &str,
    ids: &[String],
) -> Result<HashMap<String, HashMap<&'static str, (i64, String)>>> {
    let def = kith_protocol::schema::table(table)
        .map_err(|e| CoreError::Corrupt(format!("field clocks of {table}: {e}")))?;
    let sql = format!(
        "SELECT row, col, hlc, node FROM field_clock WHERE tbl = ? AND row IN ({})",
        placeholders(ids.len())
    );
    let mut q = sqlx::query_as::<_, (String, String, i64, String)>(&sql).bind(table);
    for id in ids {
        q = q.bind(id);
    }
    let mut clocks: HashMap<String, HashMap<&'static str, (i64, String)>> = HashMap::new();
    for (row, col, hlc, node) in q.fetch_all(&mut *conn).await? {
        let name = if col == DELETED {
            DELETED
        } else {
            match def.columns.iter().find(|c| c.name == col) {
                Some(c) => c.name,
                None => continue,
            }
        };
        clocks.entry(row).or_default().insert(name, (hlc, node));
    }
    Ok(clocks)
}
