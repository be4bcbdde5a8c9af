//! `kith-cli tasks …` and `kith-cli staff …`.

use anyhow::{anyhow, bail, Result};
use clap::Subcommand;
use kith_core::staff::StaffInput;
use kith_core::tasks::{Priority, Task, TaskFilter, TaskInput};
use kith_core::Kith;
use uuid::Uuid;

use crate::output::Output;

#[derive(Subcommand)]
pub enum TasksCommand {
    /// Add a task to a user.
    Add {
        #[arg(long)]
        user: Uuid,
        #[arg(long)]
        title: String,
        #[arg(long)]
        description: Option<String>,
        /// Due date, YYYY-MM-DD.
        #[arg(long)]
        due: Option<String>,
        /// Due time, HH:MM (with --due).
        #[arg(long)]
        time: Option<String>,
        /// none, low, medium, high or urgent.
        #[arg(long, default_value = "none")]
        priority: String,
        /// The staff member's name (see `staff list`).
        #[arg(long)]
        assignee: Option<String>,
    },
    /// List one user's tasks, or the open tasks of everyone (or of one assignee).
    List {
        #[arg(long)]
        user: Option<Uuid>,
        #[arg(long)]
        assignee: Option<String>,
    },
    /// Complete a task.
    Done { id: Uuid },
}

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Add a staff member to the team directory.
    Add {
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// #rrggbb; one from the palette if not given.
        #[arg(long)]
        color: Option<String>,
        /// This is who uses this data directory: the author of its notes, the
        /// "Mine" of its tasks (as "This is me" in the app's Settings).
        #[arg(long)]
        me: bool,
    },
    List,
}

pub async fn tasks(kith: &Kith, cmd: TasksCommand, out: &Output) -> Result<()> {
    let tasks = kith.tasks();
    match cmd {
        TasksCommand::Add {
            user,
            title,
            description,
            due,
            time,
            priority,
            assignee,
        } => {
            let priority = Priority::parse(&priority.to_lowercase()).ok_or_else(|| {
                anyhow!("--priority must be none, low, medium, high or urgent, not {priority:?}")
            })?;
            let input = TaskInput {
                title,
                description,
                assignee_id: staff_id(kith, assignee.as_deref()).await?,
                due_date: due,
                due_time: time,
                priority,
                ..TaskInput::default()
            };
            out.task(&tasks.create(user, &input).await?)?;
        }
        TasksCommand::List { user, assignee } => {
            let assignee_id = staff_id(kith, assignee.as_deref()).await?;
            let list: Vec<Task> = match user {
                Some(user) => tasks
                    .for_user(user)
                    .await?
                    .into_iter()
                    .filter(|t| assignee_id.is_none() || t.assignee_id == assignee_id)
                    .collect(),
                None => {
                    let filter = TaskFilter {
                        assignee_id,
                        done: Some(false),
                        ..TaskFilter::default()
                    };
                    // The CLI has no notion of "today" to group by: any date will do
                    // for a flat list in due order.
                    let g = tasks.view(&filter, "2000-01-01").await?;
                    [g.overdue, g.today, g.upcoming, g.no_date].concat()
                }
            };
            out.tasks(&list)?;
        }
        TasksCommand::Done { id } => out.task(&tasks.complete(id).await?)?,
    }
    Ok(())
}

pub async fn staff(kith: &Kith, cmd: StaffCommand, out: &Output) -> Result<()> {
    match cmd {
        StaffCommand::Add {
            name,
            email,
            color,
            me,
        } => {
            let added = kith.staff().add(&StaffInput { name, email, color }).await?;
            if me {
                let mut settings = kith.settings();
                settings.current_staff_id = Some(added.id);
                kith.update_settings(&settings).await?;
            }
            out.message(&format!("{}  {}", added.id, added.name), &added)?;
        }
        StaffCommand::List => {
            let all = kith.staff().list().await?;
            let lines: Vec<String> = all
                .iter()
                .map(|s| format!("{}  {}  {}", s.id, s.name, s.email.as_deref().unwrap_or("")))
                .collect();
            out.message(&lines.join("\n"), &all)?;
        }
    }
    Ok(())
}

/// The id of the staff member named `name` (ignoring case).
async fn staff_id(kith: &Kith, name: Option<&str>) -> Result<Option<Uuid>> {
    let Some(name) = name else { return Ok(None) };
    match kith.staff().find_by_name(name).await? {
        Some(s) => Ok(Some(s.id)),
        None => bail!("no staff member is named {name:?} (see `kith-cli staff list`)"),
    }
}
