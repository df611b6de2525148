//! The example client systems in `examples/` — Python (requests) and Java 17 (java.net.http) —
//! run against a real Fonds server: they sign with HMAC-SHA256 and HMAC-SM3, submit a voucher
//! with its invoice and approval form, retry it with an idempotency key and wait for the
//! outcome. So the integration guide cannot drift from the code.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const FONDS: &str = env!("CARGO_BIN_EXE_fonds");
/// The worked example of docs/integration.md, which both example clients print.
const WORKED_SHA256: &str = "543592444693b1d9541a820374fd0859714951a93b792bdbeacfdd3c41c7e1ee";
const WORKED_SM3: &str = "64d763be942ff6d37df0e4d9c9e66ee9b7e72ce4e1deec9a3e275402c572abdd";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (scripts/test installs it): {e}"))
}

fn fonds(data: &Path, args: &[&str]) -> String {
    let output = Command::new(FONDS)
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("run fonds");
    assert!(output.status.success(), "fonds {args:?}: {}", text(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The value printed after `label:` by `fonds client add`.
fn printed(stdout: &str, label: &str) -> String {
    stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("`{label}` not printed in:\n{stdout}"))
        .to_owned()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data: &Path) -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let child = Command::new(FONDS)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data")
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start fonds serve");
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (Server(child), base)
}

#[test]
fn both_example_clients_reproduce_the_worked_example_of_the_guide() {
    for (program, args) in [
        (
            "python3",
            vec!["examples/python/fonds_client.py", "selftest"],
        ),
        ("java", vec!["examples/java/FondsClient.java", "selftest"]),
    ] {
        let output = run(program, &args);
        let out = text(&output);
        assert!(output.status.success(), "{program} selftest failed:\n{out}");
        assert!(
            out.contains(WORKED_SHA256) && out.contains(WORKED_SM3),
            "{program} printed other signatures:\n{out}"
        );
    }
}

#[test]
fn both_example_clients_submit_a_voucher_and_see_it_accepted() {
    let data = tempfile::tempdir().expect("data");
    fonds(data.path(), &["init"]);
    let python = fonds(
        data.path(),
        &["client", "add", "oa-python", "--fonds", "Z001"],
    );
    let java = fonds(
        data.path(),
        &[
            "client",
            "add",
            "erp-java",
            "--fonds",
            "Z001",
            "--algorithm",
            "hmac-sm3",
        ],
    );
    let (_server, base) = serve(data.path());
    for (program, script, created, algorithm) in [
        (
            "python3",
            "examples/python/fonds_client.py",
            &python,
            "hmac-sha256",
        ),
        ("java", "examples/java/FondsClient.java", &java, "hmac-sm3"),
    ] {
        let id = printed(created, "client id:");
        let secret = printed(created, "secret:");
        let output = run(
            program,
            &[
                script,
                "submit-demo",
                "--base",
                &base,
                "--client",
                &id,
                "--secret",
                &secret,
                "--algorithm",
                algorithm,
            ],
        );
        let out = text(&output);
        assert!(
            output.status.success(),
            "{program} submit-demo failed:\n{out}"
        );
        assert!(
            out.contains("\"accepted\""),
            "{program} did not see its submission accepted:\n{out}"
        );
    }
}
