//! Applying one change to one row: per-field last-writer-wins by (hlc, node).

use std::collections::HashMap;

use kith_protocol::{Change, Hlc, NodeId, Stamp, Value};
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::derive;
use crate::error::{CoreError, Result};
use crate::schema::{self, TableDef};

/// Checks a change against the schema registry and resolves its columns to the
/// registry's own names, the only strings SQL is built from.
fn resolve(change: &Change) -> Result<(&'static TableDef, Vec<(&'static str, &Value)>)> {
    let table = schema::table(&change.table)?;
    let mut fields = Vec::with_capacity(change.fields.len());
    for (name, value) in &change.fields {
        let (column, ty, check) = table.column(name)?;
        schema::check_value(table, column, ty, check, value)?;
        if column == schema::DELETED && value.is_null() {
            return Err(CoreError::Schema("_deleted cannot be null".into()));
        }
        fields.push((column, value));
    }
    if fields.is_empty() {
        return Err(CoreError::Schema(format!("empty change to {}", table.name)));
    }
    Ok((table, fields))
}

struct RowState {
    rid: i64,
    row_clock: Stamp,
    was_deleted: bool,
}

/// Applies `change`; returns whether any of its fields won.
pub(super) async fn apply(conn: &mut SqliteConnection, change: &Change) -> Result<bool> {
    let (table, fields) = resolve(change)?;
    let stamp = change.stamp();
    let row = change.row.to_string();

    let existing = load_row(conn, table, &row).await?;
    let Some(state) = existing else {
        let full = fields.len() == table.field_count();
        let rid = insert_row(conn, table, &row, &fields, full.then_some(stamp)).await?;
        if !full {
            for (column, _) in &fields {
                set_field_clock(conn, table, &row, column, stamp).await?;
            }
        }
        derive::after_write(conn, table, rid, change, None).await?;
        return Ok(true);
    };

    let clocks = field_clocks(conn, table, &row).await?;
    let winners: Vec<_> = fields
        .into_iter()
        .filter(|(column, _)| {
            let current = clocks.get(*column).copied().unwrap_or(state.row_clock);
            stamp > current
        })
        .collect();
    if winners.is_empty() {
        return Ok(false);
    }

    let assignments = winners
        .iter()
        .map(|(column, _)| format!("{column} = ?"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("UPDATE {} SET {assignments} WHERE rid = ?", table.name);
    let mut query = sqlx::query(&sql);
    for (_, value) in &winners {
        query = bind_value(query, value);
    }
    query.bind(state.rid).execute(&mut *conn).await?;
    for (column, _) in &winners {
        set_field_clock(conn, table, &row, column, stamp).await?;
    }
    derive::after_write(conn, table, state.rid, change, Some(state.was_deleted)).await?;
    Ok(true)
}

pub(super) fn bind_value<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    value: &Value,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    match value {
        Value::Null => query.bind(None::<i64>),
        Value::Bool(b) => query.bind(*b),
        Value::Int(i) => query.bind(*i),
        Value::Text(s) => query.bind(s.clone()),
    }
}

async fn load_row(
    conn: &mut SqliteConnection,
    table: &TableDef,
    row: &str,
) -> Result<Option<RowState>> {
    let sql = format!(
        "SELECT rid, _hlc, _node, _deleted FROM {} WHERE id = ?",
        table.name
    );
    let found: Option<(i64, i64, String, bool)> = sqlx::query_as(&sql)
        .bind(row)
        .fetch_optional(&mut *conn)
        .await?;
    found
        .map(|(rid, hlc, node, deleted)| {
            Ok(RowState {
                rid,
                row_clock: stamp_of(hlc, &node)?,
                was_deleted: deleted,
            })
        })
        .transpose()
}

fn stamp_of(hlc: i64, node: &str) -> Result<Stamp> {
    if hlc == 0 {
        return Ok(Stamp::ZERO);
    }
    let node =
        Uuid::parse_str(node).map_err(|e| CoreError::Corrupt(format!("node id {node:?}: {e}")))?;
    Ok(Stamp {
        hlc: Hlc::from_i64(hlc),
        node: NodeId(node),
    })
}

async fn insert_row(
    conn: &mut SqliteConnection,
    table: &TableDef,
    row: &str,
    fields: &[(&'static str, &Value)],
    row_clock: Option<Stamp>,
) -> Result<i64> {
    let columns: String = fields.iter().map(|(c, _)| format!(", {c}")).collect();
    let params: String = ", ?".repeat(fields.len());
    let sql = format!(
        "INSERT INTO {} (id, _hlc, _node{columns}) VALUES (?, ?, ?{params}) RETURNING rid",
        table.name
    );
    let clock = row_clock.unwrap_or(Stamp::ZERO);
    let node = if row_clock.is_some() {
        clock.node.to_string()
    } else {
        String::new()
    };
    let mut query = sqlx::query(&sql)
        .bind(row)
        .bind(clock.hlc.as_i64())
        .bind(node);
    for (_, value) in fields {
        query = bind_value(query, value);
    }
    let rid: i64 = sqlx::Row::try_get(&query.fetch_one(&mut *conn).await?, 0)?;
    Ok(rid)
}

async fn field_clocks(
    conn: &mut SqliteConnection,
    table: &TableDef,
    row: &str,
) -> Result<HashMap<String, Stamp>> {
    let rows: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT col, hlc, node FROM field_clock WHERE tbl = ? AND row = ?")
            .bind(table.name)
            .bind(row)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter()
        .map(|(col, hlc, node)| Ok((col, stamp_of(hlc, &node)?)))
        .collect()
}

async fn set_field_clock(
    conn: &mut SqliteConnection,
    table: &TableDef,
    row: &str,
    column: &str,
    stamp: Stamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO field_clock (tbl, row, col, hlc, node) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tbl, row, col) DO UPDATE SET hlc = excluded.hlc, node = excluded.node",
    )
    .bind(table.name)
    .bind(row)
    .bind(column)
    .bind(stamp.hlc.as_i64())
    .bind(stamp.node.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
