//! `kith-cli bench --only sync`: a real kith-server on loopback (SQLite) and
//! desktops syncing through it. Each figure stands beside a reference on the same
//! data in the same run: the bootstrap beside merging the same snapshot from
//! memory, remote changes applied beside the same edits committed locally, and an
//! edit's round trip beside an idle sync (one pull that finds nothing).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use kith_core::protocol::{Change, Hlc, NodeId, Value};
use kith_core::schema::{NOTES, USERS};
use kith_core::store::{Edit, Store};
use kith_core::sync::{SyncConfig, Worker};
use kith_core::Kith;
use kith_server::testing::TestServer;
use serde::Serialize;
use uuid::Uuid;

use super::{median, percentiles};

const PASSWORD: &str = "bench password";
/// Changes per merge or commit, as a pull page.
const PAGE: usize = 5_000;

#[derive(Serialize)]
pub struct SyncBench {
    pub users: u64,
    pub notes: u64,
    /// Changes the new desktop received in its bootstrap.
    pub snapshot_changes: u64,
    /// The first desktop pushing everything to the empty server.
    pub seed_push_s: f64,
    pub bootstrap_s: f64,
    /// Merging the same snapshot pages into an empty store, from memory.
    pub bootstrap_reference_s: f64,
    pub bootstrap_ratio: f64,
    /// The server reading the same snapshot pages from its store, in-process.
    pub server_snapshot_s: f64,
    /// The server's checksum of the whole workspace (`GET /v1/checksum`'s work),
    /// in-process; compared with reading the snapshot, which scans the same rows.
    pub server_checksum_s: f64,
    /// Fields in the snapshot; over `bootstrap_reference_s`, the rate new rows merge at.
    pub snapshot_fields: u64,
    /// Field changes per round of edits.
    pub applied_field_changes: u64,
    /// The median round's rate (each round's in `apply_rounds_fields_per_s`).
    pub apply_fields_per_s: f64,
    pub apply_rounds_fields_per_s: Vec<f64>,
    /// The same edits through the local write path (`Store::commit`), median round.
    pub commit_fields_per_s: f64,
    /// The median over rounds of a round's merge rate over its own commit rate.
    pub apply_ratio: f64,
    pub round_trips: usize,
    pub round_trip_p50_ms: f64,
    pub round_trip_p99_ms: f64,
    /// An idle sync: one pull that finds nothing.
    pub idle_sync_p50_ms: f64,
    pub round_trip_ratio_p50: f64,
    /// An edit committed on A until B, both running their sync workers, has it.
    pub visibility_p50_ms: f64,
    pub visibility_p99_ms: f64,
    /// Over the explicit round trip's p50.
    pub visibility_ratio_p50: f64,
}

fn config() -> SyncConfig {
    SyncConfig {
        use_keychain: false,
        verify_checksum: false,
        ..SyncConfig::default()
    }
}

async fn desktop(dir: &Path, server: &TestServer, email: &str) -> Result<Kith> {
    let kith = Kith::open(dir).await?;
    kith.set_sync_config(config());
    kith.sync()
        .login(&server.url, email, PASSWORD, None)
        .await
        .with_context(|| format!("sign in as {email}"))?;
    Ok(kith)
}

pub async fn run(users: u64, notes: u64, round_trips: usize, base: &Path) -> Result<SyncBench> {
    let root = base.join("bench-sync");
    if root.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    std::fs::create_dir_all(&root)?;
    let server = TestServer::sqlite(&root).await?;
    let (workspace, _) = server
        .init_workspace("Bench", "a@bench.test", PASSWORD)
        .await?;
    server
        .add_staff(workspace.id, "b@bench.test", "B", PASSWORD)
        .await?;

    let a = desktop(&root.join("a"), &server, "a@bench.test").await?;
    seed(&a, users, notes).await?;
    eprintln!("bench: pushing the first desktop to the server…");
    let t = Instant::now();
    a.sync().sync_now().await?;
    let seed_push_s = t.elapsed().as_secs_f64();

    eprintln!("bench: bootstrapping a new desktop…");
    let b = desktop(&root.join("b"), &server, "b@bench.test").await?;
    let t = Instant::now();
    let report = b.sync().sync_now().await?;
    let bootstrap_s = t.elapsed().as_secs_f64();

    // The reference: the same snapshot, fetched beforehand, merged into an empty store.
    let mut pages = Vec::new();
    let mut cursor = None;
    let t = Instant::now();
    loop {
        let page = server
            .store()
            .snapshot(workspace.id, cursor.as_ref(), PAGE as u32)
            .await?;
        pages.push(page.changes);
        match page.next {
            Some(next) => {
                cursor = Some(
                    kith_server::store::SnapshotCursor::decode(&next)
                        .context("unreadable snapshot cursor")?,
                )
            }
            None => break,
        }
    }
    let server_snapshot_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    server.store().checksum(workspace.id).await?;
    let server_checksum_s = t.elapsed().as_secs_f64();
    let reference = Store::open(&root.join("c").join("kith.db")).await?;
    let t = Instant::now();
    for page in &pages {
        reference.merge(page).await?;
    }
    let bootstrap_reference_s = t.elapsed().as_secs_f64();
    let snapshot_fields: usize = pages.iter().flatten().map(|c| c.fields.len()).sum();
    let mut merged = Vec::with_capacity(EDIT_ROUNDS);
    let mut committed = Vec::with_capacity(EDIT_ROUNDS);
    let mut applied_field_changes = 0;
    for round in 0..EDIT_ROUNDS {
        eprintln!(
            "bench: applying remote changes, round {} of {EDIT_ROUNDS}…",
            round + 1
        );
        let (fields, m, c) = apply(&reference, users, round).await?;
        applied_field_changes = fields;
        merged.push(m);
        committed.push(c);
    }
    let (apply_fields_per_s, commit_fields_per_s) = (median(&merged), median(&committed));
    // Each round's merge over the same round's commits: the medians above may
    // come from different rounds.
    let ratios: Vec<f64> = merged
        .iter()
        .zip(&committed)
        .map(|(m, c)| m / c.max(1e-9))
        .collect();
    let apply_ratio = median(&ratios);
    reference.close().await;

    eprintln!("bench: round trips…");
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM users LIMIT 100")
        .fetch_all(a.store().pool())
        .await?;
    let mut trips = Vec::with_capacity(round_trips);
    let mut idle = Vec::with_capacity(round_trips);
    for i in 0..round_trips {
        let id = Uuid::parse_str(&ids[i % ids.len()])?;
        let t = Instant::now();
        b.sync().sync_now().await?;
        idle.push(t.elapsed());
        let name = format!("Trip {i}");
        let t = Instant::now();
        a.store()
            .commit(vec![Edit::new(&USERS, id).set("first_name", name.as_str())])
            .await?;
        a.sync().sync_now().await?;
        b.sync().sync_now().await?;
        trips.push(t.elapsed());
        let seen: Option<String> = sqlx::query_scalar("SELECT first_name FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_one(b.store().pool())
            .await?;
        anyhow::ensure!(
            seen.as_deref() == Some(name.as_str()),
            "the edit did not arrive"
        );
    }
    let (round_trip_p50_ms, round_trip_p99_ms) = percentiles(&mut trips);
    let (idle_sync_p50_ms, _) = percentiles(&mut idle);

    eprintln!("bench: an edit's visibility on a second desktop, both online…");
    let mut seen = visibility(a, b, &ids, round_trips).await?;
    let (visibility_p50_ms, visibility_p99_ms) = percentiles(&mut seen.0);
    let (a, b) = (seen.1, seen.2);
    for k in [&a, &b] {
        k.store().close().await;
    }
    drop(server);
    std::fs::remove_dir_all(&root)?;
    Ok(SyncBench {
        users,
        notes,
        snapshot_changes: report.pulled,
        seed_push_s,
        bootstrap_s,
        bootstrap_reference_s,
        bootstrap_ratio: bootstrap_s / bootstrap_reference_s.max(1e-9),
        server_snapshot_s,
        server_checksum_s,
        snapshot_fields: snapshot_fields as u64,
        applied_field_changes,
        apply_fields_per_s,
        apply_rounds_fields_per_s: merged,
        commit_fields_per_s,
        apply_ratio,
        round_trips,
        round_trip_p50_ms,
        round_trip_p99_ms,
        idle_sync_p50_ms,
        round_trip_ratio_p50: round_trip_p50_ms / idle_sync_p50_ms.max(1e-9),
        visibility_p50_ms,
        visibility_p99_ms,
        visibility_ratio_p50: visibility_p50_ms / round_trip_p50_ms.max(1e-9),
    })
}

/// Both desktops online as the app runs them, each with its sync worker (local
/// commits wake it; the server's event stream pokes it): the time from an edit
/// committed on A until B's store has it. Returns the times and the desktops.
async fn visibility(
    a: Kith,
    b: Kith,
    ids: &[String],
    edits: usize,
) -> Result<(Vec<Duration>, Arc<Kith>, Arc<Kith>)> {
    let (a, b) = (Arc::new(a), Arc::new(b));
    let workers = [
        Worker::spawn(a.clone(), |_| {}),
        Worker::spawn(b.clone(), |_| {}),
    ];
    // The workers' first sync and event streams settle before the clock starts.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut times = Vec::with_capacity(edits);
    for i in 0..edits {
        let id = Uuid::parse_str(&ids[i % ids.len()])?;
        let name = format!("Seen {i}");
        let mut merged = b.store().remote_changes();
        merged.borrow_and_update();
        let t = Instant::now();
        a.store()
            .commit(vec![Edit::new(&USERS, id).set("first_name", name.as_str())])
            .await?;
        loop {
            tokio::time::timeout(Duration::from_secs(10), merged.changed())
                .await
                .context("the edit did not reach the second desktop within 10 s")??;
            let first: Option<String> =
                sqlx::query_scalar("SELECT first_name FROM users WHERE id = ?")
                    .bind(id.to_string())
                    .fetch_one(b.store().pool())
                    .await?;
            if first.as_deref() == Some(name.as_str()) {
                break;
            }
        }
        times.push(t.elapsed());
    }
    for w in workers {
        w.shutdown().await;
    }
    Ok((times, a, b))
}

/// Users and notes entered on the first desktop. Not `kith-cli demo` data: that is
/// merged as another node's and never pushed, so it would never reach the server.
async fn seed(kith: &Kith, users: u64, notes: u64) -> Result<()> {
    eprintln!("bench: {users} users and {notes} notes on the first desktop…");
    let mut ids = Vec::with_capacity(users as usize);
    let mut bulk = kith.store().bulk().await?;
    let mut edits = Vec::with_capacity(PAGE);
    let t0 = 1_700_000_000_000i64;
    for i in 0..users {
        let id = Uuid::now_v7();
        ids.push(id);
        edits.push(
            Edit::create(&USERS, id)
                .set("first_name", format!("First{i}"))
                .set("last_name", format!("Last{}", i % 9973))
                .set("email", format!("user{i}@bench.example"))
                .set("source", "manual")
                .set("created_at", t0 + i as i64),
        );
        if edits.len() == PAGE {
            bulk.commit(std::mem::take(&mut edits)).await?;
        }
    }
    for i in 0..notes {
        let user = ids[(i % users.max(1)) as usize];
        edits.push(
            Edit::create(&NOTES, Uuid::now_v7())
                .set("user_id", user.to_string())
                .set(
                    "body",
                    format!("Called about the renewal, note {i}; follow up next week."),
                )
                .set("pinned", false)
                .set("created_at", t0 + i as i64),
        );
        if edits.len() == PAGE {
            bulk.commit(std::mem::take(&mut edits)).await?;
        }
    }
    bulk.commit(edits).await?;
    bulk.finish().await?;
    Ok(())
}

/// Rounds of edits applied: one round's time swings by ±10% from run to run on
/// a busy 2-core machine, so the figure is the median round's.
const EDIT_ROUNDS: usize = 3;

/// Three-field edits of every user, as another desktop would send them: merged
/// in pull-sized pages, then the same edits committed locally. Returns (field
/// changes, merged per second, committed per second). Each `round` writes other
/// values, stamped later than the round before.
async fn apply(store: &Store, users: u64, round: usize) -> Result<(u64, f64, f64)> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM users ORDER BY rid LIMIT ?")
        .bind(i64::try_from(users).unwrap_or(i64::MAX))
        .fetch_all(store.pool())
        .await?;
    let node = NodeId::random();
    // A minute ahead: later than every stamp the snapshot carries (a bulk write's
    // clock runs slightly ahead of the wall clock), so every field wins; a minute
    // more each round, later than the round before's local commits.
    let start = kith_core::store::system_ms() + 60_000 * (1 + round as u64);
    let mut changes = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let fields = [
            ("first_name", Value::from(format!("Remote{i}"))),
            ("last_name", Value::from(format!("Applied{round}"))),
            ("app_user_id", Value::from(format!("app-{round}-{i}"))),
        ];
        changes.push(Change {
            table: USERS.name.into(),
            row: Uuid::parse_str(id)?,
            hlc: Hlc::new(start, (i % 60_000) as u16),
            node,
            fields: fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        });
    }
    let fields = changes.len() as u64 * 3;
    let t = Instant::now();
    for page in changes.chunks(PAGE) {
        store.merge(page).await?;
    }
    let merged = fields as f64 / t.elapsed().as_secs_f64().max(1e-9);
    eprintln!("bench: the same edits committed locally…");
    let t = Instant::now();
    for page in changes.chunks(PAGE) {
        // Other values than the merge wrote, so each edit changes as much (the
        // search index included) as the merged one did.
        let edits = page
            .iter()
            .map(|c| {
                c.fields.iter().fold(Edit::new(&USERS, c.row), |e, (k, v)| {
                    let v = match v {
                        Value::Text(t) => Value::from(format!("{t}-local")),
                        other => other.clone(),
                    };
                    e.set(k, v)
                })
            })
            .collect();
        store.commit(edits).await?;
    }
    let committed = fields as f64 / t.elapsed().as_secs_f64().max(1e-9);
    Ok((fields, merged, committed))
}

pub fn markdown(r: &SyncBench) -> String {
    let dur = |s: f64| format!("{s:.2} s");
    format!(
        "### Sync (kith-server on loopback, SQLite)\n\n\
         {} users with {} notes; {} changes in the snapshot. Seeding the server: {}.\n\n\
         | figure | Kith | reference | ratio | goal |\n\
         |---|---:|---:|---:|---|\n\
         | bootstrap of a new desktop | {} | merging the same snapshot from memory: {} | {:.2}× | ≤ 10 s |\n\
         | … of which the server reading its snapshot (in-process) | {} | | | |\n\
         | the server's checksum of the workspace (in-process) | {} | reading the snapshot above | {:.2}× | |\n\
         | new rows merged (that reference: {} fields) | {:.0} fields/s | | | ≥ 100000 fields/s |\n\
         | edits of 3 fields of existing users applied (`Store::merge`, pages of 5000; median of {} rounds: {}) | {:.0} fields/s | the same edits committed locally: {:.0} fields/s | {:.2}× | ≥ 100000 fields/s |\n\
         | one edit pushed by A and pulled by B, p50 (p99) | {:.1} ms ({:.1} ms) | an idle sync (one empty pull): {:.1} ms | {:.1}× | ≤ 50 ms |\n\
         | an edit's visibility on B, both running their sync workers, p50 (p99) | {:.0} ms ({:.0} ms) | the round trip above, p50 | {:.1}× | ≤ 1 s |\n",
        r.users,
        r.notes,
        r.snapshot_changes,
        dur(r.seed_push_s),
        dur(r.bootstrap_s),
        dur(r.bootstrap_reference_s),
        r.bootstrap_ratio,
        dur(r.server_snapshot_s),
        dur(r.server_checksum_s),
        r.server_checksum_s / r.server_snapshot_s.max(1e-9),
        r.snapshot_fields,
        r.snapshot_fields as f64 / r.bootstrap_reference_s.max(1e-9),
        r.apply_rounds_fields_per_s.len(),
        r.apply_rounds_fields_per_s
            .iter()
            .map(|f| format!("{f:.0}"))
            .collect::<Vec<_>>()
            .join(", "),
        r.apply_fields_per_s,
        r.commit_fields_per_s,
        r.apply_ratio,
        r.round_trip_p50_ms,
        r.round_trip_p99_ms,
        r.idle_sync_p50_ms,
        r.round_trip_ratio_p50,
        r.visibility_p50_ms,
        r.visibility_p99_ms,
        r.visibility_ratio_p50,
    )
}
