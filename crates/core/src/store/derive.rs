//! Local columns derived from synced ones: sort keys, the search index, and each
//! user's last-activity clock (the newest clock among the user row's own fields —
//! a value every replica derives alike whatever order changes arrive in; changes
//! to child rows do not count, because a child can arrive before its user). Computed in the write transaction, so they can never
//! drift from the data; never synced, because every replica derives them alike.

use kith_protocol::Value;
use sqlx::{Row, SqliteConnection};

use super::apply::{Outcome, RowWork, CHUNK};
use crate::error::Result;
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
        &["name_key", "last_key", "email_key", "_activity"]
    } else {
        &[]
    }
}

fn text<'a>(w: &'a RowWork, column: &str) -> Option<&'a str> {
    w.writes.get(column).and_then(Value::as_str)
}

fn forms_of_new(w: &RowWork) -> SearchForms {
    search_forms(
        text(w, "first_name"),
        text(w, "last_name"),
        text(w, "email"),
        [text(w, "mobile_phone"), text(w, "home_phone")],
    )
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
    let values = vec![
        Value::Text(f.name_key.clone()),
        Value::Text(f.last_key.clone()),
        f.email_key.clone().into(),
        Value::Int(activity(w)),
    ];
    w.forms = Some(f);
    values
}

fn is_live(w: &RowWork) -> bool {
    !w.writes
        .get(schema::DELETED)
        .and_then(Value::as_bool)
        .unwrap_or(w.before.unwrap_or(false))
}

/// Brings derived columns up to date after a batch was written.
pub(super) async fn after_batch(conn: &mut SqliteConnection, outcome: &mut Outcome) -> Result<()> {
    let mut new_fts: Vec<(i64, SearchForms)> = Vec::new();
    let mut reindex: Vec<(i64, bool)> = Vec::new();
    let mut user_activity: Vec<(i64, i64)> = Vec::new();
    // Change in the number of live users, kept so the list never counts a million rows.
    let mut live_delta = 0i64;

    for (table, id) in &outcome.rows {
        let Some(w) = outcome.work.get_mut(&(table.name, *id)) else {
            continue;
        };
        let (Some(rid), Some(_)) = (w.rid, w.latest) else {
            continue;
        };
        if table.name != USERS.name {
            continue;
        }
        {
            match w.before {
                None if is_live(w) => {
                    live_delta += 1;
                    let forms = w.forms.take().unwrap_or_else(|| forms_of_new(w));
                    new_fts.push((rid, forms));
                }
                None => {}
                Some(was_deleted) => {
                    live_delta += i64::from(is_live(w)) - i64::from(!was_deleted);
                    if w.writes.keys().any(|k| SEARCHED.contains(k)) {
                        reindex.push((rid, !was_deleted));
                    }
                    user_activity.push((rid, activity(w)));
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
    insert_fts(conn, &new_fts).await?;
    for (rid, was_live) in reindex {
        reindex_user(conn, rid, was_live).await?;
    }
    for chunk in user_activity.chunks(CHUNK) {
        let values = vec!["(?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "UPDATE users SET _activity = max(users._activity, v.column2) \
             FROM (VALUES {values}) AS v WHERE users.rid = v.column1"
        );
        let mut q = sqlx::query(&sql);
        for (rid, at) in chunk {
            q = q.bind(rid).bind(at);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Search entries per INSERT: as many as the bound-parameter limit allows. FTS5
/// writes its pending entries out as a new segment at the start of every
/// statement, and more segments mean more merging: 400-row statements made the
/// search index a quarter of an import's SQLite time.
const FTS_ROWS_PER_STATEMENT: usize = 8_000;

async fn insert_fts(conn: &mut SqliteConnection, rows: &[(i64, SearchForms)]) -> Result<()> {
    for chunk in rows.chunks(FTS_ROWS_PER_STATEMENT) {
        let values = vec!["(?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!("INSERT INTO users_fts (rowid, name, email, phone) VALUES {values}");
        let mut q = sqlx::query(&sql);
        for (rid, f) in chunk {
            q = q
                .bind(rid)
                .bind(&f.name_key)
                .bind(f.email_folded.as_deref())
                .bind(&f.phone_digits);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Recomputes an existing user's keys and search entry from the row as stored.
async fn reindex_user(conn: &mut SqliteConnection, rid: i64, was_live: bool) -> Result<()> {
    let r = sqlx::query(
        "SELECT first_name, last_name, email, mobile_phone, home_phone, _deleted FROM users WHERE rid = ?",
    )
    .bind(rid)
    .fetch_one(&mut *conn)
    .await?;
    let get = |c: &str| r.try_get::<Option<String>, _>(c);
    let (first, last, email, mobile, home) = (
        get("first_name")?,
        get("last_name")?,
        get("email")?,
        get("mobile_phone")?,
        get("home_phone")?,
    );
    let deleted: bool = r.try_get("_deleted")?;
    let f = search_forms(
        first.as_deref(),
        last.as_deref(),
        email.as_deref(),
        [mobile.as_deref(), home.as_deref()],
    );
    sqlx::query("UPDATE users SET name_key = ?, last_key = ?, email_key = ? WHERE rid = ?")
        .bind(&f.name_key)
        .bind(&f.last_key)
        .bind(&f.email_key)
        .bind(rid)
        .execute(&mut *conn)
        .await?;
    if was_live {
        sqlx::query("DELETE FROM users_fts WHERE rowid = ?")
            .bind(rid)
            .execute(&mut *conn)
            .await?;
    }
    if !deleted {
        insert_fts(conn, &[(rid, f)]).await?;
    }
    Ok(())
}
