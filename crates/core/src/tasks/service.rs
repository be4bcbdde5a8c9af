//! Creating, editing, completing and deleting tasks: every write a list of edits
//! through the store's one write path.

use kith_protocol::Value;
use uuid::Uuid;

use super::dates;
use super::model::*;
use crate::error::{CoreError, Result};
use crate::schema::{DELETED, STAFF, TASKS, TASK_CATEGORIES, USERS};
use crate::store::{system_ms, Edit, Store};
use crate::validate;
use crate::workspace::require;

/// Longest task title, in characters: a title is a line, the description the rest.
pub const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 10_000;

pub struct Tasks<'a> {
    pub(crate) store: &'a Store,
    /// The staff member using this desktop: who creates its tasks.
    pub(crate) me: Option<Uuid>,
}

/// A [`TaskInput`] checked: what the task's columns will hold.
struct Checked {
    title: String,
    description: Option<String>,
    assignee_id: Option<Uuid>,
    due_date: Option<String>,
    due_time: Option<String>,
    priority: Priority,
    category_id: Option<Uuid>,
}

fn check(input: &TaskInput) -> Result<Checked> {
    let title = validate::text_up_to("title", Some(&input.title), MAX_TITLE)?
        .ok_or_else(|| CoreError::validation("title", "Give the task a title"))?;
    let due_date = dates::date("due_date", input.due_date.as_deref())?;
    let due_time = dates::time_of_day("due_time", input.due_time.as_deref())?;
    if due_time.is_some() && due_date.is_none() {
        return Err(CoreError::validation(
            "due_date",
            "Pick a day for the time to be on",
        ));
    }
    Ok(Checked {
        title,
        description: validate::text_up_to(
            "description",
            input.description.as_deref(),
            MAX_DESCRIPTION,
        )?,
        assignee_id: input.assignee_id,
        due_date,
        due_time,
        priority: input.priority,
        category_id: input.category_id,
    })
}

fn id_value(id: Option<Uuid>) -> Value {
    id.map_or(Value::Null, |id| Value::Text(id.to_string()))
}

impl Tasks<'_> {
    /// Adds a task to a user. Without a status it starts in the first one that is
    /// not done; in a done status it is complete from the start.
    pub async fn create(&self, user_id: Uuid, input: &TaskInput) -> Result<Task> {
        let checked = check(input)?;
        require(self.store, &USERS, user_id, "user").await?;
        self.check_refs(&checked, None).await?;
        let status = match input.status_id {
            Some(id) => self.status(id).await?,
            None => self.first_status(false).await?,
        };
        let now = system_ms() as i64;
        let id = Uuid::new_v4();
        self.store
            .commit(vec![Edit::create(&TASKS, id)
                .set("user_id", user_id.to_string())
                .set("title", checked.title)
                .set("description", checked.description)
                .set("assignee_id", id_value(checked.assignee_id))
                .set("due_date", checked.due_date)
                .set("due_time", checked.due_time)
                .set("priority", checked.priority.as_str())
                .set("status_id", status.id.to_string())
                .set("category_id", id_value(checked.category_id))
                .set("created_at", now)
                .set("created_by", id_value(self.me))
                .set("completed_at", status.is_done.then_some(now))])
            .await?;
        tracing::info!(%id, %user_id, "task added");
        self.get(id).await
    }

    /// Sets every field to what `input` says, writing only those that changed, so a
    /// concurrent edit of another field on another desktop is kept.
    pub async fn update(&self, id: Uuid, input: &TaskInput) -> Result<Task> {
        let current = self.get(id).await?;
        let checked = check(input)?;
        self.check_refs(&checked, Some(&current)).await?;
        let mut edit = Edit::new(&TASKS, id);
        let mut set = |column: &str, changed: bool, value: Value| {
            if changed {
                edit.fields.insert(column.to_owned(), value);
            }
        };
        set(
            "title",
            checked.title != current.title,
            checked.title.into(),
        );
        set(
            "description",
            checked.description != current.description,
            checked.description.into(),
        );
        set(
            "assignee_id",
            checked.assignee_id != current.assignee_id,
            id_value(checked.assignee_id),
        );
        set(
            "due_date",
            checked.due_date != current.due_date,
            checked.due_date.into(),
        );
        set(
            "due_time",
            checked.due_time != current.due_time,
            checked.due_time.into(),
        );
        set(
            "priority",
            checked.priority != current.priority,
            checked.priority.as_str().into(),
        );
        set(
            "category_id",
            checked.category_id != current.category_id,
            id_value(checked.category_id),
        );
        if let Some(status_id) = input.status_id.filter(|s| Some(*s) != current.status_id) {
            let status = self.status(status_id).await?;
            edit = self.status_edit(edit, &current, status.id, status.is_done);
        }
        if !edit.fields.is_empty() {
            self.store.commit(vec![edit]).await?;
        }
        self.get(id).await
    }

    /// Completes a task: the first status that counts as done, and `completed_at`.
    pub async fn complete(&self, id: Uuid) -> Result<Task> {
        self.move_to_first(id, true).await
    }

    /// Reopens a task: the first status that is not done; `completed_at` cleared.
    pub async fn reopen(&self, id: Uuid) -> Result<Task> {
        self.move_to_first(id, false).await
    }

    /// Deletes a task (a tombstone, so [`Tasks::restore`] can undo it).
    pub async fn delete(&self, id: Uuid) -> Result<()> {
        require(self.store, &TASKS, id, "task").await?;
        self.store
            .commit(vec![Edit::tombstone(&TASKS, id, true)])
            .await?;
        Ok(())
    }

    pub async fn restore(&self, id: Uuid) -> Result<Task> {
        let exists: Option<i64> = sqlx::query_scalar("SELECT rid FROM tasks WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(self.store.pool())
            .await?;
        if exists.is_none() {
            return Err(CoreError::not_found("task"));
        }
        self.store
            .commit(vec![Edit::new(&TASKS, id).set(DELETED, false)])
            .await?;
        self.get(id).await
    }

    async fn move_to_first(&self, id: Uuid, done: bool) -> Result<Task> {
        let current = self.get(id).await?;
        if current.done == done {
            return Ok(current);
        }
        let status = self.first_status(done).await?;
        let edit = self.status_edit(Edit::new(&TASKS, id), &current, status.id, done);
        self.store.commit(vec![edit]).await?;
        self.get(id).await
    }

    /// Moves a task to a status; entering a done status completes it, leaving one
    /// reopens it. Both columns go in the one edit so they merge together.
    fn status_edit(&self, edit: Edit, current: &Task, status: Uuid, is_done: bool) -> Edit {
        let edit = edit.set("status_id", status.to_string());
        match (current.done, is_done) {
            (false, true) => edit.set("completed_at", system_ms() as i64),
            (true, false) => edit.set("completed_at", Value::Null),
            _ => edit,
        }
    }

    async fn first_status(&self, done: bool) -> Result<super::TaskStatus> {
        self.statuses()
            .await?
            .into_iter()
            .find(|s| s.is_done == done)
            .ok_or_else(|| {
                let kind = if done {
                    "counts as done"
                } else {
                    "is still to do"
                };
                CoreError::validation(
                    "status_id",
                    format!("Add a task status that {kind} in Settings"),
                )
            })
    }

    /// The assignee and category must exist — unless unchanged from `current`, so a
    /// task whose assignee was removed can still be edited.
    async fn check_refs(&self, checked: &Checked, current: Option<&Task>) -> Result<()> {
        if let Some(a) = checked.assignee_id {
            if current.and_then(|t| t.assignee_id) != Some(a) {
                require(self.store, &STAFF, a, "staff member")
                    .await
                    .map_err(|_| {
                        CoreError::validation("assignee_id", "That staff member no longer exists")
                    })?;
            }
        }
        if let Some(c) = checked.category_id {
            if current.and_then(|t| t.category_id) != Some(c) {
                self.ensure_defaults().await?;
                require(self.store, &TASK_CATEGORIES, c, "task category")
                    .await
                    .map_err(|_| {
                        CoreError::validation("category_id", "That category no longer exists")
                    })?;
            }
        }
        Ok(())
    }
}
