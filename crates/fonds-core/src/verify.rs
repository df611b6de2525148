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
                    Err(e) => return Err(e.into()),
                };
                let mut hasher = DualHasher::new();
                loop {
                    let n = reader
                        .body
                        .read(&mut buffer)
                        .await
                        .map_err(CoreError::internal)?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buffer[..n]);
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
