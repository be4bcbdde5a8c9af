//! One sync run: bootstrap (a new desktop), push the outbox, pull to quiescence,
//! move files, compare checksums.
//!
//! The device counter of an outbox change is `seq - counter_base`. `seq` comes
//! from `pending_changes`' AUTOINCREMENT, so the outbox's seqs stay one contiguous
//! run: AUTOINCREMENT never hands a number out twice, even after the rows holding
//! it were acknowledged and deleted; its high-water mark (`sqlite_sequence`) is
//! written in the committing transaction, so a rolled-back commit gives its
//! numbers back; and rows leave only from the front, when a server acknowledges
//! them. A retried push after a lost answer therefore sends the same changes under
//! the same counters, which is what lets the server skip what it already holds.

use kith_protocol::sync::{ErrorKind as WireErrorKind, PushRequest, SeqMark, MAX_FUTURE_SKEW_MS};
use kith_protocol::{Change, Hlc, NodeId};

use super::client::{parse_base, Client};
use super::state::{self, key, SyncRecord};
use super::{blobs, checksum, Credentials, SyncError, SyncReport};
use crate::error::{CoreError, Result};
use crate::Kith;

/// Rounds of push-then-pull before a run gives up on reaching quiescence (others
/// keep writing); the next run goes on where this one stopped.
const MAX_ROUNDS: usize = 20;
/// Corrections (counter rebases, clock re-stamps) one run may make before it
/// treats the server's answers as broken.
const MAX_CORRECTIONS: usize = 8;
/// A server clock further than this from ours (corrected) moves our offset.
const CLOCK_TOLERANCE_MS: i64 = (MAX_FUTURE_SKEW_MS / 2) as i64;

pub(crate) async fn signed_in_client(kith: &Kith, creds: &Credentials) -> Result<Client> {
    let record = SyncRecord::load(kith.store().pool()).await?;
    let url = record
        .get(key::SERVER_URL)
        .filter(|_| record.signed_in())
        .ok_or(SyncError::SignedOut)?;
    let token = creds.load().await?.ok_or(SyncError::SignedOut)?;
    Ok(Client::new(
        parse_base(url)?,
        Some(token),
        kith.sync_config().request_timeout,
        record.get(key::TRUSTED_CA),
    )?)
}

pub(crate) async fn run(kith: &Kith, creds: &Credentials) -> Result<SyncReport> {
    let client = signed_in_client(kith, creds).await?;
    let mut run = Run {
        kith,
        client,
        config: kith.sync_config(),
        report: SyncReport::default(),
        corrections: 0,
    };
    match run.exchange().await {
        Err(CoreError::Sync(SyncError::Server { body, .. }))
            if body.kind == WireErrorKind::ServerBehind =>
        {
            run.resend_to_restored_server().await?;
            run.exchange().await?;
        }
        other => other?,
    }
    let (up, down) = blobs::transfer_all(kith, &run.client, run.config.blob_chunk).await?;
    run.report.files_uploaded = up;
    run.report.files_downloaded = down;
    let moved = run.report.pushed + run.report.pulled > 0;
    if run.config.verify_checksum && verify_due(kith, moved, run.config.verify_every) {
        run.verify().await?;
    }
    Ok(run.report)
}

/// Whether this run compares checksums: the first of the process does, later
/// ones when they moved changes and the last comparison is `every` old. Marks the
/// comparison as begun, so a difference is not worked on again at once by runs
/// that follow (the comparison itself retries and repairs).
fn verify_due(kith: &Kith, moved: bool, every: std::time::Duration) -> bool {
    let mut last = kith
        .sync_runtime()
        .last_verify
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let due = match *last {
        None => true,
        Some(at) => moved && at.elapsed() >= every,
    };
    if due {
        *last = Some(std::time::Instant::now());
    }
    due
}

struct Run<'k> {
    kith: &'k Kith,
    client: Client,
    config: super::SyncConfig,
    report: SyncReport,
    corrections: usize,
}

impl Run<'_> {
    fn pool(&self) -> &sqlx::SqlitePool {
        self.kith.store().pool()
    }

    fn correct(&mut self, what: &str) -> Result<()> {
        self.corrections += 1;
        if self.corrections > MAX_CORRECTIONS {
            return Err(SyncError::Protocol(format!(
                "the server keeps asking for corrections ({what})"
            ))
            .into());
        }
        Ok(())
    }

    /// Brings our clock in line with the server's, from the time it stamped on
    /// its last response: a clock behind moves the HLC forward; one off by more
    /// than the tolerance either way learns an offset, so new edits are stamped
    /// in the server's time.
    async fn observe_server_time(&self) -> Result<()> {
        let server = self.client.server_time();
        if server == 0 {
            return Ok(());
        }
        let store = self.kith.store();
        let diff = i64::try_from(server).unwrap_or(i64::MAX) - store.now_ms() as i64;
        if diff.abs() > CLOCK_TOLERANCE_MS {
            let offset = store.clock_offset_ms().saturating_add(diff);
            tracing::info!(
                offset_ms = offset,
                "this computer's clock is off; stamping edits in the server's time"
            );
            store.set_clock_offset(offset).await?;
        }
        store.observe_time(server).await
    }

    /// The snapshot when this desktop has none, then pushes and pulls until
    /// neither moves anything.
    async fn exchange(&mut self) -> Result<()> {
        self.bootstrap(false).await?;
        for _ in 0..MAX_ROUNDS {
            let pushed = self.push_all().await?;
            let pulled = self.pull_all().await?;
            if pushed == 0 && pulled == 0 {
                break;
            }
        }
        Ok(())
    }

    /// The server holds fewer changes than this desktop has pulled from it: it was
    /// restored from a backup, and lost what desktops pushed since. This desktop's
    /// own values go back into the outbox with their stamps (the server's merge
    /// keeps whichever edit of a field is latest, as the first time), and the
    /// server's snapshot is loaded again from the start, since the sequence numbers
    /// this desktop pulled up to now name other changes there.
    async fn resend_to_restored_server(&mut self) -> Result<()> {
        self.correct("server behind this desktop")?;
        tracing::warn!(
            "the server has lost changes this desktop had pulled (restored from a backup?); \
             reloading its data and sending this desktop's own changes again"
        );
        self.requeue_own().await?;
        state::set(
            self.pool(),
            &[(key::CURSOR, "0".into()), (key::CURSOR_MARK, String::new())],
        )
        .await?;
        self.bootstrap(true).await
    }

    /// Loads the server's snapshot when this desktop has none yet (or `again`, to
    /// repair a mismatch). Resumes at the page it stopped at.
    async fn bootstrap(&mut self, again: bool) -> Result<()> {
        if again {
            state::set(
                self.pool(),
                &[
                    (key::BOOTSTRAPPED, String::new()),
                    (key::SNAPSHOT_CURSOR, String::new()),
                    (key::SNAPSHOT_AS_OF, String::new()),
                    (key::REPAIRING, "1".into()),
                ],
            )
            .await?;
        }
        let record = SyncRecord::load(self.pool()).await?;
        if record.get(key::BOOTSTRAPPED) == Some("1") {
            return Ok(());
        }
        let cursor = record.owned(key::SNAPSHOT_CURSOR);
        let mut as_of = record
            .get(key::SNAPSHOT_AS_OF)
            .and_then(|v| v.parse::<u64>().ok());
        let pulled_through = u64::try_from(record.int(key::CURSOR)).unwrap_or(0);
        // A repair rewrites values whose stamps agree but whose values do not.
        let repair = record.get(key::REPAIRING) == Some("1") || again;
        let mut page = self
            .client
            .snapshot(cursor.as_deref(), self.config.pull_page)
            .await?;
        loop {
            self.observe_server_time().await?;
            let taken_at = *as_of.get_or_insert(page.as_of);
            let n = page.changes.len() as u64;
            match page.next.take() {
                Some(next) => {
                    // The next page is fetched while this one merges: the server
                    // reading its store and this desktop writing its own overlap,
                    // where one after the other they doubled a bootstrap's time.
                    // The cursor is written with the merged page, so a failed
                    // fetch resumes after it.
                    let state = [
                        (key::SNAPSHOT_CURSOR, next.clone()),
                        (key::SNAPSHOT_AS_OF, taken_at.to_string()),
                    ];
                    let (merged, fetched) = tokio::join!(
                        self.merge_page(repair, &page.changes, &state),
                        self.client.snapshot(Some(&next), self.config.pull_page),
                    );
                    merged?;
                    self.report.pulled += n;
                    page = fetched?;
                }
                None => {
                    let cursor = taken_at.max(pulled_through);
                    let mut state = vec![
                        (key::CURSOR, cursor.to_string()),
                        (key::BOOTSTRAPPED, "1".into()),
                        (key::SNAPSHOT_CURSOR, String::new()),
                        (key::SNAPSHOT_AS_OF, String::new()),
                        (key::REPAIRING, String::new()),
                    ];
                    // The next pull brings the new cursor's mark.
                    if cursor != pulled_through {
                        state.push((key::CURSOR_MARK, String::new()));
                    }
                    self.merge_page(repair, &page.changes, &state).await?;
                    self.report.pulled += n;
                    break;
                }
            }
        }
        self.report.bootstrapped = true;
        blobs::enqueue_missing(self.kith).await?;
        Ok(())
    }

    /// Merges a page of the snapshot.
    async fn merge_page(
        &self,
        repair: bool,
        changes: &[Change],
        state: &[(&str, String)],
    ) -> Result<()> {
        // Counted before the merge: its commit wakes the window, which then reads
        // the status.
        self.kith.sync_runtime().received(changes.len(), true);
        let store = self.kith.store();
        if repair {
            store.repair_recording(changes, state).await?;
        } else {
            store.merge_recording(changes, state).await?;
        }
        Ok(())
    }

    /// Sends the outbox page by page; returns the changes acknowledged.
    async fn push_all(&mut self) -> Result<u64> {
        let store = self.kith.store();
        let mut total = 0;
        loop {
            let mut page = store.outbox(self.config.push_page as i64).await?;
            let Some(&(first_seq, _)) = page.first() else {
                break;
            };
            // Contiguous by construction (see the module doc); should a gap ever
            // appear, only the run before it goes, and the counters are rebased
            // for what follows.
            let run = page
                .windows(2)
                .position(|w| w[1].0 != w[0].0 + 1)
                .map_or(page.len(), |i| i + 1);
            if run < page.len() {
                tracing::warn!(
                    at = page[run].0,
                    "gap in the outbox; rebasing device counters"
                );
            }
            page.truncate(run);
            let record = SyncRecord::load(self.pool()).await?;
            let mut base = record.int(key::COUNTER_BASE);
            if first_seq - base < 1 {
                base = first_seq - 1;
                self.set_base(base).await?;
            }
            let first_counter = (first_seq - base) as u64;
            let last_counter = first_counter + page.len() as u64 - 1;
            let changes: Vec<Change> = page.into_iter().map(|(_, c)| c).collect();
            blobs::enqueue_uploads(self.kith, &changes).await?;
            let req = PushRequest {
                first_counter,
                changes,
            };
            let result = self.client.push(&req).await;
            self.observe_server_time().await?;
            match result {
                Ok(resp) if resp.acked + 1 < first_counter || resp.acked > last_counter => {
                    // The server counts this device differently (it lost data, or
                    // knows counters from an earlier sign-in): number our waiting
                    // changes from what it expects. Re-sending is harmless.
                    self.correct("acknowledged counter out of range")?;
                    self.set_base(first_seq - (resp.acked as i64 + 1)).await?;
                }
                Ok(resp) => {
                    let acked_seq = base + resp.acked as i64;
                    store.ack_outbox(acked_seq).await?;
                    let n = resp.acked + 1 - first_counter;
                    total += n;
                    self.report.pushed += n;
                    if n == 0 {
                        self.correct("push acknowledged nothing")?;
                    }
                }
                Err(SyncError::Server { body, .. }) if body.kind == WireErrorKind::CounterGap => {
                    let expected = body.expected_counter.ok_or_else(|| {
                        SyncError::Protocol("counter gap without the expected counter".into())
                    })?;
                    self.correct("counter gap")?;
                    tracing::info!(first_counter, expected, "server expects another counter");
                    self.set_base(first_seq - expected as i64).await?;
                }
                Err(SyncError::Server { body, .. }) if body.kind == WireErrorKind::ClockSkew => {
                    self.correct("clock skew")?;
                    let server = body
                        .server_time
                        .unwrap_or_else(|| self.client.server_time());
                    if server == 0 {
                        return Err(SyncError::Protocol(
                            "clock skew without the server time".into(),
                        )
                        .into());
                    }
                    let wall = store.now_ms() as i64 - store.clock_offset_ms();
                    store.set_clock_offset(server as i64 - wall).await?;
                    store.restamp_outbox().await?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(total)
    }

    async fn set_base(&self, base: i64) -> Result<()> {
        state::set(self.pool(), &[(key::COUNTER_BASE, base.to_string())]).await
    }

    /// Pulls pages until the server has nothing more; returns changes merged.
    async fn pull_all(&mut self) -> Result<u64> {
        let mut total = 0;
        let record = SyncRecord::load(self.pool()).await?;
        let mut cursor = u64::try_from(record.int(key::CURSOR)).unwrap_or(0);
        let mut mark = record.get(key::CURSOR_MARK).and_then(parse_mark);
        loop {
            let page = self
                .client
                .pull(cursor, mark, self.config.pull_page)
                .await?;
            self.observe_server_time().await?;
            if page.through < cursor {
                return Err(SyncError::Protocol(format!(
                    "pull went back from {cursor} to {}",
                    page.through
                ))
                .into());
            }
            let mark_text = page.through_mark.map(format_mark).unwrap_or_default();
            self.kith.sync_runtime().received(page.changes.len(), false);
            self.kith
                .store()
                .merge_recording(
                    &page.changes,
                    &[
                        (key::CURSOR, page.through.to_string()),
                        (key::CURSOR_MARK, mark_text),
                    ],
                )
                .await?;
            mark = page.through_mark;
            if page.changes.iter().any(blobs::names_a_blob) {
                blobs::enqueue_missing(self.kith).await?;
            }
            total += page.changes.len() as u64;
            cursor = page.through;
            if !page.more {
                break;
            }
        }
        self.report.pulled += total;
        Ok(total)
    }

    /// Compares this desktop's checksum with the server's at quiescence; on a
    /// mismatch, reloads the server's snapshot and compares again, then (once
    /// until they next agree) sends this desktop's own changes again and compares
    /// a last time. A difference that outlived all that is remembered, and not
    /// worked on again until either side changes.
    async fn verify(&mut self) -> Result<()> {
        let mut repaired = false;
        for _ in 0..4 {
            if self.kith.store().outbox_stats().await?.pending > 0 {
                return Ok(());
            }
            let server = self.client.checksum().await?;
            self.observe_server_time().await?;
            let record = SyncRecord::load(self.pool()).await?;
            let cursor = record.int(key::CURSOR);
            if server.through != u64::try_from(cursor).unwrap_or(0) {
                // Others pushed meanwhile: not comparable now; a later run will.
                if self.pull_all().await? > 0 {
                    return Ok(());
                }
                continue;
            }
            let local = checksum::local_checksum(self.pool()).await?.to_hex();
            if local == server.checksum {
                self.report.checksum_matched = Some(true);
                state::set(
                    self.pool(),
                    &[(key::RESENT, String::new()), (key::DIVERGED, String::new())],
                )
                .await?;
                return Ok(());
            }
            self.report.checksum_matched = Some(false);
            let diverged = SyncError::Diverged {
                local: local.clone(),
                server: server.checksum.clone(),
            };
            let pair = format!("{local}:{}", server.checksum);
            if record.get(key::DIVERGED) == Some(pair.as_str()) {
                // Nothing moved since the repairs below last failed: another
                // snapshot reload or resend would only repeat them.
                return Err(diverged.into());
            }
            if repaired && record.get(key::RESENT) != Some("1") {
                // Still apart with the server's data reloaded: this desktop holds
                // values of its own the server lacks (acknowledged, then lost; or
                // never in the outbox). Sending them again loses nothing. Once:
                // each resend grows the server's log by all of them.
                self.requeue_own().await?;
                self.push_all().await?;
                self.pull_all().await?;
                continue;
            }
            if repaired {
                // Values of another node this desktop holds and the server lost
                // (only their author may send them), or a bug.
                tracing::warn!(%local, server = %server.checksum, "checksum still differs after the repairs");
                state::set(self.pool(), &[(key::DIVERGED, pair)]).await?;
                return Err(diverged.into());
            }
            tracing::warn!(%local, server = %server.checksum, "checksum mismatch; reloading the server's snapshot");
            self.bootstrap(true).await?;
            self.pull_all().await?;
            // Whatever changed the rows behind the write path's back left their
            // search entries as they were; entries are removed by their text.
            self.kith.store().rebuild_search_index().await?;
            self.report.repaired = true;
            repaired = true;
        }
        Ok(())
    }

    /// Puts this desktop's own values back in the outbox (see `sync::requeue`),
    /// noting it so a mismatch that outlives it does not send them all again.
    async fn requeue_own(&mut self) -> Result<()> {
        let requeued = super::requeue::requeue_own(self.kith).await?;
        state::set(self.pool(), &[(key::RESENT, "1".into())]).await?;
        tracing::warn!(requeued, "sending this desktop's own changes again");
        Ok(())
    }
}

/// A [`SeqMark`] as kept in the sync state: "HLC:NODE".
fn format_mark(m: SeqMark) -> String {
    format!("{}:{}", m.hlc.0, m.node)
}

/// `None` for an empty or unreadable mark: the pull is then not checked.
fn parse_mark(text: &str) -> Option<SeqMark> {
    let (hlc, node) = text.split_once(':')?;
    Some(SeqMark {
        hlc: Hlc(hlc.parse().ok()?),
        node: NodeId(uuid::Uuid::parse_str(node).ok()?),
    })
}
