//! The local state checksum: every registry table and column, tombstones included,
//! each value typed by its registry column so it hashes as the server's does.

use futures_util::TryStreamExt;
use kith_protocol::schema::{ColType, TableDef, TABLES};
use kith_protocol::sync::Checksum;
use kith_protocol::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::schema::DELETED;

/// [`Checksum`] of this replica's synced data.
pub async fn local_checksum(pool: &SqlitePool) -> Result<Checksum> {
    let mut sum = Checksum::default();
    let mut conn = pool.acquire().await?;
    for table in TABLES {
        let (columns, list) = synced_columns(table);
        // A row first written by a change without `_deleted` holds the column's
        // default, not a value anyone wrote, and the server holds no such field:
        // it counts only when the row clock (a change carrying every column) or a
        // field clock says it was written.
        let sql = format!(
            "SELECT id, {list}, _hlc != 0 OR json_type(_clocks, '$.{DELETED}') IS NOT NULL \
             FROM {}",
            table.name
        );
        let written = columns.len() + 1;
        let mut rows = sqlx::query(&sql).fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let id: String = row.try_get(0)?;
            let id = Uuid::parse_str(&id)
                .map_err(|e| CoreError::Corrupt(format!("{} id {id:?}: {e}", table.name)))?;
            let deleted_written: bool = row.try_get(written)?;
            for (i, (name, ty)) in columns.iter().enumerate() {
                if *name == DELETED && !deleted_written {
                    continue;
                }
                let value = typed(&row, i + 1, *ty)?;
                sum.add(table.name, id, name, &value);
            }
        }
    }
    Ok(sum)
}

/// A table's synced columns with their types, the tombstone last, and the same
/// names as a select list. Registry names only, never input.
pub(super) fn synced_columns(table: &TableDef) -> (Vec<(&'static str, ColType)>, String) {
    let columns: Vec<(&str, ColType)> = table
        .columns
        .iter()
        .map(|c| (c.name, c.ty))
        .chain(std::iter::once((DELETED, ColType::Bool)))
        .collect();
    let list = columns
        .iter()
        .map(|(c, _)| *c)
        .collect::<Vec<_>>()
        .join(", ");
    (columns, list)
}

/// Column `i` of `row` as a value of its registry type.
pub(super) fn typed(row: &SqliteRow, i: usize, ty: ColType) -> Result<Value> {
    Ok(match ty {
        ColType::Text | ColType::Uuid => row.try_get::<Option<String>, _>(i)?.into(),
        ColType::Int => row.try_get::<Option<i64>, _>(i)?.into(),
        // SQLite keeps booleans as 0 and 1.
        ColType::Bool => row.try_get::<Option<i64>, _>(i)?.map(|v| v != 0).into(),
    })
}
