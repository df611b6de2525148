//! Reading the archive: records, their files, entries and versions, and file content.

use fonds_domain::access::RecordScope;
use fonds_domain::{FileId, RecordId, VoucherEntry};
use fonds_store::{
    BlobRange, BlobReader, Cursor, FileRow, Page, RecordFilter, RecordRow, RecordVersion,
    UseSummary,
};

use crate::Archive;
use crate::error::{CoreError, ErrorCode};

/// A record with everything that belongs to it.
#[derive(Debug, Clone)]
pub struct RecordDetail {
    /// The record.
    pub record: RecordRow,
    /// Its files in item order.
    pub files: Vec<FileRow>,
    /// Its entries, for a 记账凭证.
    pub entries: Vec<VoucherEntry>,
    /// How often it was viewed, downloaded and printed; read with the record when a person
    /// views it ([`Archive::view_record`]), absent otherwise.
    pub use_summary: Option<UseSummary>,
}

/// A byte range as a client asks for it (RFC 9110 §14.1.2), before the file's size is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `first-last`, both inclusive.
    Closed {
        /// First byte.
        first: u64,
        /// Last byte, inclusive.
        last: u64,
    },
    /// `first-`: to the end.
    From(u64),
    /// `-length`: the last `length` bytes.
    Suffix(u64),
}

impl ByteRange {
    /// The bytes this range selects in a file of `size` bytes, or `None` when it selects none.
    #[must_use]
    pub fn resolve(self, size: u64) -> Option<BlobRange> {
        let (start, end) = match self {
            Self::Closed { first, last } if first <= last => {
                (first, last.saturating_add(1).min(size))
            }
            Self::Closed { .. } => return None,
            Self::From(first) => (first, size),
            Self::Suffix(length) => (size.saturating_sub(length), size),
        };
        (start < end).then_some(BlobRange { start, end })
    }
}

/// A file's bytes, or the range asked for, with what a client needs to cache and resume.
#[derive(Debug)]
pub struct FileContent {
    /// The file's metadata.
    pub file: FileRow,
    /// The bytes.
    pub reader: BlobReader,
    /// The range served, if one was asked for.
    pub range: Option<BlobRange>,
}

impl Archive {
    /// A record `scope` reaches; one outside it is as absent as a missing one, with the same
    /// answer, so that nobody learns what exists beyond their scope.
    ///
    /// # Errors
    /// `record_not_found`, or a store failure.
    pub(crate) async fn visible_record(
        &self,
        id: RecordId,
        scope: &RecordScope,
    ) -> Result<RecordRow, CoreError> {
        self.metadata
            .record_in(id, scope)
            .await?
            .ok_or_else(|| not_found(id))
    }

    /// A record with its files and entries, if `scope` reaches it; not audited, for Fonds' own
    /// work. A person's or a client's read goes through [`Archive::view_record`], which records
    /// it.
    ///
    /// # Errors
    /// `record_not_found` (also for a record outside `scope`), or a store failure.
    pub async fn record(
        &self,
        id: RecordId,
        scope: &RecordScope,
    ) -> Result<RecordDetail, CoreError> {
        let record = self.visible_record(id, scope).await?;
        let files = self.metadata.record_files(id).await?;
        let entries = self.metadata.record_entries(id).await?;
        Ok(RecordDetail {
            record,
            files,
            entries,
            use_summary: None,
        })
    }

    /// A page of the records `scope` reaches that match `filter`, newest first.
    ///
    /// # Errors
    /// `query_invalid` for a page size over the limit, or a store failure.
    pub async fn records(
        &self,
        filter: &RecordFilter,
        scope: &RecordScope,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<RecordRow>, CoreError> {
        let max = self.settings.max_page_size;
        if limit == 0 || limit > max {
            return Err(CoreError::new(
                ErrorCode::QueryInvalid,
                format!("limit must be 1 to {max}"),
            ));
        }
        Ok(self.metadata.records(filter, scope, after, limit).await?)
    }

    /// Every version of a record's description, oldest first.
    ///
    /// # Errors
    /// `record_not_found` (also for a record outside `scope`), or a store failure.
    pub async fn record_versions(
        &self,
        id: RecordId,
        scope: &RecordScope,
    ) -> Result<Vec<RecordVersion>, CoreError> {
        self.visible_record(id, scope).await?;
        let versions = self.metadata.record_versions(id).await?;
        if versions.is_empty() {
            return Err(not_found(id));
        }
        Ok(versions)
    }

    /// One file of a record, without its bytes.
    ///
    /// # Errors
    /// `record_not_found` (also for a record outside `scope`), `file_not_found`, or a store
    /// failure.
    pub async fn file(
        &self,
        record: RecordId,
        file: FileId,
        scope: &RecordScope,
    ) -> Result<FileRow, CoreError> {
        self.visible_record(record, scope).await?;
        let files = self.metadata.record_files(record).await?;
        files.into_iter().find(|f| f.id == file).ok_or_else(|| {
            CoreError::new(
                ErrorCode::FileNotFound,
                format!("record {record} has no file {file}"),
            )
        })
    }

    /// Opens a file found with [`Archive::file`], whole or a byte range of it, not audited: for
    /// Fonds' own work. A download goes through [`Archive::download_file`], which records it.
    ///
    /// # Errors
    /// `range_not_satisfiable`, `blob_missing`, or a store failure.
    pub async fn open_file(
        &self,
        file: FileRow,
        range: Option<ByteRange>,
    ) -> Result<FileContent, CoreError> {
        let range = match range {
            None => None,
            Some(asked) => Some(asked.resolve(file.size).ok_or_else(|| {
                CoreError::new(
                    ErrorCode::RangeNotSatisfiable,
                    format!(
                        "the range selects no bytes of a file of {} bytes",
                        file.size
                    ),
                )
            })?),
        };
        let reader = self.blobs.open(&file.sha256, range).await.map_err(|e| {
            if matches!(e, fonds_store::BlobError::Missing(_)) {
                tracing::error!(record = %file.record_id, file = %file.id, sha256 = %file.sha256,
                    "stored file is missing; run `fonds verify` and restore from backup");
            }
            CoreError::from(e)
        })?;
        Ok(FileContent {
            file,
            reader,
            range,
        })
    }
}

fn not_found(id: RecordId) -> CoreError {
    CoreError::new(
        ErrorCode::RecordNotFound,
        format!("record {id} does not exist"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_resolve_against_the_file_size_as_rfc_9110_says() {
        let r = |start, end| Some(BlobRange { start, end });
        assert_eq!(
            ByteRange::Closed { first: 0, last: 9 }.resolve(100),
            r(0, 10)
        );
        assert_eq!(
            ByteRange::Closed {
                first: 90,
                last: 200
            }
            .resolve(100),
            r(90, 100)
        );
        assert_eq!(ByteRange::From(95).resolve(100), r(95, 100));
        assert_eq!(ByteRange::Suffix(10).resolve(100), r(90, 100));
        assert_eq!(ByteRange::Suffix(500).resolve(100), r(0, 100));
        assert_eq!(ByteRange::From(100).resolve(100), None);
        assert_eq!(ByteRange::Closed { first: 5, last: 4 }.resolve(100), None);
        assert_eq!(ByteRange::Suffix(0).resolve(100), None);
    }
}
