//! Export to CSV: what is written, search scoping, the Excel-friendly BOM, formula
//! neutralizing, and the round trip export → import (update) that changes nothing.

mod common;

use std::sync::atomic::AtomicBool;

use kith_core::export::{export, to_file, Column, ExportError, ExportOptions};
use kith_core::import::run::{MatchOn, Mode};
use kith_core::users::{NewUser, UserField};
use kith_core::Kith;

use common::{export_file, fixture, import, import_options};

fn all(query: Option<&str>) -> ExportOptions {
    ExportOptions {
        query: query.map(Into::into),
        columns: Vec::new(),
        custom_fields: Vec::new(),
        bom: false,
    }
}

async fn export_text(kith: &Kith, opts: &ExportOptions) -> String {
    let mut out = Vec::new();
    export(
        kith.store().pool(),
        opts,
        &mut out,
        &AtomicBool::new(false),
        |_| {},
    )
    .await
    .unwrap();
    String::from_utf8(out).unwrap()
}

async fn add(kith: &Kith, first: &str, last: &str, email: Option<&str>) -> uuid::Uuid {
    kith.users()
        .create(&NewUser {
            first_name: first.into(),
            last_name: last.into(),
            email: email.map(Into::into),
            mobile_phone: Some("+44 7700 900123".into()),
            home_phone: None,
            custom_values: Vec::new(),
        })
        .await
        .unwrap()
        .id
}

#[test]
fn every_column_is_written_under_a_header_the_importer_maps_back() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        import(&kith, &fixture("google.csv"), &import_options(Mode::Create))
            .await
            .unwrap();
        let text = export_text(&kith, &all(None)).await;
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        assert_eq!(
            header,
            "Kith ID,First Name,Last Name,Email,Mobile Phone,Home Phone,App User ID,\
             Stripe Customer ID,Created At,Teams,Street,City,Region,Postal Code,Country"
        );
        let headers: Vec<String> = header.split(',').map(str::to_owned).collect();
        let mapped = kith_core::import::mapping::auto_map(&headers);
        assert!(
            !mapped.contains(&kith_core::import::mapping::Target::Ignore),
            "every exported column maps back: {mapped:?}"
        );

        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        let zoe = rows.iter().find(|r| &r[1] == "Zoë").expect("Zoë exported");
        let id = kith.search("zoe", 1).await.unwrap().rows[0].id;
        assert_eq!(&zoe[0], id.to_string());
        assert_eq!(&zoe[2], "Müller");
        assert_eq!(&zoe[3], "zoe@example.com");
        assert_eq!(&zoe[4], "+12025550143");
        assert_eq!(&zoe[5], "+12025550199");
        assert_eq!(&zoe[9], "VIP");
        let street = &zoe[10];
        assert!(
            street.starts_with("12 Elm St") && street.ends_with("\nApt 4"),
            "a line break inside a cell survives: {street:?}"
        );
        assert_eq!((&zoe[11], &zoe[13], &zoe[14]), ("Boston", "02110", "US"));
        assert!(zoe[8].ends_with('Z') && zoe[8].contains('T'), "{}", &zoe[8]);
    });
}

#[test]
fn a_search_exports_all_its_matches_and_only_them() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        for i in 0..120 {
            add(&kith, "Eva", &format!("Evans{i:03}"), None).await;
        }
        add(&kith, "Bob", "Stone", Some("bob@example.com")).await;
        add(&kith, "Zoë", "Müller", Some("zoe@example.com")).await;
        let count = |t: &str| t.lines().count() - 1;
        // More matches than one search page (limit 500 max, 50 in the app).
        assert_eq!(count(&export_text(&kith, &all(Some("evans"))).await), 120);
        assert_eq!(count(&export_text(&kith, &all(Some("ev"))).await), 120);
        assert_eq!(count(&export_text(&kith, &all(Some("muller"))).await), 1);
        assert_eq!(
            count(&export_text(&kith, &all(Some("7700 900"))).await),
            122
        );
        assert_eq!(count(&export_text(&kith, &all(Some("zzzz"))).await), 0);
        assert_eq!(count(&export_text(&kith, &all(Some("  "))).await), 122);
        assert_eq!(count(&export_text(&kith, &all(None)).await), 122);
        // The count the export dialog shows agrees with what is exported.
        for q in ["evans", "ev", "muller", "7700 900", "zzzz", "  "] {
            let n = kith_core::search::count_matches(kith.store().pool(), q)
                .await
                .unwrap();
            assert_eq!(
                n as usize,
                count(&export_text(&kith, &all(Some(q))).await),
                "{q:?}"
            );
        }
        let text = export_text(&kith, &all(Some("eva e"))).await;
        assert_eq!(count(&text), 120, "short words filter too");
        // Name order.
        let names: Vec<&str> = text.lines().skip(1).take(2).collect();
        assert!(names[0].contains("Evans000") && names[1].contains("Evans001"));
    });
}

#[test]
fn chosen_columns_bom_and_formulas() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let id = add(&kith, "=HYPERLINK(\"http://x\")", "Smith", None).await;
        let opts = ExportOptions {
            query: None,
            columns: vec![Column::LastName, Column::FirstName],
            custom_fields: Vec::new(),
            bom: true,
        };
        let mut out = Vec::new();
        export(
            kith.store().pool(),
            &opts,
            &mut out,
            &AtomicBool::new(false),
            |_| {},
        )
        .await
        .unwrap();
        assert!(out.starts_with(b"\xEF\xBB\xBFLast Name,First Name\n"));
        let text = String::from_utf8(out[3..].to_vec()).unwrap();
        assert_eq!(
            text.lines().nth(1).unwrap(),
            "Smith,\"'=HYPERLINK(\"\"http://x\"\")\""
        );

        // Re-importing restores the value exactly: nothing to update.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.csv");
        export_file(&kith, &all(None), &file).await;
        let mut opts = import_options(Mode::Update);
        opts.match_on = MatchOn::Phone;
        let report = import(&kith, &file, &opts).await.unwrap();
        assert_eq!((report.updated, report.skipped), (0, 1), "{report:?}");
        assert_eq!(
            kith.users().get(id).await.unwrap().first_name,
            "=HYPERLINK(\"http://x\")"
        );
    });
}

#[test]
fn round_trip_export_then_import_as_updates_changes_nothing() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        for f in ["google.csv", "outlook.csv", "hubspot.csv", "shopify.csv"] {
            let report = import(&kith, &fixture(f), &import_options(Mode::Create))
                .await
                .unwrap();
            assert!(report.committed, "{f}: {report:?}");
        }
        // Users without an email, with odd characters, with a home phone only.
        let plain = add(&kith, "Ann", "O'Neil; \"Jr\"", None).await;
        kith.users()
            .set_field(plain, UserField::MobilePhone, None)
            .await
            .unwrap();
        kith.users()
            .set_field(plain, UserField::HomePhone, Some("+1 202 555 0100"))
            .await
            .unwrap();
        add(&kith, "Łukasz", "Żółć", Some("lz@example.pl")).await;

        let dir = tempfile::tempdir().unwrap();
        for bom in [false, true] {
            let file = dir.path().join(format!("users-{bom}.csv"));
            let opts = ExportOptions { bom, ..all(None) };
            let n = export_file(&kith, &opts, &file).await;
            assert_eq!(n as i64, kith.users().count().await.unwrap());
            assert!(!dir.path().join(format!("users-{bom}.csv.part")).exists());

            let before = common::dump(kith.store()).await;
            let outbox = kith.store().outbox(100_000).await.unwrap().len();
            let report = import(&kith, &file, &import_options(Mode::Update))
                .await
                .unwrap();
            assert_eq!(
                (
                    report.created,
                    report.updated,
                    report.failed,
                    report.skipped
                ),
                (0, 0, 0, n),
                "{report:?}"
            );
            assert_eq!(common::dump(kith.store()).await, before);
            assert_eq!(kith.store().outbox(100_000).await.unwrap().len(), outbox);
        }
    });
}

#[test]
fn a_cancelled_export_leaves_no_file() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        kith_core::demo::generate(kith.store(), 12_000, 1)
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("users.csv");
        let cancel = AtomicBool::new(true);
        let result = to_file(kith.store().pool(), &all(None), &file, &cancel, |_| {}).await;
        assert!(matches!(result, Err(ExportError::Cancelled)));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    });
}

#[test]
fn demo_users_survive_the_round_trip_unchanged() {
    // Demo data is written without the importer's validation: numbers from many
    // countries, teams, addresses. Re-importing its export must change nothing.
    common::runtime().block_on(async {
        let (d, kith) = common::kith().await;
        kith_core::demo::generate(kith.store(), 600, 3)
            .await
            .unwrap();
        let file = d.path().join("demo.csv");
        export_file(&kith, &all(None), &file).await;
        let before = common::dump(kith.store()).await;
        let report = import(&kith, &file, &import_options(Mode::Upsert))
            .await
            .unwrap();
        assert_eq!(
            (report.created, report.updated, report.failed),
            (0, 0, 0),
            "{report:?}"
        );
        assert_eq!(common::dump(kith.store()).await, before);
    });
}
