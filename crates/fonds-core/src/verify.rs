//! Fixity verification: every stored file is read back and re-hashed, and each missing or
//! changed file is named.

use fonds_domain::{RecordId, Sha256Digest};
use fonds_store::{BlobError, DualHasher};
use tokio::io::AsyncReadExt;

use crate::Archive;
use crate::error::CoreError;

/// A file that failed its fixity check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixityProblem {
    /// The file is gone.
    Missing {
        /// Its record.
        record: RecordId,
        /// Its name.
        file_name: String,
        /// Its address.
        sha256: Sha256Digest,
    },
    /// The bytes changed.
    Changed {
        /// Its record.
        record: RecordId,
        /// Its name.
        file_name: String,
        /// What it should be.
        expected: Sha256Digest,
        /// What it is.
        actual: Sha256Digest,
    },
    /// The file is sealed and does not decrypt: its stored bytes were damaged or altered, or
    /// the master key that wrapped it is not loaded.
    Undecryptable {
        /// Its record.
        record: RecordId,
        /// Its name.
        file_name: String,
        /// Its address.
        sha256: Sha256Digest,
        /// Why, in words.
        reason: String,
    },
}

impl std::fmt::Display for FixityProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing {
                record,
                file_name,
                sha256,
            } => write!(f, "MISSING  record {record}  {file_name}  sha256 {sha256}"),
            Self::Changed {
                record,
                file_name,
                expected,
                actual,
            } => write!(
                f,
                "CHANGED  record {record}  {file_name}  expected {expected}  found {actual}"
            ),
            Self::Undecryptable {
                record,
                file_name,
                sha256,
                reason,
            } => write!(
                f,
                "UNDECRYPTABLE  record {record}  {file_name}  sha256 {sha256}: {reason}"
            ),
        }
    }
}

/// The outcome of a verification run.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    /// Files checked.
    pub files_checked: u64,
    /// Bytes read.
    pub bytes_read: u64,
    /// Every problem found.
    pub problems: Vec<FixityProblem>,
}

/// Told after each file, for progress bars.
pub trait VerifyProgress: Send {
    /// One more file was checked.
    fn checked(&mut self, bytes: u64);
}

impl VerifyProgress for () {
    fn checked(&mut self, _bytes: u64) {}
}

impl Archive {
    /// How many files the archive holds references to, for progress reporting.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn count_records(&self) -> Result<u64, CoreError> {
        Ok(self.metadata.count_records().await?)
    }

    /// Re-hashes every stored file with SHA-256 and SM3 and compares both with the catalogue.
    ///
    /// # Errors
    /// When the store fails in a way other than a missing or changed file.
    pub async fn verify(
        &self,
        progress: &mut dyn VerifyProgress,
    ) -> Result<VerifyReport, CoreError> {
        let mut report = VerifyReport::default();
        let mut after = None;
        let mut buffer = vec![0u8; 256 * 1024];
        loop {
            let files = self.metadata.files_after(after, 500).await?;
            let Some(last) = files.last() else { break };
            after = Some(last.id);
            for file in files {
                let mut reader = match self.blobs.open(&file.sha256, None).await {
                    Ok(reader) => reader,
                    Err(BlobError::Missing(_)) => {
                        report.problems.push(FixityProblem::Missing {
                            record: file.record_id,
                            file_name: file.file_name.clone(),
                            sha256: file.sha256,
                        });
                        progress.checked(0);
                        continue;
                    }
                    Err(BlobError::Undecryptable { source, .. }) => {
                        report.problems.push(FixityProblem::Undecryptable {
                            record: file.record_id,
                            file_name: file.file_name.clone(),
                            sha256: file.sha256,
                            reason: source.to_string(),
                        });
                        progress.checked(0);
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                };
                let mut hasher = DualHasher::new();
                let mut damage = None;
                loop {
                    let n = match reader.body.read(&mut buffer).await {
                        Ok(n) => n,
                        // A sealed chunk that does not authenticate.
                        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                            damage = Some(e.to_string());
                            break;
                        }
                        Err(e) => return Err(CoreError::internal(e)),
                    };
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buffer[..n]);
                }
                if let Some(reason) = damage {
                    report.problems.push(FixityProblem::Undecryptable {
                        record: file.record_id,
                        file_name: file.file_name.clone(),
                        sha256: file.sha256,
                        reason,
                    });
                    progress.checked(0);
                    continue;
                }
                let digests = hasher.finish();
                report.files_checked += 1;
                report.bytes_read += digests.size;
                if digests.sha256 != file.sha256
                    || digests.sm3 != file.sm3
                    || digests.size != file.size
                {
                    report.problems.push(FixityProblem::Changed {
                        record: file.record_id,
                        file_name: file.file_name.clone(),
                        expected: file.sha256,
                        actual: digests.sha256,
                    });
                }
                progress.checked(digests.size);
            }
        }
        Ok(report)
    }
}
