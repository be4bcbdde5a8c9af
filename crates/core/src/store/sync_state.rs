//! What the sync engine needs from the store beyond `commit` and `merge`: its
//! device-local state table, the outbox's acknowledgement, the clock correction a
//! server teaches, and re-stamping edits a server refused as being from the future.

use std::sync::atomic::Ordering;

use kith_protocol::{Hlc, Stamp};
use sqlx::SqliteConnection;

use super::{clocks, stored_clock, write_meta, Store, META_CLOCK_OFFSET, META_HLC};
use crate::error::{CoreError, Result};
use crate::schema;

/// Outbox changes re-stamped per page (see [`Store::restamp_outbox`]).
const RESTAMP_PAGE: i64 = 1_000;

/// The newest stamp of another node this store has merged (in `meta`): the
/// floor of a re-stamp. The clocks of the data alone do not keep it: a local
/// edit that beat a remote value overwrites that field's clock.
const META_SEEN: &str = "seen_hlc";

/// The newest stamp of this store's own that a server holds (in `meta`): a
/// floor of a re-stamp too. Its changes have left the outbox, so a re-stamp
/// does not move them, and a change re-stamped below one of them would lose to
/// it on the server while winning here (the clock moves back in a re-stamp).
const META_ACKED: &str = "acked_hlc";

/// Remembers `hlc`, a stamp of another node being merged, if it is the newest yet.
pub(super) async fn note_seen(conn: &mut SqliteConnection, hlc: Hlc) -> Result<()> {
    note_max(conn, META_SEEN, hlc.as_i64()).await
}

/// Keeps the larger of `value` and what `key` holds in `meta`.
async fn note_max(conn: &mut SqliteConnection, key: &str, value: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE \
         SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn write(conn: &mut SqliteConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) \
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many outbox changes wait, and the highest outbox sequence ever issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxStats {
    pub pending: u64,
    /// `sqlite_sequence`'s value for the outbox: the seq of the newest change ever
    /// appended, acknowledged or not.
    pub last_seq: i64,
}

impl Store {
    /// The time local edits are stamped with now (wall clock plus learnt offset).
    pub fn now_ms(&self) -> u64 {
        self.clock_src.now_ms()
    }

    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_src.offset_ms.load(Ordering::Relaxed)
    }

    /// Stamps future edits with the wall clock plus `offset_ms`, from now on and
    /// after a restart: a server told us how far this computer's clock is off.
    pub async fn set_clock_offset(&self, offset_ms: i64) -> Result<()> {
        write_meta(&self.pool, META_CLOCK_OFFSET, &offset_ms.to_string()).await?;
        self.clock_src.offset_ms.store(offset_ms, Ordering::Relaxed);
        Ok(())
    }

    /// Moves the clock past a remote time seen (a server's clock), so the next
    /// local edit is stamped after it even when this computer's clock is behind.
    pub async fn observe_time(&self, remote_ms: u64) -> Result<()> {
        {
            // Cheap check first: nothing to do when our clock is already past it.
            let clock = self.writer.lock().await;
            if clock.millis() >= remote_ms {
                return Ok(());
            }
        }
        let mut clock = self.writer.lock().await;
        let mut tx = self.begin_write().await?;
        let hlc = (*clock).max(stored_clock(&mut tx).await?);
        let next = hlc.observe(Hlc::new(remote_ms, 0), self.clock_src.now_ms())?;
        write_meta(&mut *tx, META_HLC, &next.0.to_string()).await?;
        self.signals.commit(tx).await?;
        *clock = next;
        Ok(())
    }

    pub async fn outbox_stats(&self) -> Result<OutboxStats> {
        let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM pending_changes")
            .fetch_one(&self.pool)
            .await?;
        let last_seq: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'pending_changes'")
                .fetch_optional(&self.pool)
                .await?;
        Ok(OutboxStats {
            pending: u64::try_from(pending).unwrap_or(0),
            last_seq: last_seq.unwrap_or(0),
        })
    }

    /// Drops outbox changes up to `seq`: a server holds them. Their newest
    /// stamp is kept as a floor of later re-stamps (see [`META_ACKED`]).
    pub async fn ack_outbox(&self, seq: i64) -> Result<u64> {
        // A write transaction from the start: one that read first could not
        // take the write lock once another connection committed (see begin_write).
        let mut tx = self.begin_write().await?;
        let newest: Option<i64> =
            sqlx::query_scalar("SELECT max(hlc) FROM pending_changes WHERE seq <= ?")
                .bind(seq)
                .fetch_one(&mut *tx)
                .await?;
        if let Some(newest) = newest {
            note_max(&mut tx, META_ACKED, newest).await?;
        }
        let done = sqlx::query("DELETE FROM pending_changes WHERE seq <= ?")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Gives every outbox change a fresh clock from the corrected time, in outbox
    /// order, and moves the field and row clocks those changes set locally along
    /// with them, in one transaction. After a server refused our changes as stamped
    /// in the future: once re-stamped, this store holds exactly what the server will
    /// once it accepts them. The new clocks start above every stamp of another node
    /// this store has seen, and every stamp of its own a server holds, so each
    /// re-stamped change still beats whatever it beat before, and local values do
    /// not change.
    pub async fn restamp_outbox(&self) -> Result<u64> {
        let mut clock = self.writer.lock().await;
        let mut tx = self.begin_write().await?;
        let me = self.node.to_string();
        let seen: Option<i64> = sqlx::query_scalar(
            "SELECT max(CAST(value AS INTEGER)) FROM meta WHERE key IN (?1, ?2)",
        )
        .bind(META_SEEN)
        .bind(META_ACKED)
        .fetch_one(&mut *tx)
        .await?;
        // The stamps in the data too, for a store that merged before `seen_hlc`.
        let mut floor: i64 = seen.unwrap_or(0);
        for table in schema::TABLES {
            // Registry names only. Row clocks, then field clocks ([hlc, node]).
            let sql = format!(
                "SELECT max(coalesce((SELECT max(_hlc) FROM {t} WHERE _node != ?1), 0), \
                 coalesce((SELECT max(json_extract(c.value, '$[0]')) \
                 FROM {t}, json_each({t}._clocks) c \
                 WHERE json_extract(c.value, '$[1]') != ?1), 0))",
                t = table.name
            );
            let top: i64 = sqlx::query_scalar(&sql)
                .bind(&me)
                .fetch_one(&mut *tx)
                .await?;
            floor = floor.max(top);
        }
        // The clocks about to move, for the imports that wrote them (below).
        let moving: (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT min(hlc), max(hlc) FROM pending_changes")
                .fetch_one(&mut *tx)
                .await?;
        let now = self.clock_src.now_ms();
        let mut hlc = Hlc::from_i64(floor);
        let mut restamped: u64 = 0;
        // A page at a time, in outbox order: after a big import the outbox holds a
        // change per row written, far too many to hold in memory at once. Only
        // `hlc` changes below, so the pages by `seq` hold still.
        let mut after: i64 = 0;
        loop {
            let rows: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
                "SELECT seq, tbl, row, hlc, fields FROM pending_changes WHERE seq > ? \
                 ORDER BY seq LIMIT ?",
            )
            .bind(after)
            .bind(RESTAMP_PAGE)
            .fetch_all(&mut *tx)
            .await?;
            let Some((last, ..)) = rows.last() else {
                break;
            };
            after = *last;
            restamped += rows.len() as u64;
            for (seq, tbl, row, old, fields) in &rows {
                hlc = hlc.tick(now)?;
                let table = schema::table(tbl)?;
                let fields: std::collections::BTreeMap<String, kith_protocol::Value> =
                    serde_json::from_str(fields)
                        .map_err(|e| CoreError::Corrupt(format!("outbox #{seq}: {e}")))?;
                sqlx::query("UPDATE pending_changes SET hlc = ? WHERE seq = ?")
                    .bind(hlc.as_i64())
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
                restamp_field_clocks(&mut tx, table, row, fields.keys(), *old, hlc, self.node)
                    .await?;
                let sql = format!(
                    "UPDATE {} SET _hlc = ? WHERE id = ? AND _hlc = ? AND _node = ?",
                    table.name
                );
                sqlx::query(&sql)
                    .bind(hlc.as_i64())
                    .bind(row)
                    .bind(old)
                    .bind(&me)
                    .execute(&mut *tx)
                    .await?;
                if table.name == schema::USERS.name {
                    // The user's last-activity clock is derived from its fields' clocks.
                    sqlx::query("UPDATE users SET _activity = ? WHERE id = ? AND _activity = ?")
                        .bind(hlc.as_i64())
                        .bind(row)
                        .bind(old)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        // The clock may move back here, on purpose: it had run ahead on a wrong
        // wall clock, and every stamp it must stay above is in `floor`.
        let top = hlc.max(Hlc::from_i64(floor));
        forget_import_clocks(&mut tx, moving, top).await?;
        write_meta(&mut *tx, META_HLC, &top.0.to_string()).await?;
        self.signals.commit(tx).await?;
        *clock = top;
        tracing::info!(changes = restamped, clock = %top, "outbox re-stamped after clock skew");
        Ok(restamped)
    }

    /// The stamp a field holds locally, for tests and diagnostics.
    pub async fn field_stamp(
        &self,
        table: &'static schema::TableDef,
        row: uuid::Uuid,
        column: &str,
    ) -> Result<Option<Stamp>> {
        let (column, _, _) = table.column(column)?;
        let mut conn = self.pool.acquire().await?;
        let Some((stamps, _)) = clocks::row_stamps(&mut conn, table, &[row], &[])
            .await?
            .remove(&row)
        else {
            return Ok(None);
        };
        let stamp = stamps.field(column);
        Ok((stamp != Stamp::ZERO).then_some(stamp))
    }
}

/// Forgets the clock range of each import a re-stamp spoils: one whose writes
/// are among the clocks moved (`moving`, the outbox's lowest and highest before),
/// or one stamped above where the clock now stands (`top`), whose range clocks to
/// come may fall in. An import keeps that range so its undo can tell its values
/// from later ones (migration 0022); without it, its undo reverts all it changed.
async fn forget_import_clocks(
    conn: &mut SqliteConnection,
    moving: (Option<i64>, Option<i64>),
    top: Hlc,
) -> Result<()> {
    sqlx::query(
        "UPDATE import_batches SET hlc_from = NULL, hlc_to = NULL \
         WHERE hlc_to IS NOT NULL AND ((hlc_to >= ?1 AND hlc_from < ?2) OR hlc_to > ?3)",
    )
    .bind(moving.0)
    .bind(moving.1)
    .bind(top.as_i64())
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves the field clocks of `row` that `old` by this node (`me`) set for
/// `columns` to `hlc`, in the re-stamp: the change that set them is the outbox
/// change being re-stamped. Clocks a later write moved on stay as they are.
async fn restamp_field_clocks(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    table: &'static schema::TableDef,
    row: &str,
    columns: impl Iterator<Item = &String>,
    old: i64,
    hlc: Hlc,
    me: kith_protocol::NodeId,
) -> Result<()> {
    // Registry names only.
    let sql = format!("SELECT _clocks FROM {} WHERE id = ?", table.name);
    let text: Option<Option<String>> = sqlx::query_scalar(&sql)
        .bind(row)
        .fetch_optional(&mut **tx)
        .await?;
    let mut field_clocks = clocks::decode(table, text.flatten().as_deref())?;
    let mut moved = false;
    for column in columns {
        let Ok((column, _, _)) = table.column(column) else {
            continue;
        };
        if let Some(stamp) = field_clocks.get_mut(column) {
            if stamp.hlc.as_i64() == old && stamp.node == me {
                stamp.hlc = hlc;
                moved = true;
            }
        }
    }
    if moved {
        let sql = format!("UPDATE {} SET _clocks = ? WHERE id = ?", table.name);
        sqlx::query(&sql)
            .bind(clocks::encode(&field_clocks))
            .bind(row)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
