//! Hybrid logical clock: 48 bits of Unix milliseconds and a 16-bit counter in one u64.

use serde::{Deserialize, Serialize};

const COUNTER_BITS: u32 = 16;
const COUNTER_MASK: u64 = (1 << COUNTER_BITS) - 1;
/// Remote clocks further than this ahead of our wall clock are refused, so one device
/// with a wrong clock cannot drag every replica years into the future.
pub const MAX_DRIFT_MS: u64 = 24 * 60 * 60 * 1000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HlcError {
    #[error("clock exhausted at {0} ms")]
    CounterOverflow(u64),
    #[error("remote clock is {ahead_ms} ms ahead of this device's clock")]
    TooFarAhead { ahead_ms: u64 },
}

/// A hybrid logical clock value. Ordering is the ordering of the packed u64.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Hlc(pub u64);

impl Hlc {
    pub const ZERO: Hlc = Hlc(0);

    pub fn new(millis: u64, counter: u16) -> Self {
        Hlc((millis << COUNTER_BITS) | u64::from(counter))
    }

    pub fn millis(self) -> u64 {
        self.0 >> COUNTER_BITS
    }

    pub fn counter(self) -> u16 {
        (self.0 & COUNTER_MASK) as u16
    }

    /// The clock for a new local event, given the last clock and the wall clock.
    pub fn tick(self, now_ms: u64) -> Result<Hlc, HlcError> {
        if now_ms > self.millis() {
            return Ok(Hlc::new(now_ms, 0));
        }
        self.bump()
    }

    /// The clock after observing a remote clock: strictly greater than both.
    pub fn observe(self, remote: Hlc, now_ms: u64) -> Result<Hlc, HlcError> {
        if remote.millis() > now_ms.saturating_add(MAX_DRIFT_MS) {
            return Err(HlcError::TooFarAhead {
                ahead_ms: remote.millis() - now_ms,
            });
        }
        let top = self.max(remote);
        if now_ms > top.millis() {
            return Ok(Hlc::new(now_ms, 0));
        }
        top.bump()
    }

    /// The next clock value. When the counter is full it carries into the
    /// milliseconds — logical time runs slightly ahead of the wall clock, as HLCs
    /// allow — so a burst of a million writes in one millisecond still gets a
    /// million distinct, ordered clocks. Local ticks never fail for running ahead:
    /// a store whose clock was once set wrong must keep working; only remote clocks
    /// far ahead are refused, in [`Hlc::observe`].
    fn bump(self) -> Result<Hlc, HlcError> {
        self.0
            .checked_add(1)
            .map(Hlc)
            .ok_or(HlcError::CounterOverflow(self.millis()))
    }

    /// SQLite stores i64; 48-bit millis keep the packed value positive until year 10889.
    pub fn as_i64(self) -> i64 {
        self.0 as i64
    }

    pub fn from_i64(v: i64) -> Hlc {
        Hlc(v as u64)
    }
}

impl std::fmt::Display for Hlc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.millis(), self.counter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_is_monotonic_even_when_the_wall_clock_goes_back() {
        let a = Hlc::ZERO.tick(1_000).unwrap();
        let b = a.tick(900).unwrap();
        let c = b.tick(1_000).unwrap();
        assert!(a < b && b < c);
        assert_eq!(c.millis(), 1_000);
        assert_eq!(c.counter(), 2);
    }

    #[test]
    fn observe_moves_past_the_remote_clock() {
        let local = Hlc::new(1_000, 3);
        let remote = Hlc::new(2_000, 7);
        let next = local.observe(remote, 1_500).unwrap();
        assert!(next > remote);
        assert_eq!(next, Hlc::new(2_000, 8));
    }

    #[test]
    fn observe_refuses_a_clock_a_day_ahead() {
        let remote = Hlc::new(10 + MAX_DRIFT_MS + 1, 0);
        assert!(matches!(
            Hlc::ZERO.observe(remote, 0),
            Err(HlcError::TooFarAhead { .. })
        ));
    }

    #[test]
    fn a_full_counter_carries_into_the_milliseconds() {
        let top = Hlc::new(5, u16::MAX);
        let next = top.tick(5).unwrap();
        assert!(next > top);
        assert_eq!(next, Hlc::new(6, 0));
        // A million events in one millisecond stay distinct and ordered.
        let mut h = Hlc::ZERO;
        for _ in 0..1_000_000 {
            let n = h.tick(1_000).unwrap();
            assert!(n > h);
            h = n;
        }
    }

    #[test]
    fn a_clock_far_ahead_keeps_ticking() {
        let ahead = Hlc::new(10 * MAX_DRIFT_MS, 7);
        assert_eq!(ahead.tick(0).unwrap(), Hlc::new(10 * MAX_DRIFT_MS, 8));
    }
}
