//! The command line as a user drives it: init, import, verify — and verify catching a changed or
//! missing file with exit code 1.

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

/// A DA/T 94 §16 folder with two vouchers, written by hand as a unit would.
fn write_import_folder(dir: &Path) {
    for n in ["记-0001", "记-0002"] {
        let folder = dir.join(n);
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join(format!("{n}.pdf")), format!("%PDF-1.7 {n}")).expect("main");
        std::fs::write(
            folder.join("发票.xml"),
            format!("<?xml version=\"1.0\"?><EInvoice>{n}</EInvoice>"),
        )
        .expect("invoice");
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
