//! The custom value search index (`user_values_fts`, migration 0009): per user who
//! has custom values, the folded text of the text-ish ones and option labels, and
//! the digits of phone values; rowid = users.rid. Kept in the write transaction
//! like the user index, so a search never finds a user by a value they no longer
//! have, a deleted field, or an option's old label.
//!
//! A batch that writes no custom value, field or option (a plain import) costs
//! one pass over the rows it touched and nothing else.

use std::collections::{BTreeSet, HashMap, HashSet};

use kith_protocol::Value;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use super::apply::{placeholders, Outcome, CHUNK};
use crate::error::Result;
use crate::fields::value::search_forms;
use crate::fields::Catalog;
use crate::schema::{CUSTOM_FIELDS, CUSTOM_FIELD_OPTIONS, USERS, USER_FIELD_VALUES};

/// Field columns whose change alters what its values index as.
const FIELD_INDEXED: [&str; 2] = ["kind", crate::schema::DELETED];

/// Re-indexes the users whose custom values the batch changed, directly or
/// through their field (kind, trash) or an option (label, removal).
pub(super) async fn after_batch(
    conn: &mut SqliteConnection,
    outcome: &Outcome,
    fresh: &HashSet<(&'static str, Uuid)>,
) -> Result<()> {
    let mut users: BTreeSet<String> = BTreeSet::new();
    let mut fields: BTreeSet<String> = BTreeSet::new();
    let mut values_without_user: Vec<String> = Vec::new();
    let mut options_without_field: Vec<String> = Vec::new();
    // Users that arrived after their values (from another desktop): only a merge
    // can do that, so users minted in this very batch are never looked up.
    let mut arrived: Vec<String> = Vec::new();
    // Values of users minted in this very batch (an import): all they have is in
    // the batch, so their entries are made from it, with no read and no delete.
    let mut new_users: HashMap<i64, Vec<(Uuid, String)>> = HashMap::new();
    let minted = |user: &str| -> Option<i64> {
        let user = Uuid::parse_str(user).ok()?;
        if !fresh.contains(&(USERS.name, user)) {
            return None;
        }
        outcome.work.get(&(USERS.name, user)).and_then(|w| w.rid)
    };
    for (table, id) in &outcome.rows {
        let Some(w) = outcome.work.get(&(table.name, *id)) else {
            continue;
        };
        if w.latest.is_none() {
            continue;
        }
        let text = |c: &str| w.writes.get(c).and_then(Value::as_str).map(str::to_owned);
        if table.name == USER_FIELD_VALUES.name {
            match text("user_id") {
                Some(user) => match (minted(&user), text("field_id"), text("value")) {
                    (Some(rid), Some(field), Some(value)) if w.created_here() => {
                        if let Ok(field) = Uuid::parse_str(&field) {
                            new_users.entry(rid).or_default().push((field, value));
                        }
                    }
                    _ => {
                        users.insert(user);
                    }
                },
                None => values_without_user.push(id.to_string()),
            }
        } else if table.name == CUSTOM_FIELDS.name {
            if w.created_here() || w.writes.keys().any(|k| FIELD_INDEXED.contains(k)) {
                fields.insert(id.to_string());
            }
        } else if table.name == CUSTOM_FIELD_OPTIONS.name {
            match text("field_id") {
                Some(field) => {
                    fields.insert(field);
                }
                None => options_without_field.push(id.to_string()),
            }
        } else if table.name == USERS.name
            && w.created_here()
            && !fresh.contains(&(USERS.name, *id))
        {
            arrived.push(id.to_string());
        }
    }
    if users.is_empty()
        && fields.is_empty()
        && values_without_user.is_empty()
        && options_without_field.is_empty()
        && arrived.is_empty()
        && new_users.is_empty()
    {
        return Ok(());
    }
    let catalog = Catalog::load(conn).await?;
    if !new_users.is_empty() {
        let entries: Vec<(i64, Vec<String>)> = new_users
            .into_iter()
            .filter_map(|(rid, values)| entry(&catalog, rid, &values))
            .collect();
        for chunk in entries.chunks(NEW_ENTRIES_PER_STATEMENT) {
            super::fts::rewrite(conn, INDEX, COLUMNS, &[], chunk).await?;
        }
    }
    users.extend(
        select_each(
            conn,
            "SELECT user_id FROM user_field_values WHERE id IN ({}) AND user_id IS NOT NULL",
            &values_without_user,
        )
        .await?,
    );
    fields.extend(
        select_each(
            conn,
            "SELECT field_id FROM custom_field_options WHERE id IN ({}) AND field_id IS NOT NULL",
            &options_without_field,
        )
        .await?,
    );
    let fields: Vec<String> = fields.into_iter().collect();
    users.extend(select_each(conn, "SELECT DISTINCT user_id FROM user_field_values WHERE field_id IN ({}) AND user_id IS NOT NULL", &fields).await?);
    users.extend(
        select_each(
            conn,
            "SELECT DISTINCT user_id FROM user_field_values WHERE user_id IN ({})",
            &arrived,
        )
        .await?,
    );
    if users.is_empty() {
        return Ok(());
    }
    let users: Vec<String> = users.into_iter().collect();
    // Ids arrive as written; only canonical ones can name a user.
    let users: Vec<String> = users
        .into_iter()
        .filter(|u| Uuid::parse_str(u).is_ok())
        .collect();
    for chunk in users.chunks(CHUNK) {
        reindex(conn, &catalog, chunk).await?;
    }
    Ok(())
}

/// The first column of `sql`'s rows for every chunk of `keys` (`{}` becomes the
/// chunk's placeholders).
async fn select_each(
    conn: &mut SqliteConnection,
    sql: &str,
    keys: &[String],
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(CHUNK) {
        let sql = sql.replace("{}", &placeholders(chunk.len()));
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for k in chunk {
            q = q.bind(k);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// Rewrites the entries of `users` (ids) from their live values of live fields.
async fn reindex(conn: &mut SqliteConnection, catalog: &Catalog, users: &[String]) -> Result<()> {
    let marks = placeholders(users.len());
    let sql = format!("SELECT id, rid FROM users WHERE id IN ({marks})");
    let q = users
        .iter()
        .fold(sqlx::query_as::<_, (String, i64)>(&sql), |q, u| q.bind(u));
    let rids: HashMap<String, i64> = q.fetch_all(&mut *conn).await?.into_iter().collect();
    let sql = format!(
        "SELECT user_id, field_id, value FROM user_field_values \
         WHERE user_id IN ({marks}) AND _deleted = 0 AND value IS NOT NULL AND field_id IS NOT NULL"
    );
    let mut q = sqlx::query(&sql);
    for u in users {
        q = q.bind(u);
    }
    let mut values: HashMap<i64, Vec<(Uuid, String)>> = HashMap::new();
    for r in q.fetch_all(&mut *conn).await? {
        let user: String = r.try_get("user_id")?;
        let Some(rid) = rids.get(&user) else { continue };
        let Ok(field) = Uuid::parse_str(&r.try_get::<String, _>("field_id")?) else {
            continue;
        };
        values
            .entry(*rid)
            .or_default()
            .push((field, r.try_get("value")?));
    }
    let all: Vec<i64> = rids.values().copied().collect();
    let entries: Vec<_> = values
        .into_iter()
        .filter_map(|(rid, values)| entry(catalog, rid, &values))
        .collect();
    super::fts::rewrite(conn, INDEX, COLUMNS, &all, &entries).await
}

const INDEX: &str = "user_values_fts";
const COLUMNS: &[&str] = &["value", "phone"];
/// New entries per INSERT (three parameters each, well under SQLite's limit).
const NEW_ENTRIES_PER_STATEMENT: usize = 4_000;

/// One user's index entry from their (field, stored value) pairs; values of
/// fields not in `catalog` (in the trash, or not arrived yet) are left out, and a
/// user with nothing searchable has no entry.
fn entry(catalog: &Catalog, rid: i64, values: &[(Uuid, String)]) -> Option<(i64, Vec<String>)> {
    let (mut texts, mut phones) = (Vec::new(), Vec::new());
    for (field, value) in values {
        let Some(field) = catalog.get(*field) else {
            continue;
        };
        let (text, phone) = search_forms(field, value);
        texts.extend(text);
        phones.extend(phone);
    }
    // A new line between values: no query word spans two of them.
    (!texts.is_empty() || !phones.is_empty())
        .then(|| (rid, vec![texts.join("\n"), phones.join(" ")]))
}

/// Indexes every user's custom values again: after a migration (re)defined the index.
pub(super) async fn rebuild(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("DELETE FROM user_values_fts")
        .execute(&mut *conn)
        .await?;
    let catalog = Catalog::load(conn).await?;
    let mut after = String::new();
    loop {
        let users: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT user_id FROM user_field_values \
             WHERE user_id > ? AND _deleted = 0 ORDER BY user_id LIMIT ?",
        )
        .bind(&after)
        .bind(CHUNK as i64)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = users.last() else {
            return Ok(());
        };
        after = last.clone();
        reindex(conn, &catalog, &users).await?;
    }
}
