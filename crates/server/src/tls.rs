//! TLS for `serve --tls-cert/--tls-key`, and `tls-cert`, which makes an office its
//! own certificate authority and a certificate for the server.
//!
//! An office on the embedded SQLite default often has no reverse proxy and no
//! public domain name; without TLS, staff passwords and customer records would
//! cross its network in clear text. A certificate from any CA works (a public one
//! for a domain name, the company's own); `tls-cert` covers the office with none.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use kith_protocol::sync::certificate_fingerprint;

/// What went wrong setting TLS up; each names the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("{path} holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")")]
    NoCertificate { path: PathBuf },
    #[error("{path} holds no PEM private key")]
    NoKey { path: PathBuf },
    #[error("the certificate and the key do not go together: {0}")]
    Mismatch(rustls::Error),
    #[error("cannot set TLS up: {0}")]
    Config(rustls::Error),
    #[error(
        "{present} is there but {missing} is not: restore it (desktops trust this CA), or move \
         {present} away to make a new CA, which every desktop must then trust"
    )]
    CaIncomplete { present: PathBuf, missing: PathBuf },
    #[error("{key} is not the key of the CA certificate {cert}")]
    CaKeyMismatch { key: PathBuf, cert: PathBuf },
    #[error("cannot make the certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("{0:?} is not a host name or IP address a certificate can name")]
    BadHost(String),
}

/// A server configuration from a PEM certificate chain (the server's certificate
/// first) and its PEM private key.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let chain = CertificateDer::pem_slice_iter(&read(cert)?)
        .collect::<Result<Vec<_>, _>>()
        .ok()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| TlsError::NoCertificate { path: cert.into() })?;
    let key_der = PrivateKeyDer::from_pem_slice(&read(key)?)
        .map_err(|_| TlsError::NoKey { path: key.into() })?;
    let mut config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Config)?
            .with_no_client_auth()
            // Checks that the key is the certificate's, so a mix-up fails at start.
            .with_single_cert(chain, key_der)
            .map_err(TlsError::Mismatch)?;
    // The sync client speaks HTTP/1.1 (the server is built with http1 only).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The fingerprint of the last certificate of the chain in `cert` (the office's
/// CA in a `tls-cert` chain): what a desktop shows before trusting the server.
pub fn top_fingerprint(cert: &Path) -> Result<String, TlsError> {
    CertificateDer::pem_slice_iter(&read(cert)?)
        .collect::<Result<Vec<_>, _>>()
        .ok()
        .and_then(|chain| chain.last().map(|c| certificate_fingerprint(c.as_ref())))
        .ok_or_else(|| TlsError::NoCertificate { path: cert.into() })
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.into(),
        source,
    })
}

/// How long a client has to finish its TLS handshake: a connection that stalls
/// in it holds only its own task, and not for long.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections whose handshake is done, waiting for `accept`.
const READY_BACKLOG: usize = 64;

/// Handshakes at once: past this, connections wait in the kernel's backlog
/// rather than each taking a task and a file descriptor (a flood of idle
/// connections would otherwise exhaust them).
const MAX_HANDSHAKES: usize = 256;

/// A listener whose connections are TLS: handshakes run on tasks of their own, so
/// a slow or hostile client never holds up the next one's.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    acceptor: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(READY_BACKLOG);
        let tls = TlsAcceptor::from(config);
        let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
        let acceptor = tokio::spawn(async move {
            loop {
                let Ok(permit) = handshakes.clone().acquire_owned().await else {
                    return;
                };
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: wait rather than spin.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                if tx.is_closed() {
                    return;
                }
                let tls = tls.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let handshake =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(stream)).await;
                    drop(permit);
                    match handshake {
                        Ok(Ok(stream)) => {
                            let _ = tx.send((stream, peer)).await;
                        }
                        // What an admin chasing "a desktop cannot connect" needs to see.
                        Ok(Err(e)) if refused_our_certificate(&e) => tracing::warn!(
                            %peer,
                            error = %e,
                            "a client refused this server's certificate: does it trust the CA?"
                        ),
                        // Plain HTTP, scanners, dropped connections: common and harmless.
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener {
            ready,
            local,
            acceptor,
        })
    }
}

/// Whether the client ended the handshake because it does not trust the
/// certificate (rustls reports the client's alert inside the `io::Error`).
fn refused_our_certificate(e: &io::Error) -> bool {
    use rustls::AlertDescription as A;
    matches!(
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>()),
        Some(rustls::Error::AlertReceived(
            A::UnknownCA | A::BadCertificate | A::CertificateUnknown | A::CertificateExpired
        ))
    )
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accepting task ended (only when the runtime shuts down): nothing
            // will come again.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// Files `tls-cert` writes into its directory.
pub const CA_CERT: &str = "kith-ca.pem";
pub const CA_KEY: &str = "kith-ca-key.pem";
pub const SERVER_CERT: &str = "server.pem";
pub const SERVER_KEY: &str = "server-key.pem";

/// Days a server certificate is valid, counted from its first day to its last:
/// Apple's platforms refuse TLS server certificates valid for more than 825.
const SERVER_DAYS: i64 = 824;
/// Days the office's CA is valid: desktops trust it once, for years.
const CA_DAYS: i64 = 3650;

/// What `tls-cert` did.
#[derive(Debug)]
pub struct Issued {
    /// Whether the CA was made now (else an existing one in the directory signed).
    pub new_ca: bool,
    /// The CA's name, as desktops' certificate stores show it.
    pub ca_name: String,
    /// The CA's SHA-256 fingerprint, which desktops show before trusting it.
    pub ca_fingerprint: String,
    /// Set when the CA expires before the new certificate does: past that day
    /// desktops refuse the server, so a new CA is due.
    pub ca_expires_first: Option<time::OffsetDateTime>,
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

/// The office CA that signs.
struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
    name: String,
    not_after: time::OffsetDateTime,
}

/// Makes a certificate for `hosts` (names and IP addresses desktops reach the
/// server by) signed by the office CA in `dir`, making that CA first if the
/// directory has none. Reusing the CA is what renewing is: desktops that trust
/// it trust the new certificate too.
pub fn issue(dir: &Path, office: &str, hosts: &[String]) -> Result<Issued, TlsError> {
    let now = time::OffsetDateTime::now_utc();
    // Checked before anything is written.
    let sans = hosts
        .iter()
        .map(|h| san(h))
        .collect::<Result<Vec<_>, _>>()?;
    std::fs::create_dir_all(dir).map_err(|source| TlsError::Write {
        path: dir.into(),
        source,
    })?;
    let ca_cert = dir.join(CA_CERT);
    let ca_key = dir.join(CA_KEY);
    let (ca, new_ca) = match (read_optional(&ca_cert)?, read_optional(&ca_key)?) {
        (Some(cert), Some(key)) => (load_ca(&ca_cert, &cert, &ca_key, &key)?, false),
        (None, None) => (make_ca(&ca_cert, &ca_key, office, now)?, true),
        // Making a new CA here would leave every desktop distrusting the server.
        (Some(_), None) => {
            return Err(TlsError::CaIncomplete {
                present: ca_cert,
                missing: ca_key,
            })
        }
        (None, Some(_)) => {
            return Err(TlsError::CaIncomplete {
                present: ca_key,
                missing: ca_cert,
            })
        }
    };
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.subject_alt_names = sans;
    params.distinguished_name.push(
        DnType::CommonName,
        hosts
            .first()
            .map(|h| h.trim().to_owned())
            .unwrap_or_default(),
    );
    params.is_ca = IsCa::ExplicitNoCa;
    // ECDSA keys sign; they do not encipher.
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = now - time::Duration::days(1);
    params.not_after = params.not_before + time::Duration::days(SERVER_DAYS);
    let ca_expires_first = (ca.not_after < params.not_after).then_some(ca.not_after);
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &ca.issuer)?;
    let server_cert = dir.join(SERVER_CERT);
    let server_key = dir.join(SERVER_KEY);
    write_private(&server_key, &key.serialize_pem())?;
    // The chain, so a client that only knows the CA can verify the server.
    write(&server_cert, &format!("{}{}", cert.pem(), ca.pem))?;
    let ca_der =
        CertificateDer::from_pem_slice(ca.pem.as_bytes()).map_err(|_| TlsError::NoCertificate {
            path: ca_cert.clone(),
        })?;
    Ok(Issued {
        new_ca,
        ca_fingerprint: certificate_fingerprint(ca_der.as_ref()),
        ca_name: ca.name,
        ca_expires_first,
        ca_cert,
        server_cert,
        server_key,
    })
}

fn read_optional(path: &Path) -> Result<Option<String>, TlsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(TlsError::Read {
            path: path.into(),
            source,
        }),
    }
}

fn make_ca(
    cert_path: &Path,
    key_path: &Path,
    office: &str,
    now: time::OffsetDateTime,
) -> Result<Ca, TlsError> {
    let name = format!("{} Kith CA", office.trim());
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params
        .distinguished_name
        .push(DnType::CommonName, name.clone());
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = now - time::Duration::days(1);
    params.not_after = params.not_before + time::Duration::days(CA_DAYS);
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    let pem = cert.pem();
    write_private(key_path, &key.serialize_pem())?;
    write(cert_path, &pem)?;
    Ok(Ca {
        not_after: params.not_after,
        issuer: Issuer::new(params, key),
        pem,
        name,
    })
}

/// The CA kept in the directory, its key checked against its certificate: rcgen
/// would sign with any key, and desktops would refuse what it signed.
fn load_ca(
    cert_path: &Path,
    cert_pem: &str,
    key_path: &Path,
    key_pem: &str,
) -> Result<Ca, TlsError> {
    let no_cert = || TlsError::NoCertificate {
        path: cert_path.into(),
    };
    let key = KeyPair::from_pem(key_pem).map_err(|_| TlsError::NoKey {
        path: key_path.into(),
    })?;
    let (_, pem) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes()).map_err(|_| no_cert())?;
    let parsed = pem.parse_x509().map_err(|_| no_cert())?;
    if parsed.public_key().raw != key.subject_public_key_info().as_slice() {
        return Err(TlsError::CaKeyMismatch {
            key: key_path.into(),
            cert: cert_path.into(),
        });
    }
    let name = parsed
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .unwrap_or_default()
        .to_owned();
    let not_after = parsed.validity().not_after.to_datetime();
    let issuer = Issuer::from_ca_cert_pem(cert_pem, key).map_err(|_| no_cert())?;
    Ok(Ca {
        issuer,
        pem: cert_pem.to_owned(),
        name,
        not_after,
    })
}

/// A subject alternative name: an IP address as such, else a DNS name.
fn san(host: &str) -> Result<rcgen::SanType, TlsError> {
    let host = host.trim();
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(rcgen::SanType::IpAddress(ip));
    }
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if !valid {
        return Err(TlsError::BadHost(host.to_owned()));
    }
    let name = host
        .to_owned()
        .try_into()
        .map_err(|_| TlsError::BadHost(host.to_owned()))?;
    Ok(rcgen::SanType::DnsName(name))
}

/// Writes a file through a temporary sibling, so a crash leaves the old file or
/// the new one, never half of one.
fn write(path: &Path, text: &str) -> Result<(), TlsError> {
    write_with(path, text, false)
}

/// [`write`], readable by its owner only (on Unix).
fn write_private(path: &Path, text: &str) -> Result<(), TlsError> {
    write_with(path, text, true)
}

fn write_with(path: &Path, text: &str, private: bool) -> Result<(), TlsError> {
    use std::io::Write;
    let err = |source| TlsError::Write {
        path: path.into(),
        source,
    };
    let tmp = path.with_extension("pem.tmp");
    // A leftover from a crash may have other permissions than `mode` would give.
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(err(e)),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(&tmp).map_err(err)?;
    file.write_all(text.as_bytes()).map_err(err)?;
    file.sync_all().map_err(err)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(err)
}
