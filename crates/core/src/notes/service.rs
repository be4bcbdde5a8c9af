//! Adding, editing, pinning and deleting notes, and reading them back.

use std::collections::HashMap;

use uuid::Uuid;

use super::model::{Note, NoteInput, NoteQuery, NoteSearch, NoteVersion, TagCount};
use super::read::{note_of, with_tags, NOTE_COLUMNS};
use crate::error::{CoreError, Result};
use crate::ids::{name_id, relation_id};
use crate::schema::{self, MAX_TEXT_BYTES, NOTES, NOTE_TAGS, NOTE_VERSIONS};
use crate::store::{system_ms, Edit, Store};
use crate::text::{fold, match_key};
use crate::validate::contains_card_number;

/// Longest tag, in characters.
const MAX_TAG_CHARS: usize = 40;
/// Most tags on one note.
const MAX_TAGS: usize = 20;

pub struct Notes<'a> {
    pub(crate) store: &'a Store,
}

impl Notes<'_> {
    /// Adds a note to a live user; `author` is the staff member writing it.
    pub async fn add(
        &self,
        user_id: Uuid,
        input: &NoteInput,
        author: Option<Uuid>,
    ) -> Result<Note> {
        crate::users::ensure_live(self.store.pool(), user_id).await?;
        let body = clean_body(&input.body)?;
        let tags = clean_tags(&input.tags)?;
        let id = Uuid::now_v7();
        let mut edits = vec![Edit::create(&NOTES, id)
            .set("user_id", user_id.to_string())
            .set("body", body)
            .set("author_id", author.map(|a| a.to_string()))
            .set("pinned", false)
            .set("created_at", system_ms() as i64)];
        edits.extend(tags.iter().map(|t| tag_edit(id, t, false)));
        self.store.commit(edits).await?;
        self.get(id).await
    }

    /// Replaces a note's text and tags. Text that changes is kept as a version,
    /// with who wrote it; tags are added and removed one by one, so another
    /// device's tag edits to the same note are kept too.
    pub async fn edit(
        &self,
        note_id: Uuid,
        input: &NoteInput,
        editor: Option<Uuid>,
    ) -> Result<Note> {
        let note = self.get(note_id).await?;
        let body = clean_body(&input.body)?;
        let tags = clean_tags(&input.tags)?;
        let now = system_ms() as i64;
        let mut edits = Vec::new();
        if body != note.body {
            edits.push(
                Edit::create(&NOTE_VERSIONS, Uuid::now_v7())
                    .set("note_id", note_id.to_string())
                    .set("body", note.body.clone())
                    .set("author_id", note.author_id.map(|a| a.to_string()))
                    .set("replaced_at", now),
            );
            edits.push(
                Edit::new(&NOTES, note_id)
                    .set("body", body)
                    .set("author_id", editor.map(|a| a.to_string()))
                    .set("edited_at", now),
            );
        }
        let had: Vec<String> = note.tags.iter().map(|t| match_key(t)).collect();
        let wants: Vec<String> = tags.iter().map(|t| match_key(t)).collect();
        for (tag, key) in tags.iter().zip(&wants) {
            if !had.contains(key) {
                edits.push(tag_edit(note_id, tag, false));
            }
        }
        // One row per tag is kept. A note may hold two spellings of one tag
        // ("ΠΕΛΑΤΗΣ" and "Πελάτης"), added before they matched or on two
        // computers at once; the row kept is the one with the smallest id,
        // the same on every computer, so two editing at once never remove both.
        let ids: Vec<Uuid> = note.tags.iter().map(|t| tag_id(note_id, t)).collect();
        let mut kept: HashMap<&str, Uuid> = HashMap::new();
        for (key, &id) in had.iter().zip(&ids).filter(|(key, _)| wants.contains(key)) {
            kept.entry(key)
                .and_modify(|k| *k = (*k).min(id))
                .or_insert(id);
        }
        for ((tag, key), id) in note.tags.iter().zip(&had).zip(&ids) {
            if kept.get(key.as_str()) != Some(id) {
                edits.push(tag_edit(note_id, tag, true));
            }
        }
        if !edits.is_empty() {
            self.store.commit(edits).await?;
        }
        self.get(note_id).await
    }

    pub async fn set_pinned(&self, note_id: Uuid, pinned: bool) -> Result<Note> {
        self.get(note_id).await?;
        self.store
            .commit(vec![Edit::new(&NOTES, note_id).set("pinned", pinned)])
            .await?;
        self.get(note_id).await
    }

    /// Deletes a note (a tombstone: [`Notes::restore`] brings it back).
    pub async fn delete(&self, note_id: Uuid) -> Result<()> {
        self.get(note_id).await?;
        self.store
            .commit(vec![Edit::tombstone(&NOTES, note_id, true)])
            .await?;
        Ok(())
    }

    pub async fn restore(&self, note_id: Uuid) -> Result<Note> {
        self.store.restore_row(&NOTES, note_id, "note").await?;
        self.get(note_id).await
    }

    /// A live note.
    pub async fn get(&self, note_id: Uuid) -> Result<Note> {
        let sql = format!(
            "SELECT {NOTE_COLUMNS} FROM notes n LEFT JOIN staff s ON s.id = n.author_id \
             WHERE n.id = ? AND n._deleted = 0"
        );
        let row = sqlx::query(&sql)
            .bind(note_id.to_string())
            .fetch_optional(self.store.pool())
            .await?
            .ok_or_else(|| CoreError::not_found("note"))?;
        let note = note_of(&row)?;
        with_tags(self.store.pool(), vec![note])
            .await?
            .pop()
            .ok_or_else(|| CoreError::not_found("note"))
    }

    /// A user's notes: pinned first, then newest first.
    pub async fn for_user(&self, user_id: Uuid) -> Result<Vec<Note>> {
        let sql = format!(
            "SELECT {NOTE_COLUMNS} FROM notes n LEFT JOIN staff s ON s.id = n.author_id \
             WHERE n.user_id = ? AND n._deleted = 0 \
             ORDER BY coalesce(n.pinned, 0) DESC, n.created_at DESC, n.rid DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id.to_string())
            .fetch_all(self.store.pool())
            .await?;
        let notes = rows.iter().map(note_of).collect::<Result<Vec<_>>>()?;
        with_tags(self.store.pool(), notes).await
    }

    /// The texts a note had before its edits, newest first.
    pub async fn versions(&self, note_id: Uuid) -> Result<Vec<NoteVersion>> {
        let rows: Vec<(Option<String>, Option<String>, Option<i64>)> = sqlx::query_as(
            "SELECT v.body, s.name, v.replaced_at FROM note_versions v \
             LEFT JOIN staff s ON s.id = v.author_id \
             WHERE v.note_id = ? AND v._deleted = 0 ORDER BY v.replaced_at DESC, v.rid DESC",
        )
        .bind(note_id.to_string())
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(body, author_name, replaced_at)| NoteVersion {
                body: body.unwrap_or_default(),
                author_name,
                replaced_at: replaced_at.unwrap_or(0),
            })
            .collect())
    }

    /// Tags on live notes, most used first; those starting with `prefix` (ignoring
    /// case and accents) when one is given.
    pub async fn tags(&self, prefix: &str, limit: i64) -> Result<Vec<TagCount>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT min(t.tag), count(*) FROM note_tags t JOIN notes n ON n.id = t.note_id \
             WHERE t._deleted = 0 AND n._deleted = 0 AND t.tag IS NOT NULL \
             GROUP BY t.tag COLLATE NOCASE ORDER BY count(*) DESC, min(t.tag) COLLATE NOCASE",
        )
        .fetch_all(self.store.pool())
        .await?;
        let prefix = match_key(prefix.trim().trim_start_matches('#'));
        // SQLite's NOCASE folds ASCII only: spellings alike but for other
        // letters' case or accents ("ΠΕΛΑΤΗΣ", "Πελάτης") are one tag here, named
        // as it is written most.
        let mut merged: Vec<(String, String, i64)> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        for (tag, count) in rows {
            let key = match_key(&tag);
            if !key.starts_with(&prefix) {
                continue;
            }
            match at.get(&key) {
                Some(&i) => merged[i].2 += count,
                None => {
                    at.insert(key.clone(), merged.len());
                    merged.push((key, tag, count));
                }
            }
        }
        merged.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        Ok(merged
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|(_, tag, count)| TagCount {
                tag,
                count: u32::try_from(count).unwrap_or(u32::MAX),
            })
            .collect())
    }

    pub async fn search(&self, query: &NoteQuery) -> Result<NoteSearch> {
        super::search::search(self.store.pool(), query).await
    }
}

/// The row tagging `note` with `tag`; its id depends only on the note and the
/// folded tag, so "VIP" added on two devices is one row.
fn tag_id(note: Uuid, tag: &str) -> Uuid {
    relation_id(NOTE_TAGS.name, note, name_id("tag", &fold(tag)))
}

fn tag_edit(note: Uuid, tag: &str, deleted: bool) -> Edit {
    Edit::new(&NOTE_TAGS, tag_id(note, tag))
        .set("note_id", note.to_string())
        .set("tag", tag.to_owned())
        .set(schema::DELETED, deleted)
}

fn clean_body(body: &str) -> Result<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(CoreError::validation("body", "A note needs some text"));
    }
    if body.len() > MAX_TEXT_BYTES {
        return Err(CoreError::validation(
            "body",
            format!("A note holds at most {} KB of text", MAX_TEXT_BYTES / 1000),
        ));
    }
    if contains_card_number(body) {
        return Err(CoreError::validation(
            "body",
            "Notes cannot hold a full card number: keep only its last 4 digits",
        ));
    }
    Ok(body.to_owned())
}

/// Tags trimmed, without a leading '#', inner spaces collapsed, each once
/// (ignoring case and accents), in the order given.
pub(crate) fn clean_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag
            .trim()
            .trim_start_matches('#')
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(CoreError::validation(
                "tags",
                format!("Tags are at most {MAX_TAG_CHARS} characters: {tag:?} is longer"),
            ));
        }
        if tag.contains(',') || tag.chars().any(char::is_control) {
            return Err(CoreError::validation(
                "tags",
                format!("{tag:?}: a tag cannot hold commas"),
            ));
        }
        let key = match_key(&tag);
        if !seen.contains(&key) {
            seen.push(key);
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(CoreError::validation(
            "tags",
            format!("A note takes at most {MAX_TAGS} tags"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_cleaned_and_deduplicated_ignoring_case_and_accents() {
        let tags = clean_tags(&[
            " #VIP ".into(),
            "vip".into(),
            "follow   up".into(),
            "".into(),
            "Café".into(),
            "cafe".into(),
        ])
        .unwrap();
        assert_eq!(tags, vec!["VIP", "follow up", "Café"]);
        assert!(clean_tags(&["a,b".into()]).is_err());
        assert!(clean_tags(&["x".repeat(41)]).is_err());
    }

    #[test]
    fn bodies_must_hold_text_and_no_card_number() {
        assert!(clean_body("   ").is_err());
        assert_eq!(clean_body("  Called **Ann** \n").unwrap(), "Called **Ann**");
        assert!(clean_body("card 4242 4242 4242 4242").is_err());
    }
}
