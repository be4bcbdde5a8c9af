//! The import benchmark: `kith-cli import` of a generated customer file into a
//! fresh data directory, beside the least any importer must do with the same
//! file — SQLite's own `sqlite3 .import` into a plain table plus an FTS5 trigram
//! index over the same columns — measured in the same run, alternately, so that
//! a busy machine slows both alike.
//!
//! Both run as child processes, so wall time covers everything a user waits for
//! (start, parse, write, commit, checkpoint) and the peak RSS is the importer's
//! own, not the benchmark's.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use kith_core::demo::{DOMAINS, FIRST, LAST, US_AREAS};
use kith_core::Kith;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{dir_size, median, ms, SEED};

#[derive(Serialize)]
pub struct ImportFigure {
    pub rows: u64,
    pub runs: usize,
    pub csv_mb: f64,
    /// Median wall time of `kith-cli import`, start to exit.
    pub kith_s: f64,
    /// Median wall time of the sqlite3 reference; `None` without a sqlite3 binary.
    pub reference_s: Option<f64>,
    /// Kith's median over the reference's.
    pub ratio: Option<f64>,
    pub kith_rows_per_s: f64,
    /// The highest peak RSS of the importing process over the runs.
    pub kith_peak_rss_mb: Option<f64>,
    pub reference_peak_rss_mb: Option<f64>,
    /// Opening the data directory and finding the file's last user by email,
    /// right after the import exited (median).
    pub search_after_ms: f64,
    pub kith_db_mb: f64,
    pub reference_db_mb: Option<f64>,
    /// `kith-cli undo-import` of that import, start to exit (median), and the
    /// highest peak RSS of the undoing process.
    pub undo_s: f64,
    pub undo_peak_rss_mb: Option<f64>,
}

/// Measures each size `runs[i]` times (the last count repeats) under `base`.
pub async fn run(sizes: &[u64], runs: &[usize], base: &Path) -> Result<Vec<ImportFigure>> {
    std::fs::create_dir_all(base)?;
    let reference = sqlite3_version();
    match &reference {
        Some(v) => eprintln!("bench: import reference: sqlite3 {v}"),
        None => eprintln!(
            "bench: no sqlite3 on PATH — the import reference is skipped \
             (Debian/Ubuntu: apt-get install sqlite3)"
        ),
    }
    let exe = std::env::current_exe().context("cannot find the kith-cli executable")?;
    let mut figures = Vec::new();
    for (i, &rows) in sizes.iter().enumerate() {
        if rows == 0 {
            bail!("--import-sizes: a file needs at least 1 row");
        }
        let n_runs = runs.get(i).or(runs.last()).copied().unwrap_or(1).max(1);
        let csv = base.join(format!("import-{rows}.csv"));
        eprintln!("bench: writing a {rows}-row CSV file…");
        let last_email = write_csv(&csv, rows)?;
        let csv_mb = std::fs::metadata(&csv)?.len() as f64 / 1e6;

        let (mut kith_s, mut ref_s, mut search_ms) = (Vec::new(), Vec::new(), Vec::new());
        let (mut kith_rss, mut ref_rss) = (None::<f64>, None::<f64>);
        let (mut undo_s, mut undo_rss) = (Vec::new(), None::<f64>);
        let (mut kith_db_mb, mut ref_db_mb) = (0.0, None);
        for r in 1..=n_runs {
            let dir = base.join(format!("import-{rows}-kith"));
            remove(&dir)?;
            let (report, secs, rss) = kith_cli(
                &exe,
                &dir,
                &["import".as_ref(), csv.as_os_str()],
                &base.join("import-kith.out"),
            )?;
            let batch = check_report(&report, rows)?;
            kith_s.push(secs);
            kith_rss = max_of(kith_rss, rss);
            search_ms.push(search_after(&dir, &last_email).await?);
            kith_db_mb = dir_size(&dir)? as f64 / 1e6;
            let (undo_secs, rss) = undo(&exe, &dir, &batch, rows, base)?;
            undo_s.push(undo_secs);
            undo_rss = max_of(undo_rss, rss);
            remove(&dir)?;

            let mut line = format!(
                "bench: import {rows} rows, run {r}/{n_runs}: Kith {secs:.1} s, undo {undo_secs:.1} s"
            );
            if reference.is_some() {
                let db = base.join(format!("import-{rows}-reference.db"));
                remove_file(&db)?;
                let (secs, rss) = reference_import(&csv, &db, base, rows)?;
                ref_s.push(secs);
                ref_rss = max_of(ref_rss, rss);
                ref_db_mb = Some(std::fs::metadata(&db)?.len() as f64 / 1e6);
                remove_file(&db)?;
                line.push_str(&format!(", sqlite3 reference {secs:.1} s"));
            }
            eprintln!("{line}");
        }
        std::fs::remove_file(&csv)?;
        let kith = median(&kith_s);
        let reference_s = (!ref_s.is_empty()).then(|| median(&ref_s));
        figures.push(ImportFigure {
            rows,
            runs: n_runs,
            csv_mb,
            kith_s: kith,
            reference_s,
            ratio: reference_s.map(|r| kith / r.max(1e-6)),
            kith_rows_per_s: rows as f64 / kith.max(1e-6),
            kith_peak_rss_mb: kith_rss,
            reference_peak_rss_mb: ref_rss,
            search_after_ms: median(&search_ms),
            kith_db_mb,
            reference_db_mb: ref_db_mb,
            undo_s: median(&undo_s),
            undo_peak_rss_mb: undo_rss,
        });
    }
    for name in [
        "import-kith.out",
        "import-kith.out.err",
        "import-undo.out",
        "import-undo.out.err",
        "import-reference.sql",
    ] {
        remove_file(&base.join(name))?;
    }
    Ok(figures)
}

fn remove(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    Ok(())
}

fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn max_of(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Runs `kith-cli --data-dir DIR --json ARGS…` as a child process writing to
/// `out`: its JSON report, wall time and peak RSS. A failure is an error with
/// what the child printed on stderr.
fn kith_cli(
    exe: &Path,
    dir: &Path,
    args: &[&std::ffi::OsStr],
    out: &Path,
) -> Result<(serde_json::Value, f64, Option<f64>)> {
    let t = Instant::now();
    let (status, rss) = run_child(
        Command::new(exe)
            .env_remove("KITH_DATA_DIR")
            .arg("--data-dir")
            .arg(dir)
            .arg("--json")
            .args(args),
        out,
    )?;
    let secs = t.elapsed().as_secs_f64();
    if !status.success() {
        bail!(
            "kith-cli {args:?} failed ({status}): {}",
            std::fs::read_to_string(format!("{}.err", out.display())).unwrap_or_default()
        );
    }
    let text = std::fs::read_to_string(out)?;
    let report = serde_json::from_str(&text)
        .with_context(|| format!("kith-cli {args:?} printed {text:?}"))?;
    Ok((report, secs, rss))
}

/// The import's JSON report must say every row was created and committed;
/// returns its batch id.
fn check_report(report: &serde_json::Value, rows: u64) -> Result<String> {
    if report["created"].as_u64() != Some(rows) || report["committed"] != true {
        bail!("kith-cli import did not create all {rows} rows: {report}");
    }
    report["batch_id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("kith-cli import reported no batch id: {report}"))
}

/// Undoes the import in `dir` with `kith-cli undo-import`: its wall time and
/// peak RSS. The report must say every row went to the trash.
fn undo(exe: &Path, dir: &Path, batch: &str, rows: u64, base: &Path) -> Result<(f64, Option<f64>)> {
    let (report, secs, rss) = kith_cli(
        exe,
        dir,
        &["undo-import".as_ref(), batch.as_ref()],
        &base.join("import-undo.out"),
    )?;
    if report["removed"].as_u64() != Some(rows) {
        bail!("kith-cli undo-import did not remove all {rows} users: {report}");
    }
    Ok((secs, rss))
}

/// Opens the imported data directory and searches for the file's last user, as
/// staff would the moment the import finished: the index is written in the
/// import's transaction, so there is nothing to wait for.
async fn search_after(dir: &Path, email: &str) -> Result<f64> {
    let handle = email.split('@').next().unwrap_or(email);
    let t = Instant::now();
    let kith = Kith::open(dir).await?;
    let found = kith.search(handle, 20).await?;
    let elapsed = ms(t.elapsed());
    kith.store().close().await;
    if !found.rows.iter().any(|u| u.email.as_deref() == Some(email)) {
        bail!("right after the import, a search for {handle:?} did not find {email}");
    }
    Ok(elapsed)
}

/// `sqlite3 --version`'s first word, or `None` when there is no sqlite3 to run.
fn sqlite3_version() -> Option<String> {
    let out = Command::new("sqlite3").arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().next().map(str::to_owned)
}

/// The reference: SQLite's shell imports the file into a plain table and builds a
/// trigram FTS5 index over the columns Kith searches (name, email, phone).
/// Returns its wall time and peak RSS.
fn reference_import(csv: &Path, db: &Path, base: &Path, rows: u64) -> Result<(f64, Option<f64>)> {
    let script = base.join("import-reference.sql");
    let quoted = csv.display().to_string().replace('"', "\\\"");
    std::fs::write(
        &script,
        format!(
            ".bail on\n\
             .mode csv\n\
             .import \"{quoted}\" people\n\
             CREATE VIRTUAL TABLE people_fts USING fts5(first, last, email, phone, tokenize = 'trigram');\n\
             INSERT INTO people_fts (first, last, email, phone) \
             SELECT \"First Name\", \"Last Name\", \"Email\", \"Mobile Phone\" FROM people;\n"
        ),
    )?;
    let t = Instant::now();
    let (status, rss) = run_child(
        Command::new("sqlite3").arg(db).stdin(File::open(&script)?),
        &base.join("import-reference.out"),
    )?;
    let secs = t.elapsed().as_secs_f64();
    let err = std::fs::read_to_string(base.join("import-reference.out.err")).unwrap_or_default();
    remove_file(&base.join("import-reference.out"))?;
    remove_file(&base.join("import-reference.out.err"))?;
    if !status.success() || !err.trim().is_empty() {
        bail!("the sqlite3 reference import failed ({status}): {err}");
    }
    let count = Command::new("sqlite3")
        .arg(db)
        .arg("SELECT count(*) FROM people_fts")
        .output()?;
    let count = String::from_utf8_lossy(&count.stdout).trim().to_owned();
    if count != rows.to_string() {
        bail!("the sqlite3 reference indexed {count:?} rows, not {rows}");
    }
    Ok((secs, rss))
}

/// Runs `cmd` to its end with stdout in `out` and stderr in `out` + ".err" (files,
/// not pipes, so a chatty child cannot block on a full pipe), and returns how it
/// exited and its peak RSS in MB where the OS reports it.
fn run_child(cmd: &mut Command, out: &Path) -> Result<(ExitStatus, Option<f64>)> {
    let err = PathBuf::from(format!("{}.err", out.display()));
    let child = cmd
        .stdout(Stdio::from(File::create(out)?))
        .stderr(Stdio::from(File::create(&err)?))
        .spawn()
        .with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    Ok(crate::peak_rss::wait_with_peak_rss(child)?)
}

/// (The names, domains and area codes are the demo data's.)
const CITIES: &[(&str, &str)] = &[
    ("New York", "US"),
    ("San Francisco", "US"),
    ("Boston", "US"),
    ("London", "GB"),
    ("Berlin", "DE"),
    ("München", "DE"),
    ("Paris", "FR"),
];
const TAGS: &[&str] = &["VIP", "Newsletter", "Wholesale"];

/// Writes a deterministic customer export of `rows` rows, as a shop or CRM would:
/// accented names, one unique email each, mobile numbers in international or US
/// national format (the data directory's default region is US), a city for about
/// a third and a tag for a quarter of the rows. Returns the last row's email.
fn write_csv(path: &Path, rows: u64) -> Result<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 3);
    let mut f = BufWriter::new(
        File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    writeln!(
        f,
        "First Name,Last Name,Email,Mobile Phone,City,Country,Tags"
    )?;
    let mut email = String::new();
    for i in 0..rows {
        let first = pick(&mut rng, FIRST);
        let last = pick(&mut rng, LAST);
        email = format!(
            "{}.{}{i}@{}",
            handle(first),
            handle(last),
            pick(&mut rng, DOMAINS)
        );
        let area = pick(&mut rng, US_AREAS);
        let exchange = rng.gen_range(200..1000);
        let line = rng.gen_range(0..10_000);
        let phone = match rng.gen_range(0..10) {
            0 => format!("+44 7700 900{:03}", rng.gen_range(0..1000)),
            1 => format!("+49 151 {:08}", rng.gen_range(0..100_000_000)),
            2..=5 => format!("+1 {area} {exchange} {line:04}"),
            6..=8 => format!("({area}) {exchange}-{line:04}"),
            _ => String::new(),
        };
        let (city, country) = if rng.gen_bool(0.35) {
            *pick(&mut rng, CITIES)
        } else {
            ("", "")
        };
        let tag = if rng.gen_bool(0.25) {
            pick(&mut rng, TAGS)
        } else {
            ""
        };
        // No value holds a comma, quote or line break: nothing needs quoting.
        writeln!(f, "{first},{last},{email},{phone},{city},{country},{tag}")?;
    }
    f.flush()?;
    Ok(email)
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    items.choose(rng).unwrap_or(&items[0])
}

/// The ASCII letters of a name, lower case, for an email address.
fn handle(name: &str) -> String {
    kith_core::text::fold(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

pub fn markdown(figures: &[ImportFigure]) -> String {
    let mut s = String::from(
        "### Import a CSV file (median of the runs)\n\n\
         | rows | runs | Kith import | reference: sqlite3 .import + FTS5 | Kith / reference | Kith rows/s | Kith peak RSS | reference peak RSS | search right after | Kith DB | reference DB | undo of the import | undo peak RSS |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let mb = |v: Option<f64>| v.map_or("n/a".to_owned(), |m| format!("{m:.0} MB"));
    // Small files import in well under a second: keep two figures there.
    let secs = |s: f64| {
        if s < 10.0 {
            format!("{s:.2} s")
        } else {
            format!("{s:.1} s")
        }
    };
    for f in figures {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.0} | {} | {} | {:.1} ms | {:.0} MB | {} | {} | {} |\n",
            f.rows,
            f.runs,
            secs(f.kith_s),
            f.reference_s.map_or("n/a".to_owned(), secs),
            f.ratio.map_or("n/a".to_owned(), |r| format!("{r:.1}×")),
            f.kith_rows_per_s,
            mb(f.kith_peak_rss_mb),
            mb(f.reference_peak_rss_mb),
            f.search_after_ms,
            f.kith_db_mb,
            mb(f.reference_db_mb),
            secs(f.undo_s),
            mb(f.undo_peak_rss_mb),
        ));
    }
    s
}
