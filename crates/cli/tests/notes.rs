//! `kith-cli notes` over a real data directory.

mod common;

use common::{cli, json};

#[test]
fn add_a_tagged_note_and_find_it_by_text_and_by_tag() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let user = json(
        d,
        &[
            "users",
            "add",
            "--first-name",
            "Zoë",
            "--last-name",
            "Müller",
        ],
    );
    let id = user["id"].as_str().unwrap().to_owned();

    let note = json(
        d,
        &[
            "notes",
            "add",
            "--user",
            &id,
            "--tags",
            "VIP,renewal",
            "Called about the **renewal** — café",
        ],
    );
    assert_eq!(note["tags"], serde_json::json!(["VIP", "renewal"]));
    assert_eq!(
        note["author_name"],
        serde_json::Value::Null,
        "no staff member chosen yet"
    );
    let note_id = note["id"].as_str().unwrap().to_owned();

    let found = json(d, &["notes", "search", "CAFE"]);
    assert_eq!(found["hits"][0]["note"]["id"], note_id.as_str());
    assert_eq!(found["hits"][0]["user_name"], "Zoë Müller");
    let by_tag = json(d, &["notes", "search", "--tag", "vip"]);
    assert_eq!(by_tag["hits"].as_array().unwrap().len(), 1);
    let other_tag = json(d, &["notes", "search", "cafe", "--tag", "lead"]);
    assert!(other_tag["hits"].as_array().unwrap().is_empty());
    assert_eq!(
        json(d, &["notes", "list", "--user", &id])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Bad input: a clear error, exit status 1, nothing written.
    let out = cli(d)
        .args(["notes", "add", "--user", &id, "  "])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("A note needs some text"));
    assert_eq!(
        json(d, &["notes", "list", "--user", &id])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn notes_are_written_by_the_staff_member_set_with_staff_add_me() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(
        d,
        &[
            "staff",
            "add",
            "Dana",
            "--email",
            "dana@example.com",
            "--me",
        ],
    );
    let user = json(
        d,
        &["users", "add", "--first-name", "Ann", "--last-name", "Lee"],
    );
    let id = user["id"].as_str().unwrap().to_owned();
    let note = json(d, &["notes", "add", "--user", &id, "Called back"]);
    assert_eq!(note["author_name"], "Dana");
}
