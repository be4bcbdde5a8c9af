//! Where the device token is kept: the OS keychain when there is one (macOS
//! Keychain, Windows Credential Manager, the Secret Service of a Linux desktop),
//! otherwise a file in the data directory that only this user can read. A headless
//! Linux box or CI has no Secret Service; its failure falls through to the file.
//!
//! The token is never logged: errors name the store, not the secret.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::SyncError;

/// File name of the token inside the data directory, where no keychain is.
pub const TOKEN_FILE: &str = "sync-token";
const SERVICE: &str = "app.kith.desktop";

#[derive(Debug, Clone)]
pub struct Credentials {
    file: PathBuf,
    /// Keychain entry name: one per store (node id), so two data directories on one
    /// computer keep two tokens.
    account: String,
    use_keychain: bool,
}

impl Credentials {
    pub fn new(data_dir: &Path, account: &str, use_keychain: bool) -> Credentials {
        Credentials {
            file: data_dir.join(TOKEN_FILE),
            account: format!("device:{account}"),
            use_keychain,
        }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Stores the token, replacing any earlier one.
    pub async fn save(&self, token: &str) -> Result<(), SyncError> {
        let this = self.clone();
        let token = token.to_owned();
        blocking(move || {
            if this.use_keychain {
                match keychain::save(&this.account, &token) {
                    Ok(()) => {
                        // A token left in a file from an earlier keychain-less run
                        // must not outlive the one in the keychain.
                        remove_file(&this.file)?;
                        return Ok(());
                    }
                    Err(e) => {
                        tracing::info!(error = %e, "no usable keychain; keeping the device token in a private file");
                    }
                }
            }
            write_private(&this.file, token.as_bytes())
        })
        .await
    }

    pub async fn load(&self) -> Result<Option<String>, SyncError> {
        let this = self.clone();
        blocking(move || {
            if this.use_keychain {
                match keychain::load(&this.account) {
                    Ok(Some(t)) => return Ok(Some(t)),
                    Ok(None) => {}
                    Err(e) => tracing::debug!(error = %e, "keychain unavailable"),
                }
            }
            match std::fs::read_to_string(&this.file) {
                Ok(t) if !t.trim().is_empty() => Ok(Some(t.trim().to_owned())),
                Ok(_) => Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(SyncError::Credentials(format!(
                    "cannot read {}: {e}",
                    this.file.display()
                ))),
            }
        })
        .await
    }

    pub async fn forget(&self) -> Result<(), SyncError> {
        let this = self.clone();
        blocking(move || {
            if this.use_keychain {
                if let Err(e) = keychain::delete(&this.account) {
                    tracing::debug!(error = %e, "keychain unavailable");
                }
            }
            remove_file(&this.file)
        })
        .await
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SyncError> + Send + 'static,
) -> Result<T, SyncError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SyncError::Credentials(format!("keychain task failed: {e}")))?
}

fn remove_file(path: &Path) -> Result<(), SyncError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(SyncError::Credentials(format!(
            "cannot remove {}: {e}",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// Writes `bytes` to `path` through a temp file created 0600, renamed into place:
/// the token is never readable by others, not even for a moment.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SyncError> {
    let err =
        |e: std::io::Error| SyncError::Credentials(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    // tempfile creates its files 0600 on unix.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
    }
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod keychain {
    pub fn save(account: &str, token: &str) -> keyring::Result<()> {
        let entry = keyring::Entry::new(super::SERVICE, account)?;
        entry.set_password(token)?;
        // Some backends accept a write they cannot give back (a locked or
        // session-only store): only a read-back proves the token is kept.
        match entry.get_password() {
            Ok(t) if t == token => Ok(()),
            Ok(_) => Err(keyring::Error::NoEntry),
            Err(e) => Err(e),
        }
    }

    pub fn load(account: &str) -> keyring::Result<Option<String>> {
        match keyring::Entry::new(super::SERVICE, account)?.get_password() {
            Ok(t) => Ok(Some(t)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn delete(account: &str) -> keyring::Result<()> {
        match keyring::Entry::new(super::SERVICE, account)?.delete_credential() {
            Err(keyring::Error::NoEntry) | Ok(()) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod keychain {
    #[derive(Debug, thiserror::Error)]
    #[error("no keychain on this system")]
    pub struct NoKeychain;

    pub fn save(_: &str, _: &str) -> Result<(), NoKeychain> {
        Err(NoKeychain)
    }
    pub fn load(_: &str) -> Result<Option<String>, NoKeychain> {
        Err(NoKeychain)
    }
    pub fn delete(_: &str) -> Result<(), NoKeychain> {
        Err(NoKeychain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_token_file_is_private_and_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let creds = Credentials::new(dir.path(), "node", false);
        assert_eq!(creds.load().await.unwrap(), None);
        creds.save("secret-token").await.unwrap();
        assert_eq!(creds.load().await.unwrap().as_deref(), Some("secret-token"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(creds.file())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        creds.save("second").await.unwrap();
        assert_eq!(creds.load().await.unwrap().as_deref(), Some("second"));
        creds.forget().await.unwrap();
        assert_eq!(creds.load().await.unwrap(), None);
        assert!(!creds.file().exists());
        creds.forget().await.unwrap();
    }

    /// The keychain path, against a real Secret Service: `scripts/keyring.sh` runs
    /// this (it is ignored otherwise) in a private D-Bus session with gnome-keyring
    /// unlocked, and says so with `KITH_TEST_SECRET_SERVICE`.
    #[tokio::test]
    #[ignore = "needs a Secret Service: run through scripts/keyring.sh (CI does)"]
    async fn the_token_lives_in_the_keychain_when_there_is_one() {
        assert!(
            std::env::var_os("KITH_TEST_SECRET_SERVICE").is_some(),
            "run this test through scripts/keyring.sh, which provides a Secret Service"
        );
        let dir = tempfile::tempdir().unwrap();
        let node = uuid::Uuid::new_v4().to_string();
        let creds = Credentials::new(dir.path(), &node, true);
        // A token a keychain-less run left in the file must not outlive the keychain's.
        write_private(creds.file(), b"left-in-a-file").unwrap();

        creds.save("secret-token").await.unwrap();
        assert!(!creds.file().exists(), "the token went to the keychain");
        assert_eq!(
            keychain::load(&creds.account).unwrap().as_deref(),
            Some("secret-token")
        );
        assert_eq!(creds.load().await.unwrap().as_deref(), Some("secret-token"));
        // Another data directory on the same computer keeps its own token.
        let other = Credentials::new(dir.path(), &uuid::Uuid::new_v4().to_string(), true);
        assert_eq!(other.load().await.unwrap(), None);

        creds.save("second").await.unwrap();
        assert_eq!(creds.load().await.unwrap().as_deref(), Some("second"));
        creds.forget().await.unwrap();
        assert_eq!(keychain::load(&creds.account).unwrap(), None);
        assert_eq!(creds.load().await.unwrap(), None);
    }
}
