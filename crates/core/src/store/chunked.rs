//! Multi-row statements over a slice of rows, a chunk of rows to a statement,
//! each statement built while SQLite runs the one before it.
//!
//! SQLite runs on its own worker thread (sqlx's), and the write path's own work
//! between two statements — binding a few hundred rows, encoding their values —
//! used to leave that thread idle. Building statement k+1 while statement k runs
//! lets the two threads work at once; the statements still run one at a time,
//! in order, and the first error stops the rest.

use futures_util::future::join;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Sqlite, SqliteConnection};

use crate::error::Result;

pub(super) type Statement<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>;

/// The texts of the statements that write `len` rows `per` to a statement: the
/// full chunks share one text (prepared once, then found in sqlx's statement
/// cache), and the last chunk may be shorter.
pub(super) struct Texts {
    per: usize,
    full: String,
    last: String,
}

impl Texts {
    /// `sql(n)` is the text of a statement writing `n` rows.
    pub fn new(len: usize, per: usize, sql: impl Fn(usize) -> String) -> Self {
        let per = per.max(1);
        let text = |n: usize| if n == 0 { String::new() } else { sql(n) };
        Self {
            per,
            full: text(if len >= per { per } else { 0 }),
            last: text(len % per),
        }
    }

    fn of(&self, rows: usize) -> &str {
        if rows == self.per {
            &self.full
        } else {
            &self.last
        }
    }
}

/// Runs one statement of `texts` per chunk of `rows`, in order; `bind` binds one
/// row's values to its statement.
pub(super) async fn execute<'q, T>(
    conn: &mut SqliteConnection,
    texts: &'q Texts,
    rows: &'q [T],
    mut bind: impl FnMut(Statement<'q>, &'q T) -> Result<Statement<'q>>,
) -> Result<()> {
    let mut build = |chunk: &'q [T]| {
        chunk
            .iter()
            .try_fold(sqlx::query(texts.of(chunk.len())), &mut bind)
    };
    let mut chunks = rows.chunks(texts.per);
    let Some(first) = chunks.next() else {
        return Ok(());
    };
    let mut next = build(first)?;
    loop {
        let running = next.execute(&mut *conn);
        let Some(chunk) = chunks.next() else {
            running.await?;
            return Ok(());
        };
        // `join` polls the statement first, which hands it to SQLite's thread,
        // then builds the next one on this thread while SQLite runs it.
        let (ran, built) = join(running, async { build(chunk) }).await;
        ran?;
        next = built?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    async fn memory() -> SqliteConnection {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT NOT NULL)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn
    }

    fn insert(n: usize) -> String {
        format!(
            "INSERT INTO t (n, s) VALUES {}",
            vec!["(?, ?)"; n].join(", ")
        )
    }

    fn bind_row<'q>(q: Statement<'q>, n: &'q i64) -> Result<Statement<'q>> {
        Ok(q.bind(n).bind(n.to_string()))
    }

    async fn stored_keys(conn: &mut SqliteConnection) -> Vec<i64> {
        sqlx::query_scalar("SELECT n FROM t ORDER BY n")
            .fetch_all(conn)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn writes_every_row_in_order_with_a_short_last_chunk() {
        let mut conn = memory().await;
        let rows: Vec<i64> = (1..=10).collect();
        let texts = Texts::new(rows.len(), 4, insert);
        execute(&mut conn, &texts, &rows, bind_row).await.unwrap();
        let stored: Vec<(i64, String)> = sqlx::query_as("SELECT n, s FROM t ORDER BY n")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let expected: Vec<(i64, String)> = rows.iter().map(|n| (*n, n.to_string())).collect();
        assert_eq!(stored, expected);
    }

    #[tokio::test]
    async fn nothing_to_write_runs_nothing() {
        let mut conn = memory().await;
        let texts = Texts::new(0, 4, insert);
        let rows: Vec<i64> = Vec::new();
        execute(&mut conn, &texts, &rows, |_, _| panic!("no row to bind"))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_failing_statement_stops_the_rest() {
        let mut conn = memory().await;
        // Row 3 repeats row 2's key: the second statement fails, the third never runs.
        let rows: Vec<i64> = vec![1, 2, 2, 4, 5, 6];
        let texts = Texts::new(rows.len(), 2, insert);
        let err = execute(&mut conn, &texts, &rows, bind_row).await;
        assert!(err.is_err());
        assert_eq!(stored_keys(&mut conn).await, vec![1, 2]);
    }

    #[tokio::test]
    async fn a_binding_error_stops_before_the_next_statement() {
        let mut conn = memory().await;
        let rows: Vec<i64> = (1..=6).collect();
        let texts = Texts::new(rows.len(), 2, insert);
        let err = execute(&mut conn, &texts, &rows, |q, n| {
            if *n == 5 {
                return Err(crate::error::CoreError::Corrupt("row 5".into()));
            }
            bind_row(q, n)
        })
        .await;
        assert!(err.is_err());
        // The chunk holding row 5 was being built while the one before it ran.
        assert_eq!(stored_keys(&mut conn).await, vec![1, 2, 3, 4]);
    }
}
