//! The store's write path: outbox, persisted clock, tombstones, relation ids.

mod common;

use kith_core::protocol::{Hlc, Value};
use kith_core::schema::{USERS, USER_TEAMS};
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
