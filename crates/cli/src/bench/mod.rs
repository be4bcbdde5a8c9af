//! `kith-cli bench`: the figures in BENCHMARKS.md. Every figure stands beside a
//! reference measured in the same run on the same data, because absolute times
//! drift with the machine.

mod import;
mod notes;
mod profile;
mod sync;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use kith_core::users::UserSort;
use kith_core::Kith;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Row};

use crate::output::Output;

#[derive(Args)]
pub struct BenchArgs {
    /// Database sizes to measure, in users.
    #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
    sizes: Vec<u64>,
    /// Queries of each kind per size.
    #[arg(long, default_value_t = 300)]
    queries: usize,
    /// Queries of each kind for the (slow) LIKE-scan reference.
    #[arg(long, default_value_t = 25)]
    reference_queries: usize,
    /// Where to build the databases and write the generated files (default: a
    /// temporary directory).
    #[arg(long)]
    work_dir: Option<std::path::PathBuf>,
    /// Measure only one part (default: both).
    #[arg(long, value_enum)]
    only: Option<Part>,
    /// CSV sizes to import, in rows (default: the --sizes).
    #[arg(long, value_delimiter = ',')]
    import_sizes: Option<Vec<u64>>,
    /// Import runs per size, in the order of --import-sizes; the last count repeats
    /// (a million-row import takes minutes, so the default runs it once).
    #[arg(long, value_delimiter = ',', default_value = "3,1")]
    import_runs: Vec<usize>,
    /// Notes to generate for the note search figures.
    #[arg(long, default_value_t = 1_000_000)]
    notes: u64,
    /// Times the busy profile is opened for the profile figures.
    #[arg(long, default_value_t = 100)]
    opens: usize,
    /// Other users around the busy profile (each with five notes on average).
    #[arg(long, default_value_t = 20_000)]
    profile_users: u64,
    /// Users (each with one note) on the server a new desktop bootstraps from.
    #[arg(long, default_value_t = 100_000)]
    sync_users: u64,
    /// Edits timed from one desktop to another through the server.
    #[arg(long, default_value_t = 50)]
    round_trips: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Part {
    /// Search, scroll, open and serving memory over demo data.
    Search,
    /// `kith-cli import` of a CSV file beside sqlite3's own `.import`.
    Import,
    /// Note search over a million notes beside a LIKE scan.
    Notes,
    /// Opening a profile with 1,000 notes, 500 tasks and 200 files.
    Profile,
    /// Sync through a kith-server on loopback: bootstrap, applying, round trip.
    Sync,
}

#[derive(Serialize)]
struct SearchFigure {
    users: u64,
    kind: &'static str,
    kith_p50_ms: f64,
    kith_p99_ms: f64,
    like_p50_ms: f64,
    like_p99_ms: f64,
    /// How many times faster than the LIKE scan, at p99.
    speedup_p99: f64,
}

#[derive(Serialize)]
struct OpenFigure {
    users: u64,
    kith_ms: f64,
    reference_ms: f64,
    ratio: f64,
    generate_s: f64,
    db_mb: f64,
}

/// Fetching a page of the list anywhere in it, as when the scrollbar is dragged.
#[derive(Serialize)]
struct ScrollFigure {
    users: u64,
    anywhere_p50_ms: f64,
    anywhere_p99_ms: f64,
    first_page_p50_ms: f64,
    ratio_p99: f64,
}

#[derive(Serialize)]
struct Report {
    search: Vec<SearchFigure>,
    scroll: Vec<ScrollFigure>,
    open: Vec<OpenFigure>,
    /// Peak resident memory while opening, listing and searching, per size.
    serving_peak_rss_mb: Vec<(u64, Option<f64>)>,
    import: Vec<import::ImportFigure>,
    notes: Option<notes::NotesReport>,
    profile: Option<profile::ProfileReport>,
    sync: Option<sync::SyncBench>,
}

const SEED: u64 = 42;
const LIMIT: i64 = 50;

pub async fn run(args: &BenchArgs, out: &Output) -> Result<()> {
    let tmp;
    let base = match &args.work_dir {
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::tempdir().context("temporary directory")?;
            tmp.path().to_path_buf()
        }
    };
    let mut report = Report {
        search: Vec::new(),
        scroll: Vec::new(),
        open: Vec::new(),
        serving_peak_rss_mb: Vec::new(),
        import: Vec::new(),
        notes: None,
        profile: None,
        sync: None,
    };
    let runs = |part: Part| args.only.is_none_or(|only| only == part);
    if runs(Part::Search) {
        search(args, &base, &mut report).await?;
    }
    if runs(Part::Import) {
        let sizes = args.import_sizes.as_ref().unwrap_or(&args.sizes);
        report.import = import::run(sizes, &args.import_runs, &base).await?;
    }
    if runs(Part::Notes) {
        report.notes = Some(
            notes::run(
                args.notes,
                args.queries,
                args.reference_queries,
                &base,
                args.work_dir.is_some(),
            )
            .await?,
        );
    }
    if runs(Part::Profile) {
        report.profile = Some(profile::run(args.opens, args.profile_users, &base).await?);
    }
    if runs(Part::Sync) {
        report.sync =
            Some(sync::run(args.sync_users, args.sync_users, args.round_trips, &base).await?);
    }
    if out.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", markdown(&report));
    }
    Ok(())
}

/// Search, scroll, open and serving memory over `kith-cli demo` data, per size.
async fn search(args: &BenchArgs, base: &Path, report: &mut Report) -> Result<()> {
    for &size in &args.sizes {
        let dir = base.join(format!("bench-{size}"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        eprintln!("bench: generating {size} users…");
        let kith = Kith::open(&dir).await?;
        let started = Instant::now();
        kith_core::demo::generate(kith.store(), size, SEED).await?;
        let generate_s = started.elapsed().as_secs_f64();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(kith.store().pool())
            .await?;
        sqlx::query("ANALYZE").execute(kith.store().pool()).await?;
        let samples = sample_queries(&kith, args.queries).await?;
        // Serve from a freshly opened store, as the app does, and measure the memory
        // of that phase alone: generating the data is not what a user waits on.
        kith.store().close().await;
        drop(kith);
        reset_peak_rss();
        let kith = Kith::open(&dir).await?;

        for (kind, queries) in &samples {
            eprintln!("bench: {size} users, {kind} queries…");
            let mut kith_times = Vec::with_capacity(queries.len());
            for q in queries {
                let t = Instant::now();
                let r = kith.search(q, LIMIT).await?;
                kith_times.push(t.elapsed());
                std::hint::black_box(r);
            }
            let mut like_times = Vec::new();
            for q in queries.iter().take(args.reference_queries) {
                let t = Instant::now();
                like_scan(&kith, q).await?;
                like_times.push(t.elapsed());
            }
            let (kp50, kp99) = percentiles(&mut kith_times);
            let (lp50, lp99) = percentiles(&mut like_times);
            report.search.push(SearchFigure {
                users: size,
                kind,
                kith_p50_ms: kp50,
                kith_p99_ms: kp99,
                like_p50_ms: lp50,
                like_p99_ms: lp99,
                speedup_p99: lp99 / kp99.max(1e-6),
            });
        }
        report.scroll.push(scroll(&kith, size, args.queries).await?);
        kith.store().close().await;
        drop(kith);

        let db_mb = dir_size(&dir)? as f64 / 1e6;
        let (kith_ms, reference_ms) = open_first_page(&dir).await?;
        report.open.push(OpenFigure {
            users: size,
            kith_ms,
            reference_ms,
            ratio: kith_ms / reference_ms.max(1e-6),
            generate_s,
            db_mb,
        });
        report.serving_peak_rss_mb.push((size, peak_rss_mb()));
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}

/// Realistic queries drawn from the data: part of a last name (accent-free), part
/// of an email, and seven digits of a phone number.
async fn sample_queries(kith: &Kith, n: usize) -> Result<Vec<(&'static str, Vec<String>)>> {
    let max: i64 = sqlx::query_scalar("SELECT max(rid) FROM users")
        .fetch_one(kith.store().pool())
        .await?;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 1);
    let (mut names, mut full, mut emails, mut phones) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    while names.len() < n || emails.len() < n || phones.len() < n {
        let rid = rng.gen_range(1..=max.max(1));
        let row = sqlx::query(
            "SELECT name_key, last_key, email_key, mobile_phone FROM users WHERE rid = ?",
        )
        .bind(rid)
        .fetch_optional(kith.store().pool())
        .await?;
        let Some(row) = row else { continue };
        let last: String = row.try_get("last_key")?;
        let email: Option<String> = row.try_get("email_key")?;
        let phone: Option<String> = row.try_get("mobile_phone")?;
        let name: String = row.try_get("name_key")?;
        if names.len() < n {
            names.push(substring(&last, 4, &mut rng));
            // What staff type for a known customer: first name and the start of the last.
            let first = name.split_whitespace().next().unwrap_or_default();
            full.push(format!(
                "{first} {}",
                last.chars().take(3).collect::<String>()
            ));
        }
        if let (Some(e), true) = (email, emails.len() < n) {
            let local = e.split('@').next().unwrap_or_default().to_owned();
            emails.push(substring(&local, 6, &mut rng));
        }
        if let (Some(p), true) = (phone, phones.len() < n) {
            let digits: String = p.chars().filter(char::is_ascii_digit).collect();
            phones.push(substring(&digits, 7, &mut rng));
        }
    }
    Ok(vec![
        ("part of a last name", names),
        ("first name + start of last", full),
        ("part of an email", emails),
        ("7 digits of a phone", phones),
    ])
}

fn substring(s: &str, len: usize, rng: &mut ChaCha8Rng) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= len {
        return s.to_owned();
    }
    let start = rng.gen_range(0..=chars.len() - len);
    chars[start..start + len].iter().collect()
}

/// The reference: the same question answered by an unindexed LIKE scan.
async fn like_scan(kith: &Kith, q: &str) -> Result<()> {
    let folded = format!("%{}%", kith_core::text::fold(q));
    let digits = format!("%{}%", kith_core::text::digits(q));
    let rows = sqlx::query(
        "SELECT rid FROM users WHERE _deleted = 0 AND (name_key LIKE ?1 OR email_key LIKE ?1 \
         OR (?2 <> '%%' AND (mobile_phone LIKE ?2 OR home_phone LIKE ?2))) LIMIT ?3",
    )
    .bind(folded)
    .bind(digits)
    .bind(LIMIT)
    .fetch_all(kith.store().pool())
    .await?;
    std::hint::black_box(rows);
    Ok(())
}

/// Pages of 100 at random offsets in name order, against the first page.
async fn scroll(kith: &Kith, size: u64, n: usize) -> Result<ScrollFigure> {
    let users = kith.users();
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 2);
    let (mut anywhere, mut first) = (Vec::new(), Vec::new());
    for _ in 0..n.clamp(1, 100) {
        let offset = rng.gen_range(0..size.max(1)) as i64;
        let t = Instant::now();
        std::hint::black_box(users.list(UserSort::Name, offset, 100).await?);
        anywhere.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(users.list(UserSort::Name, 0, 100).await?);
        first.push(t.elapsed());
    }
    let (p50, p99) = percentiles(&mut anywhere);
    let (first_p50, _) = percentiles(&mut first);
    Ok(ScrollFigure {
        users: size,
        anywhere_p50_ms: p50,
        anywhere_p99_ms: p99,
        first_page_p50_ms: first_p50,
        ratio_p99: p99 / first_p50.max(1e-6),
    })
}

/// Opening the data dir and reading the first page of the list, as the app does at
/// start, against the least any reader must do: open the file and read 100 rows.
async fn open_first_page(dir: &Path) -> Result<(f64, f64)> {
    let mut kith_best = f64::MAX;
    let mut reference_best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let kith = Kith::open(dir).await?;
        let page = kith.users().list(UserSort::Name, 0, 100).await?;
        std::hint::black_box(&page);
        kith_best = kith_best.min(ms(t.elapsed()));
        kith.store().close().await;

        let t = Instant::now();
        let mut conn = SqliteConnectOptions::new()
            .filename(dir.join(kith_core::kith::DATABASE_FILE))
            .connect()
            .await?;
        let rows = sqlx::query("SELECT id, first_name, last_name, email FROM users LIMIT 100")
            .fetch_all(&mut conn)
            .await?;
        std::hint::black_box(rows);
        reference_best = reference_best.min(ms(t.elapsed()));
    }
    Ok((kith_best, reference_best))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(super) fn percentiles(times: &mut [Duration]) -> (f64, f64) {
    if times.is_empty() {
        return (0.0, 0.0);
    }
    times.sort();
    let at = |p: f64| ms(times[((times.len() - 1) as f64 * p).round() as usize]);
    (at(0.50), at(0.99))
}

/// The median of some measurements (the upper one of an even count).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn dir_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        // SQLite may still be removing the -wal/-shm files of a store just closed.
        match entry?.metadata() {
            Ok(m) => total += m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(total)
}

/// Resets the kernel's peak-RSS mark for this process (Linux; elsewhere a no-op).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory of this process, where the OS reports it.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn markdown(r: &Report) -> String {
    let mut s = String::new();
    if !r.search.is_empty() {
        s.push_str(&search_markdown(r));
    }
    if !r.import.is_empty() {
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(&import::markdown(&r.import));
    }
    if let Some(notes) = &r.notes {
        s.push_str(&notes::markdown(notes));
    }
    if let Some(p) = &r.profile {
        s.push_str(&profile::markdown(p));
    }
    if let Some(sync) = &r.sync {
        s.push_str(&sync::markdown(sync));
    }
    s
}

fn search_markdown(r: &Report) -> String {
    let mut s = String::new();
    s.push_str("### Search latency (limit 50)\n\n");
    s.push_str("| users | query | Kith p50 | Kith p99 | LIKE scan p50 | LIKE scan p99 | p99 speed-up vs LIKE |\n");
    s.push_str("|---:|---|---:|---:|---:|---:|---:|\n");
    for f in &r.search {
        s.push_str(&format!(
            "| {} | {} | {:.2} ms | {:.2} ms | {:.1} ms | {:.1} ms | {:.1}× |\n",
            f.users,
            f.kind,
            f.kith_p50_ms,
            f.kith_p99_ms,
            f.like_p50_ms,
            f.like_p99_ms,
            f.speedup_p99
        ));
    }
    s.push_str("\n### A page of 100 anywhere in the list (scrollbar dragged), name order\n\n");
    s.push_str("| users | page at a random offset p50 | p99 | reference: first page p50 | p99 / reference |\n");
    s.push_str("|---:|---:|---:|---:|---:|\n");
    for f in &r.scroll {
        s.push_str(&format!(
            "| {} | {:.1} ms | {:.1} ms | {:.2} ms | {:.1}× |\n",
            f.users, f.anywhere_p50_ms, f.anywhere_p99_ms, f.first_page_p50_ms, f.ratio_p99
        ));
    }
    s.push_str("\n### Open the database and show the first page (best of 3)\n\n");
    s.push_str("| users | Kith open + first page | reference: open + 100 unsorted rows | ratio | DB size | demo data generated in |\n");
    s.push_str("|---:|---:|---:|---:|---:|---:|\n");
    for f in &r.open {
        s.push_str(&format!(
            "| {} | {:.1} ms | {:.1} ms | {:.1}× | {:.0} MB | {:.0} s |\n",
            f.users, f.kith_ms, f.reference_ms, f.ratio, f.db_mb, f.generate_s
        ));
    }
    s.push_str("\n### Peak memory while opening, listing and searching\n\n| users | peak RSS |\n|---:|---:|\n");
    for (users, mb) in &r.serving_peak_rss_mb {
        let mb = mb.map_or("n/a".to_owned(), |m| format!("{m:.0} MB"));
        s.push_str(&format!("| {users} | {mb} |\n"));
    }
    s
}
