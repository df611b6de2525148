//! What can go wrong between Fonds and clamd, each said so that an operator knows what to check.

use std::io;
use std::time::Duration;

use super::ClamdAddress;

/// A scan that did not produce a verdict. The file is neither clean nor infected: it stays
/// unscanned until a later attempt succeeds ([`ScanError::is_transient`]) or an operator fixes
/// the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// No connection to clamd: it is not running, or listens elsewhere.
    #[error(
        "cannot connect to clamd at {address}: {source}; check that clamd is running and that \
         its LocalSocket or TCPSocket is {address}"
    )]
    Unreachable {
        /// Where Fonds looked for clamd.
        address: ClamdAddress,
        /// The connection error.
        #[source]
        source: io::Error,
    },
    /// clamd did not answer within the scan timeout.
    #[error(
        "clamd at {address} did not answer within {timeout:?}; check whether clamd is overloaded \
         (MaxThreads, MaxQueue in clamd.conf) or raise Fonds' scan timeout"
    )]
    TimedOut {
        /// The daemon that was asked.
        address: ClamdAddress,
        /// The time allowed for the whole exchange.
        timeout: Duration,
    },
    /// The connection broke after it was made, before clamd answered.
    #[error(
        "the connection to clamd at {address} broke before it answered: {source}; check clamd's \
         log for a restart or crash"
    )]
    ConnectionLost {
        /// The daemon that was asked.
        address: ClamdAddress,
        /// The I/O error on the connection.
        #[source]
        source: io::Error,
    },
    /// The file is larger than clamd accepts on a stream: a configuration problem, not a
    /// verdict.
    #[error(
        "the file is larger than the StreamMaxLength of clamd at {address}; raise StreamMaxLength \
         (and MaxFileSize, MaxScanSize) in clamd.conf above the largest file Fonds accepts"
    )]
    SizeLimitExceeded {
        /// The daemon that refused the stream.
        address: ClamdAddress,
    },
    /// clamd answered with an error of its own (out of memory, temporary directory full ...).
    #[error("clamd at {address} could not scan the file: {message}; see clamd's log for the cause")]
    Daemon {
        /// The daemon that failed.
        address: ClamdAddress,
        /// clamd's error text, without the trailing `ERROR`.
        message: String,
    },
    /// The reply is not one clamd gives: something else listens at the address, or clamd
    /// changed its protocol.
    #[error(
        "unexpected reply from {address}: {reply:?}; check that the address points at clamd and \
         not at another service"
    )]
    Protocol {
        /// The address that answered.
        address: ClamdAddress,
        /// The reply, as received (lossily decoded, bounded).
        reply: String,
    },
    /// The content to scan could not be read (only from [`super::ClamdScanner::scan_reader`]).
    #[error("cannot read the content to scan: {0}")]
    Content(#[source] io::Error),
}

impl ScanError {
    /// Whether a later attempt may succeed without anyone changing anything: clamd was
    /// unreachable, slow, restarted or failed on its side. A file over the size limit, a wrong
    /// address and an unreadable content need an operator instead.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. }
            | Self::TimedOut { .. }
            | Self::ConnectionLost { .. }
            | Self::Daemon { .. } => true,
            Self::SizeLimitExceeded { .. } | Self::Protocol { .. } | Self::Content(_) => false,
        }
    }
}
