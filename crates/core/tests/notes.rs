//! Notes: add, edit with versions, tags, pin, delete/restore, and search through
//! the trigram index — on a real SQLite file.

mod common;

use kith_core::notes::{NoteInput, NoteQuery};
use kith_core::{ErrorKind, Kith};
use uuid::Uuid;

fn input(body: &str, tags: &[&str]) -> NoteInput {
    NoteInput {
        body: body.into(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn text(q: &str) -> NoteQuery {
    NoteQuery {
        text: q.into(),
        tag: None,
        user_id: None,
        limit: 50,
    }
}

async fn found(kith: &Kith, q: NoteQuery) -> Vec<String> {
    kith.notes()
        .search(&q)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.note.body)
        .collect()
}

#[test]
fn notes_are_listed_pinned_first_then_newest_with_their_tags() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let notes = kith.notes();
        let first = notes
            .add(
                ann,
                &input("Called about the **renewal**", &["call", "#VIP"]),
                None,
            )
            .await
            .unwrap();
        assert_eq!(first.tags, vec!["call", "VIP"]);
        assert!(first.created_at > 0);
        let second = notes
            .add(ann, &input("Meeting booked", &[]), None)
            .await
            .unwrap();
        let listed: Vec<Uuid> = notes
            .for_user(ann)
            .await
            .unwrap()
            .iter()
            .map(|n| n.id)
            .collect();
        assert_eq!(listed, vec![second.id, first.id]);

        notes.set_pinned(first.id, true).await.unwrap();
        let listed = notes.for_user(ann).await.unwrap();
        assert_eq!(listed[0].id, first.id);
        assert!(listed[0].pinned);

        let err = notes.add(ann, &input("   ", &[]), None).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        let err = notes
            .add(Uuid::new_v4(), &input("x", &[]), None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let err = notes
            .add(ann, &input("paid with 4111 1111 1111 1111", &[]), None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
    });
}

#[test]
fn an_edit_keeps_the_previous_text_as_a_version_and_updates_the_index() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let notes = kith.notes();
        let note = notes
            .add(ann, &input("Prefers email contact", &["lapsed"]), None)
            .await
            .unwrap();
        let edited = notes
            .edit(
                note.id,
                &input("Prefers phone calls after 5pm", &["lapsed", "phone"]),
                None,
            )
            .await
            .unwrap();
        assert_eq!(edited.versions, 1);
        assert!(edited.edited_at.is_some());
        assert_eq!(edited.tags, vec!["lapsed", "phone"]);
        let versions = notes.versions(note.id).await.unwrap();
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].body, "Prefers email contact");

        assert!(
            found(&kith, text("email contact")).await.is_empty(),
            "old text is not found"
        );
        assert_eq!(
            found(&kith, text("phone calls")).await,
            vec![edited.body.clone()]
        );

        // Same text, a tag removed: no new version, the tag gone from the index.
        let again = notes
            .edit(
                note.id,
                &input("Prefers phone calls after 5pm", &["phone"]),
                None,
            )
            .await
            .unwrap();
        assert_eq!(again.versions, 1);
        assert_eq!(again.tags, vec!["phone"]);
        let by_tag = NoteQuery {
            tag: Some("lapsed".into()),
            ..text("")
        };
        assert!(found(&kith, by_tag).await.is_empty());
        assert_eq!(
            found(&kith, text("lapsed")).await,
            Vec::<String>::new(),
            "tag text left the index"
        );
    });
}

#[test]
fn search_is_accent_and_case_insensitive_and_filters_by_tag_and_user() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let bob = common::user(&kith, "Bob", "Ray").await;
        let notes = kith.notes();
        notes
            .add(ann, &input("Lunch at the Café Müller", &["Meeting"]), None)
            .await
            .unwrap();
        notes
            .add(bob, &input("cafe order: two espressos", &["order"]), None)
            .await
            .unwrap();
        notes
            .add(
                bob,
                &input("Wants a quote for the café", &["meeting"]),
                None,
            )
            .await
            .unwrap();

        assert_eq!(found(&kith, text("CAFE")).await.len(), 3);
        assert_eq!(
            found(&kith, text("muller")).await,
            vec!["Lunch at the Café Müller"]
        );
        let meetings = NoteQuery {
            tag: Some("#MEETING".into()),
            ..text("café")
        };
        assert_eq!(found(&kith, meetings).await.len(), 2);
        let bobs = NoteQuery {
            user_id: Some(bob),
            ..text("cafe")
        };
        assert_eq!(
            found(&kith, bobs).await,
            vec!["Wants a quote for the café", "cafe order: two espressos"],
            "newest first"
        );
        // Tag words are searchable too.
        assert_eq!(found(&kith, text("order")).await.len(), 1);

        let hit = &kith.notes().search(&text("muller")).await.unwrap().hits[0];
        assert_eq!(hit.user_name, "Ann Lee");
        let short = kith.notes().search(&text("c")).await.unwrap();
        assert!(short.query_too_short);

        let tags = kith.notes().tags("me", 10).await.unwrap();
        assert_eq!(tags.len(), 1, "Meeting and meeting are one tag: {tags:?}");
        assert_eq!(tags[0].count, 2);
        // A tag filter finds that tag exactly, however short, not tags containing it.
        notes
            .add(ann, &input("Wholesale account", &["VIPs", "b2"]), None)
            .await
            .unwrap();
        let vip = NoteQuery {
            tag: Some("vip".into()),
            ..text("")
        };
        assert!(found(&kith, vip).await.is_empty());
        let b2 = NoteQuery {
            tag: Some("B2".into()),
            ..text("")
        };
        assert_eq!(found(&kith, b2).await, vec!["Wholesale account"]);
        // Quotes and FTS syntax in a query are just text.
        assert!(found(&kith, text("\"cafe OR NEAR(")).await.is_empty());
    });
}

#[test]
fn deleted_notes_and_notes_of_deleted_users_are_not_found_until_restored() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let notes = kith.notes();
        let note = notes
            .add(ann, &input("Renewal due in March", &[]), None)
            .await
            .unwrap();
        notes.delete(note.id).await.unwrap();
        assert!(found(&kith, text("renewal")).await.is_empty());
        assert!(notes.for_user(ann).await.unwrap().is_empty());
        notes.restore(note.id).await.unwrap();
        assert_eq!(found(&kith, text("renewal")).await.len(), 1);

        kith.users().delete(ann).await.unwrap();
        assert!(found(&kith, text("renewal")).await.is_empty());
    });
}

#[test]
fn the_same_tag_added_offline_on_two_desktops_is_one_tag() {
    common::runtime().block_on(async {
        let (_a, one) = common::kith().await;
        let (_b, two) = common::kith().await;
        let ann = common::user(&one, "Ann", "Lee").await;
        let note = one
            .notes()
            .add(ann, &input("Shared note", &[]), None)
            .await
            .unwrap();
        let outbox = one.store().outbox(100).await.unwrap();
        let changes: Vec<_> = outbox.into_iter().map(|(_, c)| c).collect();
        two.store().merge(&changes).await.unwrap();

        let tagged = input("Shared note", &["VIP"]);
        one.notes().edit(note.id, &tagged, None).await.unwrap();
        two.notes()
            .edit(note.id, &input("Shared note", &["vip"]), None)
            .await
            .unwrap();
        let from_two: Vec<_> = two
            .store()
            .outbox(100)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        one.store().merge(&from_two).await.unwrap();
        let tags = one.notes().get(note.id).await.unwrap().tags;
        assert_eq!(tags.len(), 1, "{tags:?}");
        assert_eq!(
            found(&one, text("shared")).await.len(),
            1,
            "merged notes are indexed"
        );
    });
}

#[test]
fn words_are_found_by_their_start_and_a_redefined_index_is_rebuilt_on_open() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        kith.notes()
            .add(
                ann,
                &input("Renewal of the Øster contract", &["Follow up"]),
                None,
            )
            .await
            .unwrap();
        assert_eq!(found(&kith, text("renew oster")).await.len(), 1);
        assert!(
            found(&kith, text("newal")).await.is_empty(),
            "words, not substrings"
        );
        let tagged = NoteQuery {
            tag: Some("follow-up".into()),
            ..text("")
        };
        assert_eq!(
            found(&kith, tagged).await.len(),
            1,
            "one key for 'Follow up' and 'follow-up'"
        );

        // A migration that redefines the index leaves a mark; the next open refills it.
        sqlx::query("DELETE FROM notes_fts")
            .execute(kith.store().pool())
            .await
            .unwrap();
        sqlx::query("INSERT INTO meta (key, value) VALUES ('rebuild:notes_fts', '1')")
            .execute(kith.store().pool())
            .await
            .unwrap();
        kith.store().close().await;
        drop(kith);
        let kith = Kith::open(dir.path()).await.unwrap();
        assert_eq!(found(&kith, text("contract")).await.len(), 1);
        let mark: Option<String> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'rebuild:notes_fts'")
                .fetch_optional(kith.store().pool())
                .await
                .unwrap();
        assert_eq!(mark, None);
    });
}

#[test]
fn a_word_prefix_finds_every_completion_however_many_there_are() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let notes = kith.notes();
        // Few completions (the prefix is spelled out as its terms) and many (more than
        // are spelled out: the index's own prefix search) must find the same notes a
        // plain prefix search would.
        for body in [
            "Renewal due",
            "renewals pending",
            "renew now",
            "Renée called",
        ] {
            notes.add(ann, &input(body, &[]), None).await.unwrap();
        }
        for i in 0..40 {
            notes
                .add(
                    ann,
                    &input(&format!("code plumbing{i:02} fixed"), &[]),
                    None,
                )
                .await
                .unwrap();
        }
        let mut renew = found(&kith, text("renew")).await;
        renew.sort();
        assert_eq!(renew, ["Renewal due", "renew now", "renewals pending"]);
        assert_eq!(found(&kith, text("plumbing")).await.len(), 40);
        assert_eq!(found(&kith, text("plumbing1")).await.len(), 10);
        assert!(found(&kith, text("plumbingzz")).await.is_empty());
        assert_eq!(
            found(&kith, text("renewal pend")).await,
            ["renewals pending"]
        );

        // Words that arrive by an edit, and a tag's words, are completions too.
        let note = notes
            .add(ann, &input("first draft", &["Wholesale"]), None)
            .await
            .unwrap();
        notes
            .edit(note.id, &input("zephyrine delivery", &["Wholesale"]), None)
            .await
            .unwrap();
        assert_eq!(found(&kith, text("zephy")).await, ["zephyrine delivery"]);
        assert_eq!(found(&kith, text("whole")).await, ["zephyrine delivery"]);
        // The scratch index that tokenizes them is left empty.
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM notes_terms_scratch_vocab")
            .fetch_one(kith.store().pool())
            .await
            .unwrap();
        assert_eq!(left, 0);
    });
}

/// Σ lowers to σ wherever it stands and a lower-case Greek word ends in ς:
/// "ΠΕΛΑΤΗΣ" and "Πελάτης" are one tag, suggested for either.
#[test]
fn greek_tags_in_capitals_and_lower_case_are_one_tag() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let note = kith
            .notes()
            .add(ann, &input("Νέος", &["Πελάτης", "ΠΕΛΑΤΗΣ"]), None)
            .await
            .unwrap();
        assert_eq!(note.tags, ["Πελάτης"]);
        // Written in capitals again: the same tag, nothing changes.
        let again = kith
            .notes()
            .edit(note.id, &input("Νέος", &["ΠΕΛΑΤΗΣ"]), None)
            .await
            .unwrap();
        assert_eq!(again.tags, ["Πελάτης"]);
        // Other notes tagged in capitals and not: suggested as one tag, counted
        // for all, named as it is written most.
        for (body, tag) in [("Δεύτερος", "ΠΕΛΑΤΗΣ"), ("Τρίτος", "Πελάτης")]
        {
            let other = kith
                .notes()
                .add(ann, &input(body, &[tag]), None)
                .await
                .unwrap();
            assert_eq!(other.tags, [tag]);
        }
        let suggested = kith.notes().tags("ΠΕΛΑΤΗΣ", 10).await.unwrap();
        assert_eq!(
            suggested
                .iter()
                .map(|t| (t.tag.as_str(), t.count))
                .collect::<Vec<_>>(),
            [("Πελάτης", 3)]
        );
    });
}

/// A note holding two spellings of one tag (added before they matched, or on
/// two computers at once) keeps one once edited: the same one whichever
/// spelling is asked, so two computers editing it at once keep the same row.
#[test]
fn editing_a_note_keeps_one_spelling_of_a_tag() {
    use kith_core::ids::{name_id, relation_id};
    use kith_core::store::Edit;
    use kith_core::text::fold;
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let table = kith_core::schema::table("note_tags").unwrap();
        let id = |note: uuid::Uuid, tag: &str| {
            relation_id("note_tags", note, name_id("tag", &fold(tag)))
        };
        for asked in ["ΠΕΛΑΤΗΣ", "Πελάτης", "πελάτης"] {
            let note = kith
                .notes()
                .add(ann, &input("Νέος", &["Πελάτης", "VIP"]), None)
                .await
                .unwrap();
            let capitals = Edit::new(table, id(note.id, "ΠΕΛΑΤΗΣ"))
                .set("note_id", note.id.to_string())
                .set("tag", "ΠΕΛΑΤΗΣ")
                .set(kith_core::schema::DELETED, false);
            kith.store().commit(vec![capitals]).await.unwrap();
            let both = kith.notes().get(note.id).await.unwrap();
            assert_eq!(both.tags.len(), 3, "{:?}", both.tags);

            let edited = kith
                .notes()
                .edit(note.id, &input("Νέος", &[asked, "VIP"]), None)
                .await
                .unwrap();
            let kept = ["ΠΕΛΑΤΗΣ", "Πελάτης"]
                .into_iter()
                .min_by_key(|t| id(note.id, t))
                .unwrap();
            let mut tags = edited.tags.clone();
            tags.sort();
            let mut expected = vec![kept, "VIP"];
            expected.sort();
            assert_eq!(tags, expected, "asked {asked}");
        }
    });
}
