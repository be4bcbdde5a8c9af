//! HTTPS on the real `kith-server` binary: `tls-cert` makes an office CA and a
//! server certificate, `serve --tls-cert/--tls-key` serves with them, and a
//! client that trusts the CA signs in while one that does not is refused.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use kith_protocol::sync::{path, LoginRequest};
use kith_protocol::NodeId;

fn kith_server(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kith-server"));
    cmd.args(args).env("RUST_LOG", "info").env("NO_COLOR", "1");
    cmd
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn failure(out: Output) -> String {
    assert!(!out.status.success(), "should have failed");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The server, killed when dropped.
struct Serving {
    child: Child,
    addr: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `serve` on a free loopback port; returns once it logs the address it bound.
fn serve(db: &str, extra: &[&str]) -> Serving {
    let mut args = vec!["--database", db, "serve", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut child = kith_server(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server ended before serving")
            .unwrap();
        if let Some(at) = line.find("listen=") {
            break line[at + "listen=".len()..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_owned();
        }
    };
    // Keep draining its log so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Serving { child, addr }
}

fn client(ca: Option<&Path>) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(10));
    if let Some(ca) = ca {
        let pem = std::fs::read(ca).unwrap();
        builder = builder
            .tls_certs_only(reqwest::Certificate::from_pem_bundle(&pem).unwrap())
            .https_only(true);
    }
    builder.build().unwrap()
}

/// `kith-server tls-cert` for the office "Acme".
fn run_tls_cert(dir: &str, hosts: &[&str]) -> Output {
    let mut args = vec!["tls-cert", "--dir", dir, "--office", "Acme"];
    for host in hosts {
        args.extend(["--host", host]);
    }
    kith_server(&args).output().unwrap()
}

/// [`run_tls_cert`], which must succeed; its stdout.
fn tls_cert(dir: &str, hosts: &[&str]) -> String {
    ok(run_tls_cert(dir, hosts))
}

fn login_body() -> LoginRequest {
    LoginRequest {
        email: "boss@acme.test".into(),
        password: "password1".into(),
        workspace: None,
        device_name: "Front desk".into(),
        node: NodeId::random(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_certificate_serves_https_and_renews_under_the_same_ca() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    let certs_arg = certs.to_str().unwrap();
    let made = tls_cert(certs_arg, &["127.0.0.1", "kith.acme.lan"]);
    assert!(
        made.contains("Made the office's certificate authority"),
        "{made}"
    );
    let ca = std::fs::read(certs.join("kith-ca.pem")).unwrap();
    // The fingerprint desktops show before trusting the CA, printed to compare with.
    let (_, ca_pem) = x509_parser::pem::parse_x509_pem(&ca).unwrap();
    let fingerprint = kith_protocol::sync::certificate_fingerprint(&ca_pem.contents);
    assert!(made.contains(&fingerprint), "{made}");
    let first = std::fs::read(certs.join("server.pem")).unwrap();
    #[cfg(unix)]
    for private in ["kith-ca-key.pem", "server-key.pem"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(certs.join(private))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{private} is readable by others");
    }

    // Renewing keeps the CA: desktops that trust it need nothing new.
    let renewed = tls_cert(certs_arg, &["127.0.0.1"]);
    assert!(
        renewed.contains("existing certificate authority"),
        "{renewed}"
    );
    assert_eq!(std::fs::read(certs.join("kith-ca.pem")).unwrap(), ca);
    assert!(renewed.contains(&fingerprint), "{renewed}");
    assert_eq!(
        kith_server::tls::top_fingerprint(&certs.join("server.pem")).unwrap(),
        fingerprint
    );
    let second = std::fs::read(certs.join("server.pem")).unwrap();
    assert_ne!(second, first);
    // Apple's platforms refuse server certificates valid for more than 825 days.
    let (_, pem) = x509_parser::pem::parse_x509_pem(&second).unwrap();
    let cert = pem.parse_x509().unwrap();
    let days = (cert.validity().not_after.to_datetime() - cert.validity().not_before.to_datetime())
        .whole_days();
    assert!((800..=825).contains(&days), "valid {days} days");

    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    ok(kith_server(&[
        "--database",
        &db,
        "init",
        "--workspace",
        "Acme",
        "--owner-email",
        "boss@acme.test",
    ])
    .env("KITH_OWNER_PASSWORD", "password1")
    .output()
    .unwrap());
    let cert = certs.join("server.pem");
    let key = certs.join("server-key.pem");
    let server = serve(
        &db,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let url = format!("https://{}{}", server.addr, path::LOGIN);

    // Trusting only the office CA, with the renewed certificate: signed in.
    let trusted = client(Some(&certs.join("kith-ca.pem")));
    let resp = trusted.post(&url).json(&login_body()).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{:?}", resp.text().await);

    // A client that does not trust the CA gets no answer at all: the handshake fails.
    let untrusted = client(None)
        .post(&url)
        .json(&login_body())
        .send()
        .await
        .unwrap_err();
    let chain = format!("{:?}", untrusted);
    assert!(chain.contains("UnknownIssuer"), "{chain}");

    // Plain HTTP to the HTTPS port: no request reaches the API.
    let plain = reqwest::Client::new()
        .post(format!("http://{}{}", server.addr, path::LOGIN))
        .json(&login_body())
        .send()
        .await;
    assert!(
        plain.is_err() || !plain.unwrap().status().is_success(),
        "plain HTTP got through"
    );

    // The server still serves after the failed handshakes.
    let again = trusted.post(&url).json(&login_body()).send().await.unwrap();
    assert_eq!(again.status(), 200);
}

#[test]
fn bad_certificate_files_stop_the_server_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    for d in [&a, &b] {
        ok(kith_server(&[
            "tls-cert",
            "--dir",
            d.to_str().unwrap(),
            "--host",
            "127.0.0.1",
        ])
        .output()
        .unwrap());
    }
    let serve = |cert: &Path, key: &Path| {
        kith_server(&[
            "--database",
            &db,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ])
        .output()
        .unwrap()
    };
    let missing = dir.path().join("nope.pem");
    let err = failure(serve(&missing, &a.join("server-key.pem")));
    assert!(
        err.contains("cannot read") && err.contains("nope.pem"),
        "{err}"
    );

    let not_pem = dir.path().join("notes.txt");
    std::fs::write(&not_pem, "just some text\n").unwrap();
    let err = failure(serve(&not_pem, &a.join("server-key.pem")));
    assert!(err.contains("holds no PEM certificate"), "{err}");
    let err = failure(serve(&a.join("server.pem"), &not_pem));
    assert!(err.contains("holds no PEM private key"), "{err}");

    // The certificate of one, the key of another.
    let err = failure(serve(&a.join("server.pem"), &b.join("server-key.pem")));
    assert!(err.contains("do not go together"), "{err}");

    // One without the other is a usage error.
    let out = kith_server(&[
        "--database",
        &db,
        "serve",
        "--tls-cert",
        a.join("server.pem").to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let err = failure(out);
    assert!(err.contains("--tls-key"), "{err}");

    // A CA whose key went missing is not silently replaced: every desktop trusts it.
    let ca = std::fs::read(a.join("kith-ca.pem")).unwrap();
    std::fs::rename(a.join("kith-ca-key.pem"), dir.path().join("kept-safe.pem")).unwrap();
    let err = failure(run_tls_cert(a.to_str().unwrap(), &["127.0.0.1"]));
    assert!(err.contains("kith-ca-key.pem is not"), "{err}");
    assert_eq!(std::fs::read(a.join("kith-ca.pem")).unwrap(), ca);
    // Nor does another CA's key sign in its name.
    std::fs::copy(b.join("kith-ca-key.pem"), a.join("kith-ca-key.pem")).unwrap();
    let err = failure(run_tls_cert(a.to_str().unwrap(), &["127.0.0.1"]));
    assert!(
        err.contains("is not the key of the CA certificate"),
        "{err}"
    );

    // A host a certificate cannot name.
    let err = failure(run_tls_cert(a.to_str().unwrap(), &["not a host!"]));
    assert!(err.contains("not a host name or IP address"), "{err}");
}
