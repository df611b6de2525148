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
use fonds_store::{CryptError, Encryption, KeyProvider, Sealer, StoredContent};

use super::snapshot::CatalogueEntry;
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
    Ok(
        match digest_content(path, keys, Digester::Sha256(Sha256::new(), 0))? {
            Some(Ok(found)) => Content::Hashed(found.hashed()),
            Some(Err(reason)) => Content::Undecryptable(reason),
            None => Content::Missing,
        },
    )
}

/// What a copied file's plaintext must be.
#[derive(Debug, Clone, Copy)]
pub enum Want<'a> {
    /// Its address and size: what a backup's manifest lists.
    Address {
        /// The SHA-256.
        sha256: &'a Sha256Digest,
        /// The size in bytes.
        size: u64,
    },
    /// Address, SM3 and size: what a restore checks against the restored catalogue.
    Catalogued(&'a CatalogueEntry),
}

impl Want<'_> {
    fn digester(self) -> Digester {
        match self {
            Self::Address { .. } => Digester::Sha256(Sha256::new(), 0),
            Self::Catalogued(_) => Digester::Dual(fonds_store::DualHasher::new()),
        }
    }

    fn matches(self, found: &Found) -> bool {
        match self {
            Self::Address { sha256, size } => found.sha256 == *sha256 && found.size == size,
            Self::Catalogued(entry) => {
                found.sha256 == entry.sha256
                    && found.sm3 == Some(entry.sm3)
                    && found.size == entry.size
            }
        }
    }
}

/// The digests one pass over some bytes computed: SHA-256 always, SM3 when asked for.
#[derive(Debug)]
struct Found {
    sha256: Sha256Digest,
    sm3: Option<fonds_domain::Sm3Digest>,
    size: u64,
}

impl Found {
    fn hashed(&self) -> Hashed {
        Hashed {
            sha256: self.sha256,
            size: self.size,
        }
    }
}

/// SHA-256 alone (fast: backups, verification), or with SM3 (restores).
enum Digester {
    Sha256(Sha256, u64),
    Dual(fonds_store::DualHasher),
}

impl Digester {
    fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Sha256(hasher, size) => {
                hasher.update(bytes);
                *size += bytes.len() as u64;
            }
            Self::Dual(hasher) => hasher.update(bytes),
        }
    }

    fn finish(self) -> Found {
        match self {
            Self::Sha256(hasher, size) => Found {
                sha256: Sha256Digest::from_bytes(hasher.finalize().into()),
                sm3: None,
                size,
            },
            Self::Dual(hasher) => {
                let digests = hasher.finish();
                Found {
                    sha256: digests.sha256,
                    sm3: Some(digests.sm3),
                    size: digests.size,
                }
            }
        }
    }
}

/// Digests the plaintext of a stored file: `None` when it does not exist, `Some(Err(reason))`
/// when it is sealed and does not decrypt.
fn digest_content(
    path: &Path,
    keys: Option<&dyn KeyProvider>,
    mut digester: Digester,
) -> Result<Option<Result<Found, String>>, BackupError> {
    let mut content = match StoredContent::open(path, keys) {
        Ok(content) => content,
        Err(CryptError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(CryptError::Io { source, .. }) => return Err(BackupError::io("read", path, source)),
        Err(e) => return Ok(Some(Err(e.to_string()))),
    };
    let size = content.len();
    match content.read_range(0, size, |piece| {
        digester.update(piece);
        Ok(())
    }) {
        Ok(()) => Ok(Some(Ok(digester.finish()))),
        Err(CryptError::Io { source, .. }) => Err(BackupError::io("read", path, source)),
        Err(e) => Ok(Some(Err(e.to_string()))),
    }
}

/// Copies a stored file as it is (sealed files stay sealed) under a temporary name beside `to`,
/// and keeps it in `pending` only when its plaintext is what `want` says: one pass for a file in
/// the clear, a second read of the copy, decrypting, for a sealed one.
pub fn copy_checked(
    from: &Path,
    to: &Path,
    want: Want<'_>,
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
    let raw = match write_digested(&mut source, from, &temp, want.digester()) {
        Ok(raw) => raw,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    // A file in the clear is checked by the digest taken while copying; a sealed one (its raw
    // bytes never hash to its address) by decrypting the copy.
    let plain = match raw {
        Some(raw) if want.matches(&raw) => Some(Ok(raw)),
        _ => digest_content(&temp, keys, want.digester())?,
    };
    let outcome = match plain {
        Some(Ok(found)) if want.matches(&found) => Copied::Done(found.hashed()),
        Some(Ok(found)) => Copied::Mismatch(found.hashed()),
        Some(Err(reason)) => Copied::Undecryptable(reason),
        None => Copied::SourceMissing,
    };
    if matches!(outcome, Copied::Done(_)) {
        pending.add(temp, to.to_path_buf());
    } else {
        let _ = std::fs::remove_file(&temp);
    }
    Ok(outcome)
}

/// Copies `source` into a new file `temp`, digesting the bytes as they pass — unless they begin
/// with the envelope's magic: a sealed file's raw bytes are never compared with anything, so
/// digesting them would be wasted (then `None`).
fn write_digested(
    source: &mut File,
    from: &Path,
    temp: &Path,
    digester: Digester,
) -> Result<Option<Found>, BackupError> {
    let mut target = File::create(temp).map_err(|e| BackupError::io("create", temp, e))?;
    let mut digester = Some(digester);
    let mut first = true;
    read_chunks(source, from, |chunk| {
        if std::mem::take(&mut first) && chunk.starts_with(fonds_store::MAGIC) {
            digester = None;
        }
        if let Some(digester) = digester.as_mut() {
            digester.update(chunk);
        }
        target
            .write_all(chunk)
            .map_err(|e| BackupError::io("write", temp, e))
    })?;
    Ok(digester.map(Digester::finish))
}

/// Feeds `source` to `each` in chunks of [`CHUNK`] bytes at most.
fn read_chunks(
    source: &mut File,
    from: &Path,
    mut each: impl FnMut(&[u8]) -> Result<(), BackupError>,
) -> Result<(), BackupError> {
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let n = source
            .read(&mut buffer)
            .map_err(|e| BackupError::io("read", from, e))?;
        if n == 0 {
            return Ok(());
        }
        each(&buffer[..n])?;
    }
}

/// How many files are copied at once: copying is bound by the disk and by hashing, and two
/// streams keep both busy on a small machine.
pub const COPY_THREADS: usize = 2;

/// Runs `work` over `items` split into [`COPY_THREADS`] contiguous shares on scoped threads, and
/// returns each share's result in order.
pub fn in_parallel<T, R, F>(items: &[T], work: F) -> Result<Vec<R>, BackupError>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> Result<R, BackupError> + Sync,
{
    let share = items.len().div_ceil(COPY_THREADS).max(1);
    let work = &work;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(share)
            .map(|part| scope.spawn(move || work(part)))
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker.join().unwrap_or_else(|_| {
                    Err(BackupError::Invalid("a copying thread panicked".into()))
                })
            })
            .collect()
    })
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

/// Renames `temp` to `to` and fsyncs the directory.
fn place(temp: &Path, to: &Path) -> Result<(), BackupError> {
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
        let mut digester = Digester::Sha256(Sha256::new(), 0);
        let mut out = Vec::with_capacity(2 * CHUNK);
        read_chunks(&mut source, from, |chunk| {
            digester.update(chunk);
            sealer
                .push(chunk, &mut out)
                .map_err(|e| BackupError::Invalid(e.to_string()))?;
            target
                .write_all(&out)
                .map_err(|e| BackupError::io("write", &temp, e))?;
            out.clear();
            Ok(())
        })?;
        sealer
            .finish(&mut out)
            .map_err(|e| BackupError::Invalid(e.to_string()))?;
        target
            .write_all(&out)
            .map_err(|e| BackupError::io("write", &temp, e))?;
        target
            .sync_all()
            .map_err(|e| BackupError::io("fsync", &temp, e))?;
        Ok(digester.finish().hashed())
    })();
    match sealed {
        Ok(hashed) => {
            place(&temp, to)?;
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
    place(&temp, to)?;
    Ok(Copied::Done(hashed))
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
        let Content::Hashed(good) = hash_content(&from, None).expect("hash") else {
            panic!("the source exists");
        };
        assert_eq!(good.size, 5);

        let to = dir.path().join("a/b/copy");
        let other = Sha256Digest::from_bytes([7; 32]);
        let mut pending = Pending::default();
        let want = |sha256| Want::Address { sha256, size: 5 };
        let outcome = copy_checked(&from, &to, want(&other), None, &mut pending).expect("copy");
        assert!(matches!(outcome, Copied::Mismatch(h) if h == good));
        assert!(!to.exists());
        assert!(!temp_beside(&to).exists());

        let outcome =
            copy_checked(&from, &to, want(&good.sha256), None, &mut pending).expect("copy");
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
            copy_checked(
                &missing,
                &to,
                want(&good.sha256),
                None,
                &mut Pending::default()
            )
            .expect("copy"),
            Copied::SourceMissing
        ));
        assert!(matches!(
            hash_content(&missing, None).expect("hash"),
            Content::Missing
        ));
    }
}
