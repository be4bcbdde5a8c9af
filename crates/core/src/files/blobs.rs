//! The content-addressed blob store: `<data dir>/blobs/ab/cdef…`, each file named
//! by the hex SHA-256 of its bytes (the first two digits are its folder, so no
//! folder grows past a few thousand entries). Identical content is stored once.
//!
//! Everything here is blocking file I/O, meant for `spawn_blocking`. Bytes are
//! streamed through a fixed buffer: a 2 GB video costs the same memory as a photo.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use crate::error::ErrorKind;

/// Bytes read and written at a time: large enough that a 1 GB file is a few
/// thousand system calls, small enough to be nothing next to the database cache.
const BUFFER: usize = 128 * 1024;

/// Folder of the blob store inside the data directory.
pub const BLOBS_DIR: &str = "blobs";
/// Where blobs are written before they are complete; never read from.
const TMP_DIR: &str = "tmp";

/// Why a file could not be stored or copied. The path is the one the person
/// gave (a dropped or picked file, a save-as destination).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{} is a folder, not a file: attach the files inside it instead", .0.display())]
    IsFolder(PathBuf),
    #[error("{} does not exist", .0.display())]
    Missing(PathBuf),
    /// A device, socket or pipe: not something with a size to keep.
    #[error("{} is not a regular file", .0.display())]
    NotAFile(PathBuf),
    #[error("cannot read {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: io::Error },
    /// Reading from a stream that has no path.
    #[error("cannot read the file: {0}")]
    Read(io::Error),
    /// Writing into the blob store, or to a copy's destination, failed (a full
    /// disk, a read-only folder).
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    /// A stored blob no longer hashes to its name: the disk corrupted it.
    #[error("the stored content of {0} is damaged")]
    Damaged(String),
}

impl FileError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            FileError::Missing(_) => ErrorKind::NotFound,
            FileError::IsFolder(_)
            | FileError::NotAFile(_)
            | FileError::Unreadable { .. }
            | FileError::Read(_) => ErrorKind::Validation,
            FileError::Write { .. } => ErrorKind::Storage,
            FileError::Damaged(_) => ErrorKind::Internal,
        }
    }
}

/// A blob now in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    pub size: u64,
    /// Whether this put wrote the blob; false when the content was already stored.
    pub created: bool,
}

pub use kith_protocol::checks::is_sha256;

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    /// The blob store of the data directory `data_dir` (created on first write).
    pub fn new(data_dir: &Path) -> BlobStore {
        BlobStore {
            root: data_dir.join(BLOBS_DIR),
        }
    }

    /// Where the blob named `sha256` is (or would be) kept. `None` for anything
    /// but a well-formed hash, so a name from a synced row can never reach
    /// outside the store.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256(sha256).then(|| self.root.join(&sha256[..2]).join(&sha256[2..]))
    }

    pub fn contains(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_some_and(|p| p.is_file())
    }

    /// Stores the file at `path`, refusing folders and anything but a regular file.
    pub fn put_file(&self, path: &Path) -> Result<StoredBlob, FileError> {
        let file = open_source(path)?;
        self.put(file).map_err(|e| match e {
            FileError::Read(source) => FileError::Unreadable {
                path: path.to_path_buf(),
                source,
            },
            e => e,
        })
    }

    /// Streams `reader` into the store while hashing it: into a temp file in
    /// `blobs/tmp/`, flushed to disk, then renamed to its hash. The temp file is
    /// removed on every failure, so no half-written blob ever has a hash's name.
    pub fn put(&self, reader: impl Read) -> Result<StoredBlob, FileError> {
        let tmp_dir = self.root.join(TMP_DIR);
        let write_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| FileError::Write { path, source }
        };
        std::fs::create_dir_all(&tmp_dir).map_err(write_err(&tmp_dir))?;
        let mut tmp = NamedTempFile::new_in(&tmp_dir).map_err(write_err(&tmp_dir))?;
        let tmp_path = tmp.path().to_path_buf();
        let (sha256, size) = copy_hashing(reader, tmp.as_file_mut(), &tmp_path)?;
        let Some(dest) = self.path_of(&sha256) else {
            return Err(FileError::Damaged(sha256));
        };
        if std::fs::metadata(&dest).is_ok_and(|m| m.is_file() && m.len() == size) {
            // Already stored; `tmp` removes itself when dropped.
            return Ok(StoredBlob {
                sha256,
                size,
                created: false,
            });
        }
        // Durable before it gets its name: after a crash a blob is whole or absent.
        tmp.as_file().sync_all().map_err(write_err(tmp.path()))?;
        let shard = dest.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(shard).map_err(write_err(shard))?;
        // A plain rename replaces a same-named file of the wrong size (left by a
        // copy made outside Kith); a concurrent put of the same bytes is harmless,
        // both temp files being complete and identical.
        tmp.persist(&dest).map_err(|e| FileError::Write {
            path: dest.clone(),
            source: e.error,
        })?;
        sync_dir(shard);
        Ok(StoredBlob {
            sha256,
            size,
            created: true,
        })
    }

    /// Removes a blob (used to take back one this process just wrote when the
    /// attach it was for failed). Already gone is fine.
    pub fn remove(&self, sha256: &str) -> Result<(), FileError> {
        let Some(path) = self.path_of(sha256) else {
            return Ok(());
        };
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(FileError::Write { path, source: e })
            }
            _ => Ok(()),
        }
    }

    /// Copies the blob `sha256` to `dest`, checking its hash on the way: through a
    /// temp file beside `dest`, so `dest` is the whole, verified content or
    /// untouched. Returns the bytes copied.
    pub fn copy_to(&self, sha256: &str, dest: &Path) -> Result<u64, FileError> {
        let source = self
            .path_of(sha256)
            .ok_or_else(|| FileError::Damaged(sha256.to_owned()))?;
        let file = open_source(&source)?;
        if dest.is_dir() {
            return Err(FileError::IsFolder(dest.to_path_buf()));
        }
        let folder = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        // A saved copy is the person's own file: the usual permissions (0666 less
        // the umask), not a temp file's private 0600.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let mut tmp = builder
            .tempfile_in(folder)
            .map_err(|source| FileError::Write {
                path: dest.to_path_buf(),
                source,
            })?;
        let (hash, size) = copy_hashing(file, tmp.as_file_mut(), dest).map_err(|e| match e {
            FileError::Read(e) => FileError::Unreadable {
                path: source.clone(),
                source: e,
            },
            e => e,
        })?;
        if hash != sha256 {
            return Err(FileError::Damaged(sha256.to_owned()));
        }
        tmp.persist(dest).map_err(|e| FileError::Write {
            path: dest.to_path_buf(),
            source: e.error,
        })?;
        Ok(size)
    }

    /// Where a download of `sha256` collects its bytes until they are verified.
    pub fn partial_path(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256(sha256).then(|| self.root.join(TMP_DIR).join(format!("{sha256}.part")))
    }

    /// Moves a finished download into the store if its bytes hash to `sha256`;
    /// a partial file that does not is removed, so the next try starts afresh.
    pub fn adopt_partial(&self, sha256: &str) -> Result<(), FileError> {
        let (Some(partial), Some(dest)) = (self.partial_path(sha256), self.path_of(sha256)) else {
            return Err(FileError::Damaged(sha256.to_owned()));
        };
        let file = File::open(&partial).map_err(|e| source_error(&partial, e))?;
        let (hash, _) = copy_hashing(file, &mut io::sink(), &partial).map_err(|e| match e {
            FileError::Read(source) => FileError::Unreadable {
                path: partial.clone(),
                source,
            },
            e => e,
        })?;
        if hash != sha256 {
            let _ = std::fs::remove_file(&partial);
            return Err(FileError::Damaged(sha256.to_owned()));
        }
        let shard = dest.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(shard).map_err(|source| FileError::Write {
            path: shard.to_path_buf(),
            source,
        })?;
        std::fs::rename(&partial, &dest).map_err(|source| FileError::Write {
            path: dest.clone(),
            source,
        })?;
        sync_dir(shard);
        Ok(())
    }

    /// Temp files in the store, for tests and sweeps.
    pub fn temp_files(&self) -> io::Result<Vec<PathBuf>> {
        match std::fs::read_dir(self.root.join(TMP_DIR)) {
            Ok(entries) => entries.map(|e| e.map(|e| e.path())).collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}

/// Opens `path` for reading, with a clear error for a folder, a missing or
/// unreadable file, or something that is not a regular file.
fn open_source(path: &Path) -> Result<File, FileError> {
    let meta = std::fs::metadata(path).map_err(|e| source_error(path, e))?;
    if meta.is_dir() {
        return Err(FileError::IsFolder(path.to_path_buf()));
    }
    if !meta.is_file() {
        return Err(FileError::NotAFile(path.to_path_buf()));
    }
    File::open(path).map_err(|e| source_error(path, e))
}

/// Checks that `path` can be stored, without reading it: for refusing a drop
/// of many files before any of them is written.
pub fn check_source(path: &Path) -> Result<(), FileError> {
    open_source(path).map(drop)
}

fn source_error(path: &Path, e: io::Error) -> FileError {
    if e.kind() == io::ErrorKind::NotFound {
        FileError::Missing(path.to_path_buf())
    } else {
        FileError::Unreadable {
            path: path.to_path_buf(),
            source: e,
        }
    }
}

/// Copies `reader` into `out` through one fixed buffer, hashing as it goes.
/// Read failures are [`FileError::Read`]; write failures name `out_path`.
fn copy_hashing(
    mut reader: impl Read,
    out: &mut impl Write,
    out_path: &Path,
) -> Result<(String, u64), FileError> {
    let mut buf = vec![0u8; BUFFER];
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FileError::Read(e)),
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])
            .map_err(|source| FileError::Write {
                path: out_path.to_path_buf(),
                source,
            })?;
        size += n as u64;
    }
    out.flush().map_err(|source| FileError::Write {
        path: out_path.to_path_buf(),
        source,
    })?;
    Ok((hex(&hasher.finalize()), size))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Makes a rename durable: on Unix the new name lives in the folder's own data.
/// Best effort — the blob itself is already on disk, and a lost name after a
/// crash only means storing the content again next time.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lower_case_hex_of_the_right_length_names_a_blob() {
        let store = BlobStore::new(Path::new("/data"));
        let ok = "ab".repeat(32);
        assert_eq!(
            store.path_of(&ok),
            Some(Path::new("/data/blobs/ab").join(&ok[2..]))
        );
        assert_eq!(store.path_of(&"AB".repeat(32)), None);
        assert_eq!(store.path_of("../../etc/passwd"), None);
        assert_eq!(store.path_of(&"a".repeat(63)), None);
    }

    #[test]
    fn hex_is_lower_case_and_zero_padded() {
        assert_eq!(hex(&[0, 10, 255]), "000aff");
    }
}
