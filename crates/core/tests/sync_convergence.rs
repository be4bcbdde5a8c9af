//! The convergence harness: four desktops (real SQLite files) edit users, notes,
//! tags, tasks and custom values at random, delete and restore, through a proxy
//! that drops requests, drops answers after the server committed, sends requests
//! twice and delays them; desktops crash mid-sync and reopen; clocks are hours off;
//! the server itself dies once and comes back. After healing and syncing to
//! quiescence every replica and the server hold the same state, and no
//! acknowledged edit is lost.

mod sync_support;

use std::collections::BTreeMap;
use std::time::Duration;

use kith_core::protocol::schema::ColType;
use kith_core::protocol::{NodeId, Value};
use kith_core::schema::{
    TableDef, CUSTOM_FIELDS, NOTES, NOTE_TAGS, TASKS, USERS, USER_FIELD_VALUES,
};
use kith_core::store::{system_ms, Edit};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sync_support::{Backend, Desktop, Faults, Hub};
use uuid::Uuid;

const HOUR: i64 = 3_600_000;
const ROUNDS: usize = 30;

/// What each desktop last wrote to each field: (table, row, column) → the
/// writing desktop's node → its last value (`None`: null). A desktop's own
/// writes keep their order through every merge and re-stamp, so once quiescent
/// a field holds the last value of the desktop whose stamp it carries.
type Written = BTreeMap<(&'static str, Uuid, String), BTreeMap<NodeId, Option<String>>>;

async fn ids(d: &Desktop, table: &TableDef) -> Vec<Uuid> {
    // Registry names only.
    let sql = format!("SELECT id FROM {} ORDER BY id", table.name);
    let rows: Vec<String> = sqlx::query_scalar(&sql)
        .fetch_all(d.kith.store().pool())
        .await
        .unwrap();
    rows.iter().map(|r| Uuid::parse_str(r).unwrap()).collect()
}

fn pick(rng: &mut ChaCha8Rng, from: &[Uuid]) -> Option<Uuid> {
    (!from.is_empty()).then(|| from[rng.gen_range(0..from.len())])
}

/// One random edit on `d`, committed through the store's one write path.
async fn random_edit(
    d: &Desktop,
    rng: &mut ChaCha8Rng,
    field: Uuid,
    n: usize,
    written: &mut Written,
) {
    let users = ids(d, &USERS).await;
    let notes = ids(d, &NOTES).await;
    let tasks = ids(d, &TASKS).await;
    let word = format!("w{n}");
    let edit = match rng.gen_range(0..12) {
        0 | 1 => Edit::create(&USERS, Uuid::new_v4())
            .set("first_name", word.as_str())
            .set("last_name", "Conv")
            .set("created_at", system_ms() as i64),
        2 | 3 => {
            let Some(u) = pick(rng, &users) else { return };
            let column = ["first_name", "last_name", "email"][rng.gen_range(0..3)];
            let value = if column == "email" {
                format!("{word}@example.com")
            } else {
                word.clone()
            };
            Edit::new(&USERS, u).set(column, value)
        }
        4 => {
            let Some(u) = pick(rng, &users) else { return };
            Edit::create(&NOTES, Uuid::new_v4())
                .set("user_id", u.to_string())
                .set("body", format!("note {word}"))
                .set("pinned", rng.gen_bool(0.3))
                .set("created_at", system_ms() as i64)
        }
        5 => {
            let Some(note) = pick(rng, &notes) else {
                return;
            };
            let tag = ["vip", "lead", "late"][rng.gen_range(0..3)];
            // A relation row's id is derived: two desktops tagging alike meet.
            Edit::new(&NOTE_TAGS, Uuid::new_v5(&note, tag.as_bytes()))
                .set("note_id", note.to_string())
                .set("tag", tag)
                .set("_deleted", rng.gen_bool(0.2))
        }
        6 => {
            let Some(u) = pick(rng, &users) else { return };
            Edit::create(&TASKS, Uuid::new_v4())
                .set("user_id", u.to_string())
                .set("title", format!("call {word}"))
                .set("created_at", system_ms() as i64)
        }
        7 => {
            let Some(u) = pick(rng, &users) else { return };
            Edit::new(&USER_FIELD_VALUES, Uuid::new_v5(&u, field.as_bytes()))
                .set("user_id", u.to_string())
                .set("field_id", field.to_string())
                .set("value", word.as_str())
                .set("_deleted", false)
        }
        8 => {
            let Some(u) = pick(rng, &users) else { return };
            Edit::tombstone(&USERS, u, rng.gen_bool(0.6))
        }
        9 => {
            let Some(t) = pick(rng, &tasks) else { return };
            match rng.gen_range(0..3) {
                0 => Edit::new(&TASKS, t).set("title", format!("call back {word}")),
                1 => Edit::new(&TASKS, t).set("priority", ["high", "low"][rng.gen_range(0..2)]),
                _ => Edit::new(&TASKS, t).set("completed_at", system_ms() as i64),
            }
        }
        10 => {
            let Some(t) = pick(rng, &tasks) else { return };
            Edit::tombstone(&TASKS, t, rng.gen_bool(0.6))
        }
        _ => {
            let Some(note) = pick(rng, &notes) else {
                return;
            };
            Edit::tombstone(&NOTES, note, rng.gen_bool(0.5))
        }
    };
    let table = edit.table.name;
    let row = edit.row;
    let fields = edit.fields.clone();
    if d.kith.store().commit(vec![edit]).await.is_ok() {
        let node = d.kith.store().node();
        for (column, value) in fields {
            let value = (!value.is_null()).then(|| format!("{value:?}"));
            written
                .entry((table, row, column))
                .or_default()
                .insert(node, value);
        }
    }
}

async fn value_of(d: &Desktop, table: &TableDef, row: Uuid, column: &str) -> Option<String> {
    let (column, ty, _) = table.column(column).unwrap();
    let sql = format!("SELECT {column} FROM {} WHERE id = ?", table.name);
    let q = sqlx::query_scalar::<_, Option<String>>(&sql).bind(row.to_string());
    let pool = d.kith.store().pool();
    let value: Value = match ty {
        ColType::Bool | ColType::Int => {
            let v: Option<Option<i64>> = sqlx::query_scalar(&sql)
                .bind(row.to_string())
                .fetch_optional(pool)
                .await
                .unwrap();
            let v = v.flatten();
            if ty == ColType::Bool {
                v.map(|b| b != 0).into()
            } else {
                v.into()
            }
        }
        _ => q.fetch_optional(pool).await.unwrap().flatten().into(),
    };
    (!value.is_null()).then(|| format!("{value:?}"))
}

async fn converge(backend: Backend, seed: u64) {
    let started = std::time::Instant::now();
    let mut hub = Hub::on(backend).await;
    let skews = [0, 3 * HOUR, -2 * HOUR, 90 * 60_000];
    let mut desktops = Vec::new();
    for (who, skew) in ["a", "b", "c", "d"].into_iter().zip(skews) {
        let d = Desktop::new(&hub, who, skew).await;
        let mut config = d.kith.sync_config();
        // Small pages, so a sync is many requests and faults land inside one.
        config.push_page = 4;
        config.pull_page = 6;
        config.verify_checksum = false;
        d.kith.set_sync_config(config);
        desktops.push(d);
    }
    // One custom field everyone sets values of.
    let field = Uuid::new_v4();
    desktops[0]
        .kith
        .store()
        .commit(vec![Edit::create(&CUSTOM_FIELDS, field)
            .set("name", "Tier")
            .set("kind", "text")
            .set("position", 0i64)
            .set("required", false)])
        .await
        .unwrap();

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut written = Written::new();
    hub.proxy.set_faults(Faults {
        drop_request: 120,
        drop_response: 120,
        duplicate: 120,
        max_delay_ms: 3,
    });
    let mut n = 0;
    let mut crashes = 0;
    for round in 0..ROUNDS {
        if round == ROUNDS / 2 {
            hub.kill();
        }
        if round == ROUNDS / 2 + 2 {
            hub.revive().await;
        }
        for d in desktops.iter_mut() {
            for _ in 0..rng.gen_range(1..4) {
                n += 1;
                random_edit(d, &mut rng, field, n, &mut written).await;
            }
            if rng.gen_bool(0.2) {
                // Killed mid-sync: the sync is cut off wherever it is, the process
                // goes away, the data directory is opened again.
                let cut = Duration::from_millis(rng.gen_range(0..25));
                let _ = tokio::time::timeout(cut, d.kith.sync().sync_now()).await;
                d.reopen().await;
                crashes += 1;
            } else {
                let _ = d.kith.sync().sync_now().await;
            }
        }
    }

    hub.proxy.heal();
    for _ in 0..2 {
        for d in &desktops {
            d.kith.sync().sync_now().await.unwrap();
        }
    }
    // Quiescent: now each desktop compares its checksum with the server's.
    let server = hub.checksum().await;
    for (i, d) in desktops.iter().enumerate() {
        let mut config = d.kith.sync_config();
        config.verify_checksum = true;
        d.kith.set_sync_config(config);
        let report = d.kith.sync().sync_now().await.unwrap();
        assert_eq!(report.checksum_matched, Some(true), "desktop {i}");
        assert!(!report.repaired, "desktop {i} needed a repair");
        assert_eq!(d.kith.store().outbox_stats().await.unwrap().pending, 0);
        assert_eq!(d.checksum().await, server, "desktop {i}");
        // Renames, deletes and undeletes merged in every order: the search index
        // removed each entry with the text it was added with.
        assert_eq!(
            d.kith.store().search_index_drift().await.unwrap(),
            0,
            "desktop {i}'s search index"
        );
    }
    // Every acknowledged edit is there: each field written holds the last value
    // its winning desktop wrote to it, on every desktop.
    let mut checked = 0;
    for ((table, row, column), by_node) in &written {
        let def = kith_core::protocol::schema::table(table).unwrap();
        for d in [&desktops[0], &desktops[3]] {
            let stamp = d
                .kith
                .store()
                .field_stamp(def, *row, column)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{table}.{column} of {row} is gone"));
            let expected = by_node.get(&stamp.node).unwrap_or_else(|| {
                panic!("{table}.{column} of {row} carries a stamp no desktop wrote")
            });
            let now = value_of(d, def, *row, column).await;
            assert_eq!(
                &now, expected,
                "{table}.{column} of {row}: not the last value its winner wrote"
            );
        }
        checked += 1;
    }
    assert!(checked > 50, "only {checked} fields written");
    assert!(hub.proxy.injected() > 10, "faults were injected");
    eprintln!(
        "{backend:?}: {n} edits, {checked} fields, {crashes} crashes, {} faults, {:?}",
        hub.proxy.injected(),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_convergence_on_sqlite() {
    converge(Backend::Sqlite, 11).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_convergence_on_postgres() {
    if sync_support::postgres_url().is_none() {
        return;
    }
    converge(Backend::Postgres, 12).await;
}
