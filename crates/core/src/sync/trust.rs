//! Trusting an office's own certificate authority on this desktop only.
//!
//! `kith-server tls-cert` makes an office its own CA. Installing that CA in each
//! computer's certificate store is a task for an administrator; instead, sign-in
//! can show the CA the server presents, with its fingerprint, and the person
//! compares it with the one `tls-cert` printed (the way SSH asks about a new
//! host key). Once confirmed, the CA is kept in this data directory's sync state
//! and added to the roots of this desktop's connections to its server, and to no
//! other connection. Full verification still runs: the server's name or address
//! must match its certificate, and the dates must hold.
//!
//! Reading the presented chain completes no handshake with an unverified server:
//! the verifier below records the certificates and refuses them, so nothing is
//! ever sent over such a connection.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kith_protocol::sync::{certificate_fingerprint, same_fingerprint};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use super::SyncError;

type Result<T> = std::result::Result<T, SyncError>;

/// The certificate a server presents at the top of its chain: what trusting the
/// server would mean trusting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ServerCertificate {
    /// The address asked, `host:port`.
    pub server: String,
    /// Its name (the common name, else the whole subject).
    pub name: String,
    /// Who signed it; the same as `name` for an authority that signs itself.
    pub issuer: String,
    /// SHA-256, as [`certificate_fingerprint`] prints it.
    pub fingerprint: String,
    /// Unix milliseconds of its last valid day.
    #[ts(type = "number")]
    pub valid_until: i64,
    /// Whether it is a root certificate authority (one that signs itself), the
    /// kind this desktop can trust for its server: not a server's own
    /// certificate, nor an intermediate of a chain sent without its root.
    pub authority: bool,
    /// The certificate itself, kept at sign-in; never sent to the webview.
    #[serde(skip)]
    #[ts(skip)]
    pub(crate) pem: String,
}

/// The certificate `url`'s server presents at the top of its chain (its CA, when
/// the chain carries one; `kith-server tls-cert`'s does), never trusted by this.
pub(crate) async fn presented(url: &Url, timeout: Duration) -> Result<ServerCertificate> {
    if url.scheme() != "https" {
        return Err(SyncError::BadUrl {
            url: url.to_string(),
            reason: "only an https:// server has a certificate to trust".into(),
        });
    }
    // Bare, for resolving and for the TLS server name: an IPv6 address without
    // the brackets URLs put around it.
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        Some(url::Host::Ipv4(a)) => a.to_string(),
        Some(url::Host::Ipv6(a)) => a.to_string(),
        None => String::new(),
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let server = format!("{}:{port}", url.host_str().unwrap_or_default());
    let offline = |reason: String| SyncError::Offline {
        url: url.to_string(),
        reason,
    };
    let chain = tokio::task::spawn_blocking(move || read_chain(&host, port, timeout))
        .await
        .map_err(|e| offline(format!("reading its certificate stopped: {e}")))?
        .map_err(|e| offline(e.to_string()))?;
    let top = chain.last().ok_or_else(|| SyncError::Untrusted {
        url: url.to_string(),
        reason: "it sent no certificate".into(),
        unknown_authority: false,
    })?;
    describe(&server, top.as_ref()).map_err(SyncError::Protocol)
}

/// The PEM of the CA `url`'s server presents, once its fingerprint is the one
/// the person confirmed. Read again here, not taken from the page that showed
/// it: what is trusted is what was compared.
pub(crate) async fn confirmed(
    url: &Url,
    fingerprint: &str,
    timeout: Duration,
) -> crate::error::Result<String> {
    use crate::error::CoreError;
    let cert = presented(url, timeout).await?;
    if !same_fingerprint(fingerprint, &cert.fingerprint) {
        return Err(CoreError::validation(
            "certificate",
            format!(
                "the server presents a certificate with the fingerprint {}, not {}: \
                 nothing was trusted. Check the fingerprint with whoever runs the server",
                cert.fingerprint,
                fingerprint.trim()
            ),
        ));
    }
    if !cert.authority {
        return Err(CoreError::validation(
            "certificate",
            format!(
                "\"{}\" is not a root certificate authority (the server's own certificate, \
                 or part of a chain sent without its root), so it cannot be trusted for the \
                 server here. Make the server a certificate with kith-server tls-cert, whose \
                 chain includes the office's authority",
                cert.name
            ),
        ));
    }
    Ok(cert.pem)
}

/// The fingerprint of a kept PEM certificate; `None` if it is unreadable.
pub(crate) fn fingerprint_of_pem(pem: &str) -> Option<String> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .ok()
        .map(|der| certificate_fingerprint(der.as_ref()))
}

fn describe(server: &str, der: &[u8]) -> std::result::Result<ServerCertificate, String> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| format!("the server's certificate cannot be read: {e}"))?;
    let name_of = |n: &x509_parser::x509::X509Name<'_>| {
        n.iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| n.to_string())
    };
    Ok(ServerCertificate {
        server: server.to_owned(),
        name: name_of(cert.subject()),
        issuer: name_of(cert.issuer()),
        fingerprint: certificate_fingerprint(der),
        valid_until: cert.validity().not_after.timestamp().saturating_mul(1000),
        authority: cert.is_ca() && cert.subject().as_raw() == cert.issuer().as_raw(),
        pem: pem_of(der),
    })
}

fn pem_of(der: &[u8]) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    // Base64 is ASCII: every 64-byte cut is on a character boundary.
    for line in text.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// Connects and starts a TLS handshake only to record the chain the server sends.
fn read_chain(
    host: &str,
    port: u16,
    timeout: Duration,
) -> io::Result<Vec<CertificateDer<'static>>> {
    // Every address in turn, as the sync client does: a name may resolve to an
    // IPv6 address first where the server listens on IPv4 only.
    let mut failure = io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"));
    let mut connected = None;
    for addr in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(sock) => {
                connected = Some(sock);
                break;
            }
            Err(e) => failure = e,
        }
    }
    let mut sock = connected.ok_or(failure)?;
    sock.set_read_timeout(Some(timeout))?;
    sock.set_write_timeout(Some(timeout))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let recorder = Arc::new(Recorder {
        chain: Mutex::new(Vec::new()),
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned()).map_err(io::Error::other)?;
    let mut conn = ClientConnection::new(Arc::new(config), name).map_err(io::Error::other)?;
    // Ends in an error once the recorder refuses: that is the point.
    let mut outcome = Ok(());
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut sock) {
            outcome = Err(e);
            break;
        }
    }
    let chain = std::mem::take(&mut *recorder.chain.lock().unwrap_or_else(|e| e.into_inner()));
    match (chain.is_empty(), outcome) {
        (false, _) => Ok(chain),
        (true, Err(e)) => Err(io::Error::new(
            e.kind(),
            format!("no TLS certificate came back (is it an https server?): {e}"),
        )),
        (true, Ok(())) => Err(io::Error::other("the server sent no certificate")),
    }
}

/// Records the chain and refuses it.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    schemes: Vec<SignatureScheme>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let mut chain = self.chain.lock().unwrap_or_else(|e| e.into_inner());
        chain.push(end_entity.clone().into_owned());
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        Err(rustls::Error::InvalidCertificate(
            rustls::CertificateError::ApplicationVerificationFailure,
        ))
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        // Never reached: the certificate was refused first.
        Err(rustls::Error::General("not verified".into()))
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("not verified".into()))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}
