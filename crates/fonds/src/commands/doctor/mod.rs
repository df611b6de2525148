//! `fonds doctor`: looks at the configuration, the data directory and what the server depends on,
//! and says for each what is wrong and what to do. Exit 1 when anything failed; a check that
//! could not run says "not run" and why, never "ok".

mod certificate;
mod host;

use std::fmt;
use std::path::Path;
use std::process::ExitCode;

use fonds_core::Settings;
use fonds_core::scan::{ClamdAddress, ClamdScanner};

use crate::config::Config;

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to do.
    Ok,
    /// Works, but deserves attention.
    Warn,
    /// Broken: the server will not work as configured, or data is at risk.
    Fail,
    /// The check could not run; the finding says why.
    NotRun,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "FAIL",
            Self::NotRun => "not run",
        })
    }
}

/// One check's finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was checked.
    pub check: &'static str,
    /// How it ended.
    pub verdict: Verdict,
    /// What was found, and for anything but ok, what to do.
    pub detail: String,
}

impl Finding {
    pub(crate) fn new(check: &'static str, verdict: Verdict, detail: impl Into<String>) -> Self {
        Self {
            check,
            verdict,
            detail: detail.into(),
        }
    }
}

/// `fonds doctor`.
pub async fn run(data: &Path, config_file: Option<&Path>) -> anyhow::Result<ExitCode> {
    let findings = examine(data, config_file).await;
    for finding in &findings {
        println!(
            "{:<8} {:<22} {}",
            finding.verdict.to_string(),
            finding.check,
            finding.detail
        );
    }
    let failed = findings
        .iter()
        .filter(|f| f.verdict == Verdict::Fail)
        .count();
    if failed == 0 {
        println!("\nNo failures.");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("\n{failed} check(s) failed; fix them and run `fonds doctor` again.");
        Ok(ExitCode::from(1))
    }
}

/// Every check, in the order an operator would fix things.
pub async fn examine(data: &Path, config_file: Option<&Path>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let (file, explicit) = match config_file {
        Some(file) => (file.to_path_buf(), true),
        None => (data.join("fonds.toml"), false),
    };
    let config = match Config::load(Some(&file), explicit, &serde_json::Map::new()) {
        Ok(config) => {
            let source = if file.is_file() {
                format!("{} with the environment", file.display())
            } else {
                "defaults with the environment (no fonds.toml)".to_owned()
            };
            findings.push(Finding::new("configuration", Verdict::Ok, source));
            Some(config)
        }
        Err(e) => {
            findings.push(Finding::new(
                "configuration",
                Verdict::Fail,
                format!("{e:#}"),
            ));
            None
        }
    };
    findings.push(host::data_directory(data));
    findings.push(host::key_files(data, config.as_ref()));
    findings.push(match &config {
        Some(config) => master_key(data, config),
        None => Finding::new(
            "master key",
            Verdict::NotRun,
            "the configuration did not load",
        ),
    });
    findings.push(host::free_disk(data));
    findings.push(host::clock(data));
    findings.push(database(data).await);
    if let Some(config) = &config
        && config.tls
    {
        let cert = config
            .tls_cert
            .clone()
            .unwrap_or_else(|| data.join("tls").join("cert.pem"));
        findings.push(certificate::expiry(&cert));
    }
    findings.push(match &config {
        Some(config) => backup_age(config),
        None => Finding::new(
            "backup age",
            Verdict::NotRun,
            "the configuration did not load",
        ),
    });
    findings.push(match &config {
        Some(config) => scanner(config).await,
        None => Finding::new(
            "virus scanner",
            Verdict::NotRun,
            "the configuration did not load",
        ),
    });
    findings
}

/// The master key of encryption at rest: loadable, private, and where it lives.
fn master_key(data: &Path, config: &Config) -> Finding {
    const CHECK: &str = "master key";
    let source = fonds_core::at_rest::KeySource::new(data, config.master_key_file.as_deref());
    let sealing = config.encryption.cipher();
    match source.keyring() {
        Err(e) => Finding::new(CHECK, Verdict::Fail, e.detail),
        Ok(None) if sealing.is_some() && super::is_initialised(data) => Finding::new(
            CHECK,
            Verdict::Fail,
            format!(
                "encryption at rest is on but there is no key at {} nor in {}: put the key back; \
                 sealed files cannot be read without it",
                source.key_file.display(),
                fonds_core::at_rest::MASTER_KEY_ENV
            ),
        ),
        Ok(None) => Finding::new(CHECK, Verdict::Ok, "encryption at rest is off; no key"),
        Ok(Some(keyring)) => {
            use fonds_core::at_rest::KeyProvider as _;
            let inside = source.env_key.is_none() && source.key_file.starts_with(data);
            if inside {
                Finding::new(
                    CHECK,
                    Verdict::Warn,
                    format!(
                        "key {} is in the data directory ({}): keep a copy apart from this \
                         machine and its backups — without it nothing stored can be read",
                        keyring.current(),
                        source.key_file.display()
                    ),
                )
            } else {
                Finding::new(
                    CHECK,
                    Verdict::Ok,
                    format!("key {} loaded", keyring.current()),
                )
            }
        }
    }
}

async fn database(data: &Path) -> Finding {
    const CHECK: &str = "database and files";
    if !super::is_initialised(data) {
        return Finding::new(
            CHECK,
            Verdict::NotRun,
            format!(
                "{} holds no archive yet; `fonds serve` or `fonds init` creates one",
                data.display()
            ),
        );
    }
    let archive = match super::open(data, Settings::default()).await {
        Ok(archive) => archive,
        Err(e) => return Finding::new(CHECK, Verdict::Fail, format!("{e:#}")),
    };
    let readiness = archive.readiness().await;
    match (&readiness.database, &readiness.blobs) {
        (Ok(()), Ok(())) => {
            let waiting = readiness.queue.depth;
            let age = readiness
                .queue
                .oldest_queued_at
                .map(|at| (time::OffsetDateTime::now_utc() - at).whole_minutes());
            match age {
                Some(minutes) if minutes > 60 => Finding::new(
                    CHECK,
                    Verdict::Warn,
                    format!(
                        "{waiting} submission job(s) wait, the oldest for {minutes} minutes: is `fonds serve` running, and is the virus scanner reachable?"
                    ),
                ),
                _ => Finding::new(
                    CHECK,
                    Verdict::Ok,
                    format!("both answer; {waiting} job(s) in the queue"),
                ),
            }
        }
        (database, blobs) => Finding::new(
            CHECK,
            Verdict::Fail,
            format!(
                "database: {}; files: {}",
                database.as_ref().err().map_or("ok", String::as_str),
                blobs.as_ref().err().map_or("ok", String::as_str)
            ),
        ),
    }
}

fn backup_age(config: &Config) -> Finding {
    const CHECK: &str = "backup age";
    let Some(dest) = &config.backup_dir else {
        return Finding::new(
            CHECK,
            Verdict::Warn,
            "no backup_dir configured: nothing backs this archive up by itself; set backup_dir (docs/backup.md)",
        );
    };
    let newest = match fonds_core::backup::newest_backup_at(dest) {
        Ok(newest) => newest,
        Err(e) => return Finding::new(CHECK, Verdict::Fail, format!("{e}")),
    };
    let Some(at) = newest else {
        return Finding::new(
            CHECK,
            Verdict::Fail,
            format!(
                "no backup in {} yet: run `fonds backup {}` now",
                dest.display(),
                dest.display()
            ),
        );
    };
    let hours = (time::OffsetDateTime::now_utc() - at).whole_hours();
    // One missed run is a warning; two are a failure.
    let every = i64::from(config.backup_every_hours);
    let verdict = if hours > 2 * every {
        Verdict::Fail
    } else if hours > every {
        Verdict::Warn
    } else {
        Verdict::Ok
    };
    let detail = format!(
        "the newest backup in {} is {hours} h old (one every {every} h)",
        dest.display()
    );
    if verdict == Verdict::Ok {
        Finding::new(CHECK, verdict, detail)
    } else {
        Finding::new(
            CHECK,
            verdict,
            format!(
                "{detail}: is `fonds serve` running? see its log for \"scheduled backup failed\""
            ),
        )
    }
}

async fn scanner(config: &Config) -> Finding {
    const CHECK: &str = "virus scanner";
    let Some(address) = &config.clamd else {
        return Finding::new(
            CHECK,
            Verdict::Warn,
            "none configured: the virus item of every check reads \"not run\"; set clamd (e.g. unix:/run/clamav/clamd.ctl)",
        );
    };
    let address = match address.parse::<ClamdAddress>() {
        Ok(address) => address,
        Err(e) => return Finding::new(CHECK, Verdict::Fail, format!("clamd `{address}`: {e}")),
    };
    let scanner = ClamdScanner::new(address, std::time::Duration::from_secs(5));
    match scanner.ping().await {
        Ok(()) => Finding::new(CHECK, Verdict::Ok, "clamd answers PING"),
        Err(e) => Finding::new(
            CHECK,
            Verdict::Fail,
            format!(
                "clamd does not answer ({e}): submissions will wait unscanned; start clamd or correct the address"
            ),
        ),
    }
}
