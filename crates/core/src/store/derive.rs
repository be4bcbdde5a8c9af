//! Local columns derived from synced ones: sort keys, the search index, and each
//! user's last-activity clock (the newest clock among the user row's own fields —
//! a value every replica derives alike whatever order changes arrive in; changes
//! to child rows do not count, because a child can arrive before its user). Computed in the write transaction, so they can never
//! drift from the data; never synced, because every replica derives them alike.

use kith_protocol::Value;
use sqlx::{Row, SqliteConnection};

use super::apply::{Outcome, RowWork};
use crate::error::{CoreError, Result};
use crate::schema::{self, TableDef, USERS};
use crate::text::{digits, fold};

/// Columns whose change re-indexes a user.
const SEARCHED: [&str; 6] = [
    "first_name",
    "last_name",
    "email",
    "mobile_phone",
    "home_phone",
    schema::DELETED,
];

/// The searchable forms of one user.
#[derive(PartialEq, Eq)]
pub struct SearchForms {
    pub name_key: String,
    pub last_key: String,
    pub email_key: Option<String>,
    pub email_folded: Option<String>,
    pub phone_digits: String,
}

pub fn search_forms(
    first: Option<&str>,
    last: Option<&str>,
    email: Option<&str>,
    phones: [Option<&str>; 2],
) -> SearchForms {
    let first = first.unwrap_or_default().trim();
    let last = last.unwrap_or_default().trim();
    let name_key = fold(&format!("{first} {last}")).trim().to_owned();
    let phone_digits = phones
        .iter()
        .flatten()
        .map(|p| digits(p))
        .collect::<Vec<_>>()
        .join(" ");
    SearchForms {
        name_key,
        last_key: fold(last),
        email_key: email.map(|e| e.trim().to_lowercase()),
        email_folded: email.map(fold),
        phone_digits,
    }
}

/// Derived columns written with a new row (users only).
pub(super) fn insert_columns(table: &TableDef) -> &'static [&'static str] {
    if table.name == USERS.name {
        REINDEXED
    } else {
        &[]
    }
}

/// A new user's search forms: from what the batch writes alone.
fn forms_of_new(w: &RowWork) -> SearchForms {
    forms_of_source(None, |column| w.writes.get(column))
}

/// The whole clock, not just its milliseconds: unique and ordered, so "last
/// activity" sorts exactly even for edits in the same millisecond.
fn activity(w: &RowWork) -> i64 {
    w.latest.map_or(0, |s| s.hlc.as_i64())
}

pub(super) fn insert_values(table: &TableDef, w: &mut RowWork) -> Vec<Value> {
    if table.name != USERS.name {
        return Vec::new();
    }
    let f = forms_of_new(w);
    keep_forms(w, f)
}

/// The key and activity values of `forms` (in [`REINDEXED`]'s order), keeping the
/// forms for the search entry.
fn keep_forms(w: &mut RowWork, f: SearchForms) -> Vec<Value> {
    let values = vec![
        Value::Text(f.name_key.clone()),
        Value::Text(f.last_key.clone()),
        f.email_key.clone().into(),
        Value::Int(activity(w)),
    ];
    w.forms = Some(f);
    values
}

/// An existing user's searched columns as stored (all `None` for a new one).
#[derive(Default)]
pub struct SearchSource {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    mobile_phone: Option<String>,
    home_phone: Option<String>,
}

/// Columns the merge reads with each existing row, beside its clock, for the
/// derived columns: a user's searched columns.
pub(super) fn load_columns(table: &TableDef) -> &'static str {
    if table.name == USERS.name {
        ", first_name, last_name, email, mobile_phone, home_phone"
    } else {
        ""
    }
}

/// The searched columns of a row read with [`load_columns`].
pub(super) fn search_source(
    table: &TableDef,
    row: &sqlx::sqlite::SqliteRow,
) -> Result<Option<SearchSource>> {
    if table.name != USERS.name {
        return Ok(None);
    }
    let get = |c: &str| row.try_get::<Option<String>, _>(c);
    Ok(Some(SearchSource {
        first_name: get("first_name")?,
        last_name: get("last_name")?,
        email: get("email")?,
        mobile_phone: get("mobile_phone")?,
        home_phone: get("home_phone")?,
    }))
}

/// An existing user's search forms: after the batch (its stored values under the
/// batch's writes), or before it.
fn forms_of_existing(w: &RowWork, after: bool) -> SearchForms {
    forms_of_source(w.search_source.as_ref(), |column| {
        w.writes.get(column).filter(|_| after)
    })
}

/// The search forms of stored searched columns (none when `source` is `None`),
/// each overridden by `written` where it has a value for it.
fn forms_of_source<'a>(
    source: Option<&SearchSource>,
    written: impl Fn(&str) -> Option<&'a Value>,
) -> SearchForms {
    let stored = |column: &str, value: &Option<String>| -> Option<String> {
        match written(column) {
            Some(v) => v.as_str().map(str::to_owned),
            None => value.clone(),
        }
    };
    let none = SearchSource::default();
    let s = source.unwrap_or(&none);
    let (first, last, email, mobile, home) = (
        stored("first_name", &s.first_name),
        stored("last_name", &s.last_name),
        stored("email", &s.email),
        stored("mobile_phone", &s.mobile_phone),
        stored("home_phone", &s.home_phone),
    );
    search_forms(
        first.as_deref(),
        last.as_deref(),
        email.as_deref(),
        [mobile.as_deref(), home.as_deref()],
    )
}

const REINDEXED: &[&str] = &["name_key", "last_key", "email_key", "_activity"];
const ACTIVITY_ONLY: &[&str] = &["_activity"];

/// Derived columns an update of an existing row also sets, and their values: a
/// user's activity always, its keys when a searched column changes (its search
/// forms are kept in `w.forms` for the search index).
pub(super) fn update_values(
    table: &TableDef,
    w: &mut RowWork,
) -> (&'static [&'static str], Vec<Value>) {
    if table.name != USERS.name {
        return (&[], Vec::new());
    }
    if !w.writes.keys().any(|k| SEARCHED.contains(k)) {
        return (ACTIVITY_ONLY, vec![Value::Int(activity(w))]);
    }
    let f = forms_of_existing(w, true);
    let indexed = forms_of_existing(w, false);
    // A searched column written with a value that searches alike (the same value
    // received again, a change of case): the entry stands as it is.
    if !w.writes.contains_key(schema::DELETED) && f == indexed {
        return (ACTIVITY_ONLY, vec![Value::Int(activity(w))]);
    }
    w.indexed = Some(indexed);
    (REINDEXED, keep_forms(w, f))
}

/// The assignment of a derived column in a multi-row UPDATE whose value is the
/// VALUES list's column number `source`.
pub(super) fn assignment(table: &TableDef, column: &str, source: usize) -> String {
    if column == "_activity" {
        // Activity only moves forward: a batch's newest winning stamp may be older
        // than the row's.
        format!(
            "_activity = max({}._activity, v.column{source})",
            table.name
        )
    } else {
        format!("{column} = v.column{source}")
    }
}

fn is_live(w: &RowWork) -> bool {
    !w.writes
        .get(schema::DELETED)
        .and_then(Value::as_bool)
        .unwrap_or(w.before.unwrap_or(false))
}

/// Brings derived columns up to date after a batch was written.
pub(super) async fn after_batch(conn: &mut SqliteConnection, outcome: &mut Outcome) -> Result<()> {
    // The search index's changes: new users' and re-indexed users' entries to
    // add, and re-indexed or deleted users' entries to remove, a removal before
    // the addition for the same user (see `write_fts`).
    let mut entries: Vec<FtsEntry> = Vec::new();
    // Change in the number of live users, kept so the list never counts a million rows.
    let mut live_delta = 0i64;

    for (table, id) in &outcome.rows {
        if table.name != USERS.name {
            continue;
        }
        let Some(w) = outcome.work.get_mut(&(table.name, *id)) else {
            continue;
        };
        let (Some(rid), Some(_)) = (w.rid, w.latest) else {
            continue;
        };
        match w.before {
            None if is_live(w) => {
                live_delta += 1;
                let forms = w.forms.take().unwrap_or_else(|| forms_of_new(w));
                entries.push(FtsEntry::add(rid, forms));
            }
            None => {}
            Some(was_deleted) => {
                let live = is_live(w);
                live_delta += i64::from(live) - i64::from(!was_deleted);
                // Set by `update_values` when a searched column (or the tombstone)
                // was written.
                if let Some(forms) = w.forms.take() {
                    if let Some(indexed) = w.indexed.take().filter(|_| !was_deleted) {
                        entries.push(FtsEntry::remove(rid, indexed));
                    }
                    if live {
                        entries.push(FtsEntry::add(rid, forms));
                    }
                }
            }
        }
    }

    if live_delta != 0 {
        sqlx::query("UPDATE local_counts SET value = value + ? WHERE name = 'live_users'")
            .bind(live_delta)
            .execute(&mut *conn)
            .await?;
    }
    match write_fts(conn, INDEX, entries).await {
        Err(CoreError::Storage(sqlx::Error::Database(e))) if is_corrupt(e.code().as_deref()) => {
            // An entry's text no longer follows from the row: its columns were
            // changed behind the write path's back (a bad disk, a bug, a hand edit).
            // FTS5 does not check a removal's postings, so this is seen only when
            // it would take a column's token count below zero (in a small index);
            // otherwise the stale postings stay until a rebuild (the sync's
            // checksum repair does one). When it is seen, the index is built again
            // from the table as this batch left it, in the same transaction, so the
            // batch still lands instead of failing for good. (A database file that
            // is itself damaged fails the rebuild too, and that error stands.)
            tracing::warn!(error = %e, "the users search index disagreed with the table; rebuilding it");
            rebuild(conn).await
        }
        other => other,
    }
}

/// SQLITE_CORRUPT and its extended code SQLITE_CORRUPT_VTAB, which FTS5 gives
/// when a removal would take its token counts below zero.
fn is_corrupt(code: Option<&str>) -> bool {
    matches!(code, Some("11" | "267"))
}

/// The users search index.
const INDEX: &str = "users_fts";
/// Its definition (as migration 0024's), for an index built beside it to compare.
const INDEX_COLUMNS: &str =
    "name, email, phone, content = '', columnsize = 0, tokenize = 'trigram'";

/// Indexes every live user again: after a migration (re)defined the index.
pub(super) async fn rebuild(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO {INDEX} ({INDEX}) VALUES ('delete-all')"
    ))
    .execute(&mut *conn)
    .await?;
    index_all(conn, INDEX).await
}

/// Adds every live user's entry to `index` (a static name, never input).
async fn index_all(conn: &mut SqliteConnection, index: &'static str) -> Result<()> {
    let sql = format!(
        "SELECT rid{} FROM users WHERE rid > ? AND _deleted = 0 ORDER BY rid LIMIT ?",
        load_columns(&USERS)
    );
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(FTS_ROWS_PER_STATEMENT as i64)
            .fetch_all(&mut *conn)
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.try_get("rid")?;
        let mut entries = Vec::with_capacity(rows.len());
        for r in &rows {
            let source = search_source(&USERS, r)?;
            entries.push(FtsEntry::add(
                r.try_get("rid")?,
                forms_of_source(source.as_ref(), |_| None),
            ));
        }
        write_fts(conn, index, entries).await?;
    }
}

/// How many postings (term, user, column, position) the users search index holds
/// that an index built afresh from the users table would not, and the other way
/// round. Zero unless an entry was removed with other text than it was added
/// with, which would leave a user found by a name they no longer have.
///
/// Run in a transaction that is rolled back: the tables it builds are temporary.
pub(super) async fn index_drift(conn: &mut SqliteConnection) -> Result<i64> {
    let setup = format!(
        "CREATE VIRTUAL TABLE temp.users_fts_fresh USING fts5 ({INDEX_COLUMNS}); \
         CREATE VIRTUAL TABLE temp.users_fts_postings USING fts5vocab (main, {INDEX}, instance); \
         CREATE VIRTUAL TABLE temp.users_fts_fresh_postings USING fts5vocab (temp, users_fts_fresh, instance);"
    );
    sqlx::raw_sql(&setup).execute(&mut *conn).await?;
    index_all(conn, "users_fts_fresh").await?;
    let drift = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM (SELECT term, doc, col, offset FROM users_fts_postings \
           EXCEPT SELECT term, doc, col, offset FROM users_fts_fresh_postings)) \
         + (SELECT count(*) FROM (SELECT term, doc, col, offset FROM users_fts_fresh_postings \
           EXCEPT SELECT term, doc, col, offset FROM users_fts_postings))",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(drift)
}

/// One change to a search index: an entry added, or an entry removed (with the
/// text it was added with).
struct FtsEntry {
    rid: i64,
    remove: bool,
    forms: SearchForms,
}

impl FtsEntry {
    fn add(rid: i64, forms: SearchForms) -> Self {
        Self {
            rid,
            remove: false,
            forms,
        }
    }

    fn remove(rid: i64, forms: SearchForms) -> Self {
        Self {
            rid,
            remove: true,
            forms,
        }
    }
}

/// Search entries per INSERT: as many as the bound-parameter limit allows. FTS5
/// writes its pending entries out as a new segment at the start of every
/// statement, and more segments mean more merging: 400-row statements made the
/// search index a quarter of an import's SQLite time.
const FTS_ROWS_PER_STATEMENT: usize = 8_000;

/// Writes `entries` to `index`, in rowid order, a user's removal before its
/// addition. Within a statement, FTS5 also writes its pending entries out
/// whenever a rowid is not above the one before it (but for an addition right
/// after the same rowid's removal), so removals and additions go in one
/// ascending stream: removing all, then adding all, cost one more segment per
/// batch, and the merging it brings.
async fn write_fts(
    conn: &mut SqliteConnection,
    index: &'static str,
    mut entries: Vec<FtsEntry>,
) -> Result<()> {
    // Stable: a user's removal stays before its addition.
    entries.sort_by_key(|e| e.rid);
    // The index is contentless without per-rowid deletion (migration 0016): an
    // entry is removed with FTS5's 'delete' command and the very text it was
    // indexed with, which cancels its postings when segments merge. A NULL
    // command is a plain insert.
    for chunk in entries.chunks(FTS_ROWS_PER_STATEMENT) {
        let values = chunk
            .iter()
            .map(|e| {
                if e.remove {
                    "('delete', ?, ?, ?, ?)"
                } else {
                    "(NULL, ?, ?, ?, ?)"
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql =
            format!("INSERT INTO {index} ({index}, rowid, name, email, phone) VALUES {values}");
        // A text that mixes removals and additions is rarely seen twice: not
        // kept in the connection's statement cache, where each would hold its
        // compiled program (hundreds of KiB at this size) until evicted.
        let mixed = chunk.iter().any(|e| e.remove);
        let mut q = sqlx::query(&sql).persistent(!mixed);
        for e in chunk {
            q = q
                .bind(e.rid)
                .bind(&e.forms.name_key)
                .bind(e.forms.email_folded.as_deref())
                .bind(&e.forms.phone_digits);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
