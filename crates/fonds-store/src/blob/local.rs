//! The embedded blob store: files on the local disk under `objects/ab/cd/<sha256>`.
//!
//! Commit order for durability: the staging file was fsync'd while staging; it is renamed into
//! place and the directory holding it is fsync'd, so the name survives a power loss before the
//! caller commits the row that points at it.
//!
//! With encryption on, files are sealed while they are staged (see [`crate::crypt`]) and opened
//! through their envelope; files stored in the clear before encryption was turned on stay
//! readable as they are.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use fonds_domain::Sha256Digest;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{BlobDigests, BlobRange, BlobReader, BlobStore, StagedBlob, Stager, WholeBlob};
use std::sync::Arc;

use crate::crypt::{
    Cipher, CryptError, Encryption, KeyProvider, Rewrap, StoredContent, rewrap_file,
};
use crate::error::BlobError;

/// Blobs in a directory tree on the local disk.
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    objects: PathBuf,
    stager: Stager,
    keys: Option<Arc<dyn KeyProvider>>,
}

/// Sealed reads up to this size are decrypted whole in memory rather than streamed.
const SMALL_SEALED_READ: u64 = 1024 * 1024;

/// How many files a rotation rewrapped, found current already, or found in the clear.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RewrapCounts {
    /// Rewrapped under the current master key.
    pub rewrapped: u64,
    /// Wrapped by the current master key already.
    pub already_current: u64,
    /// Stored in the clear.
    pub not_sealed: u64,
}

impl LocalBlobStore {
    /// Opens (creating if needed) a store rooted at `root`, and clears staging files a crash left.
    ///
    /// # Errors
    /// When the directories cannot be created or read.
    pub fn open(root: &Path) -> Result<Self, BlobError> {
        Self::open_with(root, None, None)
    }

    /// Opens a store whose sealed files are opened with `keys`, and whose new files are sealed
    /// with `seal_with` under the keys' current master key (in the clear when either is
    /// `None`).
    ///
    /// # Errors
    /// As [`LocalBlobStore::open`].
    pub fn open_with(
        root: &Path,
        keys: Option<Arc<dyn KeyProvider>>,
        seal_with: Option<Cipher>,
    ) -> Result<Self, BlobError> {
        let objects = root.join("objects");
        std::fs::create_dir_all(&objects)
            .map_err(|e| BlobError::io("create blob directory", &objects, e))?;
        let staging = root.join("staging");
        if staging.exists() {
            let entries = std::fs::read_dir(&staging)
                .map_err(|e| BlobError::io("read staging directory", &staging, e))?;
            for entry in entries.flatten() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let sealing = match (&keys, seal_with) {
            (Some(keys), Some(cipher)) => Some(Encryption {
                cipher,
                keys: keys.clone(),
            }),
            _ => None,
        };
        Ok(Self {
            objects,
            stager: Stager::with_encryption(staging, sealing)?,
            keys,
        })
    }

    /// Rewraps the data key of every sealed file under `keys`' current master key (see
    /// [`rewrap_file`]); `progress` hears of each file. Blocking; safe to interrupt and rerun.
    ///
    /// # Errors
    /// On the first file that cannot be rewrapped: nothing after it is touched, and running
    /// again resumes.
    pub fn rewrap_all(
        &self,
        keys: &dyn KeyProvider,
        mut progress: impl FnMut(&Path, Rewrap),
    ) -> Result<RewrapCounts, BlobError> {
        let mut counts = RewrapCounts::default();
        let mut stack = vec![self.objects.clone()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| BlobError::io("read blob directory", &dir, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| BlobError::io("read blob directory", &dir, e))?;
                let path = entry.path();
                let kind = entry
                    .file_type()
                    .map_err(|e| BlobError::io("stat", &path, e))?;
                if kind.is_dir() {
                    stack.push(path);
                    continue;
                }
                let outcome =
                    rewrap_file(&path, keys).map_err(|source| BlobError::Undecryptable {
                        sha256: address_of(&path).unwrap_or(Sha256Digest::from_bytes([0; 32])),
                        source,
                    })?;
                match outcome {
                    Rewrap::Rewrapped => counts.rewrapped += 1,
                    Rewrap::AlreadyCurrent => counts.already_current += 1,
                    Rewrap::NotSealed => counts.not_sealed += 1,
                }
                progress(&path, outcome);
            }
        }
        Ok(counts)
    }

    /// Where a blob lives.
    #[must_use]
    pub fn path_of(&self, sha256: &Sha256Digest) -> PathBuf {
        let hex = sha256.to_hex();
        self.objects.join(&hex[0..2]).join(&hex[2..4]).join(hex)
    }

    fn keys(&self) -> Option<Arc<dyn KeyProvider>> {
        self.keys.clone()
    }

    /// Opens a stored file for its plaintext on a blocking thread.
    async fn open_content(&self, sha256: &Sha256Digest) -> Result<StoredContent, BlobError> {
        let path = self.path_of(sha256);
        let keys = self.keys();
        let sha256 = *sha256;
        tokio::task::spawn_blocking(move || {
            StoredContent::open(&path, keys.as_deref()).map_err(|e| content_error(sha256, e))
        })
        .await
        .map_err(|e| BlobError::Source(std::io::Error::other(e)))?
    }
}

/// The address a blob's file name carries.
fn address_of(path: &Path) -> Option<Sha256Digest> {
    path.file_name()?.to_str()?.parse().ok()
}

/// A crypt error as the store reports it: a missing file is [`BlobError::Missing`].
fn content_error(sha256: Sha256Digest, error: CryptError) -> BlobError {
    match error {
        CryptError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            BlobError::Missing(sha256)
        }
        CryptError::Io {
            action,
            path,
            source,
        } => BlobError::Io {
            action,
            path,
            source,
        },
        source => BlobError::Undecryptable { sha256, source },
    }
}

/// Reads the plaintext `start..end` of an opened file into memory.
fn read_into(content: &mut StoredContent, start: u64, end: u64) -> Result<Vec<u8>, CryptError> {
    let mut out = Vec::with_capacity(usize::try_from(end - start).unwrap_or(0));
    content.read_range(start, end, |piece| {
        out.extend_from_slice(piece);
        Ok(())
    })?;
    Ok(out)
}

fn fsync_dir(dir: &Path) -> Result<(), BlobError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| BlobError::io("fsync directory", dir, e))
}

/// Creates `dir` and its missing parents, fsyncing each parent that gained an entry.
fn create_dir_durably(dir: &Path) -> Result<(), BlobError> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dir_durably(parent)?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(BlobError::io("create blob directory", dir, e)),
    }
    match dir.parent() {
        Some(parent) => fsync_dir(parent),
        None => Ok(()),
    }
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    fn stager(&self) -> &Stager {
        &self.stager
    }

    async fn commit(&self, staged: StagedBlob) -> Result<BlobDigests, BlobError> {
        let target = self.path_of(&staged.digests().sha256);
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            if target.exists() {
                // Same content, already durable; the staged copy is dropped and deleted.
                return Ok(*staged.digests());
            }
            let dir = target.parent().unwrap_or(&store.objects).to_path_buf();
            create_dir_durably(&dir)?;
            let mut readonly = std::fs::metadata(staged.path())
                .map_err(|e| BlobError::io("stat staging file", staged.path(), e))?
                .permissions();
            readonly.set_readonly(true);
            std::fs::set_permissions(staged.path(), readonly)
                .map_err(|e| BlobError::io("make blob read-only", staged.path(), e))?;
            std::fs::rename(staged.path(), &target)
                .map_err(|e| BlobError::io("move blob into place", &target, e))?;
            let digests = staged.mark_committed();
            fsync_dir(&dir)?;
            Ok(digests)
        })
        .await
        .map_err(|e| BlobError::io("commit blob", &self.objects, std::io::Error::other(e)))?
    }

    /// One trip to a blocking thread: open, stat and read together.
    async fn read_whole(&self, sha256: &Sha256Digest, limit: u64) -> Result<WholeBlob, BlobError> {
        let path = self.path_of(sha256);
        let keys = self.keys();
        let sha256 = *sha256;
        tokio::task::spawn_blocking(move || {
            let mut content = StoredContent::open(&path, keys.as_deref())
                .map_err(|e| content_error(sha256, e))?;
            let size = content.len();
            if size > limit {
                return Ok(WholeBlob::TooLarge(size));
            }
            read_into(&mut content, 0, size)
                .map(WholeBlob::Read)
                .map_err(|e| content_error(sha256, e))
        })
        .await
        .map_err(|e| BlobError::Source(std::io::Error::other(e)))?
    }

    async fn open(
        &self,
        sha256: &Sha256Digest,
        range: Option<BlobRange>,
    ) -> Result<BlobReader, BlobError> {
        let content = self.open_content(sha256).await?;
        let total_size = content.len();
        let (start, end) = match range {
            None => (0, total_size),
            Some(BlobRange { start, end }) => {
                if start >= end || end > total_size {
                    return Err(BlobError::RangeNotSatisfiable {
                        start,
                        end,
                        size: total_size,
                    });
                }
                (start, end)
            }
        };
        if let Some(offset) = content.clear_offset() {
            // In the clear: serve straight from the file.
            let path = self.path_of(sha256);
            let mut file = tokio::fs::File::from_std(content.into_file());
            file.seek(SeekFrom::Start(offset + start))
                .await
                .map_err(|e| BlobError::io("seek blob", &path, e))?;
            return Ok(BlobReader {
                body: Box::pin(file.take(end - start)),
                total_size,
            });
        }
        if end - start <= SMALL_SEALED_READ {
            // Small: decrypted in one trip to a blocking thread, served from memory.
            let mut content = content;
            let sha256 = *sha256;
            let plaintext = tokio::task::spawn_blocking(move || {
                read_into(&mut content, start, end).map_err(|e| content_error(sha256, e))
            })
            .await
            .map_err(|e| BlobError::Source(std::io::Error::other(e)))??;
            return Ok(BlobReader {
                body: Box::pin(std::io::Cursor::new(plaintext)),
                total_size,
            });
        }
        Ok(BlobReader {
            body: Box::pin(decrypting_reader(content, start, end)),
            total_size,
        })
    }

    async fn contains(&self, sha256: &Sha256Digest) -> Result<bool, BlobError> {
        let path = self.path_of(sha256);
        tokio::fs::try_exists(&path)
            .await
            .map_err(|e| BlobError::io("stat blob", &path, e))
    }

    /// The objects directory is a directory and a file can be created beside the uploads
    /// being staged: a lost mount or a read-only file system fails here.
    async fn probe(&self) -> Result<(), BlobError> {
        let objects = self.objects.clone();
        let probe = self.stager.dir().join(".readiness-probe");
        tokio::task::spawn_blocking(move || {
            let metadata = std::fs::metadata(&objects)
                .map_err(|e| BlobError::io("stat blob directory", &objects, e))?;
            if !metadata.is_dir() {
                return Err(BlobError::io(
                    "stat blob directory",
                    &objects,
                    std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
                ));
            }
            std::fs::write(&probe, b"probe")
                .map_err(|e| BlobError::io("write to the staging directory", &probe, e))?;
            std::fs::remove_file(&probe)
                .map_err(|e| BlobError::io("remove from the staging directory", &probe, e))
        })
        .await
        .map_err(|e| BlobError::io("probe", std::path::Path::new("-"), std::io::Error::other(e)))?
    }
}

/// The plaintext `start..end` of a sealed file as an async reader: a blocking thread opens
/// chunk after chunk and hands them over. A chunk that fails authentication ends the stream with
/// an `InvalidData` error carrying the [`CryptError`].
fn decrypting_reader(
    mut content: StoredContent,
    start: u64,
    end: u64,
) -> impl tokio::io::AsyncRead + Send {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(4);
    tokio::task::spawn_blocking(move || {
        let outcome = content.read_range(start, end, |piece| {
            sender
                .blocking_send(Ok(bytes::Bytes::copy_from_slice(piece)))
                // The reader went away: stop reading.
                .map_err(|_| {
                    CryptError::io(
                        "send",
                        Path::new("-"),
                        std::io::ErrorKind::BrokenPipe.into(),
                    )
                })
        });
        if let Err(error) = outcome {
            let kind = if error.is_content_damage() {
                std::io::ErrorKind::InvalidData
            } else {
                std::io::ErrorKind::Other
            };
            let _ = sender.blocking_send(Err(std::io::Error::new(kind, error)));
        }
    });
    tokio_util::io::StreamReader::new(futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx)
    }))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use tokio::io::AsyncReadExt;

    use super::*;
    use crate::blob::DualHasher;

    async fn read_all(reader: BlobReader) -> Vec<u8> {
        let mut out = Vec::new();
        let mut body = reader.body;
        body.read_to_end(&mut out).await.expect("read");
        out
    }

    #[tokio::test]
    async fn committed_blobs_are_found_by_their_digest_and_read_back_whole_or_in_part() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalBlobStore::open(dir.path()).expect("open");
        let staged = store
            .stager()
            .stage_bytes(Bytes::from_static(b"hello archive"))
            .await
            .expect("stage");
        let digests = store.commit(staged).await.expect("commit");
        assert_eq!(digests, DualHasher::digest(b"hello archive"));
        assert!(store.contains(&digests.sha256).await.expect("contains"));
        let whole = store.open(&digests.sha256, None).await.expect("open");
        assert_eq!(whole.total_size, 13);
        assert_eq!(read_all(whole).await, b"hello archive");
        let part = store
            .open(&digests.sha256, Some(BlobRange { start: 6, end: 13 }))
            .await
            .expect("range");
        assert_eq!(read_all(part).await, b"archive");
        assert!(matches!(
            store
                .open(&digests.sha256, Some(BlobRange { start: 5, end: 14 }))
                .await,
            Err(BlobError::RangeNotSatisfiable { .. })
        ));
    }

    #[tokio::test]
    async fn an_upload_over_the_limit_leaves_no_file_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalBlobStore::open(dir.path()).expect("open");
        let chunks = futures_util::stream::iter([Ok(Bytes::from_static(b"0123456789"))]);
        let result = store.stager().stage(chunks, 5).await;
        assert!(matches!(result, Err(BlobError::TooLarge { limit: 5 })));
        let leftovers = std::fs::read_dir(dir.path().join("staging"))
            .expect("dir")
            .count();
        assert_eq!(leftovers, 0);
    }

    #[tokio::test]
    async fn a_staged_blob_that_is_dropped_is_never_stored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalBlobStore::open(dir.path()).expect("open");
        let staged = store
            .stager()
            .stage_bytes(Bytes::from_static(b"refused"))
            .await
            .expect("stage");
        let sha = staged.digests().sha256;
        drop(staged);
        assert!(!store.contains(&sha).await.expect("contains"));
        assert_eq!(
            std::fs::read_dir(dir.path().join("staging"))
                .expect("dir")
                .count(),
            0
        );
    }

    #[tokio::test]
    async fn committing_the_same_content_twice_keeps_one_copy() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalBlobStore::open(dir.path()).expect("open");
        for _ in 0..2 {
            let staged = store
                .stager()
                .stage_bytes(Bytes::from_static(b"same"))
                .await
                .expect("stage");
            store.commit(staged).await.expect("commit");
        }
        assert_eq!(
            std::fs::read_dir(dir.path().join("staging"))
                .expect("dir")
                .count(),
            0
        );
    }

    fn encrypted(dir: &Path) -> LocalBlobStore {
        let keys = crate::Keyring::new(crate::MasterKey::from_bytes([9; 32]), Vec::new());
        LocalBlobStore::open_with(dir, Some(Arc::new(keys)), Some(Cipher::Aes256Gcm)).expect("open")
    }

    #[tokio::test]
    async fn an_encrypted_store_keeps_no_plaintext_on_disk_and_reads_back_whole_or_in_part() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = encrypted(dir.path());
        let content: Vec<u8> = b"account 1002 bank deposit; ".repeat(10_000);
        let staged = store
            .stager()
            .stage_bytes(Bytes::from(content.clone()))
            .await
            .expect("stage");
        let staging_file = std::fs::read(staged.path()).expect("staged");
        assert!(!staging_file.windows(27).any(|w| w == &content[..27]));
        let digests = store.commit(staged).await.expect("commit");
        assert_eq!(digests, DualHasher::digest(&content));
        let on_disk = std::fs::read(store.path_of(&digests.sha256)).expect("stored");
        assert!(on_disk.starts_with(crate::crypt::MAGIC));
        assert!(!on_disk.windows(27).any(|w| w == &content[..27]));

        let whole = store.open(&digests.sha256, None).await.expect("open");
        assert_eq!(whole.total_size, content.len() as u64);
        assert_eq!(read_all(whole).await, content);
        let range = BlobRange {
            start: 70_000,
            end: 200_001,
        };
        let part = store
            .open(&digests.sha256, Some(range))
            .await
            .expect("range");
        assert_eq!(read_all(part).await, &content[70_000..200_001]);
        assert_eq!(
            store
                .read_whole(&digests.sha256, u64::MAX)
                .await
                .expect("whole"),
            WholeBlob::Read(content.clone())
        );

        // Without the key the file is refused by name, never served as ciphertext.
        let keyless = LocalBlobStore::open(dir.path()).expect("open");
        assert!(matches!(
            keyless.read_whole(&digests.sha256, u64::MAX).await,
            Err(BlobError::Undecryptable {
                source: crate::CryptError::NoKeys,
                ..
            })
        ));
    }

    #[tokio::test]
    async fn damage_to_an_encrypted_file_is_refused_small_or_streamed() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = encrypted(dir.path());
        let mut damaged = Vec::new();
        for size in [300_000, 3 * 1024 * 1024] {
            let content = vec![7u8; size];
            let staged = store
                .stager()
                .stage_bytes(Bytes::from(content))
                .await
                .expect("stage");
            let digests = store.commit(staged).await.expect("commit");
            let path = store.path_of(&digests.sha256);
            let mut bytes = std::fs::read(&path).expect("read");
            bytes[200_000] ^= 0x40;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
            std::fs::write(&path, bytes).expect("write");
            damaged.push(digests.sha256);
        }
        // A small file is decrypted whole when opened, so the damage is found there.
        assert!(matches!(
            store.open(&damaged[0], None).await,
            Err(BlobError::Undecryptable {
                source: crate::CryptError::ChunkInauthentic { chunk: 3 },
                ..
            })
        ));
        // A large one streams until the damaged chunk, then ends with InvalidData.
        let reader = store.open(&damaged[1], None).await.expect("open");
        let mut body = reader.body;
        let mut out = Vec::new();
        let error = body.read_to_end(&mut out).await.expect_err("damaged");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
        assert!(
            error.to_string().contains("does not authenticate"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn plaintext_that_begins_like_an_envelope_is_stored_unambiguously() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalBlobStore::open(dir.path()).expect("open");
        let tricky = b"FNDSENC1\x01\x10 not actually sealed".to_vec();
        let staged = store
            .stager()
            .stage_bytes(Bytes::from(tricky.clone()))
            .await
            .expect("stage");
        let digests = store.commit(staged).await.expect("commit");
        let whole = store.open(&digests.sha256, None).await.expect("open");
        assert_eq!(whole.total_size, tricky.len() as u64);
        assert_eq!(read_all(whole).await, tricky);
        let part = store
            .open(&digests.sha256, Some(BlobRange { start: 2, end: 6 }))
            .await
            .expect("range");
        assert_eq!(read_all(part).await, &tricky[2..6]);
    }
}
