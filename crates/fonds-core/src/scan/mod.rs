//! Virus scanning through ClamAV's clamd, over its socket with the INSTREAM command.
//!
//! One connection per request: the content is streamed in length-prefixed chunks and clamd
//! answers with a verdict. A scan either gives a [`ScanVerdict`] or a [`ScanError`] that says
//! whether to try again later ([`ScanError::is_transient`]); a failed scan is never a clean file.
//!
//! clamd reports `OK` for content it did not fully scan when that content exceeds its
//! `MaxFileSize` or `MaxScanSize` and `AlertExceedsMax` is off, so the clamd serving Fonds should
//! have `StreamMaxLength` and `MaxFileSize` at least as large as the largest accepted file and
//! `AlertExceedsMax yes` (as `scripts/clamd-local` configures it).

mod address;
mod error;
mod reply;

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};

pub use address::{ClamdAddress, ClamdAddressError};
pub use error::ScanError;

use reply::{ScanReply, parse_scan_reply};

/// The size of the chunks content is streamed to clamd in.
pub const INSTREAM_CHUNK_SIZE: usize = 64 * 1024;

/// The longest reply accepted from clamd; its replies are one short line.
const MAX_REPLY_BYTES: usize = 4096;

/// What clamd found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanVerdict {
    /// No signature matched.
    Clean,
    /// A signature matched.
    Infected {
        /// The signature's name as clamd reports it, e.g. `Win.Test.EICAR_HDB-1`.
        signature: String,
    },
}

impl ScanVerdict {
    /// Whether no signature matched.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        matches!(self, Self::Clean)
    }
}

/// A client of one clamd daemon.
// LIMITATION: one connection per request. clamd's IDSESSION could carry several scans on one
// connection, but a connect on a local socket costs little next to a scan.
#[derive(Debug, Clone)]
pub struct ClamdScanner {
    address: ClamdAddress,
    timeout: Duration,
}

/// A connection to clamd, over either kind of socket.
trait Connection: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Connection for T {}

impl ClamdScanner {
    /// A scanner that asks clamd at `address`, allowing `timeout` for each whole exchange
    /// (connecting, sending the content, waiting for the verdict).
    #[must_use]
    pub fn new(address: ClamdAddress, timeout: Duration) -> Self {
        Self { address, timeout }
    }

    /// The daemon this scanner asks.
    #[must_use]
    pub fn address(&self) -> &ClamdAddress {
        &self.address
    }

    /// Checks that clamd answers.
    ///
    /// # Errors
    /// When clamd cannot be reached, does not answer in time or does not answer `PONG`.
    pub async fn ping(&self) -> Result<(), ScanError> {
        let reply = self.command("PING").await?;
        if reply == "PONG" {
            Ok(())
        } else {
            Err(self.protocol(reply))
        }
    }

    /// clamd's version line, e.g. `ClamAV 1.4.6/27000/Mon Dec  1 09:00:00 2025` (engine,
    /// signature database version and date; only the engine without the official database).
    ///
    /// # Errors
    /// When clamd cannot be reached, does not answer in time or answers something else.
    pub async fn version(&self) -> Result<String, ScanError> {
        let reply = self.command("VERSION").await?;
        if reply.starts_with("ClamAV ") {
            Ok(reply)
        } else {
            Err(self.protocol(reply))
        }
    }

    /// Scans `content`.
    ///
    /// # Errors
    /// See [`ScanError`]; the content was not judged.
    pub async fn scan(&self, content: &[u8]) -> Result<ScanVerdict, ScanError> {
        self.scan_reader(content).await
    }

    /// Scans what `reader` yields until its end, without holding it all in memory. The
    /// timeout covers reading `reader` too.
    ///
    /// # Errors
    /// See [`ScanError`]; [`ScanError::Content`] when `reader` fails.
    pub async fn scan_reader<R: AsyncRead + Unpin>(
        &self,
        reader: R,
    ) -> Result<ScanVerdict, ScanError> {
        let reply = self
            .within_timeout(async {
                let mut connection = self.connect().await?;
                self.stream(&mut connection, reader).await
            })
            .await?;
        match parse_scan_reply(&reply) {
            ScanReply::Clean => Ok(ScanVerdict::Clean),
            ScanReply::Infected(signature) => Ok(ScanVerdict::Infected { signature }),
            ScanReply::SizeLimitExceeded => Err(ScanError::SizeLimitExceeded {
                address: self.address.clone(),
            }),
            ScanReply::Failed(message) => Err(ScanError::Daemon {
                address: self.address.clone(),
                message,
            }),
            ScanReply::Unexpected => Err(self.protocol(reply)),
        }
    }

    /// Sends INSTREAM with the content of `reader` and returns clamd's reply.
    async fn stream<R: AsyncRead + Unpin>(
        &self,
        connection: &mut Box<dyn Connection>,
        mut reader: R,
    ) -> Result<String, ScanError> {
        let mut chunk = vec![0_u8; INSTREAM_CHUNK_SIZE];
        let sent = async {
            connection.write_all(b"zINSTREAM\0").await?;
            loop {
                let length = fill(&mut reader, &mut chunk)
                    .await
                    .map_err(ContentOrWire::Content)?;
                // A chunk length always fits: INSTREAM_CHUNK_SIZE is far below u32::MAX.
                let prefix = u32::try_from(length).unwrap_or(u32::MAX).to_be_bytes();
                connection.write_all(&prefix).await?;
                if length == 0 {
                    break;
                }
                connection.write_all(&chunk[..length]).await?;
            }
            connection.flush().await?;
            Ok::<(), ContentOrWire>(())
        }
        .await;
        match sent {
            Ok(()) => self.read_reply(connection).await,
            Err(ContentOrWire::Content(e)) => Err(ScanError::Content(e)),
            // clamd closes the connection as soon as the stream passes StreamMaxLength, after
            // saying so: its reply may still be waiting to be read.
            Err(ContentOrWire::Wire(write_error)) => match self.read_reply(connection).await {
                Ok(reply) => Ok(reply),
                Err(_) => Err(self.lost(write_error)),
            },
        }
    }

    /// Sends a `z`-command (NUL-terminated) and returns the reply.
    async fn command(&self, name: &str) -> Result<String, ScanError> {
        self.within_timeout(async {
            let mut connection = self.connect().await?;
            let request = format!("z{name}\0");
            connection
                .write_all(request.as_bytes())
                .await
                .map_err(|e| self.lost(e))?;
            self.read_reply(&mut connection).await
        })
        .await
    }

    /// Reads one NUL-terminated reply.
    // LIMITATION: only the first reply is read; with `AllMatchScans yes` clamd may report
    // further signatures, which would not change the verdict.
    async fn read_reply(&self, connection: &mut Box<dyn Connection>) -> Result<String, ScanError> {
        let mut reply = Vec::with_capacity(64);
        let mut buffer = [0_u8; 512];
        loop {
            let read = connection
                .read(&mut buffer)
                .await
                .map_err(|e| self.lost(e))?;
            if read == 0 {
                if reply.is_empty() {
                    return Err(self.lost(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "clamd closed the connection without answering",
                    )));
                }
                break;
            }
            reply.extend_from_slice(&buffer[..read]);
            if let Some(end) = reply.iter().position(|&b| b == 0) {
                reply.truncate(end);
                break;
            }
            if reply.len() > MAX_REPLY_BYTES {
                reply.truncate(MAX_REPLY_BYTES);
                return Err(self.protocol(String::from_utf8_lossy(&reply).into_owned()));
            }
        }
        Ok(String::from_utf8_lossy(&reply).trim_end().to_owned())
    }

    async fn connect(&self) -> Result<Box<dyn Connection>, ScanError> {
        let unreachable = |source| ScanError::Unreachable {
            address: self.address.clone(),
            source,
        };
        match &self.address {
            #[cfg(unix)]
            ClamdAddress::Unix(path) => Ok(Box::new(
                tokio::net::UnixStream::connect(path)
                    .await
                    .map_err(unreachable)?,
            )),
            #[cfg(not(unix))]
            ClamdAddress::Unix(_) => Err(unreachable(io::Error::new(
                io::ErrorKind::Unsupported,
                "Unix sockets are not available on this platform; use a tcp: address",
            ))),
            ClamdAddress::Tcp { host, port } => Ok(Box::new(
                tokio::net::TcpStream::connect((host.as_str(), *port))
                    .await
                    .map_err(unreachable)?,
            )),
        }
    }

    async fn within_timeout<T>(
        &self,
        exchange: impl Future<Output = Result<T, ScanError>>,
    ) -> Result<T, ScanError> {
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| ScanError::TimedOut {
                address: self.address.clone(),
                timeout: self.timeout,
            })?
    }

    fn lost(&self, source: io::Error) -> ScanError {
        ScanError::ConnectionLost {
            address: self.address.clone(),
            source,
        }
    }

    fn protocol(&self, reply: String) -> ScanError {
        ScanError::Protocol {
            address: self.address.clone(),
            reply,
        }
    }
}

/// Which side of a scan failed while streaming.
enum ContentOrWire {
    Content(io::Error),
    Wire(io::Error),
}

impl From<io::Error> for ContentOrWire {
    fn from(error: io::Error) -> Self {
        Self::Wire(error)
    }
}

/// Reads from `reader` until `chunk` is full or the reader ends; returns how much was read.
async fn fill<R: AsyncRead + Unpin>(reader: &mut R, chunk: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < chunk.len() {
        let read = reader.read(&mut chunk[filled..]).await?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    Ok(filled)
}
