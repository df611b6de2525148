//! `fonds audit export`, `public-key` and `verify-export` as an operator and an outside auditor
//! use them: the export checks out with Fonds, with the independent Python verifier of
//! `scripts/` and (its signature) with `openssl`; any change to an event or the checkpoint, or
//! the wrong key, is caught by all of them; a broken chain is never signed.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FONDS: &str = env!("CARGO_BIN_EXE_fonds");

fn fonds(data: &Path, args: &[&str]) -> Output {
    Command::new(FONDS)
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("FONDS_MASTER_KEY")
        .output()
        .expect("run fonds")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/verify-audit-export")
}

/// Runs the independent verifier. It needs Python 3 with the `cryptography` package; without
/// them this test cannot show the documented procedure works, so it fails saying so.
fn python_verify(export: &Path, public_key: &str) -> Output {
    let probe = Command::new("python3")
        .args(["-c", "import cryptography"])
        .output();
    assert!(
        probe.as_ref().is_ok_and(|o| o.status.success()),
        "the independent verifier needs python3 with the `cryptography` package \
         (pip install cryptography); it is not available here: {probe:?}"
    );
    Command::new("python3")
        .arg(script())
        .arg(export)
        .arg(public_key)
        .output()
        .expect("run the python verifier")
}

fn init(dir: &Path, hash: &str) -> PathBuf {
    let data = dir.join("data");
    let init = fonds(&data, &["init", "--audit-hash", hash]);
    assert!(init.status.success(), "{}", text(&init));
    // A few more events: a key rotation and a backup.
    assert!(fonds(&data, &["keys", "rotate"]).status.success());
    let backups = dir.join("backups").display().to_string();
    assert!(fonds(&data, &["backup", &backups]).status.success());
    data
}

fn public_key(data: &Path) -> String {
    let printed = fonds(data, &["audit", "public-key"]);
    assert!(printed.status.success(), "{}", text(&printed));
    let key = stdout(&printed).trim().to_owned();
    assert_eq!(key.len(), 64, "{key}");
    key
}

fn export(data: &Path, out: &Path, extra: &[&str]) -> Output {
    let out = out.display().to_string();
    let mut args = vec!["audit", "export", "--out", out.as_str()];
    args.extend_from_slice(extra);
    fonds(data, &args)
}

fn verify_export(data: &Path, file: &Path, key: &str) -> Output {
    fonds(
        data,
        &[
            "audit",
            "verify-export",
            &file.display().to_string(),
            "--public-key",
            key,
        ],
    )
}

/// The length-prefixed fields of docs/audit.md, written here again from the documentation.
fn fields(values: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for value in values {
        out.push(1);
        out.extend_from_slice(&(value.len() as u64).to_be_bytes());
        out.extend_from_slice(value.as_bytes());
    }
    out
}

/// Checks the checkpoint's signature with `openssl pkeyutl`, as docs/audit.md describes.
fn openssl_verifies(dir: &Path, export: &Path, public_key: &str) -> bool {
    let text = std::fs::read_to_string(export).expect("read export");
    let last: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("last line")).expect("checkpoint");
    let c = &last["checkpoint"];
    let as_text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let names = [
        "format",
        "hash_algorithm",
        "first_sequence",
        "last_sequence",
        "count",
        "first_prev_hash",
        "head_hash",
        "exported_at",
        "signature_algorithm",
    ];
    let signed: Vec<String> = names.iter().map(|n| as_text(&c[*n])).collect();
    std::fs::write(dir.join("signed.bin"), fields(&signed)).expect("write");
    let signature = hex::decode(last["signature"].as_str().expect("sig")).expect("hex");
    std::fs::write(dir.join("signature.bin"), signature).expect("write");
    let mut der = hex::decode("302a300506032b6570032100").expect("prefix");
    der.extend(hex::decode(public_key).expect("key"));
    std::fs::write(dir.join("public.der"), der).expect("write");
    let run = Command::new("openssl")
        .current_dir(dir)
        .args([
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "public.der",
            "-keyform",
            "DER",
            "-rawin",
            "-in",
            "signed.bin",
            "-sigfile",
            "signature.bin",
        ])
        .output()
        .expect("openssl must be installed to check the documented openssl procedure");
    run.status.success()
}

/// Rewrites line `number` (from 1) of a file with `edit`.
fn edit_line(path: &Path, number: usize, edit: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(path).expect("read");
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == number {
                edit(l)
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").expect("write");
}

#[test]
fn an_export_checks_out_with_fonds_python_and_openssl_and_every_change_is_caught() {
    let dir = tempfile::tempdir().expect("dir");
    let data = init(dir.path(), "sha256");
    let key = public_key(&data);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(data.join("keys/audit-signing.key"))
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let out = dir.path().join("audit.jsonl");
    let exported = export(&data, &out, &[]);
    assert!(exported.status.success(), "{}", text(&exported));
    assert!(
        stdout(&exported).starts_with("Exported 5 events (1 to 5)"),
        "{}",
        stdout(&exported)
    );
    assert!(
        stdout(&exported).contains(&key),
        "signed with the printed key"
    );
    let lines = std::fs::read_to_string(&out).expect("read").lines().count();
    assert_eq!(lines, 6, "five events and the checkpoint");

    let ok = verify_export(&data, &out, &key);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(
        stdout(&ok).starts_with("OK: 5 events (1 to 5), head 5 "),
        "{}",
        stdout(&ok)
    );
    let py = python_verify(&out, &key);
    assert_eq!(py.status.code(), Some(0), "{}", text(&py));
    assert!(
        stdout(&py).starts_with("OK: 5 events (1 to 5), head 5 "),
        "{}",
        stdout(&py)
    );
    assert!(openssl_verifies(dir.path(), &out, &key));

    // The export was itself recorded, after the head it vouches for.
    let verified = fonds(&data, &["audit", "verify"]);
    assert!(
        stdout(&verified).starts_with("OK: 6 events"),
        "{}",
        stdout(&verified)
    );
    // An export never overwrites one.
    let again = export(&data, &out, &[]);
    assert_ne!(again.status.code(), Some(0));
    assert!(text(&again).contains("exists already"), "{}", text(&again));

    // A key file is accepted as well as the hex digits.
    let key_file = dir.path().join("audit.pub");
    std::fs::write(&key_file, format!("{key}\n")).expect("write key");
    let by_file = verify_export(&data, &out, &key_file.display().to_string());
    assert_eq!(by_file.status.code(), Some(0), "{}", text(&by_file));

    // One character of one event's detail changed.
    let changed = dir.path().join("changed.jsonl");
    std::fs::copy(&out, &changed).expect("copy");
    edit_line(&changed, 2, |l| {
        l.replacen("fonds.created", "fondz.created", 1)
    });
    let caught = verify_export(&data, &changed, &key);
    assert_eq!(caught.status.code(), Some(1), "{}", text(&caught));
    assert!(
        stdout(&caught).contains("line 2: event 2 was changed"),
        "{}",
        stdout(&caught)
    );
    let py = python_verify(&changed, &key);
    assert_eq!(py.status.code(), Some(1), "{}", text(&py));
    assert!(
        stdout(&py).contains("line 2: event 2 was changed"),
        "{}",
        stdout(&py)
    );

    // The last event removed: the checkpoint no longer matches.
    let cut = dir.path().join("cut.jsonl");
    std::fs::copy(&out, &cut).expect("copy");
    let text_of = std::fs::read_to_string(&cut).expect("read");
    let kept: Vec<&str> = text_of.lines().collect();
    std::fs::write(&cut, [&kept[..4], &kept[5..]].concat().join("\n") + "\n").expect("write");
    assert_eq!(verify_export(&data, &cut, &key).status.code(), Some(1));
    assert_eq!(python_verify(&cut, &key).status.code(), Some(1));

    // The checkpoint altered (a shorter head claimed): the signature fails.
    let forged = dir.path().join("forged.jsonl");
    std::fs::copy(&out, &forged).expect("copy");
    edit_line(&forged, 6, |l| {
        l.replace("\"last_sequence\":5", "\"last_sequence\":4")
    });
    let caught = verify_export(&data, &forged, &key);
    assert_eq!(caught.status.code(), Some(1), "{}", text(&caught));
    assert!(
        stdout(&caught).contains("altered after it was signed"),
        "{}",
        stdout(&caught)
    );
    assert_eq!(python_verify(&forged, &key).status.code(), Some(1));
    assert!(!openssl_verifies(dir.path(), &forged, &key));

    // Another archive's key.
    let other = init(&dir.path().join("other"), "sha256");
    let other_key = public_key(&other);
    let wrong = verify_export(&data, &out, &other_key);
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    assert!(
        stdout(&wrong).contains("not the key given"),
        "{}",
        stdout(&wrong)
    );
    assert_eq!(python_verify(&out, &other_key).status.code(), Some(1));
    assert!(!openssl_verifies(dir.path(), &out, &other_key));
}

#[test]
fn a_later_export_continues_the_earlier_one_and_sm3_trails_check_out_too() {
    let dir = tempfile::tempdir().expect("dir");
    let data = init(dir.path(), "sm3");
    let key = public_key(&data);
    let first = dir.path().join("first.jsonl");
    assert!(export(&data, &first, &[]).status.success());
    let second = dir.path().join("second.jsonl");
    let exported = export(&data, &second, &["--from", "6"]);
    assert!(exported.status.success(), "{}", text(&exported));
    assert!(
        stdout(&exported).starts_with("Exported 1 events (6 to 6)"),
        "{}",
        stdout(&exported)
    );
    for file in [&first, &second] {
        let ok = verify_export(&data, file, &key);
        assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
        assert!(stdout(&ok).contains("(sm3)"), "{}", stdout(&ok));
        let py = python_verify(file, &key);
        assert_eq!(py.status.code(), Some(0), "{}", text(&py));
    }
    let checkpoint = |file: &Path| -> serde_json::Value {
        let text = std::fs::read_to_string(file).expect("read");
        serde_json::from_str::<serde_json::Value>(text.lines().last().expect("last")).expect("json")
            ["checkpoint"]
            .clone()
    };
    assert_eq!(
        checkpoint(&second)["first_prev_hash"],
        checkpoint(&first)["head_hash"],
        "the second export links to the head the first one vouched for"
    );
    let beyond = export(&data, &dir.path().join("beyond.jsonl"), &["--from", "99"]);
    assert_ne!(beyond.status.code(), Some(0));
    assert!(
        text(&beyond).contains("--from must be an event"),
        "{}",
        text(&beyond)
    );
}

#[test]
fn a_broken_chain_is_never_exported_or_signed() {
    let dir = tempfile::tempdir().expect("dir");
    let data = init(dir.path(), "sha256");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = format!("sqlite://{}", data.join("fonds.sqlite").display());
        let pool = sqlx::SqlitePool::connect(&url).await.expect("open");
        sqlx::raw_sql("DROP TRIGGER audit_events_no_update")
            .execute(&pool)
            .await
            .expect("drop the guard");
        sqlx::query("UPDATE audit_events SET actor = 'nobody' WHERE sequence = 2")
            .execute(&pool)
            .await
            .expect("edit");
        pool.close().await;
    });
    let out = dir.path().join("audit.jsonl");
    let refused = export(&data, &out, &["--from", "4"]);
    assert_ne!(refused.status.code(), Some(0));
    assert!(
        text(&refused).contains("broken at event 2")
            && text(&refused).contains("nothing was signed"),
        "{}",
        text(&refused)
    );
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
