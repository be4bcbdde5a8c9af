//! `kith-cli files` over a real data directory, and the memory test of issue 4:
//! attaching a 1 GiB file streams it (peak RSS under 100 MB) and stores exactly
//! its bytes.

mod common;

#[path = "../src/peak_rss.rs"]
mod peak_rss;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{cli, json};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

fn add_user(d: &Path, first: &str, last: &str) -> String {
    let user = json(
        d,
        &["users", "add", "--first-name", first, "--last-name", last],
    );
    user["id"].as_str().expect("user id").to_owned()
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn attach_list_and_find_files_and_refuse_a_folder_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = tempfile::tempdir().unwrap();
    let id = add_user(d, "Zoë", "Müller");
    let pdf = src.path().join("Café menu.pdf");
    let jpg = src.path().join("party.jpg");
    std::fs::write(&pdf, b"%PDF-1.4 menu").unwrap();
    std::fs::write(&jpg, b"jpeg bytes").unwrap();

    let attached = json(
        d,
        &[
            "files",
            "attach",
            "--user",
            &id,
            pdf.to_str().unwrap(),
            jpg.to_str().unwrap(),
        ],
    );
    let attached = attached.as_array().expect("one entry per file");
    assert_eq!(attached.len(), 2);
    assert_eq!(attached[0]["name"], "Café menu.pdf");
    assert_eq!(attached[0]["size"], 13);
    assert_eq!(attached[0]["kind"], "document");
    assert_eq!(
        attached[0]["sha256"],
        hex(&Sha256::digest(b"%PDF-1.4 menu"))
    );
    assert_eq!(attached[1]["kind"], "image");
    assert!(attached[1]["id"].is_string());

    let found = json(d, &["files", "find", "CAFE"]);
    assert_eq!(found["hits"][0]["attachment"]["name"], "Café menu.pdf");
    assert_eq!(found["hits"][0]["user_name"], "Zoë Müller");
    let images = json(d, &["files", "find", "", "--kind", "image"]);
    assert_eq!(images["hits"].as_array().unwrap().len(), 1);
    assert_eq!(images["hits"][0]["attachment"]["name"], "party.jpg");

    // A folder among the files: one clear line, a failure status, nothing attached.
    let folder = src.path().join("Holiday");
    std::fs::create_dir(&folder).unwrap();
    let out = cli(d)
        .args(["files", "attach", "--user", &id])
        .arg(&pdf)
        .arg(&folder)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is a folder, not a file"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    let listed = json(d, &["files", "list", "--user", &id]);
    assert_eq!(listed.as_array().unwrap().len(), 2);

    let out = cli(d)
        .args([
            "files",
            "attach",
            "--user",
            &uuid::Uuid::now_v7().to_string(),
        ])
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("user not found"));
    let out = cli(d)
        .args(["files", "list", "--user", &id, "--kind", "picture"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// Size of the file the memory test attaches.
const GIB: u64 = 1 << 30;
/// What a streaming attach may cost at most, in MB of peak resident memory.
const MAX_PEAK_RSS_MB: f64 = 100.0;

#[test]
fn attaching_a_1_gib_file_streams_it_under_100_mb_and_stores_its_exact_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = add_user(d, "Big", "File");

    // Deterministic pseudo-random bytes: incompressible, and any dropped,
    // repeated or reordered chunk changes the hash.
    let src = tempfile::tempdir().unwrap();
    let path = src.path().join("video.mp4");
    let t = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut hasher = Sha256::new();
    let mut chunk = vec![0u8; 1 << 20];
    {
        let mut file = std::fs::File::create(&path).unwrap();
        for _ in 0..GIB / chunk.len() as u64 {
            rng.fill_bytes(&mut chunk);
            hasher.update(&chunk);
            file.write_all(&chunk).unwrap();
        }
    }
    let expected = hex(&hasher.finalize());
    eprintln!("wrote 1 GiB in {:.1}s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kith-cli"))
        .env_remove("KITH_DATA_DIR")
        .arg("--data-dir")
        .arg(d)
        .args(["--json", "files", "attach", "--user", &id])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kith-cli");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    // Both outputs are a few hundred bytes, well within a pipe's buffer: the
    // child never blocks on them while we wait.
    let (status, peak_mb) = peak_rss::wait_with_peak_rss(child).expect("wait for kith-cli");
    let mut out = String::new();
    stdout.read_to_string(&mut out).unwrap();
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    assert!(status.success(), "kith-cli failed: {err}");
    eprintln!(
        "attached 1 GiB in {:.1}s, peak RSS {peak_mb:?} MB",
        t.elapsed().as_secs_f64()
    );

    let attached: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    assert_eq!(attached[0]["size"], GIB);
    assert_eq!(attached[0]["sha256"], expected.as_str());
    if let Some(peak_mb) = peak_mb {
        assert!(
            peak_mb < MAX_PEAK_RSS_MB,
            "attaching 1 GiB peaked at {peak_mb:.1} MB"
        );
    }

    // The blob on disk, read back: the very bytes of the source.
    let blob = d.join("blobs").join(&expected[..2]).join(&expected[2..]);
    let mut file = std::fs::File::open(&blob).expect("the stored blob");
    let mut hasher = Sha256::new();
    loop {
        let n = file.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        hasher.update(&chunk[..n]);
    }
    assert_eq!(hex(&hasher.finalize()), expected);
}
