//! Streaming file work: hashing a file, and copying stored files while checking their digests.
//! Files are read in fixed-size chunks, never whole. Blocking: call from a blocking thread.
//!
//! Copies are written under temporary names and placed together by [`Pending::place_all`]: one
//! `syncfs` makes all their contents durable, then they are renamed into place and the
//! directories synced — the durability of a per-file fsync at the cost of two, which is what
//! lets a backup keep up with `cp -a` followed by `sync`.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use fonds_domain::Sha256Digest;
use fonds_store::{Encryption, KeyProvider, Sealer, StoredContent};
use sha2::{Digest as _, Sha256};

use super::BackupError;

const CHUNK: usize = 256 * 1024;

/// A file's SHA-256 and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hashed {
    /// SHA-256 of the bytes.
    pub sha256: Sha256Digest,
    /// Number of bytes.
    pub size: u64,
}

/// What became of a copy.
#[derive(Debug)]
pub enum Copied {
    /// The copy is in place and hashes as expected.
    Done(Hashed),
    /// The source does not exist; nothing was written.
    SourceMissing,
    /// The source's bytes do not hash as expected; nothing was kept.
    Mismatch(Hashed),
    /// The source is sealed and does not decrypt (damaged, or its master key is not loaded);
    /// nothing was kept.
    Undecryptable(String),
}

/// What a stored file's plaintext hashes to.
#[derive(Debug)]
pub enum Content {
    /// The file does not exist.
    Missing,
    /// Its plaintext's digest and size.
    Hashed(Hashed),
    /// It is sealed and does not decrypt; why.
    Undecryptable(String),
}

/// Hashes the plaintext of a stored file, sealed (opened with `keys`) or in the clear.
pub fn hash_content(path: &Path, keys: Option<&dyn KeyProvider>) -> Result<Content, BackupError> {
    let mut content = match StoredContent::open(path, keys) {
        Ok(content) => content,
        Err(fonds_store::CryptError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Ok(Content::Missing);
        }
        Err(fonds_store::CryptError::Io { source, .. }) => {
            return Err(BackupError::io("read", path, source));
        }
        Err(e) => return Ok(Content::Undecryptable(e.to_string())),
    };
    let mut hasher = Sha256::new();
    let size = content.len();
    match content.read_range(0, size, |piece| {
        hasher.update(piece);
        Ok(())
    }) {
        Ok(()) => Ok(Content::Hashed(Hashed {
            sha256: Sha256Digest::from_bytes(hasher.finalize().into()),
            size,
        })),
        Err(fonds_store::CryptError::Io { source, .. }) => {
            Err(BackupError::io("read", path, source))
        }
        Err(e) => Ok(Content::Undecryptable(e.to_string())),
    }
}

/// Copies a stored file as it is (sealed files stay sealed) and checks that its plaintext
/// hashes to `expected` before placing it: one pass for a file in the clear, a second read of
/// the copy, decrypting, for a sealed one.
pub fn copy_stored(
    from: &Path,
    to: &Path,
    expected: &Sha256Digest,
    keys: Option<&dyn KeyProvider>,
    pending: &mut Pending,
) -> Result<Copied, BackupError> {
    let mut source = match File::open(from) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Copied::SourceMissing),
        Err(e) => return Err(BackupError::io("open", from, e)),
    };
    let dir = to.parent().unwrap_or(Path::new("."));
    create_dir_durably(dir)?;
    let temp = temp_beside(to);
    let raw = match write_hashed(&mut source, from, &temp) {
        Ok(raw) => raw,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    let plain = if raw.sha256 == *expected {
        Content::Hashed(raw)
    } else {
        hash_content(&temp, keys)?
    };
    let outcome = match plain {
        Content::Hashed(hashed) if hashed.sha256 == *expected => Copied::Done(hashed),
        Content::Hashed(hashed) => Copied::Mismatch(hashed),
        Content::Undecryptable(reason) => Copied::Undecryptable(reason),
        Content::Missing => Copied::SourceMissing,
    };
    if !matches!(outcome, Copied::Done(_)) {
        let _ = std::fs::remove_file(&temp);
        return Ok(outcome);
    }
    pending.add(temp, to.to_path_buf());
    Ok(outcome)
}

/// What a restored file must be: its address, SM3 digest and size from the catalogue.
pub use super::snapshot::CatalogueEntry as Expected;

/// Copies a stored file as it is (sealed files stay sealed), checking its plaintext against
/// both digests and the size the catalogue gives before placing it read-only: one pass for a
/// file in the clear, a second read of the copy, decrypting, for a sealed one.
pub fn copy_catalogued(
    from: &Path,
    to: &Path,
    expected: &Expected,
    keys: Option<&dyn KeyProvider>,
    pending: &mut Pending,
) -> Result<Copied, BackupError> {
    let mut source = match File::open(from) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Copied::SourceMissing),
        Err(e) => return Err(BackupError::io("open", from, e)),
    };
    let dir = to.parent().unwrap_or(Path::new("."));
    create_dir_durably(dir)?;
    let temp = temp_beside(to);
    let written = (|| {
        let mut target = File::create(&temp).map_err(|e| BackupError::io("create", &temp, e))?;
        let mut hasher = fonds_store::DualHasher::new();
        let mut buffer = vec![0u8; CHUNK];
        loop {
            let n = source
                .read(&mut buffer)
                .map_err(|e| BackupError::io("read", from, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            target
                .write_all(&buffer[..n])
                .map_err(|e| BackupError::io("write", &temp, e))?;
        }
        Ok(hasher.finish())
    })();
    let raw = match written {
        Ok(raw) => raw,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    let matches = |d: &fonds_store::BlobDigests| {
        d.sha256 == expected.sha256 && d.sm3 == expected.sm3 && d.size == expected.size
    };
    let outcome = if matches(&raw) {
        Copied::Done(Hashed {
            sha256: raw.sha256,
            size: raw.size,
        })
    } else {
        match plaintext_digests(&temp, keys)? {
            Ok(plain) if matches(&plain) => Copied::Done(Hashed {
                sha256: plain.sha256,
                size: plain.size,
            }),
            Ok(plain) => Copied::Mismatch(Hashed {
                sha256: plain.sha256,
                size: plain.size,
            }),
            Err(reason) => Copied::Undecryptable(reason),
        }
    };
    if !matches!(outcome, Copied::Done(_)) {
        let _ = std::fs::remove_file(&temp);
        return Ok(outcome);
    }
    pending.add(temp, to.to_path_buf());
    Ok(outcome)
}

/// Copies written under temporary names, waiting to be made durable and placed together.
/// Dropping it removes the temporary files of copies never placed.
#[derive(Debug, Default)]
pub struct Pending {
    moves: Vec<(PathBuf, PathBuf)>,
}

impl Pending {
    fn add(&mut self, temp: PathBuf, to: PathBuf) {
        self.moves.push((temp, to));
    }

    /// Takes over the copies of `other`.
    pub fn extend(&mut self, mut other: Pending) {
        self.moves.append(&mut other.moves);
    }

    /// Makes every pending copy durable with one `syncfs` of the file system holding `root`,
    /// marks each read-only and renames it into place, then syncs the directories that gained
    /// names.
    pub fn place_all(mut self, root: &Path) -> Result<(), BackupError> {
        if self.moves.is_empty() {
            return Ok(());
        }
        sync_file_system(root)?;
        let mut dirs = std::collections::BTreeSet::new();
        for (temp, to) in std::mem::take(&mut self.moves) {
            let mut permissions = std::fs::metadata(&temp)
                .map_err(|e| BackupError::io("stat", &temp, e))?
                .permissions();
            permissions.set_readonly(true);
            std::fs::set_permissions(&temp, permissions)
                .map_err(|e| BackupError::io("make read-only", &temp, e))?;
            std::fs::rename(&temp, &to).map_err(|e| BackupError::io("move into place", &to, e))?;
            dirs.insert(to.parent().unwrap_or(Path::new(".")).to_path_buf());
        }
        for dir in dirs {
            fsync_dir(&dir)?;
        }
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        for (temp, _) in &self.moves {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// Flushes everything written to the file system holding `path` (`syncfs`).
fn sync_file_system(path: &Path) -> Result<(), BackupError> {
    let file = File::open(path).map_err(|e| BackupError::io("open", path, e))?;
    rustix::fs::syncfs(&file).map_err(|e| BackupError::io("syncfs", path, e.into()))
}

/// Both digests of a stored file's plaintext; `Err` with the reason when it is sealed and does
/// not decrypt.
fn plaintext_digests(
    path: &Path,
    keys: Option<&dyn KeyProvider>,
) -> Result<Result<fonds_store::BlobDigests, String>, BackupError> {
    let mut content = match StoredContent::open(path, keys) {
        Ok(content) => content,
        Err(fonds_store::CryptError::Io { source, .. }) => {
            return Err(BackupError::io("read", path, source));
        }
        Err(e) => return Ok(Err(e.to_string())),
    };
    let mut hasher = fonds_store::DualHasher::new();
    let size = content.len();
    match content.read_range(0, size, |piece| {
        hasher.update(piece);
        Ok(())
    }) {
        Ok(()) => Ok(Ok(hasher.finish())),
        Err(fonds_store::CryptError::Io { source, .. }) => {
            Err(BackupError::io("read", path, source))
        }
        Err(e) => Ok(Err(e.to_string())),
    }
}

/// Marks `temp` read-only (when asked), renames it to `to` and fsyncs the directory.
fn place(temp: &Path, to: &Path, read_only: bool) -> Result<(), BackupError> {
    if read_only {
        let mut permissions = std::fs::metadata(temp)
            .map_err(|e| BackupError::io("stat", temp, e))?
            .permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(temp, permissions)
            .map_err(|e| BackupError::io("make read-only", temp, e))?;
    }
    std::fs::rename(temp, to).map_err(|e| BackupError::io("move into place", to, e))?;
    fsync_dir(to.parent().unwrap_or(Path::new(".")))
}

/// Seals the file `from` into `to` with `encryption`, durably; returns the plaintext's digest.
pub fn seal_file(from: &Path, to: &Path, encryption: &Encryption) -> Result<Hashed, BackupError> {
    let mut source = File::open(from).map_err(|e| BackupError::io("open", from, e))?;
    let temp = temp_beside(to);
    let sealed = (|| {
        let (mut sealer, header) =
            Sealer::new(encryption).map_err(|e| BackupError::Invalid(e.to_string()))?;
        let mut target = File::create(&temp).map_err(|e| BackupError::io("create", &temp, e))?;
        target
            .write_all(&header)
            .map_err(|e| BackupError::io("write", &temp, e))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; CHUNK];
        let mut out = Vec::with_capacity(2 * CHUNK);
        let mut size = 0u64;
        loop {
            let n = source
                .read(&mut buffer)
                .map_err(|e| BackupError::io("read", from, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            size += n as u64;
            sealer
                .push(&buffer[..n], &mut out)
                .map_err(|e| BackupError::Invalid(e.to_string()))?;
            target
                .write_all(&out)
                .map_err(|e| BackupError::io("write", &temp, e))?;
            out.clear();
        }
        sealer
            .finish(&mut out)
            .map_err(|e| BackupError::Invalid(e.to_string()))?;
        target
            .write_all(&out)
            .map_err(|e| BackupError::io("write", &temp, e))?;
        target
            .sync_all()
            .map_err(|e| BackupError::io("fsync", &temp, e))?;
        Ok(Hashed {
            sha256: Sha256Digest::from_bytes(hasher.finalize().into()),
            size,
        })
    })();
    match sealed {
        Ok(hashed) => {
            place(&temp, to, false)?;
            Ok(hashed)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Writes the plaintext of the stored file `from` (sealed or in the clear) to `to`, placing it
/// only when it hashes to `expected`.
pub fn open_file_to(
    from: &Path,
    to: &Path,
    expected: &Sha256Digest,
    keys: Option<&dyn KeyProvider>,
) -> Result<Copied, BackupError> {
    let mut content = match StoredContent::open(from, keys) {
        Ok(content) => content,
        Err(fonds_store::CryptError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Ok(Copied::SourceMissing);
        }
        Err(e) => return Ok(Copied::Undecryptable(e.to_string())),
    };
    let temp = temp_beside(to);
    let mut target = File::create(&temp).map_err(|e| BackupError::io("create", &temp, e))?;
    let mut hasher = Sha256::new();
    let size = content.len();
    let mut write_error = None;
    let read = content.read_range(0, size, |piece| {
        hasher.update(piece);
        target.write_all(piece).map_err(|e| {
            write_error = Some(BackupError::io("write", &temp, e));
            fonds_store::CryptError::SealFailed
        })
    });
    if let Some(e) = write_error {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    if let Err(e) = read {
        let _ = std::fs::remove_file(&temp);
        return Ok(Copied::Undecryptable(e.to_string()));
    }
    target
        .sync_all()
        .map_err(|e| BackupError::io("fsync", &temp, e))?;
    let hashed = Hashed {
        sha256: Sha256Digest::from_bytes(hasher.finalize().into()),
        size,
    };
    if hashed.sha256 != *expected {
        let _ = std::fs::remove_file(&temp);
        return Ok(Copied::Mismatch(hashed));
    }
    place(&temp, to, false)?;
    Ok(Copied::Done(hashed))
}

/// Hashes `path`; `Ok(None)` when it does not exist.
pub fn hash_file(path: &Path) -> Result<Option<Hashed>, BackupError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(BackupError::io("open", path, e)),
    };
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| BackupError::io("read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok(Some(Hashed {
        sha256: Sha256Digest::from_bytes(hasher.finalize().into()),
        size,
    }))
}

fn write_hashed(source: &mut File, from: &Path, temp: &Path) -> Result<Hashed, BackupError> {
    let mut target = File::create(temp).map_err(|e| BackupError::io("create", temp, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    let mut size = 0u64;
    loop {
        let n = source
            .read(&mut buffer)
            .map_err(|e| BackupError::io("read", from, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        target
            .write_all(&buffer[..n])
            .map_err(|e| BackupError::io("write", temp, e))?;
        size += n as u64;
    }
    Ok(Hashed {
        sha256: Sha256Digest::from_bytes(hasher.finalize().into()),
        size,
    })
}

/// Writes a small file durably: to a temporary name, fsync'd, renamed into place, directory
/// fsync'd.
pub fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    let temp = temp_beside(path);
    let mut file = File::create(&temp).map_err(|e| BackupError::io("create", &temp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| BackupError::io("write", &temp, e))?;
    std::fs::rename(&temp, path).map_err(|e| BackupError::io("move into place", path, e))?;
    fsync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Runs blocking file work on a blocking thread.
pub async fn blocking<T, F>(work: F) -> Result<T, BackupError>
where
    F: FnOnce() -> Result<T, BackupError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(BackupError::task)?
}

/// A hidden temporary name in the same directory, so the final rename is atomic.
pub fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

/// Fsyncs a directory so the names created or renamed in it survive a power loss.
pub fn fsync_dir(dir: &Path) -> Result<(), BackupError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| BackupError::io("fsync directory", dir, e))
}

/// Creates `dir` and its missing parents, fsyncing each parent that gained an entry.
pub fn create_dir_durably(dir: &Path) -> Result<(), BackupError> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir_durably(parent)?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(BackupError::io("create directory", dir, e)),
    }
    match dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => fsync_dir(parent),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_whose_bytes_do_not_match_the_expected_digest_is_not_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let from = dir.path().join("source");
        std::fs::write(&from, b"hello").expect("write");
        let good = hash_file(&from).expect("hash").expect("exists");
        assert_eq!(good.size, 5);

        let to = dir.path().join("a/b/copy");
        let other = Sha256Digest::from_bytes([7; 32]);
        let mut pending = Pending::default();
        let outcome = copy_stored(&from, &to, &other, None, &mut pending).expect("copy");
        assert!(matches!(outcome, Copied::Mismatch(h) if h == good));
        assert!(!to.exists());
        assert!(!temp_beside(&to).exists());

        let outcome = copy_stored(&from, &to, &good.sha256, None, &mut pending).expect("copy");
        assert!(!to.exists(), "placed only with the others");
        pending.place_all(dir.path()).expect("place");
        assert!(matches!(outcome, Copied::Done(h) if h == good));
        assert_eq!(std::fs::read(&to).expect("read"), b"hello");
        assert!(
            std::fs::metadata(&to)
                .expect("stat")
                .permissions()
                .readonly()
        );

        let missing = dir.path().join("nothing");
        assert!(matches!(
            copy_stored(&missing, &to, &good.sha256, None, &mut Pending::default()).expect("copy"),
            Copied::SourceMissing
        ));
        assert_eq!(hash_file(&missing).expect("hash"), None);
    }
}
