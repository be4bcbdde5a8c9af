//! What the files service hands out and takes in.

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// What a file is, for the Media tab (images and videos) and the type filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FileKind {
    Image,
    Video,
    Audio,
    Document,
    Other,
}

impl FileKind {
    pub const ALL: [FileKind; 5] = [
        FileKind::Image,
        FileKind::Video,
        FileKind::Audio,
        FileKind::Document,
        FileKind::Other,
    ];

    /// The kind of a MIME type: its top level for media, a list of the office,
    /// PDF and text formats for documents.
    pub fn of_mime(mime: &str) -> FileKind {
        let mime = mime.to_ascii_lowercase();
        let (top, sub) = mime.split_once('/').unwrap_or((&mime, ""));
        match top {
            "image" => FileKind::Image,
            "video" => FileKind::Video,
            "audio" => FileKind::Audio,
            "text" => FileKind::Document,
            "application"
                if matches!(
                    sub,
                    "pdf"
                        | "msword"
                        | "rtf"
                        | "epub+zip"
                        | "vnd.apple.pages"
                        | "vnd.apple.numbers"
                        | "vnd.apple.keynote"
                ) || sub.starts_with("vnd.openxmlformats-officedocument.")
                    || sub.starts_with("vnd.oasis.opendocument.")
                    || sub.starts_with("vnd.ms-") =>
            {
                FileKind::Document
            }
            _ => FileKind::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Image => "image",
            FileKind::Video => "video",
            FileKind::Audio => "audio",
            FileKind::Document => "document",
            FileKind::Other => "other",
        }
    }
}

impl FromStr for FileKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FileKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown file kind {s:?}: use image, video, audio, document or other")
            })
    }
}

/// A file attached to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Attachment {
    pub id: Uuid,
    pub user_id: Uuid,
    /// The display name: the file's name when attached, renameable.
    pub name: String,
    pub mime: String,
    pub kind: FileKind,
    /// Bytes.
    #[ts(type = "number")]
    pub size: i64,
    /// Lower-case hex SHA-256 of the content: the blob's name.
    pub sha256: String,
    #[ts(type = "number")]
    pub created_at: i64,
    /// The staff member who attached it.
    pub created_by: Option<Uuid>,
    pub created_by_name: Option<String>,
    /// Whether the bytes are on this device: false for a file attached on another
    /// desktop whose content has not been fetched yet (opening it fetches it).
    pub downloaded: bool,
}

/// A file found by a search, with whose file it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FileHit {
    pub attachment: Attachment,
    pub user_name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FileSearch {
    /// Newest first.
    pub hits: Vec<FileHit>,
    /// The text searched for is shorter than three letters: only the kind
    /// filter applied.
    pub query_too_short: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_mime_type() {
        assert_eq!(FileKind::of_mime("image/jpeg"), FileKind::Image);
        assert_eq!(FileKind::of_mime("video/mp4"), FileKind::Video);
        assert_eq!(FileKind::of_mime("audio/mpeg"), FileKind::Audio);
        assert_eq!(FileKind::of_mime("application/pdf"), FileKind::Document);
        assert_eq!(FileKind::of_mime("text/plain"), FileKind::Document);
        assert_eq!(
            FileKind::of_mime(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
            FileKind::Document
        );
        assert_eq!(FileKind::of_mime("application/zip"), FileKind::Other);
        assert_eq!(
            FileKind::of_mime("application/octet-stream"),
            FileKind::Other
        );
    }

    #[test]
    fn kinds_parse_from_their_names() {
        assert_eq!("Image".parse::<FileKind>(), Ok(FileKind::Image));
        assert!("picture".parse::<FileKind>().is_err());
    }
}
