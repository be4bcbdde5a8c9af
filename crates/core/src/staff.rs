//! Staff: the workspace's team directory — who can be assigned a task or author a
//! note. Which staff member uses this desktop is a device setting
//! (`Settings::current_staff_id`), not part of the directory.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use ts_rs::TS;
use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::schema::STAFF;
use crate::store::{Edit, Store};
use crate::users::read::uuid;
use crate::validate;
use crate::workspace::{require, unique_name};

/// Colours a staff member gets when none is chosen: distinct in both themes and
/// readable behind white initials.
pub const STAFF_COLORS: &[&str] = &[
    "#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#4d7c0f",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Staff {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    /// `#rrggbb`.
    pub color: String,
}

/// What Settings sends to add or edit a staff member.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffInput {
    pub name: String,
    pub email: Option<String>,
    /// `#rrggbb`; `None` picks one from [`STAFF_COLORS`] (on edit: keeps the current one).
    pub color: Option<String>,
}

pub struct StaffDirectory<'a> {
    pub(crate) store: &'a Store,
}

impl StaffDirectory<'_> {
    /// Everyone in the directory, by name.
    pub async fn list(&self) -> Result<Vec<Staff>> {
        let rows = sqlx::query(
            "SELECT id, coalesce(name, '') AS name, email, color FROM staff \
             WHERE _deleted = 0 ORDER BY name COLLATE NOCASE",
        )
        .fetch_all(self.store.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Staff {
                    id: uuid(r, "id")?,
                    name: r.try_get("name")?,
                    email: r.try_get("email")?,
                    color: r
                        .try_get::<Option<String>, _>("color")?
                        .unwrap_or_else(|| STAFF_COLORS[0].to_owned()),
                })
            })
            .collect()
    }

    pub async fn get(&self, id: Uuid) -> Result<Staff> {
        self.list()
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| CoreError::not_found("staff member"))
    }

    /// The staff member with this name, ignoring case (the CLI's `--assignee NAME`).
    pub async fn find_by_name(&self, name: &str) -> Result<Option<Staff>> {
        let wanted = name.trim().to_lowercase();
        Ok(self
            .list()
            .await?
            .into_iter()
            .find(|s| s.name.to_lowercase() == wanted))
    }

    pub async fn add(&self, input: &StaffInput) -> Result<Staff> {
        let name = unique_name(self.store, &STAFF, &input.name, None).await?;
        let email = validate::email("email", input.email.as_deref())?;
        let color = match color(input.color.as_deref())? {
            Some(c) => c,
            None => self.next_color().await?,
        };
        let id = Uuid::new_v4();
        self.store
            .commit(vec![Edit::create(&STAFF, id)
                .set("name", name.clone())
                .set("email", email.clone())
                .set("color", color.clone())])
            .await?;
        tracing::info!(%id, "staff member added");
        Ok(Staff {
            id,
            name,
            email,
            color,
        })
    }

    /// Renames, changes the email and (when given) the colour.
    pub async fn update(&self, id: Uuid, input: &StaffInput) -> Result<Staff> {
        require(self.store, &STAFF, id, "staff member").await?;
        let name = unique_name(self.store, &STAFF, &input.name, Some(id)).await?;
        let email = validate::email("email", input.email.as_deref())?;
        let mut edit = Edit::new(&STAFF, id).set("name", name).set("email", email);
        if let Some(c) = color(input.color.as_deref())? {
            edit = edit.set("color", c);
        }
        self.store.commit(vec![edit]).await?;
        self.get(id).await
    }

    /// Removes a staff member. Their tasks keep the assignee id (shown as nobody),
    /// so a removal undone elsewhere by sync loses nothing.
    pub async fn remove(&self, id: Uuid) -> Result<()> {
        require(self.store, &STAFF, id, "staff member").await?;
        self.store
            .commit(vec![Edit::tombstone(&STAFF, id, true)])
            .await?;
        Ok(())
    }

    /// The first palette colour nobody has yet; past the palette's end, round again.
    async fn next_color(&self) -> Result<String> {
        let staff = self.list().await?;
        let free = STAFF_COLORS
            .iter()
            .find(|c| !staff.iter().any(|s| s.color.eq_ignore_ascii_case(c)));
        Ok(free
            .unwrap_or(&STAFF_COLORS[staff.len() % STAFF_COLORS.len()])
            .to_string())
    }
}

/// A `#rrggbb` colour, lower-cased; blank means "not given".
fn color(value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let hex = v.strip_prefix('#').unwrap_or_default();
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(CoreError::validation("color", "Pick a colour like #2563eb"));
    }
    Ok(Some(format!("#{}", hex.to_ascii_lowercase())))
}
