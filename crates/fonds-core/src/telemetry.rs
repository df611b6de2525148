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
