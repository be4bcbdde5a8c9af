//! The `kith-server` binary's admin commands on a real SQLite file.

use std::process::{Command, Output};

fn run(db: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_kith-server"))
        .arg("--database")
        .arg(db)
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Creates workspace Acme, its owner boss@acme.test.
const INIT: &[&str] = &[
    "init",
    "--workspace",
    "Acme",
    "--owner-email",
    "boss@acme.test",
];
/// Adds Ann (ann@acme.test) to Acme's staff.
const ADD_ANN: &[&str] = &[
    "staff",
    "add",
    "--workspace",
    "Acme",
    "--email",
    "ann@acme.test",
    "--name",
    "Ann",
];

#[test]
fn init_staff_devices_and_api_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    let init = INIT;
    run(&db, init, &[("KITH_OWNER_PASSWORD", "password1")]);
    run(&db, ADD_ANN, &[("KITH_STAFF_PASSWORD", "password2")]);
    let list = run(
        &db,
        &["devices", "list", "--workspace", "Acme", "--json"],
        &[],
    );
    let devices: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(devices, serde_json::json!([]));
    let key = run(
        &db,
        &[
            "api-keys",
            "create",
            "--workspace",
            "Acme",
            "--name",
            "shop",
        ],
        &[],
    );
    let id = String::from_utf8_lossy(&key.stderr)
        .split_whitespace()
        .nth(2)
        .unwrap()
        .to_owned();
    let key = String::from_utf8(key.stdout).unwrap();
    assert!(key.trim().starts_with("kith_key_") && key.trim().len() == 9 + 64);
    let revoke = ["api-keys", "revoke", "--workspace", "Acme", id.as_str()];
    let out = run(&db, &revoke, &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("API key {id} revoked")
    );
    // Once: a second revoke says there is no such key.
    let again = Command::new(env!("CARGO_BIN_EXE_kith-server"))
        .args(["--database", &db])
        .args(revoke)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("no active API key"));
    run(
        &db,
        &[
            "staff",
            "remove",
            "--workspace",
            "Acme",
            "--email",
            "ann@acme.test",
        ],
        &[],
    );
    // A workspace that does not exist is an error, not a silent no-op.
    let out = Command::new(env!("CARGO_BIN_EXE_kith-server"))
        .args(["--database", &db, "devices", "list", "--workspace", "Nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    // A second workspace of the same name is refused.
    let again = Command::new(env!("CARGO_BIN_EXE_kith-server"))
        .args(["--database", &db])
        .args(init)
        .env("KITH_OWNER_PASSWORD", "password1")
        .output()
        .unwrap();
    assert!(!again.status.success());
}

/// Without `--owner-password` or `KITH_OWNER_PASSWORD`, `init` asks the terminal
/// for the owner's password (and `staff add` for the new member's), and what is
/// typed there is the password stored; with no terminal at all it says why it
/// cannot go on rather than waiting.
#[cfg(target_os = "linux")]
#[test]
fn passwords_are_asked_on_the_terminal() {
    use kith_server::testing::{on_terminal, without_terminal};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    let server = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kith-server"));
        cmd.args(["--database", &db])
            .args(args)
            .env_remove("KITH_OWNER_PASSWORD")
            .env_remove("KITH_STAFF_PASSWORD")
            .env("RUST_LOG", "warn");
        cmd
    };
    let init = server(INIT);

    let out = without_terminal(&init).unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("reading the password"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = on_terminal(&init, "typed-owner-secret\n").unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("Owner's password: "), "{shown}");
    let add = server(ADD_ANN);
    let out = on_terminal(&add, "typed-ann-secret\n").unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("Password for ann@acme.test: "), "{shown}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = kith_server::store::open(&db).await.unwrap();
        for (email, typed) in [
            ("boss@acme.test", "typed-owner-secret"),
            ("ann@acme.test", "typed-ann-secret"),
        ] {
            let accounts = store.accounts_by_email(email).await.unwrap();
            assert_eq!(accounts.len(), 1);
            let hash = &accounts[0].password_hash;
            assert!(kith_server::credentials::verify_password(typed, hash));
            assert!(!kith_server::credentials::verify_password(
                "password1",
                hash
            ));
        }
    });
}
