//! The desktop commands through Tauri's mock runtime: real IPC serialization, a real
//! store in a temporary directory, no window.

use kith_app::{with_commands, AppState};
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

struct Harness {
    dir: tempfile::TempDir,
    app: tauri::App<tauri::test::MockRuntime>,
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
    Harness { dir, app, webview }
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
    assert_eq!(
        s,
        json!({ "default_region": "GB", "theme": "dark", "current_staff_id": null })
    );
    assert_eq!(h.ok("get_settings", json!({})), s);
}

impl Harness {
    /// A file as if the person had chosen it: its token.
    fn choose(&self, name: &str, text: impl AsRef<[u8]>) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write file");
        self.app
            .state::<AppState>()
            .files
            .register(path)
            .expect("register")
            .token
    }
}

const PEOPLE: &str = "First Name,Last Name,E-mail Address,Mobile Phone\n\
    Zoë,Müller,zoe@example.com,+1 202-555-0143\n\
    Bad,Row,not-an-email,\n\
    Bob,Stone,bob@example.com,\n";

fn request(dry_run: bool, skip_invalid: bool, mapping: &Value) -> Value {
    json!({ "mode": "upsert", "match_on": "email", "mapping": mapping, "default_teams": ["Imported"],
            "dry_run": dry_run, "skip_invalid": skip_invalid, "save_mapping": !dry_run })
}

/// A workbook of two sheets, as bytes: "Shop" and "Events", each with customers.
fn workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, person) in [("Shop", "Ann"), ("Events", "Eve")] {
        let sheet = book.add_worksheet().set_name(name).expect("name");
        for (c, text) in ["First Name", "Email"].iter().enumerate() {
            sheet.write_string(0, c as u16, *text).expect("write");
        }
        sheet.write_string(1, 0, person).expect("write");
        let email = format!("{}@example.com", person.to_lowercase());
        sheet.write_string(1, 1, email).expect("write");
    }
    book.save_to_buffer().expect("xlsx")
}

#[test]
fn a_workbooks_chosen_sheet_is_previewed_and_imported() {
    let h = harness();
    let token = h.choose("Customers.xlsx", workbook());
    let first = h.ok("preview_import", json!({ "token": token, "mapping": null }));
    assert_eq!(first["format"], "sheet");
    assert_eq!(
        (&first["sheet"], &first["sheets"]),
        (&json!("Shop"), &json!(["Shop", "Events"]))
    );
    assert_eq!(first["rows"][0]["user"]["first_name"], "Ann");

    let events = h.ok(
        "preview_import",
        json!({ "token": token, "mapping": null, "sheet": "Events" }),
    );
    assert_eq!(events["sheet"], "Events");
    assert_eq!(events["rows"][0]["user"]["email"], "eve@example.com");
    let mut req = request(false, false, &events["mapping"]);
    req["sheet"] = json!("Events");
    let report = h.ok(
        "run_import",
        json!({ "token": token, "request": req, "on_progress": "__CHANNEL__:3" }),
    );
    assert_eq!(
        (report["created"].as_u64(), report["committed"].as_bool()),
        (Some(1), Some(true))
    );
    let found = h.ok(
        "search_users",
        json!({ "query": "eve@example.com", "limit": 5 }),
    );
    assert_eq!(found["rows"][0]["first_name"], "Eve", "{found}");

    let err = h
        .call(
            "preview_import",
            json!({ "token": token, "mapping": null, "sheet": "Nope" }),
        )
        .expect_err("no such sheet");
    assert_eq!(
        (err["kind"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("file"))
    );
}

#[test]
fn import_preview_dry_run_run_and_undo() {
    let h = harness();
    let token = h.choose("people.csv", PEOPLE);
    let preview = h.ok("preview_import", json!({ "token": token, "mapping": null }));
    assert_eq!(preview["mapping_source"], "auto");
    assert_eq!(preview["headers"][2], "E-mail Address");
    assert_eq!(preview["mapping"][2]["kind"], "email");
    assert_eq!(preview["rows"][0]["user"]["mobile_phone"], "+12025550143");
    assert_eq!(preview["rows"][1]["errors"][0]["column"], "E-mail Address");
    let mapping = preview["mapping"].clone();

    let channel = "__CHANNEL__:7";
    let dry = h.ok(
        "run_import",
        json!({ "token": token, "request": request(true, true, &mapping), "on_progress": channel }),
    );
    assert_eq!(
        (dry["created"].as_u64(), dry["failed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(dry["committed"], false);
    let total = |h: &Harness| {
        h.ok(
            "list_users",
            json!({ "sort": "name", "offset": 0, "limit": 5 }),
        )["total"]
            .clone()
    };
    assert_eq!(total(&h), 0, "a dry run writes nothing");

    // Bad rows and "import nothing": nothing is written, and the mapping is not
    // remembered either.
    let strict = h.ok(
        "run_import",
        json!({ "token": token, "request": request(false, false, &mapping), "on_progress": channel }),
    );
    assert_eq!(strict["committed"], false);

    // A default value for a field there is not: named, so the dialog shows it by the values.
    let mut with_default = request(true, true, &mapping);
    with_default["default_values"] = json!([{ "field": "Shoe size", "value": "42" }]);
    let err = h
        .call(
            "run_import",
            json!({ "token": token, "request": with_default, "on_progress": channel }),
        )
        .expect_err("an unknown field is refused");
    assert_eq!(err["field"], "default_values");
    assert_eq!(err["message"], "There is no custom field named “Shoe size”");
    let other = h.choose("people-1.csv", PEOPLE);
    let preview = h.ok("preview_import", json!({ "token": other, "mapping": null }));
    assert_eq!(preview["mapping_source"], "auto");

    let report = h.ok(
        "run_import",
        json!({ "token": token, "request": request(false, true, &mapping), "on_progress": channel }),
    );
    assert_eq!(report["committed"], true);
    assert_eq!(total(&h), 2);
    let batch = report["batch_id"].as_str().expect("batch id").to_owned();

    // The mapping was saved: the next file with these headers gets it back.
    let again = h.choose("people-2.csv", PEOPLE);
    let preview = h.ok("preview_import", json!({ "token": again, "mapping": null }));
    assert_eq!(preview["mapping_source"], "saved");

    let undone = h.ok(
        "undo_import",
        json!({ "batch_id": batch, "on_progress": channel }),
    );
    assert_eq!(undone["removed"], 2);
    assert_eq!(total(&h), 0);
    let err = h
        .call(
            "undo_import",
            json!({ "batch_id": batch, "on_progress": channel }),
        )
        .expect_err("undone once");
    assert_eq!(err["kind"], "validation");
}

/// An encoding chosen for a file is remembered with its mapping: the next file
/// like it, guessed the same wrong way, is read in it again at once.
#[test]
fn an_encoding_chosen_for_a_file_comes_back_with_its_saved_mapping() {
    let h = harness();
    // "Šárka Žáková" in ISO-8859-15, which detection takes for Windows-1252; the
    // last header is "Montant (€)", which the guess reads as "Montant (¤)".
    let latin9: &[u8] = b"First Name,Last Name,Email,Montant (\xa4)\n\
        \xa6\xe1rka,\xb4\xe1kov\xe1,sarka@example.com,10\n";
    let token = h.choose("latin9.csv", latin9);
    let guessed = h.ok(
        "preview_import",
        json!({ "token": token, "mapping": null, "encoding": null }),
    );
    assert_eq!(
        (&guessed["encoding"], &guessed["detected_encoding"]),
        (&json!("windows1252"), &json!("windows1252"))
    );
    assert_eq!(guessed["rows"][0]["user"]["first_name"], "¦árka");
    let chosen = json!({ "legacy": "ISO-8859-15" });
    let read = h.ok(
        "preview_import",
        json!({ "token": token, "mapping": null, "encoding": chosen }),
    );
    assert_eq!(read["rows"][0]["user"]["first_name"], "Šárka");
    let mut req = request(false, false, &read["mapping"]);
    req["encoding"] = chosen.clone();
    let report = h.ok(
        "run_import",
        json!({ "token": token, "request": req, "on_progress": "__CHANNEL__:8" }),
    );
    assert_eq!(report["committed"], true);

    let next = h.choose("latin9-december.csv", latin9);
    let preview = h.ok(
        "preview_import",
        json!({ "token": next, "mapping": null, "encoding": null }),
    );
    assert_eq!(preview["mapping_source"], "saved");
    assert_eq!(
        (&preview["encoding"], &preview["detected_encoding"]),
        (&chosen, &json!("windows1252"))
    );
    assert_eq!(preview["rows"][0]["user"]["first_name"], "Šárka");
    // A file of the same columns that is UTF-8 is read as what it is.
    let utf8 = h.choose(
        "utf8.csv",
        "First Name,Last Name,Email,Montant (€)\nZoë,Müller,zoe@example.com,10\n",
    );
    let preview = h.ok(
        "preview_import",
        json!({ "token": utf8, "mapping": null, "encoding": null }),
    );
    assert_eq!(
        (&preview["mapping_source"], &preview["encoding"]),
        (&json!("saved"), &json!("utf8"))
    );
}

/// An encoding remembered for a system's files is found again when the next
/// file's rows make the guess change, and with it how the headers read.
#[test]
fn a_remembered_encoding_survives_a_changed_guess() {
    let h = harness();
    // The same header bytes: "Scène" read as Windows-1252, "Scčne" as Windows-1250.
    let header: &[u8] = b"Nom;Pr\xe9nom;Sc\xe8ne;Ville\r\n";
    let french = [header, b"Dupont;Ren\xe9e;Th\xe9\xe2tre;Paris\r\n"].concat();
    let czech_row: &[u8] =
        b"Dvo\xf8\xe1k;Ji\xf8\xed;P\xf8\xedli\xb9 \x9elu\x9dou\xe8k\xfd k\xf9\xf2;\
        \xdast\xed nad Labem\r\n\x8aimek;Old\xf8ich;\xc8ern\xfd kon\xec;Plze\xf2\r\n";
    let czech = [header, &czech_row.repeat(5)].concat();
    let chosen = json!({ "legacy": "ISO-8859-15" });

    let january = h.choose("january.csv", &french);
    let guessed = h.ok(
        "preview_import",
        json!({ "token": january, "mapping": null }),
    );
    assert_eq!(guessed["detected_encoding"], "windows1252");
    let mut req = request(false, true, &guessed["mapping"]);
    req["encoding"] = chosen.clone();
    let report = h.ok(
        "run_import",
        json!({ "token": january, "request": req, "on_progress": "__CHANNEL__:10" }),
    );
    assert_eq!(report["committed"], true);

    let february = h.choose("february.csv", &czech);
    let preview = h.ok(
        "preview_import",
        json!({ "token": february, "mapping": null }),
    );
    assert_eq!(
        (&preview["detected_encoding"], &preview["mapping_source"]),
        (&json!({ "legacy": "windows-1250" }), &json!("saved"))
    );
    assert_eq!(
        preview["encoding"], chosen,
        "read in the code page chosen in January"
    );
}

/// A report's title lines reach the dialog, and its footer is a rejected row.
#[test]
fn a_reports_titles_and_footer_reach_the_dialog() {
    let h = harness();
    let token = h.choose(
        "contacts.csv",
        "Customer Contact List\r\nAcme Bakery\r\n\r\nName,Email\r\n\
         Ann Lee,ann@example.com\r\n\r\nPrinted 2026-11-20\r\n",
    );
    let preview = h.ok("preview_import", json!({ "token": token, "mapping": null }));
    assert_eq!(
        preview["titles"],
        json!(["Customer Contact List", "Acme Bakery"])
    );
    assert_eq!(preview["headers"], json!(["Name", "Email"]));
    // Numbered as a spreadsheet shows the file: the blank lines are rows.
    assert_eq!(preview["rows"][0]["row"], 5);
    assert_eq!(preview["rows"][1]["row"], 7);
    assert!(preview["rows"][1]["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.ends_with("looks like the report's footer, not a customer")));
    let dry = h.ok(
        "run_import",
        json!({ "token": token, "request": request(true, true, &preview["mapping"]),
                "on_progress": "__CHANNEL__:9" }),
    );
    assert_eq!(
        (dry["created"].as_u64(), dry["failed"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn import_refuses_bad_files_and_unknown_tokens() {
    let h = harness();
    let err = h
        .call(
            "preview_import",
            json!({ "token": "nope", "mapping": null }),
        )
        .expect_err("unknown token");
    assert_eq!(err["kind"], "not_found");

    let state = h.app.state::<AppState>();
    let err = state
        .files
        .register(h.dir.path().to_path_buf())
        .expect_err("a folder is refused");
    assert!(err.message.contains("is a folder"), "{}", err.message);

    let empty = h.choose("empty.csv", "");
    let err = h
        .call("preview_import", json!({ "token": empty, "mapping": null }))
        .expect_err("an empty file");
    assert_eq!(
        (err["kind"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("file"))
    );
}

/// With the test-only dialog stand-in, the save dialog answers from the data dir.
#[cfg(feature = "e2e-dialogs")]
#[test]
fn export_writes_the_chosen_file() {
    let h = harness();
    h.ok("create_user", zoe());
    let target = h.dir.path().join("out.csv");
    std::fs::write(
        h.dir.path().join(".e2e-dialog-save"),
        target.display().to_string(),
    )
    .expect("answer the save dialog");
    let done = h.ok(
        "export_users",
        json!({ "request": { "query": "zoe", "columns": ["first_name", "email"], "bom": false },
                "on_progress": "__CHANNEL__:8" }),
    );
    assert_eq!(done["rows"], 1);
    assert_eq!(done["file_name"], "out.csv");
    assert_eq!(
        std::fs::read_to_string(&target).expect("export written"),
        "First Name,Email\nZoë,zoe@example.com\n"
    );
    // No answer: the person cancelled the dialog.
    let none = h.ok(
        "export_users",
        json!({ "request": { "query": null, "columns": [], "bom": true }, "on_progress": "__CHANNEL__:9" }),
    );
    assert_eq!(none, Value::Null);
}

#[test]
fn staff_tasks_statuses_and_the_tasks_view() {
    let h = harness();
    let maya = h.ok(
        "add_staff",
        json!({ "input": { "name": "Maya", "email": null, "color": null } }),
    );
    assert_eq!(h.ok("list_staff", json!({})).as_array().unwrap().len(), 1);
    let err = h
        .call(
            "add_staff",
            json!({ "input": { "name": "maya", "email": null, "color": null } }),
        )
        .expect_err("names are unique");
    assert_eq!(
        (err["kind"].clone(), err["field"].clone()),
        (json!("validation"), json!("name"))
    );

    let user = h.ok("create_user", zoe());
    let input = json!({ "title": "Call back", "description": null, "assignee_id": maya["id"],
        "due_date": "2025-03-10", "due_time": "14:00", "priority": "high",
        "status_id": null, "category_id": null });
    let task = h.ok(
        "create_task",
        json!({ "user_id": user["id"], "input": input }),
    );
    assert_eq!(task["user_name"], "Zoë Müller");
    let err = h
        .call(
            "create_task",
            json!({ "user_id": user["id"], "input": { "title": "" } }),
        )
        .expect_err("a title is needed");
    assert_eq!(err["field"], "title");

    let filter = json!({ "assignee_id": maya["id"], "status_id": null, "category_id": null,
        "priority": null, "done": false });
    let view = h.ok(
        "list_tasks",
        json!({ "filter": filter, "today": "2025-03-10" }),
    );
    assert_eq!(view["today"][0]["id"], task["id"]);
    let done = h.ok("complete_task", json!({ "id": task["id"] }));
    assert_eq!(done["done"], true);
    let view = h.ok(
        "list_tasks",
        json!({ "filter": filter, "today": "2025-03-10" }),
    );
    assert_eq!(view["today"], json!([]));
    h.ok("reopen_task", json!({ "id": task["id"] }));
    h.ok("delete_task", json!({ "id": task["id"] }));
    assert_eq!(
        h.ok("list_user_tasks", json!({ "user_id": user["id"] })),
        json!([])
    );
    h.ok("restore_task", json!({ "id": task["id"] }));
    assert_eq!(
        h.ok("list_user_tasks", json!({ "user_id": user["id"] }))
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let statuses = h.ok("list_task_statuses", json!({}));
    assert_eq!(statuses[0]["name"], "Open");
    let review = h.ok(
        "add_task_status",
        json!({ "name": "Review", "is_done": false }),
    );
    h.ok(
        "update_task_status",
        json!({ "id": review["id"], "name": "In review", "is_done": false }),
    );
    let order = h.ok("reorder_task_statuses", json!({ "ids": [review["id"]] }));
    assert_eq!(order[0]["name"], "In review");
    h.ok("remove_task_status", json!({ "id": review["id"] }));
    let cat = h.ok("add_task_category", json!({ "name": "Visit" }));
    h.ok(
        "rename_task_category",
        json!({ "id": cat["id"], "name": "Site visit" }),
    );
    h.ok("reorder_task_categories", json!({ "ids": [cat["id"]] }));
    assert_eq!(
        h.ok("list_task_categories", json!({}))[0]["name"],
        "Site visit"
    );
    h.ok("remove_task_category", json!({ "id": cat["id"] }));
    h.ok(
        "update_staff",
        json!({ "id": maya["id"], "input": { "name": "Maya M", "email": null, "color": "#123456" } }),
    );
    h.ok("remove_staff", json!({ "id": maya["id"] }));
}

#[test]
fn files_attach_report_each_refusal_rename_find_thumbnail_delete_restore() {
    let h = harness();
    let user = h.ok("create_user", zoe());
    let id = user["id"].as_str().expect("id").to_owned();

    let contract = h.choose("Contrat signé.pdf", "%PDF-1.4\n");
    let photo_path = h.dir.path().join("shop.png");
    image::DynamicImage::new_rgb8(600, 300)
        .save_with_format(&photo_path, image::ImageFormat::Png)
        .expect("write png");
    let photo = h
        .app
        .state::<AppState>()
        .files
        .register(photo_path)
        .expect("register")
        .token;
    // Gone between the drop and the attach: named in the report, the others still attach.
    let gone = h.choose("gone.txt", "x");
    std::fs::remove_file(h.dir.path().join("gone.txt")).expect("remove");

    let report = h.ok(
        "attach_files",
        json!({ "user_id": id, "tokens": [contract, "unknown", gone, photo] }),
    );
    let names: Vec<&str> = report["attached"]
        .as_array()
        .expect("attached")
        .iter()
        .map(|a| a["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Contrat signé.pdf", "shop.png"]);
    let failed = report["failed"].as_array().expect("failed");
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[1]["name"], "gone.txt");
    assert_eq!(failed[1]["message"], "gone.txt no longer exists");
    assert!(
        !failed[1]["message"]
            .as_str()
            .expect("message")
            .contains(h.dir.path().to_str().expect("utf-8 path")),
        "a message never shows the folder"
    );

    let images = h.ok("list_files", json!({ "user_id": id, "kind": "image" }));
    assert_eq!(images.as_array().expect("list").len(), 1);
    let photo_id = images[0]["id"].clone();
    let contract_id = report["attached"][0]["id"].clone();

    let thumb = h.ok("file_thumbnail", json!({ "id": photo_id }));
    assert!(thumb
        .as_str()
        .expect("a data URL")
        .starts_with("data:image/png;base64,"));
    assert_eq!(
        h.ok("file_thumbnail", json!({ "id": contract_id })),
        Value::Null
    );

    let renamed = h.ok(
        "rename_file",
        json!({ "id": contract_id, "name": "Contrat signé — Zoë.pdf" }),
    );
    assert_eq!(renamed["name"], "Contrat signé — Zoë.pdf");
    let err = h
        .call("rename_file", json!({ "id": contract_id, "name": "a/b" }))
        .expect_err("a slash");
    assert_eq!(err["field"], "name");

    let found = h.ok(
        "find_files",
        json!({ "query": "signe zoe", "kind": null, "limit": 10 }),
    );
    assert_eq!(found["hits"][0]["attachment"]["id"], contract_id);
    assert_eq!(found["hits"][0]["user_name"], "Zoë Müller");

    h.ok("delete_file", json!({ "id": contract_id }));
    assert_eq!(
        h.ok("list_files", json!({ "user_id": id, "kind": null }))
            .as_array()
            .expect("list")
            .len(),
        1
    );
    h.ok("restore_file", json!({ "id": contract_id }));
    assert_eq!(
        h.ok("list_files", json!({ "user_id": id, "kind": null }))
            .as_array()
            .expect("list")
            .len(),
        2
    );
}

/// Opening a file goes through a copy under its own name; the e2e stand-in records it.
#[cfg(feature = "e2e-dialogs")]
#[test]
fn files_open_under_their_own_name_and_save_a_copy() {
    let h = harness();
    let user = h.ok("create_user", zoe());
    let token = h.choose("Plan.pdf", "%PDF plan");
    let report = h.ok(
        "attach_files",
        json!({ "user_id": user["id"], "tokens": [token] }),
    );
    let file_id = report["attached"][0]["id"].clone();

    h.ok("open_file", json!({ "id": file_id }));
    let opened = std::fs::read_to_string(h.dir.path().join(".e2e-opened")).expect("recorded");
    let path = opened.strip_prefix("open ").expect("an open");
    assert!(path.ends_with("Plan.pdf"), "{path}");
    assert_eq!(std::fs::read_to_string(path).expect("copy"), "%PDF plan");

    let dest = h.dir.path().join("copy.pdf");
    std::fs::write(
        h.dir.path().join(".e2e-dialog-save"),
        dest.display().to_string(),
    )
    .expect("answer the save dialog");
    assert_eq!(h.ok("save_file_copy", json!({ "id": file_id })), "copy.pdf");
    assert_eq!(std::fs::read_to_string(&dest).expect("saved"), "%PDF plan");

    // The picker stand-in: one path a line.
    let a = h.dir.path().join("a.txt");
    let b = h.dir.path().join("b.txt");
    std::fs::write(&a, "a").expect("write");
    std::fs::write(&b, "b").expect("write");
    std::fs::write(
        h.dir.path().join(".e2e-dialog-open"),
        format!("{}\n{}\n", a.display(), b.display()),
    )
    .expect("answer the open dialog");
    let picked = h.ok("choose_files_to_attach", json!({ "user_id": user["id"] }));
    assert_eq!(picked["attached"].as_array().expect("attached").len(), 2);
}

#[test]
fn activity_feed_filters_pages_and_the_overview_figures() {
    let h = harness();
    let user = h.ok("create_user", zoe());
    h.ok(
        "set_user_field",
        json!({ "id": user["id"], "field": "email", "value": "zoe.m@example.com" }),
    );
    let input = json!({ "title": "Call back", "description": null, "assignee_id": null,
        "due_date": "2025-03-01", "due_time": null, "priority": "none",
        "status_id": null, "category_id": null });
    let task = h.ok(
        "create_task",
        json!({ "user_id": user["id"], "input": input }),
    );

    let all = h.ok(
        "user_activity",
        json!({ "user_id": user["id"], "query": { "groups": [], "before": null, "limit": null } }),
    );
    let kinds: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"field_changed") && kinds.contains(&"task_created"),
        "{kinds:?}"
    );
    assert_eq!(kinds.last(), Some(&"user_created"));
    let change = all
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "field_changed")
        .unwrap();
    assert_eq!(
        (
            change["field"].clone(),
            change["old"].clone(),
            change["new"].clone()
        ),
        (
            json!("Email"),
            json!("zoe@example.com"),
            json!("zoe.m@example.com")
        )
    );
    assert_eq!(change["device"], "This computer");

    let tasks_only = h.ok(
        "user_activity",
        json!({ "user_id": user["id"], "query": { "groups": ["tasks"], "before": null, "limit": 10 } }),
    );
    assert_eq!(tasks_only[0]["subject_id"], task["id"]);
    assert_eq!(tasks_only.as_array().unwrap().len(), 1);

    let summary = h.ok(
        "user_summary",
        json!({ "user_id": user["id"], "today": "2025-03-10" }),
    );
    assert_eq!(
        (
            summary["open_tasks"].clone(),
            summary["overdue_tasks"].clone(),
            summary["notes"].clone()
        ),
        (json!(1), json!(1), json!(0))
    );

    let err = h
        .call(
            "user_activity",
            json!({ "user_id": "00000000-0000-0000-0000-000000000009", "query": {} }),
        )
        .expect_err("no such user");
    assert_eq!(err["kind"], "not_found");
}

#[test]
#[cfg(feature = "e2e-dialogs")]
fn a_picked_image_becomes_the_profile_image_and_the_cover_has_a_large_preview() {
    let h = harness();
    let user = h.ok("create_user", zoe());
    let photo = h.dir.path().join("zoe.png");
    image::DynamicImage::new_rgb8(2400, 800)
        .save_with_format(&photo, image::ImageFormat::Png)
        .expect("write png");
    std::fs::write(
        h.dir.path().join(".e2e-dialog-open"),
        photo.to_string_lossy().as_bytes(),
    )
    .expect("answer the picker");
    let images = h.ok(
        "choose_user_image",
        json!({ "user_id": user["id"], "role": "avatar" }),
    );
    let avatar = images["avatar_id"].clone();
    assert!(avatar.is_string(), "{images}");
    assert_eq!(
        h.ok("get_user", json!({ "id": user["id"] }))["avatar_id"],
        avatar
    );
    // Cancelled: nothing changes.
    assert_eq!(
        h.ok(
            "choose_user_image",
            json!({ "user_id": user["id"], "role": "cover" })
        ),
        Value::Null
    );

    let images = h.ok(
        "set_user_image",
        json!({ "user_id": user["id"], "role": "cover", "attachment_id": avatar }),
    );
    assert_eq!(images["cover_id"], avatar);
    let cover = h.ok("cover_image", json!({ "id": avatar }));
    assert!(cover
        .as_str()
        .expect("a data URL")
        .starts_with("data:image/jpeg;base64,"));

    let pdf = h.dir.path().join("terms.pdf");
    std::fs::write(&pdf, "%PDF-1.4").expect("write pdf");
    std::fs::write(
        h.dir.path().join(".e2e-dialog-open"),
        pdf.to_string_lossy().as_bytes(),
    )
    .expect("answer the picker");
    let err = h
        .call(
            "choose_user_image",
            json!({ "user_id": user["id"], "role": "avatar" }),
        )
        .expect_err("a PDF is no profile image");
    assert_eq!(
        (err["kind"].clone(), err["field"].clone()),
        (json!("validation"), json!("attachment_id"))
    );

    let cleared = h.ok(
        "set_user_image",
        json!({ "user_id": user["id"], "role": "avatar", "attachment_id": null }),
    );
    assert_eq!(cleared["avatar_id"], Value::Null);
}

#[test]
fn custom_fields_are_defined_ordered_trashed_and_set_with_typed_errors() {
    let h = harness();
    let id = h.ok("create_user", zoe())["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let tier = h.ok(
        "create_custom_field",
        json!({ "input": { "name": "Membership", "kind": "single_select", "required": true,
                           "options": [{ "id": null, "label": "Gold" }, { "id": null, "label": "Silver" }],
                           "currency": null } }),
    );
    assert_eq!(tier["options"][0]["label"], "Gold");
    let credit = h.ok(
        "create_custom_field",
        json!({ "input": { "name": "Credit", "kind": "money", "required": false, "options": [], "currency": "EUR" } }),
    );
    let err = h
        .call(
            "create_custom_field",
            json!({ "input": { "name": "Price", "kind": "money", "required": false, "options": [], "currency": null } }),
        )
        .expect_err("a money field needs a currency");
    assert_eq!(
        (err["kind"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("currency"))
    );

    // Values: as typed in, stored canonical, shown readable; errors name the field.
    let d = h.ok(
        "set_custom_value",
        json!({ "user_id": id, "field_id": credit["id"], "value": "19,99" }),
    );
    assert_eq!(d["custom_values"][0]["value"], "1999 EUR");
    assert_eq!(d["custom_values"][0]["display"], "19.99 EUR");
    let err = h
        .call(
            "set_custom_value",
            json!({ "user_id": id, "field_id": tier["id"], "value": "Platinum" }),
        )
        .expect_err("not an option");
    assert_eq!(err["kind"], "validation");
    assert_eq!(
        err["field"],
        format!("custom:{}", tier["id"].as_str().unwrap())
    );
    assert_eq!(
        err["message"],
        "“Platinum” is not an option of Membership — choose Gold or Silver"
    );
    let err = h
        .call(
            "create_user",
            json!({ "draft": { "first_name": "Bob", "last_name": "Ray", "email": null,
                               "mobile_phone": null, "home_phone": null, "custom_values": [] } }),
        )
        .expect_err("a required field left empty");
    assert_eq!(err["message"], "Membership is required — enter a value");
    let bob = h.ok(
        "create_user",
        json!({ "draft": { "first_name": "Bob", "last_name": "Ray", "email": null,
                           "mobile_phone": null, "home_phone": null,
                           "custom_values": [{ "field_id": tier["id"], "value": "silver" }] } }),
    );
    assert_eq!(bob["custom_values"][0]["display"], "Silver");

    // Rename and reorder; a change of kind that cannot convert changes nothing.
    let renamed = h.ok(
        "update_custom_field",
        json!({ "id": credit["id"], "input": { "name": "Store credit", "kind": "money",
                                               "required": false, "options": [], "currency": "EUR" } }),
    );
    assert_eq!(renamed["name"], "Store credit");
    let err = h
        .call(
            "update_custom_field",
            json!({ "id": tier["id"], "input": { "name": "Membership", "kind": "date",
                                                 "required": true, "options": [], "currency": null } }),
        )
        .expect_err("Silver is no date");
    assert_eq!(err["field"], "kind");
    let order = h.ok(
        "reorder_custom_fields",
        json!({ "ids": [credit["id"], tier["id"]] }),
    );
    assert_eq!(order[0]["name"], "Store credit");
    assert_eq!(order[1]["kind"], "single_select");

    assert_eq!(
        h.ok("delete_custom_field", json!({ "id": credit["id"] })),
        Value::Null
    );
    assert_eq!(
        h.ok("list_custom_fields", json!({}))
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        h.ok("list_deleted_custom_fields", json!({}))[0]["name"],
        "Store credit"
    );
    let back = h.ok("restore_custom_field", json!({ "id": credit["id"] }));
    assert_eq!(back["name"], "Store credit");
    let d = h.ok("get_user", json!({ "id": id }));
    assert_eq!(d["custom_values"][0]["display"], "19.99 EUR");
    let found = h.ok("search_users", json!({ "query": "silver", "limit": 5 }));
    assert_eq!(found["rows"][0]["id"], bob["id"]);
}

/// The app as `run` starts it on `data`: the window first, the data directory
/// opened behind it.
fn starting_app(data: tempfile::TempDir) -> Harness {
    let app = with_commands(mock_builder())
        .manage(kith_app::startup::Startup::new(data.path().to_path_buf()))
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("mock webview");
    kith_app::startup::open(app.handle().clone());
    Harness {
        dir: data,
        app,
        webview,
    }
}

/// Asks for the startup status until the open has ended; each answer's `seq` is
/// at least the one before.
fn settled_startup(h: &Harness) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut seq = 0;
    loop {
        let report = h.ok("startup_status", json!({}));
        let now = report["seq"].as_u64().expect("seq");
        assert!(now >= seq, "{report} after seq {seq}");
        seq = now;
        let status = &report["status"];
        if status["state"] != "opening" || std::time::Instant::now() > deadline {
            return status.clone();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_database_that_cannot_be_opened_is_reported_kept_as_it_was_and_can_be_retried() {
    let data = tempfile::tempdir().expect("temp dir");
    let db = data.path().join(kith_core::kith::DATABASE_FILE);
    let garbage = b"these are not the customers you are looking for\n".repeat(200);
    std::fs::write(&db, &garbage).expect("write");

    let folder = data.path().display().to_string();
    let h = starting_app(data);
    let status = settled_startup(&h);
    assert_eq!(status["state"], "failed", "{status}");
    assert_eq!(
        status["message"],
        "The file kith.db in this folder is not a Kith database, or it is damaged."
    );
    let detail = status["detail"].as_str().expect("detail");
    assert!(detail.contains("file is not a database"), "{detail}");
    assert_eq!(status["folder"], folder);
    // Nothing of the file was touched, and no command pretends the data is there.
    assert_eq!(std::fs::read(&db).expect("read"), garbage);
    assert!(h
        .call(
            "list_users",
            json!({ "sort": "name", "offset": 0, "limit": 5 })
        )
        .is_err());

    // The person moves the damaged file aside and tries again: a new database opens.
    std::fs::rename(&db, h.dir.path().join("kith.db.damaged")).expect("rename");
    h.ok("retry_startup", json!({}));
    assert_eq!(settled_startup(&h)["state"], "ready");
    let page = h.ok(
        "list_users",
        json!({ "sort": "name", "offset": 0, "limit": 5 }),
    );
    assert_eq!(page["total"], 0);
    // Once ready, a retry changes nothing.
    h.ok("retry_startup", json!({}));
    assert_eq!(
        h.ok("startup_status", json!({}))["status"]["state"],
        "ready"
    );
    drop(h.dir);
}

#[test]
fn data_written_by_a_newer_kith_is_named_as_such() {
    let data = tempfile::tempdir().expect("temp dir");
    tauri::async_runtime::block_on(async {
        let kith = kith_core::Kith::open(data.path()).await.expect("open");
        // What a later version's migration leaves behind.
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (9999, 'from the future', 1, x'00', 0)",
        )
        .execute(kith.store().pool())
        .await
        .expect("insert");
        kith.store().close().await;
    });
    let h = starting_app(data);
    let status = settled_startup(&h);
    assert_eq!(status["state"], "failed", "{status}");
    assert_eq!(
        status["message"],
        "This data was last opened by a newer version of Kith. Install that version, or a newer one, to open it."
    );
}
