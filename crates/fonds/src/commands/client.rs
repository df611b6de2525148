//! `fonds client …`: client systems (接入系统) and their secrets.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use fonds_core::clients::{ClientSpec, IssuedSecret};
use fonds_core::{Actor, Settings};
use fonds_domain::Sha256Digest;

use crate::cli::ClientCommand;

fn print_secret(issued: &IssuedSecret) {
    println!("  client id: {}", issued.id);
    println!(
        "  secret:    {}   (version {}, shown once: store it in the client system now)",
        issued.secret, issued.version
    );
    if let Some(until) = issued.previous_valid_until {
        println!("  the previous secrets keep working until {until}");
    }
    println!("  signing:   see docs/integration.md; example clients in examples/");
}

/// The fingerprint pinned for a certificate file: the SHA-256 of its leaf's DER.
fn pinned(certificate: &Path) -> anyhow::Result<Sha256Digest> {
    crate::tls::certificate_sha256(certificate)
        .map(Sha256Digest::from_bytes)
        .context("the client certificate to pin")
}

/// `fonds client`.
pub async fn run(data: &Path, command: ClientCommand) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    match command {
        ClientCommand::Add {
            name,
            fonds,
            kinds,
            allowed_ips,
            algorithm,
            certificate,
        } => {
            let spec = ClientSpec {
                name: name.clone(),
                fonds: fonds
                    .iter()
                    .map(|f| f.parse())
                    .collect::<Result<_, _>>()
                    .context("--fonds")?,
                kinds: kinds
                    .iter()
                    .map(|k| k.parse())
                    .collect::<Result<_, _>>()
                    .context("--kind")?,
                allowed_ips,
                algorithm: algorithm
                    .parse()
                    .map_err(anyhow::Error::msg)
                    .context("--algorithm")?,
                certificate_sha256: certificate.as_deref().map(pinned).transpose()?,
            };
            let pin = spec.certificate_sha256;
            let issued = archive.add_client(spec, &Actor::cli()).await?;
            println!("Added client `{name}`:");
            print_secret(&issued);
            if let Some(sha256) = pin {
                println!(
                    "  certificate: SHA-256 {sha256}; the client must present it over TLS (tls_client_ca)"
                );
            }
        }
        ClientCommand::List => {
            let now = time::OffsetDateTime::now_utc();
            for c in archive.clients().await? {
                let live: Vec<String> = c
                    .secrets
                    .iter()
                    .filter(|s| s.expires_at.is_none_or(|until| until > now))
                    .map(|s| format!("v{}", s.version))
                    .collect();
                println!(
                    "{}  {:<20} {:<12} {:<8} fonds {}  kinds {}  ips {}  secrets {}  certificate {}",
                    c.id,
                    c.name,
                    c.algorithm,
                    if c.enabled { "enabled" } else { "disabled" },
                    c.fonds
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                    if c.kinds.is_empty() {
                        "all".to_owned()
                    } else {
                        c.kinds
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    },
                    if c.allowed_ips.is_empty() {
                        "any".to_owned()
                    } else {
                        c.allowed_ips.join(",")
                    },
                    live.join(","),
                    c.certificate_sha256
                        .map_or_else(|| "none".to_owned(), |d| d.to_hex())
                );
            }
        }
        ClientCommand::Rotate { id, overlap_hours } => {
            let id = id.parse().context("client id")?;
            let issued = archive
                .rotate_client_secret(
                    &id,
                    Duration::from_secs(u64::from(overlap_hours) * 3600),
                    &Actor::cli(),
                )
                .await?;
            println!("Rotated the secret of {id}:");
            print_secret(&issued);
        }
        ClientCommand::Certificate {
            id,
            certificate,
            clear,
        } => {
            let client = id.parse().context("client id")?;
            let pin = if clear {
                None
            } else {
                certificate.as_deref().map(pinned).transpose()?
            };
            archive
                .set_client_certificate(&client, pin, &Actor::cli())
                .await?;
            match pin {
                Some(sha256) => println!(
                    "Client {id} must now present the certificate with SHA-256 {sha256} over TLS, besides signing."
                ),
                None => println!("Client {id} signs without a certificate again."),
            }
        }
        ClientCommand::Disable { id } => {
            archive
                .set_client_enabled(&id.parse().context("client id")?, false, &Actor::cli())
                .await?;
            println!("Client {id} is disabled.");
        }
        ClientCommand::Enable { id } => {
            archive
                .set_client_enabled(&id.parse().context("client id")?, true, &Actor::cli())
                .await?;
            println!("Client {id} is enabled.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
