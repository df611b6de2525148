//! The embedded metadata store: one SQLite file in WAL mode.
//!
//! Writes go through a pool of exactly one connection, so write transactions queue in the
//! process instead of failing with `SQLITE_BUSY`, and reads run in parallel on their own pool.
//! `synchronous = FULL` makes every commit durable before it returns: an acknowledged submission
//! survives a crash or a power loss.

mod access;
mod archive;
mod audit;
mod audit_search;
mod checks;
mod clients;
mod codec;
mod deep_links;
mod group_commit;
mod links;
mod people;
mod pipeline;
mod read_events;
mod records;
mod relaxed;
mod reviews;
mod scope;
mod second_factor;
mod tokens;
mod webhooks;

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use fonds_domain::access::{Grant, RecordScope};
use fonds_domain::{
    ArchivalCodePattern, CheckItem, CheckRunId, ClientId, FileId, Fonds, FondsCode, InvoiceKey,
    RecordDescription, RecordId, RecordKind, Sha256Digest, SubmissionId, VoucherEntry,
};
use sqlx::SqlitePool;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use time::OffsetDateTime;

pub use self::audit::append_audit;
pub use self::read_events::ReadCommit;
use crate::audit::{AuditActor, AuditEventRow, AuditHash, AuditHead, NewAuditEvent, actions};
use crate::audit_search::{AuditPage, AuditQuery, UseSummary};
use crate::checks::{CheckResultRow, CheckRunRow, InvoiceBookingRow, NewCheckRun};
use crate::deep_links::{DeepLinkUse, NewDeepLink};
use crate::error::StoreError;
use crate::metadata::{
    ArchiveOutcome, ClientRow, Cursor, FileRow, ImportRowStatus, MetadataStore, NewClient,
    NewSubmission, NewToken, Page, RecordFilter, RecordRow, RecordVersion, SubmissionRow, TokenRow,
};
use crate::pipeline::{LeasedJob, ReceivedSubmission, ReceivedWork, SubmissionStatus};
use crate::webhooks::{
    AttemptOutcome, DeliveryRow, EndpointRow, LeasedDelivery, NewEndpoint, NextStep,
};

/// The migrations, embedded in the binary in version order.
const MIGRATIONS: [(i64, &str, &str); 15] = [
    (
        1,
        "archive",
        include_str!("../../migrations/sqlite/0001_archive.sql"),
    ),
    (
        2,
        "clients",
        include_str!("../../migrations/sqlite/0002_clients.sql"),
    ),
    (
        3,
        "pipeline",
        include_str!("../../migrations/sqlite/0003_pipeline.sql"),
    ),
    (
        4,
        "webhooks",
        include_str!("../../migrations/sqlite/0004_webhooks.sql"),
    ),
    (
        5,
        "deep_links",
        include_str!("../../migrations/sqlite/0005_deep_links.sql"),
    ),
    (
        6,
        "links",
        include_str!("../../migrations/sqlite/0006_links.sql"),
    ),
    (
        7,
        "checks",
        include_str!("../../migrations/sqlite/0007_checks.sql"),
    ),
    (
        8,
        "client_certificates",
        include_str!("../../migrations/sqlite/0008_client_certificates.sql"),
    ),
    (
        9,
        "audit",
        include_str!("../../migrations/sqlite/0009_audit.sql"),
    ),
    (
        10,
        "people",
        include_str!("../../migrations/sqlite/0010_people.sql"),
    ),
    (
        11,
        "permissions",
        include_str!("../../migrations/sqlite/0011_permissions.sql"),
    ),
    (
        12,
        "second_factor",
        include_str!("../../migrations/sqlite/0012_second_factor.sql"),
    ),
    (
        14,
        "audit_search",
        include_str!("../../migrations/sqlite/0014_audit_search.sql"),
    ),
    (
        15,
        "check_results_per_record",
        include_str!("../../migrations/sqlite/0015_check_results_per_record.sql"),
    ),
    (
        16,
        "permission_reviews",
        include_str!("../../migrations/sqlite/0016_permission_reviews.sql"),
    ),
];

/// Metadata in one SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    receipts: group_commit::Receipts,
    reads: read_events::ReadEvents,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `path` and brings its schema up to date; a
    /// database without an audit trail yet starts one hashed with SHA-256.
    ///
    /// # Errors
    /// When the file cannot be opened or a migration fails.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_audit_hash(path, AuditHash::default()).await
    }

    /// Opens the database like [`SqliteStore::open`]; a database without an audit trail yet
    /// starts one hashed with `audit_hash`, while an existing trail keeps its own hash.
    ///
    /// # Errors
    /// When the file cannot be opened, a migration fails or the trail cannot be started.
    pub async fn open_with_audit_hash(
        path: &Path,
        audit_hash: AuditHash,
    ) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        // No health check before each use: the database is a local file, and the check would be
        // one more round trip to the connection's thread on every query.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let migrator = Migrator::with_migrations(
            MIGRATIONS
                .iter()
                .map(|(version, name, sql)| {
                    Migration::new(
                        *version,
                        (*name).into(),
                        MigrationType::Simple,
                        sqlx::SqlSafeStr::into_sql_str(*sql),
                        false,
                    )
                })
                .collect(),
        );
        migrator.run(&writer).await?;
        audit::start(&writer, audit_hash).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await?;
        let receipts = group_commit::Receipts::start(writer.clone());
        let reads = read_events::ReadEvents::start(writer.clone(), ReadCommit::default());
        Ok(Self {
            writer,
            reader,
            receipts,
            reads,
        })
    }

    /// The same store, committing the audit events of content reads as `commit` says.
    #[must_use]
    pub fn with_read_commit(mut self, commit: ReadCommit) -> Self {
        // The committer started by `open` stops once its handle is dropped here.
        self.reads = read_events::ReadEvents::start(self.writer.clone(), commit);
        self
    }

    /// Closes both pools, waiting for running statements.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

#[async_trait]
impl MetadataStore for SqliteStore {
    async fn ensure_fonds(&self, fonds: &Fonds, by: &AuditActor) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let at = OffsetDateTime::now_utc();
        let done = sqlx::query(
            "INSERT INTO fonds (code, name, retention_scheme, code_pattern, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING",
        )
        .bind(fonds.code.as_str())
        .bind(&fonds.name)
        .bind(fonds.retention_scheme.as_str())
        .bind(fonds.code_pattern.as_str())
        .bind(codec::timestamp(at))
        .execute(&mut *tx)
        .await?;
        let created = done.rows_affected() == 1;
        if created {
            let event = NewAuditEvent::success(
                by,
                actions::FONDS_CREATED,
                Some(("fonds", fonds.code.to_string())),
                serde_json::json!({
                    "name": fonds.name,
                    "retention_scheme": fonds.retention_scheme.as_str(),
                    "code_pattern": fonds.code_pattern.as_str(),
                }),
            )
            .at(at);
            append_audit(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(created)
    }

    async fn fonds(&self, code: &FondsCode) -> Result<Option<Fonds>, StoreError> {
        let row = sqlx::query(
            "SELECT code, name, retention_scheme, code_pattern FROM fonds WHERE code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| codec::fonds(&r)).transpose()
    }

    async fn all_fonds(&self) -> Result<Vec<Fonds>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, name, retention_scheme, code_pattern FROM fonds ORDER BY code",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(codec::fonds).collect()
    }

    async fn insert_submission(&self, submission: &NewSubmission) -> Result<(), StoreError> {
        records::insert_submission(&self.writer, submission).await
    }

    async fn record(&self, id: RecordId) -> Result<Option<RecordRow>, StoreError> {
        records::record(&self.reader, id).await
    }

    async fn record_in(
        &self,
        id: RecordId,
        scope: &RecordScope,
    ) -> Result<Option<RecordRow>, StoreError> {
        records::record_in(&self.reader, id, scope).await
    }

    async fn records(
        &self,
        filter: &RecordFilter,
        scope: &RecordScope,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<RecordRow>, StoreError> {
        records::records(&self.reader, filter, scope, after, limit).await
    }

    async fn check_run_within(
        &self,
        id: CheckRunId,
        scope: &RecordScope,
    ) -> Result<bool, StoreError> {
        records::check_run_within(&self.reader, id, scope).await
    }

    async fn record_files(&self, id: RecordId) -> Result<Vec<FileRow>, StoreError> {
        records::files(&self.reader, Some(id), None, u32::MAX).await
    }

    async fn record_entries(&self, id: RecordId) -> Result<Vec<VoucherEntry>, StoreError> {
        records::entries(&self.reader, id).await
    }

    async fn records_for_check(
        &self,
        ids: &[RecordId],
        scope: &RecordScope,
    ) -> Result<Vec<crate::metadata::RecordForCheck>, StoreError> {
        records::for_check(&self.reader, ids, scope).await
    }

    async fn record_versions(&self, id: RecordId) -> Result<Vec<RecordVersion>, StoreError> {
        records::versions(&self.reader, id).await
    }

    async fn archive_record(
        &self,
        id: RecordId,
        pattern: &ArchivalCodePattern,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<ArchiveOutcome, StoreError> {
        archive::archive_record(&self.writer, id, pattern, at, by).await
    }

    async fn correct_description(
        &self,
        id: RecordId,
        description: &RecordDescription,
        reason: &str,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<u32, StoreError> {
        archive::correct_description(&self.writer, id, description, reason, at, by).await
    }

    async fn files_after(
        &self,
        after: Option<FileId>,
        limit: u32,
    ) -> Result<Vec<FileRow>, StoreError> {
        records::files(&self.reader, None, after, limit).await
    }

    async fn count_records(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records")
            .fetch_one(&self.reader)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn count_archived_records(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE state = 'archived'")
            .fetch_one(&self.reader)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn insert_client(&self, client: &NewClient, by: &AuditActor) -> Result<(), StoreError> {
        clients::insert_client(&self.writer, client, by).await
    }

    async fn client(&self, id: &ClientId) -> Result<Option<ClientRow>, StoreError> {
        clients::client(&self.reader, id).await
    }

    async fn clients(&self) -> Result<Vec<ClientRow>, StoreError> {
        clients::clients(&self.reader).await
    }

    async fn rotate_client_secret(
        &self,
        id: &ClientId,
        secret: &str,
        at: OffsetDateTime,
        old_until: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<u32, StoreError> {
        clients::rotate_secret(&self.writer, id, secret, at, old_until, by).await
    }

    async fn set_client_enabled(
        &self,
        id: &ClientId,
        enabled: bool,
        by: &AuditActor,
    ) -> Result<bool, StoreError> {
        clients::set_enabled(&self.writer, id, enabled, by).await
    }

    async fn set_client_certificate(
        &self,
        id: &ClientId,
        certificate_sha256: Option<&Sha256Digest>,
        by: &AuditActor,
    ) -> Result<bool, StoreError> {
        clients::set_certificate(&self.writer, id, certificate_sha256, by).await
    }

    async fn submission_by_key(
        &self,
        client: &ClientId,
        idempotency_key: &str,
    ) -> Result<Option<SubmissionRow>, StoreError> {
        clients::submission_by_key(&self.reader, client, idempotency_key).await
    }

    async fn submission_records(&self, id: SubmissionId) -> Result<Vec<RecordRow>, StoreError> {
        clients::submission_records(&self.reader, id).await
    }

    async fn receive_submission(&self, submission: &ReceivedSubmission) -> Result<(), StoreError> {
        self.receipts.receive(submission.clone()).await
    }

    async fn lease_jobs(
        &self,
        now: OffsetDateTime,
        lease_ms: i64,
        max: u32,
    ) -> Result<Vec<LeasedJob>, StoreError> {
        pipeline::lease(&self.writer, now, lease_ms, max).await
    }

    async fn job_queue(&self) -> Result<crate::pipeline::JobQueueStats, StoreError> {
        let (depth, oldest): (i64, Option<String>) =
            sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM jobs WHERE state != 'done'")
                .fetch_one(&self.reader)
                .await?;
        Ok(crate::pipeline::JobQueueStats {
            depth: u64::try_from(depth).unwrap_or(0),
            oldest_queued_at: oldest.as_deref().map(codec::parse_timestamp).transpose()?,
        })
    }

    async fn requeue_running_jobs(&self) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', lease_token = NULL, lease_until = NULL
             WHERE state = 'running'",
        )
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    async fn received_work(&self, id: SubmissionId) -> Result<Option<ReceivedWork>, StoreError> {
        pipeline::work(&self.reader, id).await
    }

    async fn accept_submissions(
        &self,
        batch: &[crate::pipeline::Acceptance],
        at: OffsetDateTime,
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        pipeline::accept_many(&self.writer, batch, at).await
    }

    async fn reject_submission(
        &self,
        job: &LeasedJob,
        id: SubmissionId,
        reasons: &str,
        checks: Option<&NewCheckRun>,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        pipeline::reject(&self.writer, job, id, reasons, checks, at).await
    }

    async fn insert_check_run(&self, run: &NewCheckRun) -> Result<(), StoreError> {
        checks::insert_run_alone(&self.writer, run).await
    }

    async fn check_run(
        &self,
        id: CheckRunId,
    ) -> Result<Option<(CheckRunRow, Vec<CheckResultRow>)>, StoreError> {
        checks::run(&self.reader, id).await
    }

    async fn check_runs_of_record(&self, id: RecordId) -> Result<Vec<CheckRunRow>, StoreError> {
        checks::runs_of_record(&self.reader, id).await
    }

    async fn check_runs_of_submission(
        &self,
        id: SubmissionId,
    ) -> Result<Vec<CheckRunRow>, StoreError> {
        checks::runs_of_submission(&self.reader, id).await
    }

    async fn records_due_for_preservation_check(
        &self,
        before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<RecordId>, StoreError> {
        checks::due_for_preservation(&self.reader, before, limit).await
    }

    async fn check_switches(
        &self,
        fonds: &FondsCode,
    ) -> Result<Vec<(CheckItem, bool)>, StoreError> {
        checks::switches(&self.reader, fonds).await
    }

    async fn set_check_switch(
        &self,
        fonds: &FondsCode,
        item: CheckItem,
        enabled: bool,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<(), StoreError> {
        checks::set_switch(&self.writer, fonds, item, enabled, at, by).await
    }

    async fn invoice_bookings(
        &self,
        keys: &[InvoiceKey],
    ) -> Result<Vec<InvoiceBookingRow>, StoreError> {
        checks::bookings(&self.reader, keys).await
    }

    async fn invoice_bookings_of_record(
        &self,
        id: RecordId,
    ) -> Result<Vec<InvoiceBookingRow>, StoreError> {
        checks::bookings_of_record(&self.reader, id).await
    }

    async fn period_voucher_numbers(
        &self,
        fonds: &FondsCode,
        fiscal_year: i32,
        period: Option<u8>,
    ) -> Result<Vec<(RecordId, String)>, StoreError> {
        checks::period_numbers(&self.reader, fonds, fiscal_year, period).await
    }

    async fn retry_job(
        &self,
        job: &LeasedJob,
        error: &str,
        run_after: OffsetDateTime,
    ) -> Result<(), StoreError> {
        pipeline::retry(&self.writer, job, error, run_after).await
    }

    async fn submission_status(
        &self,
        id: SubmissionId,
    ) -> Result<Option<SubmissionStatus>, StoreError> {
        pipeline::status(&self.reader, id).await
    }

    async fn existing_record(
        &self,
        fonds: &FondsCode,
        kind: RecordKind,
        fiscal_year: u16,
        period: Option<u8>,
        number: &str,
    ) -> Result<Option<(RecordId, Option<String>)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, archival_code FROM records WHERE fonds_code = $1 AND kind = $2
               AND fiscal_year = $3 AND period IS $4 AND number = $5",
        )
        .bind(fonds.as_str())
        .bind(kind.as_str())
        .bind(i64::from(fiscal_year))
        .bind(period.map(i64::from))
        .bind(number)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| {
            let id: String = sqlx::Row::try_get(&row, "id")?;
            Ok((
                parse_stored("record id", &id)?,
                sqlx::Row::try_get(&row, "archival_code")?,
            ))
        })
        .transpose()
    }

    async fn archival_code_holder(
        &self,
        fonds: &FondsCode,
        code: &str,
    ) -> Result<Option<RecordId>, StoreError> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT id FROM records WHERE fonds_code = $1 AND archival_code = $2",
        )
        .bind(fonds.as_str())
        .bind(code)
        .fetch_optional(&self.reader)
        .await?;
        id.map(|id| parse_stored("record id", &id)).transpose()
    }

    async fn broadcast_event(
        &self,
        event: &str,
        data: serde_json::Value,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        webhooks::broadcast(&self.writer, event, data, at).await
    }

    async fn insert_endpoint(
        &self,
        endpoint: &NewEndpoint,
        by: &AuditActor,
    ) -> Result<(), StoreError> {
        webhooks::insert_endpoint(&self.writer, endpoint, by).await
    }

    async fn endpoints(&self, client: Option<&ClientId>) -> Result<Vec<EndpointRow>, StoreError> {
        webhooks::endpoints(&self.reader, client).await
    }

    async fn lease_delivery(
        &self,
        now: OffsetDateTime,
        lease_ms: i64,
    ) -> Result<Option<LeasedDelivery>, StoreError> {
        webhooks::lease(&self.writer, now, lease_ms).await
    }

    async fn record_attempt(
        &self,
        delivery: &LeasedDelivery,
        outcome: &AttemptOutcome,
        next: NextStep,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        webhooks::record_attempt(&self.writer, delivery, outcome, next, at).await
    }

    async fn deliveries(
        &self,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        webhooks::deliveries(&self.reader, state, limit).await
    }

    async fn replay_delivery(
        &self,
        id: &str,
        now: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<bool, StoreError> {
        webhooks::replay(&self.writer, id, now, by).await
    }

    async fn record_links(&self, id: RecordId) -> Result<crate::metadata::RecordLinks, StoreError> {
        links::record_links(&self.reader, id).await
    }

    async fn insert_token(&self, token: &NewToken, by: &AuditActor) -> Result<(), StoreError> {
        tokens::insert_token(&self.writer, token, by).await
    }

    async fn insert_department(
        &self,
        department: &crate::access::NewDepartment,
        by: &AuditActor,
    ) -> Result<(), StoreError> {
        access::insert_department(&self.writer, department, by).await
    }

    async fn departments(
        &self,
        fonds: Option<&FondsCode>,
    ) -> Result<Vec<crate::access::DepartmentRow>, StoreError> {
        access::departments(&self.reader, fonds).await
    }

    async fn insert_grant(&self, grant: &Grant, by: &AuditActor) -> Result<(), StoreError> {
        access::insert_grant(&self.writer, grant, by).await
    }

    async fn revoke_grant(
        &self,
        id: &str,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<bool, StoreError> {
        access::revoke_grant(&self.writer, id, at, by).await
    }

    async fn grant(&self, id: &str) -> Result<Option<Grant>, StoreError> {
        access::grant_by_id(&self.reader, id).await
    }

    async fn unrevoked_grants(&self, user_id: &str) -> Result<Vec<Grant>, StoreError> {
        access::unrevoked_grants(&self.reader, user_id).await
    }

    async fn grants(&self, user_id: Option<&str>) -> Result<Vec<Grant>, StoreError> {
        access::grants(&self.reader, user_id).await
    }

    async fn record_permission_review(
        &self,
        review: &crate::access::NewPermissionReview,
        by: &AuditActor,
    ) -> Result<crate::access::PermissionReviewRow, StoreError> {
        reviews::insert(&self.writer, review, by).await
    }

    async fn last_permission_review(
        &self,
    ) -> Result<Option<crate::access::PermissionReviewRow>, StoreError> {
        reviews::latest(&self.reader).await
    }

    async fn revoke_tokens(
        &self,
        label: &str,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<u64, StoreError> {
        tokens::revoke_tokens(&self.writer, label, at, by).await
    }

    async fn token(&self, token_sha256: &Sha256Digest) -> Result<Option<TokenRow>, StoreError> {
        tokens::token(&self.reader, token_sha256).await
    }

    async fn insert_user(
        &self,
        user: &crate::people::NewUser,
        by: &AuditActor,
    ) -> Result<(), StoreError> {
        people::insert_user(&self.writer, user, by).await
    }

    async fn user_by_login(
        &self,
        login: &str,
    ) -> Result<Option<crate::people::UserRow>, StoreError> {
        people::user_by_login(&self.reader, login).await
    }

    async fn user(&self, id: &str) -> Result<Option<crate::people::UserRow>, StoreError> {
        people::user_by_id(&self.reader, id).await
    }

    async fn users(&self) -> Result<Vec<crate::people::UserRow>, StoreError> {
        people::users(&self.reader).await
    }

    async fn set_password(
        &self,
        user_id: &str,
        password_hash: &str,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<bool, StoreError> {
        people::set_password(&self.writer, user_id, password_hash, at, by).await
    }

    async fn record_failed_login(
        &self,
        user_id: &str,
        at: OffsetDateTime,
        policy: &crate::people::LockoutPolicy,
        failure: crate::people::LoginFailure,
        by: &AuditActor,
    ) -> Result<crate::people::FailedLogin, StoreError> {
        people::record_failed_login(&self.writer, user_id, at, policy, failure, by).await
    }

    async fn second_factor(
        &self,
        user_id: &str,
    ) -> Result<Option<crate::people::SecondFactorRow>, StoreError> {
        // From the writer: a code checked against a stale last step could be accepted twice.
        second_factor::second_factor_of(&self.writer, user_id).await
    }

    async fn start_second_factor_enrolment(
        &self,
        new: &crate::people::NewSecondFactor,
        by: &AuditActor,
    ) -> Result<bool, StoreError> {
        second_factor::start_enrolment(&self.writer, new, by).await
    }

    async fn confirm_second_factor(
        &self,
        user_id: &str,
        step: u64,
        recovery_code_hashes: &[String],
        promotion: Option<&crate::people::SessionPromotion>,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<bool, StoreError> {
        second_factor::confirm(
            &self.writer,
            user_id,
            step,
            recovery_code_hashes,
            promotion,
            at,
            by,
        )
        .await
    }

    async fn pass_second_factor(
        &self,
        user_id: &str,
        proof: &crate::people::SecondFactorProof,
        promotion: &crate::people::SessionPromotion,
        by: &AuditActor,
    ) -> Result<bool, StoreError> {
        second_factor::pass(&self.writer, user_id, proof, promotion, by).await
    }

    async fn recovery_codes_left(&self, user_id: &str) -> Result<u32, StoreError> {
        second_factor::recovery_codes_left(&self.writer, user_id).await
    }

    async fn reset_second_factor(
        &self,
        user_id: &str,
        at: OffsetDateTime,
        by: &AuditActor,
    ) -> Result<bool, StoreError> {
        second_factor::reset(&self.writer, user_id, at, by).await
    }

    async fn start_session(
        &self,
        session: &crate::people::NewSession,
        by: &AuditActor,
    ) -> Result<(), StoreError> {
        people::start_session(&self.writer, session, by).await
    }

    async fn session(&self, id: &str) -> Result<Option<crate::people::SessionRow>, StoreError> {
        // A reader answers, as for `session_holder`: a read begun after a commit sees it.
        people::session_by_id(&self.reader, id).await
    }

    async fn session_holder(
        &self,
        id: &str,
    ) -> Result<Option<crate::people::SessionHolder>, StoreError> {
        // A reader answers, so that concurrent requests do not queue behind the one writer. In
        // WAL mode a read begun after a commit returned sees it: a login, logout or revocation
        // is seen by the next request.
        people::session_holder(&self.reader, id).await
    }

    async fn sessions_of(
        &self,
        user_id: &str,
    ) -> Result<Vec<crate::people::SessionRow>, StoreError> {
        people::sessions_of(&self.reader, user_id).await
    }

    async fn touch_session(
        &self,
        id: &str,
        at: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        people::touch_session(&self.writer, id, at, idle_expires_at).await
    }

    async fn end_session(
        &self,
        id: &str,
        at: OffsetDateTime,
        how: crate::people::SessionEnd,
        by: &AuditActor,
    ) -> Result<bool, StoreError> {
        people::end_session(&self.writer, id, at, how, by).await
    }

    async fn import_row(
        &self,
        import_key: &str,
        row_key: &str,
    ) -> Result<Option<ImportRowStatus>, StoreError> {
        tokens::import_row(&self.reader, import_key, row_key).await
    }

    async fn record_import_row(
        &self,
        import_key: &str,
        row_key: &str,
        status: &ImportRowStatus,
    ) -> Result<(), StoreError> {
        tokens::record_import_row(&self.writer, import_key, row_key, status).await
    }

    async fn insert_deep_link(
        &self,
        link: &NewDeepLink,
        by: &AuditActor,
    ) -> Result<(), StoreError> {
        deep_links::insert(&self.writer, link, by).await
    }

    async fn append_audit_event(&self, event: &NewAuditEvent) -> Result<AuditEventRow, StoreError> {
        audit::append_alone(&self.writer, event).await
    }

    async fn audit_head(&self) -> Result<Option<AuditHead>, StoreError> {
        audit::head(&self.reader).await
    }

    async fn audit_events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEventRow>, StoreError> {
        audit::after(&self.reader, after, limit).await
    }

    async fn audit_hash(&self) -> Result<AuditHash, StoreError> {
        audit::algorithm(&self.reader).await
    }

    async fn append_read_event(&self, event: NewAuditEvent) -> Result<(), StoreError> {
        self.reads.append(event).await
    }

    async fn search_audit(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        audit_search::search(&self.reader, query).await
    }

    async fn use_summary(&self, record: RecordId) -> Result<UseSummary, StoreError> {
        audit_search::use_summary(&self.reader, record).await
    }

    async fn consume_deep_link(
        &self,
        token_sha256: &Sha256Digest,
        now: OffsetDateTime,
    ) -> Result<DeepLinkUse, StoreError> {
        deep_links::consume(&self.writer, token_sha256, now).await
    }
}

/// Parses a stored value, or reports the database as changed outside Fonds.
fn parse_stored<T: std::str::FromStr>(what: &'static str, value: &str) -> Result<T, StoreError> {
    T::from_str(value).map_err(|_| StoreError::corrupt(what, value))
}

#[cfg(test)]
mod access_tests;
#[cfg(test)]
mod tests;
