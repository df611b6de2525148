//! The contract for asynchronous ingest: submissions received durably, and the jobs that
//! process them with leases.

use std::fmt;
use std::str::FromStr;

use fonds_domain::{FondsCode, Sha256Digest, Sm3Digest, SubmissionId};
use time::OffsetDateTime;

use crate::metadata::SubmittingClient;

/// Where a submission stands (DA/T 94 Annex C: the archive answers every submission).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubmissionState {
    /// Stored durably; waiting for the pipeline.
    Received,
    /// The pipeline is working on it.
    Processing,
    /// Its records are in the archive.
    Accepted,
    /// Refused; the reasons say why.
    Rejected,
}

impl SubmissionState {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Processing => "processing",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }

    /// Whether the outcome is known.
    #[must_use]
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Accepted | Self::Rejected)
    }
}

impl FromStr for SubmissionState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "received" => Ok(Self::Received),
            "processing" => Ok(Self::Processing),
            "accepted" => Ok(Self::Accepted),
            "rejected" => Ok(Self::Rejected),
            other => Err(format!("`{other}` is not a submission state")),
        }
    }
}

impl fmt::Display for SubmissionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One file of a received submission; its blob is durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedPart {
    /// The multipart part name.
    pub part: String,
    /// SHA-256, the blob's address.
    pub sha256: Sha256Digest,
    /// SM3.
    pub sm3: Sm3Digest,
    /// Length.
    pub size: u64,
    /// Media type identified from the content.
    pub media_type: String,
}

/// A submission to store as received, with the job that will process it.
#[derive(Debug, Clone)]
pub struct ReceivedSubmission {
    /// Id.
    pub id: SubmissionId,
    /// Fonds.
    pub fonds: FondsCode,
    /// Provenance.
    pub source: String,
    /// When it arrived.
    pub received_at: OffsetDateTime,
    /// The client, when signed.
    pub client: Option<SubmittingClient>,
    /// The manifest as received.
    pub manifest: String,
    /// Its files.
    pub parts: Vec<ReceivedPart>,
}

/// A submission's status.
#[derive(Debug, Clone)]
pub struct SubmissionStatus {
    /// Id.
    pub id: SubmissionId,
    /// Fonds.
    pub fonds: FondsCode,
    /// State.
    pub state: SubmissionState,
    /// When it arrived.
    pub received_at: OffsetDateTime,
    /// When the outcome was decided.
    pub decided_at: Option<OffsetDateTime>,
    /// The reasons of a rejection, as JSON.
    pub reasons: Option<String>,
    /// The client that sent it, if any.
    pub client: Option<fonds_domain::ClientId>,
}

/// Everything the pipeline needs to process a received submission.
#[derive(Debug, Clone)]
pub struct ReceivedWork {
    /// The status row.
    pub status: SubmissionStatus,
    /// Provenance.
    pub source: String,
    /// The manifest as received.
    pub manifest: String,
    /// Its files.
    pub parts: Vec<ReceivedPart>,
}

/// A submission's records to write as the outcome of its job.
#[derive(Debug, Clone)]
pub struct Acceptance {
    /// The job, whose lease must still hold.
    pub job: LeasedJob,
    /// The fonds.
    pub fonds: FondsCode,
    /// The submission.
    pub id: SubmissionId,
    /// Its records.
    pub records: Vec<crate::metadata::NewRecord>,
    /// The four-properties check run at submission, stored with the records.
    pub checks: Option<crate::checks::NewCheckRun>,
    /// The invoices the records book, entered in the register with them.
    pub invoices: Vec<crate::checks::NewInvoiceBooking>,
}

/// The work queue at a glance, for readiness and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JobQueueStats {
    /// Jobs not done yet, queued or running.
    pub depth: u64,
    /// When the oldest of them was queued.
    pub oldest_queued_at: Option<time::OffsetDateTime>,
}

/// A job leased by a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedJob {
    /// The job's id.
    pub id: String,
    /// What it works on (a submission id for ingest jobs).
    pub subject: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
    /// The lease; the job's outcome commits only while it is still held.
    pub token: String,
}
