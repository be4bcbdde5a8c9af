//! Reading users back from the store. Plain parameterized SELECTs: reads need no
//! write path.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use uuid::Uuid;

use super::model::*;
use crate::error::{CoreError, Result};

/// The columns of a [`UserSummary`], for `SELECT {SUMMARY} FROM users u`.
/// `_activity` holds a whole HLC; its top 48 bits are the milliseconds.
pub(crate) const SUMMARY: &str = "u.id, coalesce(u.first_name, '') AS first_name, \
    coalesce(u.last_name, '') AS last_name, u.email, u.mobile_phone, u.home_phone, \
    coalesce(u.created_at, 0) AS created_at, (u._activity >> 16) AS last_activity_at, \
    (SELECT i.attachment_id FROM user_images i \
     JOIN attachments a ON a.id = i.attachment_id AND a._deleted = 0 \
     WHERE i.user_id = u.id AND i.role = 'avatar' AND i._deleted = 0) AS avatar_id";

pub(crate) fn uuid(row: &SqliteRow, column: &str) -> Result<Uuid> {
    let s: String = row.try_get(column)?;
    Uuid::parse_str(&s).map_err(|e| CoreError::Corrupt(format!("{column} {s:?}: {e}")))
}

pub(crate) fn opt_uuid(row: &SqliteRow, column: &str) -> Result<Option<Uuid>> {
    let s: Option<String> = row.try_get(column)?;
    s.map(|s| Uuid::parse_str(&s).map_err(|e| CoreError::Corrupt(format!("{column} {s:?}: {e}"))))
        .transpose()
}

pub(crate) fn summary(row: &SqliteRow) -> Result<UserSummary> {
    Ok(UserSummary {
        id: uuid(row, "id")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        email: row.try_get("email")?,
        mobile_phone: row.try_get("mobile_phone")?,
        home_phone: row.try_get("home_phone")?,
        created_at: row.try_get("created_at")?,
        last_activity_at: row.try_get("last_activity_at")?,
        avatar_id: opt_uuid(row, "avatar_id")?,
    })
}

pub(crate) fn summaries(rows: &[SqliteRow]) -> Result<Vec<UserSummary>> {
    rows.iter().map(summary).collect()
}

/// The live child rows of one user, each mapped by `row`.
async fn children<T>(
    pool: &SqlitePool,
    sql: &str,
    user: &str,
    row: impl Fn(&SqliteRow) -> Result<T>,
) -> Result<Vec<T>> {
    sqlx::query(sql)
        .bind(user)
        .fetch_all(pool)
        .await?
        .iter()
        .map(row)
        .collect()
}

fn text(row: &SqliteRow, column: &str) -> Result<String> {
    Ok(row
        .try_get::<Option<String>, _>(column)?
        .unwrap_or_default())
}

pub(crate) async fn detail(pool: &SqlitePool, id: Uuid) -> Result<UserDetail> {
    let key = id.to_string();
    let row = sqlx::query(&format!(
        "SELECT {SUMMARY}, u.app_user_id, u.stripe_customer_id, u.location_id, u.source, \
         u.deleted_at, u.generated_password IS NOT NULL AS has_password, \
         (SELECT i.attachment_id FROM user_images i \
          JOIN attachments a ON a.id = i.attachment_id AND a._deleted = 0 \
          WHERE i.user_id = u.id AND i.role = 'cover' AND i._deleted = 0) AS cover_id \
         FROM users u WHERE u.id = ?"
    ))
    .bind(&key)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| CoreError::not_found("user"))?;
    let base = summary(&row)?;
    let source: Option<String> = row.try_get("source")?;

    let teams = children(
        pool,
        "SELECT t.id, coalesce(t.name, '') AS name FROM user_teams ut \
         JOIN teams t ON t.id = ut.team_id \
         WHERE ut.user_id = ? AND ut._deleted = 0 AND t._deleted = 0 ORDER BY t.name",
        &key,
        |r| {
            Ok(Team {
                id: uuid(r, "id")?,
                name: r.try_get("name")?,
            })
        },
    )
    .await?;

    let social_links = children(
        pool,
        "SELECT id, network, url FROM user_social_links \
         WHERE user_id = ? AND _deleted = 0 ORDER BY rid",
        &key,
        |r| {
            Ok(SocialLink {
                id: uuid(r, "id")?,
                network: text(r, "network")?,
                url: text(r, "url")?,
            })
        },
    )
    .await?;

    let addresses = children(
        pool,
        "SELECT id, label, street, city, region, postal_code, country FROM user_addresses \
         WHERE user_id = ? AND _deleted = 0 ORDER BY rid",
        &key,
        |r| {
            Ok(Address {
                id: uuid(r, "id")?,
                label: text(r, "label")?,
                street: text(r, "street")?,
                city: text(r, "city")?,
                region: text(r, "region")?,
                postal_code: text(r, "postal_code")?,
                country: text(r, "country")?,
            })
        },
    )
    .await?;

    let push_tokens = children(
        pool,
        "SELECT id, platform, token, last_seen_at FROM user_push_tokens \
         WHERE user_id = ? AND _deleted = 0 ORDER BY last_seen_at DESC, rid",
        &key,
        |r| {
            Ok(PushToken {
                id: uuid(r, "id")?,
                platform: text(r, "platform")?,
                token: text(r, "token")?,
                last_seen_at: r.try_get("last_seen_at")?,
            })
        },
    )
    .await?;

    let cards = children(
        pool,
        "SELECT id, brand, last4, exp_month, exp_year FROM user_cards \
         WHERE user_id = ? AND _deleted = 0 ORDER BY rid",
        &key,
        |r| {
            Ok(PaymentCard {
                id: uuid(r, "id")?,
                brand: text(r, "brand")?,
                last4: text(r, "last4")?,
                exp_month: r.try_get::<Option<i64>, _>("exp_month")?.unwrap_or(0) as u32,
                exp_year: r.try_get::<Option<i64>, _>("exp_year")?.unwrap_or(0) as u32,
            })
        },
    )
    .await?;

    let custom_values = custom_values(pool, &key).await?;

    Ok(UserDetail {
        id: base.id,
        first_name: base.first_name,
        last_name: base.last_name,
        email: base.email,
        mobile_phone: base.mobile_phone,
        home_phone: base.home_phone,
        app_user_id: row.try_get("app_user_id")?,
        stripe_customer_id: row.try_get("stripe_customer_id")?,
        location_id: opt_uuid(&row, "location_id")?,
        source: source
            .as_deref()
            .and_then(UserSource::parse)
            .unwrap_or(UserSource::App),
        created_at: base.created_at,
        last_activity_at: base.last_activity_at,
        avatar_id: base.avatar_id,
        cover_id: opt_uuid(&row, "cover_id")?,
        deleted_at: row.try_get("deleted_at")?,
        has_generated_password: row.try_get("has_password")?,
        teams,
        social_links,
        addresses,
        push_tokens,
        cards,
        custom_values,
    })
}

/// A user's values of the live custom fields, in field order, each also in the
/// form people read.
async fn custom_values(pool: &SqlitePool, user: &str) -> Result<Vec<CustomValue>> {
    let mut conn = pool.acquire().await?;
    let catalog = crate::fields::Catalog::load(&mut conn).await?;
    if catalog.fields.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT field_id, value FROM user_field_values \
         WHERE user_id = ? AND _deleted = 0 AND value IS NOT NULL AND field_id IS NOT NULL",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    Ok(catalog
        .fields
        .iter()
        .filter_map(|f| {
            let (_, value) = rows.iter().find(|(id, _)| *id == f.id.to_string())?;
            let display = crate::fields::value::display(f, value);
            // A choice whose options were all removed is no value any more.
            (!display.is_empty()).then(|| CustomValue {
                field_id: f.id,
                name: f.name.clone(),
                kind: f.kind,
                value: value.clone(),
                display,
            })
        })
        .collect())
}

/// The live rows of a table with a `name` column (teams, locations), by name.
pub(crate) async fn read_named<'c>(
    db: impl sqlx::SqliteExecutor<'c>,
    table: &crate::schema::TableDef,
) -> Result<Vec<(Uuid, String)>> {
    let rows = sqlx::query(&format!(
        "SELECT id, coalesce(name, '') AS name FROM {} WHERE _deleted = 0 ORDER BY name COLLATE NOCASE",
        table.name
    ))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| Ok((uuid(r, "id")?, r.try_get("name")?)))
        .collect()
}
