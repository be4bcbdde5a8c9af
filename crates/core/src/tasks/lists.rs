//! The task statuses and categories the team manages, and their defaults.
//!
//! Both are ordered lists of names (statuses also say whether they count as done),
//! so one set of helpers serves both, parameterised by [`ListDef`].

use sqlx::Row;
use uuid::Uuid;

use super::model::{TaskCategory, TaskStatus};
use super::service::Tasks;
use crate::error::{CoreError, Result};
use crate::ids::default_row_id;
use crate::schema::{TableDef, DELETED, TASK_CATEGORIES, TASK_STATUSES};
use crate::store::Edit;
use crate::users::read::uuid;
use crate::workspace::{require, unique_name};

/// The statuses a new workspace starts with: (name, counts as done).
pub const DEFAULT_STATUSES: &[(&str, bool)] = &[
    ("Open", false),
    ("In progress", false),
    ("Waiting", false),
    ("Done", true),
    ("Cancelled", true),
];

pub const DEFAULT_CATEGORIES: &[&str] = &["Call", "Email", "Meeting", "Follow-up"];

struct ListDef {
    table: &'static TableDef,
    /// For "… not found".
    what: &'static str,
    /// SQL for the row's done flag: a column of statuses, a constant for categories.
    done_sql: &'static str,
}

const STATUSES: ListDef = ListDef {
    table: &TASK_STATUSES,
    what: "task status",
    done_sql: "coalesce(is_done, 0)",
};

const CATEGORIES: ListDef = ListDef {
    table: &TASK_CATEGORIES,
    what: "task category",
    done_sql: "0",
};

/// One entry of either list.
struct Entry {
    id: Uuid,
    name: String,
    is_done: bool,
    position: i64,
}

impl From<Entry> for TaskStatus {
    fn from(e: Entry) -> Self {
        TaskStatus {
            id: e.id,
            name: e.name,
            is_done: e.is_done,
            position: e.position,
        }
    }
}

impl From<Entry> for TaskCategory {
    fn from(e: Entry) -> Self {
        TaskCategory {
            id: e.id,
            name: e.name,
            position: e.position,
        }
    }
}

impl Tasks<'_> {
    /// The statuses, in the team's order. Seeds the defaults on first use.
    pub async fn statuses(&self) -> Result<Vec<TaskStatus>> {
        self.ensure_defaults().await?;
        Ok(self
            .entries(&STATUSES)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub async fn add_status(&self, name: &str, is_done: bool) -> Result<TaskStatus> {
        self.ensure_defaults().await?;
        let id = self
            .add_entry(&STATUSES, name, |e| e.set("is_done", is_done))
            .await?;
        self.status(id).await
    }

    /// Renames a status and sets whether it counts as done. Tasks already in it keep
    /// their completion until they are moved.
    pub async fn update_status(&self, id: Uuid, name: &str, is_done: bool) -> Result<TaskStatus> {
        require(self.store, &TASK_STATUSES, id, STATUSES.what).await?;
        let name = unique_name(self.store, &TASK_STATUSES, name, Some(id)).await?;
        // Turning the last done status into a to-do one (or back) is the same loss.
        self.keep_one(id, !is_done).await?;
        self.store
            .commit(vec![Edit::new(&TASK_STATUSES, id)
                .set("name", name)
                .set("is_done", is_done)])
            .await?;
        self.status(id).await
    }

    /// Puts the statuses in the order of `ids`; any not named keep their order after them.
    pub async fn reorder_statuses(&self, ids: &[Uuid]) -> Result<Vec<TaskStatus>> {
        self.reorder(&STATUSES, ids).await?;
        self.statuses().await
    }

    /// Removes a status. Tasks in it keep the reference (shown without a status).
    /// The last status that is done, or the last that is not, cannot go: completing
    /// and reopening need one of each.
    pub async fn remove_status(&self, id: Uuid) -> Result<()> {
        require(self.store, &TASK_STATUSES, id, STATUSES.what).await?;
        let this = self.status(id).await?;
        self.keep_one(id, this.is_done).await?;
        self.store
            .commit(vec![Edit::tombstone(&TASK_STATUSES, id, true)])
            .await?;
        Ok(())
    }

    pub async fn categories(&self) -> Result<Vec<TaskCategory>> {
        self.ensure_defaults().await?;
        Ok(self
            .entries(&CATEGORIES)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub async fn add_category(&self, name: &str) -> Result<TaskCategory> {
        self.ensure_defaults().await?;
        let id = self.add_entry(&CATEGORIES, name, |e| e).await?;
        self.category(id).await
    }

    pub async fn rename_category(&self, id: Uuid, name: &str) -> Result<TaskCategory> {
        require(self.store, &TASK_CATEGORIES, id, CATEGORIES.what).await?;
        let name = unique_name(self.store, &TASK_CATEGORIES, name, Some(id)).await?;
        self.store
            .commit(vec![Edit::new(&TASK_CATEGORIES, id).set("name", name)])
            .await?;
        self.category(id).await
    }

    pub async fn reorder_categories(&self, ids: &[Uuid]) -> Result<Vec<TaskCategory>> {
        self.reorder(&CATEGORIES, ids).await?;
        self.categories().await
    }

    /// Removes a category; tasks filed under it keep the reference.
    pub async fn remove_category(&self, id: Uuid) -> Result<()> {
        require(self.store, &TASK_CATEGORIES, id, CATEGORIES.what).await?;
        self.store
            .commit(vec![Edit::tombstone(&TASK_CATEGORIES, id, true)])
            .await?;
        Ok(())
    }

    /// Writes the default statuses and categories into a list that has never had
    /// any row (not even a removed one, so removing a default is not undone here).
    ///
    /// Ids are UUIDv5 of the default's name and every column is written with
    /// `Edit::new` — not `Edit::create`, as the row may exist already on another
    /// replica — so desktops that seed offline converge on one row per default.
    pub(crate) async fn ensure_defaults(&self) -> Result<()> {
        let mut edits = Vec::new();
        if self.never_written(&TASK_STATUSES).await? {
            for (i, (name, done)) in DEFAULT_STATUSES.iter().enumerate() {
                edits.push(seed(&TASK_STATUSES, name, i).set("is_done", *done));
            }
        }
        if self.never_written(&TASK_CATEGORIES).await? {
            for (i, name) in DEFAULT_CATEGORIES.iter().enumerate() {
                edits.push(seed(&TASK_CATEGORIES, name, i));
            }
        }
        if !edits.is_empty() {
            self.store.commit(edits).await?;
            tracing::info!("default task statuses and categories added");
        }
        Ok(())
    }

    pub(super) async fn status(&self, id: Uuid) -> Result<TaskStatus> {
        self.entries(&STATUSES)
            .await?
            .into_iter()
            .find(|e| e.id == id)
            .map(Into::into)
            .ok_or_else(|| CoreError::not_found(STATUSES.what))
    }

    async fn category(&self, id: Uuid) -> Result<TaskCategory> {
        self.entries(&CATEGORIES)
            .await?
            .into_iter()
            .find(|e| e.id == id)
            .map(Into::into)
            .ok_or_else(|| CoreError::not_found(CATEGORIES.what))
    }

    /// Refuses to lose the last live status whose `is_done` is `done` but `id`.
    async fn keep_one(&self, id: Uuid, done: bool) -> Result<()> {
        let entries = self.entries(&STATUSES).await?;
        let others = entries
            .iter()
            .filter(|e| e.id != id && e.is_done == done)
            .count();
        let current = entries.iter().find(|e| e.id == id).map(|e| e.is_done);
        if others == 0 && current == Some(done) {
            let kind = if done {
                "counts as done"
            } else {
                "is still to do"
            };
            return Err(CoreError::validation(
                "is_done",
                format!("Keep at least one status that {kind}"),
            ));
        }
        Ok(())
    }

    async fn never_written(&self, table: &TableDef) -> Result<bool> {
        let any: bool =
            sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {})", table.name))
                .fetch_one(self.store.pool())
                .await?;
        Ok(!any)
    }

    async fn entries(&self, list: &ListDef) -> Result<Vec<Entry>> {
        let rows = sqlx::query(&format!(
            "SELECT id, coalesce(name, '') AS name, {} AS is_done, \
             coalesce(position, 0) AS position FROM {} WHERE _deleted = 0 \
             ORDER BY position, name COLLATE NOCASE",
            list.done_sql, list.table.name
        ))
        .fetch_all(self.store.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Entry {
                    id: uuid(r, "id")?,
                    name: r.try_get("name")?,
                    is_done: r.try_get("is_done")?,
                    position: r.try_get("position")?,
                })
            })
            .collect()
    }

    /// Adds an entry after the others; `extra` sets the list's own columns.
    async fn add_entry(
        &self,
        list: &ListDef,
        name: &str,
        extra: impl FnOnce(Edit) -> Edit,
    ) -> Result<Uuid> {
        let name = unique_name(self.store, list.table, name, None).await?;
        let position = self
            .entries(list)
            .await?
            .iter()
            .map(|e| e.position + 1)
            .max()
            .unwrap_or(0);
        let id = Uuid::new_v4();
        let edit = Edit::create(list.table, id)
            .set("name", name)
            .set("position", position);
        self.store.commit(vec![extra(edit)]).await?;
        Ok(id)
    }

    async fn reorder(&self, list: &ListDef, ids: &[Uuid]) -> Result<()> {
        let mut entries = self.entries(list).await?;
        for id in ids {
            if !entries.iter().any(|e| e.id == *id) {
                return Err(CoreError::not_found(list.what));
            }
        }
        // Named ones first, in the given order; the rest after, as they were.
        entries.sort_by_key(|e| ids.iter().position(|id| *id == e.id).unwrap_or(usize::MAX));
        let edits: Vec<Edit> = entries
            .iter()
            .enumerate()
            .filter(|(i, e)| e.position != *i as i64)
            .map(|(i, e)| Edit::new(list.table, e.id).set("position", i as i64))
            .collect();
        if !edits.is_empty() {
            self.store.commit(edits).await?;
        }
        Ok(())
    }
}

/// A default row with every column but the list's own flag set.
fn seed(table: &'static TableDef, name: &str, position: usize) -> Edit {
    Edit::new(table, default_row_id(table.name, name))
        .set(DELETED, false)
        .set("name", name)
        .set("position", position as i64)
}
