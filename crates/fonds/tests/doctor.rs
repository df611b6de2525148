//! `fonds doctor` as an operator runs it: each problem named with what to do, exit 1 on a
//! failure, and settings read from fonds.toml and the environment.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Output};

const FONDS: &str = env!("CARGO_BIN_EXE_fonds");

fn doctor(data: &Path, env: &[(&str, &str)]) -> (i32, String) {
    let output: Output = Command::new(FONDS)
        .arg("--data")
        .arg(data)
        .arg("doctor")
        .env_remove("FONDS_CLAMD")
        .env_remove("FONDS_CONFIG")
        .envs(env.iter().copied())
        .output()
        .expect("run fonds doctor");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn line<'a>(report: &'a str, check: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.contains(check))
        .unwrap_or_else(|| panic!("no `{check}` line in:\n{report}"))
}

fn initialised() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("tempdir");
    let status = Command::new(FONDS)
        .arg("--data")
        .arg(root.path().join("data"))
        .arg("init")
        .output()
        .expect("init")
        .status;
    assert!(status.success());
    std::fs::set_permissions(
        root.path().join("data"),
        std::fs::Permissions::from_mode(0o700),
    )
    .expect("chmod");
    root
}

#[test]
fn a_healthy_data_directory_passes_and_the_missing_scanner_is_a_warning() {
    let root = initialised();
    let (code, report) = doctor(&root.path().join("data"), &[]);
    for check in [
        "configuration",
        "data directory",
        "clock",
        "database and files",
    ] {
        assert!(line(&report, check).starts_with("ok"), "{report}");
    }
    // The machine's own disk decides this one; it must have been measured.
    let disk = line(&report, "free disk");
    assert!(disk.contains("GiB free"), "{report}");
    assert_eq!(code, i32::from(disk.starts_with("FAIL")), "{report}");
    assert!(
        line(&report, "virus scanner").starts_with("warn"),
        "{report}"
    );
}

#[test]
fn an_unknown_key_in_fonds_toml_fails_naming_the_key_and_the_file() {
    let root = initialised();
    let data = root.path().join("data");
    std::fs::write(
        data.join("fonds.toml"),
        "listen = \"127.0.0.1:9000\"\nfixity_cycle = 7\n",
    )
    .expect("write");
    let (code, report) = doctor(&data, &[]);
    assert_eq!(code, 1, "{report}");
    let configuration = line(&report, "configuration");
    assert!(configuration.starts_with("FAIL"), "{report}");
    assert!(configuration.contains("fixity_cycle"), "{report}");
    assert!(configuration.contains("fonds.toml"), "{report}");
}

#[test]
fn a_bad_environment_value_is_named_with_its_variable() {
    let root = initialised();
    let (code, report) = doctor(
        &root.path().join("data"),
        &[("FONDS_FIXITY_CYCLE_DAYS", "monthly")],
    );
    assert_eq!(code, 1, "{report}");
    let configuration = line(&report, "configuration");
    assert!(configuration.contains("fixity_cycle_days"), "{report}");
    assert!(configuration.contains("environment"), "{report}");
}

#[test]
fn a_key_file_others_can_read_and_an_unreachable_scanner_fail_with_what_to_do() {
    let root = initialised();
    let data = root.path().join("data");
    let key = data.join("backup-signing.key");
    std::fs::write(&key, [7u8; 32]).expect("key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    // Port 9 (discard) has no clamd behind it.
    let (code, report) = doctor(&data, &[("FONDS_CLAMD", "tcp:127.0.0.1:9")]);
    assert_eq!(code, 1, "{report}");
    let keys = line(&report, "key file permissions");
    assert!(
        keys.starts_with("FAIL") && keys.contains("chmod 600"),
        "{report}"
    );
    let scanner = line(&report, "virus scanner");
    assert!(
        scanner.starts_with("FAIL") && scanner.contains("start clamd"),
        "{report}"
    );
}

#[test]
fn backup_age_fails_until_a_backup_exists_in_the_configured_destination() {
    let root = initialised();
    let data = root.path().join("data");
    let (_, report) = doctor(&data, &[]);
    assert!(line(&report, "backup age").starts_with("warn"), "{report}");

    let dest = root.path().join("backups");
    let dest_text = dest.to_str().expect("utf-8 path");
    let (code, report) = doctor(&data, &[("FONDS_BACKUP_DIR", dest_text)]);
    assert_eq!(code, 1, "{report}");
    let age = line(&report, "backup age");
    assert!(
        age.starts_with("FAIL") && age.contains("fonds backup"),
        "{report}"
    );

    let output = Command::new(FONDS)
        .arg("--data")
        .arg(&data)
        .args(["backup", dest_text])
        .output()
        .expect("backup");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (_, report) = doctor(&data, &[("FONDS_BACKUP_DIR", dest_text)]);
    let age = line(&report, "backup age");
    assert!(age.starts_with("ok") && age.contains("0 h old"), "{report}");
}

#[test]
fn the_tls_certificate_expiry_is_read_when_tls_is_on() {
    let root = initialised();
    let data = root.path().join("data");
    let (_, report) = doctor(&data, &[]);
    assert!(!report.contains("TLS certificate"), "{report}");
    let (code, report) = doctor(&data, &[("FONDS_TLS", "true")]);
    assert_eq!(code, 1, "no certificate yet:\n{report}");
    assert!(
        line(&report, "TLS certificate").starts_with("FAIL"),
        "{report}"
    );

    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    std::fs::create_dir_all(data.join("tls")).expect("dir");
    std::fs::write(data.join("tls/cert.pem"), generated.cert.pem()).expect("cert");
    let (_, report) = doctor(&data, &[("FONDS_TLS", "true")]);
    let tls = line(&report, "TLS certificate");
    assert!(
        tls.starts_with("ok") && tls.contains("expires in"),
        "{report}"
    );
}
