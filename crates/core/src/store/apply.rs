//! Applying a batch of changes: per-field last-writer-wins by (hlc, node).
//!
//! The batch is merged in memory first — row states and field clocks are loaded
//! with one query per table and chunk, each change is applied in order to that
//! state — and the outcome is written with multi-row statements. The result is
//! exactly that of applying the changes one by one, at a fraction of the
//! statements, which is what lets a million-row import or demo run at speed.

use std::collections::{BTreeMap, HashMap, HashSet};

use futures_util::TryStreamExt;
use kith_protocol::{Change, Stamp, Value};
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use super::clocks::{self, Clocks};
use super::{chunked, derive};
use crate::error::{CoreError, Result};
use crate::schema::{self, TableDef};

/// Rows per multi-row statement: well under SQLite's 32,766 bound parameters.
pub(crate) const CHUNK: usize = 400;

/// A change checked against the registry, its columns resolved to registry names.
pub(super) struct Resolved<'c> {
    pub table: &'static TableDef,
    pub row: Uuid,
    pub stamp: Stamp,
    pub fields: Vec<(&'static str, &'c Value)>,
}

fn resolve(change: &Change) -> Result<Resolved<'_>> {
    // The server refuses at push exactly what this refuses: one definition.
    let schema::ResolvedChange { table, fields } = schema::resolve_change(change)?;
    Ok(Resolved {
        table,
        row: change.row,
        stamp: change.stamp(),
        fields,
    })
}

/// One row's state during the merge.
pub(super) struct RowWork {
    /// The row's tombstone before the batch; `None` when the batch creates the row.
    pub before: Option<bool>,
    /// The row's rid, once it exists in the table.
    pub rid: Option<i64>,
    /// Clock of the creating change when it carried every column.
    pub row_clock: Stamp,
    pub clocks: Clocks,
    /// Fields this batch writes, with their final values.
    pub writes: BTreeMap<&'static str, Value>,
    /// The latest stamp that won any field: the row's activity.
    pub latest: Option<Stamp>,
    /// A new user's search forms, worked out once for its sort keys and its
    /// search entry.
    pub forms: Option<derive::SearchForms>,
    /// An existing user's search forms as its search entry holds them, when the
    /// batch re-indexes it: the entry is removed by value (see `derive`).
    pub indexed: Option<derive::SearchForms>,
    /// An existing user's searched columns as stored before the batch, so its
    /// keys and search entry can be worked out without reading the row again.
    pub search_source: Option<derive::SearchSource>,
    /// An existing row's values as the activity log shows them, before the batch
    /// (see `activity_log::load_columns`); empty for other tables and new rows.
    pub logged: Vec<Option<String>>,
    /// Values that arrived older than the field's current value and lost, with
    /// their stamps: the activity log keeps them, so a concurrent edit that lost
    /// the merge is still seen.
    pub lost: Vec<(&'static str, Stamp, Value)>,
}

impl RowWork {
    pub fn created_here(&self) -> bool {
        self.before.is_none()
    }
}

/// What a batch did, for the derived columns and the caller.
pub(super) struct Outcome {
    /// Rows touched, per table, in first-touched order.
    pub rows: Vec<(&'static TableDef, Uuid)>,
    pub work: HashMap<(&'static str, Uuid), RowWork>,
    /// Per change: whether any of its fields won.
    pub applied: Vec<bool>,
}

/// Applies `changes` in order; returns, per change, whether any of its fields won.
/// Rows in `fresh` are known not to exist yet and are not looked up.
/// `origin` says where the changes came from, for the activity log.
pub(super) async fn apply_batch(
    conn: &mut SqliteConnection,
    changes: &[Change],
    fresh: &HashSet<(&'static str, Uuid)>,
    origin: &str,
) -> Result<Vec<bool>> {
    apply_batch_with(conn, changes, fresh, origin, false).await
}

/// [`apply_batch`]; with `ties_win`, a change whose stamp equals the field's also
/// writes its value. Only for repairing from a server's snapshot: the stamps
/// agree there, and a value that differs under one stamp is the local copy gone
/// wrong.
pub(super) async fn apply_batch_with(
    conn: &mut SqliteConnection,
    changes: &[Change],
    fresh: &HashSet<(&'static str, Uuid)>,
    origin: &str,
    ties_win: bool,
) -> Result<Vec<bool>> {
    let resolved = changes.iter().map(resolve).collect::<Result<Vec<_>>>()?;
    let mut outcome = load(conn, &resolved, fresh).await?;
    for change in &resolved {
        let applied = merge_in_memory(&mut outcome, change, ties_win);
        outcome.applied.push(applied);
    }
    write(conn, &mut outcome).await?;
    super::activity_log::after_batch(conn, &outcome, origin).await?;
    derive::after_batch(conn, &mut outcome).await?;
    super::note_index::after_batch(conn, &outcome).await?;
    super::file_index::after_batch(conn, &outcome).await?;
    super::value_index::after_batch(conn, &outcome, fresh).await?;
    Ok(outcome.applied)
}

/// Loads the current state of every row the batch names but those in `fresh`,
/// its field clocks with it.
async fn load(
    conn: &mut SqliteConnection,
    changes: &[Resolved<'_>],
    fresh: &HashSet<(&'static str, Uuid)>,
) -> Result<Outcome> {
    let mut rows: Vec<(&'static TableDef, Uuid)> = Vec::new();
    let mut seen = HashSet::new();
    for c in changes {
        if seen.insert((c.table.name, c.row)) {
            rows.push((c.table, c.row));
        }
    }
    let mut work = HashMap::with_capacity(rows.len());
    for table in schema::TABLES {
        let ids: Vec<String> = rows
            .iter()
            .filter(|(t, id)| t.name == table.name && !fresh.contains(&(t.name, *id)))
            .map(|(_, id)| id.to_string())
            .collect();
        if ids.is_empty() {
            continue;
        }
        let named: HashSet<&str> = changes
            .iter()
            .filter(|c| c.table.name == table.name)
            .flat_map(|c| c.fields.iter().map(|(column, _)| *column))
            .collect();
        let logged = super::activity_log::read_positions(table, &named);
        for chunk in ids.chunks(CHUNK) {
            let marks = placeholders(chunk.len());
            let sql = format!(
                // The log's columns last: `activity_log::logged_values` reads them by position.
                "SELECT rid, id, _hlc, _node, _deleted, _clocks{}{} FROM {} WHERE id IN ({marks})",
                derive::load_columns(table),
                super::activity_log::load_columns(table, &logged),
                table.name
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            // Streamed, not collected: each row is parsed while SQLite's thread
            // steps on to the next ones (sqlx buffers up to the row buffer).
            let mut found = q.fetch(&mut *conn);
            while let Some(r) = found.try_next().await? {
                let id = parse_uuid(&r.try_get::<String, _>("id")?)?;
                let row_clock = clocks::stamp(r.try_get("_hlc")?, r.try_get::<&str, _>("_node")?)?;
                work.insert(
                    (table.name, id),
                    RowWork {
                        before: Some(r.try_get("_deleted")?),
                        rid: Some(r.try_get("rid")?),
                        row_clock,
                        clocks: clocks::decode(table, r.try_get("_clocks")?)?,
                        writes: BTreeMap::new(),
                        latest: None,
                        forms: None,
                        indexed: None,
                        search_source: derive::search_source(table, &r)?,
                        logged: super::activity_log::logged_values(table, &logged, &r)?,
                        lost: Vec::new(),
                    },
                );
            }
        }
    }
    Ok(Outcome {
        rows,
        work,
        applied: Vec::with_capacity(changes.len()),
    })
}

fn merge_in_memory(outcome: &mut Outcome, c: &Resolved<'_>, ties_win: bool) -> bool {
    let work = outcome
        .work
        .entry((c.table.name, c.row))
        .or_insert_with(|| {
            // The row does not exist yet: this change creates it. A change carrying
            // every column lets the row clock stand for all of them.
            let full = c.fields.len() == c.table.field_count();
            RowWork {
                before: None,
                rid: None,
                row_clock: if full { c.stamp } else { Stamp::ZERO },
                clocks: Clocks::new(),
                writes: BTreeMap::new(),
                latest: None,
                forms: None,
                indexed: None,
                search_source: None,
                logged: Vec::new(),
                lost: Vec::new(),
            }
        });
    let creating = work.created_here() && work.writes.is_empty() && work.latest.is_none();
    let mut applied = false;
    for (column, value) in &c.fields {
        let current = work.clocks.get(column).copied().unwrap_or(if creating {
            Stamp::ZERO
        } else {
            work.row_clock
        });
        let covered_by_row_clock = creating && work.row_clock == c.stamp;
        if covered_by_row_clock || c.stamp > current || (ties_win && c.stamp == current) {
            work.writes.insert(column, (*value).clone());
            if !covered_by_row_clock {
                work.clocks.insert(column, c.stamp);
            }
            applied = true;
        } else if c.stamp < current {
            // Equal stamps are the same write received again, not a rival.
            work.lost.push((column, c.stamp, (*value).clone()));
        }
    }
    if applied {
        work.latest = Some(work.latest.map_or(c.stamp, |l| l.max(c.stamp)));
    }
    applied
}

/// Writes the merged outcome, each row with its field clocks: new rows with
/// multi-row INSERTs, changed rows with multi-row UPDATEs (both grouped by the set
/// of columns they carry). One statement per row would cost a round trip to
/// SQLite's worker thread each: a page of 5,000 remote edits spent most of its
/// time there.
async fn write(conn: &mut SqliteConnection, outcome: &mut Outcome) -> Result<()> {
    for table in schema::TABLES {
        let mut new_rows: BTreeMap<Vec<&'static str>, Vec<Uuid>> = BTreeMap::new();
        // Changed rows, grouped by the columns they write and the derived
        // columns that follow from them, with the derived values (worked out
        // first: that needs each row's work mutably).
        let mut derived_of: HashMap<Uuid, (&'static [&'static str], Vec<Value>)> = HashMap::new();
        for (t, id) in &outcome.rows {
            if t.name != table.name {
                continue;
            }
            if let Some(w) = outcome.work.get_mut(&(table.name, *id)) {
                if !w.created_here() && !w.writes.is_empty() {
                    derived_of.insert(*id, derive::update_values(table, w));
                }
            }
        }
        type Group<'w> = Vec<(i64, &'w RowWork, Vec<Value>)>;
        let mut changed: BTreeMap<(Vec<&'static str>, &'static [&'static str]), Group<'_>> =
            BTreeMap::new();
        for (t, id) in &outcome.rows {
            if t.name != table.name {
                continue;
            }
            let Some(w) = outcome.work.get(&(table.name, *id)) else {
                continue;
            };
            let columns = w.writes.keys().copied().collect();
            if w.created_here() {
                new_rows.entry(columns).or_default().push(*id);
            } else if let (Some(rid), Some((derived, values))) = (w.rid, derived_of.remove(id)) {
                changed
                    .entry((columns, derived))
                    .or_default()
                    .push((rid, w, values));
            }
        }
        for ((columns, derived), rows) in changed {
            update_rows(conn, table, &columns, derived, &rows).await?;
        }
        for (columns, ids) in new_rows {
            insert_rows(conn, table, &columns, &ids, &mut outcome.work).await?;
        }
    }
    Ok(())
}

/// Updates rows that all change the same `columns` and `derived` columns, and
/// their field clocks, many to a statement: `UPDATE … FROM (VALUES (rid, v1, v2,
/// …, clocks, d1, …), …)`.
async fn update_rows(
    conn: &mut SqliteConnection,
    table: &TableDef,
    columns: &[&'static str],
    derived: &[&'static str],
    rows: &[(i64, &RowWork, Vec<Value>)],
) -> Result<()> {
    let per_row = 2 + columns.len() + derived.len();
    let rows_per_stmt = (30_000 / per_row).clamp(1, CHUNK);
    // Column names come from the registry, never from input; VALUES names its
    // columns column1, column2, …, column1 being the rid.
    let assignments = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = v.column{}", i + 2))
        .chain(std::iter::once(format!(
            "_clocks = v.column{}",
            columns.len() + 2
        )))
        .chain(
            derived
                .iter()
                .enumerate()
                .map(|(i, c)| derive::assignment(table, c, columns.len() + i + 3)),
        )
        .collect::<Vec<_>>()
        .join(", ");
    let texts = chunked::Texts::new(rows.len(), rows_per_stmt, |n| {
        let values = vec![format!("({})", placeholders(per_row)); n].join(", ");
        format!(
            "UPDATE {t} SET {assignments} FROM (VALUES {values}) AS v WHERE {t}.rid = v.column1",
            t = table.name
        )
    });
    chunked::execute(conn, &texts, rows, |q, (rid, w, derived_values)| {
        let q = columns
            .iter()
            .fold(q.bind(*rid), |q, c| bind_value(q, &w.writes[c]))
            .bind(clocks::encode(&w.clocks));
        Ok(derived_values.iter().fold(q, bind_value))
    })
    .await
}

async fn insert_rows(
    conn: &mut SqliteConnection,
    table: &'static TableDef,
    columns: &[&'static str],
    ids: &[Uuid],
    work: &mut HashMap<(&'static str, Uuid), RowWork>,
) -> Result<()> {
    let extra = derive::insert_columns(table);
    let per_row = 4 + columns.len() + extra.len();
    let rows_per_stmt = (30_000 / per_row).clamp(1, CHUNK);
    let column_list: String = columns
        .iter()
        .chain(extra.iter())
        .map(|c| format!(", {c}"))
        .collect();
    for chunk in ids.chunks(rows_per_stmt) {
        let one = format!("({})", placeholders(per_row));
        let values = vec![one; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO {} (id, _hlc, _node, _clocks{column_list}) VALUES {values} \
             RETURNING rid, id",
            table.name
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            let Some(w) = work.get_mut(&(table.name, *id)) else {
                continue;
            };
            let (hlc, node) = if w.row_clock == Stamp::ZERO {
                (0, String::new())
            } else {
                (w.row_clock.hlc.as_i64(), w.row_clock.node.to_string())
            };
            q = q
                .bind(id.to_string())
                .bind(hlc)
                .bind(node)
                .bind(clocks::encode(&w.clocks));
            for c in columns {
                q = bind_value(q, &w.writes[c]);
            }
            for v in derive::insert_values(table, w) {
                q = bind_value(q, &v);
            }
        }
        for r in q.fetch_all(&mut *conn).await? {
            let id = parse_uuid(&r.try_get::<String, _>("id")?)?;
            if let Some(w) = work.get_mut(&(table.name, id)) {
                w.rid = Some(r.try_get("rid")?);
            }
        }
    }
    Ok(())
}

pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
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

fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| CoreError::Corrupt(format!("row id {s:?}: {e}")))
}
