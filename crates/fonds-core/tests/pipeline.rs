//! The ingest pipeline: received submissions are processed by durable jobs; a submission that
//! breaks a rule only the pipeline can see is rejected with its reasons and failure codes.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use common::{archive_with_fonds, pdf};
use std::time::Duration;

use bytes::Bytes;
use fonds_core::{Archive, Origin, StagedPart, SubmissionState};
use serde_json::json;
use sha2::Digest as _;

async fn submit_voucher(archive: &Archive, number: &str, content: Vec<u8>) -> fonds_core::Receipt {
    let manifest = json!({"fonds": "Z001", "records": [{
        "kind": "accounting_voucher", "fiscal_year": 2023, "period": 5, "voucher_number": number,
        "date": "2023-05-02", "title": "支付房租",
        "files": [{"part": "main", "role": "main", "file_name": "v.pdf",
                   "sha256": hex::encode(sha2::Sha256::digest(&content))}]
    }]});
    let blob = archive
        .stager()
        .stage_bytes(Bytes::from(content))
        .await
        .expect("stage");
    archive
        .submit(
            manifest.to_string().as_bytes(),
            vec![StagedPart {
                name: "main".into(),
                blob,
            }],
            &Origin::local("test"),
        )
        .await
        .expect("received")
}

#[tokio::test]
async fn of_two_received_submissions_of_one_voucher_the_pipeline_accepts_one_and_rejects_the_other()
{
    let data = tempfile::tempdir().expect("data");
    let archive = archive_with_fonds(data.path()).await;
    // No workers run yet: both pass the check at receipt, as two racing requests would.
    let first = submit_voucher(&archive, "记-0042", pdf("first")).await;
    let second = submit_voucher(&archive, "记-0042", pdf("second")).await;
    assert_eq!(
        (first.state, second.state),
        (SubmissionState::Received, SubmissionState::Received)
    );

    assert!(archive.run_next_job().await.expect("job"));
    assert!(archive.run_next_job().await.expect("job"));
    assert!(!archive.run_next_job().await.expect("no more jobs"));

    let first = archive
        .receipt(
            first.submission_id,
            None,
            &fonds_core::access::Scope::everything(),
            Duration::ZERO,
        )
        .await
        .expect("receipt");
    let second = archive
        .receipt(
            second.submission_id,
            None,
            &fonds_core::access::Scope::everything(),
            Duration::ZERO,
        )
        .await
        .expect("receipt");
    assert_eq!(first.state, SubmissionState::Accepted);
    assert_eq!(first.records.len(), 1);
    assert_eq!(second.state, SubmissionState::Rejected);
    assert!(second.records.is_empty());
    assert_eq!(second.reasons.len(), 1);
    assert_eq!(second.reasons[0].code, "record_duplicate");
    assert!(
        second.reasons[0].detail.contains("记-0042"),
        "{}",
        second.reasons[0].detail
    );
}

#[tokio::test]
async fn a_waiting_caller_is_answered_as_soon_as_a_worker_decides() {
    let data = tempfile::tempdir().expect("data");
    let archive = archive_with_fonds(data.path()).await;
    let receipt = submit_voucher(&archive, "记-0001", pdf("waited")).await;
    let _workers = archive.spawn_workers(1);
    let decided = archive
        .receipt(
            receipt.submission_id,
            None,
            &fonds_core::access::Scope::everything(),
            Duration::from_secs(20),
        )
        .await
        .expect("receipt");
    assert_eq!(decided.state, SubmissionState::Accepted);
    assert!(decided.decided_at.is_some());
}

#[tokio::test]
async fn jobs_interrupted_by_a_crash_are_requeued_at_start_up() {
    use fonds_store::MetadataStore as _;
    let data = tempfile::tempdir().expect("data");
    let archive = archive_with_fonds(data.path()).await;
    let receipt = submit_voucher(&archive, "记-0001", pdf("interrupted")).await;
    // A worker of an earlier run leased the job and died: its lease would hold for minutes.
    let store = fonds_store::SqliteStore::open(&data.path().join("fonds.sqlite"))
        .await
        .expect("store");
    let leased = store
        .lease_job(time::OffsetDateTime::now_utc(), 3_600_000)
        .await
        .expect("lease");
    assert!(leased.is_some());
    assert!(
        !archive.run_next_job().await.expect("lease held"),
        "a live lease must not be taken over"
    );

    assert_eq!(
        archive.recover_interrupted_jobs().await.expect("recover"),
        1
    );
    assert!(archive.run_next_job().await.expect("job"));
    let decided = archive
        .receipt(
            receipt.submission_id,
            None,
            &fonds_core::access::Scope::everything(),
            Duration::ZERO,
        )
        .await
        .expect("receipt");
    assert_eq!(decided.state, SubmissionState::Accepted);
}

#[tokio::test]
async fn a_worker_whose_lease_was_taken_over_cannot_complete_the_job() {
    use fonds_store::{MetadataStore as _, StoreError};
    let data = tempfile::tempdir().expect("data");
    let archive = archive_with_fonds(data.path()).await;
    let receipt = submit_voucher(&archive, "记-0001", pdf("contested")).await;
    let store = fonds_store::SqliteStore::open(&data.path().join("fonds.sqlite"))
        .await
        .expect("store");
    let now = time::OffsetDateTime::now_utc();
    let slow = store.lease_job(now, 1).await.expect("lease").expect("job");
    // The slow worker's lease runs out and another worker takes the job over.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let fast = store
        .lease_job(time::OffsetDateTime::now_utc(), 60_000)
        .await
        .expect("lease")
        .expect("taken over");
    assert_eq!(fast.id, slow.id);
    assert_ne!(fast.token, slow.token);
    let fonds = "Z001".parse().expect("fonds");
    let late = store
        .accept_submission(
            &slow,
            &fonds,
            receipt.submission_id,
            &[],
            time::OffsetDateTime::now_utc(),
        )
        .await;
    assert!(matches!(late, Err(StoreError::LeaseLost(_))), "{late:?}");
    store
        .accept_submission(
            &fast,
            &fonds,
            receipt.submission_id,
            &[],
            time::OffsetDateTime::now_utc(),
        )
        .await
        .expect("owner completes");
    let again = store
        .accept_submission(
            &fast,
            &fonds,
            receipt.submission_id,
            &[],
            time::OffsetDateTime::now_utc(),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::LeaseLost(_))),
        "a job completes once: {again:?}"
    );
}
