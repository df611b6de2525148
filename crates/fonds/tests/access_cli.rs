//! The console of the server's machine as the operator drives it: appointing the three officers
//! with `fonds user add --role`, the separation refusing a second office, departments, grants
//! with a scope and an expiry, revoking, and a token with its own permissions.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const FONDS: &str = env!("CARGO_BIN_EXE_fonds");
const PASSWORD: &str = "Blue-Kettle-42-River";

fn fonds(data: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(FONDS)
        .args(args)
        .arg("--data")
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fonds");
    // A command that reads no password may have exited before it is written: that is no error.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{PASSWORD}\n").as_bytes());
    child.wait_with_output().expect("output")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn ok(data: &Path, args: &[&str]) -> String {
    let output = fonds(data, args);
    assert!(output.status.success(), "fonds {args:?}: {}", text(&output));
    text(&output)
}

#[test]
fn the_operator_appoints_officers_grants_scoped_roles_and_revokes_at_the_console() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    let init = ok(data, &["init"]);
    assert!(init.contains("--role system_administrator"), "{init}");
    ok(
        data,
        &[
            "user",
            "add",
            "wang",
            "--name",
            "王管理",
            "--role",
            "system_administrator",
        ],
    );
    ok(
        data,
        &[
            "user",
            "add",
            "li",
            "--name",
            "李保密",
            "--role",
            "系统安全保密员",
        ],
    );
    let users = ok(data, &["user", "list"]);
    assert!(
        users.contains("roles 系统管理员") && users.contains("roles 系统安全保密员"),
        "{users}"
    );
    // 三员分立: the administrator cannot also be the auditor.
    let refused = fonds(data, &["grant", "wang", "--role", "security_auditor"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("officer_separation"),
        "{}",
        text(&refused)
    );

    ok(
        data,
        &["department", "add", "Z001", "FIN", "--name", "财务部"],
    );
    ok(
        data,
        &[
            "department",
            "add",
            "Z001",
            "FIN-AP",
            "--name",
            "应付组",
            "--parent",
            "FIN",
        ],
    );
    let tree = ok(data, &["department", "list"]);
    assert!(
        tree.contains("Z001/FIN-AP") && tree.contains("应付组"),
        "{tree}"
    );
    let unknown = fonds(
        data,
        &["grant", "li", "--role", "reader", "--department", "Z001/HR"],
    );
    assert_eq!(unknown.status.code(), Some(2));

    ok(data, &["user", "add", "zhang", "--name", "张会计"]);
    let granted = ok(
        data,
        &[
            "grant",
            "zhang",
            "--role",
            "会计",
            "--fonds",
            "Z001",
            "--department",
            "Z001/FIN",
            "--years",
            "2020-2024",
            "--secrecy",
            "confidential",
            "--expires",
            "2999-01-01",
        ],
    );
    let id = granted
        .split("grant ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("grant id")
        .to_owned();
    let listed = ok(data, &["grants", "zhang"]);
    assert!(listed.contains("会计"), "{listed}");
    assert!(listed.contains("departments Z001/FIN"), "{listed}");
    assert!(listed.contains("years 2020-2024"), "{listed}");
    assert!(listed.contains("秘密"), "{listed}");
    assert!(listed.contains("until 2999-01-01"), "{listed}");
    ok(data, &["revoke", &id]);
    assert!(ok(data, &["grants", "zhang"]).contains("revoked"));
    let twice = fonds(data, &["revoke", &id]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(text(&twice).contains("grant_not_found"), "{}", text(&twice));

    let token = ok(
        data,
        &[
            "token",
            "--label",
            "nightly",
            "--permission",
            "record.read",
            "--fonds",
            "Z001",
        ],
    );
    assert!(token.contains("permissions: record.read"), "{token}");
    assert!(token.contains("fonds Z001"), "{token}");
    let bad = fonds(data, &["token", "--permission", "record.delete"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_permission_review_lists_what_needs_attention_and_is_recorded_at_the_console() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(data, &["init"]);
    ok(
        data,
        &[
            "user",
            "add",
            "wang",
            "--name",
            "王管理",
            "--role",
            "system_administrator",
        ],
    );
    ok(data, &["user", "add", "zhang", "--name", "张会计"]);
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::days(10))
        .date()
        .to_string();
    ok(
        data,
        &[
            "grant",
            "zhang",
            "--role",
            "会计",
            "--fonds",
            "Z001",
            "--expires",
            &soon,
        ],
    );

    let report = ok(data, &["review"]);
    assert!(
        report.contains("officers without 2FA: wang"),
        "an officer who has not enrolled: {report}"
    );
    assert!(
        report.contains(&format!("会计 of zhang on {soon}")),
        "a grant expiring within 30 days: {report}"
    );
    assert!(report.contains("last review: none"), "{report}");

    let refused = fonds(data, &["review", "--done"]);
    assert!(
        !refused.status.success(),
        "a review is recorded with a note"
    );
    let done = ok(
        data,
        &[
            "review",
            "--done",
            "--note",
            "王管理须绑定双因素；张会计授权到期后不再续期",
        ],
    );
    assert!(done.contains("Review 1 recorded"), "{done}");
    let again = ok(data, &["review"]);
    assert!(
        again.contains("last review: ") && again.contains("by cli (王管理须绑定双因素"),
        "{again}"
    );
}
