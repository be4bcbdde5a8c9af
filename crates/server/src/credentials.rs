//! Passwords (argon2id) and bearer secrets (device tokens, API keys).
//!
//! Passwords are low-entropy, so they are stretched with argon2id. Tokens and keys
//! are 32 random bytes: a plain SHA-256 of one cannot be reversed or guessed, and
//! it lets the server find a token by its hash with one indexed lookup.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
#[error("password hashing: {0}")]
pub struct PasswordError(String);

/// How expensive new password hashes are. A stored hash carries its own parameters,
/// so verifying always uses the cost it was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordCost {
    /// argon2's recommended parameters (19 MiB, 2 passes).
    #[default]
    Production,
    /// The cheapest argon2id allows: for tests only, which hash many passwords.
    Cheap,
}

impl PasswordCost {
    fn argon2(self) -> Result<Argon2<'static>, PasswordError> {
        let params = match self {
            PasswordCost::Production => Params::default(),
            PasswordCost::Cheap => {
                Params::new(8, 1, 1, None).map_err(|e| PasswordError(e.to_string()))?
            }
        };
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    pub fn hash(self, password: &str) -> Result<String, PasswordError> {
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError(e.to_string()))?;
        self.argon2()?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| PasswordError(e.to_string()))
    }
}

/// Whether `password` matches a stored argon2 hash (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A new random secret (64 hex digits) and the hash the server keeps of it.
pub fn new_secret(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("{prefix}{}", hex(&bytes));
    let hash = hash_secret(&secret);
    (secret, hash)
}

/// The stored form of a device token or API key.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_only() {
        let h = PasswordCost::Cheap.hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let (a, ha) = new_secret("kith_");
        let (b, _) = new_secret("kith_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 5 + 64);
        assert_eq!(hash_secret(&a), ha);
        assert_ne!(ha, a);
    }
}
