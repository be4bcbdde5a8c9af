//! The sync API between a desktop and a Kith server: paths, headers, request and
//! response bodies (JSON), and the state checksum both sides compute alike.
//!
//! Every request but [`path::LOGIN`] carries `Authorization: Bearer <device token>`.
//! Every response carries [`HEADER_SERVER_TIME`], so a client whose clock is behind
//! advances its HLC from it, and one whose clock is ahead learns by how much.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Change, Hlc, NodeId, Value};

/// Endpoint paths, all under `/v1/`.
pub mod path {
    /// POST [`super::LoginRequest`] → [`super::LoginResponse`].
    pub const LOGIN: &str = "/v1/auth/login";
    /// POST, no body: revokes the caller's own device token (sign out).
    pub const LOGOUT: &str = "/v1/auth/logout";
    /// POST [`super::PushRequest`] → [`super::PushResponse`].
    pub const PUSH: &str = "/v1/push";
    /// GET `?since=SEQ&since_hlc=H&since_node=N&limit=N` → [`super::PullResponse`]
    /// (`since_hlc`/`since_node`: the [`super::SeqMark`] of `since`, when known).
    pub const PULL: &str = "/v1/pull";
    /// GET `?cursor=C&limit=N` → [`super::SnapshotResponse`].
    pub const SNAPSHOT: &str = "/v1/snapshot";
    /// GET → [`super::ChecksumResponse`].
    pub const CHECKSUM: &str = "/v1/checksum";
    /// GET → `text/event-stream` of [`super::EVENT_CHANGES`] events.
    pub const EVENTS: &str = "/v1/events";
    /// `/v1/blobs/{sha256}`: HEAD (stored? or bytes received so far), PATCH (append
    /// at [`super::HEADER_UPLOAD_OFFSET`]), GET (with `Range`).
    pub const BLOBS: &str = "/v1/blobs";
}

/// Response header on every response: the server's wall clock, Unix milliseconds.
pub const HEADER_SERVER_TIME: &str = "kith-server-time";
/// Blob upload: where this chunk starts (request) / bytes held so far (response).
pub const HEADER_UPLOAD_OFFSET: &str = "upload-offset";
/// Blob upload: the blob's whole length, sent with every chunk.
pub const HEADER_UPLOAD_LENGTH: &str = "upload-length";

/// Server-sent event name: others pushed; data is [`ChangesEvent`].
pub const EVENT_CHANGES: &str = "changes";

/// A change stamped further than this ahead of the server's clock is refused with
/// [`ErrorKind::ClockSkew`]: the client corrects its clock and stamps it again.
pub const MAX_FUTURE_SKEW_MS: u64 = 5 * 60 * 1000;
/// Most changes one push may carry.
pub const MAX_PUSH_CHANGES: usize = 5_000;
/// Most changes a pull or snapshot page returns, whatever `limit` asks for.
pub const MAX_PAGE: u32 = 5_000;
/// About how many bytes of field JSON a pull or snapshot page carries at most: a
/// page is cut there too (always after at least one change, or one whole row).
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;
/// Largest blob the server accepts (`upload-length`); larger is refused with
/// [`ErrorKind::TooLarge`].
pub const MAX_BLOB_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Largest JSON request body the server reads (a full push of long notes fits).
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Largest blob chunk one PATCH may carry.
pub const MAX_BLOB_CHUNK_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages staff and devices of the workspace.
    Owner,
    Staff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The workspace's name, needed only when the email has accounts in several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    /// The computer's name as the device list shows it.
    pub device_name: String,
    /// The desktop store's node id. A device may push only changes of its own node.
    pub node: NodeId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: Uuid,
    pub name: String,
}

/// The signed-in staff member. `id` is also the row id of their `staff` record,
/// which the server writes into the workspace's changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccount {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// The device token: shown once, kept by the server only as a hash.
    pub token: String,
    pub device_id: Uuid,
    pub workspace: Workspace,
    pub staff: StaffAccount,
    /// The highest counter of this computer's node the server holds, kept from an
    /// earlier sign-in (0 for a new one): the device numbers its next change
    /// `counter + 1`. Absent from servers before it, hence the default.
    #[serde(default)]
    pub counter: u64,
}

/// Local changes of one device, in its outbox order. Change `i` has device counter
/// `first_counter + i`; counters are contiguous from 1, so the server keeps what it
/// has not seen and skips what it has (a retried push after a lost response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub first_counter: u64,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The highest counter of this device the server holds: the client may drop
    /// its outbox up to here.
    pub acked: u64,
    /// The workspace's newest sequence number after this push.
    pub head: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Changes with sequence numbers after `since`, in sequence order, without the
    /// calling device's own.
    pub changes: Vec<Change>,
    /// Pass as `since` next time.
    pub through: u64,
    /// More changes wait after `through`.
    pub more: bool,
    /// The change `through` names; `None` when `through` is 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through_mark: Option<SeqMark>,
}

/// Which change a sequence number names on a server: its stamp. A device keeps
/// the mark of its pull cursor and sends it back with its next pull. A server
/// restored from a backup has lost the changes pushed after it, and its sequence
/// numbers come to name other changes: a mark that no longer matches tells the
/// device so (error kind `ServerBehind`), even once the server's head has passed
/// the device's cursor again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeqMark {
    pub hlc: Hlc,
    pub node: NodeId,
}

/// One page of the workspace's current state, for a new device: each row as
/// changes grouped by the stamp each field carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotResponse {
    pub changes: Vec<Change>,
    /// The sequence the first page was taken at: pull from here once the last page
    /// is in (changes after it may also appear in later pages; merging is idempotent).
    pub as_of: u64,
    /// Opaque cursor of the next page; `None` on the last.
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecksumResponse {
    /// The sequence the checksum was taken at.
    pub through: u64,
    /// [`Checksum::to_hex`] of the workspace's state.
    pub checksum: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesEvent {
    pub head: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    BadRequest,
    /// Missing, unknown or revoked token; wrong email or password.
    Unauthorized,
    /// Signed in, but not allowed (a staff member managing devices, a change of
    /// another node).
    Forbidden,
    NotFound,
    /// A change naming an unknown table or column, or carrying a bad value.
    InvalidChange,
    /// A change stamped too far in the future: see [`ErrorBody::server_time`].
    ClockSkew,
    /// A push whose first counter leaves a gap: see [`ErrorBody::expected_counter`].
    CounterGap,
    /// A blob chunk not at the offset the server holds: see [`ErrorBody::offset`].
    OffsetMismatch,
    /// Uploaded bytes whose SHA-256 is not the name they were sent under.
    HashMismatch,
    TooLarge,
    /// A push whose changes differ from what the server holds under the same
    /// device counters: two stores write as one node (a restored backup, a cloned
    /// disk). The store needs a new node id; retrying cannot help.
    NodeConflict,
    /// A pull or snapshot from a position the server no longer holds — past the
    /// workspace's newest change, or one whose [`SeqMark`] names another change:
    /// the server has lost changes this device already pulled (it was restored
    /// from a backup). The device loads the snapshot again and sends its own
    /// changes again.
    ServerBehind,
    RateLimited,
    Internal,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_counter: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Seconds to wait before trying again (rate limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ErrorBody {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ErrorBody {
            kind,
            message: message.into(),
            server_time: None,
            expected_counter: None,
            offset: None,
            retry_after: None,
        }
    }
}

/// A digest of a replica's synced state that does not depend on the order rows are
/// visited in: the XOR of a SHA-256 per non-null field `(table, row, column, value)`.
/// A field that is null counts as absent, so a row created with explicit nulls and
/// one that only ever received some fields agree. Both sides compute it from values
/// alone, not clocks: two replicas with the same data have the same checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checksum([u8; 32]);

impl Checksum {
    pub fn add(&mut self, table: &str, row: Uuid, column: &str, value: &Value) {
        if value.is_null() {
            return;
        }
        let mut h = Sha256::new();
        h.update(table.as_bytes());
        h.update([0]);
        h.update(row.as_bytes());
        h.update(column.as_bytes());
        h.update([0]);
        // Typed, so Int(1), Bool(true) and Text("1") differ.
        match value {
            Value::Null => {}
            Value::Bool(b) => h.update([1, u8::from(*b)]),
            Value::Int(i) => {
                h.update([2]);
                h.update(i.to_le_bytes());
            }
            Value::Text(s) => {
                h.update([3]);
                h.update(s.as_bytes());
            }
        }
        for (acc, b) in self.0.iter_mut().zip(h.finalize()) {
            *acc ^= b;
        }
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// How a certificate is shown to people: the SHA-256 of its DER bytes in upper-case
/// hex pairs joined by colons, as `openssl x509 -fingerprint -sha256` and the
/// operating systems' certificate viewers print it. `kith-server tls-cert` prints
/// it and a desktop shows it before trusting a server's own certificate, so the
/// two can be compared by eye.
pub fn certificate_fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Whether two fingerprints are the same, however they were typed or pasted:
/// case, colons and spaces do not matter, nor a label before them such as
/// "SHA256:" or openssl's "sha256 Fingerprint=".
pub fn same_fingerprint(a: &str, b: &str) -> bool {
    fn bare(s: &str) -> String {
        let s = s.rsplit('=').next().unwrap_or(s).trim();
        let s = match s.get(..7) {
            Some(label) if label.eq_ignore_ascii_case("sha256:") => &s[7..],
            _ => s,
        };
        s.chars()
            .filter(char::is_ascii_hexdigit)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    }
    let (a, b) = (bare(a), bare(b));
    a.len() == 64 && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_print_like_openssl_and_compare_however_typed() {
        let fp = certificate_fingerprint(b"abc");
        assert_eq!(
            fp,
            "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
        assert!(same_fingerprint(&fp, &fp.to_lowercase().replace(':', " ")));
        assert!(same_fingerprint(
            &format!("SHA256:{}", fp.replace(':', "")),
            &fp
        ));
        assert!(!same_fingerprint(&fp, &certificate_fingerprint(b"abd")));
        // A prefix is not the fingerprint.
        assert!(!same_fingerprint("BA:78:16", "ba7816"));
    }

    #[test]
    fn checksum_ignores_order_and_nulls() {
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let mut x = Checksum::default();
        x.add("users", a, "first_name", &Value::from("Ann"));
        x.add("users", b, "first_name", &Value::from("Bo"));
        x.add("users", b, "email", &Value::Null);
        let mut y = Checksum::default();
        y.add("users", b, "first_name", &Value::from("Bo"));
        y.add("users", a, "first_name", &Value::from("Ann"));
        assert_eq!(x, y);
        y.add("users", a, "pinned", &Value::Bool(true));
        assert_ne!(x, y);
        assert_eq!(x.to_hex().len(), 64);
    }

    #[test]
    fn checksum_tells_types_apart() {
        let r = Uuid::new_v4();
        let mut x = Checksum::default();
        x.add("t", r, "c", &Value::Int(1));
        let mut y = Checksum::default();
        y.add("t", r, "c", &Value::Text("1".into()));
        assert_ne!(x, y);
    }

    #[test]
    fn error_body_omits_empty_details() {
        let json = serde_json::to_string(&ErrorBody::new(ErrorKind::Unauthorized, "no")).unwrap();
        assert_eq!(json, r#"{"kind":"unauthorized","message":"no"}"#);
    }
}
