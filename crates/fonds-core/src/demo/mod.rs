//! The demo archive: one company and one fiscal year of realistic accounting records, generated
//! from a fixed seed by [`generate`] and loaded through the same rules as any submission.

mod generate;

pub use generate::{DemoFile, DemoRecord, DemoSpec, demo_fonds, generate};

use fonds_domain::{FileId, RecordId, SubmissionId, ensure_balanced};
use fonds_store::{NewFile, NewRecord, NewSubmission};
use time::OffsetDateTime;

use crate::Archive;
use crate::error::{CoreError, ErrorCode};

/// Records per submission while loading: large enough to be quick, small enough to keep each
/// transaction short.
const BATCH: usize = 50;

/// Told as the demo loads, for progress bars.
pub trait DemoProgress: Send {
    /// One more record was stored (`archived` says whether it was also archived).
    fn record(&mut self, archived: bool);
}

impl DemoProgress for () {
    fn record(&mut self, _archived: bool) {}
}

/// What loading the demo did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Records stored.
    pub records: u64,
    /// Of which archived.
    pub archived: u64,
    /// Files stored.
    pub files: u64,
}

impl Archive {
    /// Whether the archive holds no records yet.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn is_empty(&self) -> Result<bool, CoreError> {
        Ok(self.metadata.count_records().await? == 0)
    }

    /// Generates and stores the demo archive. Everything but the last month's vouchers is
    /// archived, so the tour has records in both states.
    ///
    /// # Errors
    /// When the archive is not empty, generated data breaks a rule (a bug), or the store fails.
    pub async fn load_demo(
        &self,
        spec: &DemoSpec,
        progress: &mut dyn DemoProgress,
    ) -> Result<DemoSummary, CoreError> {
        if !self.is_empty().await? {
            return Err(CoreError::new(
                ErrorCode::ManifestInvalid,
                "the demo is only loaded into an empty archive; use a fresh --data directory",
            ));
        }
        let fonds = demo_fonds();
        self.ensure_fonds(&fonds, &crate::Actor::system()).await?;
        let mut summary = DemoSummary::default();
        let mut batch = Vec::with_capacity(BATCH);
        for record in generate(spec) {
            batch.push(self.store_demo_files(record).await?);
            if batch.len() == BATCH {
                self.store_demo_batch(
                    &fonds.code,
                    std::mem::take(&mut batch),
                    &mut summary,
                    progress,
                )
                .await?;
            }
        }
        if !batch.is_empty() {
            self.store_demo_batch(&fonds.code, batch, &mut summary, progress)
                .await?;
        }
        Ok(summary)
    }

    async fn store_demo_files(&self, record: DemoRecord) -> Result<NewRecord, CoreError> {
        let class = record.classification;
        let invalid =
            |e: String| CoreError::new(ErrorCode::Internal, format!("demo generator bug: {e}"));
        record
            .description
            .validate(&class)
            .map_err(|e| invalid(e.to_string()))?;
        if !record.entries.is_empty() {
            ensure_balanced(&record.entries).map_err(|e| invalid(e.to_string()))?;
        }
        let mut files = Vec::with_capacity(record.files.len());
        for file in record.files {
            let media_type = fonds_formats::sniff::identify(&file.bytes)
                .media_type
                .to_owned();
            let staged = self
                .stager()
                .stage_bytes(bytes::Bytes::from(file.bytes))
                .await?;
            let digests = self.blobs.commit(staged).await?;
            files.push(NewFile {
                id: FileId::new(),
                part: None,
                role: file.role,
                file_name: file.file_name,
                media_type,
                size: digests.size,
                sha256: digests.sha256,
                sm3: digests.sm3,
            });
        }
        Ok(NewRecord {
            id: RecordId::new(),
            retention_due: class.retention.due(class.fiscal_year, None),
            classification: class,
            description: record.description,
            entries: record.entries,
            files,
            source_reference: None,
            key: None,
            business_keys: Vec::new(),
            links: Vec::new(),
            preset_code: None,
            department: None,
            secrecy: fonds_domain::access::SecrecyLevel::default(),
        })
    }

    async fn store_demo_batch(
        &self,
        fonds: &fonds_domain::FondsCode,
        records: Vec<NewRecord>,
        summary: &mut DemoSummary,
        progress: &mut dyn DemoProgress,
    ) -> Result<(), CoreError> {
        let submission = NewSubmission {
            id: SubmissionId::new(),
            fonds: fonds.clone(),
            source: "demo".into(),
            received_at: OffsetDateTime::now_utc(),
            records,
            import_row: None,
            client: None,
            checks: None,
            invoices: Vec::new(),
        };
        self.metadata.insert_submission(&submission).await?;
        for record in &submission.records {
            summary.records += 1;
            summary.files += record.files.len() as u64;
            // The last month stays collected so the tour can archive a record itself.
            let archive = record.classification.period.is_none_or(|p| p.month() < 12);
            if archive {
                self.archive(
                    record.id,
                    &fonds_domain::access::RecordScope::everything(),
                    &crate::Actor::system(),
                )
                .await?;
                summary.archived += 1;
            }
            progress.record(archive);
        }
        Ok(())
    }
}
