//! What the core's integration tests share: an archive in a fresh data directory with fonds Z001.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::path::Path;

use fonds_core::{Archive, Settings};
use fonds_domain::{ArchivalCodePattern, Fonds, RetentionScheme};

/// An embedded archive in `data` with fonds Z001 (enterprise table, DA/T 94 codes).
pub async fn archive_with_fonds(data: &Path) -> Archive {
    let archive = Archive::open_embedded(data, Settings::default())
        .await
        .expect("open");
    archive
        .ensure_fonds(&Fonds {
            code: "Z001".parse().expect("fonds"),
            name: "测试".into(),
            retention_scheme: RetentionScheme::Enterprise,
            code_pattern: ArchivalCodePattern::dat94(),
        })
        .await
        .expect("fonds");
    archive
}
