//! The embedded blob store: files on the local disk under `objects/ab/cd/<sha256>`.
//!
//! Commit order for durability: the staging file was fsync'd while staging; it is renamed into
//! place and the directory holding it is fsync'd, so the name survives a power loss before the
//! caller commits the row that points at it.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use fonds_domain::Sha256Digest;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{BlobDigests, BlobRange, BlobReader, BlobStore, StagedBlob, Stager, WholeBlob};
use crate::error::BlobError;

/// Blobs in a directory tree on the local disk.
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    objects: PathBuf,
    stager: Stager,
}

impl LocalBlobStore {
    /// Opens (creating if needed) a store rooted at `root`, and clears staging files a crash left.
    ///
    /// # Errors
    /// When the directories cannot be created or read.
    pub fn open(root: &Path) -> Result<Self, BlobError> {
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
        Ok(Self {
            objects,
            stager: Stager::new(staging)?,
        })
    }

    /// Where a blob lives.
    #[must_use]
    pub fn path_of(&self, sha256: &Sha256Digest) -> PathBuf {
        let hex = sha256.to_hex();
        self.objects.join(&hex[0..2]).join(&hex[2..4]).join(hex)
    }
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

    /// One trip to a blocking thread: stat and read together.
    async fn read_whole(&self, sha256: &Sha256Digest, limit: u64) -> Result<WholeBlob, BlobError> {
        let path = self.path_of(sha256);
        let sha256 = *sha256;
        tokio::task::spawn_blocking(move || {
            use std::io::Read as _;
            let mut file = match std::fs::File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(BlobError::Missing(sha256));
                }
                Err(e) => return Err(BlobError::io("open blob", &path, e)),
            };
            let size = file
                .metadata()
                .map_err(|e| BlobError::io("stat blob", &path, e))?
                .len();
            if size > limit {
                return Ok(WholeBlob::TooLarge(size));
            }
            let mut content = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            file.read_to_end(&mut content)
                .map_err(|e| BlobError::io("read blob", &path, e))?;
            Ok(WholeBlob::Read(content))
        })
        .await
        .map_err(|e| BlobError::Source(std::io::Error::other(e)))?
    }

    async fn open(
        &self,
        sha256: &Sha256Digest,
        range: Option<BlobRange>,
    ) -> Result<BlobReader, BlobError> {
        let path = self.path_of(sha256);
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(BlobError::Missing(*sha256));
            }
            Err(e) => return Err(BlobError::io("open blob", &path, e)),
        };
        let total_size = file
            .metadata()
            .await
            .map_err(|e| BlobError::io("stat blob", &path, e))?
            .len();
        let Some(BlobRange { start, end }) = range else {
            return Ok(BlobReader {
                body: Box::pin(file),
                total_size,
            });
        };
        if start >= end || end > total_size {
            return Err(BlobError::RangeNotSatisfiable {
                start,
                end,
                size: total_size,
            });
        }
        file.seek(SeekFrom::Start(start))
            .await
            .map_err(|e| BlobError::io("seek blob", &path, e))?;
        Ok(BlobReader {
            body: Box::pin(file.take(end - start)),
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
}
