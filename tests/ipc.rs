//! The desktop commands through Tauri's mock runtime: real IPC serialization, a real
//! store in a temporary directory, no window.

use kith_app::{with_commands, AppState};
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

struct Harness {
    _dir: tempfile::TempDir,
    _app: tauri::App<tauri::test::MockRuntime>,
    webview: WebviewWindow<tauri::test::MockRuntime>,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let kith =
        tauri::async_runtime::block_on(kith_core::Kith::open(dir.path())).expect("open kith");
    let app = with_commands(mock_builder())
        .manage(AppState::new(kith))
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("mock webview");
    Harness {
        _dir: dir,
        _app: app,
        webview,
    }
}

impl Harness {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                // The app's own origin on Linux and macOS; IPC from any other origin is refused.
                url: "tauri://localhost".parse().expect("url"),
                body: tauri::ipc::InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().expect("json response"))
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args.clone())
            .unwrap_or_else(|e| panic!("{cmd} {args} failed: {e}"))
    }
}

fn zoe() -> Value {
    json!({ "draft": { "first_name": "Zoë", "last_name": "Müller", "email": "zoe@example.com",
                       "mobile_phone": "+1 (555) 123-4567", "home_phone": null } })
}

#[test]
fn create_find_edit_delete_restore() {
    let h = harness();
    let user = h.ok("create_user", zoe());
    assert_eq!(user["mobile_phone"], "+15551234567");
    assert_eq!(user["has_generated_password"], true);
    let id = user["id"].as_str().expect("id").to_owned();

    let page = h.ok(
        "list_users",
        json!({ "sort": "name", "offset": 0, "limit": 50 }),
    );
    assert_eq!(page["total"], 1);
    assert_eq!(page["rows"][0]["id"], id.as_str());

    for q in ["muller", "5551234"] {
        let found = h.ok("search_users", json!({ "query": q, "limit": 20 }));
        assert_eq!(found["rows"][0]["id"], id.as_str(), "query {q}");
    }

    let edited = h.ok(
        "set_user_field",
        json!({ "id": id, "field": "email", "value": "zoe.m@example.com" }),
    );
    assert_eq!(edited["email"], "zoe.m@example.com");

    let password = h.ok("reveal_password", json!({ "id": id }));
    assert_eq!(password.as_str().map(str::len), Some(19));

    assert_eq!(h.ok("delete_user", json!({ "id": id })), Value::Null);
    assert_eq!(
        h.ok(
            "list_users",
            json!({ "sort": "name", "offset": 0, "limit": 50 })
        )["total"],
        0
    );
    assert_eq!(
        h.ok("list_trash", json!({})).as_array().map(Vec::len),
        Some(1)
    );
    let restored = h.ok("restore_user", json!({ "id": id }));
    assert_eq!(restored["deleted_at"], Value::Null);
}

#[test]
fn errors_are_typed_and_name_their_field() {
    let h = harness();
    let err = h
        .call(
            "create_user",
            json!({ "draft": { "first_name": "A", "last_name": "B", "email": "not-an-email",
                                                 "mobile_phone": null, "home_phone": null } }),
        )
        .expect_err("a bad email is refused");
    assert_eq!(err["kind"], "validation");
    assert_eq!(err["field"], "email");
    assert_eq!(err["message"], "This email address is missing an @");
    assert_eq!(
        h.ok(
            "list_users",
            json!({ "sort": "name", "offset": 0, "limit": 5 })
        )["total"],
        0
    );

    let err = h
        .call(
            "get_user",
            json!({ "id": "00000000-0000-0000-0000-000000000001" }),
        )
        .expect_err("unknown user");
    assert_eq!(err["kind"], "not_found");
    assert_eq!(err["field"], Value::Null);
}

#[test]
fn detail_parts_duplicates_and_settings() {
    let h = harness();
    let id = h.ok("create_user", zoe())["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let dups = h.ok("find_duplicates", json!({ "draft": { "first_name": "Z", "last_name": "", "email": "ZOE@example.com",
                                                          "mobile_phone": null, "home_phone": null } }));
    assert_eq!(dups[0]["id"], id.as_str());

    let err = h
        .call(
            "add_card",
            json!({ "user_id": id, "input": { "brand": "Visa", "last4": "4242424242424242",
                                                             "exp_month": 1, "exp_year": 2030 } }),
        )
        .expect_err("full card number refused");
    assert_eq!(err["field"], "last4");
    let d = h.ok("add_card", json!({ "user_id": id, "input": { "brand": "Visa", "last4": "4242", "exp_month": 1, "exp_year": 2030 } }));
    assert_eq!(d["cards"][0]["last4"], "4242");

    let d = h.ok("add_address", json!({ "user_id": id, "input": { "label": "Home", "street": "1 Main St", "city": "Boston",
                                                                  "region": "MA", "postal_code": "02110", "country": "US" } }));
    let address = d["addresses"][0]["id"]
        .as_str()
        .expect("address id")
        .to_owned();
    let d = h.ok("remove_address", json!({ "id": address }));
    assert_eq!(d["addresses"], json!([]));

    let team = h.ok("create_team", json!({ "name": "VIP" }));
    let d = h.ok(
        "set_user_team",
        json!({ "user_id": id, "team_id": team["id"], "member": true }),
    );
    assert_eq!(d["teams"][0]["name"], "VIP");

    let loc = h.ok("create_location", json!({ "name": "Downtown" }));
    let d = h.ok(
        "set_user_field",
        json!({ "id": id, "field": "location_id", "value": loc["id"] }),
    );
    assert_eq!(d["location_id"], loc["id"]);
    assert_eq!(
        h.ok("list_locations", json!({})).as_array().map(Vec::len),
        Some(1)
    );

    let s = h.ok(
        "update_settings",
        json!({ "settings": { "default_region": "gb", "theme": "dark" } }),
    );
    assert_eq!(s, json!({ "default_region": "GB", "theme": "dark" }));
    assert_eq!(h.ok("get_settings", json!({})), s);
}
