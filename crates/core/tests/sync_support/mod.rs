//! A real kith-server on loopback, desktops signed in to it, and a fault-injecting
//! HTTP proxy between them, for the sync tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kith_core::store::{system_ms, WallClock};
use kith_core::sync::SyncConfig;
use kith_core::Kith;
use kith_server::testing::{services_required, TestServer};
use rand::{Rng, SeedableRng};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub const PASSWORD: &str = "correct horse battery";

pub fn config() -> SyncConfig {
    SyncConfig {
        use_keychain: false,
        request_timeout: Duration::from_secs(5),
        backoff_min: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        poke_delay: Duration::from_millis(5),
        poll_interval: Duration::from_millis(300),
        // Every run that moved changes compares: the tests check each one.
        verify_every: Duration::ZERO,
        ..SyncConfig::default()
    }
}

/// Which database the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// A fresh database on the cluster named by `KITH_TEST_POSTGRES_URL`.
    Postgres,
}

/// A database of its own on the PostgreSQL test cluster, dropped afterwards.
struct PgDb {
    base: String,
    name: String,
}

impl PgDb {
    async fn create(base: &str) -> (PgDb, String) {
        use sqlx::{Connection, Executor};
        let name = format!("kith_sync_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(base).await.unwrap();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let mut url = url::Url::parse(base).unwrap();
        url.set_path(&name);
        (
            PgDb {
                base: base.to_owned(),
                name,
            },
            url.to_string(),
        )
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let (base, name) = (self.base.clone(), self.name.clone());
        // Drop runs inside the test's runtime: clean up from a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sqlx::{Connection, Executor};
                if let Ok(mut conn) = sqlx::PgConnection::connect(&base).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = conn.execute(sql.as_str()).await;
                }
            });
        })
        .join();
    }
}

/// The PostgreSQL test cluster, when one is configured. Under the project's test
/// command a missing one is a failure, not a silent skip (see `services_required`).
pub fn postgres_url() -> Option<String> {
    match std::env::var("KITH_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                !services_required(),
                "KITH_TEST_POSTGRES_URL is not set: scripts/test.sh starts a cluster"
            );
            eprintln!("KITH_TEST_POSTGRES_URL not set: PostgreSQL case skipped");
            None
        }
    }
}

/// A server with one workspace and staff accounts a@, b@, c@, d@ acme.test.
pub struct Hub {
    pub dir: TempDir,
    pub server: Option<TestServer>,
    pub proxy: Proxy,
    pub workspace: uuid::Uuid,
    database: String,
    /// Last: the database goes after the server using it.
    pg: Option<PgDb>,
}

impl Hub {
    pub async fn start() -> Hub {
        Self::on(Backend::Sqlite).await
    }

    pub async fn on(backend: Backend) -> Hub {
        let dir = tempfile::tempdir().unwrap();
        let (pg, database) = match backend {
            Backend::Sqlite => (
                None,
                format!("sqlite://{}", dir.path().join("server.db").display()),
            ),
            Backend::Postgres => {
                let base = postgres_url().expect("a PostgreSQL test cluster");
                let (db, url) = PgDb::create(&base).await;
                (Some(db), url)
            }
        };
        let server = TestServer::start(&database, &dir.path().join("blobs"))
            .await
            .unwrap();
        let (ws, _) = server
            .init_workspace("Acme", "owner@acme.test", PASSWORD)
            .await
            .unwrap();
        for who in ["a", "b", "c", "d"] {
            server
                .add_staff(
                    ws.id,
                    &format!("{who}@acme.test"),
                    &who.to_uppercase(),
                    PASSWORD,
                )
                .await
                .unwrap();
        }
        let proxy = Proxy::start(server.addr).await;
        Hub {
            pg,
            dir,
            server: Some(server),
            proxy,
            workspace: ws.id,
            database,
        }
    }

    /// The address desktops use: the proxy's.
    pub fn url(&self) -> String {
        format!("http://{}", self.proxy.addr)
    }

    /// The server's own address, bypassing faults.
    pub fn direct_url(&self) -> String {
        self.server
            .as_ref()
            .map(|s| s.url.clone())
            .unwrap_or_default()
    }

    /// Stops the server process: its task and every open connection to it.
    pub fn kill(&mut self) {
        self.proxy.set_down(true);
        self.server = None;
    }

    /// Starts the server again on the same database and blobs.
    pub async fn revive(&mut self) {
        let server = TestServer::start(&self.database, &self.dir.path().join("blobs"))
            .await
            .unwrap();
        self.proxy.retarget(server.addr);
        self.server = Some(server);
        self.proxy.set_down(false);
    }

    /// Copies the server's database aside while it runs, as an office's nightly
    /// backup would (SQLite's `VACUUM INTO`). SQLite only.
    pub async fn backup(&self) -> PathBuf {
        use sqlx::Connection;
        let file = self
            .database
            .strip_prefix("sqlite://")
            .expect("a SQLite hub");
        let backup = self
            .dir
            .path()
            .join(format!("backup-{}.db", uuid::Uuid::new_v4().simple()));
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{file}"))
            .await
            .unwrap();
        sqlx::query("VACUUM INTO ?")
            .bind(backup.display().to_string())
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        backup
    }

    /// Stops the server and starts it again on a copy of `backup`, as an office
    /// restoring last night's backup would. (A copy of its own rather than over the
    /// old file: the stopped server's connections may still be closing it.)
    pub async fn restore(&mut self, backup: &Path) {
        self.kill();
        let file = self
            .dir
            .path()
            .join(format!("restored-{}.db", uuid::Uuid::new_v4().simple()));
        std::fs::copy(backup, &file).unwrap();
        self.database = format!("sqlite://{}", file.display());
        self.revive().await;
    }

    /// The workspace's newest sequence number, asked of the server's store.
    pub async fn head(&self) -> u64 {
        let server = self.server.as_ref().unwrap();
        server.store().head(self.workspace).await.unwrap()
    }

    /// The server's checksum, asked of its store directly.
    pub async fn checksum(&self) -> String {
        let server = self.server.as_ref().unwrap();
        server
            .store()
            .checksum(self.workspace)
            .await
            .unwrap()
            .checksum
    }
}

pub struct Desktop {
    pub dir: PathBuf,
    _keep: Option<TempDir>,
    pub kith: Arc<Kith>,
    pub skew_ms: i64,
}

fn clock(skew_ms: i64) -> WallClock {
    Box::new(move || (system_ms() as i64 + skew_ms).max(0) as u64)
}

impl Desktop {
    pub async fn new(hub: &Hub, who: &str, skew_ms: i64) -> Desktop {
        let keep = tempfile::tempdir().unwrap();
        let dir = keep.path().to_path_buf();
        let kith = Arc::new(Kith::open_with_clock(&dir, clock(skew_ms)).await.unwrap());
        kith.set_sync_config(config());
        kith.sync()
            .login(&hub.url(), &format!("{who}@acme.test"), PASSWORD, None)
            .await
            .unwrap();
        Desktop {
            dir,
            _keep: Some(keep),
            kith,
            skew_ms,
        }
    }

    /// Closes and opens the data directory again, as after a crash or restart.
    pub async fn reopen(&mut self) {
        let config = self.kith.sync_config();
        self.kith.store().close().await;
        let kith = Arc::new(
            Kith::open_with_clock(&self.dir, clock(self.skew_ms))
                .await
                .unwrap(),
        );
        kith.set_sync_config(config);
        self.kith = kith;
    }

    pub async fn checksum(&self) -> String {
        kith_core::sync::local_checksum(self.kith.store().pool())
            .await
            .unwrap()
            .to_hex()
    }
}

/// Which faults the proxy injects, as probabilities out of 1000.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    pub drop_request: u32,
    pub drop_response: u32,
    pub duplicate: u32,
    pub max_delay_ms: u64,
}

struct ProxyState {
    upstream: Mutex<SocketAddr>,
    faults: Mutex<Faults>,
    down: AtomicBool,
    rng: Mutex<rand_chacha::ChaCha8Rng>,
    conns: Mutex<Vec<JoinHandle<()>>>,
    pub requests: AtomicU64,
    pub injected: AtomicU64,
}

/// An HTTP/1.1 proxy that forwards one request per connection, and may drop the
/// request, drop the response after the server handled it, send it twice, or
/// delay it. `/v1/events` is streamed through untouched by faults.
pub struct Proxy {
    pub addr: SocketAddr,
    state: Arc<ProxyState>,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
        for c in self.state.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(ProxyState {
            upstream: Mutex::new(upstream),
            faults: Mutex::new(Faults::default()),
            down: AtomicBool::new(false),
            rng: Mutex::new(rand_chacha::ChaCha8Rng::seed_from_u64(7)),
            conns: Mutex::new(Vec::new()),
            requests: AtomicU64::new(0),
            injected: AtomicU64::new(0),
        });
        let s = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let s2 = s.clone();
                let h = tokio::spawn(async move {
                    let _ = handle(s2, sock).await;
                });
                let mut conns = s.conns.lock().unwrap();
                conns.retain(|c| !c.is_finished());
                conns.push(h);
            }
        });
        Proxy { addr, state, task }
    }

    pub fn set_faults(&self, f: Faults) {
        *self.state.faults.lock().unwrap() = f;
    }

    pub fn heal(&self) {
        self.set_faults(Faults::default());
    }

    /// Refuses every connection and cuts the open ones, like a server gone.
    pub fn set_down(&self, down: bool) {
        self.state.down.store(down, Ordering::SeqCst);
        if down {
            for c in self.state.conns.lock().unwrap().drain(..) {
                c.abort();
            }
        }
    }

    pub fn retarget(&self, upstream: SocketAddr) {
        *self.state.upstream.lock().unwrap() = upstream;
    }

    pub fn injected(&self) -> u64 {
        self.state.injected.load(Ordering::Relaxed)
    }
}

async fn read_request(sock: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = sock.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            buf.truncate(end + 4 + len);
            return Ok(Some(buf));
        }
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Forces one request per upstream connection, so each request is judged alone.
fn close_after(request: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(request);
    let Some(end) = text.find("\r\n\r\n") else {
        return request.to_vec();
    };
    let mut out = String::new();
    for line in text[..end].split("\r\n") {
        if line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&request[end + 4..]);
    bytes
}

async fn forward(upstream: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(request).await?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp).await?;
    Ok(resp)
}

async fn handle(s: Arc<ProxyState>, mut sock: TcpStream) -> std::io::Result<()> {
    if s.down.load(Ordering::SeqCst) {
        return Ok(());
    }
    let Some(request) = read_request(&mut sock).await? else {
        return Ok(());
    };
    s.requests.fetch_add(1, Ordering::Relaxed);
    let request = close_after(&request);
    let upstream = *s.upstream.lock().unwrap();
    if request.starts_with(b"GET /v1/events") {
        let mut up = TcpStream::connect(upstream).await?;
        up.write_all(&request).await?;
        tokio::io::copy_bidirectional(&mut sock, &mut up).await?;
        return Ok(());
    }
    let f = *s.faults.lock().unwrap();
    let (drop_req, drop_resp, dup, delay) = {
        let mut rng = s.rng.lock().unwrap();
        (
            rng.gen_range(0..1000) < f.drop_request,
            rng.gen_range(0..1000) < f.drop_response,
            rng.gen_range(0..1000) < f.duplicate,
            if f.max_delay_ms > 0 {
                rng.gen_range(0..=f.max_delay_ms)
            } else {
                0
            },
        )
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if drop_req {
        s.injected.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    }
    let mut resp = forward(upstream, &request).await?;
    if dup {
        s.injected.fetch_add(1, Ordering::Relaxed);
        resp = forward(upstream, &request).await?;
    }
    if drop_resp {
        s.injected.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    }
    if s.down.load(Ordering::SeqCst) {
        return Ok(());
    }
    sock.write_all(&resp).await?;
    sock.shutdown().await?;
    Ok(())
}

pub fn data_dir(d: &Desktop) -> &Path {
    &d.dir
}
