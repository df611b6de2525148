//! One module per command. They parse nothing themselves and call `fonds-core` for all work.

pub mod access;
pub mod audit;
pub mod backup;
pub mod bench;
pub mod client;
pub mod demo;
pub mod doctor;
pub mod import;
pub mod init;
pub mod keys;
pub mod serve;
pub mod user;
pub mod verify;
pub mod webhook;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Context as _;
use fonds_core::at_rest::{self, AtRest, KeySource};
use fonds_core::{Archive, Settings};

use crate::config::Config;

/// The configuration file named on the command line (`--config`, `FONDS_CONFIG`).
static CONFIG_FILE: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Remembers the configuration file named on the command line, for every command.
pub fn set_config_file(file: Option<&Path>) {
    let _ = CONFIG_FILE.set(file.map(Path::to_path_buf));
}

/// The configuration file to read: the one named, else `fonds.toml` in the data directory;
/// and whether it was named (then it must exist).
pub fn config_file(data: &Path) -> (PathBuf, bool) {
    match CONFIG_FILE.get().cloned().flatten() {
        Some(file) => (file, true),
        None => (data.join("fonds.toml"), false),
    }
}

/// The configuration without command-line overrides.
pub fn config(data: &Path) -> anyhow::Result<Config> {
    let (file, explicit) = config_file(data);
    Config::load(Some(&file), explicit, &serde_json::Map::new())
}

/// The master keys and sealing cipher the configuration asks for; a fresh data directory that
/// is to seal gets its master key generated here, before anything is stored.
pub fn at_rest_of(data: &Path, config: &Config) -> anyhow::Result<AtRest> {
    let source = KeySource::new(data, config.master_key_file.as_deref());
    at_rest::prepare(data, config.encryption.cipher(), &source)
        .map_err(|e| anyhow::anyhow!("{}", e.detail))
}

/// The master keys configured for `data`, never generating one (for restoring and checking
/// backups, where a new key could open nothing).
pub fn existing_keys(data: &Path) -> anyhow::Result<AtRest> {
    let config = config(data)?;
    let source = KeySource::new(data, config.master_key_file.as_deref());
    let keyring = source
        .keyring()
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    Ok(AtRest {
        keys: keyring.map(|k| {
            std::sync::Arc::new(k) as std::sync::Arc<dyn fonds_core::at_rest::KeyProvider>
        }),
        seal_with: config.encryption.cipher(),
    })
}

/// Settings with only the keys the configuration asks for, for commands other than `serve`.
pub fn settings(data: &Path) -> anyhow::Result<Settings> {
    Ok(Settings {
        at_rest: at_rest_of(data, &config(data)?)?,
        ..Settings::default()
    })
}

/// Whether the data directory has been initialised.
pub fn is_initialised(data: &Path) -> bool {
    data.join("fonds.sqlite").is_file()
}

/// Opens the archive in an initialised data directory, with the configured master keys when
/// `settings` brings none.
pub async fn open(data: &Path, mut settings: Settings) -> anyhow::Result<Archive> {
    if !is_initialised(data) {
        anyhow::bail!(
            "{} is not a Fonds data directory; run `fonds init --data {}` first",
            data.display(),
            data.display()
        );
    }
    if settings.at_rest.keys.is_none() {
        settings.at_rest = at_rest_of(data, &config(data)?)?;
    }
    Archive::open_embedded(data, settings)
        .await
        .with_context(|| format!("cannot open the archive in {}", data.display()))
}

/// How to call the API with a token, printed after a token is issued.
pub fn print_token_help(base: &str, token: &str) {
    println!();
    println!("  API token (shown once, keep it safe): {token}");
    println!();
    println!("  Try:  curl -H 'Authorization: Bearer {token}' {base}/api/v1/records?limit=5");
    println!("  API description: {base}/api/v1/openapi.json");
    println!();
}
