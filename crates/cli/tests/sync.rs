//! `kith-cli sync …` against a real kith-server on loopback.

mod common;

use kith_server::testing::TestServer;

#[test]
fn sync_login_now_status_logout() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let server = rt.block_on(async {
        let server = TestServer::sqlite(server_dir.path()).await.unwrap();
        let (ws, _) = server
            .init_workspace("Acme", "owner@acme.test", "password1")
            .await
            .unwrap();
        server
            .add_staff(ws.id, "ann@acme.test", "Ann", "password2")
            .await
            .unwrap();
        server
    });
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let status = common::json(one.path(), &["sync", "status"]);
    assert_eq!(status["state"], "signed_out");

    for (dir, email, password) in [
        (one.path(), "owner@acme.test", "password1"),
        (two.path(), "ann@acme.test", "password2"),
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
