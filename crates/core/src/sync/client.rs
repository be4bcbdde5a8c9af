//! The HTTP side of sync: one method per endpoint of `kith_protocol::sync`, each
//! turning transport failures into [`SyncError::Offline`] and error bodies into
//! [`SyncError::Server`]. It records the server's clock from every response.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use std::time::Duration;

use kith_protocol::sync::{
    path, ChecksumResponse, ErrorBody, ErrorKind, LoginRequest, LoginResponse, PullResponse,
    PushRequest, PushResponse, SeqMark, SnapshotResponse, HEADER_SERVER_TIME, HEADER_UPLOAD_LENGTH,
    HEADER_UPLOAD_OFFSET,
};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::SyncError;

type Result<T> = std::result::Result<T, SyncError>;

pub(crate) struct Client {
    http: reqwest::Client,
    base: Url,
    token: Option<String>,
    /// The newest `kith-server-time` seen, 0 before any response.
    server_time: AtomicU64,
}

/// What a HEAD of a blob says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlobHead {
    /// The server holds the whole blob.
    Stored,
    /// The server holds this many bytes of an unfinished upload (0: none).
    Partial(u64),
}

/// Parses a server address; only http and https.
pub(crate) fn parse_base(url: &str) -> Result<Url> {
    let mut base = Url::parse(url.trim()).map_err(|e| SyncError::BadUrl {
        url: url.to_owned(),
        reason: e.to_string(),
    })?;
    if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
        return Err(SyncError::BadUrl {
            url: url.to_owned(),
            reason: "expected an http:// or https:// address".into(),
        });
    }
    // Paths are absolute (/v1/...): the base keeps only scheme, host and port.
    base.set_path("");
    base.set_query(None);
    Ok(base)
}

fn install_crypto() {
    static ONCE: Once = Once::new();
    // Another part of the process may have installed one already: that one serves.
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Client {
    /// A client of the server at `base`. `trusted` is a CA certificate (PEM) the
    /// person confirmed for this server (see `trust`): it is added to the
    /// system's roots for this client's connections only.
    pub fn new(
        base: Url,
        token: Option<String>,
        timeout: Duration,
        trusted: Option<&str>,
    ) -> Result<Client> {
        install_crypto();
        let mut builder = reqwest::Client::builder();
        if let Some(pem) = trusted {
            let ca = reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
                SyncError::Protocol(format!(
                    "the trusted certificate kept here is unreadable: {e}"
                ))
            })?;
            builder = builder.tls_certs_merge([ca]);
        }
        let http = builder
            // The API never redirects; following one would take the token, and a
            // CA trusted for this server only, to wherever it pointed.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .user_agent(concat!("kith-desktop/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Protocol(format!("cannot set up HTTP: {e}")))?;
        Ok(Client {
            http,
            base,
            token,
            server_time: AtomicU64::new(0),
        })
    }

    /// The server's clock as of the newest response (0: none yet).
    pub fn server_time(&self) -> u64 {
        self.server_time.load(Ordering::Relaxed)
    }

    fn url(&self, path: &str) -> Url {
        let mut u = self.base.clone();
        u.set_path(path);
        u
    }

    fn request(&self, method: reqwest::Method, url: Url) -> RequestBuilder {
        let rb = self.http.request(method, url);
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    async fn send(&self, rb: RequestBuilder) -> Result<Response> {
        let resp = rb.send().await.map_err(|e| self.offline(&e))?;
        self.note_time(&resp);
        if resp.status().is_success() || resp.status() == StatusCode::PARTIAL_CONTENT {
            return Ok(resp);
        }
        Err(self.error_of(resp).await)
    }

    fn note_time(&self, resp: &Response) {
        if let Some(t) = header_u64(resp, HEADER_SERVER_TIME) {
            self.server_time.fetch_max(t, Ordering::Relaxed);
        }
    }

    fn offline(&self, e: &reqwest::Error) -> SyncError {
        // The error's chain names the cause (refused, reset, timed out); the URL
        // carries nothing secret, the token travels in a header.
        let mut reason = e.to_string();
        let mut tls = None;
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            reason = format!("{reason}: {s}");
            tls = tls.or_else(|| certificate_problem(s));
            source = s.source();
        }
        let url = self.base.to_string();
        match tls {
            Some((reason, unknown_authority)) => SyncError::Untrusted {
                url,
                reason,
                unknown_authority,
            },
            None => SyncError::Offline { url, reason },
        }
    }

    async fn error_of(&self, resp: Response) -> SyncError {
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => SyncError::Server {
                status: status.as_u16(),
                body: Box::new(body),
            },
            // Not our server's error shape: a proxy or gateway in between. A 5xx of
            // that kind means the server is not there to answer.
            Err(_) if status.is_server_error() => SyncError::Offline {
                url: self.base.to_string(),
                reason: format!("HTTP {status}"),
            },
            Err(_) => {
                let kind = match status {
                    StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized,
                    StatusCode::FORBIDDEN => ErrorKind::Forbidden,
                    StatusCode::NOT_FOUND => ErrorKind::NotFound,
                    StatusCode::PAYLOAD_TOO_LARGE => ErrorKind::TooLarge,
                    StatusCode::TOO_MANY_REQUESTS => ErrorKind::RateLimited,
                    _ => ErrorKind::BadRequest,
                };
                let message = text.chars().take(200).collect::<String>();
                SyncError::Server {
                    status: status.as_u16(),
                    body: Box::new(ErrorBody::new(kind, format!("HTTP {status}: {message}"))),
                }
            }
        }
    }

    async fn json<T: DeserializeOwned>(&self, rb: RequestBuilder) -> Result<T> {
        let resp = self.send(rb).await?;
        let bytes = resp.bytes().await.map_err(|e| self.offline(&e))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| SyncError::Protocol(format!("unreadable answer from the server: {e}")))
    }

    pub async fn login(&self, req: &LoginRequest) -> Result<LoginResponse> {
        let rb = self
            .http
            .post(self.url(path::LOGIN))
            .json(req)
            // A sign-in is interactive: no reason to wait as long as a big page.
            .timeout(Duration::from_secs(60));
        self.json(rb).await
    }

    pub async fn logout(&self) -> Result<()> {
        self.send(self.request(reqwest::Method::POST, self.url(path::LOGOUT)))
            .await?;
        Ok(())
    }

    pub async fn push(&self, req: &PushRequest) -> Result<PushResponse> {
        let rb = self
            .request(reqwest::Method::POST, self.url(path::PUSH))
            .json(req);
        self.json(rb).await
    }

    /// Changes after `since`; `mark` is the server's mark of `since` as pulled,
    /// so a server that has lost changes since says so.
    pub async fn pull(
        &self,
        since: u64,
        mark: Option<SeqMark>,
        limit: u32,
    ) -> Result<PullResponse> {
        let mut url = self.url(path::PULL);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("since", &since.to_string());
            if let Some(m) = mark {
                q.append_pair("since_hlc", &m.hlc.0.to_string())
                    .append_pair("since_node", &m.node.to_string());
            }
            q.append_pair("limit", &limit.to_string());
        }
        self.json(self.request(reqwest::Method::GET, url)).await
    }

    pub async fn snapshot(&self, cursor: Option<&str>, limit: u32) -> Result<SnapshotResponse> {
        let mut url = self.url(path::SNAPSHOT);
        {
            let mut q = url.query_pairs_mut();
            if let Some(c) = cursor {
                q.append_pair("cursor", c);
            }
            q.append_pair("limit", &limit.to_string());
        }
        self.json(self.request(reqwest::Method::GET, url)).await
    }

    pub async fn checksum(&self) -> Result<ChecksumResponse> {
        self.json(self.request(reqwest::Method::GET, self.url(path::CHECKSUM)))
            .await
    }

    /// The event stream: a response whose body is `text/event-stream`.
    pub async fn events(&self) -> Result<Response> {
        let rb = self
            .request(reqwest::Method::GET, self.url(path::EVENTS))
            .header(reqwest::header::ACCEPT, "text/event-stream");
        self.send(rb).await
    }

    fn blob_url(&self, sha256: &str) -> Url {
        self.url(&format!("{}/{sha256}", path::BLOBS))
    }

    pub async fn blob_head(&self, sha256: &str, size: u64) -> Result<BlobHead> {
        let rb = self.request(reqwest::Method::HEAD, self.blob_url(sha256));
        // A HEAD answer has no body: 404 with the offset is "partly here", not an error.
        let resp = rb.send().await.map_err(|e| self.offline(&e))?;
        self.note_time(&resp);
        let offset = header_u64(&resp, HEADER_UPLOAD_OFFSET);
        match resp.status() {
            s if s.is_success() => Ok(match offset {
                Some(o) if o < size => BlobHead::Partial(o),
                _ => BlobHead::Stored,
            }),
            StatusCode::NOT_FOUND => Ok(BlobHead::Partial(offset.unwrap_or(0))),
            s if s.is_server_error() => Err(SyncError::Offline {
                url: self.base.to_string(),
                reason: format!("HTTP {s}"),
            }),
            s => Err(SyncError::Server {
                status: s.as_u16(),
                body: Box::new(ErrorBody::new(
                    if s == StatusCode::UNAUTHORIZED {
                        ErrorKind::Unauthorized
                    } else {
                        ErrorKind::BadRequest
                    },
                    format!("HTTP {s} for a file"),
                )),
            }),
        }
    }

    /// Appends `chunk` at `offset`; returns the bytes the server now holds.
    pub async fn blob_patch(
        &self,
        sha256: &str,
        offset: u64,
        total: u64,
        chunk: Vec<u8>,
    ) -> Result<u64> {
        let len = chunk.len() as u64;
        let rb = self
            .request(reqwest::Method::PATCH, self.blob_url(sha256))
            .header(HEADER_UPLOAD_OFFSET, offset.to_string())
            .header(HEADER_UPLOAD_LENGTH, total.to_string())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(chunk);
        let resp = self.send(rb).await?;
        Ok(header_u64(&resp, HEADER_UPLOAD_OFFSET).unwrap_or(offset + len))
    }

    /// The blob's bytes from `offset` on.
    pub async fn blob_get(&self, sha256: &str, offset: u64) -> Result<Response> {
        let mut rb = self.request(reqwest::Method::GET, self.blob_url(sha256));
        if offset > 0 {
            rb = rb.header(reqwest::header::RANGE, format!("bytes={offset}-"));
        }
        self.send(rb).await
    }

    pub fn transport(&self, e: &reqwest::Error) -> SyncError {
        self.offline(e)
    }
}

/// The certificate check's verdict, when `e` is rustls refusing the server's
/// certificate (it reaches reqwest wrapped in `io::Error`s, whose `source` skips
/// what they wrap: hence the unwrapping by hand).
/// Why the server's certificate was refused, and whether because no trusted
/// authority signed it (the one case trusting the office's CA fixes).
fn certificate_problem(e: &(dyn std::error::Error + 'static)) -> Option<(String, bool)> {
    let mut e = e;
    let tls = loop {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            break tls;
        }
        e = e.downcast_ref::<std::io::Error>()?.get_ref()?;
    };
    use rustls::CertificateError as C;
    let why = match tls {
        rustls::Error::InvalidCertificate(why) => why,
        rustls::Error::NoCertificatesPresented => {
            return Some(("it sent no certificate".into(), false))
        }
        _ => return None,
    };
    let (reason, unknown_authority) = match why {
        C::UnknownIssuer => (
            "its certificate is signed by an authority this computer does not trust".into(),
            true,
        ),
        // What a platform verifier reports for causes it does not map, among them
        // macOS's "not trusted" for a root it does not know (errSecNotTrusted).
        C::Other(other) => (format!("its certificate: {other}"), true),
        C::NotValidForName | C::NotValidForNameContext { .. } => (
            "its certificate is for another name or address".into(),
            false,
        ),
        C::Expired | C::ExpiredContext { .. } => ("its certificate has expired".into(), false),
        C::NotValidYet | C::NotValidYetContext { .. } => (
            "its certificate is not valid yet, or this computer's clock is wrong".into(),
            false,
        ),
        other => (format!("its certificate: {other}"), false),
    };
    Some((reason, unknown_authority))
}

fn header_u64(resp: &Response, name: &str) -> Option<u64> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_address_keeps_only_its_origin() {
        let u = parse_base("https://kith.example.com:8443/some/path?x=1").unwrap();
        assert_eq!(u.as_str(), "https://kith.example.com:8443/");
        assert!(parse_base("ftp://x").is_err());
        assert!(parse_base("not a url").is_err());
    }
}
