//! The counters the application services keep, exported by the HTTP layer at `/metrics`.
//! Names carry the `fonds_` prefix; label values come from closed sets (codes, outcomes).

/// A submission was received, accepted or rejected.
pub(crate) fn submission(outcome: &'static str) {
    metrics::counter!("fonds_submissions_total", "outcome" => outcome).increment(1);
}

/// A webhook delivery attempt ended: `delivered`, `retry` or `dead`.
pub(crate) fn webhook(outcome: &'static str) {
    metrics::counter!("fonds_webhook_deliveries_total", "outcome" => outcome).increment(1);
}

/// A four-properties check run finished: its outcome by occasion, and each failed item.
pub(crate) fn check_run(run: &fonds_store::NewCheckRun) {
    let outcome = if run.passed() { "passed" } else { "failed" };
    metrics::counter!("fonds_check_runs_total", "occasion" => run.occasion.as_str(), "outcome" => outcome)
        .increment(1);
    for result in &run.results {
        match &result.outcome {
            fonds_domain::Outcome::Failed => {
                metrics::counter!("fonds_check_failures_total", "item" => result.item.as_str())
                    .increment(1);
            }
            fonds_domain::Outcome::NotRun(_) => {
                metrics::counter!("fonds_check_not_run_total", "item" => result.item.as_str())
                    .increment(1);
            }
            fonds_domain::Outcome::Passed | fonds_domain::Outcome::NotApplicable(_) => {}
        }
    }
}
