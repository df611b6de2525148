//! Checking a submission before anything of it is kept: the manifest against the fonds' rules
//! and the client's scope, the business identities against what the archive already holds, and
//! every file part against the digest the manifest declares. Then the accepted blobs are made
//! durable. Any refusal leaves nothing behind: staged files delete themselves when dropped.

use std::collections::{BTreeMap, BTreeSet};

use fonds_domain::access::{DepartmentRef, RecordFacts};
use fonds_domain::{FileId, Fonds, FondsCode, RecordId};
use fonds_store::{NewFile, NewRecord, PresetCode, ReceivedPart, StagedBlob};

use super::{Origin, StagedPart};
use crate::Archive;
use crate::error::{CoreError, ErrorCode, FieldError};
use crate::manifest::{Manifest, ValidRecord};

/// A submission that passed every check, its files durable in the blob store.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// The fonds.
    pub fonds: Fonds,
    /// The validated records.
    pub records: Vec<ValidRecord>,
    /// The stored files by part name.
    pub parts: BTreeMap<String, ReceivedPart>,
}

fn field(pointer: String, code: ErrorCode, detail: String) -> FieldError {
    FieldError {
        pointer,
        code: code.as_str().to_owned(),
        detail,
    }
}

impl Archive {
    /// The fonds a manifest names, validated.
    pub(crate) async fn manifest_fonds(&self, manifest: &Manifest) -> Result<Fonds, CoreError> {
        let code: FondsCode =
            manifest
                .fonds
                .parse()
                .map_err(|e: fonds_domain::FondsCodeError| {
                    CoreError::fields(vec![field(
                        "/fonds".into(),
                        ErrorCode::ManifestInvalid,
                        e.to_string(),
                    )])
                })?;
        self.fonds_or_404(&code).await
    }

    /// Checks everything and makes the files durable.
    pub(crate) async fn prepare(
        &self,
        manifest: &Manifest,
        parts: Vec<StagedPart>,
        origin: &Origin,
    ) -> Result<Prepared, CoreError> {
        let fonds = self.manifest_fonds(manifest).await?;
        let records = manifest
            .validate(&fonds, &Self::retention_table(&fonds))
            .map_err(CoreError::fields)?;
        if let Some(client) = &origin.client {
            for record in &records {
                client
                    .principal
                    .may_submit(&fonds.code, record.classification.kind)?;
            }
        }
        self.check_departments_and_scope(&fonds, &records, origin)
            .await?;
        self.check_conflicts(&fonds, &records).await?;
        let staged = match_parts(&records, parts)?;
        // Blobs first, made durable; then (by the caller) the rows that point at them.
        // LIMITATION: a submission refused after this point (a duplicate that appeared
        // concurrently) leaves its newly committed blobs unreferenced. They are never served, but
        // nothing collects them yet; the sweep belongs with the scheduled fixity and backup jobs.
        // The files are committed side by side: each waits for its own syncs to disk.
        let commits = staged.into_iter().map(|(part, blob)| async move {
            let media_type = fonds_formats::sniff::identify(blob.head())
                .media_type
                .to_owned();
            let digests = self.blobs.commit(blob).await?;
            Ok::<_, CoreError>((
                part.clone(),
                ReceivedPart {
                    part,
                    sha256: digests.sha256,
                    sm3: digests.sm3,
                    size: digests.size,
                    media_type,
                },
            ))
        });
        let stored: BTreeMap<_, _> = futures_util::future::try_join_all(commits)
            .await?
            .into_iter()
            .collect();
        Ok(Prepared {
            fonds,
            records,
            parts: stored,
        })
    }

    /// Refuses records naming a department the fonds' tree does not hold, and, when any record
    /// lies outside what the sender may submit, the whole submission.
    async fn check_departments_and_scope(
        &self,
        fonds: &Fonds,
        records: &[ValidRecord],
        origin: &Origin,
    ) -> Result<(), CoreError> {
        let needs_tree = records.iter().any(|r| r.department.is_some());
        let tree = if needs_tree {
            self.metadata.departments(Some(&fonds.code)).await?
        } else {
            Vec::new()
        };
        let mut errors = Vec::new();
        for (i, record) in records.iter().enumerate() {
            let path: Vec<DepartmentRef> = match &record.department {
                None => Vec::new(),
                Some(code) => match tree.iter().find(|d| &d.code == code) {
                    Some(department) => department
                        .path
                        .iter()
                        .rev()
                        .map(|code| DepartmentRef {
                            fonds: fonds.code.clone(),
                            code: code.clone(),
                        })
                        .collect(),
                    None => {
                        errors.push(field(
                            format!("/records/{i}/department"),
                            ErrorCode::ManifestInvalid,
                            format!(
                                "fonds {} has no department {code}; the system administrator adds \
                                 it with `fonds department add`",
                                fonds.code
                            ),
                        ));
                        continue;
                    }
                },
            };
            let facts = RecordFacts {
                fonds: &fonds.code,
                department_path: &path,
                kind: record.classification.kind,
                fiscal_year: record.classification.fiscal_year,
                secrecy: record.secrecy,
            };
            if !origin.scope.covers(&facts) {
                return Err(CoreError::new(
                    ErrorCode::ScopeDenied,
                    format!(
                        "record {i} ({} of {}, {}) lies outside what you may submit; nothing was \
                         received",
                        record.classification.kind.name_zh(),
                        record.classification.fiscal_year,
                        record.secrecy.name_zh()
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(CoreError::fields(errors))
        }
    }

    /// Refuses records whose business identity or preset archival code the archive already
    /// holds. The database enforces the same rules when the records are written; this check
    /// answers at once instead of after the pipeline.
    async fn check_conflicts(
        &self,
        fonds: &Fonds,
        records: &[ValidRecord],
    ) -> Result<(), CoreError> {
        let mut errors = Vec::new();
        for (i, record) in records.iter().enumerate() {
            let class = &record.classification;
            if let Some(number) = &record.description.number {
                let existing = self
                    .metadata
                    .existing_record(
                        &fonds.code,
                        class.kind,
                        class.fiscal_year.get(),
                        class.period.map(|p| p.month()),
                        number.as_str(),
                    )
                    .await?;
                match existing {
                    Some((_, Some(code))) => errors.push(field(
                        format!("/records/{i}/voucher_number"),
                        ErrorCode::RecordAlreadyArchived,
                        format!("{} {number} is already archived as {code}; it cannot be submitted again", class.kind.name_zh()),
                    )),
                    Some((id, None)) => errors.push(field(
                        format!("/records/{i}/voucher_number"),
                        ErrorCode::RecordDuplicate,
                        format!("{} {number} of this period was already received as record {id}", class.kind.name_zh()),
                    )),
                    None => {}
                }
            }
            let Some(code) = &record.archival_code else {
                continue;
            };
            if let Some(holder) = self
                .metadata
                .archival_code_holder(&fonds.code, code.as_str())
                .await?
            {
                errors.push(field(
                    format!("/records/{i}/archival_code"),
                    ErrorCode::ArchivalCodeTaken,
                    format!(
                        "archival code {code} is already taken in fonds {} by record {holder}",
                        fonds.code
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(CoreError::fields(errors))
        }
    }
}

/// The records to write, with their files, from validated records and stored parts.
pub(crate) fn build_records(
    fonds: &Fonds,
    records: Vec<ValidRecord>,
    parts: &BTreeMap<String, ReceivedPart>,
) -> Result<Vec<NewRecord>, CoreError> {
    records
        .into_iter()
        .map(|record| {
            let files = record
                .files
                .iter()
                .map(|file| {
                    let stored = parts.get(&file.part).ok_or_else(|| {
                        CoreError::new(
                            ErrorCode::FilePartMissing,
                            format!("part `{}` was not stored", file.part),
                        )
                    })?;
                    Ok(NewFile {
                        id: FileId::new(),
                        part: Some(file.part.clone()),
                        role: file.role,
                        file_name: file.file_name.clone(),
                        media_type: stored.media_type.clone(),
                        size: stored.size,
                        sha256: stored.sha256,
                        sm3: stored.sm3,
                    })
                })
                .collect::<Result<Vec<_>, CoreError>>()?;
            let preset_code = record
                .archival_code
                .as_ref()
                .map(|code| {
                    fonds
                        .code_pattern
                        .sequence_key(code.parts())
                        .map(|sequence_key| PresetCode {
                            code: code.clone(),
                            sequence_key,
                        })
                })
                .transpose()
                .map_err(|e| CoreError::new(ErrorCode::ManifestInvalid, e.to_string()))?;
            let retention_due = record
                .classification
                .retention
                .due(record.classification.fiscal_year, None);
            Ok(NewRecord {
                id: RecordId::new(),
                classification: record.classification,
                description: record.description,
                entries: record.entries,
                files,
                retention_due,
                source_reference: record.source_reference,
                key: record.key,
                business_keys: record.business_keys,
                links: record.links,
                preset_code,
                department: record.department,
                secrecy: record.secrecy,
            })
        })
        .collect()
}

/// Pairs every declared file with its part, refusing missing, unexpected and mismatched parts.
fn match_parts(
    records: &[ValidRecord],
    parts: Vec<StagedPart>,
) -> Result<BTreeMap<String, StagedBlob>, CoreError> {
    let mut errors = Vec::new();
    let mut by_name = BTreeMap::new();
    for part in parts {
        if by_name.contains_key(&part.name) {
            errors.push(field(
                format!("part {}", part.name),
                ErrorCode::FilePartUnexpected,
                format!("part `{}` was sent twice", part.name),
            ));
            continue;
        }
        by_name.insert(part.name, part.blob);
    }
    let mut declared = BTreeSet::new();
    for (i, record) in records.iter().enumerate() {
        for (j, file) in record.files.iter().enumerate() {
            declared.insert(file.part.as_str());
            let pointer = format!("/records/{i}/files/{j}");
            match by_name.get(&file.part) {
                None => errors.push(field(
                    pointer,
                    ErrorCode::FilePartMissing,
                    format!(
                        "the manifest names part `{}` but no such part was sent",
                        file.part
                    ),
                )),
                Some(blob) if blob.digests().sha256 != file.sha256 => errors.push(field(
                    format!("{pointer}/sha256"),
                    ErrorCode::DigestMismatch,
                    format!(
                        "part `{}` has SHA-256 {} but the manifest declares {}; the file was \
                         changed or truncated in transit",
                        file.part,
                        blob.digests().sha256,
                        file.sha256
                    ),
                )),
                Some(_) => {}
            }
        }
    }
    for name in by_name.keys() {
        if !declared.contains(name.as_str()) {
            errors.push(field(
                format!("part {name}"),
                ErrorCode::FilePartUnexpected,
                format!("part `{name}` is not named by any file in the manifest"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(by_name)
    } else {
        Err(CoreError::fields(errors))
    }
}
