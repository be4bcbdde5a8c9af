//! Sync pieces that need no server: the local checksum and re-stamping after a
//! server refused our clock.

mod common;

use kith_core::protocol::{Change, Hlc, NodeId, Value};
use kith_core::schema::USERS;
use kith_core::store::{system_ms, Edit, Store};
use kith_core::sync::local_checksum;
use uuid::Uuid;

async fn checksum(store: &Store) -> String {
    local_checksum(store.pool()).await.unwrap().to_hex()
}

fn change(table: &str, row: Uuid, hlc: u64, node: NodeId, fields: &[(&str, Value)]) -> Change {
    Change {
        table: table.into(),
        row,
        hlc: Hlc::new(hlc, 0),
        node,
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

#[test]
fn sync_checksum_is_equal_for_equal_data_whatever_the_order_and_nulls() {
    common::runtime().block_on(async {
        let (_a, a) = common::store().await;
        let (_b, b) = common::store().await;
        let (_c, empty) = common::store().await;
        let node = NodeId::random();
        let (ann, bo, note) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let created = vec![
            // A full row with explicit nulls on one side...
            Change {
                fields: USERS
                    .columns
                    .iter()
                    .map(|c| (c.name.to_owned(), Value::Null))
                    .chain([
                        ("_deleted".to_owned(), Value::Bool(false)),
                        ("first_name".to_owned(), Value::from("Ann")),
                    ])
                    .collect(),
                ..change("users", ann, 1_000, node, &[])
            },
            change(
                "users",
                bo,
                1_001,
                node,
                &[("_deleted", false.into()), ("first_name", "Bo".into())],
            ),
            change(
                "notes",
                note,
                1_002,
                node,
                &[
                    ("_deleted", false.into()),
                    ("user_id", ann.to_string().into()),
                    ("pinned", true.into()),
                ],
            ),
            change(
                "users",
                bo,
                1_003,
                node,
                &[("email", "bo@example.com".into())],
            ),
        ];
        a.merge(&created).await.unwrap();
        // ...applied in another order, one at a time, and twice, on the other.
        for c in created.iter().rev().chain(created.iter()) {
            b.merge(std::slice::from_ref(c)).await.unwrap();
        }
        assert_eq!(checksum(&a).await, checksum(&b).await);
        assert_ne!(checksum(&a).await, checksum(&empty).await);

        // A tombstone is a field like any other; so is a boolean's value.
        let tombstone = [change(
            "users",
            bo,
            2_000,
            node,
            &[("_deleted", true.into())],
        )];
        b.merge(&tombstone).await.unwrap();
        assert_ne!(checksum(&a).await, checksum(&b).await);
        a.merge(&tombstone).await.unwrap();
        assert_eq!(checksum(&a).await, checksum(&b).await);
        a.merge(&[change(
            "notes",
            note,
            2_001,
            node,
            &[("pinned", false.into())],
        )])
        .await
        .unwrap();
        assert_ne!(checksum(&a).await, checksum(&b).await);
    });
}

/// How far ahead the wall clock of [`store_ahead`]'s store runs.
const AHEAD_MS: u64 = 3 * 3600 * 1000;

/// A store in a new directory whose wall clock runs three hours ahead.
async fn store_ahead() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with_clock(
        &dir.path().join("kith.db"),
        Box::new(|| system_ms() + AHEAD_MS),
    )
    .await
    .unwrap();
    (dir, store)
}

#[test]
fn sync_restamping_a_large_outbox_goes_page_by_page_in_order() {
    common::runtime().block_on(async {
        let (_dir, store) = store_ahead().await;
        // More changes than a page of the re-stamp (1,000), as after an import.
        let ids: Vec<Uuid> = (0..2_500).map(|_| Uuid::new_v4()).collect();
        store
            .commit(
                ids.iter()
                    .enumerate()
                    .map(|(i, id)| Edit::create(&USERS, *id).set("first_name", format!("U{i}")))
                    .collect(),
            )
            .await
            .unwrap();
        let before = checksum(&store).await;
        store.set_clock_offset(-(AHEAD_MS as i64)).await.unwrap();
        assert_eq!(store.restamp_outbox().await.unwrap(), 2_500);

        let outbox = store.outbox(3_000).await.unwrap();
        assert_eq!(outbox.len(), 2_500);
        let now = system_ms();
        for (i, (_, c)) in outbox.iter().enumerate() {
            assert!(c.hlc.millis() <= now + 1_000, "#{i} {} is not now", c.hlc);
            if i > 0 {
                assert!(c.hlc > outbox[i - 1].1.hlc, "#{i}: outbox order is kept");
            }
        }
        // The first user of each page, and the last: their clocks moved with the outbox.
        for i in [0, 999, 1_000, 2_000, 2_499] {
            let (_, c) = &outbox[i];
            let stamp = store
                .field_stamp(&USERS, c.row, "first_name")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(stamp, c.stamp(), "#{i}");
        }
        assert_eq!(checksum(&store).await, before, "values do not change");
    });
}

/// A re-stamped edit must still beat what it beat: its new stamp starts above
/// every stamp another desktop wrote, even one ahead of the corrected time and
/// since overwritten here. A store that merged before Kith remembered the newest
/// such stamp still starts above every one its data holds.
#[test]
fn sync_restamped_edits_stay_above_every_stamp_another_desktop_wrote() {
    common::runtime().block_on(async {
        for from_before_seen_hlc in [false, true] {
            let (_dir, store) = store_ahead().await;
            let other = NodeId::random();
            let id = Uuid::new_v4();
            let created = change(
                "users",
                id,
                system_ms() - 1_000,
                other,
                &[("_deleted", false.into()), ("last_name", "Old".into())],
            );
            // Another desktop, its clock ahead, renamed the user.
            let first = change(
                "users",
                id,
                system_ms() + AHEAD_MS / 4,
                other,
                &[("first_name", "Remote".into())],
            );
            let last = change(
                "users",
                id,
                system_ms() + AHEAD_MS / 3,
                other,
                &[("last_name", "Remote".into())],
            );
            store
                .merge(&[created, first.clone(), last.clone()])
                .await
                .unwrap();
            // An older change of that desktop arriving later does not lower the
            // newest stamp seen.
            let older = change(
                "users",
                Uuid::new_v4(),
                system_ms() - 60_000,
                other,
                &[("_deleted", false.into()), ("last_name", "Late".into())],
            );
            store.merge(&[older]).await.unwrap();
            // Our clock, three hours ahead, renames the user after it.
            store
                .commit(vec![Edit::new(&USERS, id).set("last_name", "Lee")])
                .await
                .unwrap();
            if from_before_seen_hlc {
                sqlx::query("DELETE FROM meta WHERE key = 'seen_hlc'")
                    .execute(store.pool())
                    .await
                    .unwrap();
            }

            store.set_clock_offset(-(AHEAD_MS as i64)).await.unwrap();
            assert_eq!(store.restamp_outbox().await.unwrap(), 1);
            let ours = store.outbox(10).await.unwrap()[0].1.stamp();
            // The data keeps only the first name's stamp: our edit overwrote the
            // last name's.
            let beaten = if from_before_seen_hlc { &first } else { &last };
            assert!(
                ours > beaten.stamp(),
                "{from_before_seen_hlc}: {ours:?} must beat {:?}",
                beaten.stamp()
            );
            assert_eq!(
                store.field_stamp(&USERS, id, "last_name").await.unwrap(),
                Some(ours)
            );
            if from_before_seen_hlc {
                continue;
            }
            // The other desktop's rename arriving again still loses to ours.
            assert_eq!(store.merge(&[last]).await.unwrap().applied, 0);
            let name: String = sqlx::query_scalar("SELECT last_name FROM users WHERE id = ?")
                .bind(id.to_string())
                .fetch_one(store.pool())
                .await
                .unwrap();
            assert_eq!(name, "Lee");
        }
    });
}

#[test]
fn sync_restamping_moves_outbox_and_field_clocks_together_and_keeps_the_values() {
    common::runtime().block_on(async {
        let (dir, store) = store_ahead().await;
        let other = NodeId::random();
        let id = Uuid::new_v4();
        // A remote edit from the real present, which our future edit beats.
        store
            .merge(&[change(
                "users",
                id,
                system_ms() - 1_000,
                other,
                &[("_deleted", false.into()), ("last_name", "Old".into())],
            )])
            .await
            .unwrap();
        store
            .commit(vec![
                Edit::new(&USERS, id).set("last_name", "Lee"),
                Edit::new(&USERS, id).set("first_name", "Ann"),
            ])
            .await
            .unwrap();
        let fresh = Uuid::new_v4();
        store
            .commit(vec![Edit::create(&USERS, fresh).set("first_name", "Cy")])
            .await
            .unwrap();
        // Our own future change coming back from the server is no other desktop's
        // stamp: the re-stamp must not start above it.
        store
            .merge(&[change(
                "users",
                Uuid::new_v4(),
                system_ms() + AHEAD_MS,
                store.node(),
                &[("_deleted", false.into()), ("last_name", "Echo".into())],
            )])
            .await
            .unwrap();
        let before = checksum(&store).await;
        let outbox = store.outbox(10).await.unwrap();
        assert!(outbox
            .iter()
            .all(|(_, c)| c.hlc.millis() > system_ms() + AHEAD_MS / 2));

        // The server says our clock is three hours ahead.
        store.set_clock_offset(-(AHEAD_MS as i64)).await.unwrap();
        assert_eq!(store.restamp_outbox().await.unwrap(), 3);

        let restamped = store.outbox(10).await.unwrap();
        let now = system_ms();
        for (i, (_, c)) in restamped.iter().enumerate() {
            assert!(c.hlc.millis() <= now + 1_000, "{} is not now", c.hlc);
            assert!(c.hlc.millis() + 60_000 > now);
            if i > 0 {
                assert!(c.hlc > restamped[i - 1].1.hlc, "outbox order is kept");
            }
            assert_eq!(c.fields, outbox[i].1.fields);
            // Local clocks agree with what the server will hold.
            for col in c.fields.keys() {
                let stamp = store
                    .field_stamp(&USERS, c.row, col)
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(stamp, c.stamp(), "{col} of {}", c.row);
            }
        }
        assert_eq!(checksum(&store).await, before, "values do not change");
        // The next edit is stamped in corrected time, after the re-stamped ones.
        let next = store
            .commit(vec![Edit::new(&USERS, id).set("email", "ann@example.com")])
            .await
            .unwrap();
        assert!(next[0].hlc > restamped.last().unwrap().1.hlc);
        assert!(next[0].hlc.millis() <= system_ms() + 1_000);
        // The learnt offset survives a restart.
        store.close().await;
        drop(store);
        let reopened = Store::open_with_clock(
            &dir.path().join("kith.db"),
            Box::new(|| system_ms() + AHEAD_MS),
        )
        .await
        .unwrap();
        assert_eq!(reopened.clock_offset_ms(), -(AHEAD_MS as i64));
        assert!(reopened.now_ms() <= system_ms() + 1_000);
    });
}
