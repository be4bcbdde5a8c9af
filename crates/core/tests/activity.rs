//! The activity history: field changes old → new with who and which computer,
//! notes, tasks, files and imports in one feed, filters, changes merged from another
//! computer, and the Overview's figures — on a real SQLite file.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use kith_core::activity::{ActivityEntry, ActivityGroup, ActivityKind, ActivityQuery};
use kith_core::import::run::Mode;
use kith_core::notes::NoteInput;
use kith_core::protocol::{Change, Hlc, NodeId, Value};
use kith_core::settings::Settings;
use kith_core::staff::StaffInput;
use kith_core::tasks::TaskInput;
use kith_core::users::UserField;
use kith_core::Kith;
use uuid::Uuid;

async fn history(kith: &Kith, user: Uuid, groups: &[ActivityGroup]) -> Vec<ActivityEntry> {
    kith.activity()
        .for_user(
            user,
            &ActivityQuery {
                groups: groups.to_vec(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

/// Steps of a test land in different milliseconds, so "newest first" has one answer.
async fn tick() {
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
}

fn kinds(entries: &[ActivityEntry]) -> Vec<ActivityKind> {
    entries.iter().map(|e| e.kind).collect()
}

/// Sets one of `user`'s fields by hand, as the Detail tab does.
async fn set(kith: &Kith, user: Uuid, field: UserField, value: &str) {
    kith.users()
        .set_field(user, field, Some(value))
        .await
        .unwrap();
}

/// A note on `user` written by `by`: its id.
async fn add_note(kith: &Kith, user: Uuid, body: &str, by: Uuid) -> Uuid {
    let input = NoteInput {
        body: body.into(),
        tags: vec![],
    };
    kith.notes().add(user, &input, Some(by)).await.unwrap().id
}

async fn edit_note(kith: &Kith, note: Uuid, body: &str, by: Uuid) {
    let input = NoteInput {
        body: body.into(),
        tags: vec![],
    };
    kith.notes().edit(note, &input, Some(by)).await.unwrap();
}

/// A change made on another computer, `node`.
fn remote(node: NodeId, table: &str, row: Uuid, hlc: Hlc, fields: &[(&str, Value)]) -> Change {
    Change {
        table: table.into(),
        row,
        hlc,
        node,
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

/// Makes `name` this computer's current staff member.
async fn sign_in(kith: &Kith, name: &str) -> Uuid {
    let staff = kith
        .staff()
        .add(&StaffInput {
            name: name.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    kith.update_settings(&Settings {
        current_staff_id: Some(staff.id),
        ..kith.settings()
    })
    .await
    .unwrap();
    staff.id
}

#[test]
fn one_feed_holds_field_changes_notes_tasks_and_files_newest_first() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let dana = sign_in(&kith, "Dana").await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        tick().await;
        set(&kith, ann, UserField::Email, "ann@example.com").await;
        tick().await;
        set(&kith, ann, UserField::Email, "ann.lee@example.com").await;
        tick().await;
        let note = add_note(&kith, ann, "Called about the renewal", dana).await;
        tick().await;
        edit_note(&kith, note, "Called about the renewal: yes", dana).await;
        tick().await;
        let task = kith
            .tasks()
            .create(
                ann,
                &TaskInput {
                    title: "Send the contract".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        tick().await;
        kith.tasks().complete(task.id).await.unwrap();
        tick().await;
        let path = dir.path().join("contract.pdf");
        std::fs::write(&path, b"%PDF-1.4 contract").unwrap();
        let file = kith.files().attach(ann, &path, Some(dana)).await.unwrap();
        tick().await;
        kith.files()
            .rename(file.id, "Signed contract.pdf")
            .await
            .unwrap();
        tick().await;
        kith.files().delete(file.id).await.unwrap();

        let all = history(&kith, ann, &[]).await;
        assert_eq!(
            kinds(&all),
            [
                ActivityKind::FileDeleted,
                ActivityKind::FileRenamed,
                ActivityKind::FileAdded,
                ActivityKind::TaskCompleted,
                ActivityKind::TaskCreated,
                ActivityKind::NoteEdited,
                ActivityKind::NoteAdded,
                ActivityKind::FieldChanged,
                ActivityKind::FieldChanged,
                ActivityKind::UserCreated,
            ]
        );
        let times: Vec<i64> = all.iter().map(|e| e.at).collect();
        assert!(
            times.windows(2).all(|w| w[0] >= w[1]),
            "newest first: {times:?}"
        );

        let email = &all[7];
        assert_eq!(email.field.as_deref(), Some("Email"));
        assert_eq!(
            (email.old.as_deref(), email.new.as_deref()),
            (Some("ann@example.com"), Some("ann.lee@example.com"))
        );
        assert_eq!(email.actor.as_ref().map(|a| a.name.as_str()), Some("Dana"));
        assert_eq!(email.device.as_deref(), Some("This computer"));
        assert_eq!(all[8].old, None, "the first email had no value before");

        let renamed = &all[1];
        assert_eq!(
            (renamed.old.as_deref(), renamed.new.as_deref()),
            (Some("contract.pdf"), Some("Signed contract.pdf"))
        );
        assert_eq!(renamed.subject_id, Some(file.id));
        assert_eq!(all[3].subject.as_deref(), Some("Send the contract"));
        // A note's edit names the note; its earlier text is a version, not log data.
        assert_eq!(
            all[5].subject.as_deref(),
            Some("Called about the renewal: yes")
        );
        assert_eq!((all[5].old.as_deref(), all[5].new.as_deref()), (None, None));
        assert_eq!(all[6].actor.as_ref().map(|a| a.id), Some(dana));

        // Filters: one kind of record at a time.
        let tasks = history(&kith, ann, &[ActivityGroup::Tasks]).await;
        assert_eq!(
            kinds(&tasks),
            [ActivityKind::TaskCompleted, ActivityKind::TaskCreated]
        );
        let fields = history(&kith, ann, &[ActivityGroup::Fields]).await;
        assert_eq!(fields.len(), 3);

        // Paging: older than the third entry.
        let older = kith
            .activity()
            .for_user(
                ann,
                &ActivityQuery {
                    before: Some(all[2].at),
                    limit: Some(2),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(older.len(), 2);
        assert!(older.iter().all(|e| e.at < all[2].at));

        // The Overview's figures.
        let summary = kith.activity().summary(ann, "2099-01-01").await.unwrap();
        assert_eq!(
            (summary.open_tasks, summary.notes, summary.files),
            (0, 1, 0)
        );
        assert_eq!(summary.last_activity_at, Some(all[0].at));
    });
}

#[test]
fn custom_values_secrets_and_trash_are_in_the_history() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let field = kith
            .fields()
            .create(&kith_core::fields::CustomFieldInput {
                name: "Shoe size".into(),
                kind: kith_core::fields::CustomFieldKind::Number,
                required: false,
                options: vec![],
                currency: None,
            })
            .await
            .unwrap();
        tick().await;
        kith.users()
            .set_custom_value(ann, field.id, Some("38"))
            .await
            .unwrap();
        tick().await;
        kith.users()
            .set_custom_value(ann, field.id, Some("39"))
            .await
            .unwrap();
        tick().await;
        kith.users().delete(ann).await.unwrap();
        tick().await;
        kith.users().restore(ann).await.unwrap();

        let all = history(&kith, ann, &[]).await;
        assert_eq!(
            kinds(&all),
            [
                ActivityKind::UserRestored,
                ActivityKind::UserDeleted,
                ActivityKind::FieldChanged,
                ActivityKind::FieldChanged,
                ActivityKind::UserCreated,
            ]
        );
        assert_eq!(all[2].field.as_deref(), Some("Shoe size"));
        assert_eq!(
            (all[2].old.as_deref(), all[2].new.as_deref()),
            (Some("38"), Some("39"))
        );
        assert_eq!(
            (all[3].old.as_deref(), all[3].new.as_deref()),
            (None, Some("38"))
        );
        // Nobody chose a staff member on this computer: no actor, still a device.
        assert_eq!(all[2].actor, None);
        assert_eq!(all[2].device.as_deref(), Some("This computer"));

        let logged: Vec<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT old, new FROM activity WHERE field = 'generated_password'")
                .fetch_all(kith.store().pool())
                .await
                .unwrap();
        assert!(
            logged
                .iter()
                .all(|(o, n)| o.as_deref().is_none_or(|v| v == "•")
                    && n.as_deref().is_none_or(|v| v == "•")),
            "a password never reaches the log: {logged:?}"
        );
    });
}

#[test]
fn a_change_merged_from_another_computer_names_it_and_its_staff_member() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let other = NodeId(Uuid::from_u128(77));
        let sam = Uuid::from_u128(78);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let change = |table: &str, row: Uuid, ms: u64, fields: &[(&str, Value)]| {
            remote(other, table, row, Hlc::new(now + ms, 0), fields)
        };
        kith.store()
            .merge(&[
                change("staff", sam, 1, &[("name", Value::from("Sam"))]),
                change(
                    "devices",
                    other.0,
                    2,
                    &[
                        ("name", Value::from("Front desk PC")),
                        ("staff_id", Value::from(sam.to_string())),
                    ],
                ),
                change("users", ann, 3, &[("last_name", Value::from("Lee-Park"))]),
            ])
            .await
            .unwrap();

        let all = history(&kith, ann, &[ActivityGroup::Fields]).await;
        let e = &all[0];
        assert_eq!(e.kind, ActivityKind::FieldChanged);
        assert_eq!(
            (e.field.as_deref(), e.old.as_deref(), e.new.as_deref()),
            (Some("Last name"), Some("Lee"), Some("Lee-Park"))
        );
        assert_eq!(e.device.as_deref(), Some("Front desk PC"));
        assert_eq!(e.actor.as_ref().map(|a| a.name.as_str()), Some("Sam"));

        // The same change again (a resent batch) wins nothing and logs nothing.
        kith.store()
            .merge(&[change(
                "users",
                ann,
                3,
                &[("last_name", Value::from("Lee-Park"))],
            )])
            .await
            .unwrap();
        assert_eq!(
            history(&kith, ann, &[ActivityGroup::Fields]).await.len(),
            all.len()
        );

        // An edit made there earlier than the one here arrives later and loses the
        // merge: the field keeps this computer's value, and the history keeps the
        // edit that lost — once, however often it is received.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        set(&kith, ann, UserField::FirstName, "Annie").await;
        let lost = change("users", ann, 4, &[("first_name", Value::from("Anna"))]);
        for _ in 0..2 {
            kith.store()
                .merge(std::slice::from_ref(&lost))
                .await
                .unwrap();
        }
        let fields = history(&kith, ann, &[ActivityGroup::Fields]).await;
        let superseded: Vec<&ActivityEntry> = fields
            .iter()
            .filter(|e| e.kind == ActivityKind::EditSuperseded)
            .collect();
        assert_eq!(superseded.len(), 1, "{fields:?}");
        let e = superseded[0];
        assert_eq!(
            (e.field.as_deref(), e.old.as_deref(), e.new.as_deref()),
            (Some("First name"), Some("Anna"), Some("Annie"))
        );
        assert_eq!(e.device.as_deref(), Some("Front desk PC"));
        assert_eq!(e.actor.as_ref().map(|a| a.name.as_str()), Some("Sam"));
        let user = kith.users().get(ann).await.unwrap();
        assert_eq!(user.first_name, "Annie");
    });
}

#[test]
fn imports_show_with_their_file_and_new_users_cost_no_log_rows() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let first = dir.path().join("spring fair.csv");
        std::fs::write(
            &first,
            "First name,Last name,Email\nAnn,Lee,ann@example.com\nBo,Chen,bo@example.com\n",
        )
        .unwrap();
        common::import(&kith, &first, &common::import_options(Mode::Create))
            .await
            .unwrap();
        let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM activity")
            .fetch_one(kith.store().pool())
            .await
            .unwrap();
        assert_eq!(logged, 0, "creating users logs nothing: the rows say it");

        let ann = kith.search("ann lee", 5).await.unwrap().rows[0].id;
        let created = history(&kith, ann, &[ActivityGroup::Imports]).await;
        assert_eq!(kinds(&created), [ActivityKind::UserCreated]);
        assert_eq!(created[0].import_file.as_deref(), Some("spring fair.csv"));

        let second = dir.path().join("update.csv");
        std::fs::write(
            &second,
            "First name,Last name,Email\nAnne,Lee,ann@example.com\n",
        )
        .unwrap();
        common::import(&kith, &second, &common::import_options(Mode::Upsert))
            .await
            .unwrap();
        let imports = history(&kith, ann, &[ActivityGroup::Imports]).await;
        assert_eq!(
            kinds(&imports),
            [ActivityKind::FieldChanged, ActivityKind::UserCreated]
        );
        assert_eq!(imports[0].import_file.as_deref(), Some("update.csv"));
        assert_eq!(
            (imports[0].old.as_deref(), imports[0].new.as_deref()),
            (Some("Ann"), Some("Anne"))
        );
        // An import's changes are under Imports, not Fields.
        assert!(history(&kith, ann, &[ActivityGroup::Fields])
            .await
            .is_empty());
    });
}

#[test]
fn an_unknown_user_has_no_history() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let err = kith
            .activity()
            .for_user(Uuid::from_u128(9), &ActivityQuery::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kith_core::ErrorKind::NotFound);
    });
}

/// The text a migration before 0019 kept for a UUID the log now keeps as 16 bytes.
fn uuid_text(column: &str) -> String {
    let h = format!("hex({column})");
    format!(
        "lower(substr({h}, 1, 8) || '-' || substr({h}, 9, 4) || '-' || substr({h}, 13, 4) \
         || '-' || substr({h}, 17, 4) || '-' || substr({h}, 21, 12))"
    )
}

/// Migration 19 compacts the log (UUIDs as bytes, no row id for the user's own
/// record): a history written before it reads the same after it, device names
/// and edits that lost included, and it goes on being written.
#[test]
fn the_history_reads_the_same_after_the_upgrade_that_compacts_it() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let dana = sign_in(&kith, "Dana").await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        tick().await;
        set(&kith, ann, UserField::Email, "ann@example.com").await;
        let note = add_note(&kith, ann, "Called", dana).await;
        tick().await;
        edit_note(&kith, note, "Called back", dana).await;
        // Another user's history, which must stay apart from Ann's.
        let bob = common::user(&kith, "Bob", "Ray").await;
        set(&kith, bob, UserField::Email, "bob@example.com").await;
        // From another computer, named: a rename, and an edit that lost.
        let other = NodeId(Uuid::from_u128(91));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let change = |table: &str, row: Uuid, hlc: Hlc, fields: &[(&str, Value)]| {
            remote(other, table, row, hlc, fields)
        };
        kith.store()
            .merge(&[
                change(
                    "devices",
                    other.0,
                    Hlc::new(now + 1, 0),
                    &[("name", Value::from("Front desk PC"))],
                ),
                change(
                    "users",
                    ann,
                    Hlc::new(now + 2, 0),
                    &[("last_name", Value::from("Lee-Park"))],
                ),
                change(
                    "users",
                    ann,
                    Hlc::new(1, 0),
                    &[("email", Value::from("old@example.com"))],
                ),
            ])
            .await
            .unwrap();
        let before = history(&kith, ann, &[]).await;
        let bob_before = history(&kith, bob, &[]).await;
        assert_eq!(
            kinds(&bob_before),
            [ActivityKind::FieldChanged, ActivityKind::UserCreated]
        );
        let shown: Vec<ActivityKind> = kinds(&before);
        for kind in [
            ActivityKind::FieldChanged,
            ActivityKind::NoteEdited,
            ActivityKind::EditSuperseded,
        ] {
            assert!(shown.contains(&kind), "{kind:?} in {shown:?}");
        }
        assert!(before
            .iter()
            .any(|e| e.device.as_deref() == Some("Front desk PC")));

        // The log as migrations 10 to 18 kept it: UUIDs as text, the user's own
        // record named in `row`. One transaction on one connection.
        let pool = kith.store().pool().clone();
        let mut tx = pool.begin().await.unwrap();
        let user_text = uuid_text("user_id");
        for sql in [
            "CREATE TABLE activity_text (seq INTEGER PRIMARY KEY AUTOINCREMENT, \
             user_id TEXT NOT NULL, at INTEGER NOT NULL, node TEXT NOT NULL, staff_id TEXT, \
             origin TEXT NOT NULL, kind TEXT NOT NULL, tbl TEXT NOT NULL, row TEXT NOT NULL, \
             field TEXT, old TEXT, new TEXT)"
                .to_owned(),
            format!(
                "INSERT INTO activity_text SELECT seq, {user_text}, at, {}, staff_id, origin, \
                 kind, tbl, coalesce(row, {user_text}), field, old, new FROM activity",
                uuid_text("node")
            ),
            "DROP TABLE activity".to_owned(),
            "ALTER TABLE activity_text RENAME TO activity".to_owned(),
            "CREATE INDEX activity_by_user ON activity (user_id, at DESC)".to_owned(),
            "DELETE FROM _sqlx_migrations WHERE version = 19".to_owned(),
        ] {
            sqlx::query(&sql).execute(&mut *tx).await.unwrap();
        }
        let (users_rows, texts, last_seq): (i64, i64, i64) = sqlx::query_as(
            "SELECT sum(tbl = 'users' AND row = user_id), sum(typeof(node) = 'text'), max(seq) \
             FROM activity",
        )
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        assert!(users_rows >= 3, "{users_rows}");
        tx.commit().await.unwrap();
        kith.store().close().await;
        drop(kith);

        let kith = Kith::open(dir.path()).await.unwrap();
        assert_eq!(history(&kith, ann, &[]).await, before);
        assert_eq!(history(&kith, bob, &[]).await, bob_before);
        let (blobs, own_rows, total): (i64, i64, i64) = sqlx::query_as(
            "SELECT sum(typeof(user_id) = 'blob' AND length(user_id) = 16 \
             AND typeof(node) = 'blob' AND length(node) = 16), \
             sum(tbl = 'users' AND row IS NULL), count(*) FROM activity",
        )
        .fetch_one(kith.store().pool())
        .await
        .unwrap();
        assert_eq!((blobs, own_rows), (total, users_rows));
        assert_eq!(texts, total);

        // Written and read on after it: new edits top the history, numbered after
        // the old rows, and the edit that lost is still logged once when received
        // again.
        tick().await;
        set(&kith, ann, UserField::FirstName, "Annie").await;
        tick().await;
        // The newest event: only the log has it (a note's edit leaves the user's
        // own activity clock alone), so the Overview's figure must come from it.
        edit_note(&kith, note, "Called back twice", dana).await;
        kith.store()
            .merge(&[change(
                "users",
                ann,
                Hlc::new(1, 0),
                &[("email", Value::from("old@example.com"))],
            )])
            .await
            .unwrap();
        let after = history(&kith, ann, &[]).await;
        assert_eq!(after.len(), before.len() + 2);
        assert_eq!(after[0].kind, ActivityKind::NoteEdited);
        assert_eq!(after[1].new.as_deref(), Some("Annie"));
        let first_new: i64 =
            sqlx::query_scalar("SELECT min(seq) FROM activity WHERE new = 'Annie'")
                .fetch_one(kith.store().pool())
                .await
                .unwrap();
        assert!(first_new > last_seq, "{first_new} after {last_seq}");
        let figures = kith.activity().summary(ann, "2026-01-01").await.unwrap();
        assert_eq!(figures.last_activity_at, Some(after[0].at));
    });
}
