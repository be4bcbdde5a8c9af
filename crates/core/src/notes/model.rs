//! What the notes service hands out and takes in.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// A note on a user, as shown in their Notes tab and in search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Note {
    pub id: Uuid,
    pub user_id: Uuid,
    /// Plain text with light Markdown (bold, italics, lists, links), rendered
    /// safely by the UI: never as HTML.
    pub body: String,
    /// Who wrote the current text: the note's author, or its last editor.
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    pub pinned: bool,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number | null")]
    pub edited_at: Option<i64>,
    /// In the order they were written, each once.
    pub tags: Vec<String>,
    /// How many earlier versions the note has.
    pub versions: u32,
}

/// The text a note had before an edit replaced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NoteVersion {
    pub body: String,
    pub author_name: Option<String>,
    #[ts(type = "number")]
    pub replaced_at: i64,
}

/// A new note, or a note's new text and tags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct NoteInput {
    pub body: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A tag in use, for autocompletion and the tag filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TagCount {
    pub tag: String,
    pub count: u32,
}

/// A note found by a search, with whose note it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NoteHit {
    pub note: Note,
    pub user_name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NoteSearch {
    /// Newest first.
    pub hits: Vec<NoteHit>,
    /// The text searched for is shorter than three letters: only the tag and
    /// user filters applied.
    pub query_too_short: bool,
}

/// What to search notes for. Every part is optional; none lists the newest notes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct NoteQuery {
    #[serde(default)]
    pub text: String,
    pub tag: Option<String>,
    pub user_id: Option<Uuid>,
    #[ts(type = "number")]
    #[serde(default = "default_limit")]
    pub limit: i64,
}

fn default_limit() -> i64 {
    50
}
