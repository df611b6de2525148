//! The TLS acceptor of `fonds serve`: axum-server's rustls handshake, then the client certificate
//! the connection presented — already verified against `tls_client_ca` by rustls during the
//! handshake — attached to every request of that connection as a
//! [`fonds_http::ClientCertificate`], where request signing compares it with the certificate
//! pinned to the client. A connection without a certificate carries none.
//!
//! LIMITATION: a client certificate presented to a TLS-terminating proxy in front of Fonds is not
//! taken from a header the proxy could set, because nothing here could tell such a header from
//! one the client forged; a client pinned to a certificate must connect to Fonds' own listener.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::Request;
use axum_server::accept::Accept;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use fonds_http::ClientCertificate;
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

/// The rustls handshake, then the connection's client certificate handed to its requests.
#[derive(Debug, Clone)]
pub struct PeerCertificateAcceptor {
    tls: RustlsAcceptor,
}

impl PeerCertificateAcceptor {
    /// An acceptor serving `config`; a reload of `config` applies to the next handshake.
    #[must_use]
    pub fn new(config: RustlsConfig) -> Self {
        Self {
            tls: RustlsAcceptor::new(config),
        }
    }
}

impl<S> Accept<TcpStream, S> for PeerCertificateAcceptor
where
    S: Send + 'static,
{
    type Stream = TlsStream<TcpStream>;
    type Service = WithClientCertificate<<RustlsAcceptor as Accept<TcpStream, S>>::Service>;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let handshake = self.tls.accept(stream, service);
        Box::pin(async move {
            let (stream, service) = handshake.await?;
            // The leaf comes first; rustls has verified the chain, or the handshake failed.
            let certificate = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(<[_]>::first)
                .map(|leaf| ClientCertificate::of_der(leaf.as_ref()));
            Ok((
                stream,
                WithClientCertificate {
                    inner: service,
                    certificate,
                },
            ))
        })
    }
}

/// A connection's service that puts the connection's client certificate, if it presented one,
/// into every request.
#[derive(Debug, Clone)]
pub struct WithClientCertificate<S> {
    inner: S,
    certificate: Option<ClientCertificate>,
}

impl<S, B> tower::Service<Request<B>> for WithClientCertificate<S>
where
    S: tower::Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        if let Some(certificate) = self.certificate {
            request.extensions_mut().insert(certificate);
        }
        self.inner.call(request)
    }
}
