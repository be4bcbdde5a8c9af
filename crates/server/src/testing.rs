//! A real server on a loopback port, for tests of this crate and of sync clients.
//!
//! ```no_run
//! # async fn demo(dir: &std::path::Path) -> Result<(), kith_server::testing::TestServerError> {
//! use kith_server::testing::TestServer;
//! let server = TestServer::sqlite(dir).await?;
//! let (workspace, _owner) = server.init_workspace("Acme", "owner@acme.test", "password1").await?;
//! server.add_staff(workspace.id, "ann@acme.test", "Ann", "password2").await?;
//! // point a client at server.url ("http://127.0.0.1:PORT")
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use kith_protocol::sync::{Role, Workspace};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::admin::{self, AdminError};
use crate::blobs::{BlobError, Blobs};
use crate::credentials::PasswordCost;
use crate::error::StoreError;
use crate::http::{serve, AppState};
use crate::store::{self, Store};
use crate::tls::TlsListener;

/// Whether the services some cases need (the PostgreSQL cluster, the S3
/// emulator) must be there: the project's test command (scripts/test.sh) starts
/// them and says so, and CI runs that command. A case that finds its service
/// missing then fails instead of skipping, so a cluster that did not start
/// cannot pass unnoticed. A `cargo test` by hand skips those cases.
pub fn services_required() -> bool {
    std::env::var("KITH_TEST_REQUIRE_SERVICES").as_deref() == Ok("1")
        || std::env::var("CI").as_deref() == Ok("true")
}

#[derive(Debug, thiserror::Error)]
pub enum TestServerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A server task on `127.0.0.1:<free port>`; stopped when dropped. Passwords are
/// hashed with [`PasswordCost::Cheap`].
pub struct TestServer {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub url: String,
    pub addr: SocketAddr,
    pub state: AppState,
    task: JoinHandle<std::io::Result<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// A server on a new SQLite file `dir/kith-server.db`, blobs in `dir/blobs`.
    pub async fn sqlite(dir: &Path) -> Result<TestServer, TestServerError> {
        let url = format!("sqlite://{}", dir.join("kith-server.db").display());
        Self::start(&url, &dir.join("blobs")).await
    }

    /// A server on any database URL, blobs in `blobs_dir`.
    pub async fn start(
        database_url: &str,
        blobs_dir: &Path,
    ) -> Result<TestServer, TestServerError> {
        Self::with_blobs(database_url, Blobs::local(blobs_dir)?).await
    }

    /// A server on any database URL and any blob storage (e.g. an S3 bucket).
    pub async fn with_blobs(
        database_url: &str,
        blobs: Blobs,
    ) -> Result<TestServer, TestServerError> {
        let store = store::open(database_url).await?;
        Ok(Self::with_state(AppState::new(store, blobs, PasswordCost::Cheap)).await?)
    }

    /// A server over an existing state (e.g. a second instance sharing a store).
    pub async fn with_state(state: AppState) -> std::io::Result<TestServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(serve(listener, state.clone()));
        Ok(TestServer {
            url: format!("http://{addr}"),
            addr,
            state,
            task,
        })
    }

    /// A server on a new SQLite file in `dir` speaking HTTPS with `tls`
    /// (`https://127.0.0.1:PORT`: the certificate must name 127.0.0.1).
    pub async fn sqlite_tls(
        dir: &Path,
        tls: Arc<rustls::ServerConfig>,
    ) -> Result<TestServer, TestServerError> {
        let url = format!("sqlite://{}", dir.join("kith-server.db").display());
        let store = store::open(&url).await?;
        let blobs = Blobs::local(&dir.join("blobs"))?;
        let state = AppState::new(store, blobs, PasswordCost::Cheap);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let listener = TlsListener::new(listener, tls)?;
        let task = tokio::spawn(serve(listener, state.clone()));
        Ok(TestServer {
            url: format!("https://{addr}"),
            addr,
            state,
            task,
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.state.store
    }

    /// A workspace and its owner (id).
    pub async fn init_workspace(
        &self,
        name: &str,
        owner_email: &str,
        owner_password: &str,
    ) -> Result<(Workspace, Uuid), TestServerError> {
        Ok(admin::init_workspace(
            self.store().as_ref(),
            PasswordCost::Cheap,
            name,
            owner_email,
            "Owner",
            owner_password,
        )
        .await?)
    }

    /// A staff account (id) in `workspace`.
    pub async fn add_staff(
        &self,
        workspace: Uuid,
        email: &str,
        name: &str,
        password: &str,
    ) -> Result<Uuid, TestServerError> {
        Ok(admin::add_staff(
            self.store().as_ref(),
            PasswordCost::Cheap,
            workspace,
            email,
            name,
            password,
            Role::Staff,
        )
        .await?)
    }
}

/// Runs `command` on a pseudo-terminal of its own, as at a terminal, typing
/// `typed` into it: for prompts that read the terminal (`/dev/tty`), never
/// standard input. Through util-linux's `script`, which every Debian system has
/// (package bsdutils). What the terminal showed comes back as stdout, `\r\n`
/// line ends and any echo included.
#[cfg(target_os = "linux")]
pub fn on_terminal(
    command: &std::process::Command,
    typed: &str,
) -> std::io::Result<std::process::Output> {
    use std::io::Write;
    let line = shell_line(command);
    let mut script = wrapped(command, "script");
    // `script` runs the line with `$SHELL -c`: an account's shell such as
    // nologin would refuse it.
    script
        .env("SHELL", "/bin/sh")
        .args(["--quiet", "--return", "--command", &line, "/dev/null"]);
    let mut child = script
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(typed.as_bytes())?;
    }
    finish_within(child, TERMINAL_DEADLINE)
}

/// How long a command on a terminal may take: one that waits for more input
/// than was typed fails its test after this rather than hanging the suite.
#[cfg(target_os = "linux")]
const TERMINAL_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// `child`'s status and output, or a `TimedOut` error once `deadline` passed
/// (the child is killed; its terminal closing ends what runs on it).
#[cfg(target_os = "linux")]
fn finish_within(
    mut child: std::process::Child,
    deadline: std::time::Duration,
) -> std::io::Result<std::process::Output> {
    fn drain<R: std::io::Read + Send + 'static>(
        pipe: Option<R>,
    ) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                // What was read before an error is still worth showing.
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    }
    let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > deadline {
            child.kill()?;
            child.wait()?;
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("still running after {deadline:?}: waiting for input?"),
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let joined = |h: std::thread::JoinHandle<Vec<u8>>| h.join().unwrap_or_default();
    Ok(std::process::Output {
        status,
        stdout: joined(stdout),
        stderr: joined(stderr),
    })
}

/// Runs `command` with no terminal at all (a new session, util-linux's
/// `setsid`), as a service or a CI job runs it, even when the tests were
/// started from one.
#[cfg(target_os = "linux")]
pub fn without_terminal(command: &std::process::Command) -> std::io::Result<std::process::Output> {
    let mut setsid = wrapped(command, "setsid");
    setsid
        .arg("--wait")
        .arg(command.get_program())
        .args(command.get_args());
    setsid.stdin(std::process::Stdio::null()).output()
}

/// A command running `wrapper` with `command`'s environment and directory.
#[cfg(target_os = "linux")]
fn wrapped(command: &std::process::Command, wrapper: &str) -> std::process::Command {
    let mut w = std::process::Command::new(wrapper);
    for (key, value) in command.get_envs() {
        match value {
            Some(v) => w.env(key, v),
            None => w.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        w.current_dir(dir);
    }
    w
}

/// `command`'s program and arguments as one line for `sh -c`, each quoted.
#[cfg(target_os = "linux")]
fn shell_line(command: &std::process::Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| format!("'{}'", part.to_string_lossy().replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_command_past_its_deadline_is_stopped() {
        let child = std::process::Command::new("sleep")
            .arg("30")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let err = finish_within(child, std::time::Duration::from_millis(200)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn what_is_typed_reaches_a_prompt_on_the_terminal() {
        let mut cmd = std::process::Command::new("sh");
        cmd.args([
            "-c",
            "printf 'Name? ' >/dev/tty; read n </dev/tty; echo \"got $n\"",
        ]);
        let out = on_terminal(&cmd, "it's me\n").unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("got it's me"));
    }
}
