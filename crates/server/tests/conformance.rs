//! The `Store` conformance suite: every case runs on SQLite (a real file) and on
//! PostgreSQL (a database of its own on `KITH_TEST_POSTGRES_URL`).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use common::{change, now_ms, PgDb};
use kith_protocol::sync::{Checksum, Role};
use kith_protocol::{schema, Change, NodeId, Value};
use kith_server::admin;
use kith_server::credentials::PasswordCost;
use kith_server::store::{self, Store};
use kith_server::StoreError;
use uuid::Uuid;

/// A workspace with one account; returns (workspace, account).
async fn workspace(store: &dyn Store, name: &str) -> (Uuid, Uuid) {
    let (ws, owner) = admin::init_workspace(
        store,
        PasswordCost::Cheap,
        name,
        &format!("owner@{name}.test"),
        "Owner",
        "password1",
    )
    .await
    .unwrap();
    (ws.id, owner)
}

/// A device of `account`: (device id, node).
async fn device(store: &dyn Store, ws: Uuid, account: Uuid) -> (Uuid, NodeId) {
    let node = NodeId::random();
    let token = Uuid::new_v4().to_string();
    let id = store
        .upsert_device(ws, account, node, "laptop", &token)
        .await
        .unwrap()
        .id;
    (id, node)
}

/// The field values a store holds, read through its snapshot.
async fn state(store: &dyn Store, ws: Uuid) -> BTreeMap<(String, Uuid, String), Value> {
    let mut out = BTreeMap::new();
    let mut cursor = None;
    loop {
        let page = store.snapshot(ws, cursor.as_ref(), 64).await.unwrap();
        for c in page.changes {
            for (k, v) in c.fields {
                out.insert((c.table.clone(), c.row, k), v);
            }
        }
        match page.next {
            Some(n) => cursor = Some(store::SnapshotCursor::decode(&n).unwrap()),
            None => return out,
        }
    }
}

async fn push_retry_is_idempotent(store: Arc<dyn Store>) {
    let (ws, acc) = workspace(store.as_ref(), "retry").await;
    let (dev, node) = device(store.as_ref(), ws, acc).await;
    let head0 = store.head(ws).await.unwrap();
    let cs: Vec<Change> = (0..4)
        .map(|i| {
            change(
                node,
                Uuid::new_v4(),
                1000 + i,
                &[("first_name", "A".into())],
            )
        })
        .collect();
    let r = store.push(ws, dev, 1, &cs[..3]).await.unwrap();
    assert_eq!((r.acked, r.head), (3, head0 + 3));
    // The response was lost: the same push again changes nothing.
    let again = store.push(ws, dev, 1, &cs[..3]).await.unwrap();
    assert_eq!(again, r);
    // A push overlapping what is held keeps only the new change.
    let r = store.push(ws, dev, 2, &cs[1..]).await.unwrap();
    assert_eq!((r.acked, r.head), (4, head0 + 4));
    let pulled = store.pull(ws, head0, 100, None).await.unwrap();
    assert_eq!(pulled.changes, cs);
}

async fn counter_gap_is_refused(store: Arc<dyn Store>) {
    let (ws, acc) = workspace(store.as_ref(), "gap").await;
    let (dev, node) = device(store.as_ref(), ws, acc).await;
    let c = change(node, Uuid::new_v4(), 5, &[("first_name", "A".into())]);
    let head = store.head(ws).await.unwrap();
    match store.push(ws, dev, 3, std::slice::from_ref(&c)).await {
        Err(StoreError::CounterGap { expected }) => assert_eq!(expected, 1),
        other => panic!("expected a counter gap, got {other:?}"),
    }
    assert_eq!(store.head(ws).await.unwrap(), head, "nothing written");
    store
        .push(ws, dev, 1, std::slice::from_ref(&c))
        .await
        .unwrap();
    assert!(matches!(
        store.push(ws, dev, 3, &[c]).await,
        Err(StoreError::CounterGap { expected: 2 })
    ));
}

/// Pullers that follow `through` while many devices push concurrently must see
/// every change exactly once: a sequence is only ever visible after all lower ones.
async fn sequence_order_is_commit_order(store: Arc<dyn Store>) {
    let (ws, acc) = workspace(store.as_ref(), "concurrent").await;
    let start = store.head(ws).await.unwrap();
    const DEVICES: usize = 6;
    const BATCHES: u64 = 8;
    const PER_BATCH: u64 = 5;
    let mut pushers = Vec::new();
    for _ in 0..DEVICES {
        let (dev, node) = device(store.as_ref(), ws, acc).await;
        let store = store.clone();
        pushers.push(tokio::spawn(async move {
            for b in 0..BATCHES {
                let cs: Vec<Change> = (0..PER_BATCH)
                    .map(|i| {
                        let counter = b * PER_BATCH + i + 1;
                        change(
                            node,
                            Uuid::new_v4(),
                            1000 + counter,
                            &[("first_name", Value::Text(counter.to_string()))],
                        )
                    })
                    .collect();
                store.push(ws, dev, b * PER_BATCH + 1, &cs).await.unwrap();
            }
        }));
    }
    let total = DEVICES as u64 * BATCHES * PER_BATCH;
    let puller = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut since = start;
            while (seen.len() as u64) < total {
                let page = store.pull(ws, since, 7, None).await.unwrap();
                seen.extend(page.changes);
                since = page.through;
                tokio::task::yield_now().await;
            }
            seen
        })
    };
    for p in pushers {
        p.await.unwrap();
    }
    let seen = tokio::time::timeout(std::time::Duration::from_secs(60), puller)
        .await
        .expect("puller finished")
        .unwrap();
    assert_eq!(seen.len() as u64, total);
    let rows: BTreeSet<Uuid> = seen.iter().map(|c| c.row).collect();
    assert_eq!(rows.len() as u64, total, "no change seen twice");
    // Each device's changes appear in its counter order.
    let mut last: HashMap<NodeId, u64> = HashMap::new();
    for c in &seen {
        let prev = last.insert(c.node, c.hlc.millis()).unwrap_or(0);
        assert!(c.hlc.millis() > prev);
    }
    assert_eq!(store.head(ws).await.unwrap(), start + total);
}

async fn field_state_is_last_writer_wins(store: Arc<dyn Store>) {
    let (ws, acc) = workspace(store.as_ref(), "lww").await;
    let (d1, n1) = device(store.as_ref(), ws, acc).await;
    let (d2, n2) = device(store.as_ref(), ws, acc).await;
    let row = Uuid::new_v4();
    // The newer write arrives first; the older one must not replace it.
    store
        .push(
            ws,
            d1,
            1,
            &[change(
                n1,
                row,
                200,
                &[("first_name", "new".into()), ("last_name", "L1".into())],
            )],
        )
        .await
        .unwrap();
    store
        .push(
            ws,
            d2,
            1,
            &[change(
                n2,
                row,
                100,
                &[("first_name", "old".into()), ("email", "a@b.c".into())],
            )],
        )
        .await
        .unwrap();
    // Equal clocks: the greater node id wins, whichever arrives first.
    let (hi, hi_dev, lo, lo_dev) = if n1 > n2 {
        (n1, d1, n2, d2)
    } else {
        (n2, d2, n1, d1)
    };
    store
        .push(
            ws,
            hi_dev,
            2,
            &[change(hi, row, 300, &[("last_name", "high".into())])],
        )
        .await
        .unwrap();
    store
        .push(
            ws,
            lo_dev,
            2,
            &[change(lo, row, 300, &[("last_name", "low".into())])],
        )
        .await
        .unwrap();
    let s = state(store.as_ref(), ws).await;
    let get = |c: &str| s.get(&("users".to_owned(), row, c.to_owned())).cloned();
    assert_eq!(get("first_name"), Some("new".into()));
    assert_eq!(get("email"), Some("a@b.c".into()));
    assert_eq!(get("last_name"), Some("high".into()));
    // The snapshot keeps each field's own stamp.
    let snap = store.snapshot(ws, None, 1000).await.unwrap();
    let users: Vec<&Change> = snap.changes.iter().filter(|c| c.row == row).collect();
    let last = users
        .iter()
        .find(|c| c.fields.contains_key("last_name"))
        .unwrap();
    assert_eq!((last.hlc.millis(), last.node), (300, hi));
    let first = users
        .iter()
        .find(|c| c.fields.contains_key("first_name"))
        .unwrap();
    assert_eq!((first.hlc.millis(), first.node), (200, n1));
}

/// One push writing a field several times, newest first or not: the field keeps
/// the latest, and every change is in the log (PostgreSQL refuses one statement
/// updating a row twice, so the push must not send it one).
async fn one_push_writing_a_field_twice_keeps_the_latest(store: Arc<dyn Store>) {
    let (ws, acc) = workspace(store.as_ref(), "twice").await;
    let (dev, node) = device(store.as_ref(), ws, acc).await;
    let row = Uuid::new_v4();
    let pushed = store
        .push(
            ws,
            dev,
            1,
            &[
                change(node, row, 200, &[("first_name", "second".into())]),
                change(node, row, 100, &[("first_name", "first".into())]),
                change(node, row, 300, &[("last_name", "third".into())]),
                change(node, row, 400, &[("last_name", "fourth".into())]),
            ],
        )
        .await
        .unwrap();
    assert_eq!(pushed.acked, 4);
    let s = state(store.as_ref(), ws).await;
    let get = |c: &str| s.get(&("users".to_owned(), row, c.to_owned())).cloned();
    assert_eq!(get("first_name"), Some("second".into()));
    assert_eq!(get("last_name"), Some("fourth".into()));
    let pulled = store.pull(ws, 0, 100, None).await.unwrap();
    let mine: Vec<u64> = pulled
        .changes
        .iter()
        .filter(|c| c.row == row)
        .map(|c| c.hlc.millis())
        .collect();
    assert_eq!(
        mine,
        vec![200, 100, 300, 400],
        "the log keeps every change in push order"
    );
}

/// Snapshot pages carry every kind of value exactly: text that looks like JSON,
/// quotes, backslashes, newlines, accents and emoji, large integers, booleans and
/// nulls (each backend groups a row's fields in SQL before they are decoded).
async fn snapshot_values_round_trip_exactly(store: Arc<dyn Store>) {
    let (ws, acc) = workspace(store.as_ref(), "values").await;
    let (dev, node) = device(store.as_ref(), ws, acc).await;
    let row = Uuid::new_v4();
    let fields: Vec<(&str, Value)> = vec![
        ("first_name", "Zoë \"Z\" \\ 🦊\nline two".into()),
        ("last_name", r#"{"not":"json"}"#.into()),
        ("email", Value::Null),
        ("_deleted", true.into()),
        ("created_at", Value::Int(9_007_199_254_740_993)),
    ];
    store
        .push(ws, dev, 1, &[change(node, row, 500, &fields)])
        .await
        .unwrap();
    let s = state(store.as_ref(), ws).await;
    for (column, value) in fields {
        assert_eq!(
            s.get(&("users".to_owned(), row, column.to_owned())),
            Some(&value),
            "{column}"
        );
    }
}

async fn pull_pages_and_skips_own_changes(store: Arc<dyn Store>) {
    let (ws, acc) = workspace(store.as_ref(), "paging").await;
    let (d1, n1) = device(store.as_ref(), ws, acc).await;
    let (d2, n2) = device(store.as_ref(), ws, acc).await;
    let start = store.head(ws).await.unwrap();
    let mine: Vec<Change> = (0..5)
        .map(|i| change(n1, Uuid::new_v4(), 10 + i, &[("first_name", "m".into())]))
        .collect();
    let theirs: Vec<Change> = (0..25)
        .map(|i| change(n2, Uuid::new_v4(), 10 + i, &[("first_name", "t".into())]))
        .collect();
    store.push(ws, d1, 1, &mine).await.unwrap();
    store.push(ws, d2, 1, &theirs).await.unwrap();
    let head = store.head(ws).await.unwrap();
    let mut got = Vec::new();
    let mut since = start;
    let mut pages = 0;
    loop {
        let page = store.pull(ws, since, 10, Some(n1)).await.unwrap();
        assert!(page.changes.len() <= 10);
        assert!(page.through > since || !page.more);
        got.extend(page.changes);
        since = page.through;
        pages += 1;
        if !page.more {
            break;
        }
    }
    assert_eq!(got, theirs);
    assert_eq!(since, head);
    assert_eq!(pages, 3);
    // Only own changes after `since`: nothing to send, but `through` still advances.
    store
        .push(
            ws,
            d1,
            6,
            &[change(
                n1,
                Uuid::new_v4(),
                99,
                &[("first_name", "x".into())],
            )],
        )
        .await
        .unwrap();
    let page = store.pull(ws, since, 10, Some(n1)).await.unwrap();
    assert!(page.changes.is_empty() && !page.more);
    assert_eq!(page.through, head + 1);
    // Each sequence number names its change by stamp; none past the head.
    assert_eq!(
        store.mark_at(ws, head + 1).await.unwrap(),
        Some(kith_protocol::sync::SeqMark {
            hlc: kith_protocol::Hlc::new(99, 0),
            node: n1
        })
    );
    assert_eq!(store.mark_at(ws, head + 2).await.unwrap(), None);
}

async fn snapshot_pages_at_as_of(store: Arc<dyn Store>) {
    let (ws, acc) = workspace(store.as_ref(), "snapshot").await;
    let (dev, node) = device(store.as_ref(), ws, acc).await;
    let cs: Vec<Change> = (0..100)
        .map(|i| {
            change(
                node,
                Uuid::new_v4(),
                10 + i,
                &[
                    ("first_name", "F".into()),
                    ("last_name", Value::Text(format!("L{i}"))),
                ],
            )
        })
        .collect();
    store.push(ws, dev, 1, &cs).await.unwrap();
    let head = store.head(ws).await.unwrap();
    let first = store.snapshot(ws, None, 64).await.unwrap();
    assert_eq!(first.as_of, head);
    let mut next = first.next.clone();
    let mut rows: BTreeSet<(String, Uuid)> = first
        .changes
        .iter()
        .map(|c| (c.table.clone(), c.row))
        .collect();
    let mut pages = 1;
    // A push between pages does not move `as_of`.
    store
        .push(
            ws,
            dev,
            101,
            &[change(
                node,
                Uuid::new_v4(),
                500,
                &[("first_name", "late".into())],
            )],
        )
        .await
        .unwrap();
    while let Some(n) = next {
        let cursor = store::SnapshotCursor::decode(&n).unwrap();
        let page = store.snapshot(ws, Some(&cursor), 64).await.unwrap();
        assert_eq!(page.as_of, head);
        for c in &page.changes {
            assert!(rows.insert((c.table.clone(), c.row)), "a row in two pages");
        }
        next = page.next;
        pages += 1;
    }
    assert!(
        pages >= 4,
        "100 rows of 2 fields, 64 fields a page: {pages}"
    );
    for c in &cs {
        assert!(rows.contains(&("users".to_owned(), c.row)));
    }
}

async fn equal_states_have_equal_checksums(store: Arc<dyn Store>) {
    let (a, acc_a) = workspace(store.as_ref(), "sum-a").await;
    let (b, acc_b) = workspace(store.as_ref(), "sum-b").await;
    let (da, na) = device(store.as_ref(), a, acc_a).await;
    let (db, nb) = device(store.as_ref(), b, acc_b).await;
    let row = Uuid::new_v4();
    let v1 = change(
        na,
        row,
        100,
        &[("first_name", "Ann".into()), ("created_at", Value::Int(7))],
    );
    let v2 = change(
        na,
        row,
        200,
        &[("first_name", "Anna".into()), ("email", Value::Null)],
    );
    store
        .push(a, da, 1, &[v1.clone(), v2.clone()])
        .await
        .unwrap();
    // Workspace B gets the same writes in the other order, from its own device.
    let restamp = |c: &Change| Change {
        node: nb,
        ..c.clone()
    };
    store
        .push(b, db, 1, &[restamp(&v2), restamp(&v1)])
        .await
        .unwrap();
    let sa = store.checksum(a).await.unwrap();
    let sb = store.checksum(b).await.unwrap();
    // The staff records differ (other accounts), so compare the users only: the
    // checksum of each equals one computed from its expected state.
    let mut expected_a = Checksum::default();
    let mut expected_b = Checksum::default();
    for (ws, expected) in [(a, &mut expected_a), (b, &mut expected_b)] {
        for ((t, r, c), v) in state(store.as_ref(), ws).await {
            expected.add(&t, r, &c, &v);
        }
    }
    assert_eq!(sa.checksum, expected_a.to_hex());
    assert_eq!(sb.checksum, expected_b.to_hex());
    let users = |ws| {
        let store = store.clone();
        async move {
            let mut sum = Checksum::default();
            for ((t, r, c), v) in state(store.as_ref(), ws).await {
                if t == "users" {
                    sum.add(&t, r, &c, &v);
                }
            }
            sum
        }
    };
    assert_eq!(users(a).await, users(b).await);
    assert_eq!(sa.through, store.head(a).await.unwrap());
}

async fn workspaces_are_isolated(store: Arc<dyn Store>) {
    let (a, acc_a) = workspace(store.as_ref(), "iso-a").await;
    let (b, acc_b) = workspace(store.as_ref(), "iso-b").await;
    let (da, na) = device(store.as_ref(), a, acc_a).await;
    let (db, _) = device(store.as_ref(), b, acc_b).await;
    store
        .push(
            a,
            da,
            1,
            &[change(
                na,
                Uuid::new_v4(),
                5,
                &[("first_name", "secret".into())],
            )],
        )
        .await
        .unwrap();
    let pulled = store.pull(b, 0, 100, None).await.unwrap();
    assert!(
        pulled.changes.iter().all(|c| c.table == "staff"),
        "B sees only its own staff"
    );
    assert!(state(store.as_ref(), b)
        .await
        .keys()
        .all(|(t, _, _)| t == "staff"));
    // A device id of A means nothing in B.
    assert!(!store.revoke_device(b, da).await.unwrap());
    assert!(store.push(b, da, 1, &[]).await.is_err());
    assert!(store
        .list_devices(b)
        .await
        .unwrap()
        .iter()
        .all(|d| d.id == db));
    assert_ne!(
        store.checksum(a).await.unwrap().checksum,
        store.checksum(b).await.unwrap().checksum
    );
}

async fn staff_accounts_are_changes(store: Arc<dyn Store>) {
    let (ws, _) = workspace(store.as_ref(), "staff").await;
    let id = admin::add_staff(
        store.as_ref(),
        PasswordCost::Cheap,
        ws,
        "Ann@Example.test",
        "Ann",
        "password2",
        Role::Staff,
    )
    .await
    .unwrap();
    let s = state(store.as_ref(), ws).await;
    let get = |c: &str| s.get(&("staff".to_owned(), id, c.to_owned())).cloned();
    assert_eq!(get("email"), Some("ann@example.test".into()));
    assert_eq!(get("_deleted"), Some(Value::Bool(false)));
    assert!(
        store
            .accounts_by_email("ann@example.test")
            .await
            .unwrap()
            .len()
            == 1
    );
    admin::remove_staff(store.as_ref(), ws, "ann@example.test")
        .await
        .unwrap();
    let s = state(store.as_ref(), ws).await;
    assert_eq!(
        s.get(&("staff".to_owned(), id, "_deleted".to_owned())),
        Some(&Value::Bool(true))
    );
    assert!(store
        .accounts_by_email("ann@example.test")
        .await
        .unwrap()
        .is_empty());
    let _ = now_ms();
}

/// A removed staff member is added back under the same id (so desktops see their
/// staff record revived), with the new password and role.
async fn removed_staff_can_be_added_back(store: Arc<dyn Store>) {
    let (ws, _) = workspace(store.as_ref(), "again").await;
    let add = |password: &'static str, role| {
        let store = store.clone();
        async move {
            admin::add_staff(
                store.as_ref(),
                PasswordCost::Cheap,
                ws,
                "Ann@Example.test",
                "Ann",
                password,
                role,
            )
            .await
        }
    };
    let id = add("password1", Role::Staff).await.unwrap();
    assert!(
        add("password1", Role::Staff).await.is_err(),
        "a live duplicate"
    );
    admin::remove_staff(store.as_ref(), ws, "ann@example.test")
        .await
        .unwrap();
    let back = add("password2", Role::Owner).await.unwrap();
    assert_eq!(back, id);
    let accounts = store.accounts_by_email("ann@example.test").await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].account.role, Role::Owner);
    assert!(kith_server::credentials::verify_password(
        "password2",
        &accounts[0].password_hash
    ));
    assert_eq!(
        state(store.as_ref(), ws)
            .await
            .get(&("staff".into(), id, "_deleted".into())),
        Some(&Value::Bool(false))
    );
    // The server node's clock still only goes forward.
    let log = store.pull(ws, 0, 100, None).await.unwrap().changes;
    assert!(log.windows(2).all(|w| w[0].hlc < w[1].hlc), "{log:?}");
}

/// Pull and snapshot pages stop at about MAX_PAGE_BYTES of fields, with at least
/// one change per page, and page through everything.
async fn pages_are_cut_at_a_byte_budget(store: Arc<dyn Store>) {
    let (ws, acc) = workspace(store.as_ref(), "bytes").await;
    let (dev, node) = device(store.as_ref(), ws, acc).await;
    let head0 = store.head(ws).await.unwrap();
    let body = "n".repeat(schema::MAX_TEXT_BYTES - 100);
    let n = kith_protocol::sync::MAX_PAGE_BYTES / body.len() + 10;
    let cs: Vec<Change> = (0..n)
        .map(|i| {
            change(
                node,
                Uuid::new_v4(),
                1000 + i as u64,
                &[("first_name", body.as_str().into())],
            )
        })
        .collect();
    store.push(ws, dev, 1, &cs).await.unwrap();
    let first = store.pull(ws, head0, 5000, None).await.unwrap();
    assert!(first.more);
    assert!(first.changes.len() < n);
    assert!(!first.changes.is_empty());
    let second = store.pull(ws, first.through, 5000, None).await.unwrap();
    assert!(!second.more);
    assert_eq!(first.changes.len() + second.changes.len(), n);
    assert_eq!(second.through, store.head(ws).await.unwrap());

    let page = store.snapshot(ws, None, 5000).await.unwrap();
    assert!(page.next.is_some());
    let bytes: usize = page
        .changes
        .iter()
        .flat_map(|c| c.fields.values())
        .map(|v| serde_json::to_string(v).unwrap().len())
        .sum();
    assert!(bytes <= kith_protocol::sync::MAX_PAGE_BYTES, "{bytes}");
    let all = state(store.as_ref(), ws).await;
    assert_eq!(
        all.keys()
            .filter(|(t, _, c)| t == "users" && c == "first_name")
            .count(),
        n
    );
}

/// A node another account's live device holds is not taken over.
async fn a_live_node_stays_with_its_account(store: Arc<dyn Store>) {
    let (ws, owner) = workspace(store.as_ref(), "nodes").await;
    let ann = admin::add_staff(
        store.as_ref(),
        PasswordCost::Cheap,
        ws,
        "ann@nodes.test",
        "Ann",
        "password1",
        Role::Staff,
    )
    .await
    .unwrap();
    let (dev, node) = device(store.as_ref(), ws, owner).await;
    let err = store
        .upsert_device(ws, ann, node, "stolen", "token-ann")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NodeTaken(_)), "{err}");
    let again = store
        .upsert_device(ws, owner, node, "laptop", "token-2")
        .await
        .unwrap()
        .id;
    assert_eq!(again, dev);
    assert!(store.device_by_token("token-2").await.unwrap().is_some());
    assert!(store.revoke_device(ws, dev).await.unwrap());
    let taken = store
        .upsert_device(ws, ann, node, "handed on", "token-ann")
        .await
        .unwrap()
        .id;
    assert_eq!(taken, dev);
    assert_eq!(
        store
            .device_by_token("token-ann")
            .await
            .unwrap()
            .unwrap()
            .account,
        ann
    );
}

async fn api_keys_name_their_workspace_until_revoked(store: Arc<dyn Store>) {
    let (a, _) = workspace(store.as_ref(), "keys-a").await;
    let (b, _) = workspace(store.as_ref(), "keys-b").await;
    let key_a = store
        .create_api_key(a, "website", "key-hash-a")
        .await
        .unwrap();
    store.create_api_key(b, "till", "key-hash-b").await.unwrap();
    assert_eq!(
        store.workspace_by_api_key("key-hash-a").await.unwrap(),
        Some(a)
    );
    assert_eq!(
        store.workspace_by_api_key("key-hash-b").await.unwrap(),
        Some(b)
    );
    assert_eq!(store.workspace_by_api_key("unknown").await.unwrap(), None);
    assert!(
        !store.revoke_api_key(b, key_a).await.unwrap(),
        "another workspace cannot revoke it"
    );
    assert!(store.revoke_api_key(a, key_a).await.unwrap());
    assert_eq!(
        store.workspace_by_api_key("key-hash-a").await.unwrap(),
        None
    );
    assert!(!store.revoke_api_key(a, key_a).await.unwrap(), "once");
}

async fn login_attempts_are_limited_per_key(store: Arc<dyn Store>) {
    use kith_server::ratelimit::{MAX_FAILURES, WINDOW_MS};
    let t0 = 1_700_000_000_000i64;
    for i in 0..MAX_FAILURES as i64 {
        assert_eq!(
            store.count_login_attempt("k1", t0 + i).await.unwrap(),
            Ok(())
        );
    }
    assert_eq!(
        store.count_login_attempt("k1", t0 + 1_000).await.unwrap(),
        Err(59),
        "the sixth attempt within the minute waits for the first to age out"
    );
    // Another key is not affected.
    assert_eq!(
        store.count_login_attempt("k2", t0 + 1_000).await.unwrap(),
        Ok(())
    );
    // An attempt that checked no password is taken back: one more goes through.
    store.uncount_login_attempt("k1").await.unwrap();
    assert_eq!(
        store.count_login_attempt("k1", t0 + 2_000).await.unwrap(),
        Ok(())
    );
    assert!(store
        .count_login_attempt("k1", t0 + 2_001)
        .await
        .unwrap()
        .is_err());
    // A success clears the key.
    store.clear_login_attempts("k1").await.unwrap();
    assert_eq!(
        store.count_login_attempt("k1", t0 + 2_002).await.unwrap(),
        Ok(())
    );
    // A minute on, the old attempts no longer count.
    for i in 0..(MAX_FAILURES - 1) as i64 {
        assert_eq!(
            store
                .count_login_attempt("k3", t0 + WINDOW_MS + i)
                .await
                .unwrap(),
            Ok(())
        );
    }
    assert_eq!(
        store
            .count_login_attempt("k2", t0 + WINDOW_MS + 1_000)
            .await
            .unwrap(),
        Ok(())
    );
    // Parallel guesses: exactly MAX_FAILURES of them are let through.
    let t1 = t0 + 10 * WINDOW_MS;
    let guesses = (0..3 * MAX_FAILURES as i64).map(|i| {
        let store = store.clone();
        tokio::spawn(async move { store.count_login_attempt("k4", t1 + i).await.unwrap() })
    });
    let mut passed = 0;
    for g in guesses {
        if g.await.unwrap().is_ok() {
            passed += 1;
        }
    }
    assert_eq!(passed, MAX_FAILURES);
}

/// Keys whose attempts all left the window are swept by a later attempt that is
/// let through, so a flood of addresses does not grow the table for good.
#[tokio::test]
async fn old_sign_in_attempts_are_swept() {
    use kith_server::ratelimit::WINDOW_MS;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let store = kith_server::store::open(&url).await.unwrap();
    let rows = || async {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT key_hash FROM login_attempts ORDER BY key_hash")
                .fetch_all(&pool)
                .await
                .unwrap();
        pool.close().await;
        keys
    };
    let t0 = 1_700_000_000_000i64;
    for key in ["old-1", "old-2"] {
        assert!(store.count_login_attempt(key, t0).await.unwrap().is_ok());
    }
    assert!(store
        .count_login_attempt("new-1", t0 + WINDOW_MS - 1)
        .await
        .unwrap()
        .is_ok());
    assert_eq!(rows().await, ["new-1", "old-1", "old-2"], "still counted");
    assert!(store
        .count_login_attempt("new-2", t0 + WINDOW_MS)
        .await
        .unwrap()
        .is_ok());
    assert_eq!(rows().await, ["new-1", "new-2"]);
}

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let dir = tempfile::tempdir().unwrap();
                    let url = format!("sqlite://{}", dir.path().join("s.db").display());
                    let store = kith_server::store::open(&url).await.unwrap();
                    super::$case(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = super::PgDb::create().await else { return };
                    let store = kith_server::store::open(&db.url).await.unwrap();
                    super::$case(store).await;
                    drop(db);
                }
            )*
        }
    };
}

conformance!(
    push_retry_is_idempotent,
    counter_gap_is_refused,
    sequence_order_is_commit_order,
    field_state_is_last_writer_wins,
    snapshot_values_round_trip_exactly,
    one_push_writing_a_field_twice_keeps_the_latest,
    pull_pages_and_skips_own_changes,
    snapshot_pages_at_as_of,
    equal_states_have_equal_checksums,
    workspaces_are_isolated,
    staff_accounts_are_changes,
    removed_staff_can_be_added_back,
    pages_are_cut_at_a_byte_budget,
    a_live_node_stays_with_its_account,
    api_keys_name_their_workspace_until_revoked,
    login_attempts_are_limited_per_key,
);
