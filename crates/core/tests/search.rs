//! Search: substring, case- and accent-insensitive, phone digits in any format,
//! served by the index (never a table scan).

mod common;

use kith_core::users::NewUser;

async fn add(
    kith: &kith_core::Kith,
    first: &str,
    last: &str,
    email: &str,
    mobile: &str,
) -> uuid::Uuid {
    kith.users()
        .create(&NewUser {
            first_name: first.into(),
            last_name: last.into(),
            email: Some(email.into()).filter(|e: &String| !e.is_empty()),
            mobile_phone: Some(mobile.into()).filter(|m: &String| !m.is_empty()),
            home_phone: None,
            custom_values: Vec::new(),
        })
        .await
        .unwrap()
        .id
}

#[test]
fn finds_by_any_part_of_name_email_or_phone() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let zoe = add(
            &kith,
            "Zoë",
            "Müller",
            "zoe.m@example.com",
            "+1 (555) 123-4567",
        )
        .await;
        let anders = add(&kith, "Anders", "Ångström", "anders@example.se", "").await;
        let ann = add(
            &kith,
            "Ann",
            "Lee",
            "ann.lee@shop.example.org",
            "+44 7700 900123",
        )
        .await;
        let ids = |q: &'static str| common::found(&kith, q);
        assert_eq!(ids("muller").await, vec![zoe]);
        assert_eq!(ids("MÜLL").await, vec![zoe]);
        assert_eq!(ids("angstrom").await, vec![anders]);
        assert_eq!(
            ids("ngstr").await,
            vec![anders],
            "substring, not just prefix"
        );
        assert_eq!(ids("5551234").await, vec![zoe]);
        assert_eq!(ids("(555) 123-45").await, vec![zoe]);
        assert_eq!(
            ids("07700 900123").await,
            vec![ann],
            "national format with trunk 0"
        );
        assert_eq!(ids("shop.example").await, vec![ann]);
        assert_eq!(ids("zoe mul").await, vec![zoe], "every word must match");
        assert_eq!(ids("lee ann").await, vec![ann], "words in any order");
        assert!(ids("nobody").await.is_empty());
        assert_eq!(ids("zo").await, vec![zoe], "two letters: name prefix");
        let an = ids("an").await;
        assert_eq!(an, vec![anders, ann], "name prefixes, in name order");
        assert_eq!(ids("lee").await, vec![ann]);
        kith.users().delete(zoe).await.unwrap();
        assert!(
            ids("muller").await.is_empty(),
            "deleted users are not found"
        );
        kith.users().restore(zoe).await.unwrap();
        assert_eq!(ids("muller").await, vec![zoe]);
    });
}

#[test]
fn edits_reindex() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let id = add(&kith, "Ann", "Lee", "", "").await;
        kith.users()
            .set_field(id, kith_core::users::UserField::LastName, Some("Øster"))
            .await
            .unwrap();
        assert!(kith.search("lee", 5).await.unwrap().rows.is_empty());
        assert_eq!(kith.search("oster", 5).await.unwrap().rows[0].id, id);
    });
}

#[test]
fn more_flag_when_results_are_cut() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        kith_core::demo::generate(kith.store(), 300, 1)
            .await
            .unwrap();
        let r = kith.search("example", 10).await.unwrap();
        assert_eq!(r.rows.len(), 10);
        assert!(r.more);
    });
}

#[test]
fn search_uses_the_index_not_a_scan() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
            "EXPLAIN QUERY PLAN SELECT u.id FROM users_fts JOIN users u ON u.rid = users_fts.rowid \
             WHERE users_fts MATCH 'muller' AND u._deleted = 0 LIMIT 10",
        )
        .fetch_all(kith.store().pool())
        .await
        .unwrap();
        let text: Vec<_> = plan.iter().map(|r| r.3.clone()).collect();
        assert!(
            text.iter().any(|d| d.contains("VIRTUAL TABLE INDEX")),
            "{text:?}"
        );
        assert!(
            !text
                .iter()
                .any(|d| d.starts_with("SCAN u") && !d.contains("VIRTUAL TABLE")),
            "no scan of the users table: {text:?}"
        );
    });
}

#[test]
fn a_name_typed_from_its_start_is_answered_by_the_name_index() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        for i in 0..12 {
            add(&kith, "Zoë", &format!("Müller{i:02}"), "", "").await;
        }
        add(&kith, "Ann", "Zoë-Müllerson", "", "").await;
        let r = kith.search("zoe mul", 5).await.unwrap();
        assert_eq!(r.rows.len(), 5);
        assert!(r.more);
        let names: Vec<_> = r.rows.iter().map(|u| u.last_name.as_str()).collect();
        assert_eq!(
            names,
            ["Müller00", "Müller01", "Müller02", "Müller03", "Müller04"]
        );
        // Fewer prefix matches than wanted: the substring index finds the rest too.
        let r = kith.search("zoe mul", 50).await.unwrap();
        assert_eq!(r.rows.len(), 13);
        assert!(!r.more);
        assert_eq!(
            r.rows[12].first_name, "Ann",
            "a match inside the name ranks last"
        );
    });
}

#[test]
fn few_prefix_matches_are_not_lost_among_many_substring_matches() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        for i in 0..400 {
            add(&kith, "Noah", &format!("Evans{i:03}"), "", "").await;
        }
        let eva = add(&kith, "Eva", "Kim", "", "").await;
        for q in ["eva", "eva k", "kim"] {
            let ids = common::found(&kith, q).await;
            assert_eq!(ids.first(), Some(&eva), "{q:?} puts Eva Kim first");
        }
    });
}

#[test]
fn short_words_filter_before_the_limit() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        for i in 0..300 {
            add(&kith, "Ann", &format!("Smith{i:03}"), "", "").await;
        }
        for i in 0..25 {
            add(&kith, "Jo", &format!("Smith{i:03}x"), "", "").await;
        }
        let r = kith.search("smith j", 50).await.unwrap();
        assert_eq!(r.rows.len(), 25, "every Jo Smith, none of the Anns");
        assert!(!r.more);
        assert!(
            kith.search("ab\u{0}cd", 10).await.unwrap().rows.is_empty(),
            "a NUL is harmless"
        );
    });
}

/// Remote edits merged as one batch update many users together: each user's keys
/// and search entry follow its own stored values under the batch's writes.
#[test]
fn a_merged_batch_reindexes_each_user_from_its_own_values() {
    use kith_core::protocol::{Change, Hlc, NodeId, Value};

    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = add(&kith, "Ann", "Lee", "ann@example.com", "").await;
        let bob = add(&kith, "Bob", "Ray", "bob@example.com", "").await;
        let cy = add(&kith, "Cy", "Vance", "cy@example.com", "").await;
        let dee = add(&kith, "Dee", "Moss", "dee@example.com", "").await;
        let later = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
            + 60_000;
        let other = NodeId(uuid::Uuid::from_u128(5));
        let change = |row, tick: u16, fields: &[(&str, Value)]| Change {
            table: "users".into(),
            row,
            hlc: Hlc::new(later, tick),
            node: other,
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        };
        let before = kith.users().count().await.unwrap();
        kith.store()
            .merge(&[
                change(ann, 1, &[("last_name", "Øster".into())]),
                change(bob, 2, &[("email", "BOB@example.com".into())]),
                change(
                    cy,
                    3,
                    &[("first_name", "Cyrus".into()), ("_deleted", true.into())],
                ),
                change(dee, 4, &[("app_user_id", "app-dee".into())]),
            ])
            .await
            .unwrap();

        let found = |q: &'static str| common::found(&kith, q);
        // A partial edit keeps the fields it did not write in the entry.
        assert_eq!(found("oster").await, vec![ann]);
        assert_eq!(found("ann").await, vec![ann]);
        assert!(found("lee").await.is_empty());
        let keys: (String, String) =
            sqlx::query_as("SELECT name_key, last_key FROM users WHERE id = ?")
                .bind(ann.to_string())
                .fetch_one(kith.store().pool())
                .await
                .unwrap();
        assert_eq!(keys, ("ann oster".to_owned(), "oster".to_owned()));
        // An email that searches alike stays findable.
        assert_eq!(found("bob@example").await, vec![bob]);
        // Deleted in the batch: out of the search whatever else changed.
        assert!(found("cyrus").await.is_empty());
        assert!(found("vance").await.is_empty());
        // A column outside the search: the entry stands.
        assert_eq!(found("moss").await, vec![dee]);
        assert_eq!(kith.users().count().await.unwrap(), before - 1);
        assert_eq!(kith.store().search_index_drift().await.unwrap(), 0);

        // Undeleted and renamed in one batch, renamed again in the next: each entry
        // is removed with the text it was added with.
        kith.store()
            .merge(&[
                change(cy, 5, &[("_deleted", false.into())]),
                change(cy, 6, &[("last_name", "Vale".into())]),
                change(ann, 7, &[("first_name", "Anna".into())]),
            ])
            .await
            .unwrap();
        kith.store()
            .merge(&[change(ann, 8, &[("last_name", "Lee".into())])])
            .await
            .unwrap();
        assert_eq!(found("cyrus vale").await, vec![cy]);
        assert!(found("vance").await.is_empty());
        assert_eq!(found("anna lee").await, vec![ann]);
        assert!(found("oster").await.is_empty());
        assert_eq!(kith.store().search_index_drift().await.unwrap(), 0);
    });
}

#[test]
fn an_entry_removed_with_other_text_is_seen_and_a_rebuild_on_open_repairs_it() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let ann = add(&kith, "Ann", "Lee", "ann@example.com", "+1 415 555 0123").await;
        add(&kith, "Bob", "Ray", "bob@example.com", "").await;
        let pool = kith.store().pool().clone();
        let rid: i64 = sqlx::query_scalar("SELECT rid FROM users WHERE id = ?")
            .bind(ann.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
        // What a bug in the write path would do: remove Ann's entry with text it was
        // not added with. Her real postings stay, and the check must see them.
        sqlx::query(
            "INSERT INTO users_fts (users_fts, rowid, name, email, phone) \
             VALUES ('delete', ?, 'ann lea', 'ann@example.com', '14155550123')",
        )
        .bind(rid)
        .execute(&pool)
        .await
        .unwrap();
        assert!(kith.store().search_index_drift().await.unwrap() > 0);

        // A migration that redefines the index leaves a mark; the next open refills
        // it from the users table.
        sqlx::query("INSERT INTO meta (key, value) VALUES ('rebuild:users_fts', '1')")
            .execute(&pool)
            .await
            .unwrap();
        kith.store().close().await;
        drop(kith);
        let kith = kith_core::Kith::open(dir.path()).await.unwrap();
        assert_eq!(kith.store().search_index_drift().await.unwrap(), 0);
        assert_eq!(common::found(&kith, "ann lee").await, vec![ann]);
        assert_eq!(kith.search("ray", 5).await.unwrap().rows.len(), 1);
    });
}

#[test]
fn an_entry_the_index_refuses_to_remove_rebuilds_it_and_the_edit_lands() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = add(&kith, "Ann", "Lee", "ann@example.com", "").await;
        // A bad disk, a bug, a hand edit: the name changes, its search entry does not.
        sqlx::query("UPDATE users SET first_name = 'Garbled' WHERE id = ?")
            .bind(ann.to_string())
            .execute(kith.store().pool())
            .await
            .unwrap();
        assert!(kith.store().search_index_drift().await.unwrap() > 0);
        // The next edit removes the entry with the text the row now gives. In an
        // index this small FTS5 refuses that (its token counts would go below
        // zero): the index is rebuilt from the table and the edit lands rather
        // than failing for good. (In a larger index the removal goes through and
        // stale postings stay until a rebuild: see the sync's checksum repair.)
        kith.users()
            .set_field(ann, kith_core::users::UserField::LastName, Some("Moss"))
            .await
            .unwrap();
        assert_eq!(kith.store().search_index_drift().await.unwrap(), 0);
        assert_eq!(common::found(&kith, "garbled moss").await, vec![ann]);
        assert!(kith.search("lee", 5).await.unwrap().rows.is_empty());
    });
}

/// Greek names in capitals (as older Greek business software keeps them) and in
/// lower case find each other, though Σ lowers to σ wherever it stands and the
/// lower case word ends in ς: `text::fold` keeps ς (ids derive from it), and
/// FTS5's tokenizers fold it to σ by Unicode's case folding. Notes and their tags
/// too.
#[test]
fn greek_names_in_capitals_and_lower_case_find_each_other() {
    use kith_core::notes::{NoteInput, NoteQuery};
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let giorgos = add(&kith, "ΓΙΩΡΓΟΣ", "ΠΑΠΑΔΟΠΟΥΛΟΣ", "", "").await;
        let nikos = add(&kith, "Νίκος", "Παπαδόπουλος", "", "").await;
        for query in ["παπαδοπουλος", "ΠΑΠΑΔΟΠΟΥΛΟΣ", "Παπαδόπουλος"]
        {
            let mut found = common::found(&kith, query).await;
            found.sort();
            let mut both = vec![giorgos, nikos];
            both.sort();
            assert_eq!(found, both, "{query}");
        }
        // Typed from the start of the name, as the name index answers it.
        assert_eq!(common::found(&kith, "ΝΙΚΟΣ ΠΑΠ").await, vec![nikos]);
        assert_eq!(common::found(&kith, "γιωργος").await, vec![giorgos]);

        let note = NoteInput {
            body: "Ο πελάτης ζήτησε νέο τιμολόγιο".into(),
            tags: vec!["Τιμολόγιος".into()],
        };
        let id = kith.notes().add(nikos, &note, None).await.unwrap().id;
        for (text, tag) in [("ΠΕΛΑΤΗΣ", None), ("", Some("ΤΙΜΟΛΟΓΙΟΣ"))] {
            let hits = kith
                .notes()
                .search(&NoteQuery {
                    text: text.into(),
                    tag: tag.map(str::to_owned),
                    user_id: None,
                    limit: 10,
                })
                .await
                .unwrap()
                .hits;
            assert_eq!(
                hits.iter().map(|h| h.note.id).collect::<Vec<_>>(),
                vec![id],
                "{text:?} {tag:?}"
            );
        }
        assert_eq!(kith.store().search_index_drift().await.unwrap(), 0);
    });
}
