//! What the core's integration tests share: an archive in a fresh data directory with fonds Z001,
//! and real files to submit (the four-properties check opens every file it receives).

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::path::Path;

use fonds_core::{Archive, Settings};
use fonds_domain::{ArchivalCodePattern, Fonds, RetentionScheme};
use fonds_formats::pdf::{PdfDocument, PdfLine, render};
use time::macros::datetime;

/// A valid one-page PDF showing `text`, rendered by Fonds' own writer. Different texts give
/// different bytes, so each file has its own address in the content-addressed store.
pub fn pdf(text: &str) -> Vec<u8> {
    render(&PdfDocument {
        title: "测试文件".into(),
        subject: None,
        creation_date: datetime!(2023-12-05 10:00),
        lines: vec![PdfLine::Text(text.to_owned())],
    })
}

/// An embedded archive in `data` with fonds Z001 (enterprise table, DA/T 94 codes).
pub async fn archive_with_fonds(data: &Path) -> Archive {
    let archive = Archive::open_embedded(data, Settings::default())
        .await
        .expect("open");
    archive
        .ensure_fonds(
            &Fonds {
                code: "Z001".parse().expect("fonds"),
                name: "测试".into(),
                retention_scheme: RetentionScheme::Enterprise,
                code_pattern: ArchivalCodePattern::dat94(),
            },
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("fonds");
    archive
}
