//! Shared helpers for kith-core's integration tests.
#![allow(dead_code)]

use kith_core::{Kith, Store};
use tempfile::TempDir;

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub async fn store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("kith.db"))
        .await
        .expect("open store");
    (dir, store)
}

pub async fn kith() -> (TempDir, Kith) {
    let dir = tempfile::tempdir().expect("temp dir");
    let kith = Kith::open(dir.path()).await.expect("open kith");
    (dir, kith)
}

/// A new live user with just a name.
pub async fn user(kith: &Kith, first: &str, last: &str) -> uuid::Uuid {
    kith.users()
        .create(&kith_core::users::NewUser {
            first_name: first.into(),
            last_name: last.into(),
            email: None,
            mobile_phone: None,
            home_phone: None,
            custom_values: Vec::new(),
        })
        .await
        .expect("create user")
        .id
}

/// Every synced table's data and derived columns, as text, in a stable order.
pub async fn dump(store: &Store) -> Vec<String> {
    use sqlx::Row;
    let mut out = Vec::new();
    for table in kith_core::schema::TABLES {
        let mut cols: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
        cols.push("_deleted");
        if table.name == "users" {
            cols.extend(["name_key", "last_key", "email_key", "_activity"]);
        }
        let select = cols
            .iter()
            .map(|c| format!("quote({c})"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let rows = sqlx::query(&format!(
            "SELECT id, {select} AS v FROM {} ORDER BY id",
            table.name
        ))
        .fetch_all(store.pool())
        .await
        .expect("dump");
        for r in rows {
            let id: String = r.get("id");
            let v: String = r.get("v");
            out.push(format!("{}:{id}:{v}", table.name));
        }
    }
    let live: i64 = sqlx::query_scalar("SELECT value FROM local_counts WHERE name = 'live_users'")
        .fetch_one(store.pool())
        .await
        .expect("live count");
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE _deleted = 0")
        .fetch_one(store.pool())
        .await
        .expect("count");
    assert_eq!(
        live, counted,
        "the kept count of live users matches the table"
    );
    out.push(format!("live:{live}"));
    // The search index must agree too: exactly the postings the users' current
    // values give (an entry removed with other text than it was added with would
    // leave stale ones), and the rowids it holds, by user id.
    assert_eq!(
        store
            .search_index_drift()
            .await
            .expect("search index drift"),
        0,
        "the users search index holds exactly what the users table gives"
    );
    // The users who have postings in the index: it cannot be scanned for its
    // rowids (contentless, without column sizes; migration 0024), but its terms
    // can, through a vocabulary table of this connection's.
    let mut conn = store.pool().acquire().await.expect("connection");
    sqlx::query(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.users_fts_docs \
         USING fts5vocab (main, users_fts, instance)",
    )
    .execute(&mut *conn)
    .await
    .expect("vocabulary table");
    let fts = sqlx::query(
        "SELECT u.id FROM (SELECT DISTINCT doc FROM temp.users_fts_docs) d \
         JOIN users u ON u.rid = d.doc ORDER BY u.id",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("dump fts");
    for r in fts {
        let id: String = r.get("id");
        out.push(format!("fts:{id}"));
    }
    // And the custom value index: whose entries it holds.
    let values = sqlx::query(
        "SELECT u.id FROM user_values_fts JOIN users u ON u.rid = user_values_fts.rowid ORDER BY u.id",
    )
    .fetch_all(store.pool())
    .await
    .expect("dump custom value index");
    for r in values {
        let id: String = r.get("id");
        out.push(format!("values:{id}"));
    }
    out
}

/// The ids a user search finds, best first (up to 20).
pub async fn found(kith: &Kith, query: &str) -> Vec<uuid::Uuid> {
    kith.search(query, 20)
        .await
        .expect("search")
        .rows
        .into_iter()
        .map(|u| u.id)
        .collect()
}

/// A file of `tests/fixtures/import/`.
pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// Import options as the CLI's defaults have them, in `mode`, matching on email.
pub fn import_options(mode: kith_core::import::run::Mode) -> kith_core::import::run::ImportOptions {
    kith_core::import::run::ImportOptions {
        mode,
        match_on: kith_core::import::run::MatchOn::Email,
        mapping: None,
        region: "US".into(),
        encoding: None,
        sheet: None,
        default_teams: Vec::new(),
        default_values: Vec::new(),
        dry_run: false,
        skip_invalid: false,
        remember_mapping: false,
    }
}

/// Imports `path`, cancelled as soon as the first chunk is written; returns
/// what the import returned, and the rows it had read by then.
pub async fn import_cancelled(
    kith: &Kith,
    path: &std::path::Path,
    opts: &kith_core::import::run::ImportOptions,
) -> (
    Result<kith_core::import::run::ImportReport, kith_core::import::run::RunError>,
    u64,
) {
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut seen = 0;
    let result = kith_core::import::run::run(
        kith.store(),
        kith.files().blobs(),
        path,
        opts,
        &cancel,
        |p| {
            seen = p.rows;
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        },
    )
    .await;
    (result, seen)
}

/// Imports `path`, never cancelled, progress unheard.
pub async fn import(
    kith: &Kith,
    path: &std::path::Path,
    opts: &kith_core::import::run::ImportOptions,
) -> Result<kith_core::import::run::ImportReport, kith_core::import::run::RunError> {
    let never = std::sync::atomic::AtomicBool::new(false);
    kith_core::import::run::run(
        kith.store(),
        kith.files().blobs(),
        path,
        opts,
        &never,
        |_| {},
    )
    .await
}

/// Exports into the file at `path`; returns the number of users written.
pub async fn export_file(
    kith: &Kith,
    opts: &kith_core::export::ExportOptions,
    path: &std::path::Path,
) -> u64 {
    let never = std::sync::atomic::AtomicBool::new(false);
    kith_core::export::to_file(kith.store().pool(), opts, path, &never, |_| {})
        .await
        .expect("export")
}
