//! `kith-cli sync …` against a real kith-server on loopback.

mod common;

use kith_server::testing::TestServer;

/// A runtime for the in-process server; the desktops are kith-cli processes.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// A server with workspace Acme (owner@acme.test / password1, ann@acme.test /
/// password2); returns it with Acme's id.
fn office(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> (TestServer, uuid::Uuid) {
    rt.block_on(async {
        let server = TestServer::sqlite(dir).await.unwrap();
        let (ws, _) = server
            .init_workspace("Acme", "owner@acme.test", "password1")
            .await
            .unwrap();
        server
            .add_staff(ws.id, "ann@acme.test", "Ann", "password2")
            .await
            .unwrap();
        (server, ws.id)
    })
}

/// Signs `one` in as the owner and `two` as Ann, with `kith-cli sync login`.
fn sign_in_both(server: &TestServer, one: &std::path::Path, two: &std::path::Path) {
    for (dir, email, password) in [
        (one, "owner@acme.test", "password1"),
        (two, "ann@acme.test", "password2"),
    ] {
        let out = common::cli(dir)
            .env("KITH_PASSWORD", password)
            .args(["sync", "login", &server.url, email])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("signed in to Acme"));
    }
}

/// Without `KITH_PASSWORD`, `sync login` asks the terminal for the password; a
/// wrong one typed there is refused and leaves the desktop signed out; with no
/// terminal at all it says how to give the password rather than waiting.
#[cfg(target_os = "linux")]
#[test]
fn sync_login_asks_the_terminal_for_the_password() {
    use kith_server::testing::{on_terminal, without_terminal};
    let rt = runtime();
    let server_dir = tempfile::tempdir().unwrap();
    let (server, _) = office(&rt, server_dir.path());
    let desk = tempfile::tempdir().unwrap();
    let mut login = std::process::Command::new(assert_cmd::cargo::cargo_bin("kith-cli"));
    login
        .env_remove("KITH_DATA_DIR")
        .env_remove("KITH_PASSWORD")
        .arg("--data-dir")
        .arg(desk.path())
        .args(["sync", "login", &server.url, "owner@acme.test"]);

    let out = without_terminal(&login).unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("set KITH_PASSWORD"), "{err}");

    let out = on_terminal(&login, "not-the-password\n").unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{shown}");
    assert!(shown.contains("Password for owner@acme.test: "), "{shown}");
    assert!(shown.contains("wrong email or password"), "{shown}");
    let status = common::json(desk.path(), &["sync", "status"]);
    assert_eq!(status["state"], "signed_out");

    let out = on_terminal(&login, "password1\n").unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("signed in to Acme"), "{shown}");
    let status = common::json(desk.path(), &["sync", "status"]);
    assert_ne!(status["state"], "signed_out");
}

#[test]
fn sync_login_now_status_logout() {
    let rt = runtime();
    let server_dir = tempfile::tempdir().unwrap();
    let (server, _) = office(&rt, server_dir.path());
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let status = common::json(one.path(), &["sync", "status"]);
    assert_eq!(status["state"], "signed_out");
    sign_in_both(&server, one.path(), two.path());
    let user = common::json(
        one.path(),
        &["users", "add", "--first-name", "Zoë", "--last-name", "Sync"],
    );
    let pending = common::json(one.path(), &["sync", "status"]);
    assert_eq!(pending["state"], "pending");
    let report = common::json(one.path(), &["sync", "now"]);
    assert_eq!(report["checksum_matched"], true);
    let report = common::json(two.path(), &["sync", "now"]);
    assert_eq!(report["bootstrapped"], true);
    let id = user["id"].as_str().unwrap();
    let shown = common::json(two.path(), &["users", "show", id]);
    assert_eq!(shown["first_name"], "Zoë");
    let status = common::json(two.path(), &["sync", "status"]);
    assert_eq!(status["state"], "synced");
    assert_eq!(status["staff_email"], "ann@acme.test");

    let out = common::cli(two.path())
        .args(["sync", "logout"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        common::json(two.path(), &["sync", "status"])["state"],
        "signed_out"
    );
    let again = common::cli(two.path())
        .args(["sync", "now"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not signed in"));
    drop(server);
}

/// An HTTPS server on loopback with an office CA made by `tls-cert` in `dir`/certs,
/// and an owner `owner@acme.test` / `password1`.
#[cfg(target_os = "linux")]
fn https_server(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> (TestServer, uuid::Uuid) {
    let certs = dir.join("certs");
    kith_server::tls::issue(&certs, "Acme", &["127.0.0.1".to_owned()]).unwrap();
    let tls = kith_server::tls::server_config(
        &certs.join(kith_server::tls::SERVER_CERT),
        &certs.join(kith_server::tls::SERVER_KEY),
    )
    .unwrap();
    rt.block_on(async {
        let server = TestServer::sqlite_tls(dir, tls).await.unwrap();
        let (workspace, _) = server
            .init_workspace("Acme", "owner@acme.test", "password1")
            .await
            .unwrap();
        (server, workspace.id)
    })
}

/// A desktop that does not trust the office's CA is shown its fingerprint; a
/// wrong fingerprint trusts nothing; the right one signs in and syncs with the
/// CA kept for this server only (the system's roots stay empty throughout), and
/// signing out forgets it.
#[cfg(target_os = "linux")]
#[test]
fn sync_trusts_the_offices_ca_once_its_fingerprint_is_confirmed() {
    let rt = runtime();
    let server_dir = tempfile::tempdir().unwrap();
    let (server, workspace) = https_server(&rt, server_dir.path());
    let no_roots = server_dir.path().join("no-roots.pem");
    std::fs::write(&no_roots, "").unwrap();
    let fingerprint =
        kith_server::tls::top_fingerprint(&server_dir.path().join("certs").join("server.pem"))
            .unwrap();
    let desk = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| {
        common::cli(desk.path())
            .env("SSL_CERT_FILE", &no_roots)
            .env("KITH_PASSWORD", "password1")
            .args(args)
            .output()
            .unwrap()
    };
    let login = ["sync", "login", &server.url, "owner@acme.test"];

    let refused = cli(&login);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("did not prove it is the server")
            && err.contains("\"Acme Kith CA\"")
            && err.contains(&fingerprint)
            && err.contains(&format!(
                "--trust-fingerprint {}",
                fingerprint.replace(':', "")
            )),
        "{err}"
    );

    let other = kith_core::protocol::sync::certificate_fingerprint(b"another CA");
    let wrong = cli(&[&login[..], &["--trust-fingerprint", &other]].concat());
    assert!(!wrong.status.success());
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        err.contains(&format!(
            "presents a certificate with the fingerprint {fingerprint}, not"
        )) && err.contains("nothing was trusted"),
        "{err}"
    );
    let status = cli(&["--json", "sync", "status"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["state"], "signed_out");

    // Typed as people do: lower case, spaces for colons.
    let typed = fingerprint.to_lowercase().replace(':', " ");
    let ok = cli(&[&login[..], &["--trust-fingerprint", &typed]].concat());
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    common::json(
        desk.path(),
        &[
            "users",
            "add",
            "--first-name",
            "Pinned",
            "--last-name",
            "Office",
        ],
    );
    let now = cli(&["--json", "sync", "now"]);
    assert!(
        now.status.success(),
        "{}",
        String::from_utf8_lossy(&now.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&now.stdout).unwrap();
    assert!(report["pushed"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["checksum_matched"], true);
    let status = cli(&["--json", "sync", "status"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["trusted_certificate"], fingerprint.as_str());

    let out = cli(&["sync", "logout"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Revoked on the server too: sign-out reached it through the kept CA.
    let devices = rt.block_on(server.store().list_devices(workspace)).unwrap();
    assert!(
        !devices.is_empty() && devices.iter().all(|d| d.revoked_at.is_some()),
        "{devices:?}"
    );
    let status = cli(&["--json", "sync", "status"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["trusted_certificate"], serde_json::Value::Null);
    // Forgotten with the sign-in: refused again until confirmed again.
    assert!(!cli(&login).status.success());
    drop(server);
}

/// The desktop's client over HTTPS with an office's own CA (`kith-server tls-cert`):
/// refused with a reason that says what to do until the CA is trusted, then signed
/// in and syncing. Linux only: elsewhere the OS's certificate store decides, and
/// `SSL_CERT_FILE` (read on Linux) is how this test trusts the CA without one.
#[cfg(target_os = "linux")]
#[test]
fn sync_over_https_with_the_offices_own_certificate() {
    let rt = runtime();
    let server_dir = tempfile::tempdir().unwrap();
    let certs = server_dir.path().join("certs");
    let (server, _) = https_server(&rt, server_dir.path());
    assert!(server.url.starts_with("https://"));
    let desk = tempfile::tempdir().unwrap();
    let login = |trust: Option<&std::path::Path>| {
        let mut cmd = common::cli(desk.path());
        cmd.env("KITH_PASSWORD", "password1").args([
            "sync",
            "login",
            &server.url,
            "owner@acme.test",
        ]);
        match trust {
            Some(ca) => cmd.env("SSL_CERT_FILE", ca),
            // An empty bundle: the machine's own roots could never vouch for this CA,
            // and the test should not depend on what they are.
            None => cmd.env("SSL_CERT_FILE", server_dir.path().join("no-roots.pem")),
        };
        cmd.output().unwrap()
    };
    std::fs::write(server_dir.path().join("no-roots.pem"), "").unwrap();

    let refused = login(None);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("did not prove it is the server")
            && err.contains("an authority this computer does not trust")
            && err.contains("kith-ca.pem"),
        "{err}"
    );

    let ca = certs.join(kith_server::tls::CA_CERT);
    let out = login(Some(&ca));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::json(
        desk.path(),
        &[
            "users",
            "add",
            "--first-name",
            "Tls",
            "--last-name",
            "Office",
        ],
    );
    let now = common::cli(desk.path())
        .env("SSL_CERT_FILE", &ca)
        .args(["--json", "sync", "now"])
        .output()
        .unwrap();
    assert!(
        now.status.success(),
        "{}",
        String::from_utf8_lossy(&now.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&now.stdout).unwrap();
    assert_eq!(report["checksum_matched"], true);
    drop(server);
}

/// Runs `kith-cli sync now` on `dir` and kills it (SIGKILL: no cleanup at all)
/// as soon as `now` says so (polled every few milliseconds); returns whether it
/// was still running then.
fn kill_sync_when(dir: &std::path::Path, mut now: impl FnMut() -> bool) -> bool {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kith-cli"))
        .env_remove("KITH_DATA_DIR")
        .arg("--data-dir")
        .arg(dir)
        .args(["--json", "sync", "now"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut killed = false;
    while std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if now() {
            child.kill().unwrap();
            killed = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.wait().unwrap();
    killed
}

#[test]
fn sync_processes_killed_mid_push_and_mid_bootstrap_lose_nothing() {
    let rt = runtime();
    let server_dir = tempfile::tempdir().unwrap();
    let (server, ws) = office(&rt, server_dir.path());
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    sign_in_both(&server, one.path(), two.path());
    // Three rounds of new customers, each pushed by a run killed the moment
    // the server has taken a page of it: with the rest of the push, or the
    // answer to that page, not done.
    const BATCH: usize = 2_000;
    const USERS: usize = 3 * BATCH;
    let waiting = |dir| {
        common::json(dir, &["sync", "status"])["pending"]
            .as_u64()
            .unwrap()
    };
    let head = || rt.block_on(server.store().head(ws)).unwrap();
    let mut seen = Vec::new();
    for round in 0..3 {
        let csv = one.path().join(format!("customers{round}.csv"));
        let rows: String = (0..BATCH)
            .map(|i| format!("Kim{round}x{i},Lee,kim{round}x{i}@example.com\n"))
            .collect();
        std::fs::write(&csv, format!("First Name,Last Name,Email\n{rows}")).unwrap();
        let imported = common::json(one.path(), &["import", csv.to_str().unwrap()]);
        assert_eq!(imported["created"], BATCH);
        let held = head();
        if kill_sync_when(one.path(), || head() > held) {
            seen.push((waiting(one.path()), head() - held));
        }
    }
    // (changes still waiting, changes the server took) at each kill.
    assert!(
        seen.iter().any(|&(left, _)| left > 0),
        "no run was killed with part of its push undone: {seen:?}"
    );
    let report = common::json(one.path(), &["sync", "now"]);
    assert_eq!(report["checksum_matched"], true, "{report}");
    assert_eq!(waiting(one.path()), 0);

    // A new desktop killed while it loads the workspace, as soon as it holds
    // some of the users, then left to finish. Its users are counted straight
    // from its database, read-only: a kith-cli run per look is too slow to see
    // the snapshot's pages land.
    let users = || -> u64 {
        rt.block_on(async {
            use sqlx::ConnectOptions;
            let db = two.path().join(kith_core::kith::DATABASE_FILE);
            let Ok(mut conn) = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&db)
                .read_only(true)
                .connect()
                .await
            else {
                return 0;
            };
            let n: Result<i64, _> =
                sqlx::query_scalar("SELECT count(*) FROM users WHERE _deleted = 0")
                    .fetch_one(&mut conn)
                    .await;
            u64::try_from(n.unwrap_or(0)).unwrap_or(0)
        })
    };
    let mut loaded = Vec::new();
    for _ in 0..2 {
        let had = users();
        if kill_sync_when(two.path(), || users() > had) {
            loaded.push(users());
        }
    }
    assert!(
        loaded.iter().any(|&n| n > 0 && n < USERS as u64),
        "no run was killed with part of the workspace loaded: {loaded:?} of {USERS}"
    );
    let report = common::json(two.path(), &["sync", "now"]);
    assert_eq!(report["checksum_matched"], true, "{report}");
    let listed = common::json(two.path(), &["users", "list", "--limit", "1"]);
    assert_eq!(
        listed["total"], USERS,
        "every user is on the second desktop"
    );
}
