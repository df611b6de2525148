//! Backups of the embedded deployment: taken from a real archive (also while it is written to),
//! deduplicated in a shared pool, signed, verified, pruned, and restored after the live data is
//! damaged.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use common::{archive_with_fonds, pdf};
use fonds_core::at_rest::AtRest;
use fonds_core::audit::Actor;
use fonds_core::backup::{self, BackupError, BackupProblem};
use fonds_core::{Archive, Origin, Receipt, Settings, SubmissionState};
use fonds_domain::{RecordId, Sha256Digest};
use fonds_store::{Cipher, Keyring, MasterKey};
use serde_json::json;
use sha2::Digest as _;
use std::sync::Arc;
use tokio::io::AsyncReadExt as _;

async fn submit_voucher(archive: &Archive, number: &str, content: Vec<u8>) -> Receipt {
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
            vec![fonds_core::StagedPart {
                name: "main".into(),
                blob,
            }],
            &Origin::local("test"),
        )
        .await
        .expect("received")
}

/// Submits one voucher per text and runs the pipeline; returns each record with its file's bytes.
async fn accepted_vouchers(archive: &Archive, texts: &[&str]) -> Vec<(RecordId, Vec<u8>)> {
    let mut submitted = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let content = pdf(text);
        let receipt = submit_voucher(archive, &format!("记-{i:04}"), content.clone()).await;
        submitted.push((receipt.submission_id, content));
    }
    while archive.run_next_job().await.expect("job") {}
    let mut records = Vec::new();
    for (id, content) in submitted {
        let receipt = archive
            .receipt(
                id,
                None,
                &fonds_core::access::Scope::everything(),
                Duration::ZERO,
            )
            .await
            .expect("receipt");
        assert_eq!(
            receipt.state,
            SubmissionState::Accepted,
            "{:?}",
            receipt.reasons
        );
        records.push((receipt.records[0].id, content));
    }
    records
}

async fn file_bytes(archive: &Archive, record: RecordId) -> Vec<u8> {
    let detail = archive
        .record(record, &fonds_core::access::Scope::everything())
        .await
        .expect("record");
    let file = detail.files.into_iter().next().expect("a file");
    let mut content = archive.open_file(file, None).await.expect("open");
    let mut bytes = Vec::new();
    content
        .reader
        .body
        .read_to_end(&mut bytes)
        .await
        .expect("read");
    bytes
}

fn live_blob(data: &Path, content: &[u8]) -> PathBuf {
    let hex = hex::encode(sha2::Sha256::digest(content));
    data.join("blobs/objects")
        .join(&hex[0..2])
        .join(&hex[2..4])
        .join(hex)
}

fn pooled_blob(dest: &Path, content: &[u8]) -> PathBuf {
    live_blob(&dest.join("x"), content)
        .strip_prefix(dest.join("x/blobs"))
        .map(|rest| dest.join(rest))
        .expect("prefix")
}

fn overwrite(path: &Path, bytes: &[u8]) {
    let mut permissions = std::fs::metadata(path).expect("stat").permissions();
    #[expect(
        clippy::permissions_set_readonly_false,
        reason = "the test damages a stored file on purpose"
    )]
    permissions.set_readonly(false);
    std::fs::set_permissions(path, permissions).expect("chmod");
    std::fs::write(path, bytes).expect("write");
}

/// Every file under `dest/objects`, by name.
fn pool(dest: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut stack = vec![dest.join("objects")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("list") {
            let entry = entry.expect("entry");
            if entry.file_type().expect("type").is_dir() {
                stack.push(entry.path());
            } else {
                names.insert(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    names
}

fn backup_folders(dest: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dest)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "objects")
        .collect();
    names.sort();
    names
}

/// Keys and sealing for an encrypted archive, as `serve` prepares them.
fn sealing(cipher: Cipher) -> AtRest {
    let keys = Keyring::new(MasterKey::from_bytes([42; 32]), Vec::new());
    AtRest {
        keys: Some(Arc::new(keys)),
        seal_with: Some(cipher),
    }
}

async fn archive_at_rest(data: &Path, at_rest: &AtRest) -> Archive {
    if at_rest.keys.is_none() {
        return archive_with_fonds(data).await;
    }
    let settings = Settings {
        at_rest: at_rest.clone(),
        ..Settings::default()
    };
    let archive = Archive::open_embedded(data, settings).await.expect("open");
    archive
        .ensure_fonds(
            &fonds_domain::Fonds {
                code: "Z001".parse().expect("fonds"),
                name: "测试".into(),
                retention_scheme: fonds_domain::RetentionScheme::Enterprise,
                code_pattern: fonds_domain::ArchivalCodePattern::dat94(),
            },
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("fonds");
    archive
}

#[tokio::test]
async fn a_backup_restores_every_record_and_file_after_the_live_data_is_damaged() {
    restores_after_damage(AtRest::default()).await;
}

#[tokio::test]
async fn an_encrypted_archive_is_backed_up_sealed_and_restored_with_its_key() {
    let at_rest = sealing(Cipher::Sm4Gcm);
    let (dest, records) = restores_after_damage(at_rest.clone()).await;

    // Nothing in the backup is readable without the key: neither the pooled files nor the
    // database snapshot.
    let newest = backup::verify_backup(dest.path(), at_rest.keys.clone())
        .await
        .expect("verify");
    assert!(newest.is_ok(), "{:?}", newest.problems);
    for (_, content) in &records {
        let pooled = std::fs::read(pooled_blob(dest.path(), content)).expect("pooled");
        assert!(pooled.starts_with(fonds_store::MAGIC));
        assert!(
            !pooled
                .windows(content.len())
                .any(|w| w == content.as_slice())
        );
    }
    let snapshot = std::fs::read(newest.folder.join("fonds.sqlite")).expect("snapshot");
    assert!(
        snapshot.starts_with(fonds_store::MAGIC),
        "the snapshot is sealed"
    );
    assert!(!snapshot.windows(6).any(|w| w == "房租".as_bytes()));

    let keyless = backup::verify_backup(dest.path(), None)
        .await
        .expect("verify");
    assert!(
        !keyless.is_ok(),
        "a sealed backup is never reported good unchecked"
    );
    assert!(
        keyless
            .problems
            .iter()
            .all(|p| matches!(p, BackupProblem::Undecryptable { .. }))
    );
    let target = tempfile::tempdir().expect("target");
    let refused = backup::restore(
        dest.path(),
        &target.path().join("data"),
        AtRest::default(),
        &Actor::cli(),
    )
    .await;
    assert!(refused.is_err(), "restoring without the key is refused");
}

/// Takes two backups of an archive, damages the live data, restores into a new directory and
/// checks every record and file is back; returns the backup destination and the records.
async fn restores_after_damage(at_rest: AtRest) -> (tempfile::TempDir, Vec<(RecordId, Vec<u8>)>) {
    let data = tempfile::tempdir().expect("data");
    let dest = tempfile::tempdir().expect("dest");
    let archive = archive_at_rest(data.path(), &at_rest).await;
    let records = accepted_vouchers(&archive, &["房租五月", "房租六月", "房租七月"]).await;

    let first = backup::backup(data.path(), dest.path(), 7, &at_rest)
        .await
        .expect("backup");
    assert!(first.problems.is_empty(), "{:?}", first.problems);
    assert_eq!(first.blobs_copied, 3);
    assert_eq!(first.manifest.blobs.len(), 3);
    let mut sorted = first.manifest.blobs.clone();
    sorted.sort();
    assert_eq!(sorted, first.manifest.blobs, "blobs are listed sorted");
    assert!(first.folder.join("fonds.sqlite").is_file());
    let public = std::fs::read_to_string(first.folder.join("manifest.pub")).expect("pub");
    assert_eq!(public.trim(), first.public_key);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let key = data.path().join("backup-signing.key");
        let mode = std::fs::metadata(key).expect("key").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let second = backup::backup(data.path(), dest.path(), 7, &at_rest)
        .await
        .expect("second backup");
    assert_eq!(second.blobs_copied, 0, "the pool already holds every file");
    assert_ne!(second.folder, first.folder);
    assert_eq!(
        second.public_key, first.public_key,
        "one key signs every backup"
    );
    let verified = backup::verify_backup(dest.path(), at_rest.keys.clone())
        .await
        .expect("verify");
    assert!(verified.is_ok(), "{:?}", verified.problems);
    assert_eq!(
        verified.folder, second.folder,
        "the root means its newest backup"
    );
    assert_eq!(verified.blobs_checked, 3);

    // The audit trail as it stood when the second backup was taken.
    let trail = archive.audit_events_after(0, 10_000).await.expect("trail");
    let head = second
        .manifest
        .audit_head
        .clone()
        .expect("the manifest names the audit head");
    assert_eq!(trail.last().map(|e| e.sequence), Some(head.sequence));

    // Damage the live data directory: one file gone, one changed, the database deleted.
    std::fs::remove_file(live_blob(data.path(), &records[0].1)).expect("delete blob");
    overwrite(&live_blob(data.path(), &records[1].1), b"bit rot");
    let damage = archive.verify(&mut ()).await.expect("live verify");
    assert_eq!(damage.problems.len(), 2, "{:?}", damage.problems);
    drop(archive);
    std::fs::remove_file(data.path().join("fonds.sqlite")).expect("delete database");

    let restored_dir = tempfile::tempdir().expect("restore");
    let target = restored_dir.path().join("data");
    let report = backup::restore(dest.path(), &target, at_rest.clone(), &Actor::cli())
        .await
        .expect("restore");
    assert!(
        report.fixity.problems.is_empty(),
        "{:?}",
        report.fixity.problems
    );
    assert_eq!(report.fixity.files_checked, 3);
    assert_eq!(report.records, 3);
    assert_eq!(report.blobs_copied, 3);
    assert!(report.audit.is_ok(), "{:?}", report.audit.broken);
    assert_eq!(report.audit.head.as_ref(), Some(&head));
    assert!(report.is_ok());

    let settings = Settings {
        at_rest: at_rest.clone(),
        ..Settings::default()
    };
    let restored = Archive::open_embedded(&target, settings)
        .await
        .expect("open restored");
    for (id, content) in &records {
        assert_eq!(&file_bytes(&restored, *id).await, content);
    }
    // Every audit event is back as it was, the chain is continuous, and the restore itself is
    // the one event after the backup's head.
    let restored_trail = restored.audit_events_after(0, 10_000).await.expect("trail");
    assert_eq!(restored_trail[..trail.len()], trail[..]);
    assert_eq!(restored_trail.len(), trail.len() + 1);
    assert_eq!(restored_trail[trail.len()].action, "backup.restored");
    assert!(restored.verify_audit_chain().await.expect("verify").is_ok());

    let again = backup::restore(dest.path(), &target, at_rest.clone(), &Actor::cli()).await;
    assert!(
        matches!(again, Err(BackupError::TargetHoldsArchive(_))),
        "{again:?}"
    );
    (dest, records)
}

#[tokio::test]
async fn verification_names_each_damaged_file_in_the_backup_and_restore_refuses_it() {
    let data = tempfile::tempdir().expect("data");
    let dest = tempfile::tempdir().expect("dest");
    let archive = archive_with_fonds(data.path()).await;
    let records = accepted_vouchers(&archive, &["一", "二", "三"]).await;
    let taken = backup::backup(data.path(), dest.path(), 7, &AtRest::default())
        .await
        .expect("backup");

    let corrupted = pooled_blob(dest.path(), &records[0].1);
    overwrite(&corrupted, b"not the voucher any more");
    let missing = pooled_blob(dest.path(), &records[2].1);
    std::fs::remove_file(&missing).expect("delete");

    let report = backup::verify_backup(&taken.folder, None)
        .await
        .expect("verify");
    let sha = |content: &[u8]| -> Sha256Digest {
        hex::encode(sha2::Sha256::digest(content))
            .parse()
            .expect("digest")
    };
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert!(report.problems.iter().any(|p| matches!(p,
        BackupProblem::BlobCorrupt { sha256, .. } if *sha256 == sha(&records[0].1))));
    assert!(report.problems.iter().any(|p| matches!(p,
        BackupProblem::BlobMissing { sha256 } if *sha256 == sha(&records[2].1))));
    assert!(
        report.problems[0]
            .to_string()
            .contains(&sha(&records[0].1).to_hex())
            || report.problems[1]
                .to_string()
                .contains(&sha(&records[0].1).to_hex())
    );

    let target = tempfile::tempdir().expect("target");
    let refused = backup::restore(
        &taken.folder,
        target.path(),
        AtRest::default(),
        &Actor::cli(),
    )
    .await;
    match refused {
        Err(BackupError::BackupInvalid { problems, .. }) => assert_eq!(problems.len(), 2),
        other => panic!("expected the restore to be refused, got {other:?}"),
    }
    assert!(!target.path().join("fonds.sqlite").exists());
}

#[tokio::test]
async fn a_changed_manifest_or_public_key_fails_the_signature_check() {
    let data = tempfile::tempdir().expect("data");
    let dest = tempfile::tempdir().expect("dest");
    let archive = archive_with_fonds(data.path()).await;
    accepted_vouchers(&archive, &["签名"]).await;
    let taken = backup::backup(data.path(), dest.path(), 7, &AtRest::default())
        .await
        .expect("backup");
    let manifest_path = taken.folder.join("manifest.json");
    let original = std::fs::read_to_string(&manifest_path).expect("manifest");

    let tampered = original.replacen("\"created_at\": \"20", "\"created_at\": \"19", 1);
    assert_ne!(tampered, original);
    std::fs::write(&manifest_path, tampered).expect("tamper");
    let report = backup::verify_backup(&taken.folder, None)
        .await
        .expect("verify");
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(matches!(
        report.problems[0],
        BackupProblem::BadSignature { .. }
    ));

    std::fs::write(&manifest_path, &original).expect("put back");
    assert!(
        backup::verify_backup(&taken.folder, None)
            .await
            .expect("verify")
            .is_ok()
    );
    let other_key = "11".repeat(32);
    std::fs::write(taken.folder.join("manifest.pub"), other_key).expect("replace key");
    let report = backup::verify_backup(&taken.folder, None)
        .await
        .expect("verify");
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(p, BackupProblem::BadSignature { .. })),
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn retention_keeps_the_newest_backups_and_no_file_that_none_of_them_needs() {
    let dest = tempfile::tempdir().expect("dest");
    // Two archives back up into one destination: once the first archive's only backup is
    // pruned, its file is referenced by no remaining manifest.
    let data_a = tempfile::tempdir().expect("data a");
    let archive_a = archive_with_fonds(data_a.path()).await;
    let a = accepted_vouchers(&archive_a, &["甲"]).await;
    let data_b = tempfile::tempdir().expect("data b");
    let archive_b = archive_with_fonds(data_b.path()).await;
    let b = accepted_vouchers(&archive_b, &["乙", "丙"]).await;

    backup::backup(data_a.path(), dest.path(), 2, &AtRest::default())
        .await
        .expect("backup 1");
    backup::backup(data_b.path(), dest.path(), 2, &AtRest::default())
        .await
        .expect("backup 2");
    assert_eq!(pool(dest.path()).len(), 3);
    let third = backup::backup(data_b.path(), dest.path(), 2, &AtRest::default())
        .await
        .expect("backup 3");

    let pruned = third.pruned.expect("retention applied");
    assert_eq!(pruned.backups_removed.len(), 1);
    assert_eq!(pruned.blobs_removed, 1);
    assert_eq!(backup_folders(dest.path()).len(), 2);
    let expected: BTreeSet<String> = b
        .iter()
        .map(|(_, content)| hex::encode(sha2::Sha256::digest(content)))
        .collect();
    assert_eq!(pool(dest.path()), expected);
    assert!(!pooled_blob(dest.path(), &a[0].1).exists());
    assert!(
        backup::verify_backup(dest.path(), None)
            .await
            .expect("verify")
            .is_ok()
    );
}

#[tokio::test]
async fn a_backup_taken_while_records_are_written_restores_to_a_consistent_archive() {
    let data = tempfile::tempdir().expect("data");
    let dest = tempfile::tempdir().expect("dest");
    let archive = archive_with_fonds(data.path()).await;
    let _workers = archive.spawn_workers(2);
    let writer = {
        let archive = archive.clone();
        tokio::spawn(async move {
            let mut receipts = Vec::new();
            for i in 0..40 {
                let content = pdf(&format!("并发写入 {i}"));
                let receipt = submit_voucher(&archive, &format!("记-{i:04}"), content).await;
                receipts.push(receipt.submission_id);
            }
            receipts
        })
    };
    // Back up once some records are in, while the writer goes on.
    while archive.count_records().await.expect("count") < 5 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let taken = backup::backup(data.path(), dest.path(), 7, &AtRest::default())
        .await
        .expect("backup");
    let submitted = writer.await.expect("writer");
    assert!(taken.problems.is_empty(), "{:?}", taken.problems);
    for id in submitted {
        let receipt = archive
            .receipt(
                id,
                None,
                &fonds_core::access::Scope::everything(),
                Duration::from_secs(30),
            )
            .await
            .expect("receipt");
        assert_eq!(receipt.state, SubmissionState::Accepted);
    }

    let target = tempfile::tempdir().expect("target");
    let report = backup::restore(
        &taken.folder,
        target.path(),
        AtRest::default(),
        &Actor::cli(),
    )
    .await
    .expect("restore");
    assert!(
        report.fixity.problems.is_empty(),
        "{:?}",
        report.fixity.problems
    );
    assert!(
        (5..=40).contains(&report.records),
        "restored {} records",
        report.records
    );
    // Every file the backup holds was checked: the records' files and the parts of submissions
    // that were still being processed when the snapshot was taken.
    assert_eq!(
        report.fixity.files_checked,
        taken.manifest.blobs.len() as u64
    );
    assert!(report.fixity.files_checked >= report.records);

    let mut connection = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        target.path().join("fonds.sqlite").display()
    ))
    .await
    .expect("open");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await
        .expect("integrity");
    assert_eq!(integrity, "ok");
}
