//! The command line as a user drives it: init, import, verify — and verify catching a changed or
//! missing file with exit code 1.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fonds_domain::Money;
use fonds_formats::einvoice::{InvoiceData, InvoiceItem, render_xml};
use fonds_formats::pdf::{PdfDocument, PdfLine, render};
use time::macros::datetime;

const FONDS: &str = env!("CARGO_BIN_EXE_fonds");

fn fonds(data: &Path, args: &[&str]) -> Output {
    Command::new(FONDS)
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("run fonds")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A valid one-page PDF showing `text`, rendered by Fonds' own writer.
fn pdf(text: &str) -> Vec<u8> {
    render(&PdfDocument {
        title: "记账凭证".into(),
        subject: None,
        creation_date: datetime!(2023-03-01 10:00),
        lines: vec![PdfLine::Text(text.to_owned())],
    })
}

/// A consistent 数电票 XML with one line, `amount` plus 6% tax making `total` (both as the
/// register writes amounts), under its own 20-digit `number`.
fn invoice_xml(number: &str, amount: &str, tax: &str, total: &str) -> String {
    let money = |s: &str| s.parse::<Money>().expect("amount");
    render_xml(&InvoiceData {
        number: number.to_owned(),
        issued_at: datetime!(2023-02-28 09:30),
        seller_name: "北京某某科技有限公司".into(),
        seller_tax_id: "91110108MA01XXXX2B".into(),
        buyer_name: "测试公司".into(),
        buyer_tax_id: "91110000100000000X".into(),
        items: vec![InvoiceItem {
            name: "*现代服务*服务费".into(),
            quantity: "1".into(),
            unit_price: money(amount),
            amount: money(amount),
            tax_rate: "6%".into(),
            tax: money(tax),
        }],
        total_amount: money(amount),
        total_tax: money(tax),
        total_with_tax: money(total),
        red_letter: false,
        original_number: None,
        remarks: None,
    })
}

/// A DA/T 94 §16 folder with two vouchers, written by hand as a unit would: a PDF of each and
/// the 数电票 it books, for the amount the register states.
fn write_import_folder(dir: &Path) {
    let invoices = [
        (
            "记-0001",
            invoice_xml("24312000000000000001", "113.21", "6.79", "120.00"),
        ),
        (
            "记-0002",
            invoice_xml("24312000000000000002", "83.49", "5.01", "88.50"),
        ),
    ];
    for (n, invoice) in invoices {
        let folder = dir.join(n);
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join(format!("{n}.pdf")), pdf(n)).expect("main");
        std::fs::write(folder.join("发票.xml"), invoice).expect("invoice");
    }
    let register = "\u{feff}序号,档号,文件号,题名,形成日期,保管期限,电子文件名,数量,备注,金额\n\
        1,,记-0001,报销差旅费,2023-03-01,D30,记-0001.pdf;发票.xml,2,,120.00\n\
        2,,记-0002,支付办公用品采购款,20230302,30年,记-0002.pdf;发票.xml,2,,88.50\n";
    std::fs::write(dir.join("register.csv"), register).expect("register");
}

fn blob_files(data: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out)
            } else {
                out.push(path)
            }
        }
    }
    let mut out = Vec::new();
    walk(&data.join("blobs").join("objects"), &mut out);
    out.sort();
    out
}

#[test]
fn init_import_and_verify_work_together_and_verify_names_a_changed_and_a_missing_file() {
    let data = tempfile::tempdir().expect("data");
    let folder = tempfile::tempdir().expect("folder");
    write_import_folder(folder.path());

    let init = fonds(
        data.path(),
        &["init", "--fonds", "Z001", "--fonds-name", "测试公司"],
    );
    assert!(init.status.success(), "{}", text(&init));
    assert!(text(&init).contains("fonds_"), "init prints the token once");
    let again = fonds(data.path(), &["init"]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "a second init is refused: {}",
        text(&again)
    );

    let import = fonds(
        data.path(),
        &["import", folder.path().to_str().expect("utf-8 path")],
    );
    assert!(import.status.success(), "{}", text(&import));
    assert!(
        text(&import).contains("Imported 2 rows"),
        "{}",
        text(&import)
    );

    let verify = fonds(data.path(), &["verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("OK: 4 files"), "{}", text(&verify));

    // Change one stored file and delete another behind Fonds' back.
    let blobs = blob_files(data.path());
    assert_eq!(blobs.len(), 4);
    let mut permissions = std::fs::metadata(&blobs[0]).expect("stat").permissions();
    #[expect(
        clippy::permissions_set_readonly_false,
        reason = "the test tampers on purpose"
    )]
    permissions.set_readonly(false);
    std::fs::set_permissions(&blobs[0], permissions).expect("chmod");
    std::fs::write(&blobs[0], b"tampered").expect("tamper");
    std::fs::remove_file(&blobs[1]).expect("delete");

    let verify = fonds(data.path(), &["verify"]);
    assert_eq!(verify.status.code(), Some(1), "{}", text(&verify));
    let report = text(&verify);
    assert!(report.contains("CHANGED"), "{report}");
    assert!(report.contains("MISSING"), "{report}");
}

#[test]
fn commands_on_a_directory_that_is_not_initialised_say_what_to_do() {
    let data = tempfile::tempdir().expect("data");
    let verify = fonds(&data.path().join("nothing-here"), &["verify"]);
    assert_eq!(verify.status.code(), Some(2));
    assert!(text(&verify).contains("fonds init"), "{}", text(&verify));
}

#[test]
fn a_new_data_directory_seals_its_files_and_a_key_rotation_keeps_them_readable() {
    let data = tempfile::tempdir().expect("data");
    let folder = tempfile::tempdir().expect("folder");
    write_import_folder(folder.path());
    let init = fonds(data.path(), &["init"]);
    assert!(init.status.success(), "{}", text(&init));
    let key_file = data.path().join("keys/master.key");
    let first_key = std::fs::read_to_string(&key_file).expect("a master key was generated");
    let import = fonds(
        data.path(),
        &["import", folder.path().to_str().expect("utf-8 path")],
    );
    assert!(import.status.success(), "{}", text(&import));
    for blob in blob_files(data.path()) {
        let stored = std::fs::read(&blob).expect("blob");
        assert!(
            stored.starts_with(b"FNDSENC1"),
            "{} is sealed",
            blob.display()
        );
    }

    let rotate = fonds(data.path(), &["keys", "rotate"]);
    assert!(rotate.status.success(), "{}", text(&rotate));
    assert!(
        text(&rotate).contains("4 files rewrapped"),
        "{}",
        text(&rotate)
    );
    let second_key = std::fs::read_to_string(&key_file).expect("key");
    assert_ne!(first_key, second_key, "the key file holds the new key");
    assert_eq!(
        std::fs::read_dir(data.path().join("keys/retired"))
            .expect("retired")
            .count(),
        1,
        "the old key is kept for older backups"
    );
    let verify = fonds(data.path(), &["verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("OK: 4 files"), "{}", text(&verify));

    // Without its key the archive is not opened, and no new key is made in its place.
    std::fs::remove_file(&key_file).expect("remove key");
    let verify = fonds(data.path(), &["verify"]);
    assert_eq!(verify.status.code(), Some(2), "{}", text(&verify));
    assert!(
        text(&verify).contains("master key is missing"),
        "{}",
        text(&verify)
    );
    assert!(!key_file.exists());
}

/// `fonds user add` reads the password from standard input, refuses a weak one naming every rule
/// it breaks (and never the password), and `fonds user list` shows the accounts made.
#[test]
fn user_add_reads_the_password_from_stdin_and_enforces_the_policy() {
    use std::io::Write as _;
    use std::process::Stdio;

    let root = tempfile::tempdir().expect("tempdir");
    let data = root.path().join("data");
    assert!(fonds(&data, &["init"]).status.success());
    let add = |password: &str| -> Output {
        let mut child = Command::new(FONDS)
            .args(["user", "add", "wang.fang", "--name", "王芳", "--data"])
            .arg(&data)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{password}\n").as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    let weak = add("wang.fang24");
    assert_eq!(weak.status.code(), Some(2), "{}", text(&weak));
    let said = text(&weak);
    for code in ["password_too_short", "password_contains_name"] {
        assert!(said.contains(code), "{said}");
    }
    assert!(!said.contains("wang.fang24"), "{said}");
    let strong = add("Quiet-Harbour-58");
    assert!(strong.status.success(), "{}", text(&strong));
    assert!(!text(&strong).contains("Quiet-Harbour-58"));
    let listed = text(&fonds(&data, &["user", "list"]));
    assert!(
        listed.contains("wang.fang") && listed.contains("王芳"),
        "{listed}"
    );
    let again = add("Quiet-Harbour-58");
    assert!(!again.status.success());
    assert!(text(&again).contains("taken"), "{}", text(&again));
}

/// `fonds user sessions` lists a person's sessions, `fonds user revoke-session` ends one so its
/// cookie opens nothing more, and `fonds user reset-second-factor` removes a second factor; both
/// changes are audited as the command line's.
#[tokio::test]
async fn user_sessions_are_listed_and_revoked_and_a_second_factor_reset_at_the_server() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = root.path().join("data");
    assert!(fonds(&data, &["init"]).status.success());
    let archive = fonds_core::Archive::open_embedded(&data, fonds_core::Settings::default())
        .await
        .expect("open");
    let cli = fonds_core::Actor::cli();
    archive
        .create_user("wang.fang", "王芳", "Quiet-Harbour-58", &cli)
        .await
        .expect("user");
    let login = archive
        .login("wang.fang", "Quiet-Harbour-58", Some("192.0.2.7"), None)
        .await
        .expect("login");
    let session = archive.session(&login.secret).await.expect("session");
    archive
        .start_second_factor_enrolment(&session, &session.actor())
        .await
        .expect("enrolment");
    assert!(text(&fonds(&data, &["user", "list"])).contains("2FA pending"));

    let listed = text(&fonds(&data, &["user", "sessions", "wang.fang"]));
    assert!(listed.contains(&session.session_id), "{listed}");
    assert!(
        listed.contains("192.0.2.7") && listed.contains("live (full)"),
        "{listed}"
    );
    let revoked = fonds(&data, &["user", "revoke-session", &session.session_id]);
    assert!(revoked.status.success(), "{}", text(&revoked));
    let refused = archive.session(&login.secret).await.expect_err("revoked");
    assert_eq!(refused.code.as_str(), "session_expired");
    assert!(text(&fonds(&data, &["user", "sessions", "wang.fang"])).contains("ended"));
    let again = fonds(&data, &["user", "revoke-session", &session.session_id]);
    assert!(!again.status.success());
    assert!(text(&again).contains("no live session"), "{}", text(&again));

    let reset = fonds(&data, &["user", "reset-second-factor", "wang.fang"]);
    assert!(reset.status.success(), "{}", text(&reset));
    assert!(text(&fonds(&data, &["user", "list"])).contains("no 2FA"));
    let nothing = fonds(&data, &["user", "reset-second-factor", "wang.fang"]);
    assert!(!nothing.status.success());

    let events = archive.audit_events_after(0, 1000).await.expect("events");
    for action in ["session.revoked", "second_factor.reset"] {
        let event = events
            .iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("{action} in the trail"));
        assert_eq!(event.actor, "cli", "{action}");
    }
}
