//! The server's configuration: defaults, then `fonds.toml`, then `FONDS_*` environment variables,
//! then the command line, each overriding the one before. A key the code does not know is
//! refused with its name and where it came from, so that a misspelt setting never silently falls
//! back to a default. `fonds.example.toml` at the repository root documents every key; a test
//! keeps the two identical.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The environment variables read are `FONDS_` followed by a key in capitals.
pub const ENV_PREFIX: &str = "FONDS_";

/// How stored files are encrypted at rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AtRestCipher {
    /// AES-256-GCM.
    #[default]
    #[serde(rename = "aes-256-gcm")]
    Aes256Gcm,
    /// SM4-GCM (国密).
    #[serde(rename = "sm4-gcm")]
    Sm4Gcm,
    /// New files are stored in the clear (files sealed before stay sealed and need the key).
    #[serde(rename = "off")]
    Off,
}

impl AtRestCipher {
    /// The cipher new files are sealed with; `None` when off.
    #[must_use]
    pub fn cipher(self) -> Option<fonds_core::at_rest::Cipher> {
        match self {
            Self::Aes256Gcm => Some(fonds_core::at_rest::Cipher::Aes256Gcm),
            Self::Sm4Gcm => Some(fonds_core::at_rest::Cipher::Sm4Gcm),
            Self::Off => None,
        }
    }
}

/// Who must have a second login factor (TOTP) before a session opens fully.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequireSecondFactor {
    /// The three officers: system, security and audit administrators.
    #[default]
    Officers,
    /// Everyone who logs in.
    Everyone,
}

impl RequireSecondFactor {
    /// The policy the archive applies.
    #[must_use]
    pub fn policy(self) -> fonds_core::people::SecondFactorPolicy {
        match self {
            Self::Officers => fonds_core::people::SecondFactorPolicy::Officers,
            Self::Everyone => fonds_core::people::SecondFactorPolicy::Everyone,
        }
    }
}

/// What to do with a second booking of an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateInvoices {
    /// Refuse it, naming the record it was first booked to.
    #[default]
    Reject,
    /// Accept it and list it for review.
    Flag,
}

/// How the audit events of content reads are committed before the content is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditReadCommit {
    /// Synced to disk: a read is never served without a trace that survives a power cut.
    #[default]
    Durable,
    /// Committed without a sync: survives a crash of Fonds, not a power cut before the next
    /// synced commit; much cheaper per read.
    Relaxed,
}

/// Every setting of `fonds serve`. Field names are the keys of `fonds.toml`; the environment
/// variable of each is `FONDS_` and the key in capitals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// Allow plain HTTP on an address other machines can reach (behind a TLS proxy).
    pub plain_http: bool,
    /// Serve HTTPS.
    pub tls: bool,
    /// The certificate chain (PEM); without it `tls` generates a self-signed one.
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// Host names the self-signed certificate is made for.
    pub tls_hosts: Vec<String>,
    /// CA certificates (PEM bundle) that issue client systems' certificates; with it the TLS
    /// listener asks every connection for a client certificate, optionally.
    pub tls_client_ca: Option<PathBuf>,
    /// The largest upload per submission, in MiB.
    pub max_upload_mib: u64,
    /// OA origins whose pages may embed Fonds' pages in a frame.
    pub frame_ancestors: Vec<String>,
    /// Requests a minute one caller may send (bursts of a tenth); 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Requests a minute one client system may send, from any address; 0 turns the limit off.
    pub client_rate_limit_per_minute: u32,
    /// Minutes a person's session may go unused before it ends.
    pub session_idle_minutes: u32,
    /// Hours after login a person's session ends, however much it is used.
    pub session_absolute_hours: u32,
    /// Who must log in with a second factor: `officers` or `everyone`.
    pub require_second_factor: RequireSecondFactor,
    /// Days without a login after which the permission review lists an account as dormant.
    pub dormant_after_days: u32,
    /// Days between permission reviews (权限审核); the server reminds when one is due.
    pub permission_review_days: u32,
    /// Days before a grant's expiry from which the permission review lists it.
    pub grant_expiry_notice_days: u32,
    /// The ClamAV daemon: `unix:/path` or `tcp:host:port`.
    pub clamd: Option<String>,
    /// What to do with a second booking of an invoice.
    pub duplicate_invoices: DuplicateInvoices,
    /// How the audit events of content reads are committed: `durable` or `relaxed`.
    pub audit_read_commit: AuditReadCommit,
    /// Days within which the daily fixity audit re-checks every archived record.
    pub fixity_cycle_days: u32,
    /// Days between preservation-stage checks of one archived record (at most 365).
    pub preservation_interval_days: u32,
    /// Where scheduled backups go; without it `serve` takes none.
    pub backup_dir: Option<PathBuf>,
    /// Hours between scheduled backups.
    pub backup_every_hours: u32,
    /// How many backups are kept.
    pub backup_keep: u32,
    /// The cipher stored files are sealed with: `aes-256-gcm`, `sm4-gcm` or `off`.
    pub encryption: AtRestCipher,
    /// The master key file (64 hex digits, mode 600); `FONDS_MASTER_KEY` overrides it.
    pub master_key_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            plain_http: false,
            tls: false,
            tls_cert: None,
            tls_key: None,
            tls_hosts: Vec::new(),
            tls_client_ca: None,
            max_upload_mib: 512,
            frame_ancestors: Vec::new(),
            rate_limit_per_minute: 6000,
            client_rate_limit_per_minute: 3000,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            require_second_factor: RequireSecondFactor::Officers,
            dormant_after_days: 90,
            permission_review_days: 90,
            grant_expiry_notice_days: 30,
            clamd: None,
            duplicate_invoices: DuplicateInvoices::Reject,
            audit_read_commit: AuditReadCommit::Durable,
            fixity_cycle_days: 30,
            preservation_interval_days: 365,
            backup_dir: None,
            backup_every_hours: 24,
            backup_keep: 7,
            encryption: AtRestCipher::Aes256Gcm,
            master_key_file: None,
        }
    }
}

impl Config {
    /// How the permission review judges accounts and when it falls due.
    #[must_use]
    pub fn review(&self) -> fonds_core::access::ReviewSettings {
        let days = |n: u32| std::time::Duration::from_secs(u64::from(n) * 24 * 3600);
        fonds_core::access::ReviewSettings {
            dormant_after: days(self.dormant_after_days),
            expiry_notice: days(self.grant_expiry_notice_days),
            interval: days(self.permission_review_days),
        }
    }

    /// Every key the configuration accepts.
    #[must_use]
    pub fn keys() -> Vec<String> {
        match serde_json::to_value(Self::default()) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Loads the layers: defaults, the file at `file` (if it exists, or an error if it was
    /// named explicitly and does not), the `FONDS_*` environment variables, then `overrides` (the
    /// command line: only the keys it sets).
    ///
    /// # Errors
    /// An unknown key or a value of the wrong type, naming the key and where it came from; a
    /// value that parses but makes no sense (see [`Config::validate`]).
    pub fn load(
        file: Option<&Path>,
        explicit_file: bool,
        overrides: &serde_json::Map<String, serde_json::Value>,
    ) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        if let Some(file) = file {
            if file.is_file() {
                figment = figment.merge(Toml::file_exact(file));
            } else if explicit_file {
                anyhow::bail!(
                    "the configuration file {} does not exist; create it from fonds.example.toml or leave --config out",
                    file.display()
                );
            }
        }
        // Only FONDS_ variables that name a key are configuration; the others (FONDS_DATA,
        // FONDS_LOG_FORMAT, FONDS_CONFIG) belong to the command line itself.
        let keys = Self::keys();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        figment = figment.merge(Env::prefixed(ENV_PREFIX).only(&keys));
        Self::extract(figment.merge(Serialized::globals(overrides)))
    }

    /// The configuration the layers give, validated.
    fn extract(figment: Figment) -> anyhow::Result<Self> {
        let config: Self = figment
            .extract()
            .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what types cannot: origins are origins, a certificate comes with its key, client
    /// certificates come with TLS.
    ///
    /// # Errors
    /// The first setting that makes no sense, named with what to write instead.
    pub fn validate(&self) -> anyhow::Result<()> {
        for origin in &self.frame_ancestors {
            parse_origin(origin).with_context(|| format!("frame_ancestors: `{origin}`"))?;
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            anyhow::bail!(
                "tls_cert and tls_key go together: give both, or neither for a self-signed certificate"
            );
        }
        if self.tls_client_ca.is_some() && !self.tls {
            anyhow::bail!(
                "tls_client_ca asks for client certificates, which only Fonds' own TLS listener can: set tls = true (--tls), or leave tls_client_ca out"
            );
        }
        if self.session_idle_minutes == 0
            || self.session_absolute_hours == 0
            || u64::from(self.session_idle_minutes) > u64::from(self.session_absolute_hours) * 60
        {
            anyhow::bail!(
                "session_idle_minutes and session_absolute_hours must be at least 1, and the idle time-out no longer than the absolute one"
            );
        }
        if self.dormant_after_days == 0
            || self.permission_review_days == 0
            || self.grant_expiry_notice_days == 0
        {
            anyhow::bail!(
                "dormant_after_days, permission_review_days and grant_expiry_notice_days must be at least 1"
            );
        }
        if self.fixity_cycle_days == 0 {
            anyhow::bail!("fixity_cycle_days must be at least 1");
        }
        if self.backup_every_hours == 0 || self.backup_keep == 0 {
            anyhow::bail!(
                "backup_every_hours and backup_keep must be at least 1; leave backup_dir out to take no scheduled backups"
            );
        }
        if !(1..=365).contains(&self.preservation_interval_days) {
            anyhow::bail!(
                "preservation_interval_days must be between 1 and 365: archived records are checked at least once a year (DA/T 92 9.4.1)"
            );
        }
        Ok(())
    }
}

fn describe(error: &figment::Error) -> String {
    error
        .clone()
        .into_iter()
        .map(|e| {
            let key = if e.path.is_empty() {
                String::new()
            } else {
                format!("`{}`: ", e.path.join("."))
            };
            let source = e
                .metadata
                .as_ref()
                .map(|m| match &m.source {
                    Some(source) => format!(" (in {source})"),
                    None => format!(" (from the {})", m.name),
                })
                .unwrap_or_default();
            format!("configuration {key}{}{source}", e.kind)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// An origin as browsers compare them: `https://host[:port]`, nothing after.
///
/// # Errors
/// Anything else, with what is wrong.
pub fn parse_origin(text: &str) -> anyhow::Result<String> {
    let url = reqwest::Url::parse(text).context("not a URL; write e.g. https://oa.example.com")?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        anyhow::bail!("an origin is http(s)://host[:port]");
    }
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        anyhow::bail!(
            "an origin has no path, query or credentials; write e.g. https://oa.example.com"
        );
    }
    Ok(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use figment::Figment;
    use figment::providers::{Format as _, Serialized, Toml};

    use super::{Config, DuplicateInvoices, parse_origin};

    const EXAMPLE: &str = include_str!("../../../fonds.example.toml");

    fn from_toml(text: &str) -> anyhow::Result<Config> {
        Config::extract(
            Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(text)),
        )
    }

    #[test]
    fn the_example_file_is_accepted_and_says_the_defaults() {
        assert_eq!(from_toml(EXAMPLE).expect("example"), Config::default());
    }

    #[test]
    fn the_example_file_lists_every_key_the_code_accepts_and_no_other() {
        let mut documented: Vec<String> = EXAMPLE
            .lines()
            .map(|line| line.trim_start_matches("# "))
            .filter_map(|line| line.split_once(" = ").map(|(key, _)| key.trim().to_owned()))
            .filter(|key| key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .collect();
        documented.sort();
        let mut accepted = Config::keys();
        accepted.sort();
        assert_eq!(documented, accepted);
    }

    #[test]
    fn an_unknown_key_is_refused_by_name() {
        let error =
            from_toml("listen = \"127.0.0.1:9000\"\nfixity_cycle = 10\n").expect_err("unknown key");
        let message = error.to_string();
        assert!(message.contains("fixity_cycle"), "{message}");
    }

    #[test]
    fn a_wrong_type_names_the_key() {
        let message = from_toml("max_upload_mib = \"lots\"")
            .expect_err("type")
            .to_string();
        assert!(message.contains("max_upload_mib"), "{message}");
    }

    #[test]
    fn later_layers_win() {
        let figment = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(
                "fixity_cycle_days = 10\nduplicate_invoices = \"flag\"",
            ))
            .merge(Serialized::global("fixity_cycle_days", 7));
        let config = Config::extract(figment).expect("config");
        assert_eq!(config.fixity_cycle_days, 7);
        assert_eq!(config.duplicate_invoices, DuplicateInvoices::Flag);
    }

    #[test]
    fn the_second_factor_policy_is_read_by_name_and_refused_when_unknown() {
        let config = from_toml("require_second_factor = \"everyone\"").expect("everyone");
        assert_eq!(
            config.require_second_factor.policy(),
            fonds_core::people::SecondFactorPolicy::Everyone
        );
        let message = format!(
            "{:#}",
            from_toml("require_second_factor = \"admins\"").expect_err("unknown policy")
        );
        assert!(message.contains("require_second_factor"), "{message}");
    }

    #[test]
    fn a_client_ca_is_accepted_with_tls() {
        let config = from_toml("tls = true\ntls_client_ca = \"/etc/fonds/clients-ca.pem\"")
            .expect("client CA with TLS");
        assert_eq!(
            config.tls_client_ca.as_deref(),
            Some(std::path::Path::new("/etc/fonds/clients-ca.pem"))
        );
    }

    #[test]
    fn settings_that_parse_but_make_no_sense_are_refused() {
        for (text, expected) in [
            (
                "frame_ancestors = [\"https://oa.example.com/portal\"]",
                "no path",
            ),
            ("frame_ancestors = [\"oa.example.com\"]", "not a URL"),
            ("tls_cert = \"/etc/cert.pem\"", "go together"),
            (
                "tls_client_ca = \"/etc/fonds/clients-ca.pem\"",
                "set tls = true",
            ),
            ("fixity_cycle_days = 0", "at least 1"),
            ("preservation_interval_days = 400", "at least once a year"),
        ] {
            let message = format!("{:#}", from_toml(text).expect_err(text));
            assert!(message.contains(expected), "{text}: {message}");
        }
        assert_eq!(
            parse_origin("https://OA.example.com:8443").expect("origin"),
            "https://oa.example.com:8443"
        );
    }
}
