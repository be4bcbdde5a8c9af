//! A crash in the middle of an import leaves the database exactly as it was.
//!
//! The real `kith-cli import` is started on a file big enough that it cannot
//! finish, killed with SIGKILL once it has demonstrably written part of the file
//! (inside its one long transaction), and the database is then compared, table by
//! table, with a snapshot taken before — then checked with `PRAGMA
//! integrity_check`, and used for a normal import to show nothing was left locked.

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row, SqliteConnection};

/// Rows in the file to import: far more than can be imported before the kill.
const ROWS: usize = 300_000;
/// Rows the import must report having written before it is killed: a few of its
/// 2,000-row chunks, so the transaction holds real work when it dies.
const KILL_AFTER_ROWS: u64 = 8_000;
/// WAL bytes the open transaction must have spilled before the kill: the page
/// cache overflowed and uncommitted pages sit in the WAL, the case where a torn
/// transaction could leak into the database if recovery were wrong.
const KILL_AFTER_WAL_BYTES: u64 = 4 << 20;
/// How long the import may take to get there on a slow, busy machine.
const REACH_TIMEOUT: Duration = Duration::from_secs(120);

fn kith_cli() -> PathBuf {
    assert_cmd::cargo::cargo_bin("kith-cli")
}

fn cli(dir: &Path) -> Command {
    let mut cmd = Command::new(kith_cli());
    cmd.env_remove("KITH_DATA_DIR").arg("--data-dir").arg(dir);
    cmd
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let out = cli(dir)
        .arg("--json")
        .args(args)
        .output()
        .expect("run kith-cli");
    assert!(
        out.status.success(),
        "kith-cli {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

async fn connect(db: &Path) -> SqliteConnection {
    SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .expect("open the database read-only")
}

/// Every row of every table — data, search index shadow tables, outbox, clocks,
/// import bookkeeping, counters — as sorted text, so two snapshots compare whole.
async fn snapshot(db: &Path) -> Vec<String> {
    let mut conn = connect(db).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' \
         AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list tables");
    assert!(tables.iter().any(|t| t == "users"), "{tables:?}");
    let mut out = Vec::new();
    for table in tables {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .expect("table columns");
        let row = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let mut rows: Vec<String> = sqlx::query_scalar(&format!("SELECT {row} FROM \"{table}\""))
            .fetch_all(&mut conn)
            .await
            .expect("dump table");
        rows.sort();
        out.push(format!("table {table}: {} rows", rows.len()));
        out.extend(rows.into_iter().map(|r| format!("{table}:{r}")));
    }
    conn.close().await.expect("close");
    out
}

async fn scalar(db: &Path, sql: &str) -> i64 {
    let mut conn = connect(db).await;
    let v = sqlx::query(sql)
        .fetch_one(&mut conn)
        .await
        .expect(sql)
        .get::<i64, _>(0);
    conn.close().await.expect("close");
    v
}

async fn integrity(db: &Path) -> Vec<String> {
    let mut conn = connect(db).await;
    let v = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .expect("integrity_check");
    conn.close().await.expect("close");
    v
}

/// A realistic customer export, with some repeated emails so the import's merge
/// path runs too.
fn write_csv(path: &Path, rows: usize) {
    const FIRST: [&str; 8] = [
        "Zoë", "José", "Anna", "Søren", "Chloé", "Noah", "Aoife", "Liam",
    ];
    const LAST: [&str; 8] = [
        "Müller",
        "García",
        "Smith",
        "Ødegaard",
        "Dubois",
        "Nakamura",
        "Patel",
        "Jones",
    ];
    let mut f = BufWriter::new(std::fs::File::create(path).expect("create csv"));
    writeln!(f, "First Name,Last Name,Email,Mobile Phone,City,Tags").expect("write csv");
    for i in 0..rows {
        let email = if i.is_multiple_of(50) { i / 2 } else { i };
        writeln!(
            f,
            "{},{},crash{email}@example.com,+1 415 {:03} {:04},{},{}",
            FIRST[i % FIRST.len()],
            LAST[(i / 8) % LAST.len()],
            200 + i % 800,
            i % 10_000,
            if i.is_multiple_of(3) { "Boston" } else { "" },
            if i.is_multiple_of(4) { "VIP" } else { "" },
        )
        .expect("write csv");
    }
    f.flush().expect("flush csv");
}

/// The rows count in the last "\rimport: N rows read (P%)" progress report in `text`.
fn rows_read(text: &str) -> Option<u64> {
    let last = text.rsplit("import: ").next()?;
    last.split_whitespace().next()?.parse().ok()
}

#[test]
fn killing_an_import_midway_leaves_the_database_unchanged() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let db = data.join("kith.db");

    // A database with users of every origin: demo data (merged, no outbox) and
    // users added by hand (in the outbox, with clocks).
    assert_eq!(
        json(&data, &["demo", "--users", "200", "--seed", "5"])["users"],
        200
    );
    for (first, last, email) in [
        ("Zoë", "Müller", "zoe@example.com"),
        ("Ada", "Lovelace", "ada@example.com"),
    ] {
        json(
            &data,
            &[
                "users",
                "add",
                "--first-name",
                first,
                "--last-name",
                last,
                "--email",
                email,
            ],
        );
    }
    let rt = runtime();
    let before = rt.block_on(snapshot(&db));
    let live_before = rt.block_on(scalar(&db, "SELECT count(*) FROM users WHERE _deleted = 0"));
    assert_eq!(live_before, 202);
    let outbox_before = rt.block_on(scalar(&db, "SELECT count(*) FROM pending_changes"));
    assert!(outbox_before > 0, "users added by hand are in the outbox");

    let csv = dir.path().join("big.csv");
    write_csv(&csv, ROWS);

    let mut child = cli(&data)
        .arg("import")
        .arg(&csv)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kith-cli import");
    // Progress arrives on stderr as "\rimport: N rows read (P%)" after each chunk
    // written inside the transaction; a thread forwards the counts.
    let mut stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel::<Result<u64, String>>();
    let reader = std::thread::spawn(move || {
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        loop {
            match stderr.read(&mut buf) {
                Ok(0) | Err(_) => {
                    // The import ended (or was killed): hand over what it said.
                    let _ = tx.send(Err(seen));
                    return;
                }
                Ok(n) => {
                    seen.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if let Some(rows) = rows_read(&seen) {
                        let _ = tx.send(Ok(rows));
                    }
                }
            }
        }
    });

    let wal = db.with_extension("db-wal");
    let wal_len = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let deadline = Instant::now() + REACH_TIMEOUT;
    let (reached, wal_bytes) = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Ok(rows)) if rows >= KILL_AFTER_ROWS && wal_len() >= KILL_AFTER_WAL_BYTES => {
                break (rows, wal_len())
            }
            Ok(Ok(_)) => continue,
            Ok(Err(said)) => {
                let status = child.wait().expect("wait");
                panic!("the import ended on its own before it could be killed ({status}): {said}");
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the import did not reach {KILL_AFTER_ROWS} rows and a \
                     {KILL_AFTER_WAL_BYTES}-byte WAL in {REACH_TIMEOUT:?}"
                );
            }
        }
    };
    child.kill().expect("SIGKILL the import");
    let status = child.wait().expect("wait for the killed import");
    reader.join().expect("stderr reader");
    assert!(
        !status.success(),
        "the import must have been killed, not finished: {status}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status}");
    }
    assert!(reached < ROWS as u64, "killed at {reached} of {ROWS} rows");

    let after = rt.block_on(snapshot(&db));
    assert_eq!(
        rt.block_on(integrity(&db)),
        vec!["ok".to_owned()],
        "PRAGMA integrity_check after the kill"
    );
    assert_eq!(
        rt.block_on(scalar(&db, "SELECT count(*) FROM import_batches")),
        0,
        "no import batch was recorded"
    );
    assert_eq!(
        rt.block_on(scalar(&db, "SELECT count(*) FROM users WHERE _deleted = 0")),
        live_before
    );
    assert_eq!(
        rt.block_on(scalar(&db, "SELECT count(*) FROM pending_changes")),
        outbox_before,
        "the outbox holds nothing of the killed import"
    );
    if before != after {
        let first_diff = before
            .iter()
            .zip(&after)
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("before: {a}\nafter:  {b}"))
            .unwrap_or_else(|| format!("{} rows before, {} after", before.len(), after.len()));
        panic!(
            "the database changed (killed at {reached} rows, WAL {wal_bytes} bytes):\n{first_diff}"
        );
    }

    // Nothing was left locked or half-written: a normal import works, and its users
    // are searchable at once.
    let small = dir.path().join("small.csv");
    std::fs::write(
        &small,
        "First Name,Last Name,Email\nGrace,Hopper,grace@example.com\nAlan,Turing,alan@example.com\n",
    )
    .expect("write small csv");
    let report = json(&data, &["import", small.to_str().expect("utf-8 path")]);
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(report["committed"], true, "{report}");
    assert_eq!(json(&data, &["users", "list"])["total"], 204);
    assert_eq!(
        json(&data, &["search", "hopper"])["rows"][0]["email"],
        "grace@example.com"
    );
    assert_eq!(
        rt.block_on(integrity(&db)),
        vec!["ok".to_owned()],
        "PRAGMA integrity_check after the next import"
    );
    eprintln!(
        "killed at {reached} rows (WAL {wal_bytes} bytes); test took {:?}",
        started.elapsed()
    );
}
