//! `fonds demo`: loads the demo archive into an empty data directory and serves it.

use std::path::Path;
use std::process::ExitCode;

use fonds_core::Archive;
use fonds_core::demo::{DemoProgress, DemoSpec, demo_fonds};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::DemoArgs;

struct Bar(ProgressBar);

impl DemoProgress for Bar {
    fn record(&mut self, _archived: bool) {
        self.0.inc(1);
    }
}

/// The label of the token the demo issues at every start; the previous one is revoked.
const DEMO_TOKEN: &str = "demo";

/// `fonds demo`.
pub async fn run(data: &Path, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let archive = Archive::open_embedded(data, super::settings(data)?).await?;
    if archive.is_empty().await? {
        let spec = DemoSpec {
            vouchers: args.vouchers,
            ..DemoSpec::default()
        };
        let fonds = demo_fonds();
        println!(
            "Generating the demo archive of {} ({} 记账凭证, fiscal year {})…",
            fonds.name, spec.vouchers, spec.fiscal_year
        );
        let bar = ProgressBar::new(u64::from(spec.vouchers) + 17);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} records [{elapsed_precise}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let mut progress = Bar(bar);
        let summary = archive.load_demo(&spec, &mut progress).await?;
        progress.0.finish_and_clear();
        println!(
            "Loaded {} records ({} archived, {} collected) with {} files.",
            summary.records,
            summary.archived,
            summary.records - summary.archived,
            summary.files
        );
    } else {
        println!(
            "{} already holds records; serving them as they are.",
            data.display()
        );
    }
    archive
        .revoke_tokens(DEMO_TOKEN, &fonds_core::Actor::cli())
        .await?;
    let token = archive
        .issue_token(
            DEMO_TOKEN,
            &fonds_core::TokenGrant::operational(),
            &fonds_core::Actor::cli(),
        )
        .await?;
    if args.no_serve {
        super::print_token_help(&format!("http://{}", args.listen), &token.secret);
        return Ok(ExitCode::SUCCESS);
    }
    super::serve::serve(
        archive,
        &super::serve::ServePlan::local(data, args.listen),
        Some(&token.secret),
    )
    .await
}
