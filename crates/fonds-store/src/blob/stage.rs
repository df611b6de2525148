//! Spooling an upload to a local staging file while hashing it. A staged blob that is dropped
//! without being committed deletes its file, so a refused upload leaves nothing behind.

use std::io;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

use super::{BlobDigests, DualHasher};
use crate::crypt::{Encryption, MAGIC, Sealer, plain_preamble};
use crate::error::BlobError;

/// Writes uploads into one staging directory, which must be on the same file system as the
/// committed blobs so that committing is a rename. With encryption on, content is sealed as it
/// is written: plaintext never reaches the disk.
#[derive(Debug, Clone)]
pub struct Stager {
    dir: PathBuf,
    encryption: Option<Encryption>,
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
        Self::with_encryption(dir, None)
    }

    /// A stager writing into `dir`, sealing what it writes when `encryption` is given.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn with_encryption(
        dir: PathBuf,
        encryption: Option<Encryption>,
    ) -> Result<Self, BlobError> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| BlobError::io("create staging directory", &dir, e))?;
        Ok(Self { dir, encryption })
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
        let mut out = Vec::new();
        let mut writer = StagingWriter::new(self.encryption.as_ref(), &mut out)?;
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
            writer.push(&chunk, &mut out)?;
            if !out.is_empty() {
                file.write_all(&out)
                    .await
                    .map_err(|e| BlobError::io("write staging file", &path, e))?;
                out.clear();
            }
        }
        writer.finish(&mut out)?;
        file.write_all(&out)
            .await
            .map_err(|e| BlobError::io("write staging file", &path, e))?;
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

/// Turns plaintext into the bytes a staging file holds: sealed chunks after a header, or the
/// plaintext itself — behind a preamble when it happens to begin with the envelope's magic, so
/// that it can never be mistaken for a sealed file.
#[derive(Debug)]
enum StagingWriter {
    Sealing(Sealer),
    /// Plaintext; holds back the first bytes until it is known whether they are the magic.
    Clear {
        lead: Option<Vec<u8>>,
    },
}

impl StagingWriter {
    /// A writer; what must open the file (a sealed file's header) is put in `out`.
    fn new(encryption: Option<&Encryption>, out: &mut Vec<u8>) -> Result<Self, BlobError> {
        Ok(match encryption {
            Some(encryption) => {
                let (sealer, header) = Sealer::new(encryption).map_err(BlobError::Seal)?;
                out.extend_from_slice(&header);
                Self::Sealing(sealer)
            }
            None => Self::Clear {
                lead: Some(Vec::with_capacity(MAGIC.len())),
            },
        })
    }

    fn push(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<(), BlobError> {
        match self {
            Self::Sealing(sealer) => sealer.push(plaintext, out).map_err(BlobError::Seal),
            Self::Clear { lead: None } => {
                out.extend_from_slice(plaintext);
                Ok(())
            }
            Self::Clear { lead: Some(lead) } => {
                lead.extend_from_slice(plaintext);
                if lead.len() >= MAGIC.len() {
                    Self::release(lead, out);
                    *self = Self::Clear { lead: None };
                }
                Ok(())
            }
        }
    }

    fn finish(self, out: &mut Vec<u8>) -> Result<(), BlobError> {
        match self {
            Self::Sealing(sealer) => sealer.finish(out).map_err(BlobError::Seal),
            Self::Clear { lead: Some(lead) } => {
                Self::release(&lead, out);
                Ok(())
            }
            Self::Clear { lead: None } => Ok(()),
        }
    }

    fn release(lead: &[u8], out: &mut Vec<u8>) {
        if lead.starts_with(MAGIC) {
            out.extend_from_slice(&plain_preamble());
        }
        out.extend_from_slice(lead);
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
