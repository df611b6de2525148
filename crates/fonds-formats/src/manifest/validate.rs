//! Validating a parsed manifest against a fonds' rules: every field becomes a domain value or a
//! [`FieldError`] naming it by its JSON pointer, and every problem of every record is collected
//! before the answer, so that the sender can fix them all at once.

use std::collections::BTreeSet;

use fonds_domain::access::{DepartmentCode, SecrecyLevel};
use fonds_domain::{
    AccountingPeriod, ArchivalCode, BusinessKey, Classification, ErrorCode, FieldError, FileRole,
    FiscalYear, Fonds, LinkType, Money, RecordDescription, RecordKind, RetentionPeriod,
    RetentionTable, Sha256Digest, VoucherEntry, VoucherError, ensure_balanced,
};
use time::Date;
use time::macros::format_description;

use super::{
    MAX_FILES_PER_RECORD, MAX_RECORDS, Manifest, ManifestKey, ManifestRecord, ValidFile,
    ValidRecord,
};

impl Manifest {
    /// Validates every record against the fonds' rules.
    ///
    /// # Errors
    /// Every problem found, each with its JSON pointer and code, in the order of the manifest.
    pub fn validate(
        &self,
        fonds: &Fonds,
        table: &RetentionTable,
    ) -> Result<Vec<ValidRecord>, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.records.is_empty() || self.records.len() > MAX_RECORDS {
            errors.push(field(
                "/records",
                ErrorCode::ManifestInvalid,
                format!("declare 1 to {MAX_RECORDS} records per submission"),
            ));
        }
        let mut parts = BTreeSet::new();
        let mut valid = Vec::new();
        for (i, record) in self.records.iter().enumerate() {
            let at = format!("/records/{i}");
            for (j, file) in record.files.iter().enumerate() {
                if !parts.insert(file.part.as_str()) {
                    errors.push(field(
                        &format!("{at}/files/{j}/part"),
                        ErrorCode::ManifestInvalid,
                        format!(
                            "part `{}` is named twice; give every file its own part",
                            file.part
                        ),
                    ));
                }
            }
            if let Some(record) = validate_record(record, &at, fonds, table, &mut errors) {
                valid.push(record);
            }
        }
        check_unique_within(&valid, &mut errors);
        if errors.is_empty() {
            Ok(valid)
        } else {
            Err(errors)
        }
    }
}

fn field(pointer: &str, code: ErrorCode, detail: impl Into<String>) -> FieldError {
    FieldError {
        pointer: pointer.to_owned(),
        code: code.as_str().to_owned(),
        detail: detail.into(),
    }
}

/// Parses one optional field, recording a problem under `pointer` if it does not parse.
fn parse_opt<T, E: std::fmt::Display>(
    value: Option<&str>,
    pointer: String,
    parse: impl FnOnce(&str) -> Result<T, E>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    value.and_then(|v| match parse(v) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(field(&pointer, ErrorCode::ManifestInvalid, e.to_string()));
            None
        }
    })
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("`{text}` is not a date: write YYYY-MM-DD"))
}

/// Two records of one submission cannot share a voucher number in a period or a business key:
/// the archive would refuse the second anyway, and saying so at once names both places.
fn check_unique_within(records: &[ValidRecord], errors: &mut Vec<FieldError>) {
    let mut numbers = std::collections::BTreeMap::new();
    let mut keys = std::collections::BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        let class = &r.classification;
        if let Some(number) = &r.description.number {
            let identity = (
                class.kind,
                class.fiscal_year,
                class.period,
                number.as_str().to_owned(),
            );
            if let Some(first) = numbers.insert(identity, i) {
                errors.push(field(
                    &format!("/records/{i}/voucher_number"),
                    ErrorCode::RecordDuplicate,
                    format!(
                        "{} {number} is also record {first} of this submission",
                        class.kind.name_zh()
                    ),
                ));
            }
        }
        for key in &r.business_keys {
            if let Some(first) = keys.insert(key.clone(), i) {
                errors.push(field(
                    &format!("/records/{i}/business_keys"),
                    ErrorCode::BusinessKeyTaken,
                    format!("{key} also names record {first} of this submission"),
                ));
            }
        }
    }
}

fn validate_record(
    r: &ManifestRecord,
    at: &str,
    fonds: &Fonds,
    table: &RetentionTable,
    errors: &mut Vec<FieldError>,
) -> Option<ValidRecord> {
    let before = errors.len();
    let kind = r.kind.parse::<RecordKind>().map_err(|e| {
        errors.push(field(
            &format!("{at}/kind"),
            ErrorCode::RecordKindUnknown,
            e.to_string(),
        ));
    });
    let year = FiscalYear::new(r.fiscal_year).map_err(|e| {
        errors.push(field(
            &format!("{at}/fiscal_year"),
            ErrorCode::ManifestInvalid,
            e.to_string(),
        ));
    });
    let period = match (&year, r.period) {
        (Ok(year), Some(month)) => AccountingPeriod::new(*year, month).map(Some).map_err(|e| {
            errors.push(field(
                &format!("{at}/period"),
                ErrorCode::ManifestInvalid,
                e.to_string(),
            ));
        }),
        _ => Ok(None),
    };
    let requested = parse_opt(
        r.retention.as_deref(),
        format!("{at}/retention"),
        str::parse::<RetentionPeriod>,
        errors,
    );
    let retention = kind.as_ref().ok().and_then(|kind| {
        table
            .assign(*kind, requested)
            .map_err(|e| {
                errors.push(field(
                    &format!("{at}/retention"),
                    ErrorCode::RetentionBelowMinimum,
                    e.to_string(),
                ));
            })
            .ok()
    });
    let description = RecordDescription {
        title: r.title.clone(),
        date: parse_opt(r.date.as_deref(), format!("{at}/date"), parse_date, errors),
        number: parse_opt(
            r.voucher_number.as_deref(),
            format!("{at}/voucher_number"),
            str::parse,
            errors,
        ),
        amount: parse_opt(
            r.amount.as_deref(),
            format!("{at}/amount"),
            str::parse::<Money>,
            errors,
        ),
        preparer: r.preparer.clone(),
        reviewer: r.reviewer.clone(),
        attachment_count: r.attachment_count,
        remarks: r.remarks.clone(),
    };
    let entries = validate_entries(r, at, errors);
    let files = validate_files(r, at, errors);
    let business_keys = validate_keys(&r.business_keys, &format!("{at}/business_keys"), errors);
    let links = validate_keys(&r.links, &format!("{at}/links"), errors);
    let (Ok(kind), Ok(fiscal_year), Ok(period), Some(retention)) = (kind, year, period, retention)
    else {
        return None;
    };
    let classification = Classification {
        kind,
        fiscal_year,
        period,
        retention,
    };
    if let Err(e) = description.validate(&classification) {
        errors.push(field(at, ErrorCode::ManifestInvalid, e.to_string()));
    }
    if kind == RecordKind::AccountingVoucher && !entries.is_empty() {
        // Entries are optional (a DA/T 94 F.1 register does not carry them); when sent, they
        // must balance and agree with the amount.
        check_voucher(&entries, description.amount, at, errors);
    } else if !entries.is_empty() {
        errors.push(field(
            &format!("{at}/entries"),
            ErrorCode::ManifestInvalid,
            format!("only a 记账凭证 has entries, not a {}", kind.name_zh()),
        ));
    }
    if files.is_empty() && errors.len() == before {
        errors.push(field(
            &format!("{at}/files"),
            ErrorCode::ManifestInvalid,
            "a record needs at least one file: its main document",
        ));
    }
    let archival_code = r.archival_code.as_deref().and_then(|code| {
        preset_code(code, fonds, &classification)
            .map_err(|e| {
                errors.push(field(
                    &format!("{at}/archival_code"),
                    ErrorCode::ManifestInvalid,
                    e,
                ))
            })
            .ok()
    });
    let department = parse_opt(
        r.department.as_deref(),
        format!("{at}/department"),
        str::parse::<DepartmentCode>,
        errors,
    );
    let secrecy = parse_opt(
        r.secrecy.as_deref(),
        format!("{at}/secrecy"),
        str::parse::<SecrecyLevel>,
        errors,
    )
    .unwrap_or_default();
    (errors.len() == before).then(|| ValidRecord {
        key: r.key.clone(),
        classification,
        description,
        entries,
        files,
        archival_code,
        source_reference: r.source_reference.clone(),
        business_keys,
        links,
        department,
        secrecy,
    })
}

fn validate_entries(
    r: &ManifestRecord,
    at: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<VoucherEntry> {
    r.entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let pointer = format!("{at}/entries/{i}");
            let mut side = |value: &Option<String>, name: &str| {
                parse_opt(
                    value.as_deref(),
                    format!("{pointer}/{name}"),
                    str::parse::<Money>,
                    errors,
                )
                .unwrap_or(Money::ZERO)
            };
            let debit = side(&e.debit, "debit");
            let credit = side(&e.credit, "credit");
            let texts = [
                (&e.summary, "summary"),
                (&e.account_code, "account_code"),
                (&e.account_name, "account_name"),
            ];
            for (text, name) in texts {
                if text.trim().is_empty()
                    || text.chars().count() > 200
                    || text.chars().any(char::is_control)
                {
                    errors.push(field(
                        &format!("{pointer}/{name}"),
                        ErrorCode::ManifestInvalid,
                        "write 1 to 200 characters without control characters",
                    ));
                }
            }
            VoucherEntry {
                summary: e.summary.clone(),
                account_code: e.account_code.clone(),
                account_name: e.account_name.clone(),
                debit,
                credit,
            }
        })
        .collect()
}

fn validate_keys(keys: &[ManifestKey], at: &str, errors: &mut Vec<FieldError>) -> Vec<BusinessKey> {
    let mut seen = BTreeSet::new();
    keys.iter()
        .enumerate()
        .filter_map(|(i, k)| {
            let pointer = format!("{at}/{i}");
            let link_type = k
                .link_type
                .parse::<LinkType>()
                .map_err(|e| {
                    errors.push(field(
                        &format!("{pointer}/type"),
                        ErrorCode::LinkTypeUnknown,
                        e.to_string(),
                    ))
                })
                .ok()?;
            let key = BusinessKey::new(link_type, &k.key)
                .map_err(|e| {
                    errors.push(field(
                        &format!("{pointer}/key"),
                        ErrorCode::ManifestInvalid,
                        e.to_string(),
                    ))
                })
                .ok()?;
            if !seen.insert(key.clone()) {
                errors.push(field(
                    &pointer,
                    ErrorCode::ManifestInvalid,
                    format!("{key} is named twice"),
                ));
                return None;
            }
            Some(key)
        })
        .collect()
}

fn check_voucher(
    entries: &[VoucherEntry],
    amount: Option<Money>,
    at: &str,
    errors: &mut Vec<FieldError>,
) {
    let pointer = format!("{at}/entries");
    match ensure_balanced(entries) {
        Ok(total) => {
            if amount.is_some_and(|a| a != total) {
                errors.push(field(
                    &format!("{at}/amount"),
                    ErrorCode::ManifestInvalid,
                    format!("the amount must equal the entries' debit total {total}"),
                ));
            }
        }
        Err(e @ VoucherError::Unbalanced { .. }) => {
            errors.push(field(&pointer, ErrorCode::VoucherUnbalanced, e.to_string()));
        }
        Err(e) => errors.push(field(&pointer, ErrorCode::ManifestInvalid, e.to_string())),
    }
}

fn validate_files(r: &ManifestRecord, at: &str, errors: &mut Vec<FieldError>) -> Vec<ValidFile> {
    if r.files.len() > MAX_FILES_PER_RECORD {
        errors.push(field(
            &format!("{at}/files"),
            ErrorCode::ManifestInvalid,
            format!("a record carries at most {MAX_FILES_PER_RECORD} files"),
        ));
    }
    let mut files: Vec<ValidFile> = r
        .files
        .iter()
        .enumerate()
        .filter_map(|(j, f)| {
            let pointer = format!("{at}/files/{j}");
            let role = parse_opt(
                Some(&f.role),
                format!("{pointer}/role"),
                str::parse::<FileRole>,
                errors,
            );
            let sha256 = parse_opt(
                Some(&f.sha256),
                format!("{pointer}/sha256"),
                str::parse::<Sha256Digest>,
                errors,
            );
            let name_ok = !f.file_name.is_empty()
                && f.file_name.chars().count() <= 255
                && !f
                    .file_name
                    .chars()
                    .any(|c| c.is_control() || matches!(c, '/' | '\\'))
                && f.file_name != ".."
                && f.file_name != ".";
            if !name_ok {
                errors.push(field(
                    &format!("{pointer}/file_name"),
                    ErrorCode::ManifestInvalid,
                    "a file name is 1 to 255 characters without slashes or control characters",
                ));
            }
            let part_ok = !f.part.is_empty() && f.part.len() <= 100 && f.part != "manifest";
            if !part_ok {
                errors.push(field(
                    &format!("{pointer}/part"),
                    ErrorCode::ManifestInvalid,
                    "a part name is 1 to 100 bytes and not `manifest`",
                ));
            }
            Some(ValidFile {
                part: f.part.clone(),
                role: role?,
                file_name: f.file_name.clone(),
                sha256: sha256?,
            })
        })
        .collect();
    // Item order: 记账凭证 → originals → invoices → other attachments (DA/T 94 8.4.1).
    files.sort_by_key(|f| f.role);
    if !files.is_empty() && files.iter().filter(|f| f.role == FileRole::Main).count() != 1 {
        errors.push(field(
            &format!("{at}/files"),
            ErrorCode::ManifestInvalid,
            "a record has exactly one file with role `main`",
        ));
    }
    files
}

fn preset_code(code: &str, fonds: &Fonds, class: &Classification) -> Result<ArchivalCode, String> {
    let parsed = fonds
        .code_pattern
        .parse_code(&fonds.code, code)
        .map_err(|e| e.to_string())?;
    let expected = class.code_parts(&fonds.code, parsed.parts().item);
    let parts = parsed.parts();
    if parts.category != expected.category
        || parts.year != expected.year
        || parts.retention != expected.retention
    {
        return Err(format!(
            "archival code {code} does not fit the record: expected class {}·{}·{}",
            expected.category, expected.year, expected.retention
        ));
    }
    Ok(parsed)
}
