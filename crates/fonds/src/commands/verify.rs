//! `fonds verify`: re-hash every stored file and name each one that is missing or changed.

use std::path::Path;
use std::process::ExitCode;

use fonds_core::{FixityProblem, Settings, VerifyProgress};
use indicatif::{ProgressBar, ProgressStyle};

struct Bar(ProgressBar);

impl VerifyProgress for Bar {
    fn checked(&mut self, bytes: u64) {
        self.0.inc(1);
        let _ = bytes;
    }
}

/// `fonds verify`.
pub async fn run(data: &Path) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    let bar = ProgressBar::new_spinner().with_message("verifying stored files");
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}: {pos} files [{elapsed_precise}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let mut progress = Bar(bar);
    let report = archive.verify(&mut progress).await?;
    progress.0.finish_and_clear();
    for problem in &report.problems {
        println!("{problem}");
    }
    let mib = report.bytes_read as f64 / (1024.0 * 1024.0);
    if report.problems.is_empty() {
        println!(
            "OK: {} files ({mib:.1} MiB) match their SHA-256 and SM3 digests.",
            report.files_checked
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "FAILED: {} of {} files are missing or changed. Restore them from a backup, then run `fonds verify` again.",
            report.problems.len(),
            report.files_checked
                + report
                    .problems
                    .iter()
                    .filter(|p| matches!(p, FixityProblem::Missing { .. }))
                    .count() as u64
        );
        Ok(ExitCode::from(1))
    }
}
