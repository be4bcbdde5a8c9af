//! Reading tasks: one user's, the Tasks view's, and those falling due. Each query
//! starts from one of the tasks indexes (by user, by assignee, by due date).

use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::dates;
use super::model::*;
use super::service::Tasks;
use crate::error::{CoreError, Result};
use crate::users::read::{opt_uuid, uuid};

/// Most tasks the Tasks view lists at once; past it, `truncated` says to filter.
pub const VIEW_LIMIT: i64 = 2_000;

/// The columns of a [`Task`], for `SELECT {SELECT} FROM tasks t LEFT JOIN users u …`.
const SELECT: &str = "SELECT t.id, t.user_id, \
    trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS user_name, \
    coalesce(t.title, '') AS title, t.description, t.assignee_id, t.due_date, t.due_time, \
    t.priority, t.status_id, t.category_id, coalesce(t.created_at, 0) AS created_at, \
    t.created_by, t.completed_at \
    FROM tasks t LEFT JOIN users u ON u.id = t.user_id";

fn task(row: &SqliteRow) -> Result<Task> {
    let completed_at: Option<i64> = row.try_get("completed_at")?;
    Ok(Task {
        id: uuid(row, "id")?,
        user_id: uuid(row, "user_id")?,
        user_name: row.try_get("user_name")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        assignee_id: opt_uuid(row, "assignee_id")?,
        due_date: row.try_get("due_date")?,
        due_time: row.try_get("due_time")?,
        priority: row
            .try_get::<Option<String>, _>("priority")?
            .as_deref()
            .and_then(Priority::parse)
            .unwrap_or_default(),
        status_id: opt_uuid(row, "status_id")?,
        category_id: opt_uuid(row, "category_id")?,
        done: completed_at.is_some(),
        created_at: row.try_get("created_at")?,
        created_by: opt_uuid(row, "created_by")?,
        completed_at,
    })
}

fn tasks(rows: &[SqliteRow]) -> Result<Vec<Task>> {
    rows.iter().map(task).collect()
}

impl Tasks<'_> {
    pub async fn get(&self, id: Uuid) -> Result<Task> {
        let row = sqlx::query(&format!("{SELECT} WHERE t.id = ? AND t._deleted = 0"))
            .bind(id.to_string())
            .fetch_optional(self.store.pool())
            .await?
            .ok_or_else(|| CoreError::not_found("task"))?;
        task(&row)
    }

    /// One user's tasks: outstanding first (soonest due first, undated last), then
    /// completed (most recently completed first).
    pub async fn for_user(&self, user_id: Uuid) -> Result<Vec<Task>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE t.user_id = ? AND t._deleted = 0 \
             ORDER BY t.completed_at IS NOT NULL, \
             CASE WHEN t.completed_at IS NULL THEN t.due_date IS NULL END, \
             CASE WHEN t.completed_at IS NULL THEN t.due_date END, \
             CASE WHEN t.completed_at IS NULL THEN t.due_time END, \
             t.completed_at DESC, t.created_at"
        ))
        .bind(user_id.to_string())
        .fetch_all(self.store.pool())
        .await?;
        tasks(&rows)
    }

    /// The Tasks view: tasks matching `filter`, grouped by due date against `today`
    /// (`YYYY-MM-DD`, the desktop's local date — passed in, so the grouping never
    /// reads a clock).
    pub async fn view(&self, filter: &TaskFilter, today: &str) -> Result<TaskGroups> {
        let today = dates::date("today", Some(today))?
            .ok_or_else(|| CoreError::validation("today", "Missing today's date"))?;
        // Clauses are fixed text; only the values are bound.
        let mut sql = format!("{SELECT} WHERE t._deleted = 0");
        let mut binds: Vec<String> = Vec::new();
        if let Some(a) = filter.assignee_id {
            sql.push_str(" AND t.assignee_id = ?");
            binds.push(a.to_string());
        }
        if let Some(s) = filter.status_id {
            sql.push_str(" AND t.status_id = ?");
            binds.push(s.to_string());
        }
        if let Some(c) = filter.category_id {
            sql.push_str(" AND t.category_id = ?");
            binds.push(c.to_string());
        }
        if let Some(p) = filter.priority {
            sql.push_str(" AND coalesce(t.priority, 'none') = ?");
            binds.push(p.as_str().to_owned());
        }
        match filter.done {
            Some(true) => sql.push_str(" AND t.completed_at IS NOT NULL"),
            Some(false) => sql.push_str(" AND t.completed_at IS NULL"),
            None => {}
        }
        sql.push_str(" ORDER BY t.due_date, t.due_time, t.created_at LIMIT ?");
        let mut query = sqlx::query(&sql);
        for b in binds {
            query = query.bind(b);
        }
        let rows = query
            .bind(VIEW_LIMIT + 1)
            .fetch_all(self.store.pool())
            .await?;
        let truncated = rows.len() as i64 > VIEW_LIMIT;
        let found = tasks(&rows[..rows.len().min(VIEW_LIMIT as usize)])?;
        Ok(group(found, &today, truncated))
    }

    /// Tasks not done whose due moment (their date and time, or their date at
    /// [`dates::DEFAULT_DUE_TIME`]) is after `after` and at or before `until`, both
    /// local `YYYY-MM-DDTHH:MM`. For the app's "task due" notifications.
    pub async fn due_between(&self, after: &str, until: &str) -> Result<Vec<Task>> {
        dates::parse_moment(after)?;
        dates::parse_moment(until)?;
        // A day range over the due-date index, then the exact moments here.
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE t._deleted = 0 AND t.due_date >= ? AND t.due_date <= ? \
             AND t.completed_at IS NULL ORDER BY t.due_date, t.due_time"
        ))
        .bind(&after[..10])
        .bind(&until[..10])
        .fetch_all(self.store.pool())
        .await?;
        Ok(tasks(&rows)?
            .into_iter()
            .filter(|t| {
                let due = dates::due_moment(
                    t.due_date.as_deref().unwrap_or_default(),
                    t.due_time.as_deref(),
                );
                due.as_str() > after && due.as_str() <= until
            })
            .collect())
    }
}

/// Splits date-ordered tasks into Overdue / Today / Upcoming / No date.
fn group(found: Vec<Task>, today: &str, truncated: bool) -> TaskGroups {
    let mut groups = TaskGroups {
        truncated,
        ..TaskGroups::default()
    };
    for t in found {
        let bucket = match t.due_date.as_deref() {
            None => &mut groups.no_date,
            Some(d) if d < today => &mut groups.overdue,
            Some(d) if d == today => &mut groups.today,
            Some(_) => &mut groups.upcoming,
        };
        bucket.push(t);
    }
    groups
}
