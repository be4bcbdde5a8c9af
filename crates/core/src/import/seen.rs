//! The match keys an import has written a user for, so later rows of the file
//! with the same key merge into that user.
//!
//! One entry a row: at a million rows this is the import's largest structure.
//! A hash map of them sits at 7/16 to 7/8 full and, doubling, holds both tables
//! for a moment: 35 + 69 MB near the end of a million rows. Here the entries
//! live in one sorted vector, 32 bytes each and nothing more, with the newest
//! (16,384, or a 64th of the rest past a million) in a small map until they
//! are merged in, in place.

use std::collections::HashMap;

use uuid::Uuid;

/// Entries held in the small map before they join the sorted ones, at least.
/// Each merge moves every sorted entry once (a few milliseconds at a million):
/// ~60 merges for a million rows. Past a million, a 64th of the sorted ones
/// wait, so ten million rows take ~210 merges rather than ~610.
const RECENT: usize = 16_384;
const RECENT_SHARE: usize = 64;

/// Room taken at most before the keys come: 128 MiB, four million keys. A row
/// estimate past it (a file of many millions of rows, or first rows far
/// shorter than the rest) does not take more before it is needed: room is
/// not resident until written on Linux and macOS, but Windows counts it
/// against the memory it can commit.
const MOST_RESERVED: usize = 4 << 20;

/// Key fingerprint → user id.
#[derive(Debug, Default)]
pub(crate) struct SeenKeys {
    /// Sorted by key, no key twice.
    sorted: Vec<(u128, Uuid)>,
    /// Keys not yet merged into `sorted`, none of them in it.
    recent: HashMap<u128, Uuid>,
}

impl SeenKeys {
    /// Makes room for about `n` keys in all, up to [`MOST_RESERVED`]: the vector
    /// then never moves to grow, and the room not filled is never touched. `n`
    /// is an estimate from a file's first rows, low when later rows are
    /// shorter (or a code page's letters grow into UTF-8's two bytes): a
    /// quarter more is taken. Room the system cannot give is simply not taken,
    /// and the vector grows as it fills.
    pub(crate) fn reserve(&mut self, n: usize) {
        let wanted = n.saturating_add(n / 4).saturating_add(RECENT);
        let wanted = wanted.min(MOST_RESERVED);
        let _ = self
            .sorted
            .try_reserve_exact(wanted.saturating_sub(self.sorted.len()));
    }

    pub(crate) fn get(&self, key: u128) -> Option<Uuid> {
        if let Some(id) = self.recent.get(&key) {
            return Some(*id);
        }
        self.sorted
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| self.sorted[i].1)
    }

    pub(crate) fn contains(&self, key: u128) -> bool {
        self.get(key).is_some()
    }

    /// Records `id` for `key`, replacing what it had.
    pub(crate) fn insert(&mut self, key: u128, id: Uuid) {
        if let Ok(i) = self.sorted.binary_search_by_key(&key, |(k, _)| *k) {
            self.sorted[i].1 = id;
            return;
        }
        self.recent.insert(key, id);
        if self.recent.len() >= RECENT.max(self.sorted.len() / RECENT_SHARE) {
            self.merge();
        }
    }

    /// Moves the recent entries into the sorted ones: from the back, each
    /// entry written once into room the vector already has (or grows to).
    fn merge(&mut self) {
        let mut fresh: Vec<(u128, Uuid)> = self.recent.drain().collect();
        fresh.sort_unstable_by_key(|(k, _)| *k);
        let mut old = self.sorted.len();
        let mut new = fresh.len();
        // Past the room reserved, a quarter more at a time: a doubling would
        // hold the old entries and room for twice as many at once.
        if self.sorted.capacity() < old + new {
            self.sorted.reserve_exact(new.max(old / 4));
        }
        self.sorted.resize(old + new, (0, Uuid::nil()));
        // Writes go from the end down; `write` stays above `old` until every
        // fresh entry is placed, so no entry is overwritten before it moves.
        let mut write = old + new;
        while new > 0 {
            write -= 1;
            if old > 0 && self.sorted[old - 1].0 > fresh[new - 1].0 {
                old -= 1;
                self.sorted[write] = self.sorted[old];
            } else {
                new -= 1;
                self.sorted[write] = fresh[new];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_before_and_after_they_are_merged() {
        let mut seen = SeenKeys::default();
        seen.reserve(2 * RECENT);
        let room = seen.sorted.capacity();
        assert!(
            room >= 3 * RECENT,
            "a quarter more than asked, and a merge's worth"
        );
        // Keys in no order, across several merges; every third one given a new id.
        let key = |i: u128| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
        let id = |i: u128, round: u128| Uuid::from_u128(i * 10 + round);
        let n = (2 * RECENT + RECENT / 2) as u128;
        for i in 0..n {
            assert_eq!(seen.get(key(i)), None);
            seen.insert(key(i), id(i, 0));
            assert_eq!(seen.get(key(i)), Some(id(i, 0)));
        }
        for i in (0..n).step_by(3) {
            seen.insert(key(i), id(i, 1));
        }
        for i in 0..n {
            let round = u128::from(i % 3 == 0);
            assert_eq!(seen.get(key(i)), Some(id(i, round)), "key {i}");
        }
        assert!(!seen.contains(key(n)));
        assert!(seen.sorted.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(seen.sorted.len() + seen.recent.len(), n as usize);
        // The room reserved was enough: the vector never moved to grow.
        assert_eq!(seen.sorted.capacity(), room);
    }

    #[test]
    fn without_room_the_keys_grow_by_what_they_need_not_by_doubling() {
        let mut seen = SeenKeys::default();
        for i in 0..(3 * RECENT) as u128 {
            seen.insert(i.wrapping_mul(0x9E37_79B9_7F4A_7C15), Uuid::from_u128(i));
        }
        assert_eq!(seen.sorted.len(), 3 * RECENT);
        assert_eq!(seen.sorted.capacity(), 3 * RECENT);
    }

    #[test]
    fn an_absurd_estimate_takes_no_more_than_the_most_reserved() {
        let mut seen = SeenKeys::default();
        seen.reserve(usize::MAX);
        assert_eq!(seen.sorted.capacity(), MOST_RESERVED);
        seen.insert(7, Uuid::from_u128(7));
        assert_eq!(seen.get(7), Some(Uuid::from_u128(7)));
    }

    #[test]
    fn merging_keeps_the_extremes() {
        let mut seen = SeenKeys::default();
        seen.insert(u128::MAX, Uuid::from_u128(1));
        seen.insert(0, Uuid::from_u128(2));
        seen.merge();
        seen.insert(u128::MAX / 2, Uuid::from_u128(3));
        seen.insert(1, Uuid::from_u128(4));
        seen.merge();
        let keys: Vec<u128> = seen.sorted.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, [0, 1, u128::MAX / 2, u128::MAX]);
        assert_eq!(seen.get(u128::MAX), Some(Uuid::from_u128(1)));
        assert_eq!(seen.get(0), Some(Uuid::from_u128(2)));
    }
}
