//! `kith-cli files`: attach files to a user, list a user's files, find files by name.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use kith_core::files::{Attachment, FileKind};
use kith_core::Kith;
use uuid::Uuid;

use crate::output::Output;

#[derive(Subcommand)]
pub enum FilesCommand {
    /// Attach files to a user, streamed into the blob store: all of them, or
    /// none when one cannot be (a folder, a missing or unreadable file).
    Attach {
        #[arg(long)]
        user: Uuid,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// A user's files, newest first.
    List {
        #[arg(long)]
        user: Uuid,
        /// Only files of this kind: image, video, audio, document or other.
        #[arg(long)]
        kind: Option<FileKind>,
    },
    /// Find files of every user by name, ignoring case and accents; newest first.
    Find {
        #[arg(allow_hyphen_values = true, default_value = "")]
        query: String,
        /// Only files of this kind: image, video, audio, document or other.
        #[arg(long)]
        kind: Option<FileKind>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

pub async fn run(kith: &Kith, cmd: FilesCommand, out: &Output) -> Result<()> {
    let files = kith.files();
    match cmd {
        FilesCommand::Attach { user, paths } => {
            let author = kith.settings().current_staff_id;
            let attached = files.attach_many(user, &paths, author).await?;
            if out.json {
                return out.message("", &attached);
            }
            for a in &attached {
                println!("attached {}", line(a, None));
            }
        }
        FilesCommand::List { user, kind } => {
            let list = files.list_for_user(user, kind).await?;
            if out.json {
                return out.message("", &list);
            }
            for a in &list {
                println!("{}", line(a, None));
            }
        }
        FilesCommand::Find { query, kind, limit } => {
            let found = files.find(&query, kind, limit).await?;
            if out.json {
                return out.message("", &found);
            }
            if found.query_too_short {
                eprintln!("kith-cli: words shorter than 3 letters are not searched for");
            }
            for hit in &found.hits {
                println!("{}", line(&hit.attachment, Some(&hit.user_name)));
            }
        }
    }
    Ok(())
}

/// One readable line: id, whose file, name, kind and size.
fn line(a: &Attachment, user: Option<&str>) -> String {
    let owner = user.map(|u| format!("{u}: ")).unwrap_or_default();
    format!(
        "{}  {owner}{}  ({}, {} bytes)",
        a.id,
        a.name,
        a.kind.as_str(),
        a.size
    )
}
