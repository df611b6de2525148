//! The ingest pipeline as durable jobs. A worker leases the next job, builds the submission's
//! records from its stored manifest and files, and writes them in the same transaction that
//! finishes the job — only while its lease holds, so a job is never completed twice. A worker
//! that dies leaves its lease to run out and another takes the job over; a failure that may pass
//! is retried with exponential back-off and jitter; a submission that breaks a rule is rejected
//! with every reason and its failure code.

use std::sync::Arc;
use std::time::Duration;

use fonds_domain::SubmissionId;
use fonds_store::{Acceptance, LeasedJob, StoreError};
use time::OffsetDateTime;
use tokio::task::JoinHandle;

use super::build_records;
use crate::Archive;
use crate::checks::{CheckedRun, Subject};
use crate::error::{CoreError, ErrorCode, FieldError};
use crate::manifest::Manifest;

/// How long a worker owns a job before another may take it over.
const LEASE: Duration = Duration::from_secs(120);
/// Attempts before a submission that keeps failing for internal reasons is rejected.
const MAX_ATTEMPTS: u32 = 8;
/// The most jobs a worker takes at once; their records commit together.
///
/// LIMITATION: receipts (group-committed) and jobs share the one SQLite writer; ingest measured
/// 264 records/s accepted (`fonds bench ingest`, 4 clients, ratio 0.47 to the disk's fsync
/// rate) against 400/s (0.52) when submissions were written synchronously and the disk was
/// faster. Fewer statements per record (multi-row inserts) is the next step.
const BATCH: u32 = 32;
/// How long an idle worker sleeps when nothing wakes it.
const IDLE_POLL: Duration = Duration::from_secs(1);

/// Running workers; they stop when this is dropped.
#[derive(Debug)]
pub struct Workers {
    handles: Vec<JoinHandle<()>>,
}

impl Drop for Workers {
    fn drop(&mut self) {
        for handle in &self.handles {
            handle.abort();
        }
    }
}

/// What checking one received submission came to.
enum Checked {
    /// Its records, ready to write, with the check run that passed them.
    Accept(
        fonds_domain::FondsCode,
        Vec<fonds_store::NewRecord>,
        Box<CheckedRun>,
    ),
    /// The reasons it is refused, and the check run that refused it if it got that far.
    Reject(Vec<FieldError>, Option<Box<CheckedRun>>),
}

fn reason(code: ErrorCode, detail: impl Into<String>) -> FieldError {
    FieldError {
        pointer: String::new(),
        code: code.as_str().to_owned(),
        detail: detail.into(),
    }
}

fn rejection(error: CoreError) -> Vec<FieldError> {
    if error.errors.is_empty() {
        vec![reason(error.code, error.detail)]
    } else {
        error.errors
    }
}

/// The back-off before attempt `attempts + 1`: 2^attempts seconds, capped at ten minutes, with
/// up to a quarter added at random so that retries from many jobs spread out.
fn backoff(attempts: u32) -> Duration {
    let base = Duration::from_secs(2u64.saturating_pow(attempts).min(600));
    let mut byte = [0u8; 1];
    let jitter = if getrandom::fill(&mut byte).is_ok() {
        u32::from(byte[0])
    } else {
        128
    };
    base + base.mul_f64(f64::from(jitter) / 1024.0)
}

impl Archive {
    /// Starts `count` workers that process received submissions until dropped.
    #[must_use]
    pub fn spawn_workers(&self, count: usize) -> Workers {
        let handles = (0..count.max(1))
            .map(|_| {
                let archive = self.clone();
                tokio::spawn(async move { archive.work_forever().await })
            })
            .collect();
        Workers { handles }
    }

    /// Requeues the jobs a previous run of this process left running when it stopped or
    /// crashed, so that they are taken up at once instead of when their leases run out.
    ///
    /// LIMITATION: only correct when this process is the only one working on the store, as in
    /// the embedded deployment; cluster mode will need node-owned leases with heartbeats.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn recover_interrupted_jobs(&self) -> Result<u64, CoreError> {
        let requeued = self.metadata.requeue_running_jobs().await?;
        if requeued > 0 {
            tracing::warn!(
                jobs = requeued,
                "requeued jobs interrupted by the last shutdown or crash"
            );
        }
        Ok(requeued)
    }

    async fn work_forever(self) {
        loop {
            match self.run_jobs(BATCH).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {
                    let _ = tokio::time::timeout(IDLE_POLL, self.signals.work.notified()).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, cause = ?e.cause, "the ingest worker failed; retrying in a second");
                    tokio::time::sleep(IDLE_POLL).await;
                }
            }
        }
    }

    /// Runs the next due job, if any; returns whether there was one.
    ///
    /// # Errors
    /// When the store fails to lease or record the outcome.
    pub async fn run_next_job(&self) -> Result<bool, CoreError> {
        Ok(self.run_jobs(1).await? > 0)
    }

    /// Runs up to `max` due jobs; returns how many were leased. The accepted ones are written in
    /// one transaction (one sync to disk for the batch), each in its own savepoint.
    ///
    /// # Errors
    /// When the store fails to lease or record the outcomes.
    pub async fn run_jobs(&self, max: u32) -> Result<usize, CoreError> {
        let lease_ms = i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX);
        let jobs = self
            .metadata
            .lease_jobs(OffsetDateTime::now_utc(), lease_ms, max)
            .await?;
        let mut batch = Vec::with_capacity(jobs.len());
        for job in &jobs {
            let Ok(id) = job.subject.parse::<SubmissionId>() else {
                tracing::error!(job = %job.id, subject = %job.subject, "a job names no submission; it is left for an operator");
                continue;
            };
            match self.check(id).await {
                Ok(Checked::Accept(fonds, records, checked)) => {
                    let CheckedRun { run, bookings } = *checked;
                    batch.push(Acceptance {
                        job: job.clone(),
                        fonds,
                        id,
                        records,
                        checks: Some(run),
                        invoices: bookings,
                    });
                }
                Ok(Checked::Reject(reasons, checked)) => {
                    self.reject_checked(job, id, reasons, checked.map(|c| c.run))
                        .await?;
                }
                Err(e) => self.failed(job, id, e).await?,
            }
        }
        if !batch.is_empty() {
            let outcomes = self
                .metadata
                .accept_submissions(&batch, OffsetDateTime::now_utc())
                .await?;
            for (acceptance, outcome) in batch.iter().zip(outcomes) {
                let (job, id) = (&acceptance.job, acceptance.id);
                match outcome {
                    Ok(()) => {
                        crate::telemetry::submission("accepted");
                        tracing::info!(submission = %id, records = acceptance.records.len(), "submission accepted");
                    }
                    Err(StoreError::LeaseLost(_)) => {
                        tracing::warn!(submission = %id, "another worker took this submission over; leaving it");
                    }
                    Err(StoreError::Duplicate(detail)) => {
                        self.reject(job, id, vec![reason(ErrorCode::RecordDuplicate, detail)])
                            .await?;
                    }
                    Err(StoreError::BusinessKeyTaken(detail)) => {
                        self.reject(job, id, vec![reason(ErrorCode::BusinessKeyTaken, detail)])
                            .await?;
                    }
                    Err(StoreError::InvoiceBooked(detail)) => {
                        self.reject(
                            job,
                            id,
                            vec![reason(ErrorCode::InvoiceAlreadyBooked, detail)],
                        )
                        .await?;
                    }
                    Err(StoreError::ArchivalCodeTaken(detail)) => {
                        self.reject(job, id, vec![reason(ErrorCode::ArchivalCodeTaken, detail)])
                            .await?;
                    }
                    Err(e) => self.failed(job, id, e.into()).await?,
                }
            }
        }
        if !jobs.is_empty() {
            self.signals.decided.notify_waiters();
            self.signals.deliveries.notify_one();
        }
        Ok(jobs.len())
    }

    /// A job that failed for a reason that may pass: retried with back-off, or rejected after
    /// [`MAX_ATTEMPTS`].
    async fn failed(
        &self,
        job: &LeasedJob,
        id: SubmissionId,
        e: CoreError,
    ) -> Result<(), CoreError> {
        if e.code == ErrorCode::ScannerUnavailable {
            // Never accepted unscanned, never rejected for the scanner's sake: it waits, retried
            // with back-off capped at ten minutes, until the scanner answers again.
            let wait = backoff(job.attempts.min(9));
            tracing::error!(submission = %id, attempts = job.attempts, retry_in_s = wait.as_secs(), error = %e, "the virus scanner cannot be reached; the submission waits until it can");
            let run_after = OffsetDateTime::now_utc() + wait;
            return Ok(self
                .metadata
                .retry_job(job, &e.to_string(), run_after)
                .await?);
        }
        if job.attempts >= MAX_ATTEMPTS {
            tracing::error!(submission = %id, attempts = job.attempts, error = %e, cause = ?e.cause, "giving up on a submission");
            let detail = format!("processing failed {} times: {}", job.attempts, e.detail);
            return self
                .reject(job, id, vec![reason(ErrorCode::Internal, detail)])
                .await;
        }
        let wait = backoff(job.attempts);
        tracing::warn!(submission = %id, attempts = job.attempts, retry_in_s = wait.as_secs(), error = %e, cause = ?e.cause, "processing failed; will retry");
        let run_after = OffsetDateTime::now_utc() + wait;
        Ok(self
            .metadata
            .retry_job(job, &e.to_string(), run_after)
            .await?)
    }

    async fn reject(
        &self,
        job: &LeasedJob,
        id: SubmissionId,
        reasons: Vec<FieldError>,
    ) -> Result<(), CoreError> {
        self.reject_checked(job, id, reasons, None).await
    }

    async fn reject_checked(
        &self,
        job: &LeasedJob,
        id: SubmissionId,
        reasons: Vec<FieldError>,
        checks: Option<fonds_store::NewCheckRun>,
    ) -> Result<(), CoreError> {
        let json = serde_json::to_string(&reasons).map_err(CoreError::internal)?;
        match self
            .metadata
            .reject_submission(job, id, &json, checks.as_ref(), OffsetDateTime::now_utc())
            .await
        {
            Ok(()) => {
                crate::telemetry::submission("rejected");
                tracing::info!(submission = %id, reasons = reasons.len(), "submission rejected");
                Ok(())
            }
            Err(StoreError::LeaseLost(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Builds a received submission's records under the rules as they stand now, or the reasons
    /// it breaks them.
    async fn check(&self, id: SubmissionId) -> Result<Checked, CoreError> {
        let Some(work) = self.metadata.received_work(id).await? else {
            return Ok(Checked::Reject(
                vec![reason(
                    ErrorCode::SubmissionNotFound,
                    "the submission is gone",
                )],
                None,
            ));
        };
        // The rules are applied again as they stand now: the fonds or its rules may have
        // changed since the submission was received.
        let checked = async {
            let manifest = Manifest::parse(work.manifest.as_bytes())?;
            let fonds = self.manifest_fonds(&manifest).await?;
            let records = manifest
                .validate(&fonds, &Self::retention_table(&fonds))
                .map_err(CoreError::fields)?;
            let parts = work
                .parts
                .iter()
                .map(|p| (p.part.clone(), p.clone()))
                .collect();
            let declared: std::collections::BTreeMap<String, fonds_domain::Sha256Digest> = records
                .iter()
                .flat_map(|r| r.files.iter().map(|f| (f.part.clone(), f.sha256)))
                .collect();
            let records = build_records(&fonds, records, &parts)?;
            Ok::<_, CoreError>((fonds, records, declared))
        };
        let (fonds, records, declared) = match checked.await {
            Ok(ok) => ok,
            Err(e) if e.code.kind() == crate::ErrorKind::Internal => return Err(e),
            Err(e) => return Ok(Checked::Reject(rejection(e), None)),
        };
        // The four-properties check at collection (DA/T 94 7.5): a failure of error severity
        // refuses the submission with the item's code; the run is kept either way.
        let declared_of =
            |f: &fonds_store::NewFile| f.part.as_ref().and_then(|p| declared.get(p)).copied();
        let subjects: Vec<Subject> = records
            .iter()
            .map(|r| Subject::received(&fonds, r, &declared_of))
            .collect();
        let checked = self
            .run_checks(fonds_domain::Occasion::Submission, Some(id), &subjects)
            .await?;
        if !checked.run.passed() {
            let refusals = checked.refusals(&subjects);
            return Ok(Checked::Reject(refusals, Some(Box::new(checked))));
        }
        let checked = checked.for_written_records(&subjects);
        Ok(Checked::Accept(fonds.code, records, Box::new(checked)))
    }
}

/// Wakes workers when work arrives and waiters when outcomes are decided.
#[derive(Debug, Default)]
pub(crate) struct Signals {
    /// A submission was received.
    pub work: tokio::sync::Notify,
    /// A submission was accepted or rejected.
    pub decided: tokio::sync::Notify,
    /// Webhook deliveries may be due.
    pub deliveries: tokio::sync::Notify,
}

impl Signals {
    pub(crate) fn shared() -> Arc<Self> {
        Arc::new(Self::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_ten_minutes_with_at_most_a_quarter_of_jitter() {
        for attempts in 0..12 {
            let base = Duration::from_secs(2u64.pow(attempts).min(600));
            let wait = backoff(attempts);
            assert!(
                wait >= base && wait <= base + base / 4,
                "{attempts}: {wait:?}"
            );
        }
    }
}
