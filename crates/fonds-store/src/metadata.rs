//! The metadata store's contract: what `fonds-core` may ask of any database backend.
//!
//! Rows here are plain data in domain types; each backend maps them to its own SQL. Every method
//! that changes several rows does so in one transaction.

use async_trait::async_trait;
use fonds_domain::access::{
    DataScope, DepartmentCode, Grant, PermissionSet, RecordScope, SecrecyLevel,
};
use fonds_domain::{
    ArchivalCode, ArchivalCodePattern, BusinessKey, CheckItem, CheckRunId, Classification,
    ClientId, FileId, FileRole, Fonds, FondsCode, InvoiceKey, LifecycleState, Money,
    RecordDescription, RecordId, RecordKind, RetentionDue, Sha256Digest, Sm3Digest, SubmissionId,
    VoucherEntry,
};
use time::{Date, OffsetDateTime};

use crate::audit::{AuditActor, AuditEventRow, AuditHash, AuditHead, NewAuditEvent};
use crate::audit_search::{AuditPage, AuditQuery, UseSummary};
use crate::checks::{CheckResultRow, CheckRunRow, InvoiceBookingRow, NewCheckRun};
pub use crate::clients::{ClientRow, ClientSecret, NewClient, SubmissionRow, SubmittingClient};
use crate::deep_links::{DeepLinkUse, NewDeepLink};
use crate::error::StoreError;
use crate::pipeline::{Acceptance, LeasedJob, ReceivedSubmission, ReceivedWork, SubmissionStatus};
use crate::webhooks::{
    AttemptOutcome, DeliveryRow, EndpointRow, LeasedDelivery, NewEndpoint, NextStep,
};

/// A file to attach to a new record; its blob is already durable.
#[derive(Debug, Clone)]
pub struct NewFile {
    /// The file's id.
    pub id: FileId,
    /// The multipart part it arrived in, if it came through the API.
    pub part: Option<String>,
    /// Its role in the item.
    pub role: FileRole,
    /// The name the source system gave it.
    pub file_name: String,
    /// The media type identified from its content.
    pub media_type: String,
    /// Length in bytes.
    pub size: u64,
    /// SHA-256, the blob's address.
    pub sha256: Sha256Digest,
    /// SM3.
    pub sm3: Sm3Digest,
}

/// A record to create.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// The record's id.
    pub id: RecordId,
    /// Its classification.
    pub classification: Classification,
    /// Its description, version 1.
    pub description: RecordDescription,
    /// The 记账凭证's entries, balanced.
    pub entries: Vec<VoucherEntry>,
    /// Its files, in item order.
    pub files: Vec<NewFile>,
    /// When its retention ends.
    pub retention_due: RetentionDue,
    /// The source system's own reference, for tracing.
    pub source_reference: Option<String>,
    /// The client's key for the record in its manifest.
    pub key: Option<String>,
    /// What the source systems call this record.
    pub business_keys: Vec<BusinessKey>,
    /// The records it refers to, by their business keys.
    pub links: Vec<BusinessKey>,
    /// An archival code the record already carries (records migrated from an earlier archive):
    /// the record is stored as archived under it.
    pub preset_code: Option<PresetCode>,
    /// The department it belongs to in its fonds' tree, if any.
    pub department: Option<DepartmentCode>,
    /// Its secrecy level (密级).
    pub secrecy: SecrecyLevel,
}

/// An archival code assigned before the record reached Fonds.
#[derive(Debug, Clone)]
pub struct PresetCode {
    /// The code, parsed with the fonds' pattern.
    pub code: ArchivalCode,
    /// Its numbering sequence; the sequence continues after the highest preset item.
    pub sequence_key: String,
}

/// A submission to record, with all its records, atomically.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    /// The submission's id.
    pub id: SubmissionId,
    /// The fonds it belongs to.
    pub fonds: FondsCode,
    /// Who sent it (a client name, `import:<dir>`, `demo`).
    pub source: String,
    /// When it arrived.
    pub received_at: OffsetDateTime,
    /// The records it creates.
    pub records: Vec<NewRecord>,
    /// The import row it comes from, remembered in the same transaction so that a resumed import
    /// never imports a row twice.
    pub import_row: Option<ImportMark>,
    /// The client system that sent it, with its idempotency key, if it gave one.
    pub client: Option<SubmittingClient>,
    /// The four-properties check run that passed the records, stored with them.
    pub checks: Option<crate::checks::NewCheckRun>,
    /// The invoices the records book, entered in the register with them.
    pub invoices: Vec<crate::checks::NewInvoiceBooking>,
}

/// Which row of which import a submission comes from.
#[derive(Debug, Clone)]
pub struct ImportMark {
    /// The import (a digest of the register).
    pub import_key: String,
    /// The row within it.
    pub row_key: String,
}

/// A record's place in the link graph.
#[derive(Debug, Clone, Default)]
pub struct RecordLinks {
    /// The keys this record refers to, with the record that holds each, once it has arrived.
    pub outgoing: Vec<(BusinessKey, Option<RecordId>)>,
    /// The records that refer to this one, by which of its keys.
    pub incoming: Vec<(BusinessKey, RecordId)>,
    /// This record's own keys.
    pub own_keys: Vec<BusinessKey>,
}

/// A record with its files, entries, own business keys and the keys it refers to: what the
/// four-properties check reads about a stored record.
#[derive(Debug, Clone)]
pub struct RecordForCheck {
    /// The record.
    pub record: RecordRow,
    /// Its files, in item order.
    pub files: Vec<FileRow>,
    /// Its entries, if it is a 记账凭证.
    pub entries: Vec<VoucherEntry>,
    /// Its own business keys.
    pub own_keys: Vec<BusinessKey>,
    /// The keys it refers to, resolved or not.
    pub refers_to: Vec<BusinessKey>,
}

/// A record as stored.
#[derive(Debug, Clone)]
pub struct RecordRow {
    /// Id.
    pub id: RecordId,
    /// Fonds.
    pub fonds: FondsCode,
    /// The submission that brought it.
    pub submission_id: Option<SubmissionId>,
    /// Classification.
    pub classification: Classification,
    /// The current description.
    pub description: RecordDescription,
    /// The current description's version, from 1.
    pub version: u32,
    /// Lifecycle state.
    pub state: LifecycleState,
    /// The archival code, once archived.
    pub archival_code: Option<String>,
    /// When it was archived.
    pub archived_at: Option<OffsetDateTime>,
    /// When retention ends.
    pub retention_due: RetentionDue,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// The client's key for the record in its manifest.
    pub key: Option<String>,
    /// The department it belongs to in its fonds' tree, if any.
    pub department: Option<DepartmentCode>,
    /// Its secrecy level (密级).
    pub secrecy: SecrecyLevel,
}

/// A stored file of a record.
#[derive(Debug, Clone)]
pub struct FileRow {
    /// Id.
    pub id: FileId,
    /// The multipart part it arrived in.
    pub part: Option<String>,
    /// The record.
    pub record_id: RecordId,
    /// Position in the item, from 1.
    pub position: u32,
    /// Role.
    pub role: FileRole,
    /// Name.
    pub file_name: String,
    /// Media type.
    pub media_type: String,
    /// Length.
    pub size: u64,
    /// SHA-256.
    pub sha256: Sha256Digest,
    /// SM3.
    pub sm3: Sm3Digest,
}

/// One version of a record's description.
#[derive(Debug, Clone)]
pub struct RecordVersion {
    /// Version number, from 1.
    pub version: u32,
    /// The description as it was.
    pub description: RecordDescription,
    /// Why it changed (none for version 1).
    pub reason: Option<String>,
    /// When.
    pub changed_at: OffsetDateTime,
}

/// What archiving did.
#[derive(Debug, Clone)]
pub struct ArchiveOutcome {
    /// The code assigned.
    pub archival_code: ArchivalCode,
    /// When.
    pub archived_at: OffsetDateTime,
}

/// Filters for listing records; every field narrows the list.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// Fonds.
    pub fonds: Option<FondsCode>,
    /// Kind.
    pub kind: Option<RecordKind>,
    /// Fiscal year.
    pub fiscal_year: Option<u16>,
    /// Month.
    pub period: Option<u8>,
    /// Text contained in the title.
    pub title_contains: Option<String>,
    /// Smallest amount.
    pub amount_min: Option<Money>,
    /// Largest amount.
    pub amount_max: Option<Money>,
    /// Earliest date.
    pub date_from: Option<Date>,
    /// Latest date.
    pub date_to: Option<Date>,
    /// State.
    pub state: Option<LifecycleState>,
}

/// Where the next page starts: after this record, in id order (ids sort by creation time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub RecordId);

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Where the next page starts, if there is one.
    pub next: Option<Cursor>,
}

/// An API token as stored: only its hash.
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// Its label.
    pub label: String,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// What it may do.
    pub permissions: PermissionSet,
    /// The records it reaches.
    pub scope: DataScope,
    /// When it stops working by itself, if ever.
    pub expires_at: Option<OffsetDateTime>,
}

/// An API token to store.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Its label.
    pub label: String,
    /// The SHA-256 of its secret.
    pub sha256: Sha256Digest,
    /// What it may do.
    pub permissions: PermissionSet,
    /// The records it reaches.
    pub scope: DataScope,
    /// When it stops working by itself, if ever.
    pub expires_at: Option<OffsetDateTime>,
    /// When it was issued.
    pub created_at: OffsetDateTime,
}

/// What an import did with one register row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRowStatus {
    /// The row became this record.
    Imported(RecordId),
    /// The row was refused, for this reason.
    Refused(String),
}

/// The metadata store.
///
/// Every method that changes state and takes `by` appends its audit event (docs/audit.md) in
/// the same transaction as the change, and only when something changed; accepting and
/// rejecting submissions append theirs as `system`.
#[async_trait]
pub trait MetadataStore: Send + Sync + std::fmt::Debug {
    /// Creates the fonds if it does not exist; returns whether it was created.
    async fn ensure_fonds(&self, fonds: &Fonds, by: &AuditActor) -> Result<bool, StoreError>;
    /// A fonds by its code.
    async fn fonds(&self, code: &FondsCode) -> Result<Option<Fonds>, StoreError>;
    /// Every fonds.
    async fn all_fonds(&self) -> Result<Vec<Fonds>, StoreError>;

    /// Records a submission and all its records and files in one transaction.
    async fn insert_submission(&self, submission: &NewSubmission) -> Result<(), StoreError>;
    /// A record, whoever asks (for the archive's own work).
    async fn record(&self, id: RecordId) -> Result<Option<RecordRow>, StoreError>;
    /// A record if `scope` reaches it: one outside the scope is as absent as a missing one.
    async fn record_in(
        &self,
        id: RecordId,
        scope: &RecordScope,
    ) -> Result<Option<RecordRow>, StoreError>;
    /// A page of the records `scope` reaches, newest first.
    async fn records(
        &self,
        filter: &RecordFilter,
        scope: &RecordScope,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<RecordRow>, StoreError>;
    /// Whether `scope` reaches every record a check run covered.
    async fn check_run_within(
        &self,
        id: CheckRunId,
        scope: &RecordScope,
    ) -> Result<bool, StoreError>;
    /// The files of a record, in item order.
    async fn record_files(&self, id: RecordId) -> Result<Vec<FileRow>, StoreError>;
    /// The entries of a 记账凭证.
    async fn record_entries(&self, id: RecordId) -> Result<Vec<VoucherEntry>, StoreError>;
    /// Records `scope` reaches with everything the four-properties check reads about them, in
    /// the order of `ids`, in a few queries whatever their number; ids that name no record, or
    /// one outside `scope`, are left out.
    async fn records_for_check(
        &self,
        ids: &[RecordId],
        scope: &RecordScope,
    ) -> Result<Vec<RecordForCheck>, StoreError>;
    /// Every version of a record's description, oldest first.
    async fn record_versions(&self, id: RecordId) -> Result<Vec<RecordVersion>, StoreError>;
    /// Archives a record: checks the lifecycle, takes the next item number of its sequence and
    /// writes the code, all in one transaction, so concurrent archivings never collide or leave
    /// gaps.
    async fn archive_record(
        &self,
        id: RecordId,
        pattern: &ArchivalCodePattern,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<ArchiveOutcome, StoreError>;
    /// Writes a corrected description as a new version, keeping the old ones.
    async fn correct_description(
        &self,
        id: RecordId,
        description: &RecordDescription,
        reason: &str,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<u32, StoreError>;
    /// Files in id order after `after`, for fixity checks over the whole store.
    async fn files_after(
        &self,
        after: Option<FileId>,
        limit: u32,
    ) -> Result<Vec<FileRow>, StoreError>;
    /// How many records there are.
    async fn count_records(&self) -> Result<u64, StoreError>;
    /// How many records are archived.
    async fn count_archived_records(&self) -> Result<u64, StoreError>;

    /// Creates a client system.
    async fn insert_client(&self, client: &NewClient, by: &AuditActor) -> Result<(), StoreError>;
    /// A client system.
    async fn client(&self, id: &ClientId) -> Result<Option<ClientRow>, StoreError>;
    /// Every client system.
    async fn clients(&self) -> Result<Vec<ClientRow>, StoreError>;
    /// Adds a new secret; the secrets still working stop at `old_until`. Returns its version.
    async fn rotate_client_secret(
        &self,
        id: &ClientId,
        secret: &str,
        at: OffsetDateTime,
        old_until: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<u32, StoreError>;
    /// Enables or disables a client; false when there is no such client.
    async fn set_client_enabled(
        &self,
        id: &ClientId,
        enabled: bool,
        by: &AuditActor,
    ) -> Result<bool, StoreError>;
    /// Pins the certificate a client must present (the SHA-256 of its DER), or with `None`
    /// unpins it; false when there is no such client.
    async fn set_client_certificate(
        &self,
        id: &ClientId,
        certificate_sha256: Option<&Sha256Digest>,
        by: &AuditActor,
    ) -> Result<bool, StoreError>;
    /// The submission a client made with an idempotency key.
    async fn submission_by_key(
        &self,
        client: &ClientId,
        idempotency_key: &str,
    ) -> Result<Option<SubmissionRow>, StoreError>;
    /// The records a submission created, in manifest order.
    async fn submission_records(&self, id: SubmissionId) -> Result<Vec<RecordRow>, StoreError>;

    /// Stores a received submission and queues the job that will process it, in one
    /// transaction; its blobs are already durable.
    async fn receive_submission(&self, submission: &ReceivedSubmission) -> Result<(), StoreError>;
    /// Leases up to `max` jobs that are due (or whose lease ran out) for `lease_ms`
    /// milliseconds, in one transaction.
    async fn lease_jobs(
        &self,
        now: OffsetDateTime,
        lease_ms: i64,
        max: u32,
    ) -> Result<Vec<LeasedJob>, StoreError>;
    /// Leases the next job that is due.
    async fn lease_job(
        &self,
        now: OffsetDateTime,
        lease_ms: i64,
    ) -> Result<Option<LeasedJob>, StoreError> {
        Ok(self.lease_jobs(now, lease_ms, 1).await?.pop())
    }
    /// Puts every running job back in the queue: for a process that knows it is the only one
    /// working on this store (the embedded deployment) and is starting, every lease is a dead
    /// worker's. Returns how many jobs were requeued.
    async fn requeue_running_jobs(&self) -> Result<u64, StoreError>;
    /// How many jobs wait and since when; answering at all shows the database is reachable.
    async fn job_queue(&self) -> Result<crate::pipeline::JobQueueStats, StoreError>;
    /// What the pipeline needs to process a received submission.
    async fn received_work(&self, id: SubmissionId) -> Result<Option<ReceivedWork>, StoreError>;
    /// Writes accepted submissions' records and finishes their jobs in one transaction, each
    /// only while its lease holds; the outcome of each, in order.
    async fn accept_submissions(
        &self,
        batch: &[Acceptance],
        at: OffsetDateTime,
    ) -> Result<Vec<Result<(), StoreError>>, StoreError>;
    /// Writes one accepted submission (see [`MetadataStore::accept_submissions`]).
    async fn accept_submission(
        &self,
        job: &LeasedJob,
        fonds: &FondsCode,
        id: SubmissionId,
        records: &[NewRecord],
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let acceptance = Acceptance {
            job: job.clone(),
            fonds: fonds.clone(),
            id,
            records: records.to_vec(),
            checks: None,
            invoices: Vec::new(),
        };
        self.accept_submissions(&[acceptance], at)
            .await?
            .pop()
            .unwrap_or(Err(StoreError::LeaseLost(job.id.clone())))
    }
    /// Records a rejection (reasons as JSON) and the check run that led to it, if any, and
    /// finishes its job, only while the lease is held.
    async fn reject_submission(
        &self,
        job: &LeasedJob,
        id: SubmissionId,
        reasons: &str,
        checks: Option<&NewCheckRun>,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Stores a check run and its results.
    async fn insert_check_run(&self, run: &NewCheckRun) -> Result<(), StoreError>;
    /// A check run and its results.
    async fn check_run(
        &self,
        id: CheckRunId,
    ) -> Result<Option<(CheckRunRow, Vec<CheckResultRow>)>, StoreError>;
    /// The check runs that covered a record, newest first.
    async fn check_runs_of_record(&self, id: RecordId) -> Result<Vec<CheckRunRow>, StoreError>;
    /// The check runs of a submission, newest first.
    async fn check_runs_of_submission(
        &self,
        id: SubmissionId,
    ) -> Result<Vec<CheckRunRow>, StoreError>;
    /// Archived records not checked at the preservation stage (or, never checked, not archived)
    /// since `before`, longest unchecked first.
    async fn records_due_for_preservation_check(
        &self,
        before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<RecordId>, StoreError>;
    /// The check items switched on or off for a fonds (items not listed run).
    async fn check_switches(&self, fonds: &FondsCode)
    -> Result<Vec<(CheckItem, bool)>, StoreError>;
    /// Switches a check item on or off for a fonds (audited in the same transaction).
    async fn set_check_switch(
        &self,
        fonds: &FondsCode,
        item: CheckItem,
        enabled: bool,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<(), StoreError>;
    /// The register's entries for invoices; keys not in the register are left out.
    async fn invoice_bookings(
        &self,
        keys: &[InvoiceKey],
    ) -> Result<Vec<InvoiceBookingRow>, StoreError>;
    /// The invoices booked to a record, or booked again by it under the flag policy.
    async fn invoice_bookings_of_record(
        &self,
        id: RecordId,
    ) -> Result<Vec<InvoiceBookingRow>, StoreError>;
    /// The voucher numbers of the 记账凭证 of one period of a fonds.
    async fn period_voucher_numbers(
        &self,
        fonds: &FondsCode,
        fiscal_year: i32,
        period: Option<u8>,
    ) -> Result<Vec<(RecordId, String)>, StoreError>;
    /// Gives a job back to the queue, to run again after `run_after`.
    async fn retry_job(
        &self,
        job: &LeasedJob,
        error: &str,
        run_after: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// A submission's status.
    async fn submission_status(
        &self,
        id: SubmissionId,
    ) -> Result<Option<SubmissionStatus>, StoreError>;
    /// The record that already holds this business identity (fonds, kind, year, period,
    /// number), with its archival code if archived.
    async fn existing_record(
        &self,
        fonds: &FondsCode,
        kind: RecordKind,
        fiscal_year: u16,
        period: Option<u8>,
        number: &str,
    ) -> Result<Option<(RecordId, Option<String>)>, StoreError>;
    /// The record that holds an archival code in a fonds.
    async fn archival_code_holder(
        &self,
        fonds: &FondsCode,
        code: &str,
    ) -> Result<Option<RecordId>, StoreError>;

    /// Announces an event about the archive as a whole to every endpoint that wants it.
    async fn broadcast_event(
        &self,
        event: &str,
        data: serde_json::Value,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Registers a webhook endpoint.
    async fn insert_endpoint(
        &self,
        endpoint: &NewEndpoint,
        by: &AuditActor,
    ) -> Result<(), StoreError>;
    /// The registered endpoints, of one client or of all.
    async fn endpoints(&self, client: Option<&ClientId>) -> Result<Vec<EndpointRow>, StoreError>;
    /// Leases the next delivery that is due.
    async fn lease_delivery(
        &self,
        now: OffsetDateTime,
        lease_ms: i64,
    ) -> Result<Option<LeasedDelivery>, StoreError>;
    /// Records an attempt and what happens next.
    async fn record_attempt(
        &self,
        delivery: &LeasedDelivery,
        outcome: &AttemptOutcome,
        next: NextStep,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Deliveries, newest first, optionally only those in one state.
    async fn deliveries(
        &self,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>, StoreError>;
    /// Puts a dead letter back in the queue with a fresh retry window; false if there is no
    /// such dead letter. Audited in the same transaction.
    async fn replay_delivery(
        &self,
        id: &str,
        now: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<bool, StoreError>;

    /// A record's links: the keys it refers to (resolved or pending) and the records that
    /// refer to it.
    async fn record_links(&self, id: RecordId) -> Result<RecordLinks, StoreError>;

    /// Creates a person's account.
    async fn insert_user(
        &self,
        user: &crate::people::NewUser,
        by: &AuditActor,
    ) -> Result<(), StoreError>;

    /// The account with this login name.
    async fn user_by_login(
        &self,
        login: &str,
    ) -> Result<Option<crate::people::UserRow>, StoreError>;

    /// The account with this id.
    async fn user(&self, id: &str) -> Result<Option<crate::people::UserRow>, StoreError>;

    /// Every account, by login name.
    async fn users(&self) -> Result<Vec<crate::people::UserRow>, StoreError>;

    /// Replaces an account's password hash; `false` when there is no such account.
    async fn set_password(
        &self,
        user_id: &str,
        password_hash: &str,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<bool, StoreError>;

    /// Counts a failed login and locks the account as `policy` says.
    async fn record_failed_login(
        &self,
        user_id: &str,
        at: OffsetDateTime,
        policy: &crate::people::LockoutPolicy,
        failure: crate::people::LoginFailure,
        by: &AuditActor,
    ) -> Result<crate::people::FailedLogin, StoreError>;

    /// Starts a session after a successful login (or a right password awaiting its second
    /// factor), clearing the failed-login count unless a second factor is still to come.
    async fn start_session(
        &self,
        session: &crate::people::NewSession,
        by: &AuditActor,
    ) -> Result<(), StoreError>;

    /// The session with this id (the hash of its secret), ended or not.
    async fn session(&self, id: &str) -> Result<Option<crate::people::SessionRow>, StoreError>;

    /// The session with this id with its person and their unrevoked grants, in one query.
    async fn session_holder(
        &self,
        id: &str,
    ) -> Result<Option<crate::people::SessionHolder>, StoreError>;

    /// A user's sessions, newest first, ended or not.
    async fn sessions_of(
        &self,
        user_id: &str,
    ) -> Result<Vec<crate::people::SessionRow>, StoreError>;

    /// Notes that a session was used at `at`, pushing its idle expiry to `idle_expires_at`.
    async fn touch_session(
        &self,
        id: &str,
        at: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Ends a session; `false` when it had ended already or does not exist.
    async fn end_session(
        &self,
        id: &str,
        at: OffsetDateTime,
        how: crate::people::SessionEnd,
        by: &AuditActor,
    ) -> Result<bool, StoreError>;

    /// A person's TOTP authenticator, pending or active.
    async fn second_factor(
        &self,
        user_id: &str,
    ) -> Result<Option<crate::people::SecondFactorRow>, StoreError>;

    /// Starts (or restarts) a TOTP enrolment; `false` when an active one exists.
    async fn start_second_factor_enrolment(
        &self,
        new: &crate::people::NewSecondFactor,
        by: &AuditActor,
    ) -> Result<bool, StoreError>;

    /// Activates a pending TOTP enrolment whose code of time step `step` was right, replacing
    /// the recovery codes with these hashes and promoting the session if one is given; `false`
    /// (and nothing changed) when no enrolment was pending or the session was not in its stage.
    async fn confirm_second_factor(
        &self,
        user_id: &str,
        step: u64,
        recovery_code_hashes: &[String],
        promotion: Option<&crate::people::SessionPromotion>,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<bool, StoreError>;

    /// Uses up `proof` and promotes the session, clearing the failed-login count; `false` (and
    /// nothing changed) when the proof was used before or the session was not in its stage.
    async fn pass_second_factor(
        &self,
        user_id: &str,
        proof: &crate::people::SecondFactorProof,
        promotion: &crate::people::SessionPromotion,
        by: &AuditActor,
    ) -> Result<bool, StoreError>;

    /// How many of a person's recovery codes are unused.
    async fn recovery_codes_left(&self, user_id: &str) -> Result<u32, StoreError>;

    /// Removes a person's second factor and recovery codes, ending sessions that waited for it;
    /// `false` when there was none.
    async fn reset_second_factor(
        &self,
        user_id: &str,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<bool, StoreError>;

    /// Stores the hash of a new API token with its permissions, scope and expiry.
    async fn insert_token(&self, token: &NewToken, by: &AuditActor) -> Result<(), StoreError>;
    /// Revokes every token with this label.
    async fn revoke_tokens(
        &self,
        label: &str,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<u64, StoreError>;
    /// The live token with this hash.
    async fn token(&self, token_sha256: &Sha256Digest) -> Result<Option<TokenRow>, StoreError>;

    /// Adds a department to its fonds' tree.
    async fn insert_department(
        &self,
        department: &crate::access::NewDepartment,
        by: &AuditActor,
    ) -> Result<(), StoreError>;
    /// The departments of one fonds, or of all, each fonds' tree in path order.
    async fn departments(
        &self,
        fonds: Option<&FondsCode>,
    ) -> Result<Vec<crate::access::DepartmentRow>, StoreError>;
    /// Stores a grant; the database refuses one that breaks the three-officer separation
    /// ([`StoreError::OfficerSeparation`]).
    async fn insert_grant(&self, grant: &Grant, by: &AuditActor) -> Result<(), StoreError>;
    /// Revokes a grant; `false` when there is no such grant or it was revoked already.
    async fn revoke_grant(
        &self,
        id: &str,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<bool, StoreError>;
    /// A grant, revoked or not.
    async fn grant(&self, id: &str) -> Result<Option<Grant>, StoreError>;
    /// A person's grants that are not revoked (expired ones too: expiry is judged by the caller
    /// at the moment of use). One indexed query: it runs on every request of a session.
    async fn unrevoked_grants(&self, user_id: &str) -> Result<Vec<Grant>, StoreError>;
    /// Every grant, of one person or of all, revoked ones too, newest first.
    async fn grants(&self, user_id: Option<&str>) -> Result<Vec<Grant>, StoreError>;
    /// Records a permission review (with its audit event, in one transaction).
    async fn record_permission_review(
        &self,
        review: &crate::access::NewPermissionReview,
        by: &AuditActor,
    ) -> Result<crate::access::PermissionReviewRow, StoreError>;
    /// The latest permission review, if there was one.
    async fn last_permission_review(
        &self,
    ) -> Result<Option<crate::access::PermissionReviewRow>, StoreError>;
    /// What an earlier run of the import `import_key` did with row `row_key`.
    async fn import_row(
        &self,
        import_key: &str,
        row_key: &str,
    ) -> Result<Option<ImportRowStatus>, StoreError>;
    /// Remembers what the import did with a row.
    async fn record_import_row(
        &self,
        import_key: &str,
        row_key: &str,
        status: &ImportRowStatus,
    ) -> Result<(), StoreError>;

    /// Appends an audit event in a transaction of its own, for an act that happened outside the
    /// database (a backup, a key rotation).
    async fn append_audit_event(&self, event: &NewAuditEvent) -> Result<AuditEventRow, StoreError>;
    /// The last event of the audit trail; `None` only for a trail that was never started or
    /// was emptied outside Fonds.
    async fn audit_head(&self) -> Result<Option<AuditHead>, StoreError>;
    /// Up to `limit` audit events after sequence number `after`, in sequence order, exactly as
    /// stored.
    async fn audit_events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEventRow>, StoreError>;
    /// The hash that chains the audit trail.
    async fn audit_hash(&self) -> Result<AuditHash, StoreError>;
    /// Appends the event of a content read (view, download, print, a report or the trail
    /// read) durably, before the content is served. Reads that arrive together share one commit;
    /// a read whose event cannot be committed must not be served.
    async fn append_read_event(&self, event: NewAuditEvent) -> Result<(), StoreError>;
    /// A page of audit events matching `query`, in sequence order.
    async fn search_audit(&self, query: &AuditQuery) -> Result<AuditPage, StoreError>;
    /// How often a record was viewed, downloaded and printed.
    async fn use_summary(&self, record: RecordId) -> Result<UseSummary, StoreError>;

    /// Stores a new deep link (only its token's hash), audited in the same transaction.
    async fn insert_deep_link(&self, link: &NewDeepLink, by: &AuditActor)
    -> Result<(), StoreError>;
    /// Uses a deep link up: atomically marks it used if it is unused and `now` is before its
    /// expiry, and otherwise says why it cannot be opened. Of two concurrent calls with the same
    /// token, at most one answers [`DeepLinkUse::Opened`].
    async fn consume_deep_link(
        &self,
        token_sha256: &Sha256Digest,
        now: OffsetDateTime,
    ) -> Result<DeepLinkUse, StoreError>;
}
