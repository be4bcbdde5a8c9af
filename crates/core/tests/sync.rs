//! Desktops syncing through a real kith-server on loopback.

mod sync_support;

use std::time::Duration;

use kith_core::schema::USERS;
use kith_core::store::Edit;
use kith_core::sync::{SyncState, Worker};
use kith_core::users::UserField;
use sync_support::{Desktop, Faults, Hub};
use uuid::Uuid;

async fn field(d: &Desktop, id: Uuid, column: &str) -> Option<String> {
    // Column names come from this file's literals only.
    let sql = format!("SELECT {column} FROM users WHERE id = ?");
    sqlx::query_scalar(&sql)
        .bind(id.to_string())
        .fetch_optional(d.kith.store().pool())
        .await
        .unwrap()
        .flatten()
}

async fn deleted(d: &Desktop, id: Uuid) -> Option<bool> {
    sqlx::query_scalar("SELECT _deleted FROM users WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(d.kith.store().pool())
        .await
        .unwrap()
}

async fn user(d: &Desktop, first: &str) -> Uuid {
    d.kith
        .users()
        .create(&kith_core::users::NewUser {
            first_name: first.into(),
            last_name: "Sync".into(),
            email: None,
            mobile_phone: None,
            home_phone: None,
            custom_values: Vec::new(),
        })
        .await
        .unwrap()
        .id
}

async fn set(d: &Desktop, id: Uuid, f: UserField, v: &str) {
    d.kith.users().set_field(id, f, Some(v)).await.unwrap();
}

#[tokio::test]
async fn sync_an_edit_on_one_desktop_reaches_the_other_and_checksums_agree() {
    let hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    let b = Desktop::new(&hub, "b", 0).await;
    let status = a.kith.sync().status().await.unwrap();
    assert_eq!(status.workspace.as_deref(), Some("Acme"));
    assert_eq!(status.staff_email.as_deref(), Some("a@acme.test"));
    assert!(a.kith.settings().current_staff_id.is_some());

    let id = user(&a, "Ann").await;
    assert_eq!(
        a.kith.sync().status().await.unwrap().state,
        SyncState::Pending
    );
    let report = a.kith.sync().sync_now().await.unwrap();
    assert!(report.pushed >= 1);
    assert_eq!(report.checksum_matched, Some(true));
    let report = b.kith.sync().sync_now().await.unwrap();
    assert!(report.bootstrapped);
    assert_eq!(report.checksum_matched, Some(true));
    assert_eq!(field(&b, id, "first_name").await.as_deref(), Some("Ann"));
    let status = b.kith.sync().status().await.unwrap();
    assert_eq!(status.state, SyncState::Synced);
    assert_eq!(status.pending, 0);
    assert!(status.last_sync_at.is_some());
    a.kith.sync().sync_now().await.unwrap();
    assert_eq!(a.checksum().await, hub.checksum().await);
    assert_eq!(b.checksum().await, hub.checksum().await);
    // The server wrote each signed-in staff member into the workspace.
    let staff: i64 = sqlx::query_scalar("SELECT count(*) FROM staff WHERE email = 'a@acme.test'")
        .fetch_one(b.kith.store().pool())
        .await
        .unwrap();
    assert_eq!(staff, 1);
}

#[tokio::test]
async fn sync_concurrent_edits_merge_per_field_and_latest_wins_on_one_field() {
    let hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    let b = Desktop::new(&hub, "b", 0).await;
    let id = user(&a, "Ann").await;
    a.kith.sync().sync_now().await.unwrap();
    b.kith.sync().sync_now().await.unwrap();

    // Different fields, offline on both sides: both survive.
    set(&a, id, UserField::Email, "ann@example.com").await;
    set(&b, id, UserField::LastName, "Lee").await;
    // Same field: B writes last, B wins everywhere.
    set(&a, id, UserField::FirstName, "Annie").await;
    tokio::time::sleep(Duration::from_millis(3)).await;
    set(&b, id, UserField::FirstName, "Anna").await;
    for d in [&b, &a, &b] {
        d.kith.sync().sync_now().await.unwrap();
    }
    for d in [&a, &b] {
        assert_eq!(
            field(d, id, "email").await.as_deref(),
            Some("ann@example.com")
        );
        assert_eq!(field(d, id, "last_name").await.as_deref(), Some("Lee"));
        assert_eq!(field(d, id, "first_name").await.as_deref(), Some("Anna"));
        assert_eq!(d.checksum().await, hub.checksum().await);
    }

    // Delete on A, undelete on B later: back on both.
    a.kith.users().delete(id).await.unwrap();
    a.kith.sync().sync_now().await.unwrap();
    b.kith.sync().sync_now().await.unwrap();
    assert_eq!(deleted(&b, id).await, Some(true));
    b.kith.users().restore(id).await.unwrap();
    b.kith.sync().sync_now().await.unwrap();
    a.kith.sync().sync_now().await.unwrap();
    assert_eq!(deleted(&a, id).await, Some(false));
    assert_eq!(a.checksum().await, b.checksum().await);
}

#[tokio::test]
async fn sync_lost_answers_and_a_restart_mid_sync_lose_nothing() {
    let hub = Hub::start().await;
    let mut a = Desktop::new(&hub, "a", 0).await;
    let mut config = a.kith.sync_config();
    config.push_page = 7;
    config.pull_page = 5;
    a.kith.set_sync_config(config.clone());
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(user(&a, &format!("U{i}")).await);
    }
    // Every answer lost after the server committed: the push is retried and the
    // server skips what it holds.
    hub.proxy.set_faults(Faults {
        drop_response: 1000,
        ..Faults::default()
    });
    assert!(a.kith.sync().sync_now().await.is_err());
    assert_eq!(
        a.kith.sync().status().await.unwrap().state,
        SyncState::Offline
    );
    // Crash: the process goes away mid-sync (the future is dropped), and restarts.
    hub.proxy.set_faults(Faults {
        drop_response: 500,
        ..Faults::default()
    });
    let _ = tokio::time::timeout(Duration::from_millis(30), a.kith.sync().sync_now()).await;
    a.reopen().await;
    hub.proxy.heal();
    a.kith.sync().sync_now().await.unwrap();
    assert_eq!(a.kith.sync().status().await.unwrap().pending, 0);

    // A new desktop whose bootstrap is cut off after its first page resumes.
    let mut b = Desktop::new(&hub, "b", 0).await;
    b.kith.set_sync_config(config.clone());
    hub.proxy.set_faults(Faults {
        drop_request: 400,
        ..Faults::default()
    });
    for _ in 0..5 {
        let _ = b.kith.sync().sync_now().await;
    }
    b.reopen().await;
    hub.proxy.heal();
    b.kith.sync().sync_now().await.unwrap();
    for id in &ids {
        assert!(field(&b, *id, "first_name").await.is_some());
    }
    assert_eq!(b.checksum().await, hub.checksum().await);
    a.kith.sync().sync_now().await.unwrap();
    assert_eq!(a.checksum().await, hub.checksum().await);
}

#[tokio::test]
async fn sync_a_server_that_vanishes_leaves_the_desktop_offline_then_resumes() {
    let mut hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    let b = Desktop::new(&hub, "b", 0).await;
    let statuses = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = statuses.clone();
    let worker = Worker::spawn(a.kith.clone(), move |s| seen.lock().unwrap().push(s));
    let id = user(&a, "Ann").await;
    worker.poke();
    wait_for(|| async { a.kith.sync().status().await.unwrap().state == SyncState::Synced }).await;

    hub.kill();
    set(&a, id, UserField::LastName, "Offline").await;
    worker.poke();
    wait_for(|| async { a.kith.sync().status().await.unwrap().state == SyncState::Offline }).await;
    let status = a.kith.sync().status().await.unwrap();
    assert!(status.pending >= 1, "the edit waits in the outbox");
    assert!(status.error.is_some());
    assert_eq!(field(&a, id, "last_name").await.as_deref(), Some("Offline"));

    hub.revive().await;
    // No poke: the worker's backoff (or the event stream reconnecting) finds it.
    wait_for(|| async { a.kith.sync().status().await.unwrap().state == SyncState::Synced }).await;
    b.kith.sync().sync_now().await.unwrap();
    assert_eq!(field(&b, id, "last_name").await.as_deref(), Some("Offline"));

    // Another desktop's push reaches A through the event stream.
    set(&b, id, UserField::Email, "ann@example.com").await;
    b.kith.sync().sync_now().await.unwrap();
    wait_for(|| async { field(&a, id, "email").await.is_some() }).await;
    worker.shutdown().await;
    assert!(statuses
        .lock()
        .unwrap()
        .iter()
        .any(|s| s.state == SyncState::Offline));
}

#[tokio::test]
async fn sync_a_clock_hours_ahead_is_corrected_and_local_state_matches_the_server() {
    let hub = Hub::start().await;
    let ahead = 3 * 3600 * 1000;
    // The first edits are stamped before the desktop ever talked to the server.
    let a = Desktop::new(&hub, "a", ahead).await;
    let b = Desktop::new(&hub, "b", 0).await;
    let id = Uuid::new_v4();
    a.kith
        .store()
        .commit(vec![Edit::create(&USERS, id).set("first_name", "Future")])
        .await
        .unwrap();
    let report = a.kith.sync().sync_now().await.unwrap();
    assert_eq!(report.checksum_matched, Some(true));
    assert!(a.kith.store().clock_offset_ms() < -ahead + 60_000);
    b.kith.sync().sync_now().await.unwrap();
    // B, in real time, edits after A: B's edit wins, as it happened later.
    set(&b, id, UserField::FirstName, "Present").await;
    b.kith.sync().sync_now().await.unwrap();
    a.kith.sync().sync_now().await.unwrap();
    assert_eq!(
        field(&a, id, "first_name").await.as_deref(),
        Some("Present")
    );
    assert_eq!(a.checksum().await, hub.checksum().await);
}

#[tokio::test]
async fn sync_files_upload_and_download_in_the_background() {
    let hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    let b = Desktop::new(&hub, "b", 0).await;
    let mut config = a.kith.sync_config();
    config.blob_chunk = 1000;
    a.kith.set_sync_config(config);
    let id = user(&a, "Ann").await;
    let src = a.dir.join("photo.bin");
    let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&src, &bytes).unwrap();
    let att = a.kith.files().attach(id, &src, None).await.unwrap();
    // Chunks whose answers are lost after the server stored them: the next chunk
    // is refused at the wrong offset and the upload goes on from the server's.
    let lost_answers = Faults {
        drop_response: 300,
        ..Faults::default()
    };
    sync_through(&hub, &a, lost_answers).await;
    assert_eq!(a.kith.sync().status().await.unwrap().files_waiting, 0);
    assert!(hub.proxy.injected() > 0);

    // B pulls the row; its file is fetched in the same run, resuming a download
    // an earlier run left half done.
    let partial = b.kith.files().blobs().partial_path(&att.sha256).unwrap();
    std::fs::create_dir_all(partial.parent().unwrap()).unwrap();
    std::fs::write(&partial, &bytes[..3_000]).unwrap();
    let mut config = b.kith.sync_config();
    config.verify_checksum = false;
    b.kith.set_sync_config(config);
    let lost_requests = Faults {
        drop_request: 300,
        ..Faults::default()
    };
    sync_through(&hub, &b, lost_requests).await;
    assert!(b.kith.files().downloaded(att.id).await.unwrap());
    let path = b.kith.files().blob_path(att.id).await.unwrap();
    assert_eq!(std::fs::read(path).unwrap(), bytes);
    assert_eq!(b.kith.sync().status().await.unwrap().files_waiting, 0);
    assert!(!partial.exists());
    b.kith.sync().fetch_blob(&att.sha256).await.unwrap();
}

#[tokio::test]
async fn sync_a_restamped_edit_stays_above_the_desktops_own_pushed_edits() {
    let hub = Hub::start().await;
    // Four minutes ahead: within what the server accepts, so these go through
    // stamped four minutes ahead of its time.
    let mut a = Desktop::new(&hub, "a", 4 * 60_000).await;
    let id = user(&a, "Ann").await;
    set(&a, id, UserField::LastName, "First").await;
    a.kith.sync().sync_now().await.unwrap();
    // Then the computer's clock runs far ahead: the next edit is refused as
    // stamped in the future, and re-stamped in the server's time.
    a.skew_ms = 20 * 60_000;
    a.reopen().await;
    set(&a, id, UserField::LastName, "Second").await;
    a.kith.sync().sync_now().await.unwrap();
    a.kith.sync().sync_now().await.unwrap();
    let b = Desktop::new(&hub, "b", 0).await;
    b.kith.sync().sync_now().await.unwrap();
    for d in [&a, &b] {
        assert_eq!(
            field(d, id, "last_name").await.as_deref(),
            Some("Second"),
            "the later edit wins, on every desktop"
        );
    }
    a.kith.sync().sync_now().await.unwrap();
    assert_eq!(a.checksum().await, hub.checksum().await);
}

#[tokio::test]
async fn sync_a_clock_hours_behind_advances_from_the_server_and_its_later_edit_wins() {
    let hub = Hub::start().await;
    let behind = 3 * 3600 * 1000;
    let late = Desktop::new(&hub, "a", -behind).await;
    let b = Desktop::new(&hub, "b", 0).await;
    let id = user(&b, "Ann").await;
    set(&b, id, UserField::LastName, "Earlier").await;
    b.kith.sync().sync_now().await.unwrap();
    late.kith.sync().sync_now().await.unwrap();
    assert!(
        late.kith.store().clock_offset_ms() > behind - 60_000,
        "it learned to stamp in the server's time: {}",
        late.kith.store().clock_offset_ms()
    );
    assert!(
        late.kith.store().clock().await >= b.kith.store().clock().await,
        "its clock is past every stamp it has seen"
    );
    // Its edit comes after B's in real time; stamped by its own clock, three
    // hours earlier, it would lose to B's.
    set(&late, id, UserField::LastName, "Later").await;
    late.kith.sync().sync_now().await.unwrap();
    b.kith.sync().sync_now().await.unwrap();
    for d in [&late, &b] {
        assert_eq!(field(d, id, "last_name").await.as_deref(), Some("Later"));
    }
    assert_eq!(late.checksum().await, hub.checksum().await);
}

#[tokio::test]
async fn sync_a_file_not_here_yet_says_so_and_is_fetched_when_opened() {
    let hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    let b = Desktop::new(&hub, "b", 0).await;
    let id = user(&a, "Ann").await;
    let src = a.dir.join("menu.pdf");
    std::fs::write(&src, b"%PDF-1.4 the autumn menu").unwrap();
    let att = a.kith.files().attach(id, &src, None).await.unwrap();
    a.kith.sync().sync_now().await.unwrap();

    // B has the row, and the bytes as a background download brings them; take
    // them away, as on a desktop whose download has not run yet.
    b.kith.sync().sync_now().await.unwrap();
    std::fs::remove_file(b.kith.files().blob_path(att.id).await.unwrap()).unwrap();
    let listed = b.kith.files().get(att.id).await.unwrap();
    assert!(!listed.downloaded, "the list says it is not downloaded yet");
    assert!(b.kith.files().blob_path(att.id).await.is_err());

    // Opening it fetches it (what the app's open does first).
    b.kith.sync().fetch_blob(&listed.sha256).await.unwrap();
    assert!(b.kith.files().get(att.id).await.unwrap().downloaded);
    let path = b.kith.files().blob_path(att.id).await.unwrap();
    assert_eq!(std::fs::read(path).unwrap(), b"%PDF-1.4 the autumn menu");
}

/// Signs `d` in again as a@acme.test and syncs it to the server's state.
async fn sign_in_and_sync(hub: &Hub, d: &Desktop) {
    d.kith
        .sync()
        .login(&hub.url(), "a@acme.test", sync_support::PASSWORD, None)
        .await
        .unwrap();
    d.kith.sync().sync_now().await.unwrap();
    assert_eq!(d.checksum().await, hub.checksum().await);
}

#[tokio::test]
async fn sync_logout_forgets_the_token_and_keeps_the_data() {
    let hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    let id = user(&a, "Ann").await;
    a.kith.sync().logout().await.unwrap();
    let status = a.kith.sync().status().await.unwrap();
    assert_eq!(status.state, SyncState::SignedOut);
    assert!(status.pending >= 1);
    assert!(!a
        .dir
        .join(kith_core::sync::credentials::TOKEN_FILE)
        .exists());
    assert!(a.kith.sync().sync_now().await.is_err());
    assert_eq!(field(&a, id, "first_name").await.as_deref(), Some("Ann"));
    // Signing in again sends what waited.
    sign_in_and_sync(&hub, &a).await;
    a.kith.sync().logout().await.unwrap();
    // Edits made while signed out, after the server already holds some of this
    // computer's changes, follow them (the server keeps counting per computer):
    // signing in again sends them, without a clash over the counters.
    let later = user(&a, "Ben").await;
    sign_in_and_sync(&hub, &a).await;
    assert_eq!(a.kith.sync().status().await.unwrap().pending, 0);
    let b = Desktop::new(&hub, "b", 0).await;
    b.kith.sync().sync_now().await.unwrap();
    assert_eq!(field(&b, later, "first_name").await.as_deref(), Some("Ben"));
    a.kith.sync().logout().await.unwrap();
    let wrong = a
        .kith
        .sync()
        .login(&hub.url(), "a@acme.test", "nope", None)
        .await;
    assert!(wrong.is_err());
    // This data never goes into another workspace.
    let other = hub.server.as_ref().unwrap();
    other
        .init_workspace("Other", "boss@other.test", sync_support::PASSWORD)
        .await
        .unwrap();
    let refused = a
        .kith
        .sync()
        .login(&hub.url(), "boss@other.test", sync_support::PASSWORD, None)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("another workspace"),
        "{refused}"
    );
    assert_eq!(
        a.kith.sync().status().await.unwrap().state,
        SyncState::SignedOut
    );
}

#[tokio::test]
async fn sync_checksums_are_compared_at_most_once_per_interval() {
    let hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    a.kith.set_sync_config(kith_core::sync::SyncConfig {
        verify_every: Duration::from_secs(3600),
        ..sync_support::config()
    });
    user(&a, "Ann").await;
    // The first run of a process compares...
    let first = a.kith.sync().sync_now().await.unwrap();
    assert_eq!(first.checksum_matched, Some(true));
    // ...later ones that moved changes only once the interval has passed: both
    // sides hash the whole workspace, and the worker syncs after every edit.
    user(&a, "Ben").await;
    let second = a.kith.sync().sync_now().await.unwrap();
    assert_eq!(second.pushed, 1);
    assert_eq!(second.checksum_matched, None);
    a.kith.set_sync_config(kith_core::sync::SyncConfig {
        verify_every: Duration::ZERO,
        ..sync_support::config()
    });
    user(&a, "Cy").await;
    let third = a.kith.sync().sync_now().await.unwrap();
    assert_eq!(third.checksum_matched, Some(true));
    // A run that moved nothing does not compare again.
    let idle = a.kith.sync().sync_now().await.unwrap();
    assert_eq!(idle.checksum_matched, None);
}

#[tokio::test]
async fn sync_a_revoked_computer_is_told_so_keeps_its_edits_and_signs_in_again() {
    let hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    user(&a, "Ann").await;
    a.kith.sync().sync_now().await.unwrap();
    let store = hub.server.as_ref().unwrap().store();
    let devices = store.list_devices(hub.workspace).await.unwrap();
    assert_eq!(devices.len(), 1);
    assert!(store
        .revoke_device(hub.workspace, devices[0].id)
        .await
        .unwrap());

    let later = user(&a, "Ben").await;
    let err = a.kith.sync().sync_now().await.unwrap_err();
    assert!(
        err.to_string()
            .contains("no longer accepts this computer's sign-in"),
        "{err}"
    );
    let status = a.kith.sync().status().await.unwrap();
    assert_eq!(status.state, SyncState::Error);
    assert!(status.pending >= 1);
    assert!(status
        .error
        .unwrap_or_default()
        .contains("sign out and sign in again"));

    a.kith.sync().logout().await.unwrap();
    sign_in_and_sync(&hub, &a).await;
    let b = Desktop::new(&hub, "b", 0).await;
    b.kith.sync().sync_now().await.unwrap();
    assert_eq!(field(&b, later, "first_name").await.as_deref(), Some("Ben"));
}

/// Syncs through `faults` until a run gets through (or 20 tries), then once more
/// with the faults healed.
async fn sync_through(hub: &Hub, d: &Desktop, faults: Faults) {
    hub.proxy.set_faults(faults);
    for _ in 0..20 {
        if d.kith.sync().sync_now().await.is_ok() {
            break;
        }
    }
    hub.proxy.heal();
    d.kith.sync().sync_now().await.unwrap();
}

async fn wait_for<F, Fut>(mut ok: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if ok().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("condition not reached within 10 s");
}

#[tokio::test]
async fn sync_a_checksum_mismatch_is_repaired_from_the_snapshot() {
    let hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    // Other users: the search index then takes a removal with the wrong text
    // without a word (FTS5 refuses one only when its token counts would go below
    // zero), and the repair has to clear what it left.
    for i in 0..20 {
        user(&a, &format!("Bea{i}")).await;
    }
    let id = user(&a, "Ann").await;
    a.kith.sync().sync_now().await.unwrap();
    // The local copy goes wrong behind the write path's back (a bad disk, a bug):
    // the value changes, its clock does not.
    sqlx::query("UPDATE users SET first_name = 'Garbled' WHERE id = ?")
        .bind(id.to_string())
        .execute(a.kith.store().pool())
        .await
        .unwrap();
    // An edit of the same user, so the next run compares checksums. Its search
    // entry is removed with the text the row now gives ("garbled sync"): the
    // postings only "ann sync" had stay behind, and the repair's text ("ann moss")
    // does not cover them all.
    set(&a, id, UserField::LastName, "Moss").await;
    assert!(a.kith.store().search_index_drift().await.unwrap() > 0);
    let report = a.kith.sync().sync_now().await.unwrap();
    assert!(report.repaired);
    assert_eq!(report.checksum_matched, Some(true));
    assert_eq!(field(&a, id, "first_name").await.as_deref(), Some("Ann"));
    assert_eq!(a.checksum().await, hub.checksum().await);
    assert_eq!(a.kith.store().search_index_drift().await.unwrap(), 0);
    assert!(a.kith.search("garbled", 5).await.unwrap().rows.is_empty());
    assert_eq!(a.kith.search("ann", 5).await.unwrap().rows.len(), 1);
}

/// A server restored from a backup has lost what desktops pushed after it, and
/// their outboxes are empty. Each desktop notices (its pull cursor is past the
/// server's head, or names another change there once others have written again),
/// reloads the server's data, and sends its own changes again.
async fn restored_server_gets_back_what_desktops_had_sent(others_write: usize) {
    let mut hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    let ann = user(&a, "Ann").await;
    a.kith.sync().sync_now().await.unwrap();
    let backup = hub.backup().await;

    // After the backup: a new user and an edit, acknowledged by the server.
    let bob = user(&a, "Bob").await;
    set(&a, ann, UserField::Email, "ann@example.com").await;
    a.kith.sync().sync_now().await.unwrap();
    assert_eq!(a.kith.store().outbox_stats().await.unwrap().pending, 0);
    let a_cursor = hub.head().await;

    hub.restore(&backup).await;
    // Another desktop signs in to the restored server and writes meanwhile.
    let b = Desktop::new(&hub, "b", 0).await;
    let mut theirs = Vec::new();
    for i in 0..others_write {
        theirs.push(user(&b, &format!("Cy{i}")).await);
    }
    b.kith.sync().sync_now().await.unwrap();
    let head = hub.head().await;
    if others_write > 5 {
        assert!(
            head >= a_cursor,
            "the head passed A's cursor again ({head} < {a_cursor})"
        );
    } else {
        assert!(head < a_cursor, "{head} >= {a_cursor}");
    }

    // Noticed by the pull itself (not rescued later by the checksum's repair).
    let report = a.kith.sync().sync_now().await.unwrap();
    assert!(report.bootstrapped && !report.repaired, "{report:?}");
    b.kith.sync().sync_now().await.unwrap();
    a.kith.sync().sync_now().await.unwrap();
    for d in [&a, &b] {
        assert_eq!(d.checksum().await, hub.checksum().await);
    }
    assert_eq!(field(&b, bob, "first_name").await.as_deref(), Some("Bob"));
    assert_eq!(
        field(&b, ann, "email").await.as_deref(),
        Some("ann@example.com")
    );
    for id in theirs {
        assert!(field(&a, id, "first_name").await.is_some());
    }
    // Nothing waits, and a sync after that finds both in agreement.
    assert_eq!(a.kith.store().outbox_stats().await.unwrap().pending, 0);
    let report = a.kith.sync().sync_now().await.unwrap();
    assert_ne!(report.checksum_matched, Some(false));
}

#[tokio::test]
async fn sync_a_server_restored_from_a_backup_gets_back_what_desktops_had_sent() {
    restored_server_gets_back_what_desktops_had_sent(0).await;
}

#[tokio::test]
async fn sync_a_restored_server_is_noticed_after_others_wrote_past_the_old_cursor() {
    restored_server_gets_back_what_desktops_had_sent(12).await;
}

#[tokio::test]
async fn sync_a_value_the_server_never_got_is_sent_again_when_checksums_differ() {
    let hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    a.kith.sync().sync_now().await.unwrap();
    // A bug loses an edit from the outbox before it was sent: the server never
    // sees it, and reloading the server's data cannot bring it back.
    let ann = user(&a, "Ann").await;
    sqlx::query("DELETE FROM pending_changes")
        .execute(a.kith.store().pool())
        .await
        .unwrap();
    // Something else moves, so the run compares checksums.
    let bob = user(&a, "Bob").await;
    let report = a.kith.sync().sync_now().await.unwrap();
    assert!(report.repaired);
    assert_eq!(report.checksum_matched, Some(true));
    assert_eq!(a.checksum().await, hub.checksum().await);
    let b = Desktop::new(&hub, "b", 0).await;
    b.kith.sync().sync_now().await.unwrap();
    assert_eq!(field(&b, ann, "first_name").await.as_deref(), Some("Ann"));
    assert_eq!(field(&b, bob, "first_name").await.as_deref(), Some("Bob"));
}

#[tokio::test]
async fn sync_a_difference_no_resend_closes_does_not_send_everything_again() {
    let hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    let b = Desktop::new(&hub, "b", 0).await;
    user(&a, "Ann").await;
    a.kith.sync().sync_now().await.unwrap();
    // A value from a desktop that is gone, which the server lost (restored from a
    // backup): only its author could send it again.
    let gone = kith_core::protocol::NodeId(Uuid::new_v4());
    let stamp = kith_core::protocol::Hlc::new(kith_core::store::system_ms(), 0);
    let row = Uuid::new_v4();
    a.kith
        .store()
        .merge(&[kith_core::protocol::Change {
            table: "users".into(),
            row,
            hlc: stamp,
            node: gone,
            fields: [("first_name".to_owned(), "Orphan".into())].into(),
        }])
        .await
        .unwrap();
    user(&a, "Bob").await;
    // Reloaded, then A's own values sent again: still apart.
    let first = a.kith.sync().sync_now().await.unwrap_err();
    assert!(first.to_string().contains("differs"), "{first}");
    // Others write, so A compares again: it reloads, but does not send all its
    // values a second time (each resend grows the server's log by all of them).
    user(&b, "Cy").await;
    b.kith.sync().sync_now().await.unwrap();
    let head = hub.head().await;
    let again = a.kith.sync().sync_now().await.unwrap_err();
    assert!(again.to_string().contains("differs"), "{again}");
    assert_eq!(hub.head().await, head, "A sent nothing again");
    assert_eq!(a.kith.store().outbox_stats().await.unwrap().pending, 0);
    assert_eq!(
        field(&a, row, "first_name").await.as_deref(),
        Some("Orphan")
    );
}

/// Reading a server's certificate to show it is refused where there is none to
/// trust, and trusting a server's own certificate (not an authority) is refused
/// with what to do instead; nothing is signed in either way.
#[tokio::test]
async fn sync_only_an_https_servers_authority_can_be_trusted() {
    let hub = Hub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let kith = kith_core::Kith::open(dir.path()).await.unwrap();
    kith.set_sync_config(sync_support::config());
    let sync = kith.sync();

    let http = sync.server_certificate(&hub.url()).await.unwrap_err();
    assert!(
        http.to_string()
            .contains("only an https:// server has a certificate"),
        "{http}"
    );
    // An https:// address where a plain HTTP server listens.
    let plain = hub.direct_url().replace("http://", "https://");
    let none = sync.server_certificate(&plain).await.unwrap_err();
    assert!(
        none.to_string().contains("no TLS certificate came back"),
        "{none}"
    );

    // A server whose chain is its own certificate alone.
    let certs = dir.path().join("certs");
    kith_server::tls::issue(&certs, "Acme", &["127.0.0.1".to_owned()]).unwrap();
    let chain = std::fs::read_to_string(certs.join(kith_server::tls::SERVER_CERT)).unwrap();
    let end = "-----END CERTIFICATE-----\n";
    let leaf = &chain[..chain.find(end).unwrap() + end.len()];
    std::fs::write(certs.join("leaf.pem"), leaf).unwrap();
    let tls = kith_server::tls::server_config(
        &certs.join("leaf.pem"),
        &certs.join(kith_server::tls::SERVER_KEY),
    )
    .unwrap();
    let server = kith_server::testing::TestServer::sqlite_tls(dir.path(), tls)
        .await
        .unwrap();
    let shown = sync.server_certificate(&server.url).await.unwrap();
    assert!(!shown.authority);
    assert_eq!(shown.name, "127.0.0.1");
    assert_eq!(shown.issuer, "Acme Kith CA");
    let refused = sync
        .login_trusting(
            &server.url,
            "a@acme.test",
            "whatever",
            None,
            Some(&shown.fingerprint),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.field(), Some("certificate"));
    assert!(
        refused
            .to_string()
            .contains("not a root certificate authority")
            && refused.to_string().contains("kith-server tls-cert"),
        "{refused}"
    );
    assert_eq!(
        sync.status().await.unwrap().state,
        kith_core::sync::SyncState::SignedOut
    );
}

/// A new desktop's first sync says how much of the office it has loaded so far,
/// page by page, and the count goes back to 0 when the run ends.
#[tokio::test]
async fn sync_a_first_sync_reports_what_it_has_loaded_so_far() {
    let hub = Hub::start().await;
    let a = Desktop::new(&hub, "a", 0).await;
    for i in 0..40 {
        user(&a, &format!("Loaded{i}")).await;
    }
    a.kith.sync().sync_now().await.unwrap();
    let b = Desktop::new(&hub, "b", 0).await;
    b.kith.set_sync_config(kith_core::sync::SyncConfig {
        pull_page: 10,
        ..sync_support::config()
    });
    let mut merges = b.kith.store().remote_changes();
    let finished = std::sync::atomic::AtomicBool::new(false);
    let sync = b.kith.sync();
    let run = async {
        let report = sync.sync_now().await;
        finished.store(true, std::sync::atomic::Ordering::Relaxed);
        report
    };
    let watch = async {
        let mut seen = Vec::new();
        while !finished.load(std::sync::atomic::Ordering::Relaxed) {
            match tokio::time::timeout(Duration::from_millis(100), merges.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => break,
                Err(_) => continue,
            }
            let s = b.kith.sync().status().await.unwrap();
            if s.state == SyncState::Syncing {
                seen.push((s.received, s.loading_snapshot));
            }
        }
        seen
    };
    let (report, seen) = tokio::join!(run, watch);
    assert!(report.unwrap().bootstrapped);
    // Several readings while it ran, each loading the snapshot, the count growing.
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(seen.iter().all(|(_, snapshot)| *snapshot), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
    assert!(
        seen[0].0 > 0 && seen[0].0 < seen[seen.len() - 1].0,
        "{seen:?}"
    );
    let done = b.kith.sync().status().await.unwrap();
    assert_eq!((done.received, done.loading_snapshot), (0, false));
}

/// Demo customers never sync, so a store holding them could never match the
/// server: signing in is refused, saying why, and nothing is kept.
#[tokio::test]
async fn sync_a_data_folder_with_demo_customers_cannot_sign_in() {
    let hub = Hub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let kith = kith_core::Kith::open(dir.path()).await.unwrap();
    kith.set_sync_config(sync_support::config());
    kith_core::demo::generate(kith.store(), 5, 1).await.unwrap();
    let head = hub.head().await;
    let refused = kith
        .sync()
        .login(&hub.url(), "a@acme.test", sync_support::PASSWORD, None)
        .await
        .unwrap_err();
    assert_eq!(refused.field(), Some("server_url"));
    assert!(refused.to_string().contains("demo customers"), "{refused}");
    assert_eq!(
        kith.sync().status().await.unwrap().state,
        SyncState::SignedOut
    );
    assert_eq!(hub.head().await, head, "nothing reached the server");
}
