//! `kith-cli notes`: add, list and search relationship notes.

use anyhow::Result;
use clap::Subcommand;
use kith_core::notes::{Note, NoteInput, NoteQuery};
use kith_core::Kith;
use uuid::Uuid;

use crate::output::Output;

#[derive(Subcommand)]
pub enum NotesCommand {
    /// Add a note to a user, written by this desktop's staff member.
    Add {
        #[arg(long)]
        user: Uuid,
        /// Comma-separated tags.
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        /// The note's text (light Markdown: **bold**, lists, links).
        text: String,
    },
    /// A user's notes, pinned first, then newest first.
    List {
        #[arg(long)]
        user: Uuid,
    },
    /// Search every note's text and tags, ignoring case and accents; newest first.
    Search {
        #[arg(allow_hyphen_values = true, default_value = "")]
        query: String,
        /// Only notes with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Only this user's notes.
        #[arg(long)]
        user: Option<Uuid>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

pub async fn run(kith: &Kith, cmd: NotesCommand, out: &Output) -> Result<()> {
    let notes = kith.notes();
    match cmd {
        NotesCommand::Add { user, tags, text } => {
            let author = kith.settings().current_staff_id;
            let note = notes
                .add(user, &NoteInput { body: text, tags }, author)
                .await?;
            out.message(&format!("added note {}", note.id), &note)?;
        }
        NotesCommand::List { user } => {
            let list = notes.for_user(user).await?;
            if out.json {
                return out.message("", &list);
            }
            for note in &list {
                println!("{}", line(note, None));
            }
        }
        NotesCommand::Search {
            query,
            tag,
            user,
            limit,
        } => {
            let found = notes
                .search(&NoteQuery {
                    text: query,
                    tag,
                    user_id: user,
                    limit,
                })
                .await?;
            if out.json {
                return out.message("", &found);
            }
            if found.query_too_short {
                eprintln!("kith-cli: words shorter than 3 letters are not searched for");
            }
            for hit in &found.hits {
                println!("{}", line(&hit.note, Some(&hit.user_name)));
            }
        }
    }
    Ok(())
}

/// One readable line: id, whose note, first line of text, tags.
fn line(note: &Note, user: Option<&str>) -> String {
    let first = note.body.lines().next().unwrap_or_default();
    let pin = if note.pinned { "📌 " } else { "" };
    let tags = if note.tags.is_empty() {
        String::new()
    } else {
        format!("  [{}]", note.tags.join(", "))
    };
    match user {
        Some(user) => format!("{}  {user}: {pin}{first}{tags}", note.id),
        None => format!("{}  {pin}{first}{tags}", note.id),
    }
}
