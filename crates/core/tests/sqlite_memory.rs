//! SQLite on Rust's global allocator (see `kith_core::sqlite_memory`). A test
//! binary of its own: SQLite takes an allocator only before its first use in a
//! process, and this file's one test makes that first use.

use kith_core::schema::USERS;
use kith_core::store::{Edit, Store};
use uuid::Uuid;

#[test]
fn the_store_works_on_the_global_allocator_and_checkpoints_its_log() {
    assert!(
        kith_core::sqlite_memory::use_global_allocator(),
        "SQLite refused the allocator before its first use"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kith.db");
        let store = Store::open(&path).await.expect("open store");
        // Enough rows, long enough, for SQLite to grow and shrink values, pages and
        // the search index's buffers through every one of the allocator's calls.
        for batch in 0..4 {
            let edits = (0..500)
                .map(|i| {
                    Edit::create(&USERS, Uuid::now_v7())
                        .set("first_name", format!("Zoë{batch}-{i}"))
                        .set("last_name", "Ångström".repeat(1 + i % 40))
                        .set("email", format!("user{batch}.{i}@example.com"))
                })
                .collect();
            store.commit(edits).await.expect("commit");
        }
        let renamed: Vec<String> = sqlx::query_scalar("SELECT id FROM users LIMIT 300")
            .fetch_all(store.pool())
            .await
            .expect("ids");
        let edits = renamed
            .iter()
            .map(|id| {
                Edit::new(&USERS, Uuid::parse_str(id).expect("id")).set("first_name", "Renamed")
            })
            .collect();
        store.commit(edits).await.expect("rename");

        let count: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM users_fts WHERE users_fts MATCH '\"renamed\"'",
        )
        .fetch_one(store.pool())
        .await
        .expect("search");
        assert_eq!(count, 300);
        assert_eq!(store.search_index_drift().await.expect("drift"), 0);
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(store.pool())
            .await
            .expect("integrity check");
        assert_eq!(check, "ok");
        store.close().await;
        let wal = std::fs::metadata(dir.path().join("kith.db-wal")).map_or(0, |m| m.len());
        assert_eq!(wal, 0, "closing folds the whole log back into the database");
    });
    // Once SQLite has started it keeps its allocator.
    assert!(!kith_core::sqlite_memory::use_global_allocator());
}
