//! The digest checks: each tampered variant is caught and names its file.

use sha2::{Digest as _, Sha256};

use super::*;

fn outcome_for<'a>(detail: &'a SignatureDetail, path: &str) -> &'a DigestCheck {
    &detail
        .references
        .iter()
        .find(|r| r.path.as_deref() == Some(path))
        .expect("reference to the file")
        .outcome
}

fn others_match(detail: &SignatureDetail, except: &str) {
    for reference in &detail.references {
        if reference.path.as_deref() != Some(except) {
            assert_eq!(
                reference.outcome,
                DigestCheck::Matches,
                "{}",
                reference.file_ref
            );
        }
    }
}

#[test]
fn a_wrong_check_value_differs_on_the_file_it_declares() {
    let document = read_default(&tampered(Tamper::CheckValueWrong)).expect("readable");
    let detail = only_signature(&document);
    let path = Tamper::CheckValueWrong.affected_path().expect("a file");
    assert_eq!(path, "Doc_0/Attachs/original_invoice.xml");
    match outcome_for(detail, path) {
        DigestCheck::Differs { declared, computed } => {
            assert_ne!(declared, computed);
            assert_eq!(computed.len(), 44, "an SM3 digest in base64");
        }
        other => panic!("expected Differs, got {other:?}"),
    }
    others_match(detail, path);
    // The data itself is as issued.
    assert_eq!(document.facts(), Some(vat_spec().facts()));
}

#[test]
fn content_changed_after_signing_differs_and_the_changed_value_is_what_is_read() {
    let document = read_default(&tampered(Tamper::ContentChangedAfterSigning)).expect("readable");
    let detail = only_signature(&document);
    let path = Tamper::ContentChangedAfterSigning
        .affected_path()
        .expect("a file");
    assert!(matches!(
        outcome_for(detail, path),
        DigestCheck::Differs { .. }
    ));
    others_match(detail, path);
    let facts = document.facts().expect("facts");
    assert_eq!(facts.total_with_tax, Some(yuan("312.00")));
}

#[test]
fn a_signed_file_left_out_of_the_package_is_missing() {
    let document = read_default(&tampered(Tamper::SignedFileRemoved)).expect("readable");
    let detail = only_signature(&document);
    let path = Tamper::SignedFileRemoved.affected_path().expect("a file");
    assert_eq!(outcome_for(detail, path), &DigestCheck::FileMissing);
    others_match(detail, path);
}

#[test]
fn an_unsupported_check_method_is_reported_for_every_reference() {
    let document = read_default(&tampered(Tamper::CheckMethodUnsupported)).expect("readable");
    let detail = only_signature(&document);
    assert_eq!(detail.references.len(), 5);
    for reference in &detail.references {
        assert_eq!(
            reference.outcome,
            DigestCheck::MethodUnsupported("MD5".into())
        );
    }
}

#[test]
fn an_absent_check_method_means_md5_which_is_unsupported() {
    let bytes = edited(
        &render_invoice(&vat_spec()),
        "Doc_0/Signs/Sign_0/Signature.xml",
        |text| text.replace(" CheckMethod=\"1.2.156.10197.1.401\"", ""),
    );
    let document = read_default(&bytes).expect("readable");
    let detail = only_signature(&document);
    assert_eq!(detail.check_method, None);
    assert!(
        detail
            .references
            .iter()
            .all(|r| r.outcome == DigestCheck::MethodUnsupported("MD5".into()))
    );
}

#[test]
fn sm3_by_name_and_sha256_by_oid_or_name_are_computed() {
    assert_eq!(CheckMethod::parse("SM3"), Some(CheckMethod::Sm3));
    assert_eq!(CheckMethod::parse(" sm3 "), Some(CheckMethod::Sm3));
    assert_eq!(
        CheckMethod::parse("2.16.840.1.101.3.4.2.1"),
        Some(CheckMethod::Sha256)
    );
    assert_eq!(CheckMethod::parse("SHA-256"), Some(CheckMethod::Sha256));
    assert_eq!(CheckMethod::parse("sha256"), Some(CheckMethod::Sha256));
    assert_eq!(CheckMethod::parse("1.2.156.10197.1.501"), None);

    // Re-declare every reference with SHA-256 values and the SHA-256 OID.
    let bytes = render_invoice(&vat_spec());
    let entries = unpack(&bytes);
    let mut signature = String::from_utf8(
        entries
            .iter()
            .find(|(n, _)| n == "Doc_0/Signs/Sign_0/Signature.xml")
            .expect("signature")
            .1
            .clone(),
    )
    .expect("utf-8");
    signature = signature.replace(CheckMethod::SM3_OID, CheckMethod::SHA256_OID);
    for (name, data) in &entries {
        let sm3 = base64::encode(&CheckMethod::Sm3.digest(data));
        let sha = base64::encode(&Sha256::digest(data));
        if signature.contains(&format!("FileRef=\"/{name}\"")) {
            signature = signature.replace(&sm3, &sha);
        }
    }
    let bytes = edited(&bytes, "Doc_0/Signs/Sign_0/Signature.xml", |_| {
        signature.clone()
    });
    let document = read_default(&bytes).expect("readable");
    let detail = only_signature(&document);
    assert_eq!(detail.references.len(), 5);
    assert!(
        detail
            .references
            .iter()
            .all(|r| r.outcome == DigestCheck::Matches)
    );
}

#[test]
fn file_refs_resolve_from_the_root_with_or_without_a_slash_and_never_outside() {
    let bytes = edited(
        &render_invoice(&vat_spec()),
        "Doc_0/Signs/Sign_0/Signature.xml",
        |text| {
            text.replace(
                "FileRef=\"/Doc_0/Document.xml\"",
                "FileRef=\"Doc_0/Document.xml\"",
            )
            .replace(
                "FileRef=\"/Doc_0/PublicRes.xml\"",
                "FileRef=\"/Doc_0/./Res/../PublicRes.xml\"",
            )
            .replace(
                "FileRef=\"/Doc_0/Pages/Page_0/Content.xml\"",
                "FileRef=\"../../Doc_0/Pages/Page_0/Content.xml\"",
            )
        },
    );
    let document = read_default(&bytes).expect("readable");
    let detail = only_signature(&document);
    let by_ref = |file_ref: &str| {
        detail
            .references
            .iter()
            .find(|r| r.file_ref == file_ref)
            .expect("reference")
    };
    assert_eq!(by_ref("Doc_0/Document.xml").outcome, DigestCheck::Matches);
    let dotted = by_ref("/Doc_0/./Res/../PublicRes.xml");
    assert_eq!(dotted.path.as_deref(), Some("Doc_0/PublicRes.xml"));
    assert_eq!(dotted.outcome, DigestCheck::Matches);
    let climbing = by_ref("../../Doc_0/Pages/Page_0/Content.xml");
    assert_eq!(climbing.path, None);
    assert_eq!(climbing.outcome, DigestCheck::FileMissing);
}

#[test]
fn a_malformed_or_absent_check_value_is_reported() {
    let bytes = render_invoice(&vat_spec());
    let document_digest = base64::encode(
        &CheckMethod::Sm3.digest(
            &unpack(&bytes)
                .into_iter()
                .find(|(n, _)| n == "Doc_0/Document.xml")
                .expect("document")
                .1,
        ),
    );
    let bytes = edited(&bytes, "Doc_0/Signs/Sign_0/Signature.xml", |text| {
        text.replace(&document_digest, &format!(" {document_digest}x"))
    });
    let document = read_default(&bytes).expect("readable");
    let detail = only_signature(&document);
    assert_eq!(
        detail.references[0].outcome,
        DigestCheck::CheckValueMalformed
    );
    assert_eq!(detail.references[1].outcome, DigestCheck::Matches);
}

#[test]
fn missing_signature_and_signed_value_files_are_reported_not_errors() {
    let mut entries = unpack(&render_invoice(&vat_spec()));
    entries.retain(|(name, _)| name != "Doc_0/Signs/Sign_0/SignedValue.dat");
    let document = read_default(&repack(&entries)).expect("readable");
    let detail = only_signature(&document);
    assert_eq!(detail.signed_value.path, None);
    assert_eq!(detail.signed_value.size, None);
    assert_eq!(
        detail.seal_signature,
        SealSignatureCheck::SignedValueMissing
    );

    entries.retain(|(name, _)| name != "Doc_0/Signs/Sign_0/Signature.xml");
    let document = read_default(&repack(&entries)).expect("readable");
    assert_eq!(document.signatures[0].file, SignatureFile::Missing);
}
