//! The local store: one SQLite database per desktop, and the one write path.
//!
//! Every mutation is a list of [`Change`]s applied by [`Store::commit`] (local edits:
//! stamped with a fresh clock and recorded in the outbox) or [`Store::merge`] (changes
//! from elsewhere: the same code, minus the outbox), in one transaction each.

mod activity_log;
mod apply;
mod checkpoint;
mod chunked;
pub(crate) mod clocks;
mod derive;
mod file_index;
mod fts;
mod note_index;
mod sync_state;
pub use sync_state::OutboxStats;
mod value_index;
pub(crate) use note_index::tag_phrase;

/// For other modules' batched reads: rows per multi-row statement, and its `?, ?, …`.
pub(crate) use apply::{placeholders, CHUNK};

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kith_protocol::{Change, Hlc, NodeId, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{watch, Mutex, Notify};
use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::schema::{self, TableDef};
use checkpoint::Checkpointer;

/// A local edit before it is stamped: new values for some fields of one row.
#[derive(Debug, Clone)]
pub struct Edit {
    pub table: &'static TableDef,
    pub row: Uuid,
    pub fields: BTreeMap<String, Value>,
    /// The row does not exist yet (see [`Edit::create`]): the store need not look it up.
    fresh: bool,
}

impl Edit {
    pub fn new(table: &'static TableDef, row: Uuid) -> Self {
        Edit {
            table,
            row,
            fields: BTreeMap::new(),
            fresh: false,
        }
    }

    pub fn set(mut self, column: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(column.to_owned(), value.into());
        self
    }

    /// An edit that creates a row: every registry column, unset ones as null, so the
    /// row clock alone can stand for all of them.
    ///
    /// `row` must be an id just minted (or derived only from ids just minted): the
    /// store does not look for the row before inserting it — at a million imported
    /// users that lookup was a twentieth of the import — and an id that does exist
    /// fails the whole commit on the table's unique id rather than merging.
    pub fn create(table: &'static TableDef, row: Uuid) -> Self {
        let mut edit = Edit::new(table, row).set(schema::DELETED, false);
        edit.fresh = true;
        for c in table.columns {
            edit.fields.insert(c.name.to_owned(), Value::Null);
        }
        edit
    }

    pub fn tombstone(table: &'static TableDef, row: Uuid, deleted: bool) -> Self {
        Edit::new(table, row).set(schema::DELETED, deleted)
    }
}

/// Activity-log origin of local edits made by hand.
pub const ORIGIN_EDIT: &str = "edit";
/// Activity-log origin of changes merged from elsewhere.
pub const ORIGIN_SYNC: &str = "sync";

/// A write transaction spanning many commits; see [`Store::bulk`].
pub struct Bulk<'s> {
    clock: tokio::sync::MutexGuard<'s, Hlc>,
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    hlc: Hlc,
    node: NodeId,
    clock_src: &'s Clock,
    signals: &'s Signals,
    /// Whether any commit of this write changed something, to tell the sync worker.
    wrote: bool,
    /// `CREATE INDEX` statements of indexes dropped for this write, run again by
    /// [`Bulk::finish`].
    deferred: Vec<String>,
    /// Where this write's changes come from, as the activity log records it.
    origin: String,
}

impl Bulk<'_> {
    /// Stamps, applies and records local edits inside the long transaction.
    pub async fn commit(&mut self, edits: Vec<Edit>) -> Result<Vec<Change>> {
        let now = self.clock_src.now_ms();
        let mut changes = Vec::with_capacity(edits.len());
        let fresh: HashSet<(&'static str, Uuid)> = edits
            .iter()
            .filter(|e| e.fresh)
            .map(|e| (e.table.name, e.row))
            .collect();
        for edit in edits {
            self.hlc = self.hlc.tick(now)?;
            changes.push(Change {
                table: edit.table.name.to_owned(),
                row: edit.row,
                hlc: self.hlc,
                node: self.node,
                fields: edit.fields,
            });
        }
        apply::apply_batch(&mut self.tx, &changes, &fresh, &self.origin).await?;
        append_outbox(&mut self.tx, &changes).await?;
        self.wrote |= !changes.is_empty();
        Ok(changes)
    }

    /// The last clock this write stamped a change with; before its first commit,
    /// the store's clock as the write began. Every change a later commit stamps
    /// is above it.
    pub fn clock(&self) -> Hlc {
        self.hlc
    }

    /// Names where the following commits come from in the activity log, e.g.
    /// `import:<batch id>`; a hand edit otherwise.
    pub fn set_origin(&mut self, origin: impl Into<String>) {
        self.origin = origin.into();
    }

    /// The transaction's connection, for reads that must see this write's own rows
    /// and for device-local bookkeeping tables (never synced tables).
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    /// Drops `table`'s secondary indexes, but those named in `keep`, until
    /// [`Bulk::finish`] builds them again. For a write that adds more rows than the
    /// table has: one sorted pass per index at the end is several times cheaper
    /// than inserting each row into every index, whose pages no longer fit the
    /// cache once the table grows past a few hundred thousand rows. The drop is
    /// part of the transaction, so a rollback brings the indexes back as they were,
    /// and other connections never see the table without them.
    pub async fn defer_indexes(&mut self, table: &TableDef, keep: &[&str]) -> Result<()> {
        // `sql` is NULL for the indexes behind UNIQUE and PRIMARY KEY constraints,
        // which are never dropped.
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
        )
        .bind(table.name)
        .fetch_all(&mut *self.tx)
        .await?;
        for (name, sql) in indexes {
            if keep.contains(&name.as_str()) {
                continue;
            }
            // Names come from the schema itself, never from input.
            sqlx::query(&format!("DROP INDEX \"{name}\""))
                .execute(&mut *self.tx)
                .await?;
            tracing::debug!(index = %name, "index deferred to the end of the write");
            self.deferred.push(sql);
        }
        Ok(())
    }

    /// Makes everything written durable at once.
    pub async fn finish(mut self) -> Result<()> {
        for sql in std::mem::take(&mut self.deferred) {
            sqlx::query(&sql).execute(&mut *self.tx).await?;
        }
        write_meta(&mut *self.tx, META_HLC, &self.hlc.0.to_string()).await?;
        self.signals.commit(self.tx).await?;
        *self.clock = self.hlc;
        if self.wrote {
            self.signals.local.notify_one();
        }
        Ok(())
    }
}

/// What a merge did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MergeReport {
    pub received: usize,
    /// Changes of which at least one field won and was written.
    pub applied: usize,
}

pub type WallClock = Box<dyn Fn() -> u64 + Send + Sync>;

/// The time local edits are stamped with: the wall clock plus a correction learnt
/// from a sync server whose clock disagreed (see [`Store::set_clock_offset`]).
struct Clock {
    wall: WallClock,
    offset_ms: AtomicI64,
}

impl Clock {
    fn now_ms(&self) -> u64 {
        let wall = i64::try_from((self.wall)()).unwrap_or(i64::MAX);
        u64::try_from(wall.saturating_add(self.offset_ms.load(Ordering::Relaxed))).unwrap_or(0)
    }
}

/// What the store tells those who wait on it (the sync worker, the app's views).
struct Signals {
    /// A local commit reached the outbox. One stored permit: a commit made while
    /// nobody waits is still seen by the next wait.
    local: Arc<Notify>,
    /// How many merges changed something here since the store opened.
    remote: watch::Sender<u64>,
    /// Woken after each write transaction commits: it has pages to fold back.
    checkpointer: Checkpointer,
}

impl Signals {
    /// Commits a write transaction of an open store; the one way its writes end,
    /// so the checkpointer hears of every one: it has pages to fold back.
    async fn commit(&self, tx: sqlx::Transaction<'_, sqlx::Sqlite>) -> Result<()> {
        tx.commit().await?;
        self.checkpointer.wake();
        Ok(())
    }
}

pub struct Store {
    pool: SqlitePool,
    signals: Signals,
    node: NodeId,
    /// Holding this lock is being the one writer; it guards the persisted clock too.
    writer: Mutex<Hlc>,
    clock_src: Clock,
}

/// See [`SqliteConnectOptions::row_buffer_size`]: room for all one statement of
/// the write path returns (at most [`apply::CHUNK`] rows), a few hundred KiB.
const ROW_BUFFER: usize = 1024;

pub fn system_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

const META_NODE: &str = "node_id";
const META_HLC: &str = "hlc";
/// Milliseconds added to the wall clock, learnt from a sync server's clock.
const META_CLOCK_OFFSET: &str = "clock_offset_ms";

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store> {
        Self::open_with_clock(path, Box::new(system_ms)).await
    }

    /// Opens with a supplied wall clock, so tests can simulate skewed devices.
    pub async fn open_with_clock(path: &Path, wall_ms: WallClock) -> Result<Store> {
        Self::open_observed(path, wall_ms, &|_| {}).await
    }

    /// Opens, telling `observe` about each slow step before it starts: bringing an
    /// older database up to date and rebuilding a search index can take seconds
    /// on a large one, and a window waiting on the open says what it is doing.
    pub async fn open_observed(
        path: &Path,
        wall_ms: WallClock,
        observe: &(dyn Fn(OpenStep) + Send + Sync),
    ) -> Result<Store> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // Rows a query's worker thread may hand over before it waits for them
            // to be taken (sqlx's default: 50). The write path reads rows by the
            // hundred, and at 50 the two threads woke each other every 50 rows.
            .row_buffer_size(ROW_BUFFER)
            // 32 MiB of page cache per connection: the hot indexes of a million users fit.
            .pragma("cache_size", "-32768")
            .pragma("temp_store", "memory")
            // The checkpointer folds the WAL back on its own connection; the writer
            // only past 256 MiB (see store::checkpoint).
            .pragma("wal_autocheckpoint", checkpoint::WRITER_THRESHOLD_PAGES)
            // After a burst of writes has grown the WAL, it shrinks back to 64 MiB
            // once it restarts, rather than keeping its largest size on disk.
            .pragma("journal_size_limit", "67108864");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await?;
        wait_for_writer(&pool, observe).await?;
        let migrator = sqlx::migrate!("./migrations");
        let existed = match schema_age(&pool, &migrator).await? {
            SchemaAge::New => false,
            SchemaAge::Current => true,
            SchemaAge::Older => {
                observe(OpenStep::Upgrading);
                true
            }
        };
        migrator.run(&pool).await?;
        // A new database's indexes are as empty as its tables: refilling them is
        // no step worth showing.
        let quiet = |_| {};
        rebuild_marked_indexes(&pool, if existed { observe } else { &quiet }).await?;
        let checkpointer = Checkpointer::start(&options).await?;

        // INSERT OR IGNORE then read: two processes creating the same database
        // agree on one node id.
        sqlx::query("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)")
            .bind(META_NODE)
            .bind(NodeId::random().to_string())
            .execute(&pool)
            .await?;
        let node = read_meta(&pool, META_NODE)
            .await?
            .ok_or_else(|| CoreError::Corrupt("node id missing".into()))?;
        let node = NodeId(
            Uuid::parse_str(&node).map_err(|e| CoreError::Corrupt(format!("node id: {e}")))?,
        );
        let hlc = parse_clock(read_meta(&pool, META_HLC).await?)?;
        let offset_ms = read_meta(&pool, META_CLOCK_OFFSET)
            .await?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        tracing::debug!(%node, %hlc, offset_ms, path = %path.display(), "store opened");
        Ok(Store {
            pool,
            signals: Signals {
                local: Arc::new(Notify::new()),
                remote: watch::channel(0).0,
                checkpointer,
            },
            node,
            writer: Mutex::new(hlc),
            clock_src: Clock {
                wall: wall_ms,
                offset_ms: AtomicI64::new(offset_ms),
            },
        })
    }

    /// Notified after each local commit that changed something: the sync worker
    /// waits on it to push soon.
    pub fn local_commits(&self) -> Arc<Notify> {
        self.signals.local.clone()
    }

    /// Moves after each merge that changed something here: views showing data
    /// refetch when others' edits arrive.
    pub fn remote_changes(&self) -> watch::Receiver<u64> {
        self.signals.remote.subscribe()
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn node(&self) -> NodeId {
        self.node
    }

    /// The last clock this store issued or observed.
    pub async fn clock(&self) -> Hlc {
        *self.writer.lock().await
    }

    /// Applies local edits in one transaction: stamps each with a fresh clock, merges
    /// it, and appends it to the outbox. Returns the changes as recorded.
    pub async fn commit(&self, edits: Vec<Edit>) -> Result<Vec<Change>> {
        let mut bulk = self.bulk().await?;
        let changes = bulk.commit(edits).await?;
        bulk.finish().await?;
        Ok(changes)
    }

    /// Brings a row back from the trash (a newer `_deleted = false`); not found,
    /// named `what`, when the row was never written here.
    pub async fn restore_row(&self, table: &'static TableDef, id: Uuid, what: &str) -> Result<()> {
        // The table name comes from the registry, never from input.
        let sql = format!("SELECT rid FROM {} WHERE id = ?", table.name);
        let exists: Option<i64> = sqlx::query_scalar(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        if exists.is_none() {
            return Err(CoreError::not_found(what));
        }
        self.commit(vec![Edit::tombstone(table, id, false)]).await?;
        Ok(())
    }

    /// Starts a long write — an import — made of many commits that land together
    /// or not at all: dropping the [`Bulk`] (a cancel, an error, a crash) rolls
    /// every one of them back. Other writers wait until it finishes.
    pub async fn bulk(&self) -> Result<Bulk<'_>> {
        let clock = self.writer.lock().await;
        let mut tx = self.begin_write().await?;
        // Another process (kith-cli beside the app) may have written since: start
        // from the newest clock either of us issued, so no two writes share a stamp.
        let hlc = (*clock).max(stored_clock(&mut tx).await?);
        Ok(Bulk {
            clock,
            tx,
            hlc,
            node: self.node,
            clock_src: &self.clock_src,
            signals: &self.signals,
            wrote: false,
            deferred: Vec::new(),
            origin: ORIGIN_EDIT.to_owned(),
        })
    }

    /// Applies changes written elsewhere. Any order, any number of times: same result.
    /// A change naming an unknown table or column, or carrying a bad value, refuses
    /// the whole batch: the transaction rolls back and nothing is written.
    pub async fn merge(&self, changes: &[Change]) -> Result<MergeReport> {
        self.merge_recording(changes, &[]).await
    }

    /// [`Store::merge`], writing device-local sync state (`sync_state` keys, such
    /// as the pull cursor) in the same transaction: a crash keeps both or neither,
    /// so a page is never applied without its cursor moving, nor the reverse.
    pub async fn merge_recording(
        &self,
        changes: &[Change],
        state: &[(&str, String)],
    ) -> Result<MergeReport> {
        self.merge_inner(changes, state, false).await
    }

    /// [`Store::merge_recording`] of a server's snapshot to repair this replica:
    /// a field whose stamp equals the snapshot's takes the snapshot's value.
    pub async fn repair_recording(
        &self,
        changes: &[Change],
        state: &[(&str, String)],
    ) -> Result<MergeReport> {
        self.merge_inner(changes, state, true).await
    }

    async fn merge_inner(
        &self,
        changes: &[Change],
        state: &[(&str, String)],
        ties_win: bool,
    ) -> Result<MergeReport> {
        let mut clock = self.writer.lock().await;
        let mut tx = self.begin_write().await?;
        let mut hlc = (*clock).max(stored_clock(&mut tx).await?);
        if let Some(newest) = changes.iter().map(|c| c.hlc).max() {
            hlc = hlc.observe(newest, self.clock_src.now_ms())?;
        }
        let applied = if changes.is_empty() {
            Vec::new()
        } else {
            apply::apply_batch_with(&mut tx, changes, &HashSet::new(), ORIGIN_SYNC, ties_win)
                .await?
        };
        let newest_foreign = changes
            .iter()
            .filter(|c| c.node != self.node)
            .map(|c| c.hlc)
            .max();
        if let Some(seen) = newest_foreign {
            sync_state::note_seen(&mut tx, seen).await?;
        }
        for (key, value) in state {
            sync_state::write(&mut tx, key, value).await?;
        }
        write_meta(&mut *tx, META_HLC, &hlc.0.to_string()).await?;
        self.signals.commit(tx).await?;
        *clock = hlc;
        let applied = applied.iter().filter(|a| **a).count();
        if applied > 0 {
            self.signals.remote.send_modify(|n| *n += 1);
        }
        Ok(MergeReport {
            received: changes.len(),
            applied,
        })
    }

    /// A write transaction that takes SQLite's write lock up front, so it waits
    /// (busy_timeout) for another writer instead of failing on a lock upgrade.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Local changes not yet acknowledged by a server, oldest first.
    pub async fn outbox(&self, limit: i64) -> Result<Vec<(i64, Change)>> {
        let rows: Vec<(i64, String, String, i64, String, String)> = sqlx::query_as(
            "SELECT seq, tbl, row, hlc, node, fields FROM pending_changes ORDER BY seq LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(seq, table, row, hlc, node, fields)| {
                let corrupt = |e: String| CoreError::Corrupt(format!("outbox #{seq}: {e}"));
                Ok((
                    seq,
                    Change {
                        table,
                        row: Uuid::parse_str(&row).map_err(|e| corrupt(e.to_string()))?,
                        hlc: Hlc::from_i64(hlc),
                        node: NodeId(Uuid::parse_str(&node).map_err(|e| corrupt(e.to_string()))?),
                        fields: serde_json::from_str(&fields)
                            .map_err(|e| corrupt(e.to_string()))?,
                    },
                ))
            })
            .collect()
    }

    /// Postings the users search index holds that no user's current values give it,
    /// or lacks: 0 in a healthy store (see `derive::index_drift`). A diagnostic,
    /// for tests and support; it builds a second index, so it is not for hot paths.
    pub async fn search_index_drift(&self) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let drift = derive::index_drift(&mut tx).await?;
        tx.rollback().await?;
        Ok(drift)
    }

    /// Appends `changes` to the outbox as they are, stamps kept, without applying
    /// them: values this store already holds, to be sent again to a server that
    /// lost them (see `sync::requeue`).
    pub(crate) async fn requeue(&self, changes: &[Change]) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let _clock = self.writer.lock().await;
        let mut tx = self.begin_write().await?;
        append_outbox(&mut tx, changes).await?;
        self.signals.commit(tx).await?;
        Ok(())
    }

    /// Builds the users search index again from the table, in one write
    /// transaction. For when the local copy went wrong behind the write path's
    /// back (the sync's checksum repair): the index may hold what it no longer has.
    pub async fn rebuild_search_index(&self) -> Result<()> {
        let _writer = self.writer.lock().await;
        let mut tx = self.begin_write().await?;
        derive::rebuild(&mut tx).await?;
        self.signals.commit(tx).await?;
        Ok(())
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        // Fold the write-ahead log back into the database before closing, so a
        // big import does not leave a WAL as large as the database behind.
        // SQLite's own checkpoint-on-close may not finish before a CLI process
        // exits. A failure here only leaves the WAL for the next open.
        self.signals.checkpointer.stop().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "could not checkpoint the WAL on close");
        }
        self.pool.close().await;
    }
}

async fn append_outbox(conn: &mut SqliteConnection, changes: &[Change]) -> Result<()> {
    let texts = chunked::Texts::new(changes.len(), apply::CHUNK, |n| {
        format!(
            "INSERT INTO pending_changes (tbl, row, hlc, node, fields) VALUES {}",
            vec!["(?, ?, ?, ?, ?)"; n].join(", ")
        )
    });
    chunked::execute(conn, &texts, changes, |q, change| {
        let fields = serde_json::to_string(&change.fields)
            .map_err(|e| CoreError::Corrupt(format!("encode change: {e}")))?;
        Ok(q.bind(&change.table)
            .bind(change.row.to_string())
            .bind(change.hlc.as_i64())
            .bind(change.node.to_string())
            .bind(fields))
    })
    .await
}

fn parse_clock(stored: Option<String>) -> Result<Hlc> {
    stored.map_or(Ok(Hlc::ZERO), |s| {
        s.parse()
            .map(Hlc)
            .map_err(|e| CoreError::Corrupt(format!("clock: {e}")))
    })
}

async fn stored_clock(conn: &mut SqliteConnection) -> Result<Hlc> {
    parse_clock(read_meta(&mut *conn, META_HLC).await?)
}

async fn read_meta<'e, E>(db: E, key: &str) -> Result<Option<String>>
where
    E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
{
    Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
        .bind(key)
        .fetch_optional(db)
        .await?)
}

async fn write_meta<'e, E>(db: E, key: &str, value: &str) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
{
    sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(db)
        .await?;
    Ok(())
}

/// How long a statement waits for another connection's write to end before it
/// fails as busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an open waits for another program's write to end (a kith-cli import
/// of a million rows holds the write lock for about a minute) before failing.
const OPEN_WAIT: Duration = Duration::from_secs(15 * 60);

/// Waits until no other program holds the write lock, telling `observe` once it
/// has to: the open writes (migrations, the node id), and a plain busy timeout
/// would fail it after 10 s while a long import elsewhere runs on.
async fn wait_for_writer(
    pool: &SqlitePool,
    observe: &(dyn Fn(OpenStep) + Send + Sync),
) -> Result<()> {
    let mut conn = pool.acquire().await?;
    sqlx::query("PRAGMA busy_timeout = 200")
        .execute(&mut *conn)
        .await?;
    let started = std::time::Instant::now();
    let mut told = false;
    let outcome = loop {
        match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
            Ok(_) => break sqlx::query("ROLLBACK").execute(&mut *conn).await.map(drop),
            Err(e) if crate::error::sqlite_busy(&e) && started.elapsed() < OPEN_WAIT => {
                if !told {
                    told = true;
                    tracing::info!("another program is writing to the database; waiting for it");
                    observe(OpenStep::WaitingForWriter);
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => break Err(e),
        }
    };
    // The connection goes back to the pool with the timeout every other has.
    let restore = format!("PRAGMA busy_timeout = {}", BUSY_TIMEOUT.as_millis());
    sqlx::query(&restore).execute(&mut *conn).await?;
    Ok(outcome?)
}

/// A slow step of [`Store::open_observed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenStep {
    /// Another program holds the database's write lock (kith-cli importing,
    /// another copy of Kith writing); the open goes on when it lets go.
    WaitingForWriter,
    /// Migrations of a database written by an older Kith are about to run.
    Upgrading,
    /// A search index a migration redefined is rebuilt from its table.
    Reindexing(SearchIndex),
}

/// The search indexes a migration may ask to rebuild on open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchIndex {
    Users,
    Notes,
    CustomValues,
}

/// How a database's schema compares with this version's.
enum SchemaAge {
    /// No migrations table yet: the database is being created, which is quick.
    New,
    Current,
    /// Written by an older Kith: `migrator` has migrations it lacks.
    Older,
}

async fn schema_age(pool: &SqlitePool, migrator: &sqlx::migrate::Migrator) -> Result<SchemaAge> {
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await?;
    if !exists {
        return Ok(SchemaAge::New);
    }
    let applied: HashSet<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect();
    let lacking = migrator
        .iter()
        .any(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version));
    Ok(if lacking {
        SchemaAge::Older
    } else {
        SchemaAge::Current
    })
}

/// Derived indexes a migration redefined are filled again from their tables: a
/// migration cannot, because the text they hold is folded by Kith, not by SQL.
/// The migration leaves a `rebuild:<index>` mark in `meta`, removed in the same
/// transaction as the rebuild, so a crash midway rebuilds again on the next open.
async fn rebuild_marked_indexes(
    pool: &SqlitePool,
    observe: &(dyn Fn(OpenStep) + Send + Sync),
) -> Result<()> {
    const NOTES: &str = "rebuild:notes_fts";
    const VALUES: &str = "rebuild:user_values_fts";
    const USERS: &str = "rebuild:users_fts";
    for mark in [NOTES, VALUES, USERS] {
        if read_meta(pool, mark).await?.is_none() {
            continue;
        }
        observe(OpenStep::Reindexing(match mark {
            NOTES => SearchIndex::Notes,
            VALUES => SearchIndex::CustomValues,
            _ => SearchIndex::Users,
        }));
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        // Another process may have rebuilt it while this one waited for the lock.
        if read_meta(&mut *tx, mark).await?.is_some() {
            tracing::info!(index = mark, "rebuilding a search index");
            match mark {
                NOTES => note_index::rebuild(&mut tx).await?,
                VALUES => value_index::rebuild(&mut tx).await?,
                USERS => derive::rebuild(&mut tx).await?,
                other => {
                    return Err(CoreError::Corrupt(format!(
                        "no index to rebuild for {other}"
                    )))
                }
            }
            sqlx::query("DELETE FROM meta WHERE key = ?")
                .bind(mark)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
