//! The background sync loop of the desktop app: syncs at start, soon after each
//! local commit (the store's [`crate::store::Store::local_commits`]) or
//! [`WorkerHandle::poke`], when the server's event stream says
//! others pushed, and every `poll_interval` in any case; after a failure it waits
//! with exponential backoff and jitter. Everything it needs to resume (cursor,
//! counters, queued files) is in the database, so a restart just goes on.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use kith_protocol::sync::EVENT_CHANGES;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use super::{engine, Runtime, SyncError, SyncState, SyncStatus};
use crate::error::CoreError;
use crate::Kith;

pub struct Worker;

pub struct WorkerHandle {
    poke: Arc<Notify>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl WorkerHandle {
    /// Sync soon (after signing in, say); local commits wake the worker by themselves.
    pub fn poke(&self) {
        self.poke.notify_one();
    }

    /// Stops the loop after the request in flight, if any, and waits for it.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

type OnStatus = Arc<dyn Fn(SyncStatus) + Send + Sync>;

impl Worker {
    pub fn spawn(
        kith: Arc<Kith>,
        on_status: impl Fn(SyncStatus) + Send + Sync + 'static,
    ) -> WorkerHandle {
        let poke = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let on_status: OnStatus = Arc::new(on_status);
        let main = tokio::spawn(sync_loop(
            kith.clone(),
            poke.clone(),
            stopped.clone(),
            on_status,
        ));
        let events = tokio::spawn(event_loop(kith, poke.clone(), stopped));
        WorkerHandle {
            poke,
            stop,
            tasks: vec![main, events],
        }
    }
}

/// Sleeps `d`, or less when asked to stop; true when stopping.
async fn sleep_or_stop(d: Duration, stopped: &mut watch::Receiver<bool>) -> bool {
    if *stopped.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => *stopped.borrow(),
        _ = stopped.changed() => true,
    }
}

async fn emit(kith: &Kith, on_status: &OnStatus) {
    match kith.sync().status().await {
        Ok(s) => on_status(s),
        Err(e) => tracing::warn!(error = %e, "cannot read the sync status"),
    }
}

async fn sync_loop(
    kith: Arc<Kith>,
    poke: Arc<Notify>,
    mut stopped: watch::Receiver<bool>,
    on_status: OnStatus,
) {
    let mut attempt = 0u32;
    let mut wait = Duration::ZERO;
    // Every local commit wakes the loop, whoever made it: the app, an import, the CLI
    // in this process.
    let commits = kith.store().local_commits();
    loop {
        let config = kith.sync_config();
        let committed = tokio::select! {
            _ = tokio::time::sleep(wait) => false,
            // The server's poke (others pushed) or a sign-in: sync at once.
            _ = poke.notified() => false,
            _ = commits.notified() => true,
            _ = stopped.changed() => break,
        };
        if *stopped.borrow() {
            break;
        }
        // Gather a burst of local commits (typing, a bulk action) into one push.
        if committed && sleep_or_stop(config.poke_delay, &mut stopped).await {
            break;
        }
        let mut syncing = match kith.sync().status().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the sync status");
                wait = config.poll_interval;
                continue;
            }
        };
        if syncing.state == SyncState::SignedOut {
            on_status(syncing);
            wait = config.poll_interval;
            continue;
        }
        syncing.state = SyncState::Syncing;
        on_status(syncing);
        wait = match kith.sync().sync_now().await {
            Ok(_) => {
                attempt = 0;
                config.poll_interval
            }
            Err(CoreError::Sync(e)) if e.is_unauthorized() || matches!(e, SyncError::SignedOut) => {
                // Needs a person to sign in again: no point in knocking.
                config.poll_interval
            }
            Err(_) => {
                attempt = attempt.saturating_add(1);
                Runtime::backoff(&config, attempt - 1)
            }
        };
        emit(&kith, &on_status).await;
    }
}

/// Listens to the server's event stream and pokes the sync loop on each
/// `changes` event, and on each (re)connection: events may have been missed.
async fn event_loop(kith: Arc<Kith>, poke: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
    let mut attempt = 0u32;
    loop {
        let config = kith.sync_config();
        let creds = kith.sync().credentials();
        let outcome = async {
            let client = engine::signed_in_client(&kith, &creds).await?;
            let resp = client.events().await?;
            Ok::<_, CoreError>((client, resp))
        };
        let connected = tokio::select! {
            r = outcome => r,
            _ = stopped.changed() => return,
        };
        match connected {
            Ok((client, resp)) => {
                if attempt > 0 {
                    // Back after an outage: whatever waited can go now.
                    poke.notify_one();
                }
                let mut body = resp.bytes_stream();
                let mut parser = EventParser::default();
                loop {
                    let next = tokio::select! {
                        n = body.next() => n,
                        _ = stopped.changed() => return,
                    };
                    match next {
                        Some(Ok(bytes)) => {
                            if parser.feed(&bytes) {
                                poke.notify_one();
                            }
                        }
                        Some(Err(e)) => {
                            tracing::debug!(error = %client.transport(&e), "event stream broke");
                            break;
                        }
                        None => break,
                    }
                }
                attempt = 1;
            }
            Err(e) => {
                tracing::debug!(error = %e, "no event stream");
                attempt = attempt.saturating_add(1);
            }
        }
        let wait = if matches!(kith.sync().status().await, Ok(s) if s.state == SyncState::SignedOut)
        {
            config.poll_interval.min(Duration::from_secs(5))
        } else {
            Runtime::backoff(&config, attempt.saturating_sub(1))
        };
        if sleep_or_stop(wait, &mut stopped).await {
            return;
        }
    }
}

/// A minimal `text/event-stream` reader: only whether a `changes` event arrived.
#[derive(Default)]
struct EventParser {
    line: Vec<u8>,
    event: Option<String>,
}

impl EventParser {
    /// Feeds bytes; true when at least one complete `changes` event was in them.
    fn feed(&mut self, bytes: &[u8]) -> bool {
        let mut fired = false;
        for &b in bytes {
            if b != b'\n' {
                self.line.push(b);
                continue;
            }
            let line = String::from_utf8_lossy(&self.line)
                .trim_end_matches('\r')
                .to_owned();
            self.line.clear();
            if line.is_empty() {
                // A blank line dispatches the event.
                if self.event.take().as_deref() == Some(EVENT_CHANGES) {
                    fired = true;
                }
            } else if let Some(name) = line.strip_prefix("event:") {
                self.event = Some(name.trim().to_owned());
            }
        }
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_complete_changes_events_fire() {
        let mut p = EventParser::default();
        assert!(!p.feed(b": keep-alive\n\n"));
        assert!(!p.feed(b"event: chan"));
        assert!(!p.feed(b"ges\ndata: {\"head\":3}\n"));
        assert!(p.feed(b"\n"));
        assert!(!p.feed(b"event: other\r\ndata: x\r\n\r\n"));
        assert!(p.feed(b"event: changes\ndata: {}\n\nevent: changes\ndata: {}\n\n"));
    }
}
