//! What the Activity tab and the Overview show.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// What happened, one of a fixed set the UI words and draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ActivityKind {
    UserCreated,
    UserDeleted,
    UserRestored,
    /// A built-in or custom field went from `old` to `new`.
    FieldChanged,
    NoteAdded,
    NoteEdited,
    NotePinned,
    NoteUnpinned,
    NoteDeleted,
    NoteRestored,
    TaskCreated,
    TaskCompleted,
    TaskReopened,
    /// A task's `field` went from `old` to `new`.
    TaskChanged,
    TaskDeleted,
    TaskRestored,
    FileAdded,
    FileRenamed,
    FileDeleted,
    FileRestored,
    /// An edit of `field` made elsewhere at the same time as a later one: `old` is
    /// its value, which lost the merge, `new` the value that stands.
    EditSuperseded,
}

/// The filter chips of the Activity tab. Anything an import or its undo did is an
/// import entry, whatever it touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ActivityGroup {
    Fields,
    Notes,
    Tasks,
    Files,
    Imports,
}

/// Who made a change, when the device that made it had a staff member chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActivityActor {
    pub id: Uuid,
    pub name: String,
    pub color: String,
}

/// One line of a user's history, worded by the UI from these parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActivityEntry {
    /// Epoch milliseconds.
    #[ts(type = "number")]
    pub at: i64,
    pub kind: ActivityKind,
    pub group: ActivityGroup,
    /// The field's display name, for field and task changes.
    pub field: Option<String>,
    /// Values before and after, ready to show (names, not ids; secrets masked).
    pub old: Option<String>,
    pub new: Option<String>,
    /// The note's opening words, the task's title or the file's name.
    pub subject: Option<String>,
    /// The note, task or file the entry is about, to open it.
    pub subject_id: Option<Uuid>,
    pub actor: Option<ActivityActor>,
    /// "This computer", or the name of the device the change came from.
    pub device: Option<String>,
    /// For import entries: the imported file's name.
    pub import_file: Option<String>,
}

/// Which entries to list: newest first, older than `before` (epoch ms) when given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActivityQuery {
    /// Empty: every group.
    #[serde(default)]
    pub groups: Vec<ActivityGroup>,
    #[ts(type = "number | null")]
    #[serde(default)]
    pub before: Option<i64>,
    #[ts(type = "number | null")]
    #[serde(default)]
    pub limit: Option<i64>,
}

/// The key figures of a user's Overview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UserFigures {
    #[ts(type = "number")]
    pub open_tasks: i64,
    /// Open tasks whose due date is before `today`.
    #[ts(type = "number")]
    pub overdue_tasks: i64,
    #[ts(type = "number")]
    pub notes: i64,
    #[ts(type = "number")]
    pub files: i64,
    /// Epoch milliseconds of the latest change to the user's record.
    #[ts(type = "number | null")]
    pub last_activity_at: Option<i64>,
}
