//! `kith-cli fields` and `kith-cli users set` over a real data directory.

mod common;

use common::{cli, json};
use serde_json::json as j;

#[test]
fn define_fields_and_set_them_on_a_user_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tier = json(
        d,
        &[
            "fields",
            "add",
            "Membership",
            "--type",
            "single-select",
            "--options",
            "Gold,Silver",
            "--required",
        ],
    );
    assert_eq!(tier["kind"], "single_select");
    assert_eq!(tier["required"], true);
    assert_eq!(tier["options"][1]["label"], "Silver");
    let credit = json(
        d,
        &[
            "fields",
            "add",
            "Credit",
            "--type",
            "money",
            "--currency",
            "eur",
        ],
    );
    assert_eq!(credit["currency"], "EUR");
    let listed = json(d, &["fields", "list"]);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Membership", "Credit"]);

    // A required field needs a value when a user is added by hand.
    let out = cli(d)
        .args([
            "users",
            "add",
            "--first-name",
            "Zoë",
            "--last-name",
            "Müller",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Membership is required"));
    let user = json(
        d,
        &[
            "users",
            "add",
            "--first-name",
            "Zoë",
            "--last-name",
            "Müller",
            "--set",
            "membership=gold",
        ],
    );
    let id = user["id"].as_str().unwrap().to_owned();
    assert_eq!(user["custom_values"][0]["display"], "Gold");

    // Built-in and custom fields, by name, ignoring case; the value may hold "=".
    let user = json(
        d,
        &[
            "users",
            "set",
            &id,
            "CREDIT=19,99 €",
            "email=zoe@example.com",
            "Membership=Silver",
        ],
    );
    assert_eq!(user["email"], "zoe@example.com");
    let values: Vec<(String, String)> = user["custom_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap().to_owned(),
                v["display"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            ("Membership".to_owned(), "Silver".to_owned()),
            ("Credit".to_owned(), "19.99 EUR".to_owned())
        ]
    );
    assert_eq!(user["custom_values"][1]["value"], "1999 EUR");
    let found = json(d, &["search", "silver"]);
    assert_eq!(found["rows"][0]["id"], j!(id));

    // Bad input: one line saying why, nothing written.
    let out = cli(d)
        .args(["users", "set", &id, "Credit=lots"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("“lots” is not an amount"), "{err}");
    assert_eq!(err.lines().count(), 1);
    let out = cli(d)
        .args(["fields", "add", "Size", "--type", "shoe"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("types are: text, long_text"));

    // Edit, trash and restore.
    let edited = json(
        d,
        &[
            "fields",
            "edit",
            "membership",
            "--options",
            "Gold,Silver,Bronze",
        ],
    );
    assert_eq!(edited["options"].as_array().unwrap().len(), 3);
    json(d, &["fields", "delete", "Credit"]);
    assert_eq!(
        json(d, &["fields", "list", "--deleted"])[0]["name"],
        "Credit"
    );
    let back = json(d, &["fields", "restore", credit["id"].as_str().unwrap()]);
    assert_eq!(back["name"], "Credit");
    let shown = json(d, &["users", "show", &id]);
    assert_eq!(shown["custom_values"][1]["display"], "19.99 EUR");
}

/// `import --default "Field=value"`: a value every imported user gets where the
/// row has none, read as the field's kind; a bad one fails before anything.
#[test]
fn import_fills_blank_fields_with_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(d, &["fields", "add", "Lead source", "--type", "text"]);
    json(d, &["fields", "add", "Visits", "--type", "number"]);
    let csv = d.join("fair.csv");
    std::fs::write(
        &csv,
        "First Name,Email,Lead source\nAnn,ann@example.com,Website\nBob,bob@example.com,\n",
    )
    .unwrap();
    let path = csv.to_str().unwrap();
    let out = cli(d)
        .args(["import", path, "--default", "Visits=many"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Visits: "), "{err}");
    assert_eq!(json(d, &["users", "list"])["total"], 0);

    let report = json(
        d,
        &[
            "import",
            path,
            "--default",
            "lead source=Autumn fair",
            "--default",
            "Visits=1",
            "--team",
            "Fair",
        ],
    );
    assert_eq!(report["created"], 2, "{report}");
    let shown = |email: &str| {
        let id = json(d, &["search", email])["rows"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let user = json(d, &["users", "show", &id]);
        let values: Vec<String> = user["custom_values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                format!(
                    "{}={}",
                    v["name"].as_str().unwrap(),
                    v["display"].as_str().unwrap()
                )
            })
            .collect();
        (values, user["teams"][0]["name"].clone())
    };
    assert_eq!(
        shown("ann@example.com"),
        (
            vec!["Lead source=Website".to_owned(), "Visits=1".to_owned()],
            j!("Fair")
        )
    );
    assert_eq!(
        shown("bob@example.com"),
        (
            vec!["Lead source=Autumn fair".to_owned(), "Visits=1".to_owned()],
            j!("Fair")
        )
    );
}
