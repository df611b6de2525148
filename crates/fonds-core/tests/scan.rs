//! Virus scanning against a real clamd (started by `scripts/clamd-local` with the offline EICAR
//! signatures): verdicts, the size limit, and the failures the pipeline must tell apart.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

#[path = "support/clamd.rs"]
mod clamd;

use std::time::{Duration, Instant};

use clamd::{LocalClamd, eicar};
use fonds_core::scan::{ClamdAddress, ClamdScanner, INSTREAM_CHUNK_SIZE, ScanError, ScanVerdict};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const TIMEOUT: Duration = Duration::from_secs(30);

fn scanner(clamd: &LocalClamd) -> ClamdScanner {
    ClamdScanner::new(clamd.address.parse().expect("address"), TIMEOUT)
}

/// Bytes that match no signature: a deterministic pseudo-random sequence (xorshift).
fn filler(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

#[tokio::test]
async fn clamd_answers_ping_and_tells_its_version() {
    let scanner = scanner(LocalClamd::shared());
    scanner.ping().await.expect("ping");
    let version = scanner.version().await.expect("version");
    assert!(version.starts_with("ClamAV "), "{version}");
}

#[tokio::test]
async fn ordinary_file_is_clean() {
    let verdict = scanner(LocalClamd::shared())
        .scan("记账凭证 2025-12 差旅费 1234.56\n".as_bytes())
        .await
        .expect("scan");
    assert_eq!(verdict, ScanVerdict::Clean);
}

#[tokio::test]
async fn empty_file_is_clean() {
    let verdict = scanner(LocalClamd::shared()).scan(b"").await.expect("scan");
    assert_eq!(verdict, ScanVerdict::Clean);
}

#[tokio::test]
async fn eicar_test_file_is_infected() {
    let verdict = scanner(LocalClamd::shared())
        .scan(&eicar())
        .await
        .expect("scan");
    // The name depends on the signature database; only "not clean" is the contract.
    assert!(!verdict.is_clean(), "{verdict:?}");
    assert!(
        matches!(&verdict, ScanVerdict::Infected { signature } if !signature.is_empty()),
        "{verdict:?}"
    );
}

#[tokio::test]
async fn eicar_straddling_a_chunk_boundary_inside_a_larger_file_is_found() {
    let mut content = filler(3 * INSTREAM_CHUNK_SIZE);
    let at = INSTREAM_CHUNK_SIZE - 30;
    let sample = eicar();
    content[at..at + sample.len()].copy_from_slice(&sample);
    let scanner = scanner(LocalClamd::shared());

    let verdict = scanner.scan(&content).await.expect("scan");
    assert!(!verdict.is_clean(), "{verdict:?}");

    // The same content through a reader that yields it in uneven pieces.
    let (head, tail) = content.split_at(at + 10);
    let (middle, tail) = tail.split_at(7);
    let reader = head.chain(middle).chain(tail);
    let verdict = scanner.scan_reader(reader).await.expect("scan reader");
    assert!(!verdict.is_clean(), "{verdict:?}");
}

#[tokio::test]
async fn ten_megabytes_of_clean_content_are_clean() {
    let content = filler(10 * 1024 * 1024);
    let scanner = scanner(LocalClamd::shared());
    let started = Instant::now();
    let verdict = scanner.scan(&content).await.expect("scan");
    // A figure for the reader, not an assertion: no test asserts a time.
    eprintln!("scanned 10 MiB in {:?}", started.elapsed());
    assert_eq!(verdict, ScanVerdict::Clean);
}

#[tokio::test]
async fn file_over_stream_max_length_is_a_configuration_error() {
    let clamd = LocalClamd::start_with(&["--max-stream", "1M"]);
    let scanner = scanner(&clamd);
    assert_eq!(
        scanner
            .scan(&filler(512 * 1024))
            .await
            .expect("under the limit"),
        ScanVerdict::Clean
    );

    let error = scanner
        .scan(&filler(3 * 1024 * 1024))
        .await
        .expect_err("over the limit");
    assert!(
        matches!(error, ScanError::SizeLimitExceeded { .. }),
        "{error:?}"
    );
    assert!(!error.is_transient());
    assert!(error.to_string().contains("StreamMaxLength"), "{error}");
}

#[tokio::test]
async fn clamd_over_tcp_finds_eicar_and_reports_the_size_limit() {
    let clamd = LocalClamd::start_with(&["--tcp", "--max-stream", "1M"]);
    assert!(clamd.address.starts_with("tcp:"), "{}", clamd.address);
    let scanner = scanner(&clamd);
    scanner.ping().await.expect("ping");
    let verdict = scanner.scan(&eicar()).await.expect("scan");
    assert!(!verdict.is_clean(), "{verdict:?}");
    let error = scanner
        .scan(&filler(3 * 1024 * 1024))
        .await
        .expect_err("over the limit");
    assert!(
        matches!(error, ScanError::SizeLimitExceeded { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn nobody_listening_is_unreachable_and_worth_retrying() {
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("clamd.sock");
    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    for address in [
        format!("unix:{}", socket.display()),
        format!("tcp:127.0.0.1:{free_port}"),
    ] {
        let address: ClamdAddress = address.parse().expect("address");
        let error = ClamdScanner::new(address.clone(), TIMEOUT)
            .scan(b"content")
            .await
            .expect_err("nobody listens");
        assert!(matches!(error, ScanError::Unreachable { .. }), "{error:?}");
        assert!(error.is_transient());
        assert!(error.to_string().contains(&address.to_string()), "{error}");
    }
}

#[tokio::test]
async fn stopped_clamd_is_unreachable() {
    let clamd = LocalClamd::start();
    let scanner = scanner(&clamd);
    scanner.ping().await.expect("ping while running");
    drop(clamd);
    let error = scanner.ping().await.expect_err("stopped");
    assert!(matches!(error, ScanError::Unreachable { .. }), "{error:?}");
}

#[tokio::test]
async fn silent_daemon_times_out_and_is_worth_retrying() {
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("silent.sock");
    let listener = tokio::net::UnixListener::bind(&socket).expect("bind");
    let silent = tokio::spawn(async move {
        let (connection, _) = listener.accept().await.expect("accept");
        // Holds the connection open and never answers.
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(connection);
    });
    let address: ClamdAddress = format!("unix:{}", socket.display())
        .parse()
        .expect("address");
    let error = ClamdScanner::new(address, Duration::from_millis(300))
        .scan(b"content")
        .await
        .expect_err("no answer");
    assert!(matches!(error, ScanError::TimedOut { .. }), "{error:?}");
    assert!(error.is_transient());
    silent.abort();
}

#[tokio::test]
async fn another_service_at_the_address_is_a_protocol_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("other.sock");
    let listener = tokio::net::UnixListener::bind(&socket).expect("bind");
    let other = tokio::spawn(async move {
        let (mut connection, _) = listener.accept().await.expect("accept");
        let mut request = [0_u8; 16];
        let _ = connection.read(&mut request).await;
        let _ = connection.write_all(b"220 smtp.example ESMTP\r\n").await;
    });
    let address: ClamdAddress = format!("unix:{}", socket.display())
        .parse()
        .expect("address");
    let error = ClamdScanner::new(address, TIMEOUT)
        .ping()
        .await
        .expect_err("not clamd");
    assert!(matches!(error, ScanError::Protocol { .. }), "{error:?}");
    assert!(!error.is_transient());
    other.await.expect("other service");
}
