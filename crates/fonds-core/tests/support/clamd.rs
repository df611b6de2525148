//! A real clamd for tests, started by `scripts/clamd-local` with the offline EICAR signature
//! database. Test crates include this file with `#[path = "../../fonds-core/tests/support/clamd.rs"]
//! mod clamd;` (from a crate under `crates/`).
//!
//! A clamd that cannot start fails the test with the script's message: a test never passes by
//! skipping the scanner.

#![allow(
    dead_code,
    reason = "each test crate that includes this harness uses only part of it"
)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use tempfile::TempDir;

/// Set to a clamd address (`unix:/...` or `tcp:host:port`) to use one daemon for a whole test
/// run instead of starting one per test process.
pub const ADDRESS_VARIABLE: &str = "FONDS_TEST_CLAMD";

/// A clamd running for a test; stopped when dropped.
#[derive(Debug)]
pub struct LocalClamd {
    /// Where it runs; `None` for a daemon given by [`ADDRESS_VARIABLE`], which is not ours to
    /// stop.
    dir: Option<TempDir>,
    /// Its address, `unix:<dir>/clamd.sock` or `tcp:127.0.0.1:<port>`.
    pub address: String,
}

impl LocalClamd {
    /// A clamd of this test alone, with the default limits (StreamMaxLength 100M) on a Unix
    /// socket.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// A clamd of this test alone, started with options of `scripts/clamd-local`, e.g.
    /// `["--max-stream", "1M"]` or `["--tcp"]`.
    pub fn start_with(options: &[&str]) -> Self {
        let dir = scratch_dir();
        let address = run_script(options, &dir);
        Self {
            dir: Some(dir),
            address,
        }
    }

    /// The clamd shared by every test of this process: the one [`ADDRESS_VARIABLE`] names, or
    /// one started on first use that stops, and cleans up after itself, when the process exits.
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<LocalClamd> = OnceLock::new();
        SHARED.get_or_init(|| {
            if let Ok(address) = std::env::var(ADDRESS_VARIABLE) {
                return Self { dir: None, address };
            }
            let dir = scratch_dir();
            let owner = std::process::id().to_string();
            let address = run_script(&["--owner", &owner], &dir);
            Self {
                dir: Some(dir),
                address,
            }
        })
    }
}

impl Drop for LocalClamd {
    fn drop(&mut self) {
        let Some(dir) = &self.dir else { return };
        match Command::new(script())
            .arg("--stop")
            .arg(dir.path())
            .output()
        {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!(
                "could not stop clamd in {}: {}",
                dir.path().display(),
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => eprintln!("could not run {}: {e}", script().display()),
        }
    }
}

/// The EICAR anti-virus test file, assembled at run time so that the repository never holds it
/// in one piece (scanners on developers' machines would quarantine the checkout).
pub fn eicar() -> Vec<u8> {
    let file = [
        r"X5O!P%@AP[4\PZX54(P^)7CC)7}",
        "$EICAR-STANDARD-",
        "ANTIVIRUS-TEST-FILE!$H+H*",
    ]
    .concat()
    .into_bytes();
    assert_eq!(file.len(), 68, "the EICAR test file is 68 bytes");
    file
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/clamd-local")
}

fn scratch_dir() -> TempDir {
    // Short, because a Unix socket path is limited to about 100 bytes.
    tempfile::Builder::new()
        .prefix("clamd-")
        .tempdir()
        .unwrap_or_else(|e| panic!("cannot create a directory for clamd: {e}"))
}

/// Runs `scripts/clamd-local OPTIONS DIR` and returns the address it prints.
fn run_script(options: &[&str], dir: &TempDir) -> String {
    let script = script();
    let out = Command::new(&script)
        .args(options)
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let address = stdout.trim();
    if !out.status.success() || !(address.starts_with("unix:") || address.starts_with("tcp:")) {
        panic!(
            "clamd did not start ({} {options:?} {} exited with {}); install it with \
             `apt-get install -y clamav clamav-daemon`. Its output:\n{}{}",
            script.display(),
            dir.path().display(),
            out.status,
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    address.to_owned()
}
