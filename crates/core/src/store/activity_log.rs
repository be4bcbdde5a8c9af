//! The activity log: what each applied change did to a user's record, one row per
//! field whose value changed, with the value before and after (table `activity`).
//!
//! It is written inside [`super::apply::apply_batch`], in the transaction of the
//! change, for local edits, imports and merged remote changes alike: the history is
//! a by-product of the one write path and cannot drift from the data. Rows a batch
//! creates are not logged — they carry their own time and author, and an import of a
//! million new users must not write a million log rows — except custom values, whose
//! first setting is a field change like any other.

use std::collections::{HashMap, HashSet};

use kith_protocol::{Stamp, Value};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use super::apply::{placeholders, Outcome, RowWork, CHUNK};
use super::chunked;
use crate::error::Result;
use crate::schema::{TableDef, DELETED};

/// A table whose changes the history shows, and the columns it shows.
struct Tracked {
    table: &'static str,
    /// The column naming the user; `None` when the row is the user.
    user_column: Option<&'static str>,
    columns: &'static [&'static str],
    /// The column that names the field a row's value is for (a custom value's
    /// field, an image's role); `None`: the changed column is the field.
    field_column: Option<&'static str>,
    /// Whether a row's creation is a change of a field (a custom value set for the
    /// first time) rather than a record of its own.
    log_created: bool,
}

const TRACKED: &[Tracked] = &[
    Tracked {
        table: "users",
        user_column: None,
        columns: &[
            "first_name",
            "last_name",
            "email",
            "mobile_phone",
            "home_phone",
            "app_user_id",
            "stripe_customer_id",
            "location_id",
            "generated_password",
        ],
        field_column: None,
        log_created: false,
    },
    Tracked {
        table: "user_field_values",
        user_column: Some("user_id"),
        columns: &["value"],
        field_column: Some("field_id"),
        log_created: true,
    },
    Tracked {
        table: "user_images",
        user_column: Some("user_id"),
        columns: &["attachment_id"],
        field_column: Some("role"),
        log_created: true,
    },
    Tracked {
        table: "notes",
        user_column: Some("user_id"),
        columns: &["body", "pinned"],
        field_column: None,
        log_created: false,
    },
    Tracked {
        table: "tasks",
        user_column: Some("user_id"),
        columns: &[
            "title",
            "description",
            "assignee_id",
            "due_date",
            "due_time",
            "priority",
            "status_id",
            "category_id",
        ],
        field_column: None,
        log_created: false,
    },
    Tracked {
        table: "attachments",
        user_column: Some("user_id"),
        columns: &["name"],
        field_column: None,
        log_created: false,
    },
];

/// Columns whose values never go into the log, only the fact that they changed.
const SECRET: &[&str] = &["generated_password"];
/// Stands for a secret's value in the log.
const MASK: &str = "•";
/// Columns whose values are kept elsewhere: a note's earlier texts are its
/// versions (note_versions), so the log only says the text changed rather than
/// holding up to 100 KB twice per edit.
const VALUES_ELSEWHERE: &[&str] = &["body"];

fn tracked(table: &str) -> Option<&'static Tracked> {
    TRACKED.iter().find(|t| t.table == table)
}

/// The columns of a tracked table whose values the log reads before a batch:
/// those it shows, the user's and the field's.
fn logged_columns(t: &Tracked) -> impl Iterator<Item = &'static str> {
    t.columns
        .iter()
        .copied()
        .chain(t.user_column)
        .chain(t.field_column)
}

/// The positions, in [`logged_columns`], of the columns the merge reads with
/// each existing row of a batch: those the batch's changes name (a value it
/// writes or that loses needs the value before) and the user's and the field's.
/// Reading all nine of a user's logged columns for an edit of two cost each row
/// as many more values copied out of SQLite.
pub(super) fn read_positions(table: &TableDef, named: &HashSet<&str>) -> Vec<usize> {
    let Some(t) = tracked(table.name) else {
        return Vec::new();
    };
    let always = [t.user_column, t.field_column];
    logged_columns(t)
        .enumerate()
        .filter(|(_, c)| named.contains(c) || always.contains(&Some(*c)))
        .map(|(i, _)| i)
        .collect()
}

/// Columns the merge reads with each existing row, beside its clock, so the log
/// has the values the batch changes from without reading the rows again: the
/// logged columns at `positions` (see [`read_positions`]) as text, named `_log0`,
/// `_log1`, … (a searched column may be read under its own name too), last in the
/// select list (see [`logged_values`]). Table and column names are static, never
/// input.
pub(super) fn load_columns(table: &TableDef, positions: &[usize]) -> String {
    let Some(t) = tracked(table.name) else {
        return String::new();
    };
    logged_columns(t)
        .enumerate()
        .filter(|(i, _)| positions.contains(i))
        .map(|(i, c)| format!(", CAST({c} AS TEXT) AS _log{i}"))
        .collect()
}

/// The values of a row read with [`load_columns`] last in its select list, in
/// [`logged_columns`]' order; `None` for a column not read.
pub(super) fn logged_values(
    table: &TableDef,
    positions: &[usize],
    row: &SqliteRow,
) -> Result<Vec<Option<String>>> {
    let Some(t) = tracked(table.name) else {
        return Ok(Vec::new());
    };
    let mut values = vec![None; logged_columns(t).count()];
    // Read by position: they are the select list's last columns.
    let first = row.len().saturating_sub(positions.len());
    for (k, &i) in positions.iter().enumerate() {
        values[i] = row.try_get::<Option<String>, _>(first + k)?;
    }
    Ok(values)
}

/// One log row.
struct Entry {
    user_id: Uuid,
    stamp: Stamp,
    kind: &'static str,
    table: &'static str,
    /// `None` when the row is the user's own record (migration 0019).
    row: Option<Uuid>,
    field: Option<String>,
    old: Option<String>,
    new: Option<String>,
}

/// Writes the log rows for what the batch changed.
pub(super) async fn after_batch(
    conn: &mut SqliteConnection,
    outcome: &Outcome,
    origin: &str,
) -> Result<()> {
    let mut entries = Vec::new();
    for (table, id) in &outcome.rows {
        let Some(t) = tracked(table.name) else {
            continue;
        };
        let Some(w) = outcome.work.get(&(table.name, *id)) else {
            continue;
        };
        if (w.writes.is_empty() && w.lost.is_empty()) || (w.created_here() && !t.log_created) {
            continue;
        }
        entries_for_row(t, *id, w, &mut entries);
    }
    let entries = without_logged_losers(conn, entries).await?;
    if entries.is_empty() {
        return Ok(());
    }
    let staff = staff_of_devices(conn, &entries).await?;
    let texts = chunked::Texts::new(entries.len(), CHUNK, |n| {
        format!(
            "INSERT INTO activity (user_id, at, node, staff_id, origin, kind, tbl, row, field, old, new) \
             VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; n].join(", ")
        )
    });
    chunked::execute(conn, &texts, &entries, |q, e| {
        Ok(q.bind(&e.user_id.as_bytes()[..])
            .bind(e.stamp.hlc.millis() as i64)
            .bind(&e.stamp.node.0.as_bytes()[..])
            .bind(staff.get(&e.stamp.node.0).map(String::as_str))
            .bind(origin)
            .bind(e.kind)
            .bind(e.table)
            .bind(e.row.map(|r| r.to_string()))
            .bind(e.field.as_deref())
            .bind(e.old.as_deref())
            .bind(e.new.as_deref()))
    })
    .await
}

fn entries_for_row(t: &Tracked, id: Uuid, w: &RowWork, out: &mut Vec<Entry>) {
    // Rows the batch creates were not read: they had no values.
    let old_value = |c: &str| {
        logged_columns(t)
            .position(|l| l == c)
            .and_then(|i| w.logged.get(i).cloned())
            .flatten()
    };
    let current = |c: &str| match w.writes.get(c) {
        Some(v) => as_text(v),
        None => old_value(c),
    };
    // The field a column's value is for: a custom value's field id, an image's role,
    // or the column itself.
    let field_of = |column: &str| match t.field_column {
        Some(c) => current(c),
        None => Some(column.to_owned()),
    };
    // The user the row belongs to; a row of no user (or, impossibly, of a value
    // the registry would not have let through as a UUID) has no history to join.
    let (user_id, row) = match t.user_column {
        None => (Some(id), None),
        Some(c) => (current(c).and_then(|u| Uuid::parse_str(&u).ok()), Some(id)),
    };
    let Some(user_id) = user_id else {
        return;
    };
    let stamp_of = |c: &str| w.clocks.get(c).copied().or(w.latest).unwrap_or(w.row_clock);
    if let Some(deleted) = w.writes.get(DELETED) {
        let now = matches!(deleted, Value::Bool(true)) || matches!(deleted, Value::Int(1));
        if w.before.is_some_and(|was| was != now) {
            out.push(Entry {
                user_id,
                stamp: stamp_of(DELETED),
                kind: if now { "deleted" } else { "restored" },
                table: t.table,
                row,
                field: None,
                old: None,
                new: None,
            });
        }
    }
    for column in t.columns {
        let Some(value) = w.writes.get(column) else {
            continue;
        };
        let (was, is) = (old_value(column), as_text(value));
        if was == is {
            continue;
        }
        let field = field_of(column);
        out.push(Entry {
            user_id,
            stamp: stamp_of(column),
            kind: "changed",
            table: t.table,
            row,
            field,
            old: shown(column, was),
            new: shown(column, is),
        });
    }
    // A value that lost to a later edit: `old` is the value that lost, `new` the
    // one that stands.
    for (column, stamp, value) in &w.lost {
        if !t.columns.contains(column) {
            continue;
        }
        let (lost, standing) = (as_text(value), current(column));
        if lost == standing {
            continue;
        }
        let field = field_of(column);
        out.push(Entry {
            user_id,
            stamp: *stamp,
            kind: SUPERSEDED,
            table: t.table,
            row,
            field,
            old: shown(column, lost),
            new: shown(column, standing),
        });
    }
}

/// Log kind of a value that arrived after a later edit of its field and lost.
const SUPERSEDED: &str = "superseded";

/// A value as the log may keep it: secrets masked, values kept elsewhere left out.
fn shown(column: &str, v: Option<String>) -> Option<String> {
    if VALUES_ELSEWHERE.contains(&column) {
        None
    } else if SECRET.contains(&column) {
        v.map(|_| MASK.to_owned())
    } else {
        v
    }
}

/// Drops the losers already logged: the same remote change may be received again
/// (a pull repeated after a crash), and a loser is logged once. Winners need no
/// such check, as a change received again wins nothing.
async fn without_logged_losers(
    conn: &mut SqliteConnection,
    entries: Vec<Entry>,
) -> Result<Vec<Entry>> {
    let mut kept = Vec::with_capacity(entries.len());
    for e in entries {
        if e.kind == SUPERSEDED {
            let logged: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM activity WHERE user_id = ? AND at = ? AND node = ? \
                 AND kind = ? AND tbl = ? AND row IS ? AND field IS ?",
            )
            .bind(&e.user_id.as_bytes()[..])
            .bind(e.stamp.hlc.millis() as i64)
            .bind(&e.stamp.node.0.as_bytes()[..])
            .bind(SUPERSEDED)
            .bind(e.table)
            .bind(e.row.map(|r| r.to_string()))
            .bind(e.field.as_deref())
            .fetch_optional(&mut *conn)
            .await?;
            if logged.is_some() {
                continue;
            }
        }
        kept.push(e);
    }
    Ok(kept)
}

/// A value as the log stores it: what `CAST(column AS TEXT)` reads back.
fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        Value::Int(i) => Some(i.to_string()),
        Value::Text(s) => Some(s.clone()),
    }
}

/// Who used each device that made these changes, as far as the devices table says.
async fn staff_of_devices(
    conn: &mut SqliteConnection,
    entries: &[Entry],
) -> Result<HashMap<Uuid, String>> {
    let mut nodes: Vec<String> = entries.iter().map(|e| e.stamp.node.to_string()).collect();
    nodes.sort();
    nodes.dedup();
    let mut staff = HashMap::new();
    for chunk in nodes.chunks(CHUNK) {
        let sql = format!(
            "SELECT id, staff_id FROM devices WHERE _deleted = 0 AND staff_id IS NOT NULL \
             AND id IN ({})",
            placeholders(chunk.len())
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for n in chunk {
            q = q.bind(n);
        }
        for (id, staff_id) in q.fetch_all(&mut *conn).await? {
            if let Ok(id) = Uuid::parse_str(&id) {
                staff.insert(id, staff_id);
            }
        }
    }
    Ok(staff)
}
