//! One module per command. They parse nothing themselves and call `fonds-core` for all work.

pub mod backup;
pub mod bench;
pub mod client;
pub mod demo;
pub mod doctor;
pub mod import;
pub mod init;
pub mod serve;
pub mod verify;
pub mod webhook;

use std::path::Path;

use anyhow::Context as _;
use fonds_core::{Archive, Settings};

/// Whether the data directory has been initialised.
pub fn is_initialised(data: &Path) -> bool {
    data.join("fonds.sqlite").is_file()
}

/// Opens the archive in an initialised data directory.
pub async fn open(data: &Path, settings: Settings) -> anyhow::Result<Archive> {
    if !is_initialised(data) {
        anyhow::bail!(
            "{} is not a Fonds data directory; run `fonds init --data {}` first",
            data.display(),
            data.display()
        );
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
