//! The real server on a loopback port, driven over HTTP: the sync round trip and
//! the security properties a hostile or confused client must not get past.

mod common;

use std::time::Duration;

use common::{change, now_ms, PgDb};
use kith_protocol::sync::{
    path, ChecksumResponse, ErrorBody, ErrorKind, LoginRequest, LoginResponse, PullResponse,
    PushRequest, PushResponse, SeqMark, SnapshotResponse, HEADER_SERVER_TIME, HEADER_UPLOAD_LENGTH,
    HEADER_UPLOAD_OFFSET, MAX_BODY_BYTES,
};
use kith_protocol::{Change, Hlc, NodeId, Value};
use kith_server::testing::{services_required, TestServer};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use uuid::Uuid;

const PASSWORD: &str = "password1";

/// A signed-in device.
struct Device {
    http: reqwest::Client,
    base: String,
    token: String,
    node: NodeId,
    login: LoginResponse,
}

/// An HTTP client for the tests. In a workspace build reqwest is built with
/// kith-core's `rustls-no-provider`, so rustls needs a crypto provider installed first.
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn login_raw(base: &str, email: &str, password: &str, node: NodeId) -> reqwest::Response {
    http()
        .post(format!("{base}{}", path::LOGIN))
        .json(&LoginRequest {
            email: email.into(),
            password: password.into(),
            workspace: None,
            device_name: "Front desk".into(),
            node,
        })
        .send()
        .await
        .unwrap()
}

async fn sign_in(server: &TestServer, email: &str) -> Device {
    sign_in_at(&server.url, email, NodeId::random()).await
}

async fn sign_in_at(base: &str, email: &str, node: NodeId) -> Device {
    let res = login_raw(base, email, PASSWORD, node).await;
    assert_eq!(res.status(), StatusCode::OK);
    let login: LoginResponse = res.json().await.unwrap();
    Device {
        http: http(),
        base: base.to_owned(),
        token: login.token.clone(),
        node,
        login,
    }
}

impl Device {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    async fn push(&self, first_counter: u64, changes: Vec<Change>) -> reqwest::Response {
        self.req(reqwest::Method::POST, path::PUSH)
            .json(&PushRequest {
                first_counter,
                changes,
            })
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.req(reqwest::Method::GET, path).send().await.unwrap()
    }

    async fn pull(&self, since: u64) -> reqwest::Response {
        self.get(&format!("{}?since={since}", path::PULL)).await
    }

    fn user(&self, row: Uuid, fields: &[(&str, Value)]) -> Change {
        change(self.node, row, now_ms(), fields)
    }
}

async fn error_of(res: reqwest::Response) -> (StatusCode, ErrorBody) {
    let status = res.status();
    (status, res.json().await.unwrap())
}

/// Asserts `res` is the error `(status, kind)`; returns its body.
async fn expect_error(res: reqwest::Response, status: StatusCode, kind: ErrorKind) -> ErrorBody {
    let (got, body) = error_of(res).await;
    assert_eq!((got, body.kind), (status, kind), "{}", body.message);
    body
}

/// A server (on a SQLite file in the returned directory) with workspace "Acme"
/// (owner + ann) and workspace "Other" (bob); returns Acme's id.
async fn two_workspaces() -> (tempfile::TempDir, TestServer, Uuid) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::sqlite(dir.path()).await.unwrap();
    let acme = add_workspaces(&server).await;
    (dir, server, acme)
}

/// Workspaces "Acme" (owner and Ann) and "Other" (Bob); returns Acme's id.
async fn add_workspaces(server: &TestServer) -> Uuid {
    let (acme, _) = server
        .init_workspace("Acme", "owner@acme.test", PASSWORD)
        .await
        .unwrap();
    server
        .add_staff(acme.id, "ann@acme.test", "Ann", PASSWORD)
        .await
        .unwrap();
    server
        .init_workspace("Other", "bob@other.test", PASSWORD)
        .await
        .unwrap();
    acme.id
}

#[tokio::test]
async fn login_push_pull_snapshot_round_trip() {
    let (_dir, server, acme) = two_workspaces().await;
    let a = sign_in(&server, "owner@acme.test").await;
    let b = sign_in(&server, "ANN@acme.test ").await;
    assert_eq!(a.login.workspace.id, acme);
    assert_eq!(b.login.staff.name, "Ann");

    let row = Uuid::new_v4();
    let first = a.user(row, &[("first_name", "Zoë".into())]);
    let res = a.push(1, vec![first.clone()]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key(HEADER_SERVER_TIME));
    let pushed: PushResponse = res.json().await.unwrap();
    assert_eq!(pushed.acked, 1);

    let pulled: PullResponse = b.pull(0).await.json().await.unwrap();
    assert_eq!(pulled.through, pushed.head);
    let users: Vec<&Change> = pulled
        .changes
        .iter()
        .filter(|c| c.table == "users")
        .collect();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].fields["first_name"], Value::from("Zoë"));
    assert!(
        pulled.changes.iter().any(|c| c.table == "staff"),
        "the team comes along"
    );
    // A does not get its own change back, but its `through` advances.
    let own: PullResponse = a.pull(0).await.json().await.unwrap();
    assert!(own.changes.iter().all(|c| c.table == "staff"));
    assert_eq!(own.through, pushed.head);

    let snap: SnapshotResponse = b.get(path::SNAPSHOT).await.json().await.unwrap();
    assert_eq!(snap.as_of, pushed.head);
    assert!(snap.next.is_none());
    assert!(snap.changes.iter().any(|c| c.row == row));
    let sum: ChecksumResponse = b.get(path::CHECKSUM).await.json().await.unwrap();
    assert_eq!(sum.through, pushed.head);
    assert_eq!(sum.checksum.len(), 64);

    // Signing in again from the same computer keeps the device and rotates the token.
    let again = sign_in_at(&server.url, "owner@acme.test", a.node).await;
    assert_eq!(again.login.device_id, a.login.device_id);
    assert_eq!(a.pull(0).await.status(), StatusCode::UNAUTHORIZED);
    // Its counters carry on: change 1 is held, the next push continues at 2.
    let res = again.push(1, vec![first]).await;
    assert_eq!(
        res.json::<PushResponse>().await.unwrap().acked,
        1,
        "already held"
    );
}

#[tokio::test]
async fn a_device_of_one_workspace_reaches_nothing_of_another() {
    let (_dir, server, _) = two_workspaces().await;
    let a = sign_in(&server, "owner@acme.test").await;
    let b = sign_in(&server, "bob@other.test").await;
    let row = Uuid::new_v4();
    a.push(1, vec![a.user(row, &[("first_name", "Secret".into())])])
        .await
        .error_for_status()
        .unwrap();
    let blob = b"acme's contract".to_vec();
    let sha = hex_sha(&blob);
    upload(&a, &sha, &blob, 0).await.error_for_status().unwrap();

    let mut events = b.get(path::EVENTS).await;
    assert_eq!(events.status(), StatusCode::OK);

    let pulled: PullResponse = b.pull(0).await.json().await.unwrap();
    assert!(pulled
        .changes
        .iter()
        .all(|c| c.row != row && c.table == "staff"));
    assert!(pulled
        .changes
        .iter()
        .all(|c| c.fields.get("email") != Some(&"owner@acme.test".into())));
    let snap: SnapshotResponse = b.get(path::SNAPSHOT).await.json().await.unwrap();
    assert!(snap.changes.iter().all(|c| c.row != row));
    let sum_a: ChecksumResponse = a.get(path::CHECKSUM).await.json().await.unwrap();
    let sum_b: ChecksumResponse = b.get(path::CHECKSUM).await.json().await.unwrap();
    assert_ne!(sum_a, sum_b);

    // Writing A's row with A's node is refused; with B's own node it lands in B only.
    let forged = Change {
        node: a.node,
        ..b.user(row, &[("first_name", "Hacked".into())])
    };
    assert_eq!(
        error_of(b.push(1, vec![forged]).await).await.1.kind,
        ErrorKind::Forbidden
    );
    b.push(1, vec![b.user(row, &[("first_name", "Mine".into())])])
        .await
        .error_for_status()
        .unwrap();
    let snap_a: SnapshotResponse = a.get(path::SNAPSHOT).await.json().await.unwrap();
    let mine = snap_a.changes.iter().find(|c| c.row == row).unwrap();
    assert_eq!(mine.fields["first_name"], Value::from("Secret"));

    // Blobs: A's blob does not exist for B, and B's upload does not touch A's.
    let blob_path = format!("{}/{sha}", path::BLOBS);
    let head = b
        .req(reqwest::Method::HEAD, &blob_path)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::NOT_FOUND);
    assert_eq!(head.headers()[HEADER_UPLOAD_OFFSET], "0");
    assert_eq!(b.get(&blob_path).await.status(), StatusCode::NOT_FOUND);
    let res = upload_part(&b, &sha, &blob[..4], 0, blob.len() as u64).await;
    assert_eq!(
        res.status(),
        StatusCode::NO_CONTENT,
        "a fresh upload of B's own"
    );
    assert_eq!(
        a.get(&blob_path).await.bytes().await.unwrap().as_ref(),
        blob.as_slice()
    );

    // B's event stream saw no poke for A's push, only for its own workspace's.
    let other_b = sign_in(&server, "bob@other.test").await;
    a.push(2, vec![a.user(row, &[("last_name", "Again".into())])])
        .await
        .error_for_status()
        .unwrap();
    other_b
        .push(
            1,
            vec![other_b.user(Uuid::new_v4(), &[("first_name", "Bob's".into())])],
        )
        .await
        .error_for_status()
        .unwrap();
    let text = read_event(&mut events).await;
    let b_head: PullResponse = b.pull(0).await.json().await.unwrap();
    assert!(
        text.contains(&format!("{{\"head\":{}}}", b_head.through)),
        "{text}"
    );
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once() {
    let (_dir, server, acme) = two_workspaces().await;
    let a = sign_in(&server, "owner@acme.test").await;
    assert_eq!(a.pull(0).await.status(), StatusCode::OK);
    assert!(server
        .store()
        .revoke_device(acme, a.login.device_id)
        .await
        .unwrap());
    expect_error(
        a.pull(0).await,
        StatusCode::UNAUTHORIZED,
        ErrorKind::Unauthorized,
    )
    .await;
    assert_eq!(
        a.push(
            1,
            vec![a.user(Uuid::new_v4(), &[("first_name", "x".into())])]
        )
        .await
        .status(),
        StatusCode::UNAUTHORIZED
    );

    // Signing out revokes the caller's own token.
    let b = sign_in(&server, "ann@acme.test").await;
    let res = b
        .req(reqwest::Method::POST, path::LOGOUT)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        b.get(path::CHECKSUM).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Removing a staff member signs out their devices.
    let c = sign_in(&server, "ann@acme.test").await;
    kith_server::admin::remove_staff(server.store().as_ref(), acme, "ann@acme.test")
        .await
        .unwrap();
    assert_eq!(
        c.get(path::SNAPSHOT).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_raw(&server.url, "ann@acme.test", PASSWORD, NodeId::random())
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_api_key_reads_its_workspace_and_writes_nothing() {
    let (_dir, server, acme) = two_workspaces().await;
    let owner = sign_in(&server, "owner@acme.test").await;
    let row = Uuid::new_v4();
    let res = owner
        .push(1, vec![owner.user(row, &[("first_name", "Zoë".into())])])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let blob = b"the autumn menu".to_vec();
    let sha = hex_sha(&blob);
    assert_eq!(
        upload(&owner, &sha, &blob, 0).await.status(),
        StatusCode::CREATED
    );
    let bob = sign_in(&server, "bob@other.test").await;
    let elsewhere = Uuid::new_v4();
    let res = bob
        .push(
            1,
            vec![bob.user(elsewhere, &[("first_name", "Other".into())])],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let (key_id, key) =
        kith_server::admin::create_api_key(server.store().as_ref(), acme, "website")
            .await
            .unwrap();
    let with_key = |method: reqwest::Method, path: &str| {
        http()
            .request(method, format!("{}{path}", server.url))
            .bearer_auth(&key)
    };
    let get = |path: &str| with_key(reqwest::Method::GET, path).send();

    // It reads the workspace: the log, the snapshot, the checksum, the files.
    let pulled: PullResponse = get(&format!("{}?since=0", path::PULL))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows: Vec<Uuid> = pulled.changes.iter().map(|c| c.row).collect();
    assert!(rows.contains(&row), "it pulls the workspace's changes");
    assert!(!rows.contains(&elsewhere), "and only its own workspace's");
    let snap: SnapshotResponse = get(path::SNAPSHOT).await.unwrap().json().await.unwrap();
    assert!(snap.changes.iter().any(|c| c.row == row));
    assert!(snap.changes.iter().all(|c| c.row != elsewhere));
    assert_eq!(get(path::CHECKSUM).await.unwrap().status(), StatusCode::OK);
    let file = get(&format!("{}/{sha}", path::BLOBS)).await.unwrap();
    assert_eq!(file.bytes().await.unwrap().as_ref(), blob.as_slice());
    let other_file = hex_sha(b"bob's file");
    assert_eq!(
        upload(&bob, &other_file, b"bob's file", 0).await.status(),
        StatusCode::CREATED
    );
    expect_error(
        get(&format!("{}/{other_file}", path::BLOBS)).await.unwrap(),
        StatusCode::NOT_FOUND,
        ErrorKind::NotFound,
    )
    .await;
    // A file not there yet is not found, with nothing said of an upload under way.
    let partial = hex_sha(b"half of a file");
    upload_part(&owner, &partial, b"half", 0, 14).await;
    let head = with_key(reqwest::Method::HEAD, &format!("{}/{partial}", path::BLOBS))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::NOT_FOUND);
    assert!(!head.headers().contains_key(HEADER_UPLOAD_OFFSET));
    // Its event stream hears pushes, its own workspace's only: Bob's push first
    // would otherwise be the event read.
    let mut events = get(path::EVENTS).await.unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    let bobs: PushResponse = bob
        .push(
            2,
            vec![bob.user(elsewhere, &[("last_name", "Else".into())])],
        )
        .await
        .json()
        .await
        .unwrap();
    let res = owner
        .push(2, vec![owner.user(row, &[("last_name", "Müller".into())])])
        .await;
    let pushed: PushResponse = res.json().await.unwrap();
    assert_ne!(
        bobs.head, pushed.head,
        "heads that tell the two pushes apart"
    );
    let text = read_event(&mut events).await;
    assert!(
        text.contains(&format!("data: {{\"head\":{}}}", pushed.head)),
        "{text}"
    );

    // It writes nothing: no changes, no files, no signing out a device.
    let push = with_key(reqwest::Method::POST, path::PUSH)
        .json(&PushRequest {
            first_counter: 1,
            changes: vec![owner.user(Uuid::new_v4(), &[("first_name", "Key".into())])],
        })
        .send()
        .await
        .unwrap();
    expect_error(push, StatusCode::FORBIDDEN, ErrorKind::Forbidden).await;
    let patch = with_key(
        reqwest::Method::PATCH,
        &format!("{}/{}", path::BLOBS, hex_sha(b"x")),
    )
    .header(HEADER_UPLOAD_OFFSET, 0)
    .header(HEADER_UPLOAD_LENGTH, 1)
    .body(b"x".to_vec())
    .send()
    .await
    .unwrap();
    expect_error(patch, StatusCode::FORBIDDEN, ErrorKind::Forbidden).await;
    let logout = with_key(reqwest::Method::POST, path::LOGOUT)
        .send()
        .await
        .unwrap();
    expect_error(logout, StatusCode::FORBIDDEN, ErrorKind::Forbidden).await;

    // Revoked, it is refused at once.
    assert!(server.store().revoke_api_key(acme, key_id).await.unwrap());
    expect_error(
        get(path::CHECKSUM).await.unwrap(),
        StatusCode::UNAUTHORIZED,
        ErrorKind::Unauthorized,
    )
    .await;
}

#[tokio::test]
async fn wrong_passwords_are_rate_limited() {
    let (_dir, server, _) = two_workspaces().await;
    for _ in 0..kith_server::ratelimit::MAX_FAILURES {
        let res = login_raw(
            &server.url,
            "owner@acme.test",
            "wrong password",
            NodeId::random(),
        )
        .await;
        assert_eq!(error_of(res).await.1.kind, ErrorKind::Unauthorized);
    }
    let (status, body) =
        error_of(login_raw(&server.url, "owner@acme.test", PASSWORD, NodeId::random()).await).await;
    assert_eq!(
        (status, body.kind),
        (StatusCode::TOO_MANY_REQUESTS, ErrorKind::RateLimited)
    );
    assert!(body.retry_after.is_some_and(|s| (1..=60).contains(&s)));
    // Another account from the same address still signs in.
    assert_eq!(
        login_raw(&server.url, "ann@acme.test", PASSWORD, NodeId::random())
            .await
            .status(),
        StatusCode::OK
    );
    // An unknown email is just wrong.
    let res = login_raw(&server.url, "nobody@acme.test", PASSWORD, NodeId::random()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invalid_changes_are_refused_whole() {
    let (_dir, server, acme) = two_workspaces().await;
    let a = sign_in(&server, "owner@acme.test").await;
    let head = server.store().head(acme).await.unwrap();
    let good = a.user(Uuid::new_v4(), &[("first_name", "Fine".into())]);
    let unknown_table = Change {
        table: "passwords".into(),
        ..good.clone()
    };
    let unknown_column = a.user(Uuid::new_v4(), &[("is_admin", Value::Bool(true))]);
    let bad_value = a.user(Uuid::new_v4(), &[("email", "not an email".into())]);
    let card = a.user(
        Uuid::new_v4(),
        &[("first_name", "4111 1111 1111 1111".into())],
    );
    let wrong_type = a.user(Uuid::new_v4(), &[("created_at", "yesterday".into())]);
    // Both pass a column-by-column check, but every desktop's merge refuses them:
    // accepted, they would stop every other device's pull.
    let no_clock = Change {
        hlc: Hlc::new(0, 3),
        ..good.clone()
    };
    let null_tombstone = a.user(Uuid::new_v4(), &[("_deleted", Value::Null)]);
    let empty = a.user(Uuid::new_v4(), &[]);
    for bad in [
        unknown_table,
        unknown_column,
        bad_value,
        card,
        wrong_type,
        no_clock,
        null_tombstone,
        empty,
    ] {
        let body = expect_error(
            a.push(1, vec![good.clone(), bad]).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::InvalidChange,
        )
        .await;
        assert!(body.message.starts_with("change 1:"), "{}", body.message);
    }
    assert_eq!(
        server.store().head(acme).await.unwrap(),
        head,
        "nothing written"
    );

    // A change stamped far ahead: refused with the server's clock.
    let ahead = Change {
        hlc: Hlc::new(now_ms() + 3_600_000, 0),
        ..good.clone()
    };
    let body = expect_error(
        a.push(1, vec![ahead]).await,
        StatusCode::CONFLICT,
        ErrorKind::ClockSkew,
    )
    .await;
    let server_time = body.server_time.unwrap();
    assert!(server_time.abs_diff(now_ms()) < 60_000);

    // A change of another node.
    let foreign = Change {
        node: NodeId::random(),
        ..good.clone()
    };
    assert_eq!(
        error_of(a.push(1, vec![foreign]).await).await.1.kind,
        ErrorKind::Forbidden
    );

    // A gap in the counters.
    let (status, body) = error_of(a.push(7, vec![good.clone()]).await).await;
    assert_eq!(
        (status, body.kind, body.expected_counter),
        (StatusCode::CONFLICT, ErrorKind::CounterGap, Some(1))
    );
    assert_eq!(
        server.store().head(acme).await.unwrap(),
        head,
        "still nothing written"
    );
    assert_eq!(a.push(1, vec![good]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let (_dir, server, _) = two_workspaces().await;
    let a = sign_in(&server, "owner@acme.test").await;
    let body = format!(
        "{{\"first_counter\":1,\"changes\":[],\"pad\":\"{}\"}}",
        "x".repeat(MAX_BODY_BYTES)
    );
    let res = a
        .req(reqwest::Method::POST, path::PUSH)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::PAYLOAD_TOO_LARGE, ErrorKind::TooLarge).await;
}

fn hex_sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// PATCHes `chunk` at `offset` as the end of its blob.
async fn upload(d: &Device, sha: &str, chunk: &[u8], offset: u64) -> reqwest::Response {
    upload_part(d, sha, chunk, offset, offset + chunk.len() as u64).await
}

async fn upload_part(
    d: &Device,
    sha: &str,
    chunk: &[u8],
    offset: u64,
    length: u64,
) -> reqwest::Response {
    d.req(reqwest::Method::PATCH, &format!("{}/{sha}", path::BLOBS))
        .header(HEADER_UPLOAD_OFFSET, offset)
        .header(HEADER_UPLOAD_LENGTH, length)
        .body(chunk.to_vec())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn blobs_resume_verify_and_serve_ranges() {
    let (_dir, server, _) = two_workspaces().await;
    blob_round_trip(&server).await;
}

/// The same on an S3 bucket (`--blobs s3://BUCKET`): moto's S3 emulator, started
/// by scripts/s3.sh (`KITH_TEST_S3_ENDPOINT`); skipped without it, except on CI.
#[cfg(feature = "aws")]
#[tokio::test]
async fn blobs_on_s3_resume_verify_serve_ranges_and_stay_in_their_workspace() {
    use object_store::ObjectStore;

    let Ok(endpoint) = std::env::var("KITH_TEST_S3_ENDPOINT") else {
        assert!(
            !services_required(),
            "KITH_TEST_S3_ENDPOINT is not set: scripts/test.sh starts an S3 emulator"
        );
        eprintln!("KITH_TEST_S3_ENDPOINT not set: S3 case skipped");
        return;
    };
    let bucket = format!("kith-test-{}", Uuid::new_v4().simple());
    // The emulator makes a bucket on a plain PUT; a real deployment's exists already.
    let made = http()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success(), "{}", made.status());
    let s3 = || {
        object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&endpoint)
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
    };
    let dir = tempfile::tempdir().unwrap();
    let blobs = kith_server::blobs::Blobs::s3(s3(), &bucket, dir.path().join("staging")).unwrap();
    let url = format!("sqlite://{}", dir.path().join("kith-server.db").display());
    let server = TestServer::with_blobs(&url, blobs).await.unwrap();
    let acme = add_workspaces(&server).await;
    let sha = blob_round_trip(&server).await;

    // The verified blob is an object of the bucket, under its workspace's prefix,
    // and nothing else is (no partial upload, nothing that failed its hash).
    let store = s3().with_bucket_name(&bucket).build().unwrap();
    let keys: Vec<String> = futures_util::TryStreamExt::try_collect::<Vec<_>>(store.list(None))
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.location.to_string())
        .collect();
    assert_eq!(keys, vec![format!("ws/{acme}/{sha}")]);
    // Another workspace cannot read it, though the bucket is shared.
    let bob = sign_in(&server, "bob@other.test").await;
    let res = bob.get(&format!("{}/{sha}", path::BLOBS)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// A blob uploaded in two parts after a dropped connection, verified, served
/// whole and in ranges; a blob that does not hash to its name is refused.
/// Returns the stored blob's name.
async fn blob_round_trip(server: &TestServer) -> String {
    let a = sign_in(server, "owner@acme.test").await;
    let blob: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let sha = hex_sha(&blob);
    let len = blob.len() as u64;
    let blob_path = format!("{}/{sha}", path::BLOBS);

    // The first 40 000 bytes arrive, then the connection drops.
    let res = upload_part(&a, &sha, &blob[..40_000], 0, len).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let head = a
        .req(reqwest::Method::HEAD, &blob_path)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::NOT_FOUND);
    assert_eq!(head.headers()[HEADER_UPLOAD_OFFSET], "40000");
    // A chunk at the wrong offset is refused with where the upload stands.
    let (status, body) = error_of(upload_part(&a, &sha, &blob[50_000..], 50_000, len).await).await;
    assert_eq!(
        (status, body.kind, body.offset),
        (
            StatusCode::CONFLICT,
            ErrorKind::OffsetMismatch,
            Some(40_000)
        )
    );
    // Resumed from the offset, it completes and is stored.
    let res = upload_part(&a, &sha, &blob[40_000..], 40_000, len).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let head = a
        .req(reqwest::Method::HEAD, &blob_path)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        a.get(&blob_path).await.bytes().await.unwrap().as_ref(),
        blob.as_slice()
    );

    let res = a
        .req(reqwest::Method::GET, &blob_path)
        .header("range", "bytes=1000-1999")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes 1000-1999/{len}").as_str()
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), &blob[1000..2000]);
    let res = a
        .req(reqwest::Method::GET, &blob_path)
        .header("range", "bytes=-10")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.bytes().await.unwrap().as_ref(),
        &blob[blob.len() - 10..]
    );
    let res = a
        .req(reqwest::Method::GET, &blob_path)
        .header("range", "bytes=200000-")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    // Bytes that do not hash to the name: refused, and nothing kept.
    let liar = hex_sha(b"something else");
    expect_error(
        upload(&a, &liar, b"not that", 0).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::HashMismatch,
    )
    .await;
    let head = a
        .req(reqwest::Method::HEAD, &format!("{}/{liar}", path::BLOBS))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::NOT_FOUND);
    assert_eq!(head.headers()[HEADER_UPLOAD_OFFSET], "0");
    // A name that is not a SHA-256 is refused before any storage is touched.
    assert_eq!(
        a.get(&format!("{}/..%2F..%2Fetc", path::BLOBS))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    sha
}

/// Reads an SSE response until a `changes` event arrives; returns what was read.
async fn read_event(res: &mut reqwest::Response) -> String {
    let mut text = String::new();
    let read = async {
        while let Some(chunk) = res.chunk().await.unwrap() {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.contains("event: changes") && text.contains("\n\n") && text.contains("data:") {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("a poke within 10 s");
    text
}

#[tokio::test]
async fn events_poke_other_devices() {
    let (_dir, server, _) = two_workspaces().await;
    let a = sign_in(&server, "owner@acme.test").await;
    let b = sign_in(&server, "ann@acme.test").await;
    let mut events = a.get(path::EVENTS).await;
    assert_eq!(events.status(), StatusCode::OK);
    let pushed: PushResponse = b
        .push(
            1,
            vec![b.user(Uuid::new_v4(), &[("first_name", "New".into())])],
        )
        .await
        .json()
        .await
        .unwrap();
    let text = read_event(&mut events).await;
    assert!(
        text.contains(&format!("data: {{\"head\":{}}}", pushed.head)),
        "{text}"
    );
}

/// Two server instances on one new PostgreSQL database (its blobs in a shared
/// directory); `None` where PostgreSQL is not run (see `PgDb`).
async fn two_instances() -> Option<(PgDb, tempfile::TempDir, TestServer, TestServer)> {
    let db = PgDb::create().await?;
    let dir = tempfile::tempdir().unwrap();
    let one = TestServer::start(&db.url, &dir.path().join("blobs"))
        .await
        .unwrap();
    let two = TestServer::start(&db.url, &dir.path().join("blobs"))
        .await
        .unwrap();
    Some((db, dir, one, two))
}

/// Two server instances share one PostgreSQL database: a push through one pokes
/// a device listening on the other.
#[tokio::test]
async fn postgres_instances_share_pushes_and_pokes() {
    let Some((db, _dir, one, two)) = two_instances().await else {
        return;
    };
    let (ws, _) = one
        .init_workspace("Acme", "owner@acme.test", PASSWORD)
        .await
        .unwrap();
    two.add_staff(ws.id, "ann@acme.test", "Ann", PASSWORD)
        .await
        .unwrap();
    let a = sign_in_at(&one.url, "owner@acme.test", NodeId::random()).await;
    let b = sign_in_at(&two.url, "ann@acme.test", NodeId::random()).await;
    let mut events = a.get(path::EVENTS).await;
    assert_eq!(events.status(), StatusCode::OK);
    let row = Uuid::new_v4();
    let pushed: PushResponse = b
        .push(1, vec![b.user(row, &[("first_name", "Across".into())])])
        .await
        .json()
        .await
        .unwrap();
    let text = read_event(&mut events).await;
    assert!(
        text.contains(&format!("{{\"head\":{}}}", pushed.head)),
        "{text}"
    );
    let pulled: PullResponse = a.pull(0).await.json().await.unwrap();
    assert!(pulled.changes.iter().any(|c| c.row == row));
    drop((one, two));
    drop(db);
}

/// Failed sign-ins are counted in the database: guesses spread over two
/// instances behind a load balancer are limited as if they hit one.
#[tokio::test]
async fn postgres_instances_share_the_login_limit() {
    let Some((db, _dir, one, two)) = two_instances().await else {
        return;
    };
    one.init_workspace("Acme", "owner@acme.test", PASSWORD)
        .await
        .unwrap();
    for i in 0..kith_server::ratelimit::MAX_FAILURES {
        let url = if i % 2 == 0 { &one.url } else { &two.url };
        let res = login_raw(url, "owner@acme.test", "wrong password", NodeId::random()).await;
        assert_eq!(error_of(res).await.1.kind, ErrorKind::Unauthorized);
    }
    for url in [&one.url, &two.url] {
        let (status, body) =
            error_of(login_raw(url, "owner@acme.test", PASSWORD, NodeId::random()).await).await;
        assert_eq!(
            (status, body.kind),
            (StatusCode::TOO_MANY_REQUESTS, ErrorKind::RateLimited)
        );
    }
    drop((one, two));
    drop(db);
}

/// A signed-in device's node cannot be taken by another staff member (they would
/// get its counters, and the real device's edits would be skipped as held); the
/// same account signs in again with a new token and its counters; once the device
/// is revoked, another account may take the node.
#[tokio::test]
async fn a_node_of_another_account_is_not_taken_over() {
    let (_dir, server, acme) = two_workspaces().await;
    let a = sign_in(&server, "owner@acme.test").await;
    let row = Uuid::new_v4();
    let pushed = a
        .push(1, vec![a.user(row, &[("first_name", "Mine".into())])])
        .await;
    assert_eq!(pushed.status(), StatusCode::OK);

    let (status, body) =
        error_of(login_raw(&server.url, "ann@acme.test", PASSWORD, a.node).await).await;
    assert_eq!(
        (status, body.kind),
        (StatusCode::CONFLICT, ErrorKind::Forbidden)
    );
    assert!(body.message.contains("revoke"), "{}", body.message);
    // The owner's device still works, and still is the owner's.
    assert_eq!(a.pull(0).await.status(), StatusCode::OK);

    // The same account again: a new token, the same device, its counters kept.
    let again = sign_in_at(&server.url, "owner@acme.test", a.node).await;
    assert_eq!(again.login.device_id, a.login.device_id);
    assert_eq!(
        a.pull(0).await.status(),
        StatusCode::UNAUTHORIZED,
        "old token"
    );
    let (status, body) = error_of(
        again
            .push(3, vec![again.user(row, &[("last_name", "X".into())])])
            .await,
    )
    .await;
    assert_eq!(
        (status, body.expected_counter),
        (StatusCode::CONFLICT, Some(2))
    );

    // Revoked, the node may go to someone else (a computer handed on).
    assert!(server
        .store()
        .revoke_device(acme, a.login.device_id)
        .await
        .unwrap());
    let ann = sign_in_at(&server.url, "ann@acme.test", a.node).await;
    assert_eq!(ann.login.device_id, a.login.device_id);
    assert_eq!(ann.login.staff.email, "ann@acme.test");
}

/// The limit counts an attempt before its password is checked, so a burst of
/// parallel guesses gets no more than the limit through.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_are_rate_limited() {
    let (_dir, server, _) = two_workspaces().await;
    let guesses = (0..30).map(|i| {
        let url = server.url.clone();
        tokio::spawn(async move {
            login_raw(
                &url,
                "owner@acme.test",
                &format!("guess {i}"),
                NodeId::random(),
            )
            .await
            .status()
        })
    });
    let mut unauthorized = 0;
    for g in guesses.collect::<Vec<_>>() {
        match g.await.unwrap() {
            StatusCode::UNAUTHORIZED => unauthorized += 1,
            s => assert_eq!(s, StatusCode::TOO_MANY_REQUESTS),
        }
    }
    assert_eq!(unauthorized, kith_server::ratelimit::MAX_FAILURES);
    let res = login_raw(&server.url, "owner@acme.test", PASSWORD, NodeId::random()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Password checks wait for a free slot only briefly; a sign-in body is small.
#[tokio::test]
async fn sign_ins_are_bounded() {
    let (_dir, server, _) = two_workspaces().await;
    let mut state = server.state.clone();
    state.password_checks = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
    let busy = TestServer::with_state(state).await.unwrap();
    let (status, body) =
        error_of(login_raw(&busy.url, "owner@acme.test", PASSWORD, NodeId::random()).await).await;
    assert_eq!(
        (status, body.kind),
        (StatusCode::SERVICE_UNAVAILABLE, ErrorKind::RateLimited)
    );
    assert_eq!(body.retry_after, Some(1));
    // Not counted as a failed attempt: the password was never checked.
    for _ in 0..kith_server::ratelimit::MAX_FAILURES {
        let res = login_raw(&busy.url, "owner@acme.test", PASSWORD, NodeId::random()).await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    sign_in(&server, "owner@acme.test").await;

    let res = login_raw(
        &server.url,
        "owner@acme.test",
        &"x".repeat(10_000),
        NodeId::random(),
    )
    .await;
    expect_error(res, StatusCode::PAYLOAD_TOO_LARGE, ErrorKind::TooLarge).await;
}

/// A retried push is compared with what the server holds under those counters:
/// other changes mean two stores write as one node (a restored backup, a cloned
/// disk), and are refused rather than silently dropped.
#[tokio::test]
async fn other_changes_under_held_counters_are_refused() {
    let (_dir, server, acme) = two_workspaces().await;
    let a = sign_in(&server, "owner@acme.test").await;
    let first = vec![
        a.user(Uuid::new_v4(), &[("first_name", "One".into())]),
        a.user(Uuid::new_v4(), &[("first_name", "Two".into())]),
    ];
    assert_eq!(a.push(1, first.clone()).await.status(), StatusCode::OK);
    let head = server.store().head(acme).await.unwrap();
    // The same push again (a lost answer), and one overlapping it: fine.
    assert_eq!(a.push(1, first.clone()).await.status(), StatusCode::OK);
    let third = a.user(Uuid::new_v4(), &[("first_name", "Three".into())]);
    let res: PushResponse = a
        .push(2, vec![first[1].clone(), third])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(res.acked, 3);
    // A clone of the store wrote its own change 2.
    let clone = a.user(Uuid::new_v4(), &[("first_name", "Clone".into())]);
    let body = expect_error(
        a.push(2, vec![clone]).await,
        StatusCode::CONFLICT,
        ErrorKind::NodeConflict,
    )
    .await;
    assert!(body.message.contains("two stores"), "{}", body.message);
    assert_eq!(server.store().head(acme).await.unwrap(), head + 1);
}

#[tokio::test]
async fn pull_and_snapshot_refuse_positions_the_server_does_not_hold() {
    let (_dir, server, acme) = two_workspaces().await;
    let a = sign_in(&server, "owner@acme.test").await;
    let b = sign_in(&server, "ann@acme.test").await;
    let first = a.user(Uuid::new_v4(), &[("first_name", "Zoë".into())]);
    a.push(1, vec![first.clone()]).await;
    let head = server.store().head(acme).await.unwrap();

    // A pull names the change its `through` stands on.
    let pulled: PullResponse = b.pull(0).await.json().await.unwrap();
    assert_eq!(pulled.through, head);
    let mark = pulled.through_mark.expect("a mark for a position past 0");
    assert_eq!(
        mark,
        SeqMark {
            hlc: first.hlc,
            node: a.node
        }
    );
    let from = |since: u64, m: SeqMark| {
        format!(
            "{}?since={since}&since_hlc={}&since_node={}",
            path::PULL,
            m.hlc.0,
            m.node
        )
    };
    assert_eq!(b.get(&from(head, mark)).await.status(), StatusCode::OK);
    // Another change under that number (the server restored from a backup, then
    // written to again): what the device pulled there is lost.
    let other = SeqMark {
        hlc: Hlc(mark.hlc.0 + 1),
        ..mark
    };
    expect_error(
        b.get(&from(head, other)).await,
        StatusCode::CONFLICT,
        ErrorKind::ServerBehind,
    )
    .await;
    // Past the head: the server holds fewer changes than the device pulled.
    expect_error(
        a.pull(head + 1).await,
        StatusCode::CONFLICT,
        ErrorKind::ServerBehind,
    )
    .await;
    let cursor = kith_server::store::SnapshotCursor {
        as_of: head + 5,
        table: String::new(),
        row: String::new(),
    };
    expect_error(
        a.get(&format!("{}?cursor={}", path::SNAPSHOT, cursor.encode()))
            .await,
        StatusCode::CONFLICT,
        ErrorKind::ServerBehind,
    )
    .await;
}

#[tokio::test]
async fn blobs_past_the_cap_are_refused() {
    let (_dir, server, _) = two_workspaces().await;
    let a = sign_in(&server, "owner@acme.test").await;
    let sha = hex_sha(b"x");
    let res = upload_part(&a, &sha, b"x", 0, kith_protocol::sync::MAX_BLOB_BYTES + 1).await;
    expect_error(res, StatusCode::PAYLOAD_TOO_LARGE, ErrorKind::TooLarge).await;
}

/// A complete upload the object store could not take is kept, and stored by the
/// next HEAD once the store is back: the client never re-sends it, and never sees
/// a whole blob reported as a partial one.
#[tokio::test]
async fn a_complete_upload_survives_a_storage_failure() {
    let (dir, server, _) = two_workspaces().await;
    let a = sign_in(&server, "owner@acme.test").await;
    let blob = b"kept across a storage failure".to_vec();
    let sha = hex_sha(&blob);
    // A directory where the object goes: the store says "not there", but cannot
    // write it.
    let object = dir
        .path()
        .join("blobs/objects/ws")
        .join(a.login.workspace.id.to_string())
        .join(&sha);
    std::fs::create_dir_all(object.join("in the way")).unwrap();
    let res = upload_part(&a, &sha, &blob, 0, blob.len() as u64).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let res = a
        .req(reqwest::Method::HEAD, &format!("{}/{sha}", path::BLOBS))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "still failing"
    );
    std::fs::remove_dir_all(&object).unwrap();

    let blob_path = format!("{}/{sha}", path::BLOBS);
    let res = a
        .req(reqwest::Method::HEAD, &blob_path)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[HEADER_UPLOAD_OFFSET].to_str().unwrap(),
        blob.len().to_string()
    );
    assert_eq!(
        a.get(&blob_path).await.bytes().await.unwrap().as_ref(),
        blob.as_slice()
    );
}

/// A graceful shutdown ends open event streams instead of waiting for clients to
/// hang up.
#[tokio::test]
async fn shutdown_ends_event_streams() {
    let dir = tempfile::tempdir().unwrap();
    let probe = TestServer::sqlite(dir.path()).await.unwrap();
    probe
        .init_workspace("Acme", "owner@acme.test", PASSWORD)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(kith_server::http::serve_with_shutdown(
        listener,
        probe.state.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    let a = sign_in_at(&base, "owner@acme.test", NodeId::random()).await;
    let mut events = a.get(path::EVENTS).await;
    assert_eq!(events.status(), StatusCode::OK);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("the server stops with a stream open")
        .unwrap()
        .unwrap();
    // The stream ended rather than hanging.
    let rest = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = events.chunk().await {}
    })
    .await;
    assert!(rest.is_ok());
}
