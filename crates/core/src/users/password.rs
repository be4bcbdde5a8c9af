//! Generated passwords for users added by hand: random from the OS CSPRNG, and
//! readable aloud at the counter (no 0/O, 1/l/I look-alikes).

use rand::rngs::OsRng;
use rand::Rng;

const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const GROUPS: usize = 4;
const GROUP_LEN: usize = 4;

/// Four dash-separated groups of four, e.g. `h7Kp-3mQx-Tz9r-Wn4e` (~92 bits).
pub fn generate_password() -> String {
    let mut rng = OsRng;
    (0..GROUPS)
        .map(|_| {
            (0..GROUP_LEN)
                .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_shape_and_unique() {
        let a = generate_password();
        let b = generate_password();
        assert_ne!(a, b);
        assert_eq!(a.len(), GROUPS * GROUP_LEN + GROUPS - 1);
        assert!(a
            .split('-')
            .all(|g| g.len() == GROUP_LEN && g.bytes().all(|c| ALPHABET.contains(&c))));
    }
}
