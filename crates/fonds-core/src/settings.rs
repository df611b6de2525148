//! Settings the application services need. Loading them from files and the environment is the
//! binary's job; here they are plain values with safe defaults.

use std::time::Duration;

/// Limits and defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The most bytes one submission may upload, all files together.
    pub max_upload_bytes: u64,
    /// The most bytes the manifest part may have. [`crate::manifest::Manifest::parse`] refuses
    /// more than [`crate::manifest::MAX_MANIFEST_BYTES`] whatever this says.
    pub max_manifest_bytes: usize,
    /// The largest page a list may return.
    pub max_page_size: u32,
    /// The first pause before a failed webhook delivery is retried; it doubles each time.
    pub webhook_retry_base: Duration,
    /// How long a webhook delivery is retried before it is parked as a dead letter.
    pub webhook_give_up_after: Duration,
    /// How long an endpoint has to answer one delivery.
    pub webhook_timeout: Duration,
    /// How the four-properties check runs.
    pub checks: crate::checks::CheckSettings,
    /// The OA origins (`https://oa.example.com`) whose pages may embed Fonds' pages in a frame;
    /// empty, no page may.
    pub frame_ancestors: Vec<String>,
    /// Requests a minute one caller (its network address) may send, in bursts
    /// of a tenth of that; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Requests a minute one client system may send once its signature is verified, from
    /// whatever addresses, in bursts of a tenth of that; 0 turns the limit off.
    pub client_rate_limit_per_minute: u32,
    /// Whether responses carry Strict-Transport-Security: only when served over TLS.
    pub hsts: bool,
    /// The keys that open stored files and the cipher that seals new ones.
    pub at_rest: crate::at_rest::AtRest,
    /// The hash that chains the audit trail of a new archive; an existing trail keeps its own.
    pub audit_hash: crate::audit::AuditHash,
    /// Whether the audit events of content reads are synced to disk before the content is
    /// served (docs/audit.md, "Content reads").
    pub audit_read_commit: crate::audit::ReadCommit,
    /// Logins, lockout and session time-outs.
    pub people: crate::people::PeopleSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_upload_bytes: 512 * 1024 * 1024,
            max_manifest_bytes: crate::manifest::MAX_MANIFEST_BYTES,
            max_page_size: 500,
            webhook_retry_base: Duration::from_secs(10),
            webhook_give_up_after: Duration::from_secs(24 * 3600),
            webhook_timeout: Duration::from_secs(10),
            checks: crate::checks::CheckSettings::default(),
            frame_ancestors: Vec::new(),
            rate_limit_per_minute: 6000,
            client_rate_limit_per_minute: 3000,
            hsts: false,
            at_rest: crate::at_rest::AtRest::default(),
            audit_hash: crate::audit::AuditHash::default(),
            audit_read_commit: crate::audit::ReadCommit::default(),
            people: crate::people::PeopleSettings::default(),
        }
    }
}
