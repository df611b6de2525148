//! `fonds audit verify` as an operator runs it: OK with the head after init, a key rotation and
//! a backup, each recorded; exit 1 naming the first broken event once the file was tampered
//! with outside Fonds.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::path::Path;
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

/// The `HEAD_SEQUENCE:HEAD_HASH` of an `OK: N events, head SEQ HASH (alg)` line.
fn head_of(ok_line: &str) -> String {
    let words: Vec<&str> = ok_line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "head")
        .expect("a head in the OK line");
    format!("{}:{}", words[at + 1], words[at + 2])
}

/// Edits an event the way someone with the database file could: guards dropped first.
fn tamper(data: &Path, sequence: i64) {
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
        sqlx::query("UPDATE audit_events SET actor = 'nobody' WHERE sequence = $1")
            .bind(sequence)
            .execute(&pool)
            .await
            .expect("edit");
        pool.close().await;
    });
}

#[test]
fn verify_reports_the_head_of_an_intact_trail_and_names_the_first_edited_event() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let init = fonds(&data, &["init"]);
    assert!(init.status.success(), "{}", text(&init));

    let verified = fonds(&data, &["audit", "verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let out = stdout(&verified);
    assert!(
        out.starts_with("OK: 3 events, head 3 ") && out.trim_end().ends_with("(sha256)"),
        "the start, the fonds and the admin token: {out}"
    );
    let head_after_init = head_of(&out);

    let rotated = fonds(&data, &["keys", "rotate"]);
    assert!(rotated.status.success(), "{}", text(&rotated));
    let backup = fonds(
        &data,
        &["backup", &dir.path().join("backups").display().to_string()],
    );
    assert!(backup.status.success(), "{}", text(&backup));
    let verified = fonds(&data, &["audit", "verify", "--head", &head_after_init]);
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    assert!(
        stdout(&verified).starts_with("OK: 5 events, head 5 "),
        "the key rotation and the backup were recorded: {}",
        stdout(&verified)
    );

    tamper(&data, 2);
    let broken = fonds(&data, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1), "{}", text(&broken));
    assert!(
        stdout(&broken)
            .starts_with("FAILED: the audit trail is broken at event 2: its content was changed"),
        "{}",
        text(&broken)
    );

    let bad_head = fonds(&data, &["audit", "verify", "--head", "3"]);
    assert_eq!(bad_head.status.code(), Some(2), "{}", text(&bad_head));
    assert!(
        text(&bad_head).contains("SEQUENCE:HASH"),
        "{}",
        text(&bad_head)
    );
}

#[test]
fn init_can_chain_the_trail_with_sm3() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let init = fonds(&data, &["init", "--audit-hash", "sm3"]);
    assert!(init.status.success(), "{}", text(&init));
    let verified = fonds(&data, &["audit", "verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    assert!(
        stdout(&verified).trim_end().ends_with("(sm3)"),
        "{}",
        stdout(&verified)
    );
}
