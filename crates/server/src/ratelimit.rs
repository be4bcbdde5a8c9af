//! Sign-in attempts per (client address, email): after [`MAX_FAILURES`] attempts
//! within [`WINDOW`] that did not succeed, further attempts are refused until the
//! oldest ages out. An attempt is counted when it is let through (under the same
//! lock as the check), so parallel guesses cannot all pass before any is counted;
//! a success clears the key.
//! Kept in memory, so with several server instances the limit is per instance.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: usize = 5;
pub const WINDOW: Duration = Duration::from_secs(60);
/// Keys kept before old ones are swept, so a flood of addresses cannot grow the map
/// without bound.
const SWEEP_AT: usize = 10_000;

#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<(IpAddr, String), VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// Lets one attempt through and counts it, or `Err(seconds to wait)` while the
    /// key is over its limit (a refused attempt is not counted).
    pub fn check(&self, ip: IpAddr, email: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= SWEEP_AT {
            map.retain(|_, t| t.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        let times = map.entry((ip, email.to_owned())).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() < MAX_FAILURES {
            times.push_back(now);
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        let wait = WINDOW.saturating_sub(now.duration_since(oldest));
        Err(wait.as_secs().max(1))
    }

    /// Un-counts the newest attempt: one that never checked a password (the server
    /// was too busy to).
    pub fn uncount(&self, ip: IpAddr, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(times) = map.get_mut(&(ip, email.to_owned())) {
            times.pop_back();
        }
    }

    pub fn succeeded(&self, ip: IpAddr, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&(ip, email.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_in_a_minute_is_refused() {
        let l = LoginLimiter::default();
        let ip: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..MAX_FAILURES {
            assert!(l.check(ip, "a@x").is_ok());
        }
        let wait = l.check(ip, "a@x").unwrap_err();
        assert!((1..=60).contains(&wait));
        // Another email from the same address is not affected.
        assert!(l.check(ip, "b@x").is_ok());
        // A success clears the key.
        l.succeeded(ip, "a@x");
        assert!(l.check(ip, "a@x").is_ok());
    }
}
