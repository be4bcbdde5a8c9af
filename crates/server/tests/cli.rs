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

#[test]
fn init_staff_devices_and_api_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    let init = &[
        "init",
        "--workspace",
        "Acme",
        "--owner-email",
        "boss@acme.test",
    ];
    run(&db, init, &[("KITH_OWNER_PASSWORD", "password1")]);
    let add = &[
        "staff",
        "add",
        "--workspace",
        "Acme",
        "--email",
        "ann@acme.test",
        "--name",
        "Ann",
    ];
    run(&db, add, &[("KITH_STAFF_PASSWORD", "password2")]);
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
