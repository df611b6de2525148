//! Where clamd listens: a Unix socket or a TCP host and port, written `unix:/path/clamd.sock` or
//! `tcp:host:port` in configuration.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// The address of a clamd daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClamdAddress {
    /// clamd's `LocalSocket`.
    Unix(PathBuf),
    /// clamd's `TCPSocket` on `TCPAddr`. `host` is a name or an IP address (IPv6 without
    /// brackets).
    Tcp {
        /// The host name or IP address.
        host: String,
        /// The port.
        port: u16,
    },
}

/// A string that is not a clamd address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{input}` is not a clamd address: {reason}; write `unix:/run/clamav/clamd.ctl` for clamd's \
     LocalSocket or `tcp:127.0.0.1:3310` for its TCPSocket"
)]
pub struct ClamdAddressError {
    input: String,
    reason: &'static str,
}

impl FromStr for ClamdAddress {
    type Err = ClamdAddressError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let error = |reason| ClamdAddressError {
            input: input.to_owned(),
            reason,
        };
        if let Some(path) = input.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(error("the socket path is empty"));
            }
            return Ok(Self::Unix(PathBuf::from(path)));
        }
        let Some(rest) = input.strip_prefix("tcp:") else {
            return Err(error("it starts with neither `unix:` nor `tcp:`"));
        };
        let Some((host, port)) = rest.rsplit_once(':') else {
            return Err(error("the port is missing"));
        };
        let port: u16 = port
            .parse()
            .map_err(|_| error("the port is not a number from 1 to 65535"))?;
        if port == 0 {
            return Err(error("the port is not a number from 1 to 65535"));
        }
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if host.is_empty() {
            return Err(error("the host is empty"));
        }
        Ok(Self::Tcp {
            host: host.to_owned(),
            port,
        })
    }
}

impl fmt::Display for ClamdAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix:{}", path.display()),
            Self::Tcp { host, port } if host.contains(':') => write!(f, "tcp:[{host}]:{port}"),
            Self::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<ClamdAddress, ClamdAddressError> {
        s.parse()
    }

    #[test]
    fn unix_and_tcp_addresses_round_trip_through_display() {
        for s in [
            "unix:/run/clamav/clamd.ctl",
            "tcp:127.0.0.1:3310",
            "tcp:clamd.internal:3310",
            "tcp:[::1]:3310",
        ] {
            assert_eq!(parse(s).map(|a| a.to_string()), Ok(s.to_owned()));
        }
    }

    #[test]
    fn tcp_address_keeps_host_and_port_apart() {
        assert_eq!(
            parse("tcp:[::1]:3310"),
            Ok(ClamdAddress::Tcp {
                host: "::1".into(),
                port: 3310
            })
        );
    }

    #[test]
    fn malformed_addresses_are_refused_with_the_reason() {
        for (input, reason) in [
            ("/run/clamav/clamd.ctl", "neither"),
            ("unix:", "socket path is empty"),
            ("tcp:127.0.0.1", "port"),
            ("tcp:127.0.0.1:clamd", "port"),
            ("tcp:127.0.0.1:0", "port"),
            ("tcp:127.0.0.1:65536", "port"),
            ("tcp::3310", "host is empty"),
        ] {
            let message = parse(input).map_err(|e| e.to_string()).err();
            assert!(
                message
                    .as_deref()
                    .is_some_and(|m| m.contains(reason) && m.contains(input)),
                "{input}: {message:?}"
            );
        }
    }
}
