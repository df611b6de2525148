//! Spooling an upload to a local staging file while hashing it. A staged blob that is dropped
//! without being committed deletes its file, so a refused upload leaves nothing behind.

use std::io;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

use super::{BlobDigests, DualHasher};
use crate::error::BlobError;

/// Writes uploads into one staging directory, which must be on the same file system as the
/// committed blobs so that committing is a rename.
#[derive(Debug, Clone)]
pub struct Stager {
    dir: PathBuf,
}

/// An upload spooled to disk, hashed and fsync'd, not yet visible in the store.
#[derive(Debug)]
pub struct StagedBlob {
    digests: BlobDigests,
    head: Vec<u8>,
    path: PathBuf,
    committed: bool,
}

/// How many leading bytes a staged blob keeps in memory for format identification.
pub const HEAD_LEN: usize = 4096;

impl Stager {
    /// The directory uploads are spooled in.
    #[must_use]
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// A stager writing into `dir`, created if missing.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn new(dir: PathBuf) -> Result<Self, BlobError> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| BlobError::io("create staging directory", &dir, e))?;
        Ok(Self { dir })
    }

    /// Spools `body` into a staging file, hashing as it goes. Refuses, and deletes the partial
    /// file, as soon as more than `limit` bytes arrive.
    ///
    /// # Errors
    /// [`BlobError::TooLarge`] past the limit, [`BlobError::Source`] when the stream fails,
    /// [`BlobError::Io`] when the disk does.
    pub async fn stage<S>(&self, mut body: S, limit: u64) -> Result<StagedBlob, BlobError>
    where
        S: Stream<Item = io::Result<Bytes>> + Unpin + Send,
    {
        let path = self.dir.join(format!("{}.part", uuid::Uuid::now_v7()));
        // The guard deletes the file on every early return below.
        let mut staged = StagedBlob {
            digests: DualHasher::digest(b""),
            head: Vec::new(),
            path: path.clone(),
            committed: false,
        };
        let mut file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| BlobError::io("create staging file", &path, e))?;
        let mut hasher = DualHasher::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(BlobError::Source)?;
            if hasher.size() + chunk.len() as u64 > limit {
                return Err(BlobError::TooLarge { limit });
            }
            hasher.update(&chunk);
            if staged.head.len() < HEAD_LEN {
                let take = (HEAD_LEN - staged.head.len()).min(chunk.len());
                staged.head.extend_from_slice(&chunk[..take]);
            }
            file.write_all(&chunk)
                .await
                .map_err(|e| BlobError::io("write staging file", &path, e))?;
        }
        file.sync_all()
            .await
            .map_err(|e| BlobError::io("fsync staging file", &path, e))?;
        staged.digests = hasher.finish();
        Ok(staged)
    }

    /// Stages bytes already in memory.
    ///
    /// # Errors
    /// As [`Stager::stage`].
    pub async fn stage_bytes(&self, bytes: Bytes) -> Result<StagedBlob, BlobError> {
        let limit = bytes.len() as u64;
        self.stage(futures_util::stream::iter([Ok(bytes)]), limit)
            .await
    }
}

impl StagedBlob {
    /// The digests computed while staging.
    #[must_use]
    pub fn digests(&self) -> &BlobDigests {
        &self.digests
    }

    /// The first bytes of the content (up to [`HEAD_LEN`]), for identifying its format.
    #[must_use]
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The staging file, for the store that commits it.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Marks the file as moved into the store, so dropping does not delete it.
    pub(crate) fn mark_committed(mut self) -> BlobDigests {
        self.committed = true;
        self.digests
    }
}

impl Drop for StagedBlob {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: a leftover staging file is harmless and swept at start-up.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
