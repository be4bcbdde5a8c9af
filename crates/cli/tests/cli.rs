//! kith-cli end to end: the real binary over a real data directory.

mod common;

use common::{cli, json};
use serde_json::Value;

#[test]
fn add_show_search_delete_restore() {
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
            "--email",
            "zoe@example.com",
            "--mobile-phone",
            "+1 (555) 123-4567",
        ],
    );
    assert_eq!(user["first_name"], "Zoë");
    assert_eq!(user["mobile_phone"], "+15551234567");
    assert_eq!(user["has_generated_password"], true);
    let id = user["id"].as_str().unwrap().to_owned();

    assert_eq!(json(d, &["users", "show", &id])["email"], "zoe@example.com");
    let found = json(d, &["search", "muller"]);
    assert_eq!(found["rows"][0]["id"], id.as_str());
    let found = json(d, &["search", "5551234"]);
    assert_eq!(found["rows"][0]["id"], id.as_str());
    assert_eq!(json(d, &["users", "list"])["total"], 1);

    json(d, &["users", "delete", &id]);
    assert_eq!(json(d, &["users", "list"])["total"], 0);
    assert_eq!(
        json(d, &["search", "muller"])["rows"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let restored = json(d, &["users", "restore", &id]);
    assert_eq!(restored["deleted_at"], Value::Null);
    assert_eq!(json(d, &["users", "list"])["total"], 1);
}

#[test]
fn errors_exit_non_zero_with_one_line_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path())
        .args([
            "users",
            "add",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--email",
            "not-an-email",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("missing an @"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        json(dir.path(), &["users", "list"])["total"],
        0,
        "nothing saved"
    );

    let out = cli(dir.path())
        .args(["users", "show", "00000000-0000-0000-0000-000000000001"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));
}

#[test]
fn demo_data_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for d in [a.path(), b.path()] {
        assert_eq!(
            json(d, &["demo", "--users", "300", "--seed", "7"])["users"],
            300
        );
    }
    let list = |d| json(d, &["users", "list", "--limit", "300"]);
    let (la, lb) = (list(a.path()), list(b.path()));
    assert_eq!(la["total"], 300);
    // Same users, same ids; only last-activity clocks (the time of writing) differ.
    let strip = |v: &Value| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.as_object_mut().unwrap().remove("last_activity_at");
                r
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&la), strip(&lb));
    let other = tempfile::tempdir().unwrap();
    json(other.path(), &["demo", "--users", "300", "--seed", "8"]);
    assert_ne!(strip(&la), strip(&list(other.path())));
}

#[test]
fn bench_runs_and_reports_ratios() {
    let work = tempfile::tempdir().unwrap();
    let report = json(
        work.path(),
        &[
            "bench",
            "--sizes",
            "400",
            "--queries",
            "5",
            "--reference-queries",
            "2",
            "--notes",
            "2000",
            "--opens",
            "3",
            "--profile-users",
            "200",
            "--sync-users",
            "300",
            "--round-trips",
            "3",
            "--work-dir",
            work.path().to_str().unwrap(),
        ],
    );
    let search = report["search"].as_array().unwrap();
    assert_eq!(
        search.len(),
        4,
        "name, full name, email and phone-digit queries"
    );
    assert!(search
        .iter()
        .all(|f| f["kith_p99_ms"].as_f64().unwrap() > 0.0));
    assert_eq!(report["open"][0]["users"], 400);
    // The import part: the real importer as a child process, found right after.
    let import = &report["import"][0];
    assert_eq!(import["rows"], 400);
    assert!(import["kith_s"].as_f64().unwrap() > 0.0);
    assert!(import["kith_peak_rss_mb"].as_f64().unwrap() > 0.0);
    assert!(import["search_after_ms"].as_f64().unwrap() > 0.0);
    // Then that import undone (the bench checks every user went to the trash).
    assert!(import["undo_s"].as_f64().unwrap() > 0.0, "{import}");
    assert!(
        import["undo_peak_rss_mb"].as_f64().unwrap() > 0.0,
        "{import}"
    );
    // setup.sh installs sqlite3, so the reference is measured beside it.
    assert!(import["ratio"].as_f64().unwrap() > 0.0, "{import}");
    // The note search part: every kind of query, indexed and by the LIKE reference.
    let notes = &report["notes"];
    assert_eq!(notes["notes"], 2000);
    let figures = notes["figures"].as_array().unwrap();
    assert_eq!(figures.len(), 5, "{notes}");
    assert!(figures
        .iter()
        .all(|f| f["kith_p99_ms"].as_f64().unwrap() > 0.0
            && f["like_p99_ms"].as_f64().unwrap() > 0.0));
    // The busy profile: the first screen and each tab beside the reference read.
    let profile = &report["profile"];
    assert!(
        profile["reference_p50_ms"].as_f64().unwrap() > 0.0,
        "{profile}"
    );
    let figures = profile["figures"].as_array().unwrap();
    assert_eq!(figures.len(), 5, "{profile}");
    assert!(figures.iter().all(|f| f["ratio"].as_f64().unwrap() > 0.0));
    // Sync through a real server: every figure beside its reference.
    let sync = &report["sync"];
    assert_eq!(sync["users"], 300, "{sync}");
    assert_eq!(
        sync["snapshot_changes"], 603,
        "users, notes, and staff records"
    );
    for figure in [
        "bootstrap_ratio",
        "apply_ratio",
        "round_trip_ratio_p50",
        "visibility_ratio_p50",
    ] {
        assert!(sync[figure].as_f64().unwrap() > 0.0, "{figure}: {sync}");
    }
}

#[test]
fn import_errors_report_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = d.join("people.csv");
    std::fs::write(
        &csv,
        "Vorname;Nachname;E-Mail;Notiz\n\
         Jürgen;Schäfer;juergen@example.de;ok\n\
         Bob;Ray;bob-at-example;4242 4242 4242 4242\n\
         Cy;Di;cy@example.com;\n",
    )
    .unwrap();
    let errors = d.join("errors.csv");
    let dry = json(d, &["import", csv.to_str().unwrap(), "--dry-run"]);
    assert_eq!(
        (dry["created"].as_u64(), dry["failed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(dry["errors"][0]["row"], 3);
    assert_eq!(dry["errors"][0]["column"], "E-Mail");
    assert_eq!(
        json(d, &["users", "list"])["total"],
        0,
        "a dry run changes nothing"
    );

    // Without --skip-invalid one bad row keeps every row out, and the exit says so:
    // the report still lists the refused row.
    let refused = cli(d)
        .args([
            "--json",
            "import",
            csv.to_str().unwrap(),
            "--map",
            "Notiz=ignore",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success(), "nothing imported is not success");
    let refused_report: Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(
        (
            refused_report["committed"].as_bool(),
            refused_report["failed"].as_u64()
        ),
        (Some(false), Some(1))
    );
    assert_eq!(refused_report["errors"][0]["row"], 3);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("nothing imported: 1 row is invalid"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(json(d, &["users", "list"])["total"], 0);

    let report = json(
        d,
        &[
            "import",
            csv.to_str().unwrap(),
            "--skip-invalid",
            "--errors",
            errors.to_str().unwrap(),
            "--map",
            "Notiz=ignore",
        ],
    );
    assert_eq!(report["created"], 2);
    let batch = report["batch_id"].as_str().unwrap().to_owned();
    let written = std::fs::read_to_string(&errors).unwrap();
    assert!(written.starts_with('\u{feff}'), "Excel-friendly BOM");
    assert!(written.contains("Bob,Ray,bob-at-example,[card number removed],E-Mail: This email address is missing an @"), "{written}");
    assert!(
        !written.contains("4242 4242"),
        "the report never carries a card number"
    );

    assert_eq!(
        json(d, &["search", "schafer"])["rows"][0]["first_name"],
        "Jürgen"
    );
    let imports = json(d, &["imports"]);
    assert_eq!(
        imports[0]["batch_id"],
        batch.as_str(),
        "the import is listed, to undo later"
    );
    assert_eq!(
        (
            imports[0]["created"].as_u64(),
            imports[0]["failed"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert!(imports[0]["undone_at"].is_null());
    let undone = json(d, &["undo-import", &batch]);
    assert_eq!(undone["removed"], 2);
    assert_eq!(json(d, &["users", "list"])["total"], 0);
    assert!(
        json(d, &["imports"])[0]["undone_at"].is_i64(),
        "listed as undone"
    );

    let out = cli(d)
        .args(["import", d.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is a folder"),
        "a dropped folder gets a clear message"
    );
}

/// `--encoding` reads a file in the code page named, for the files whose code
/// page is not detected; a name of no encoding is refused before anything runs.
#[test]
fn import_reads_the_encoding_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = d.join("latin9.csv");
    // "Šárka Žáková" in ISO-8859-15, which the detector takes for Windows-1252.
    std::fs::write(
        &csv,
        b"First Name,Last Name,Email\n\xa6\xe1rka,\xb4\xe1kov\xe1,sarka@example.com\n",
    )
    .unwrap();
    let report = json(
        d,
        &["import", csv.to_str().unwrap(), "--encoding", "iso-8859-15"],
    );
    assert_eq!(report["created"], 1);
    let found = json(d, &["search", "sarka@example.com"]);
    assert_eq!(
        (
            &found["rows"][0]["first_name"],
            &found["rows"][0]["last_name"]
        ),
        (&Value::from("Šárka"), &Value::from("Žáková"))
    );

    let out = cli(d)
        .args(["import", csv.to_str().unwrap(), "--encoding", "klingon"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no text encoding is called \"klingon\""),
        "{stderr}"
    );

    let header_only = d.join("empty.csv");
    std::fs::write(&header_only, "First Name,Email\n").unwrap();
    let out = cli(d)
        .args(["import", header_only.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no customers under it"), "{stderr}");
}

/// A report's title lines are left out, and the CLI says which.
#[test]
fn import_says_which_title_lines_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = d.join("report.csv");
    std::fs::write(
        &csv,
        "Customer list\nNovember 2026\n\nName,Email\nAnn Lee,ann@example.com\n",
    )
    .unwrap();
    let out = cli(d)
        .args(["--json", "import", csv.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&report["created"], &report["failed"]),
        (&Value::from(1), &Value::from(0))
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "left out the title lines above the column names: Customer list · November 2026"
        ),
        "{stderr}"
    );
}

/// A vCard file imports like a CSV file; its cards' errors name the line each
/// card begins on, and `--map` takes the columns the cards were read into.
#[test]
fn import_reads_a_vcard_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let vcf = d.join("contacts.vcf");
    std::fs::write(
        &vcf,
        "BEGIN:VCARD\nVERSION:3.0\nN:Lee;Ann;;;\nEMAIL:ann@example.com\nORG:Corner Shop\nEND:VCARD\n\
         \nBEGIN:VCARD\nVERSION:3.0\nN:Ray;Bob;;;\nEMAIL:bob-at-example\nEND:VCARD\n",
    )
    .unwrap();
    // The organization to a custom field; the JSON report.
    let import_mapped = || -> Value {
        let out = cli(d)
            .args(["--json", "import", vcf.to_str().unwrap()])
            .args(["--map", "Organization=custom:Company"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let report = import_mapped();
    assert_eq!(
        (&report["failed"], &report["committed"]),
        (&Value::from(1), &Value::from(false)),
        "nothing is written while a row is bad: {report}"
    );
    assert_eq!(report["errors"][0]["row"], 8, "{report}");
    assert_eq!(report["errors"][0]["column"], "E-mail 1 - Value");
    assert_eq!(json(d, &["users", "list"])["total"], 0);

    // Told on stderr by the line the card begins on.
    let out = cli(d)
        .args(["import", vcf.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 8, E-mail 1 - Value: "), "{stderr}");

    // Fixed, the organization lands in the custom field it was mapped to.
    let fixed = std::fs::read_to_string(&vcf)
        .unwrap()
        .replace("bob-at-example", "bob@example.com");
    std::fs::write(&vcf, fixed).unwrap();
    let report = import_mapped();
    assert_eq!(report["created"], 2, "{report}");
    let csv = d.join("out.csv");
    let out = cli(d)
        .args(["export", csv.to_str().unwrap(), "--query", "ann lee"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let exported = std::fs::read_to_string(&csv).unwrap();
    assert!(exported.contains("Company"), "{exported}");
    assert!(exported.contains("Corner Shop"), "{exported}");
}

#[test]
fn staff_and_tasks_add_list_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let zoe = json(d, &["staff", "add", "Zoë", "--email", "zoe@example.com"]);
    assert_eq!(zoe["name"], "Zoë");
    assert!(zoe["color"].as_str().unwrap().starts_with('#'));
    json(d, &["staff", "add", "Ben"]);
    let staff = json(d, &["staff", "list"]);
    assert_eq!(staff.as_array().unwrap().len(), 2);

    let user = json(
        d,
        &[
            "users",
            "add",
            "--first-name",
            "Ada",
            "--last-name",
            "Lovelace",
        ],
    );
    let user_id = user["id"].as_str().unwrap().to_owned();
    let task = json(
        d,
        &[
            "tasks",
            "add",
            "--user",
            &user_id,
            "--title",
            "Call back",
            "--due",
            "2025-03-10",
            "--time",
            "9:30",
            "--priority",
            "high",
            "--assignee",
            "zoë",
        ],
    );
    assert_eq!(task["title"], "Call back");
    assert_eq!(task["due_time"], "09:30");
    assert_eq!(task["priority"], "high");
    assert_eq!(task["assignee_id"], zoe["id"]);
    assert_eq!(task["user_name"], "Ada Lovelace");
    assert_eq!(task["done"], false);
    json(
        d,
        &["tasks", "add", "--user", &user_id, "--title", "Unassigned"],
    );

    let mine = json(d, &["tasks", "list", "--assignee", "Zoë"]);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let all = json(d, &["tasks", "list", "--user", &user_id]);
    assert_eq!(all.as_array().unwrap().len(), 2);

    let id = task["id"].as_str().unwrap();
    let done = json(d, &["tasks", "done", id]);
    assert_eq!(done["done"], true);
    assert!(done["completed_at"].is_number());
    // Completed tasks leave the open list, and sort last on the user's.
    assert_eq!(
        json(d, &["tasks", "list", "--assignee", "Zoë"]),
        Value::Array(vec![])
    );
    assert_eq!(json(d, &["tasks", "list", "--user", &user_id])[1]["id"], id);

    for (args, needle) in [
        (
            vec!["tasks", "add", "--user", &user_id, "--title", " "],
            "title",
        ),
        (
            vec![
                "tasks",
                "add",
                "--user",
                &user_id,
                "--title",
                "T",
                "--priority",
                "asap",
            ],
            "priority",
        ),
        (
            vec![
                "tasks",
                "add",
                "--user",
                &user_id,
                "--title",
                "T",
                "--assignee",
                "Nobody",
            ],
            "Nobody",
        ),
        (vec!["staff", "add", "zoë"], "already"),
    ] {
        let out = cli(d).args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.to_lowercase().contains(&needle.to_lowercase()),
            "{args:?}: {err}"
        );
    }
}
