//! `fonds import DIR`: a DA/T 94 §16 folder with its register, resumable, with a report of every
//! refused row.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use fonds_core::{ImportProgress, ImportedRow, Settings};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::ImportArgs;

struct Bar(ProgressBar);

impl ImportProgress for Bar {
    fn start(&mut self, rows: usize) {
        self.0.set_length(rows as u64);
    }

    fn row(&mut self, _line: u64, outcome: &ImportedRow) {
        if let ImportedRow::Refused(reason) = outcome {
            self.0.println(format!("refused: {reason}"));
        }
        self.0.inc(1);
    }
}

/// `fonds import`.
pub async fn run(data: &Path, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    let fonds = args.fonds_code.parse().context("--fonds")?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows [{elapsed_precise}, {eta} left]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut progress = Bar(bar);
    let report = archive.import_dir(&args.dir, &fonds, &mut progress).await?;
    progress.0.finish_and_clear();
    println!(
        "Imported {} rows from {} ({} already imported by an earlier run, {} refused).",
        report.imported,
        report.register.display(),
        report.resumed,
        report.refused.len()
    );
    for (line, reason) in &report.refused {
        println!("  line {line}: {reason}");
    }
    if report.refused.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        println!("Fix the refused rows and run the same command again: imported rows are skipped.");
        Ok(ExitCode::from(1))
    }
}
