//! Opening a busy user's profile: 1,000 notes, 500 tasks, 200 files and a few
//! hundred logged field changes, among thousands of other users with notes of
//! their own. The first screen is what the app asks for when a profile opens on its
//! Overview — the user's detail, the key figures and the recent activity — and each
//! tab is measured on its own. The reference, measured in the same run, is the plain
//! indexed read of every row the profile owns (`SELECT *` of the user's notes, tasks
//! and files): the least a screen listing all of them could cost.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use kith_core::activity::ActivityQuery;
use kith_core::schema::{ATTACHMENTS, NOTES, TASKS};
use kith_core::store::Edit;
use kith_core::users::UserField;
use kith_core::Kith;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use uuid::Uuid;

use super::{percentiles, SEED};

/// Background notes per other user.
const NOTES_PER_OTHER_USER: u64 = 5;
const NOTE_COUNT: u64 = 1_000;
const TASK_COUNT: u64 = 500;
const FILE_COUNT: u64 = 200;
const FIELD_EDITS: u64 = 300;
/// Entries the Overview shows; a page of the Activity tab.
const RECENT: i64 = 6;
const PAGE: i64 = 50;

#[derive(Serialize)]
pub struct ProfileFigure {
    pub what: &'static str,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// p50 over the reference's p50.
    pub ratio: f64,
}

#[derive(Serialize)]
pub struct ProfileReport {
    pub opens: usize,
    pub other_users: u64,
    pub reference_p50_ms: f64,
    pub reference_p99_ms: f64,
    pub figures: Vec<ProfileFigure>,
}

pub async fn run(opens: usize, other_users: u64, base: &Path) -> Result<ProfileReport> {
    let dir = base.join("bench-profile");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    eprintln!("bench: a profile with {NOTE_COUNT} notes, {TASK_COUNT} tasks, {FILE_COUNT} files among {other_users} users…");
    let kith = Kith::open(&dir).await?;
    kith_core::demo::generate(kith.store(), other_users.max(1), SEED).await?;
    let user_ids: Vec<String> = sqlx::query_scalar("SELECT id FROM users")
        .fetch_all(kith.store().pool())
        .await?;
    let user = Uuid::parse_str(&user_ids[user_ids.len() / 2])?;
    populate(&kith, user, &user_ids, other_users * NOTES_PER_OTHER_USER).await?;
    sqlx::query("ANALYZE").execute(kith.store().pool()).await?;
    kith.store().close().await;
    drop(kith);
    let kith = Kith::open(&dir).await?;
    let today = "2026-06-01";

    let mut reference = Vec::with_capacity(opens);
    let mut first = Vec::with_capacity(opens);
    let mut tabs: [(&'static str, Vec<Duration>); 4] = [
        ("Notes tab (1,000 notes)", Vec::new()),
        ("Tasks tab (500 tasks)", Vec::new()),
        ("Files tab (200 files)", Vec::new()),
        ("Activity tab (first 50 entries)", Vec::new()),
    ];
    for _ in 0..opens {
        let t = Instant::now();
        read_everything(&kith, user).await?;
        reference.push(t.elapsed());

        let t = Instant::now();
        std::hint::black_box(kith.users().get(user).await?);
        std::hint::black_box(kith.activity().summary(user, today).await?);
        std::hint::black_box(kith.activity().for_user(user, &page(RECENT)).await?);
        first.push(t.elapsed());

        let t = Instant::now();
        std::hint::black_box(kith.notes().for_user(user).await?);
        tabs[0].1.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(kith.tasks().for_user(user).await?);
        tabs[1].1.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(kith.files().list_for_user(user, None).await?);
        tabs[2].1.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(kith.activity().for_user(user, &page(PAGE)).await?);
        tabs[3].1.push(t.elapsed());
    }
    let (ref50, ref99) = percentiles(&mut reference);
    let figure = |what, times: &mut Vec<Duration>| {
        let (p50, p99) = percentiles(times);
        ProfileFigure {
            what,
            p50_ms: p50,
            p99_ms: p99,
            ratio: p50 / ref50.max(1e-6),
        }
    };
    let mut figures = vec![figure(
        "first screen: detail + figures + recent activity",
        &mut first,
    )];
    for (what, times) in &mut tabs {
        figures.push(figure(what, times));
    }
    kith.store().close().await;
    drop(kith);
    std::fs::remove_dir_all(&dir)?;
    Ok(ProfileReport {
        opens,
        other_users,
        reference_p50_ms: ref50,
        reference_p99_ms: ref99,
        figures,
    })
}

fn page(limit: i64) -> ActivityQuery {
    ActivityQuery {
        limit: Some(limit),
        ..Default::default()
    }
}

/// The profile's rows and the background, written through the store's write path
/// (so the indexes and the activity log are the app's own).
async fn populate(kith: &Kith, user: Uuid, others: &[String], other_notes: u64) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 20);
    let key = user.to_string();
    // The team's statuses (seeded on first use), cycled so some tasks are done.
    let statuses: Vec<String> = kith
        .tasks()
        .statuses()
        .await?
        .into_iter()
        .map(|s| s.id.to_string())
        .collect();
    let t0 = 1_750_000_000_000i64;
    let mut bulk = kith.store().bulk().await?;
    let mut edits = Vec::new();
    for i in 0..other_notes {
        let owner = others[rng.gen_range(0..others.len())].clone();
        edits.push(
            Edit::create(&NOTES, Uuid::now_v7())
                .set("user_id", owner)
                .set("body", format!("Background note {i} about an order"))
                .set("pinned", false)
                .set("created_at", t0 + i as i64 * 1_000),
        );
        if edits.len() == 5_000 {
            bulk.commit(std::mem::take(&mut edits)).await?;
        }
    }
    for i in 0..NOTE_COUNT {
        edits.push(
            Edit::create(&NOTES, Uuid::now_v7())
                .set("user_id", key.clone())
                .set(
                    "body",
                    format!("Call {i}: discussed the renewal and the **next** order"),
                )
                .set("pinned", i % 100 == 0)
                .set("created_at", t0 + i as i64 * 60_000),
        );
    }
    for i in 0..TASK_COUNT {
        let status = statuses[i as usize % statuses.len().max(1)].clone();
        edits.push(
            Edit::create(&TASKS, Uuid::now_v7())
                .set("user_id", key.clone())
                .set("title", format!("Follow-up {i}"))
                .set(
                    "due_date",
                    format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
                )
                .set("priority", "medium")
                .set("status_id", status)
                .set("created_at", t0 + i as i64 * 90_000),
        );
    }
    for i in 0..FILE_COUNT {
        edits.push(
            Edit::create(&ATTACHMENTS, Uuid::now_v7())
                .set("user_id", key.clone())
                .set("name", format!("scan-{i}.pdf"))
                .set("mime", "application/pdf")
                .set("size", 100_000 + i as i64)
                .set("sha256", format!("{i:064x}"))
                .set("kind", "document")
                .set("created_at", t0 + i as i64 * 120_000),
        );
    }
    bulk.commit(edits).await?;
    bulk.finish().await?;
    // Field edits one commit each, as staff make them: the activity log's rows.
    for i in 0..FIELD_EDITS {
        kith.users()
            .set_field(user, UserField::AppUserId, Some(&format!("app-{i}")))
            .await?;
    }
    Ok(())
}

/// The reference: every row the profile owns, by plain indexed SELECTs.
async fn read_everything(kith: &Kith, user: Uuid) -> Result<()> {
    let key = user.to_string();
    let pool = kith.store().pool();
    for sql in [
        "SELECT * FROM users WHERE id = ?",
        "SELECT * FROM notes WHERE user_id = ? AND _deleted = 0",
        "SELECT * FROM tasks WHERE user_id = ? AND _deleted = 0",
        "SELECT * FROM attachments WHERE user_id = ? AND _deleted = 0",
    ] {
        std::hint::black_box(sqlx::query(sql).bind(&key).fetch_all(pool).await?);
    }
    Ok(())
}

pub fn markdown(r: &ProfileReport) -> String {
    let mut out = format!(
        "\n### Opening a busy profile ({NOTE_COUNT} notes, {TASK_COUNT} tasks, {FILE_COUNT} files, \
         {FIELD_EDITS} logged edits, among {} users with {} notes each; {} opens)\n\n\
         Reference: every row the profile owns read by plain indexed `SELECT *` — \
         p50 {:.2} ms, p99 {:.2} ms.\n\n\
         | what | p50 | p99 | p50 / reference |\n|---|---:|---:|---:|\n",
        r.other_users, NOTES_PER_OTHER_USER, r.opens, r.reference_p50_ms, r.reference_p99_ms
    );
    for f in &r.figures {
        out.push_str(&format!(
            "| {} | {:.2} ms | {:.2} ms | {:.2}× |\n",
            f.what, f.p50_ms, f.p99_ms, f.ratio
        ));
    }
    out
}
