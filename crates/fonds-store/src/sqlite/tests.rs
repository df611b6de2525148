//! Contract tests of the SQLite store. They are written against [`MetadataStore`] so that the
//! PostgreSQL store can run the same suite.

use std::collections::BTreeSet;
use std::sync::Arc;

use fonds_domain::access::RecordScope;
use fonds_domain::{
    AccountingPeriod, ArchivalCodePattern, Classification, FileId, FileRole, FiscalYear, Fonds,
    FondsCode, LifecycleState, RecordDescription, RecordId, RecordKind, RetentionDue,
    RetentionPeriod, RetentionScheme, SubmissionId,
};
use time::OffsetDateTime;
use time::macros::date;

use super::SqliteStore;
use crate::audit::AuditActor;
use crate::blob::DualHasher;
use crate::error::StoreError;
use crate::metadata::{MetadataStore, NewFile, NewRecord, NewSubmission, RecordFilter};

pub(super) fn cli() -> AuditActor {
    AuditActor::cli()
}

pub(super) fn fonds() -> Fonds {
    Fonds {
        code: "Z001".parse().expect("fonds"),
        name: "示范公司".into(),
        retention_scheme: RetentionScheme::Enterprise,
        code_pattern: ArchivalCodePattern::dat94(),
    }
}

pub(super) fn voucher(month: i64, number: u32) -> NewRecord {
    let year = FiscalYear::new(2023).expect("year");
    let digests = DualHasher::digest(format!("voucher {month} {number}").as_bytes());
    NewRecord {
        id: RecordId::new(),
        classification: Classification {
            kind: RecordKind::AccountingVoucher,
            fiscal_year: year,
            period: Some(AccountingPeriod::new(year, month).expect("month")),
            retention: RetentionPeriod::Years(30),
        },
        description: RecordDescription {
            title: format!("报销差旅费 {number}"),
            date: Some(
                time::Date::from_calendar_date(
                    2023,
                    time::Month::try_from(u8::try_from(month).expect("month")).expect("month"),
                    1,
                )
                .expect("date"),
            ),
            number: Some(format!("记-{number:04}").parse().expect("number")),
            amount: Some("100.00".parse().expect("amount")),
            preparer: None,
            reviewer: None,
            attachment_count: Some(0),
            remarks: None,
        },
        entries: Vec::new(),
        files: vec![NewFile {
            id: FileId::new(),
            part: None,
            role: FileRole::Main,
            file_name: "voucher.pdf".into(),
            media_type: "application/pdf".into(),
            size: digests.size,
            sha256: digests.sha256,
            sm3: digests.sm3,
        }],
        retention_due: RetentionDue::On(date!(2054 - 01 - 01)),
        source_reference: None,
        key: None,
        business_keys: Vec::new(),
        links: Vec::new(),
        preset_code: None,
        department: None,
        secrecy: fonds_domain::access::SecrecyLevel::Internal,
    }
}

pub(super) async fn store_with(records: Vec<NewRecord>) -> (tempfile::TempDir, Arc<SqliteStore>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("fonds.sqlite"))
        .await
        .expect("open");
    store.ensure_fonds(&fonds(), &cli()).await.expect("fonds");
    let submission = NewSubmission {
        id: SubmissionId::new(),
        fonds: fonds().code,
        source: "test".into(),
        received_at: OffsetDateTime::now_utc(),
        records,
        import_row: None,
        client: None,
        checks: None,
        invoices: Vec::new(),
    };
    store.insert_submission(&submission).await.expect("insert");
    (dir, Arc::new(store))
}

#[tokio::test]
async fn concurrent_archivings_take_every_item_number_once_without_gaps() {
    let records: Vec<_> = (1..=40).map(|n| voucher(12, n)).collect();
    let ids: Vec<_> = records.iter().map(|r| r.id).collect();
    let (_dir, store) = store_with(records).await;
    let pattern = ArchivalCodePattern::dat94();
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let (store, pattern, id) = (Arc::clone(&store), pattern.clone(), *id);
            tokio::spawn(async move {
                store
                    .archive_record(id, &pattern, OffsetDateTime::now_utc(), &cli())
                    .await
            })
        })
        .collect();
    let mut items = BTreeSet::new();
    for task in tasks {
        let outcome = task.await.expect("join").expect("archived");
        assert!(
            outcome
                .archival_code
                .as_str()
                .starts_with("Z001-PZ·2023·D30-0012-")
        );
        items.insert(outcome.archival_code.parts().item);
    }
    assert_eq!(items, (1..=40).collect::<BTreeSet<u32>>());
}

#[tokio::test]
async fn sequences_are_per_volume_so_each_month_starts_at_one() {
    let (nov, dec) = (voucher(11, 1), voucher(12, 1));
    let (nov_id, dec_id) = (nov.id, dec.id);
    let (_dir, store) = store_with(vec![nov, dec]).await;
    let pattern = ArchivalCodePattern::dat94();
    let now = OffsetDateTime::now_utc();
    let a = store
        .archive_record(nov_id, &pattern, now, &cli())
        .await
        .expect("archive");
    let b = store
        .archive_record(dec_id, &pattern, now, &cli())
        .await
        .expect("archive");
    assert_eq!(a.archival_code.as_str(), "Z001-PZ·2023·D30-0011-0001");
    assert_eq!(b.archival_code.as_str(), "Z001-PZ·2023·D30-0012-0001");
}

#[tokio::test]
async fn an_archived_record_cannot_be_archived_again_and_its_files_are_frozen() {
    let record = voucher(12, 7);
    let id = record.id;
    let (_dir, store) = store_with(vec![record]).await;
    let pattern = ArchivalCodePattern::dat94();
    store
        .archive_record(id, &pattern, OffsetDateTime::now_utc(), &cli())
        .await
        .expect("archive");
    let again = store
        .archive_record(id, &pattern, OffsetDateTime::now_utc(), &cli())
        .await;
    assert!(matches!(again, Err(StoreError::Transition(_))), "{again:?}");
    // The database itself refuses to change an archived record's files or code.
    let changed = sqlx::query("UPDATE record_files SET file_name = 'x' WHERE record_id = $1")
        .bind(id.to_string())
        .execute(&store.writer)
        .await;
    assert!(changed.is_err());
    let recoded = sqlx::query("UPDATE records SET archival_code = 'X' WHERE id = $1")
        .bind(id.to_string())
        .execute(&store.writer)
        .await;
    assert!(recoded.is_err());
    let deleted = sqlx::query("DELETE FROM records WHERE id = $1")
        .bind(id.to_string())
        .execute(&store.writer)
        .await;
    assert!(deleted.is_err());
}

#[tokio::test]
async fn a_correction_is_a_new_version_and_the_old_one_is_kept() {
    let record = voucher(12, 8);
    let id = record.id;
    let (_dir, store) = store_with(vec![record]).await;
    let mut description = store
        .record(id)
        .await
        .expect("read")
        .expect("exists")
        .description;
    description.title = "报销差旅费（更正）".into();
    let version = store
        .correct_description(
            id,
            &description,
            "摘要录入错误",
            OffsetDateTime::now_utc(),
            &cli(),
        )
        .await
        .expect("correct");
    assert_eq!(version, 2);
    let versions = store.record_versions(id).await.expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].description.title, "报销差旅费 8");
    assert_eq!(versions[1].description.title, "报销差旅费（更正）");
    assert_eq!(versions[1].reason.as_deref(), Some("摘要录入错误"));
    let row = store.record(id).await.expect("read").expect("exists");
    assert_eq!(
        (row.version, row.description.title.as_str()),
        (2, "报销差旅费（更正）")
    );
}

#[tokio::test]
async fn a_second_voucher_with_the_same_number_in_the_period_is_a_duplicate() {
    let (_dir, store) = store_with(vec![voucher(12, 9)]).await;
    let again = NewSubmission {
        id: SubmissionId::new(),
        fonds: fonds().code,
        source: "test".into(),
        received_at: OffsetDateTime::now_utc(),
        records: vec![voucher(12, 10), voucher(12, 9)],
        import_row: None,
        client: None,
        checks: None,
        invoices: Vec::new(),
    };
    let result = store.insert_submission(&again).await;
    assert!(
        matches!(result, Err(StoreError::Duplicate(_))),
        "{result:?}"
    );
    // The whole submission was refused: voucher 10 is not there either.
    assert_eq!(store.count_records().await.expect("count"), 1);
}

#[tokio::test]
async fn lists_filter_and_page_without_repeating_or_skipping() {
    let records: Vec<_> = (1..=25)
        .map(|n| voucher(if n % 2 == 0 { 11 } else { 12 }, n))
        .collect();
    let (_dir, store) = store_with(records).await;
    let filter = RecordFilter {
        period: Some(12),
        ..RecordFilter::default()
    };
    let mut seen = BTreeSet::new();
    let mut cursor = None;
    loop {
        let page = store
            .records(&filter, &RecordScope::everything(), cursor, 5)
            .await
            .expect("page");
        for r in &page.items {
            assert_eq!(r.classification.period.map(|p| p.month()), Some(12));
            assert_eq!(r.state, LifecycleState::Collected);
            assert!(seen.insert(r.id), "repeated {}", r.id);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 13);
    let text = RecordFilter {
        title_contains: Some("差旅费 2".into()),
        ..RecordFilter::default()
    };
    let hits = store
        .records(&text, &RecordScope::everything(), None, 100)
        .await
        .expect("page")
        .items;
    assert_eq!(hits.len(), 7); // 2, 20–25
    let other_fonds: FondsCode = "Z999".parse().expect("fonds");
    let none = RecordFilter {
        fonds: Some(other_fonds),
        ..RecordFilter::default()
    };
    assert!(
        store
            .records(&none, &RecordScope::everything(), None, 100)
            .await
            .expect("page")
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn a_client_certificate_is_pinned_read_back_and_unpinned() {
    let (_dir, store) = store_with(Vec::new()).await;
    let id = fonds_domain::ClientId::from_random([7; 12]);
    store
        .insert_client(
            &crate::metadata::NewClient {
                id: id.clone(),
                name: "oa".into(),
                algorithm: fonds_domain::SigningAlgorithm::HmacSha256,
                fonds: vec![fonds().code],
                kinds: Vec::new(),
                allowed_ips: Vec::new(),
                certificate_sha256: None,
                secret: "fcs_test".into(),
                created_at: OffsetDateTime::now_utc(),
            },
            &cli(),
        )
        .await
        .expect("client");
    let pinned = |store: Arc<SqliteStore>, id: fonds_domain::ClientId| async move {
        store
            .client(&id)
            .await
            .expect("read")
            .expect("client")
            .certificate_sha256
    };
    assert_eq!(pinned(Arc::clone(&store), id.clone()).await, None);

    let certificate = DualHasher::digest(b"client certificate DER").sha256;
    assert!(
        store
            .set_client_certificate(&id, Some(&certificate), &cli())
            .await
            .expect("pin")
    );
    assert_eq!(
        pinned(Arc::clone(&store), id.clone()).await,
        Some(certificate)
    );
    assert!(
        store
            .set_client_certificate(&id, None, &cli())
            .await
            .expect("unpin")
    );
    assert_eq!(pinned(Arc::clone(&store), id.clone()).await, None);

    let unknown = fonds_domain::ClientId::from_random([8; 12]);
    assert!(
        !store
            .set_client_certificate(&unknown, Some(&certificate), &cli())
            .await
            .expect("unknown client"),
        "pinning an unknown client changes nothing"
    );
}

#[tokio::test]
async fn records_for_check_come_in_the_order_asked_with_their_parts_and_without_missing_ids() {
    use fonds_domain::{BusinessKey, LinkType, Money, VoucherEntry};
    let mut first = voucher(12, 1);
    first.entries = vec![VoucherEntry {
        summary: "报销差旅费".into(),
        account_code: "6602".into(),
        account_name: "管理费用".into(),
        debit: Money::from_fen(10_000),
        credit: Money::ZERO,
    }];
    first.business_keys = vec![BusinessKey::new(LinkType::ReimbursementForm, "BX-1").expect("key")];
    first.links = vec![BusinessKey::new(LinkType::Invoice, "24312000000000000001").expect("key")];
    let second = voucher(12, 2);
    let (a, b) = (first.id, second.id);
    let (_dir, store) = store_with(vec![first, second]).await;

    let found = store
        .records_for_check(
            &[b, RecordId::new(), a],
            &fonds_domain::access::RecordScope::everything(),
        )
        .await
        .expect("load");
    let outside = store
        .records_for_check(&[b, a], &fonds_domain::access::RecordScope::nothing())
        .await
        .expect("load");
    assert!(outside.is_empty(), "records outside the scope are left out");
    let ids: Vec<_> = found.iter().map(|f| f.record.id).collect();
    assert_eq!(ids, vec![b, a], "in the order asked, unknown ids left out");
    let (b_found, a_found) = (&found[0], &found[1]);
    assert_eq!(a_found.entries.len(), 1);
    assert_eq!(a_found.entries[0].debit, Money::from_fen(10_000));
    assert_eq!(a_found.own_keys.len(), 1);
    assert_eq!(a_found.refers_to.len(), 1);
    assert_eq!(a_found.refers_to[0].link_type, LinkType::Invoice);
    assert_eq!(a_found.files.len(), 1);
    assert_eq!(a_found.files[0].record_id, a);
    assert!(b_found.entries.is_empty() && b_found.own_keys.is_empty());
    assert_eq!(b_found.files.len(), 1);
    assert_eq!(b_found.files[0].record_id, b);
}

#[tokio::test]
async fn a_written_check_run_reads_back_as_its_own_row_and_results() {
    use fonds_domain::{CheckItem, CheckRunId, Occasion, Outcome, Severity};

    use crate::checks::{NewCheckResult, NewCheckRun};
    let record = voucher(12, 3);
    let id = record.id;
    let (_dir, store) = store_with(vec![record]).await;
    let now = OffsetDateTime::now_utc();
    let result = |item, outcome| NewCheckResult {
        record_id: Some(id),
        record_key: id.to_string(),
        file_id: None,
        file_name: None,
        item,
        severity: Severity::Error,
        outcome,
        evidence: "证据".into(),
        checked_at: now,
    };
    let run = NewCheckRun {
        id: CheckRunId::new(),
        occasion: Occasion::OnDemand,
        submission_id: None,
        started_at: now,
        finished_at: now,
        results: vec![
            result(CheckItem::ContentPresent, Outcome::Passed),
            result(CheckItem::DebitsEqualCredits, Outcome::Failed),
            result(CheckItem::VirusFree, Outcome::NotRun("未配置".into())),
        ],
    };
    store.insert_check_run(&run).await.expect("insert");
    let (row, results) = store
        .check_run(run.id)
        .await
        .expect("read")
        .expect("the run is there");
    assert_eq!(row, run.row());
    assert!(!row.passed);
    assert_eq!(results, run.results);
}

#[tokio::test]
async fn results_written_one_row_per_item_before_version_15_read_back_the_same_after_it() {
    use fonds_domain::{CheckItem, CheckRunId, Outcome, Severity};
    use sqlx::sqlite::SqlitePoolOptions;

    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .expect("memory database");
    let (before, after): (Vec<_>, Vec<_>) = super::MIGRATIONS
        .iter()
        .partition(|(version, _, _)| *version < 15);
    for (_, _, sql) in &before {
        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
            .execute(&pool)
            .await
            .expect("earlier migration");
    }
    let run = CheckRunId::new();
    sqlx::query(
        "INSERT INTO check_runs (id, occasion, stage, submission_id, started_at, finished_at,
            record_count, passed) VALUES ($1, 'on_demand', 'CQ', NULL, $2, $2, 2, 0)",
    )
    .bind(run.to_string())
    .bind("2026-01-02T03:04:05.123456Z")
    .execute(&pool)
    .await
    .expect("run");
    let file = FileId::new();
    // Two records (by key), the first with a record item and a file item, the second with a
    // reason; written in the order of `seq`.
    let rows = [
        (
            0,
            "r1",
            None,
            None,
            "content_present",
            "error",
            "passed",
            None,
            "可读 \"引号\"",
        ),
        (
            1,
            "r1",
            Some(file),
            Some("a.pdf"),
            "file_parses",
            "error",
            "failed",
            None,
            "无法解析",
        ),
        (
            2,
            "r2",
            None,
            None,
            "virus_free",
            "error",
            "not_run",
            Some("未配置"),
            "未配置",
        ),
    ];
    for (seq, key, file_id, file_name, item, severity, outcome, reason, evidence) in rows {
        sqlx::query(
            "INSERT INTO check_results (run_id, seq, record_id, record_key, file_id, file_name,
                item, severity, outcome, reason, evidence, checked_at)
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(run.to_string())
        .bind(seq)
        .bind(key)
        .bind(file_id.map(|f: FileId| f.to_string()))
        .bind(file_name)
        .bind(item)
        .bind(severity)
        .bind(outcome)
        .bind(reason)
        .bind(evidence)
        .bind("2026-01-02T03:04:05.123456Z")
        .execute(&pool)
        .await
        .expect("old result");
    }
    for (_, _, sql) in &after {
        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
            .execute(&pool)
            .await
            .expect("migration 15");
    }

    let (_, results) = super::checks::run(&pool, run)
        .await
        .expect("read")
        .expect("the run is there");
    let seen: Vec<_> = results
        .iter()
        .map(|r| {
            (
                r.record_key.as_str(),
                r.item,
                r.severity,
                r.outcome.clone(),
                r.evidence.as_str(),
                r.file_id,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "r1",
                CheckItem::ContentPresent,
                Severity::Error,
                Outcome::Passed,
                "可读 \"引号\"",
                None
            ),
            (
                "r1",
                CheckItem::FileParses,
                Severity::Error,
                Outcome::Failed,
                "无法解析",
                Some(file)
            ),
            (
                "r2",
                CheckItem::VirusFree,
                Severity::Error,
                Outcome::NotRun("未配置".into()),
                "未配置",
                None
            ),
        ]
    );
    assert_eq!(results[1].file_name.as_deref(), Some("a.pdf"));
    let refused = sqlx::query("DELETE FROM check_record_results")
        .execute(&pool)
        .await;
    assert!(refused.is_err(), "results are never deleted");
}

#[tokio::test]
async fn read_events_after_another_writers_append_continue_the_one_chain() {
    use crate::audit::{AuditActor, NewAuditEvent};
    let (_dir, store) = store_with(vec![voucher(12, 1)]).await;
    let read = |n: u32| {
        NewAuditEvent::success(
            &AuditActor::user("reader"),
            "record.viewed",
            Some(("record", format!("r{n}"))),
            serde_json::json!({}),
        )
    };
    // The committer learns where the chain ends; another writer then appends after it, so the
    // next group's guess is refused by the trigger and the end read afresh.
    store.append_read_event(read(1)).await.expect("read 1");
    store
        .append_audit_event(&NewAuditEvent::success(
            &cli(),
            "backup.completed",
            None,
            serde_json::json!({}),
        ))
        .await
        .expect("another writer");
    store.append_read_event(read(2)).await.expect("read 2");
    store.append_read_event(read(3)).await.expect("read 3");

    let events = store.audit_events_after(0, 1000).await.expect("events");
    let algorithm = store.audit_hash().await.expect("algorithm");
    let mut prev = crate::audit::GENESIS_PREV_HASH.to_owned();
    for (n, event) in events.iter().enumerate() {
        assert_eq!(event.sequence, i64::try_from(n).expect("n") + 1);
        assert_eq!(event.prev_hash.as_deref(), Some(prev.as_str()));
        assert_eq!(
            event.hash.as_deref(),
            Some(event.computed_hash(algorithm).as_str())
        );
        prev = event.hash.clone().expect("hash");
    }
    let actions: Vec<&str> = events
        .iter()
        .rev()
        .take(4)
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "record.viewed",
            "record.viewed",
            "backup.completed",
            "record.viewed"
        ]
    );
}
