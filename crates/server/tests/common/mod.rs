//! Shared by the integration tests: throwaway PostgreSQL databases, changes.
#![allow(dead_code)]

use std::collections::BTreeMap;

use kith_protocol::{Change, Hlc, NodeId, Value};
use kith_server::testing::services_required;
use sqlx::{Connection, Executor, PgConnection};
use uuid::Uuid;

/// A database of its own on the test cluster (`KITH_TEST_POSTGRES_URL`), dropped
/// afterwards, so tests run in parallel.
pub struct PgDb {
    pub url: String,
    base: String,
    name: String,
}

impl PgDb {
    /// `None` (the test is skipped) when no cluster is configured — except under
    /// the project's test command, where a missing cluster is a failure, not a
    /// silent skip (see `services_required`).
    pub async fn create() -> Option<PgDb> {
        let Ok(base) = std::env::var("KITH_TEST_POSTGRES_URL") else {
            assert!(
                !services_required(),
                "KITH_TEST_POSTGRES_URL is not set: scripts/test.sh starts a cluster"
            );
            eprintln!("KITH_TEST_POSTGRES_URL not set: PostgreSQL case skipped");
            return None;
        };
        let name = format!("kith_test_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&base)
            .await
            .expect("connect to test cluster");
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        let url = with_database(&base, &name);
        Some(PgDb { url, base, name })
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let base = self.base.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; a runtime of its own on another
        // thread can block on the cleanup.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(mut conn) = PgConnection::connect(&base).await {
                    let _ = conn
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await;
                }
            });
        })
        .join();
    }
}

/// `base` with its database name replaced.
fn with_database(base: &str, name: &str) -> String {
    let (main, query) = match base.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (base, None),
    };
    let scheme_end = main.find("://").map_or(0, |i| i + 3);
    let host_part = match main[scheme_end..].find('/') {
        Some(i) => &main[..scheme_end + i],
        None => main,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// A change of `node` to one row, stamped `millis`.
pub fn change(node: NodeId, row: Uuid, millis: u64, fields: &[(&str, Value)]) -> Change {
    Change {
        table: "users".into(),
        row,
        hlc: Hlc::new(millis, 0),
        node,
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// The wall clock, Unix ms.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
