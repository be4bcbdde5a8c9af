//! The store's write path: outbox, persisted clock, tombstones, relation ids.

mod common;

use kith_core::protocol::{Hlc, Value};
use kith_core::schema::{NOTES, USERS, USER_TEAMS};
use kith_core::store::{Edit, Store};
use uuid::Uuid;

#[test]
fn commit_records_every_change_in_the_outbox_in_the_same_transaction() {
    common::runtime().block_on(async {
        let (_d, store) = common::store().await;
        let id = Uuid::new_v4();
        let changes = store
            .commit(vec![
                Edit::create(&USERS, id).set("first_name", "Ann"),
                Edit::new(&USERS, id).set("email", "ann@example.com"),
            ])
            .await
            .unwrap();
        assert!(
            changes[0].hlc < changes[1].hlc,
            "each change gets a fresh clock"
        );
        let outbox = store.outbox(10).await.unwrap();
        assert_eq!(outbox.len(), 2);
        assert_eq!(outbox[0].1, changes[0]);
        assert_eq!(outbox[1].1, changes[1]);

        // A refused commit leaves neither data nor outbox entries behind.
        let bad = store
            .commit(vec![
                Edit::new(&USERS, id).set("last_name", "Lee"),
                Edit::new(&USERS, id).set("created_at", "not a number"),
            ])
            .await;
        assert!(bad.is_err());
        assert_eq!(store.outbox(10).await.unwrap().len(), 2);
        let last: Option<String> = sqlx::query_scalar("SELECT last_name FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(last, None);
    });
}

#[test]
fn the_clock_survives_a_restart_and_never_goes_back() {
    common::runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kith.db");
        // A device whose wall clock is far in the future, then set back.
        let future = Store::open_with_clock(&path, Box::new(|| 5_000_000_000_000))
            .await
            .unwrap();
        let node = future.node();
        future
            .commit(vec![Edit::create(&USERS, Uuid::new_v4())])
            .await
            .unwrap();
        let before = future.clock().await;
        future.close().await;
        drop(future);

        let now = Store::open(&path).await.unwrap();
        assert_eq!(now.node(), node, "the node id is persisted");
        assert_eq!(now.clock().await, before);
        let changes = now
            .commit(vec![Edit::create(&USERS, Uuid::new_v4())])
            .await
            .unwrap();
        assert!(changes[0].hlc > before);
        assert_eq!(changes[0].hlc, Hlc(before.0 + 1));
    });
}

#[test]
fn delete_is_a_tombstone_and_undelete_a_newer_false() {
    common::runtime().block_on(async {
        let (_d, store) = common::store().await;
        let id = Uuid::new_v4();
        store
            .commit(vec![Edit::create(&USERS, id).set("first_name", "Ann")])
            .await
            .unwrap();
        store
            .commit(vec![Edit::tombstone(&USERS, id, true)])
            .await
            .unwrap();
        let deleted: bool = sqlx::query_scalar("SELECT _deleted FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(deleted, "the row stays, marked deleted");
        store
            .commit(vec![Edit::tombstone(&USERS, id, false)])
            .await
            .unwrap();
        let (deleted, name): (bool, String) =
            sqlx::query_as("SELECT _deleted, first_name FROM users WHERE id = ?")
                .bind(id.to_string())
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert!(!deleted);
        assert_eq!(name, "Ann", "undelete loses nothing");
    });
}

#[test]
fn the_same_relation_added_on_two_devices_is_one_row() {
    common::runtime().block_on(async {
        let (_a, a) = common::store().await;
        let (_b, b) = common::store().await;
        let (user, team) = (Uuid::new_v4(), Uuid::new_v4());
        let id = kith_core::ids::relation_id(USER_TEAMS.name, user, team);
        let edit = || {
            Edit::new(&USER_TEAMS, id)
                .set("user_id", user.to_string())
                .set("team_id", team.to_string())
                .set("_deleted", Value::Bool(false))
        };
        let from_a = a.commit(vec![edit()]).await.unwrap();
        let from_b = b.commit(vec![edit()]).await.unwrap();
        a.merge(&from_b).await.unwrap();
        b.merge(&from_a).await.unwrap();
        for s in [&a, &b] {
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM user_teams")
                .fetch_one(s.pool())
                .await
                .unwrap();
            assert_eq!(n, 1);
        }
        assert_eq!(common::dump(&a).await, common::dump(&b).await);
    });
}

#[test]
fn big_batches_and_a_clock_far_ahead_do_not_exhaust_the_clock() {
    use kith_core::protocol::{Change, NodeId};
    common::runtime().block_on(async {
        let (_d, store) = common::store().await;
        // 70,000 local writes in one commit (more than one millisecond's counter).
        let edits: Vec<Edit> = (0..70_000u128)
            .map(|i| Edit::create(&USERS, Uuid::from_u128(i + 1)).set("first_name", "A"))
            .collect();
        let changes = store.commit(edits).await.unwrap();
        assert!(
            changes.windows(2).all(|w| w[0].hlc < w[1].hlc),
            "distinct, ordered clocks"
        );

        // 70,000 remote changes in one merge, then a remote change 20 hours ahead.
        let node = NodeId(Uuid::from_u128(99));
        let now = kith_core::store::system_ms();
        let remote: Vec<Change> = (0..70_000u64)
            .map(|i| Change {
                table: "users".into(),
                row: Uuid::from_u128(1_000_000 + u128::from(i)),
                hlc: Hlc(Hlc::new(now, 0).0 + i),
                node,
                fields: [("last_name".to_owned(), Value::from("B"))].into(),
            })
            .collect();
        store.merge(&remote).await.unwrap();
        let ahead = Change {
            table: "users".into(),
            row: Uuid::from_u128(5),
            hlc: Hlc::new(now + 20 * 3600 * 1000, 0),
            node,
            fields: [("last_name".to_owned(), Value::from("C"))].into(),
        };
        store.merge(std::slice::from_ref(&ahead)).await.unwrap();
        let edits: Vec<Edit> = (0..70_000u128)
            .map(|i| Edit::new(&USERS, Uuid::from_u128(i + 1)).set("last_name", "D"))
            .collect();
        let after = store.commit(edits).await.unwrap();
        assert!(
            after[0].hlc > ahead.hlc,
            "local writes follow the newest clock seen"
        );
    });
}

#[test]
fn two_processes_on_one_database_never_fail_or_share_a_stamp() {
    common::runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kith.db");
        let a = std::sync::Arc::new(Store::open(&path).await.unwrap());
        let b = std::sync::Arc::new(Store::open(&path).await.unwrap());
        assert_eq!(a.node(), b.node(), "one database, one node id");
        let mut tasks = Vec::new();
        for (n, store) in [a.clone(), b.clone()].into_iter().enumerate() {
            tasks.push(tokio::spawn(async move {
                for i in 0..150u128 {
                    let id = Uuid::from_u128((n as u128) << 64 | (i + 1));
                    store
                        .commit(vec![Edit::create(&USERS, id).set("first_name", "X")])
                        .await
                        .expect("no 'database is locked'");
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let (total, distinct): (i64, i64) =
            sqlx::query_as("SELECT count(*), count(DISTINCT hlc) FROM pending_changes")
                .fetch_one(a.pool())
                .await
                .unwrap();
        assert_eq!(total, 300);
        assert_eq!(distinct, 300, "every write has its own clock");
    });
}

#[test]
fn demo_data_stays_out_of_the_outbox() {
    common::runtime().block_on(async {
        let (_d, store) = common::store().await;
        kith_core::demo::generate(&store, 50, 1).await.unwrap();
        assert!(
            store.outbox(10).await.unwrap().is_empty(),
            "demo users are never synced"
        );
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(n, 50);
    });
}

#[test]
fn closing_folds_the_write_ahead_log_back_into_the_database() {
    common::runtime().block_on(async {
        let (d, store) = common::store().await;
        // The app and kith-cli on the same file: SQLite's own checkpoint on close
        // only runs for the last connection, so this one would leave the WAL.
        let other = Store::open(&d.path().join("kith.db")).await.unwrap();
        let edits = (0..2_000)
            .map(|i| Edit::create(&USERS, Uuid::new_v4()).set("first_name", format!("U{i}")))
            .collect();
        store.commit(edits).await.unwrap();
        let wal = d.path().join("kith.db-wal");
        assert!(
            std::fs::metadata(&wal).unwrap().len() > 0,
            "the commit went to the WAL"
        );
        store.close().await;
        let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(left, 0, "no WAL left behind");
        other.close().await;
        let reopened = Store::open(&d.path().join("kith.db")).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(reopened.pool())
            .await
            .unwrap();
        assert_eq!(n, 2_000);
    });
}

#[test]
fn creating_a_row_whose_id_exists_fails_the_commit_instead_of_merging() {
    common::runtime().block_on(async {
        let (_d, store) = common::store().await;
        let id = Uuid::new_v4();
        store
            .commit(vec![Edit::create(&USERS, id).set("first_name", "Ann")])
            .await
            .unwrap();
        let again = store
            .commit(vec![Edit::create(&USERS, id).set("first_name", "Bob")])
            .await;
        assert!(again.is_err(), "Edit::create promises a new id");
        let first: Option<String> = sqlx::query_scalar("SELECT first_name FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(first.as_deref(), Some("Ann"));
        assert_eq!(store.outbox(10).await.unwrap().len(), 1);
    });
}

async fn users_indexes(store: &Store) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' \
         AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
}

#[test]
fn deferred_indexes_are_built_again_on_finish_and_restored_on_rollback() {
    common::runtime().block_on(async {
        let (_d, store) = common::store().await;
        let before = users_indexes(&store).await;
        assert!(before.len() >= 10, "{before:?}");

        // Rolled back: the drop is undone with everything else.
        let mut bulk = store.bulk().await.unwrap();
        bulk.defer_indexes(&USERS, &["users_by_email"]).await.unwrap();
        let during: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' AND sql IS NOT NULL",
        )
        .fetch_all(bulk.conn())
        .await
        .unwrap();
        assert_eq!(during, vec!["users_by_email".to_owned()]);
        drop(bulk);
        assert_eq!(users_indexes(&store).await, before);

        // Finished: the same indexes, the same definitions, filled with the rows.
        let mut bulk = store.bulk().await.unwrap();
        bulk.defer_indexes(&USERS, &[]).await.unwrap();
        let ids: Vec<Uuid> = (0..50).map(|_| Uuid::now_v7()).collect();
        bulk.commit(
            ids.iter()
                .enumerate()
                .map(|(i, id)| Edit::create(&USERS, *id).set("last_name", format!("L{i:02}")))
                .collect(),
        )
        .await
        .unwrap();
        bulk.finish().await.unwrap();
        assert_eq!(users_indexes(&store).await, before);
        let by_last: Vec<String> = sqlx::query_scalar(
            "SELECT last_key FROM users INDEXED BY users_by_last WHERE _deleted = 0 AND last_key >= '' ORDER BY last_key LIMIT 3",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(by_last, vec!["l00", "l01", "l02"]);
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(check, "ok");
    });
}

/// Opens `dir` and returns the slow steps the open reported.
async fn open_seeing_steps(
    dir: &std::path::Path,
) -> (kith_core::Kith, Vec<kith_core::store::OpenStep>) {
    let steps = std::sync::Mutex::new(Vec::new());
    let kith =
        kith_core::Kith::open_observed(dir, Box::new(kith_core::store::system_ms), &|step| {
            steps.lock().unwrap().push(step)
        })
        .await
        .unwrap();
    (kith, steps.into_inner().unwrap())
}

#[test]
fn an_open_reports_an_upgrade_and_an_index_rebuild_and_nothing_when_there_is_none() {
    use kith_core::store::{OpenStep, SearchIndex};
    common::runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        // A new database is created, not upgraded.
        let (kith, steps) = open_seeing_steps(dir.path()).await;
        assert_eq!(steps, vec![]);
        let ann = common::user(&kith, "Ann", "Lee").await;
        // A database as a Kith from before migration 16 left it: that migration
        // (which redefines the users search index) runs again on open.
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 16")
            .execute(kith.store().pool())
            .await
            .unwrap();
        kith.store().close().await;
        drop(kith);

        let (kith, steps) = open_seeing_steps(dir.path()).await;
        assert_eq!(
            steps,
            vec![
                OpenStep::Upgrading,
                OpenStep::Reindexing(SearchIndex::Users)
            ]
        );
        assert_eq!(common::found(&kith, "ann lee").await, vec![ann]);
        assert_eq!(kith.store().search_index_drift().await.unwrap(), 0);
        kith.store().close().await;
        drop(kith);

        let (_kith, steps) = open_seeing_steps(dir.path()).await;
        assert_eq!(steps, vec![], "the upgrade and the rebuild happen once");
    });
}

/// Another program writing (a kith-cli import holds the write lock for its whole
/// run): the open says it waits, past the 10 s a statement would, and goes on
/// once the lock is let go, with nothing lost of what that program wrote.
#[test]
fn an_open_waits_for_another_programs_write_and_says_so() {
    use kith_core::store::OpenStep;
    use sqlx::Connection;
    common::runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (kith, _) = open_seeing_steps(dir.path()).await;
        kith.store().close().await;
        drop(kith);

        // The other program: its own connection, in the middle of a write.
        let db = dir.path().join("kith.db");
        let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .unwrap();
        sqlx::query("INSERT INTO meta (key, value) VALUES ('other_program', 'was here')")
            .execute(&mut other)
            .await
            .unwrap();

        let steps = std::sync::Mutex::new(Vec::new());
        let observe = |step| steps.lock().unwrap().push(step);
        let open = kith_core::Kith::open_observed(
            dir.path(),
            Box::new(kith_core::store::system_ms),
            &observe,
        );
        let other_finishes = async {
            let started = std::time::Instant::now();
            while !steps.lock().unwrap().contains(&OpenStep::WaitingForWriter) {
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(10),
                    "no waiting step"
                );
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            // Longer than a statement's busy timeout would have allowed.
            tokio::time::sleep(std::time::Duration::from_secs(11)).await;
            sqlx::query("COMMIT").execute(&mut other).await.unwrap();
        };
        let (opened, ()) = tokio::join!(open, other_finishes);
        let kith = opened.unwrap();
        assert_eq!(
            steps.into_inner().unwrap(),
            vec![OpenStep::WaitingForWriter]
        );
        let kept: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'other_program'")
            .fetch_one(kith.store().pool())
            .await
            .unwrap();
        assert_eq!(kept, "was here");
        // The waiting connection went back to the pool with the usual timeout.
        let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(kith.store().pool())
            .await
            .unwrap();
        assert_eq!(timeout, 10_000);
    });
}

/// A write refused because another connection holds the lock is known as such,
/// so the app can say another program is writing instead of "database is locked".
#[test]
fn a_write_refused_for_another_writer_is_busy() {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::ConnectOptions;
    common::runtime().block_on(async {
        let (dir, _store) = common::store().await;
        let db = dir.path().join("kith.db");
        let mut holder = SqliteConnectOptions::new()
            .filename(&db)
            .connect()
            .await
            .unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut holder)
            .await
            .unwrap();
        let mut other = SqliteConnectOptions::new()
            .filename(&db)
            .busy_timeout(std::time::Duration::ZERO)
            .connect()
            .await
            .unwrap();
        let refused = sqlx::query("INSERT INTO meta (key, value) VALUES ('x', 'y')")
            .execute(&mut other)
            .await
            .unwrap_err();
        assert!(kith_core::CoreError::from(refused).is_busy());
        let not_busy = sqlx::query("SELECT * FROM no_such_table")
            .execute(&mut other)
            .await
            .unwrap_err();
        assert!(!kith_core::CoreError::from(not_busy).is_busy());
    });
}

async fn first_name_stamp(kith: &kith_core::Kith, id: Uuid) -> Option<kith_core::protocol::Stamp> {
    kith.store()
        .field_stamp(&USERS, id, "first_name")
        .await
        .unwrap()
}

/// The stamps of the fields the upgrade test below wrote after creating the rows.
async fn written_stamps(
    kith: &kith_core::Kith,
    users: [Uuid; 2],
    note: Uuid,
) -> Vec<Option<kith_core::protocol::Stamp>> {
    let store = kith.store();
    let mut stamps = Vec::new();
    for id in users {
        stamps.push(first_name_stamp(kith, id).await);
    }
    stamps.push(
        store
            .field_stamp(&USERS, users[1], "_deleted")
            .await
            .unwrap(),
    );
    for column in ["body", "pinned"] {
        stamps.push(store.field_stamp(&NOTES, note, column).await.unwrap());
    }
    stamps
}

/// Migration 17 re-keys field clocks by rid, and 18 moves them into their rows: a
/// database from before both keeps every field's stamp, of every table, and edits
/// after the upgrade still merge by them.
#[test]
fn field_clocks_survive_the_upgrades_that_key_them_by_rid_then_move_them_into_rows() {
    common::runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (kith, _) = open_seeing_steps(dir.path()).await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let bob = common::user(&kith, "Bob", "Ray").await;
        for (id, name) in [(ann, "Anna"), (bob, "Bobby")] {
            kith.store()
                .commit(vec![Edit::new(&USERS, id).set("first_name", name)])
                .await
                .unwrap();
        }
        let note = Uuid::new_v4();
        let store = kith.store();
        store
            .commit(vec![Edit::create(&NOTES, note)
                .set("user_id", ann.to_string())
                .set("body", "Called")])
            .await
            .unwrap();
        store
            .commit(vec![
                Edit::new(&NOTES, note).set("body", "Called back"),
                Edit::new(&NOTES, note).set("pinned", true),
                Edit::new(&USERS, bob).set("_deleted", true),
            ])
            .await
            .unwrap();
        let before = written_stamps(&kith, [ann, bob], note).await;
        assert!(before.iter().all(Option::is_some), "{before:?}");

        // The clocks as migrations 1 to 16 kept them: in a table of their own, by
        // the row's UUID text. One transaction on one connection, so no other
        // connection's schema is stale.
        let mut tx = store.pool().begin().await.unwrap();
        sqlx::query(
            "CREATE TABLE field_clock (tbl TEXT NOT NULL, row TEXT NOT NULL, col TEXT NOT NULL, \
             hlc INTEGER NOT NULL, node TEXT NOT NULL, PRIMARY KEY (tbl, row, col)) WITHOUT ROWID",
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        for table in kith_core::schema::TABLES {
            sqlx::query(&format!(
                "INSERT INTO field_clock SELECT '{t}', t.id, c.key, c.value ->> 0, c.value ->> 1 \
                 FROM {t} t, json_each(t._clocks) c",
                t = table.name
            ))
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(&format!("ALTER TABLE {} DROP COLUMN _clocks", table.name))
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        let moved: Vec<(String, String)> =
            sqlx::query_as("SELECT tbl, col FROM field_clock WHERE col IN ('first_name', '_deleted', 'body', 'pinned') ORDER BY tbl, col")
                .fetch_all(&mut *tx)
                .await
                .unwrap();
        let moved: Vec<String> = moved.into_iter().map(|(t, c)| format!("{t}.{c}")).collect();
        assert_eq!(
            moved,
            [
                "notes.body",
                "notes.pinned",
                "users._deleted",
                "users.first_name",
                "users.first_name"
            ]
        );
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version IN (17, 18)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        store.close().await;
        drop(kith);

        let (kith, steps) = open_seeing_steps(dir.path()).await;
        assert_eq!(steps, vec![kith_core::store::OpenStep::Upgrading]);
        let after = written_stamps(&kith, [ann, bob], note).await;
        assert_eq!(after, before);
        let table_left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 'field_clock'")
                .fetch_one(kith.store().pool())
                .await
                .unwrap();
        assert_eq!(table_left, 0);
        // A remote change older than Ann's edit still loses to it.
        let old = before[0].unwrap();
        let change = kith_core::protocol::Change {
            table: USERS.name.into(),
            row: ann,
            hlc: Hlc::from_i64(old.hlc.as_i64() - 1),
            node: kith_core::protocol::NodeId::random(),
            fields: [("first_name".to_owned(), Value::from("Stale"))].into(),
        };
        assert_eq!(kith.store().merge(&[change]).await.unwrap().applied, 0);
        let first: String = sqlx::query_scalar("SELECT first_name FROM users WHERE id = ?")
            .bind(ann.to_string())
            .fetch_one(kith.store().pool())
            .await
            .unwrap();
        assert_eq!(first, "Anna");
    });
}
