//! The four-properties check (四性检测): the catalogue of `fonds_domain::CheckItem` run over
//! records at submission, at archiving, before transfer, on a yearly schedule and on demand.
//!
//! A run reads every file of every record from the blob store, identifies its format from the
//! content, opens it with its reader under a time limit (OFD, 数电票 XML, PDF, bank documents),
//! scans it for viruses when a scanner is configured, and judges each item. Every run is stored
//! with all its results and never changed; an item that could not run says so and why.

mod analyse;
mod engine;
mod file_items;
mod fixity;
mod period;
mod record_items;
mod report;
mod set_items;
mod subject;

use std::time::Duration;

use fonds_domain::access::RecordScope;
use fonds_domain::{CheckItem, CheckRunId, FondsCode, Occasion, RecordId};
use fonds_store::{CheckResultRow, CheckRunRow, InvoiceBookingRow, ReusePolicy};
use time::OffsetDateTime;
use tokio::task::JoinHandle;

pub(crate) use self::engine::CheckedRun;
pub use self::fixity::{FIXITY_MISMATCH_EVENT, FixityMismatch, FixitySlice, slice_size};
pub use self::report::{render_html, render_pdf};
pub(crate) use self::subject::Subject;
use crate::error::{CoreError, ErrorCode, FieldError};
use crate::scan::ClamdScanner;
use crate::{Actor, Archive};

/// How the checks run.
#[derive(Debug, Clone)]
pub struct CheckSettings {
    /// The virus scanner; with none, the virus item reads "not run: no scanner configured".
    pub scanner: Option<ClamdScanner>,
    /// The longest a reader may take over one file before its items read "not run".
    pub reader_timeout: Duration,
    /// The largest file the checks read into memory; larger files' content items do not run.
    pub max_file_bytes: u64,
    /// What to do with a second booking of an invoice.
    pub duplicate_invoices: ReusePolicy,
    /// How often archived records are checked again (DA/T 92 9.4.1: at least once a year).
    pub preservation_interval: Duration,
    /// The days within which the daily fixity audit re-hashes every archived record.
    pub fixity_cycle_days: u32,
    /// The formats accepted for long-term keeping.
    pub formats: fonds_formats::identify::registry::FormatRegistry,
}

impl Default for CheckSettings {
    fn default() -> Self {
        Self {
            scanner: None,
            reader_timeout: Duration::from_secs(30),
            max_file_bytes: 256 * 1024 * 1024,
            duplicate_invoices: ReusePolicy::Reject,
            preservation_interval: Duration::from_secs(365 * 24 * 3600),
            fixity_cycle_days: 30,
            formats: fonds_formats::identify::registry::FormatRegistry::default(),
        }
    }
}

/// A stored run with its results.
#[derive(Debug, Clone)]
pub struct CheckRunView {
    /// The run.
    pub run: CheckRunRow,
    /// Its results, in report order.
    pub results: Vec<CheckResultRow>,
}

impl CheckedRun {
    /// The reasons a blocked run refuses a submission: one per failed item of error severity,
    /// pointing at the record (and file) by its position in the manifest.
    pub(crate) fn refusals(&self, subjects: &[Subject]) -> Vec<FieldError> {
        let stage = self.run.occasion.stage();
        self.run
            .results
            .iter()
            .filter(|r| r.blocks())
            .map(|r| {
                let index = subjects
                    .iter()
                    .position(|s| s.label == r.record_key)
                    .unwrap_or_default();
                let file = r
                    .file_id
                    .and_then(|f| subjects.get(index)?.files.iter().position(|x| x.id == f));
                let pointer = match file {
                    Some(j) => format!("/records/{index}/files/{j}"),
                    None => format!("/records/{index}"),
                };
                let code = match r.item {
                    CheckItem::VirusFree => ErrorCode::VirusFound,
                    CheckItem::InvoiceBookedOnce => ErrorCode::InvoiceAlreadyBooked,
                    CheckItem::MetadataDuplicates => ErrorCode::RecordDuplicate,
                    _ => ErrorCode::CheckFailed,
                };
                FieldError {
                    pointer,
                    code: code.as_str().to_owned(),
                    detail: format!(
                        "{} {}：{}",
                        r.item.code(stage),
                        r.item.spec().name_zh,
                        r.evidence
                    ),
                }
            })
            .collect()
    }

    /// The run as stored for records that were written: every result names its record.
    pub(crate) fn for_written_records(mut self, subjects: &[Subject]) -> Self {
        let by_label: std::collections::HashMap<&str, RecordId> =
            subjects.iter().map(|s| (s.label.as_str(), s.id)).collect();
        for result in &mut self.run.results {
            result.record_id = by_label.get(result.record_key.as_str()).copied();
        }
        self
    }
}

impl Archive {
    /// Loads stored records as check subjects, in order, a few queries for all of them.
    async fn stored_subjects(
        &self,
        ids: &[RecordId],
        scope: &RecordScope,
    ) -> Result<Vec<Subject>, CoreError> {
        let mut fonds_of = std::collections::BTreeMap::new();
        for fonds in self.metadata.all_fonds().await? {
            fonds_of.insert(fonds.code.clone(), fonds);
        }
        let mut loaded = self
            .metadata
            .records_for_check(ids, scope)
            .await?
            .into_iter();
        let mut subjects = Vec::with_capacity(ids.len());
        for id in ids {
            // The store returns the records that exist within the scope, in the order asked; one
            // outside the scope is as absent as a missing one.
            let Some(found) = loaded.next().filter(|f| f.record.id == *id) else {
                return Err(CoreError::new(
                    ErrorCode::RecordNotFound,
                    format!("record {id} does not exist"),
                ));
            };
            let fonds = fonds_of.get(&found.record.fonds).ok_or_else(|| {
                CoreError::new(
                    ErrorCode::FondsNotFound,
                    format!("fonds {} does not exist", found.record.fonds),
                )
            })?;
            subjects.push(Subject::stored(fonds, found));
        }
        Ok(subjects)
    }

    /// Runs the check of `occasion` over stored records and stores the run.
    ///
    /// # Errors
    /// `record_not_found`, `scanner_unavailable` (archiving and transfer never go ahead
    /// unscanned when a scanner is configured), or a store failure.
    pub async fn check_records(
        &self,
        ids: &[RecordId],
        occasion: Occasion,
        scope: &RecordScope,
    ) -> Result<CheckRunView, CoreError> {
        let started = std::time::Instant::now();
        // A record named twice is checked once.
        let mut named = std::collections::HashSet::with_capacity(ids.len());
        let ids: Vec<RecordId> = ids.iter().copied().filter(|id| named.insert(*id)).collect();
        let subjects = self.stored_subjects(&ids, scope).await?;
        let loaded = started.elapsed();
        let checked = self.run_checks(occasion, None, &subjects).await?;
        let judged = started.elapsed();
        self.metadata.insert_check_run(&checked.run).await?;
        tracing::debug!(
            records = ids.len(),
            results = checked.run.results.len(),
            load_ms = loaded.as_millis(),
            check_ms = (judged - loaded).as_millis(),
            store_ms = (started.elapsed() - judged).as_millis(),
            "check run finished"
        );
        // What was written, without reading it back.
        let run = checked.run.row();
        Ok(CheckRunView {
            run,
            results: checked.run.results,
        })
    }

    /// A stored run with its results.
    ///
    /// # Errors
    /// `check_run_not_found`, or a store failure.
    pub async fn check_run(&self, id: CheckRunId) -> Result<CheckRunView, CoreError> {
        let (run, results) = self.metadata.check_run(id).await?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::CheckRunNotFound,
                format!("check run {id} does not exist"),
            )
        })?;
        Ok(CheckRunView { run, results })
    }

    /// A stored run with its results, if `scope` reaches every record it covered and the fonds
    /// of its submission; otherwise it is as absent as a missing run.
    ///
    /// # Errors
    /// `check_run_not_found`, or a store failure.
    pub async fn check_run_in(
        &self,
        id: CheckRunId,
        scope: &RecordScope,
    ) -> Result<CheckRunView, CoreError> {
        let view = self.check_run(id).await?;
        let submission_reached = match view.run.submission_id {
            None => true,
            Some(submission) => self
                .metadata
                .submission_status(submission)
                .await?
                .is_some_and(|s| scope.reaches_fonds(&s.fonds)),
        };
        if submission_reached && self.metadata.check_run_within(id, scope).await? {
            Ok(view)
        } else {
            Err(CoreError::new(
                ErrorCode::CheckRunNotFound,
                format!("check run {id} does not exist"),
            ))
        }
    }

    /// The runs that covered a record, newest first.
    ///
    /// # Errors
    /// `record_not_found` (also outside `scope`), or a store failure.
    pub async fn record_check_runs(
        &self,
        id: RecordId,
        scope: &RecordScope,
    ) -> Result<Vec<CheckRunRow>, CoreError> {
        self.visible_record(id, scope).await?;
        Ok(self.metadata.check_runs_of_record(id).await?)
    }

    /// The runs of a submission, newest first.
    ///
    /// # Errors
    /// A store failure.
    pub async fn submission_check_runs(
        &self,
        id: fonds_domain::SubmissionId,
    ) -> Result<Vec<CheckRunRow>, CoreError> {
        Ok(self.metadata.check_runs_of_submission(id).await?)
    }

    /// The invoices a record books, with where each was first booked.
    ///
    /// # Errors
    /// `record_not_found`, or a store failure.
    pub async fn record_invoices(
        &self,
        id: RecordId,
        scope: &RecordScope,
    ) -> Result<Vec<InvoiceBookingRow>, CoreError> {
        self.visible_record(id, scope).await?;
        Ok(self.metadata.invoice_bookings_of_record(id).await?)
    }

    /// Switches a check item on or off for a fonds. Switched-off items are recorded as not run.
    ///
    /// # Errors
    /// `fonds_not_found`, or a store failure.
    pub async fn set_check_item(
        &self,
        fonds: &FondsCode,
        item: CheckItem,
        enabled: bool,
        by: &Actor,
    ) -> Result<(), CoreError> {
        self.fonds_or_404(fonds).await?;
        self.metadata
            .set_check_switch(fonds, item, enabled, OffsetDateTime::now_utc(), by)
            .await?;
        tracing::info!(fonds = %fonds, item = %item, enabled, "check item switched");
        Ok(())
    }

    /// The items switched off for a fonds.
    ///
    /// # Errors
    /// `fonds_not_found`, or a store failure.
    pub async fn disabled_check_items(
        &self,
        fonds: &FondsCode,
    ) -> Result<Vec<CheckItem>, CoreError> {
        self.fonds_or_404(fonds).await?;
        Ok(self
            .metadata
            .check_switches(fonds)
            .await?
            .into_iter()
            .filter(|(_, enabled)| !enabled)
            .map(|(item, _)| item)
            .collect())
    }

    /// Checks the archived records whose last preservation check is older than the configured
    /// interval, up to `limit` of them, in one run. Returns the run, if there was anything due.
    ///
    /// # Errors
    /// A store failure.
    pub async fn run_due_preservation_checks(
        &self,
        limit: u32,
    ) -> Result<Option<CheckRunView>, CoreError> {
        let interval = time::Duration::try_from(self.settings.checks.preservation_interval)
            .unwrap_or(time::Duration::days(365));
        let before = OffsetDateTime::now_utc() - interval;
        let due = self
            .metadata
            .records_due_for_preservation_check(before, limit)
            .await?;
        if due.is_empty() {
            return Ok(None);
        }
        let view = self
            .check_records(&due, Occasion::Scheduled, &RecordScope::everything())
            .await?;
        let failed = view.results.iter().filter(|r| r.blocks()).count();
        if failed > 0 {
            tracing::error!(run = %view.run.id, records = due.len(), failed, "the preservation check found failures; see the check report");
        } else {
            tracing::info!(run = %view.run.id, records = due.len(), "preservation check passed");
        }
        Ok(Some(view))
    }

    /// Starts the schedule: every `every`, checks the records that are due, in slices.
    #[must_use]
    pub fn spawn_preservation_checks(&self, every: Duration) -> JoinHandle<()> {
        let archive = self.clone();
        tokio::spawn(async move {
            loop {
                loop {
                    match archive.run_due_preservation_checks(200).await {
                        Ok(Some(_)) => {}
                        Ok(None) => break,
                        Err(e) => {
                            tracing::error!(error = %e, "the scheduled preservation check failed; retrying at the next interval");
                            break;
                        }
                    }
                }
                tokio::time::sleep(every).await;
            }
        })
    }
}
