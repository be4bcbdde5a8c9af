//! Sign-in attempts per (client address, email): after [`MAX_FAILURES`] attempts
//! within [`WINDOW_MS`] that did not succeed, further attempts are refused until the
//! oldest ages out. An attempt is counted when it is let through (under the same
//! lock as the check), so parallel guesses cannot all pass before any is counted;
//! a success clears the key.
//!
//! The attempts are kept in the server's database (`Store::count_login_attempt`),
//! so every instance on one PostgreSQL database shares the limit: behind a load
//! balancer, more instances do not mean more guesses. This module holds the rule;
//! the store holds the times.

use std::net::IpAddr;

use crate::credentials::hash_secret;

pub const MAX_FAILURES: usize = 5;
/// How long an attempt counts, in milliseconds.
pub const WINDOW_MS: i64 = 60_000;

/// The key of a (client address, email) pair as the store keeps it: a SHA-256
/// of the pair. It keeps them out of plain sight in the table, no more: for a
/// known email, the addresses can be tried one by one.
pub fn key(ip: IpAddr, email: &str) -> String {
    hash_secret(&format!("{ip}\n{email}"))
}

/// Drops the attempts that left the window at `now`, then counts one more and
/// lets it through, or refuses it with the seconds to wait (a refused attempt is
/// not counted). `times` are Unix ms, oldest first.
pub fn admit(times: &mut Vec<i64>, now: i64) -> Result<(), u64> {
    times.retain(|t| now - t < WINDOW_MS);
    if times.len() < MAX_FAILURES {
        times.push(now);
        return Ok(());
    }
    let oldest = times.first().copied().unwrap_or(now);
    let wait_ms = (WINDOW_MS - (now - oldest)).max(0);
    Err(((wait_ms + 999) / 1000).max(1) as u64)
}

/// The attempt times as the store's row keeps them: Unix ms, comma-separated.
pub fn encode(times: &[i64]) -> String {
    times
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// [`encode`]'s text back; a part that is not a number (the row was edited by
/// hand) is dropped rather than failing every sign-in with that key.
pub fn decode(text: &str) -> Vec<i64> {
    text.split(',').filter_map(|t| t.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_in_a_minute_is_refused_until_the_first_ages_out() {
        let mut times = Vec::new();
        for i in 0..MAX_FAILURES as i64 {
            assert!(admit(&mut times, 1_000 + i).is_ok());
        }
        assert_eq!(admit(&mut times, 2_000), Err(59));
        assert_eq!(
            times.len(),
            MAX_FAILURES,
            "a refused attempt is not counted"
        );
        // The first attempt leaves the window a minute after it was made.
        assert_eq!(admit(&mut times, 1_000 + WINDOW_MS - 1), Err(1));
        assert!(admit(&mut times, 1_000 + WINDOW_MS).is_ok());
    }

    #[test]
    fn times_round_trip_and_garbage_is_dropped() {
        assert_eq!(decode(&encode(&[1, 22, 333])), vec![1, 22, 333]);
        assert_eq!(decode(""), Vec::<i64>::new());
        assert_eq!(decode("5,x,7"), vec![5, 7]);
    }

    #[test]
    fn keys_differ_by_address_and_email_and_hide_both() {
        let (a, b): (IpAddr, IpAddr) = ([127, 0, 0, 1].into(), [10, 0, 0, 1].into());
        assert_ne!(key(a, "ann@x.test"), key(b, "ann@x.test"));
        assert_ne!(key(a, "ann@x.test"), key(a, "bob@x.test"));
        assert!(!key(a, "ann@x.test").contains("ann"));
    }
}
