//! The workspace's shared lists: teams and store locations (custom fields are
//! `fields::Fields`).

use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::schema::{TableDef, LOCATIONS, TEAMS};
use crate::store::{Edit, Store};
use crate::users::read_named;
use crate::users::{Location, Team};
use crate::validate;

pub struct Workspace<'a> {
    pub(crate) store: &'a Store,
}

impl Workspace<'_> {
    pub async fn teams(&self) -> Result<Vec<Team>> {
        let rows = read_named(self.store.pool(), &TEAMS).await?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| Team { id, name })
            .collect())
    }

    pub async fn create_team(&self, name: &str) -> Result<Team> {
        let (id, name) = self.create_named(&TEAMS, name).await?;
        Ok(Team { id, name })
    }

    pub async fn locations(&self) -> Result<Vec<Location>> {
        let rows = read_named(self.store.pool(), &LOCATIONS).await?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| Location { id, name })
            .collect())
    }

    pub async fn create_location(&self, name: &str) -> Result<Location> {
        let (id, name) = self.create_named(&LOCATIONS, name).await?;
        Ok(Location { id, name })
    }

    pub async fn rename_location(&self, id: Uuid, name: &str) -> Result<Location> {
        let name = self.unique_name(&LOCATIONS, name, Some(id)).await?;
        self.require(&LOCATIONS, id).await?;
        self.store
            .commit(vec![Edit::new(&LOCATIONS, id).set("name", name.clone())])
            .await?;
        Ok(Location { id, name })
    }

    /// Removes a location; users assigned to it keep the reference but show no
    /// location, so nothing about the user is lost if it is restored by sync.
    pub async fn delete_location(&self, id: Uuid) -> Result<()> {
        self.require(&LOCATIONS, id).await?;
        self.store
            .commit(vec![Edit::tombstone(&LOCATIONS, id, true)])
            .await?;
        Ok(())
    }

    async fn create_named(&self, table: &'static TableDef, name: &str) -> Result<(Uuid, String)> {
        let name = self.unique_name(table, name, None).await?;
        let id = Uuid::new_v4();
        self.store
            .commit(vec![Edit::create(table, id).set("name", name.clone())])
            .await?;
        Ok((id, name))
    }

    async fn unique_name(
        &self,
        table: &TableDef,
        name: &str,
        except: Option<Uuid>,
    ) -> Result<String> {
        unique_name(self.store, table, name, except).await
    }

    async fn require(&self, table: &TableDef, id: Uuid) -> Result<()> {
        require(self.store, table, id, table.name.trim_end_matches('s')).await
    }
}

/// A trimmed, non-empty name no other live row of `table` (but `except`) has,
/// ignoring case: for every list the team names (teams, staff, task statuses).
pub(crate) async fn unique_name(
    store: &Store,
    table: &TableDef,
    name: &str,
    except: Option<Uuid>,
) -> Result<String> {
    let name = validate::text("name", Some(name))?
        .ok_or_else(|| CoreError::validation("name", "Enter a name"))?;
    let clash = read_named(store.pool(), table)
        .await?
        .into_iter()
        .any(|(id, n)| Some(id) != except && n.to_lowercase() == name.to_lowercase());
    if clash {
        return Err(CoreError::validation(
            "name",
            format!("There is already one named {name}"),
        ));
    }
    Ok(name)
}

/// Fails with "`what` not found" unless `id` is a live row of `table`.
pub(crate) async fn require(store: &Store, table: &TableDef, id: Uuid, what: &str) -> Result<()> {
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT rid FROM {} WHERE id = ? AND _deleted = 0",
        table.name
    ))
    .bind(id.to_string())
    .fetch_optional(store.pool())
    .await?;
    found.map(|_| ()).ok_or_else(|| CoreError::not_found(what))
}
