//! Shared helpers for kith-cli's tests: the real binary over a data directory.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;

pub fn cli(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("kith-cli").expect("kith-cli binary");
    cmd.env_remove("KITH_DATA_DIR").arg("--data-dir").arg(dir);
    cmd
}

/// Runs `kith-cli --json ARGS`, which must succeed, and parses its one JSON document.
pub fn json(dir: &std::path::Path, args: &[&str]) -> Value {
    let out = cli(dir)
        .arg("--json")
        .args(args)
        .output()
        .expect("run kith-cli");
    assert!(
        out.status.success(),
        "kith-cli {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}
