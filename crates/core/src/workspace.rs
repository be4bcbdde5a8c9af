//! The workspace's shared lists: teams and store locations (custom fields are
//! `fields::Fields`).

use std::collections::HashMap;

use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::ids::parse_id;
use crate::schema::{TableDef, LOCATIONS, TEAMS};
use crate::store::{Edit, Store};
use crate::users::{membership_edit, read_named};
use crate::users::{Location, Team, TeamSize};
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

    /// Every live team with its number of members not in the trash, by name.
    pub async fn team_sizes(&self) -> Result<Vec<TeamSize>> {
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT m.team_id, count(*) FROM user_teams m JOIN users u ON u.id = m.user_id \
             WHERE m._deleted = 0 AND u._deleted = 0 GROUP BY m.team_id",
        )
        .fetch_all(self.store.pool())
        .await?;
        let counts: HashMap<String, i64> = counts.into_iter().collect();
        Ok(self
            .teams()
            .await?
            .into_iter()
            .map(|t| TeamSize {
                members: counts
                    .get(&t.id.to_string())
                    .map_or(0, |&n| u32::try_from(n).unwrap_or(u32::MAX)),
                id: t.id,
                name: t.name,
            })
            .collect())
    }

    pub async fn rename_team(&self, id: Uuid, name: &str) -> Result<Team> {
        let name = self.rename_named(&TEAMS, id, name).await?;
        Ok(Team { id, name })
    }

    /// Deletes a team, taking everyone out of it: on every device a deleted
    /// team has no members, so nothing (a user restored from the trash, a sync)
    /// brings it back but [`Workspace::restore_team`] here, which puts back the
    /// members it had.
    pub async fn delete_team(&self, id: Uuid) -> Result<()> {
        // Read under the writer, so nothing changes the team in between.
        let mut bulk = self.store.bulk().await?;
        let live: Option<i64> =
            sqlx::query_scalar("SELECT rid FROM teams WHERE id = ? AND _deleted = 0")
                .bind(id.to_string())
                .fetch_optional(bulk.conn())
                .await?;
        if live.is_none() {
            return Err(CoreError::not_found("team"));
        }
        let members: Vec<String> =
            sqlx::query_scalar("SELECT user_id FROM user_teams WHERE team_id = ? AND _deleted = 0")
                .bind(id.to_string())
                .fetch_all(bulk.conn())
                .await?;
        // What an earlier delete left (a team restored by a sync from elsewhere)
        // is not this delete's.
        sqlx::query("DELETE FROM team_deletions WHERE team = ?")
            .bind(id.to_string())
            .execute(bulk.conn())
            .await?;
        sqlx::query(
            "INSERT INTO team_deletions (team, user_id) \
             SELECT DISTINCT team_id, user_id FROM user_teams WHERE team_id = ? AND _deleted = 0",
        )
        .bind(id.to_string())
        .execute(bulk.conn())
        .await?;
        let mut edits = vec![Edit::tombstone(&TEAMS, id, true)];
        for user in &members {
            edits.push(membership_edit(parse_id(user)?, id, false));
        }
        bulk.commit(edits).await?;
        bulk.finish().await?;
        tracing::info!(%id, members = members.len(), "team deleted");
        Ok(())
    }

    /// Undoes [`Workspace::delete_team`]: the team comes back with the members it
    /// had. Should a team of the same name have been made since (names stay
    /// unique), they join that one instead, which is returned.
    pub async fn restore_team(&self, id: Uuid) -> Result<Team> {
        // Read under the writer, so no team of the name can be made in between.
        let mut bulk = self.store.bulk().await?;
        let name: Option<Option<String>> =
            sqlx::query_scalar("SELECT name FROM teams WHERE id = ? AND _deleted = 1")
                .bind(id.to_string())
                .fetch_optional(bulk.conn())
                .await?;
        let name = name
            .ok_or_else(|| CoreError::not_found("deleted team"))?
            .unwrap_or_default();
        let lower = name.to_lowercase();
        let same_name = read_named(bulk.conn(), &TEAMS)
            .await?
            .into_iter()
            .find(|(_, n)| n.to_lowercase() == lower);
        let members: Vec<String> =
            sqlx::query_scalar("SELECT user_id FROM team_deletions WHERE team = ?")
                .bind(id.to_string())
                .fetch_all(bulk.conn())
                .await?;
        let team = match same_name {
            Some((other, name)) => Team { id: other, name },
            None => Team { id, name },
        };
        let mut edits = Vec::with_capacity(members.len() + 1);
        if team.id == id {
            edits.push(Edit::tombstone(&TEAMS, id, false));
        }
        for user in &members {
            edits.push(membership_edit(parse_id(user)?, team.id, true));
        }
        bulk.commit(edits).await?;
        sqlx::query("DELETE FROM team_deletions WHERE team = ?")
            .bind(id.to_string())
            .execute(bulk.conn())
            .await?;
        bulk.finish().await?;
        Ok(team)
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
        let name = self.rename_named(&LOCATIONS, id, name).await?;
        Ok(Location { id, name })
    }

    /// Removes a location; users assigned to it keep the reference but show no
    /// location, so nothing about the user is lost if it is restored by sync.
    pub async fn delete_location(&self, id: Uuid) -> Result<()> {
        self.delete_named(&LOCATIONS, id).await
    }

    async fn rename_named(&self, table: &'static TableDef, id: Uuid, name: &str) -> Result<String> {
        let name = self.unique_name(table, name, Some(id)).await?;
        self.require(table, id).await?;
        self.store
            .commit(vec![Edit::new(table, id).set("name", name.clone())])
            .await?;
        Ok(name)
    }

    async fn delete_named(&self, table: &'static TableDef, id: Uuid) -> Result<()> {
        self.require(table, id).await?;
        self.store
            .commit(vec![Edit::tombstone(table, id, true)])
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
