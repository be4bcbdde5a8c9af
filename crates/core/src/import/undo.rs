//! Undoing an import: the users it created go to the trash; the users it updated
//! get back the values they had before it, but for values someone has changed
//! since, which stay; then the teams and custom fields it created go, unless
//! someone uses them.
//!
//! The import keeps a record per user it created or updated
//! (`import_batch_rows`): for an update, the fields it changed with their values
//! before, keyed as this module names them ([`custom_key`], [`added_key`],
//! [`AVATAR_KEY`], or the user's own column). It also keeps the range of clocks
//! its own writes carry (migration 0022): a value still stamped with one of them
//! is the import's, anything stamped later is someone's since.

use std::collections::HashMap;

use kith_protocol::{Hlc, NodeId, Stamp, Value};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use ts_rs::TS;
use uuid::Uuid;

use super::run::{undo_map, Progress, RunError, CHUNK as RECORDS_PER_COMMIT};
use crate::error::CoreError;
use crate::files::{user_image_edit, ImageRole};
use crate::schema::{
    TableDef, ATTACHMENTS, CUSTOM_FIELDS, TEAMS, USERS, USER_ADDRESSES, USER_TEAMS,
};
use crate::store::clocks::{row_stamps, RowStamps};
use crate::store::{placeholders, system_ms, Bulk, Edit, Store, CHUNK as ROWS_PER_STATEMENT};
use crate::users::custom_value_edit;

/// An update's undo record names a custom field's previous value under this
/// prefix + the field's id.
const CUSTOM_PREFIX: &str = "custom:";
/// An update's undo record names a row the update added (an address, a team
/// membership, a photo's file) under this prefix + its table + ":" + its id:
/// undoing deletes it.
const ADDED_PREFIX: &str = "added:";
/// The child tables an update adds rows to, as [`ADDED_PREFIX`] keys name them.
const ADDED_TABLES: [&TableDef; 3] = [&USER_ADDRESSES, &USER_TEAMS, &ATTACHMENTS];
/// An update's undo record names the avatar it replaced (its attachment id, or
/// null) under this key.
pub(super) const AVATAR_KEY: &str = "image:avatar";

/// The undo record's key for a custom field's previous value.
pub(super) fn custom_key(field: Uuid) -> String {
    format!("{CUSTOM_PREFIX}{field}")
}

/// The undo record's key for a row an update added.
pub(super) fn added_key(table: &TableDef, id: Uuid) -> String {
    format!("{ADDED_PREFIX}{}:{id}", table.name)
}

/// The row an [`added_key`] (its prefix taken off) names.
fn added_row(key: &str) -> Result<(&'static TableDef, Uuid), RunError> {
    let corrupt = || RunError::from(CoreError::Corrupt(format!("undo record: {key}")));
    let (table, id) = key.split_once(':').ok_or_else(corrupt)?;
    let table = ADDED_TABLES
        .into_iter()
        .find(|t| t.name == table)
        .ok_or_else(corrupt)?;
    Ok((table, Uuid::parse_str(id).map_err(|_| corrupt())?))
}

/// What undoing an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export, rename = "ImportUndoReport")]
pub struct UndoReport {
    pub batch_id: Uuid,
    /// Users the import created, now in the trash.
    #[ts(type = "number")]
    pub removed: u64,
    /// Users the import updated with some of their previous values back (and
    /// without the addresses and team memberships it added).
    #[ts(type = "number")]
    pub reverted: u64,
    /// Values the import set that someone has changed since (a field, a custom
    /// value, the photo, or an address or membership it added), left as they are.
    #[ts(type = "number")]
    pub kept: u64,
    /// Teams the import created that no user is in any more, removed.
    #[ts(type = "number")]
    pub teams_removed: u64,
    /// Custom fields the import created that no user has a value in any more,
    /// moved to the trash of Settings → Custom fields.
    #[ts(type = "number")]
    pub fields_removed: u64,
    /// Users the import created that were in the trash already (or gone), left
    /// as they were: an import undone long after may find some deleted since.
    #[ts(type = "number")]
    pub already_deleted: u64,
}

/// The clocks an import's own writes carry: this device's, in `(from, to]`.
struct ImportClocks {
    node: NodeId,
    from: Hlc,
    to: Hlc,
}

impl ImportClocks {
    /// Whether what `stamp` wrote came after the import began and not from it:
    /// someone's change since, or one made elsewhere meanwhile that won.
    fn changed_since(&self, stamp: Stamp) -> bool {
        let imported = stamp.node == self.node && stamp.hlc > self.from && stamp.hlc <= self.to;
        stamp.hlc > self.from && !imported
    }
}

/// Reverts an import (see the module's comment). One transaction; its records
/// are read a chunk at a time, so memory does not grow with the import, and
/// `progress` hears after each chunk how many of its users are done.
pub async fn undo(
    store: &Store,
    batch: Uuid,
    mut progress: impl FnMut(Progress),
) -> Result<UndoReport, RunError> {
    let mut bulk = store.bulk().await?;
    bulk.set_origin(format!("undo:{batch}"));
    // The batch keeps one undo record per user it created or updated, so its
    // counts are the number of records to go through.
    type Found = (Option<i64>, i64, Option<i64>, Option<i64>);
    let found: Option<Found> = sqlx::query_as(
        "SELECT undone_at, created + updated, hlc_from, hlc_to FROM import_batches WHERE id = ?",
    )
    .bind(batch.to_string())
    .fetch_optional(bulk.conn())
    .await?;
    let (total, clocks) = match found {
        None => return Err(RunError::NoBatch(batch)),
        Some((Some(_), ..)) => return Err(RunError::AlreadyUndone(batch)),
        Some((None, total, from, to)) => (
            total,
            from.zip(to).map(|(from, to)| ImportClocks {
                node: store.node(),
                from: Hlc::from_i64(from),
                to: Hlc::from_i64(to),
            }),
        ),
    };
    let now = system_ms() as i64;
    let mut report = UndoReport {
        batch_id: batch,
        ..UndoReport::default()
    };
    let mut done: u64 = 0;
    // The records in key order, a chunk after the last user of the one before:
    // undoing writes users, never these records, so the order holds throughout.
    let mut after = String::new();
    loop {
        let rows = sqlx::query(
            "SELECT r.user_id, r.action, r.before, r.after, coalesce(u._deleted, 1) AS deleted \
             FROM import_batch_rows r LEFT JOIN users u ON u.id = r.user_id \
             WHERE r.batch = ? AND r.user_id > ? ORDER BY r.user_id LIMIT ?",
        )
        .bind(batch.to_string())
        .bind(&after)
        .bind(RECORDS_PER_COMMIT as i64)
        .fetch_all(bulk.conn())
        .await?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.try_get("user_id")?;
        let records = rows
            .iter()
            .map(Record::read)
            .collect::<Result<Vec<_>, _>>()?;
        let now_rows = RowsNow::load(&mut bulk, &records).await?;
        let mut edits = Vec::new();
        for record in records {
            record.undo(clocks.as_ref(), &now_rows, now, &mut edits, &mut report);
        }
        bulk.commit(edits).await?;
        done += rows.len() as u64;
        progress(Progress {
            rows: done,
            fraction: (done as f64 / total.max(1) as f64).min(1.0),
        });
    }
    remove_unused_created(&mut bulk, batch, &mut report).await?;
    sqlx::query("UPDATE import_batches SET undone_at = ? WHERE id = ?")
        .bind(now)
        .bind(batch.to_string())
        .execute(bulk.conn())
        .await?;
    bulk.finish().await?;
    Ok(report)
}

/// One undo record, read.
enum Record {
    Created { user: Uuid, deleted: bool },
    Updated { user: Uuid, restores: Vec<Restore> },
}

/// One thing an update's undo puts back.
enum Restore {
    /// A column of the user's own row, to its value before; with the value the
    /// import set, when its record kept it.
    Column(&'static str, Value, Option<Value>),
    /// A row the import added: it goes.
    Added(&'static TableDef, Uuid),
    /// Another row's value before (a custom value, the avatar): this edit sets
    /// it back; `column` holds the value, and `after` what the import set in it.
    Row {
        edit: Edit,
        column: &'static str,
        after: Option<Value>,
    },
}

impl Restore {
    /// The row whose state tells whether this was changed since the import.
    fn row(&self, user: Uuid) -> (&'static TableDef, Uuid) {
        match self {
            Restore::Column(..) => (&USERS, user),
            Restore::Added(table, row) => (table, *row),
            Restore::Row { edit, .. } => (edit.table, edit.row),
        }
    }

    /// The column whose value is compared with what the import set.
    fn column(&self) -> Option<&'static str> {
        match self {
            Restore::Column(column, ..) | Restore::Row { column, .. } => Some(column),
            Restore::Added(..) => None,
        }
    }

    /// Whether someone changed this since the import, so the undo leaves it.
    /// A value is the import's while it holds what the import set: one put back
    /// by undoing a later import is the import's again. An added row is the
    /// import's while no column carries a later clock than the import's own
    /// (`clocks`; without them, from before imports kept them, it always is).
    fn changed_since(&self, row: Option<&RowNow>, clocks: Option<&ImportClocks>) -> bool {
        let (column, after) = match self {
            Restore::Column(column, _, after) | Restore::Row { column, after, .. } => {
                (*column, after)
            }
            Restore::Added(table, _) => {
                return match (row, clocks) {
                    (Some(row), Some(clocks)) => {
                        row.stamps.columns(table).any(|s| clocks.changed_since(s))
                    }
                    _ => false,
                };
            }
        };
        // Records from before imports kept what they set: revert.
        let Some(after) = after else { return false };
        let now = row.and_then(|r| r.value(column));
        now != after.as_str()
    }
}

impl Record {
    fn read(r: &SqliteRow) -> Result<Record, RunError> {
        let user: String = r.try_get("user_id")?;
        let action: String = r.try_get("action")?;
        let user = crate::ids::parse_id(&user)?;
        if action == "created" {
            return Ok(Record::Created {
                user,
                deleted: r.try_get("deleted")?,
            });
        }
        let mut after = undo_map(r, "after")?;
        let before = undo_map(r, "before")?;
        let mut restores = Vec::with_capacity(before.len());
        for (key, value) in before {
            let set = after.remove(&key);
            // A later row of the file put it back as it was: nothing to undo.
            if set.as_ref() == Some(&value) {
                continue;
            }
            let restore = if let Some(added) = key.strip_prefix(ADDED_PREFIX) {
                let (table, row) = added_row(added)?;
                Restore::Added(table, row)
            } else if key == AVATAR_KEY {
                let prior = value.as_str().map(crate::ids::parse_id).transpose()?;
                Restore::Row {
                    edit: user_image_edit(user, ImageRole::Avatar, prior),
                    column: "attachment_id",
                    after: set,
                }
            } else if let Some(field) = key.strip_prefix(CUSTOM_PREFIX) {
                let field = crate::ids::parse_id(field)?;
                let value = value.as_str().map(str::to_owned);
                Restore::Row {
                    edit: custom_value_edit(user, field, value),
                    column: "value",
                    after: set,
                }
            } else {
                // A registry name: it is read from the database by name.
                let (column, _, _) = USERS.column(&key).map_err(CoreError::from)?;
                Restore::Column(column, value, set)
            };
            restores.push(restore);
        }
        Ok(Record::Updated { user, restores })
    }

    /// Adds the edits that revert this record to `edits`, counted in `report`;
    /// `rows` holds the rows it restores as they stand, and what someone has
    /// changed since the import stays (see [`Restore::changed_since`]).
    fn undo(
        self,
        clocks: Option<&ImportClocks>,
        rows: &RowsNow,
        now: i64,
        edits: &mut Vec<Edit>,
        report: &mut UndoReport,
    ) {
        let (user, restores) = match self {
            // Deleted since: already in the trash, with the time it went there.
            Record::Created { deleted: true, .. } => {
                report.already_deleted += 1;
                return;
            }
            Record::Created { user, .. } => {
                edits.push(Edit::tombstone(&USERS, user, true).set("deleted_at", now));
                report.removed += 1;
                return;
            }
            Record::Updated { user, restores } => (user, restores),
        };
        let mut own = Edit::new(&USERS, user);
        let mut others = Vec::new();
        // The photo an import added goes with its avatar choice: an avatar kept
        // because it changed since names another picture, never that one.
        for restore in &restores {
            let row = rows.of(restore.row(user));
            if matches!(restore, Restore::Added(..)) && row.is_some_and(|r| r.stamps.deleted) {
                continue; // Removed since: nothing left to undo.
            }
            if restore.changed_since(row, clocks) {
                report.kept += 1;
                continue;
            }
            match restore {
                Restore::Column(column, value, _) => {
                    own.fields.insert((*column).to_owned(), value.clone());
                }
                Restore::Added(table, id) => others.push(Edit::tombstone(table, *id, true)),
                Restore::Row { edit, .. } => others.push(edit.clone()),
            }
        }
        if own.fields.is_empty() && others.is_empty() {
            return;
        }
        if !own.fields.is_empty() {
            edits.push(own);
        }
        edits.append(&mut others);
        report.reverted += 1;
    }
}

/// A row a chunk of undo records restores, as it stands: its clocks, and the
/// values of the columns those records compare.
struct RowNow {
    stamps: RowStamps,
    values: HashMap<&'static str, Option<String>>,
}

impl RowNow {
    /// The value in `column` (a user in the trash keeps theirs, for a restore).
    fn value(&self, column: &str) -> Option<&str> {
        self.values.get(column).and_then(|v| v.as_deref())
    }
}

/// The rows a chunk of undo records restores, as they stand.
#[derive(Default)]
struct RowsNow(HashMap<(&'static str, Uuid), RowNow>);

impl RowsNow {
    async fn load(bulk: &mut Bulk<'_>, records: &[Record]) -> Result<RowsNow, RunError> {
        type Wanted = (&'static TableDef, Vec<Uuid>, Vec<&'static str>);
        let mut wanted: HashMap<&'static str, Wanted> = HashMap::new();
        for record in records {
            let Record::Updated { user, restores } = record else {
                continue;
            };
            for restore in restores {
                let (table, row) = restore.row(*user);
                let entry = wanted
                    .entry(table.name)
                    .or_insert((table, Vec::new(), Vec::new()));
                entry.1.push(row);
                if let Some(column) = restore.column() {
                    if !entry.2.contains(&column) {
                        entry.2.push(column);
                    }
                }
            }
        }
        let mut out = HashMap::new();
        for (table, mut rows, columns) in wanted.into_values() {
            rows.sort_unstable();
            rows.dedup();
            for (row, (stamps, values)) in row_stamps(bulk.conn(), table, &rows, &columns).await? {
                let values = columns.iter().copied().zip(values).collect();
                out.insert((table.name, row), RowNow { stamps, values });
            }
        }
        Ok(RowsNow(out))
    }

    fn of(&self, (table, row): (&'static TableDef, Uuid)) -> Option<&RowNow> {
        self.0.get(&(table.name, row))
    }
}

/// Removes the teams and custom fields the import created that, its users now
/// undone, no user in the list uses: a team nobody is in, a field nobody has a
/// value in. Users in the trash do not count (their memberships and values are
/// kept for a restore, which brings a removed team back; a field waits in the
/// trash of Settings → Custom fields). What someone has used since the import
/// stays.
async fn remove_unused_created(
    bulk: &mut Bulk<'_>,
    batch: Uuid,
    report: &mut UndoReport,
) -> Result<(), RunError> {
    let created: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.tbl, c.row FROM import_batch_created c \
         LEFT JOIN teams t ON c.tbl = 'teams' AND t.id = c.row \
         LEFT JOIN custom_fields f ON c.tbl = 'custom_fields' AND f.id = c.row \
         WHERE c.batch = ? AND coalesce(t._deleted, f._deleted) = 0",
    )
    .bind(batch.to_string())
    .fetch_all(bulk.conn())
    .await?;
    if created.is_empty() {
        return Ok(());
    }
    // One pass over each table's rows for all the import's teams (fields)
    // together: user_field_values has no index by field.
    let ids_of = |table: &TableDef| -> Vec<&str> {
        created
            .iter()
            .filter(|(t, _)| t == table.name)
            .map(|(_, id)| id.as_str())
            .collect()
    };
    let teams = ids_of(&TEAMS);
    let fields = ids_of(&CUSTOM_FIELDS);
    let mut used: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (ids, sql) in [
        (
            &teams,
            "SELECT DISTINCT m.team_id FROM user_teams m JOIN users u ON u.id = m.user_id \
             WHERE m._deleted = 0 AND u._deleted = 0 AND m.team_id IN",
        ),
        (
            &fields,
            "SELECT DISTINCT v.field_id FROM user_field_values v JOIN users u ON u.id = v.user_id \
             WHERE v._deleted = 0 AND v.value IS NOT NULL AND u._deleted = 0 AND v.field_id IN",
        ),
    ] {
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let sql = format!("{sql} ({})", placeholders(chunk.len()));
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            used.extend(q.fetch_all(bulk.conn()).await?);
        }
    }
    let mut edits = Vec::new();
    for (table, ids, removed) in [
        (&TEAMS, &teams, &mut report.teams_removed),
        (&CUSTOM_FIELDS, &fields, &mut report.fields_removed),
    ] {
        for id in ids.iter().filter(|id| !used.contains(**id)) {
            let id = crate::ids::parse_id(id)?;
            edits.push(Edit::tombstone(table, id, true));
            *removed += 1;
        }
    }
    if !edits.is_empty() {
        bulk.commit(edits).await?;
    }
    Ok(())
}
