//! The submission manifest as a sender controls it: any bytes must either be refused by
//! `Manifest::parse` or validated against a fonds' rules without a panic, validation must
//! report at least one problem or at least one record, and what the ingest pipeline derives from
//! a valid record (its due date, its preset code's sequence) must not panic.

#![no_main]

use std::sync::LazyLock;

use fonds_domain::{ArchivalCodePattern, Fonds, RetentionScheme, RetentionTable};
use fonds_formats::manifest::Manifest;
use libfuzzer_sys::fuzz_target;

/// The demo's fonds: Z001 with the DA/T 94 code pattern and the enterprise retention table.
static FONDS: LazyLock<(Fonds, RetentionTable)> = LazyLock::new(|| {
    let fonds = Fonds {
        code: "Z001".parse().expect("Z001 is a fonds code"),
        name: "华东示范科技有限公司".to_owned(),
        retention_scheme: RetentionScheme::Enterprise,
        code_pattern: ArchivalCodePattern::dat94(),
    };
    (
        fonds,
        RetentionTable::statutory(RetentionScheme::Enterprise),
    )
});

fuzz_target!(|data: &[u8]| {
    let Ok(manifest) = Manifest::parse(data) else {
        return;
    };
    let (fonds, table) = &*FONDS;
    match manifest.validate(fonds, table) {
        Ok(records) => {
            assert!(!records.is_empty(), "a valid manifest has records");
            // What the ingest pipeline derives from a valid record must not panic either.
            for record in records {
                let class = record.classification;
                let _ = class.retention.due(class.fiscal_year, None);
                if let Some(code) = record.archival_code {
                    let _ = fonds.code_pattern.sequence_key(code.parts());
                }
            }
        }
        Err(errors) => assert!(!errors.is_empty(), "a refusal names a problem"),
    }
});
