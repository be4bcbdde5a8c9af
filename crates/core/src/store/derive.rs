//! Local columns derived from synced ones: sort keys, the search index, and each
//! user's last-activity clock. Computed in the write transaction, so they can never
//! drift from the data; never synced, because every replica derives them alike.

use kith_protocol::Change;
use sqlx::SqliteConnection;

use crate::error::Result;
use crate::schema::{TableDef, USERS};
use crate::text::{digits, fold};

const SEARCHED: [&str; 6] = [
    "first_name",
    "last_name",
    "email",
    "mobile_phone",
    "home_phone",
    crate::schema::DELETED,
];

/// Runs after `change` wrote row `rid` of `table`. `was_deleted` is the row's
/// tombstone before the write, or `None` when the write created the row.
pub(super) async fn after_write(
    conn: &mut SqliteConnection,
    table: &TableDef,
    rid: i64,
    change: &Change,
    was_deleted: Option<bool>,
) -> Result<()> {
    let activity = change.hlc.millis() as i64;
    if table.name == USERS.name {
        if change.fields.keys().any(|k| SEARCHED.contains(&k.as_str())) {
            reindex_user(conn, rid, was_deleted).await?;
        }
        sqlx::query("UPDATE users SET _activity = max(_activity, ?) WHERE rid = ?")
            .bind(activity)
            .bind(rid)
            .execute(&mut *conn)
            .await?;
    } else if let Some(user_column) = table.user_column() {
        let sql = format!(
            "UPDATE users SET _activity = max(_activity, ?)
             WHERE id = (SELECT {user_column} FROM {} WHERE rid = ?)",
            table.name
        );
        sqlx::query(&sql)
            .bind(activity)
            .bind(rid)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The searchable forms of one user.
pub struct SearchForms {
    pub name_key: String,
    pub last_key: String,
    pub email_key: Option<String>,
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
        phone_digits,
    }
}

type UserText = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
);

async fn reindex_user(
    conn: &mut SqliteConnection,
    rid: i64,
    was_deleted: Option<bool>,
) -> Result<()> {
    let (first, last, email, mobile, home, deleted): UserText = sqlx::query_as(
        "SELECT first_name, last_name, email, mobile_phone, home_phone, _deleted FROM users WHERE rid = ?",
    )
    .bind(rid)
    .fetch_one(&mut *conn)
    .await?;
    let forms = search_forms(
        first.as_deref(),
        last.as_deref(),
        email.as_deref(),
        [mobile.as_deref(), home.as_deref()],
    );
    sqlx::query("UPDATE users SET name_key = ?, last_key = ?, email_key = ? WHERE rid = ?")
        .bind(&forms.name_key)
        .bind(&forms.last_key)
        .bind(&forms.email_key)
        .bind(rid)
        .execute(&mut *conn)
        .await?;
    // Only a live row that existed before has an entry to remove.
    if was_deleted == Some(false) {
        sqlx::query("DELETE FROM users_fts WHERE rowid = ?")
            .bind(rid)
            .execute(&mut *conn)
            .await?;
    }
    if !deleted {
        let folded_email = email.as_deref().map(fold);
        sqlx::query("INSERT INTO users_fts (rowid, name, email, phone) VALUES (?, ?, ?, ?)")
            .bind(rid)
            .bind(&forms.name_key)
            .bind(folded_email)
            .bind(&forms.phone_digits)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
