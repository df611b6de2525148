//! `fonds serve` takes its settings from fonds.toml, then FONDS_* variables, then its flags, and
//! refuses what would be unsafe or misspelt before it listens.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FONDS: &str = env!("CARGO_BIN_EXE_fonds");

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn serve(data: &Path, args: &[&str], env: &[(&str, String)]) -> Command {
    let mut command = Command::new(FONDS);
    command
        .arg("--data")
        .arg(data)
        .arg("serve")
        .args(args)
        .env_remove("FONDS_LISTEN")
        .env_remove("FONDS_CONFIG")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    command
}

/// Runs a serve that is expected to refuse to start; its exit code and stderr.
fn refused(mut command: Command) -> (i32, String) {
    let output = command.output().expect("run");
    (
        output.status.code().expect("code"),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn headers_of(port: u16) -> reqwest::header::HeaderMap {
    fonds_core::install_tls_provider();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
        {
            return response.headers().clone();
        }
        assert!(Instant::now() < deadline, "nothing serves on {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn plain_http_on_a_reachable_address_is_refused_unless_asked_for() {
    let data = tempfile::tempdir().expect("tempdir");
    let (code, stderr) = refused(serve(
        data.path(),
        &["--listen", &format!("0.0.0.0:{}", free_port())],
        &[],
    ));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("refusing plain HTTP"), "{stderr}");
    assert!(
        !data.path().join("fonds.sqlite").exists(),
        "a refused start changes nothing"
    );
}

#[test]
fn a_misspelt_key_in_fonds_toml_stops_the_server_naming_it() {
    let data = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        data.path().join("fonds.toml"),
        "listn = \"127.0.0.1:9999\"\n",
    )
    .expect("toml");
    let (code, stderr) = refused(serve(data.path(), &[], &[]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("listn"), "{stderr}");
    assert!(stderr.contains("fonds.toml"), "{stderr}");
}

#[tokio::test]
async fn the_file_then_the_environment_then_the_flags_decide() {
    let data = tempfile::tempdir().expect("tempdir");
    let (file_port, env_port, flag_port) = (free_port(), free_port(), free_port());
    std::fs::write(
        data.path().join("fonds.toml"),
        format!(
            "listen = \"127.0.0.1:{file_port}\"\nframe_ancestors = [\"https://oa.example.com\"]\n"
        ),
    )
    .expect("toml");

    // The file alone: its port, its OA origin in the CSP.
    let server = Running(
        serve(data.path(), &[], &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve"),
    );
    let headers = headers_of(file_port).await;
    let csp = headers["content-security-policy"].to_str().expect("csp");
    assert!(
        csp.ends_with("frame-ancestors https://oa.example.com"),
        "{csp}"
    );
    drop(server);

    // FONDS_LISTEN overrides the file; the flag overrides both.
    let server = Running(
        serve(
            data.path(),
            &[],
            &[("FONDS_LISTEN", format!("127.0.0.1:{env_port}"))],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve"),
    );
    headers_of(env_port).await;
    drop(server);
    let _server = Running(
        serve(
            data.path(),
            &[
                "--listen",
                &format!("127.0.0.1:{flag_port}"),
                "--frame-ancestor",
                "https://oa2.example.com",
            ],
            &[("FONDS_LISTEN", format!("127.0.0.1:{env_port}"))],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve"),
    );
    let headers = headers_of(flag_port).await;
    let csp = headers["content-security-policy"].to_str().expect("csp");
    assert!(
        csp.ends_with("frame-ancestors https://oa2.example.com"),
        "{csp}"
    );
}
