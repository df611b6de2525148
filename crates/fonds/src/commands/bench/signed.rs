//! `fonds bench signed`: signed submissions with idempotency keys from concurrent client systems
//! against the same load sent with a bearer token, each on a fresh server, so the cost of
//! signing is a ratio of two figures from one run; and the delivery rate of the webhooks those
//! submissions cause, to a receiver on this machine.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use fonds_core::clients::ClientSpec;
use fonds_core::clients::signing::{SignedParts, sign};
use fonds_domain::SigningAlgorithm;
use sha2::Digest as _;

use super::{content, manifest, ms, server};

/// How one run authenticates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Auth {
    Token,
    Signed,
}

struct RunFigures {
    rate: f64,
    p50: Duration,
    p99: Duration,
}

const BOUNDARY: &str = "fonds-bench-boundary-0f3a";

/// The exact bytes of a multipart body, so that they can be hashed and signed.
fn multipart(manifest: &str, files: [(&str, &[u8]); 2]) -> Vec<u8> {
    let mut body = Vec::with_capacity(manifest.len() + files[0].1.len() + files[1].1.len() + 512);
    let mut part = |name: &str, bytes: &[u8]| {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    };
    part("manifest", manifest.as_bytes());
    for (name, bytes) in files {
        part(name, bytes);
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// `fonds bench signed`.
pub async fn run(records: u32, clients: u32, file_size: usize) -> anyhow::Result<ExitCode> {
    if records == 0 || clients == 0 {
        bail!("--records and --clients must be at least 1");
    }
    println!(
        "fonds bench signed: {records} vouchers × 2 files × {file_size} bytes, {clients} clients, per run"
    );
    // The disk of a shared machine varies from minute to minute: the two kinds of run alternate,
    // twice each, and the better of each pair is compared.
    let mut token = Vec::new();
    let mut signed = Vec::new();
    for _ in 0..2 {
        token.push(load(Auth::Token, false, records, clients, file_size).await?);
        signed.push(load(Auth::Signed, false, records, clients, file_size).await?);
    }
    let best = |runs: Vec<RunFigures>| {
        runs.into_iter()
            .max_by(|a, b| a.rate.total_cmp(&b.rate))
            .ok_or_else(|| anyhow::anyhow!("no run"))
    };
    let (token, signed) = (best(token)?, best(signed)?);
    // Webhooks are measured in a run of their own: the sender competes for the disk, and the
    // token run, which causes no webhooks, would not carry that load.
    let _ = load(Auth::Signed, true, records, clients, file_size).await?;
    println!();
    println!(
        "bearer token   {:.0} records/s, p50 {:.1} ms, p99 {:.1} ms",
        token.rate,
        ms(token.p50),
        ms(token.p99)
    );
    println!(
        "signed + keys  {:.0} records/s, p50 {:.1} ms, p99 {:.1} ms",
        signed.rate,
        ms(signed.p50),
        ms(signed.p99)
    );
    println!(
        "ratio          signed / token = {:.3}  (signing costs {:.1} % of throughput)",
        signed.rate / token.rate,
        (1.0 - signed.rate / token.rate) * 100.0
    );
    Ok(ExitCode::SUCCESS)
}

async fn load(
    auth: Auth,
    webhooks: bool,
    records: u32,
    clients: u32,
    file_size: usize,
) -> anyhow::Result<RunFigures> {
    let server = server::start().await?;
    let mut credentials = Vec::new();
    let receiver = Receiver::start().await?;
    if auth == Auth::Signed {
        for c in 0..clients {
            let issued = server
                .archive
                .add_client(
                    ClientSpec {
                        name: format!("bench-oa-{c}"),
                        fonds: vec!["B001".parse()?],
                        kinds: Vec::new(),
                        allowed_ips: Vec::new(),
                        algorithm: SigningAlgorithm::HmacSha256,
                        certificate_sha256: None,
                    },
                    &fonds_core::Actor::cli(),
                )
                .await?;
            if webhooks {
                server
                    .archive
                    .add_webhook(
                        &issued.id,
                        &receiver.url,
                        &["submission.accepted".to_owned()],
                        &fonds_core::Actor::cli(),
                    )
                    .await?;
            }
            credentials.push((issued.id.to_string(), issued.secret));
        }
    }
    let http = reqwest::Client::new();
    let next = Arc::new(AtomicU32::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients as usize {
        let (http, next, base, token) = (
            http.clone(),
            Arc::clone(&next),
            server.base.clone(),
            server.token.clone(),
        );
        let credential = credentials.get(c).cloned();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= records {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let a = content(u64::from(i) * 2, file_size);
                let b = content(u64::from(i) * 2 + 1, file_size);
                let body = multipart(&manifest(i, [("a", &a), ("b", &b)]), [("a", &a), ("b", &b)]);
                let sent = Instant::now();
                let mut request = http
                    .post(format!("{base}/api/v1/submissions?wait=30"))
                    .header(
                        "content-type",
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    );
                request = match &credential {
                    None => request.bearer_auth(&token),
                    Some((id, secret)) => {
                        let digest = hex::encode(sha2::Sha256::digest(&body));
                        let timestamp =
                            time::OffsetDateTime::now_utc().unix_timestamp().to_string();
                        let nonce = format!("bench-{i:08}-{}", uuid_like(i));
                        let signature = sign(
                            &SignedParts {
                                algorithm: SigningAlgorithm::HmacSha256,
                                client: id,
                                method: "POST",
                                path: "/api/v1/submissions",
                                query: Some("wait=30"),
                                timestamp: &timestamp,
                                nonce: &nonce,
                                content_sha256: &digest,
                            },
                            secret,
                        );
                        request
                            .header("x-fonds-client", id.as_str())
                            .header("x-fonds-timestamp", timestamp)
                            .header("x-fonds-nonce", nonce)
                            .header("x-fonds-content-sha256", digest)
                            .header("x-fonds-signature", signature)
                            .header("idempotency-key", format!("bench-{i}"))
                    }
                };
                let response = request.body(body).send().await?;
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                if status.as_u16() != 202 || !text.contains("\"state\":\"accepted\"") {
                    bail!("submission {i} answered {status}: {text}");
                }
                latencies.push(sent.elapsed());
            }
        }));
    }
    let mut latencies = Vec::with_capacity(records as usize);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let wall = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    let figures = RunFigures {
        rate: f64::from(records) / wall.as_secs_f64(),
        p50: pct(0.5),
        p99: pct(0.99),
    };
    let label = match (auth, webhooks) {
        (Auth::Token, _) => "token",
        (Auth::Signed, false) => "signed",
        (Auth::Signed, true) => "signed + webhooks",
    };
    println!(
        "  {label:<6} run: {records} records in {:.2} s",
        wall.as_secs_f64()
    );
    if webhooks {
        let delivered = receiver
            .wait_for(u64::from(records), Duration::from_secs(600))
            .await;
        if let Some((first, last)) = delivered {
            let span = last.duration_since(first).as_secs_f64().max(0.001);
            println!(
                "  webhooks: {records} deliveries, {:.0} deliveries/s (first to last), all delivered {:.2} s after the load began",
                f64::from(records) / span,
                last.duration_since(started).as_secs_f64()
            );
        } else {
            println!(
                "  webhooks: only {} of {records} delivered within 10 minutes",
                receiver.count.load(Ordering::Relaxed)
            );
        }
    }
    Ok(figures)
}

/// A distinct suffix per request without a random source: nonces only need to be unique.
fn uuid_like(i: u32) -> String {
    format!("{:016x}", u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A webhook receiver on this machine that counts deliveries and notes when the first and the
/// last arrived.
struct Receiver {
    url: String,
    count: Arc<AtomicU64>,
    times: Arc<std::sync::Mutex<(Option<Instant>, Option<Instant>)>>,
}

impl Receiver {
    async fn start() -> anyhow::Result<Self> {
        let count = Arc::new(AtomicU64::new(0));
        let times = Arc::new(std::sync::Mutex::new((None, None)));
        let (c, t) = (Arc::clone(&count), Arc::clone(&times));
        let app = axum_free_receiver(c, t);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        tokio::spawn(async move { app(listener).await });
        Ok(Self { url, count, times })
    }

    async fn wait_for(&self, expected: u64, limit: Duration) -> Option<(Instant, Instant)> {
        let deadline = Instant::now() + limit;
        while self.count.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let times = self.times.lock().ok()?;
        match (self.count.load(Ordering::Relaxed) >= expected, *times) {
            (true, (Some(first), Some(last))) => Some((first, last)),
            _ => None,
        }
    }
}

/// A minimal HTTP/1.1 server answering 204 to every request, written on tokio directly so the
/// benchmark needs no web framework of its own.
fn axum_free_receiver(
    count: Arc<AtomicU64>,
    times: Arc<std::sync::Mutex<(Option<Instant>, Option<Instant>)>>,
) -> impl FnOnce(
    tokio::net::TcpListener,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    move |listener| {
        Box::pin(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let (count, times) = (Arc::clone(&count), Arc::clone(&times));
                tokio::spawn(async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let mut buffer = Vec::new();
                    let mut chunk = [0u8; 8192];
                    loop {
                        // One request per read loop: headers, then Content-Length bytes of body.
                        let Some(end) = find(&buffer, b"\r\n\r\n") else {
                            match socket.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => {
                                    buffer.extend_from_slice(&chunk[..n]);
                                    continue;
                                }
                            }
                        };
                        let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        while buffer.len() < end + 4 + length {
                            match socket.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                            }
                        }
                        buffer.drain(..end + 4 + length);
                        let now = Instant::now();
                        if let Ok(mut t) = times.lock() {
                            t.0.get_or_insert(now);
                            t.1 = Some(now);
                        }
                        count.fetch_add(1, Ordering::Relaxed);
                        if socket
                            .write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                });
            }
        })
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
