//! Running imports against a real store: what is stored, upserts, undo, dry runs,
//! invalid rows, duplicates inside the file, and cancelling half-way.

mod common;

use std::path::{Path, PathBuf};

use kith_core::import::run::{ImportOptions, Mode, RunError};
use kith_core::import::undo::undo;
use kith_core::users::UserSort;

use common::{fixture, import, import_options as options};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_google_export_is_stored_field_by_field() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let report = import(&kith, &fixture("google.csv"), &options(Mode::Create))
            .await
            .unwrap();
        assert_eq!((report.created, report.updated, report.failed), (2, 0, 0));
        assert!(report.committed && report.batch_id.is_some());

        let zoe = kith.search("zoe muller", 5).await.unwrap().rows[0].clone();
        let d = kith.users().get(zoe.id).await.unwrap();
        assert_eq!(
            (d.first_name.as_str(), d.last_name.as_str()),
            ("Zoë", "Müller")
        );
        assert_eq!(d.email.as_deref(), Some("zoe@example.com"));
        assert_eq!(d.mobile_phone.as_deref(), Some("+12025550143"));
        assert_eq!(d.home_phone.as_deref(), Some("+12025550199"));
        assert_eq!(d.source, kith_core::users::UserSource::Import);
        assert!(
            !d.has_generated_password,
            "imported users get no generated password"
        );
        assert_eq!(d.addresses[0].city, "Boston");
        assert_eq!(
            d.teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["VIP"]
        );
        assert_eq!(
            kith.search("angstrom", 5).await.unwrap().rows.len(),
            1,
            "searchable at once"
        );
    });
}

#[test]
fn upsert_keeps_blank_cells_and_undo_restores_everything() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let first = write(dir.path(), "a.csv", "First Name,Last Name,Email,Mobile\nAnn,Lee,ann@example.com,+1 202 555 0143\n");
        import(&kith, &first, &options(Mode::Create)).await.unwrap();
        let second = write(
            dir.path(),
            "b.csv",
            "First Name,Last Name,Email,Mobile\nAnnie,,ANN@example.com,\nBob,Ray,bob@example.com,\n",
        );
        let report = import(&kith, &second, &options(Mode::Upsert)).await.unwrap();
        assert_eq!((report.created, report.updated), (1, 1));
        let ann = kith.search("ann@example.com", 5).await.unwrap().rows[0].clone();
        assert_eq!(ann.first_name, "Annie");
        assert_eq!(ann.last_name, "Lee", "a blank cell keeps the existing value");
        assert_eq!(ann.mobile_phone.as_deref(), Some("+12025550143"));

        let undone = undo(kith.store(), report.batch_id.unwrap(), |_| {}).await.unwrap();
        assert_eq!((undone.removed, undone.reverted), (1, 1));
        let ann = kith.users().get(ann.id).await.unwrap();
        assert_eq!(ann.first_name, "Ann", "the update is reverted");
        assert!(kith.search("bob", 5).await.unwrap().rows.is_empty(), "the created user is in the trash");
        assert!(matches!(undo(kith.store(), report.batch_id.unwrap(), |_| {}).await, Err(RunError::AlreadyUndone(_))));
    });
}

#[test]
fn an_undo_long_after_leaves_users_deleted_since_as_they_were() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let file = write(
            dir.path(),
            "a.csv",
            "First Name,Email\nAnn,ann@example.com\nBob,bob@example.com\nCy,cy@example.com\n",
        );
        let report = import(&kith, &file, &options(Mode::Create)).await.unwrap();
        let bob = kith.search("bob@", 1).await.unwrap().rows[0].id;
        kith.users().delete(bob).await.unwrap();
        let deleted_at = || async {
            sqlx::query_scalar::<_, Option<i64>>("SELECT deleted_at FROM users WHERE id = ?")
                .bind(bob.to_string())
                .fetch_one(kith.store().pool())
                .await
                .unwrap()
        };
        let when = deleted_at().await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;

        let undone = undo(kith.store(), report.batch_id.unwrap(), |_| {})
            .await
            .unwrap();
        assert_eq!(
            (undone.removed, undone.already_deleted),
            (2, 1),
            "Bob was in the trash already: not counted again"
        );
        assert_eq!(
            deleted_at().await,
            when,
            "nor moved to the top of the trash"
        );
        assert_eq!(
            kith.users()
                .list(UserSort::Name, 0, 10)
                .await
                .unwrap()
                .total,
            0
        );
    });
}

#[test]
fn a_row_without_a_name_updates_the_user_it_matches_but_creates_nobody() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let first = write(
            dir.path(),
            "a.csv",
            "First Name,Email\nAnn,ann@example.com\n",
        );
        import(&kith, &first, &options(Mode::Create)).await.unwrap();
        // A file to tag existing customers: emails and a tag, no names.
        let tags = write(
            dir.path(),
            "tags.csv",
            "Email,Tags,Stripe ID\nann@example.com,VIP,cus_A1\nnew@example.com,VIP,cus_B2\n",
        );

        let create = import(&kith, &tags, &options(Mode::Create)).await.unwrap();
        assert_eq!(
            (create.created, create.skipped, create.failed),
            (0, 1, 1),
            "{create:?}"
        );
        assert_eq!(create.errors[0].row, 3);
        assert!(
            create.errors[0].message.contains("no first or last name"),
            "{create:?}"
        );
        assert!(!create.committed);

        let mut update = options(Mode::Update);
        update.dry_run = true;
        let dry = import(&kith, &tags, &update).await.unwrap();
        assert_eq!((dry.updated, dry.skipped, dry.failed), (1, 1, 0), "{dry:?}");

        let mut upsert = options(Mode::Upsert);
        upsert.skip_invalid = true;
        let report = import(&kith, &tags, &upsert).await.unwrap();
        assert_eq!(
            (report.created, report.updated, report.failed, report.to_fix),
            (0, 1, 1, 1),
            "{report:?}"
        );
        assert!(report.errors[0]
            .message
            .contains("matches no user to update"));
        let ann = kith.search("ann@example.com", 5).await.unwrap().rows[0].id;
        let ann = kith.users().get(ann).await.unwrap();
        assert_eq!(ann.first_name, "Ann", "a blank name keeps hers");
        assert_eq!(ann.stripe_customer_id.as_deref(), Some("cus_A1"));
        assert_eq!(
            ann.teams
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>(),
            ["VIP"]
        );
        assert!(kith
            .search("new@example.com", 5)
            .await
            .unwrap()
            .rows
            .is_empty());
    });
}

#[test]
fn undo_takes_back_the_teams_and_addresses_an_update_added() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let first = write(
            dir.path(),
            "a.csv",
            "First Name,Email,City,Tags\nAnn,ann@example.com,Lyon,Regulars\n",
        );
        import(&kith, &first, &options(Mode::Create)).await.unwrap();
        let ann = kith.search("ann@example.com", 5).await.unwrap().rows[0].id;

        // Only new children: no field changes, yet the user is updated.
        let second = write(
            dir.path(),
            "b.csv",
            "Email,City,Tags\nann@example.com,Paris,Regulars;VIP\n",
        );
        let mut opts = options(Mode::Upsert);
        opts.default_teams = vec!["Autumn fair".into()];
        let report = import(&kith, &second, &opts).await.unwrap();
        assert_eq!((report.created, report.updated), (0, 1), "{report:?}");
        let after = kith.users().get(ann).await.unwrap();
        let mut teams: Vec<_> = after.teams.iter().map(|t| t.name.as_str()).collect();
        teams.sort_unstable();
        assert_eq!(teams, ["Autumn fair", "Regulars", "VIP"]);
        assert_eq!(after.addresses.len(), 2);

        let undone = undo(kith.store(), report.batch_id.unwrap(), |_| {})
            .await
            .unwrap();
        assert_eq!(undone.reverted, 1);
        let back = kith.users().get(ann).await.unwrap();
        let teams: Vec<_> = back.teams.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            teams,
            ["Regulars"],
            "the memberships the import added are gone, hers stays"
        );
        let cities: Vec<_> = back.addresses.iter().map(|a| a.city.as_str()).collect();
        assert_eq!(cities, ["Lyon"], "the address the import added is gone");
    });
}

/// Imports one row for Ann (first name, last name, email, city, tags, loyalty
/// tier as a custom field) from a file named `name`; returns the batch.
async fn import_ann(
    dir: &Path,
    kith: &kith_core::Kith,
    name: &str,
    row: &str,
    mode: Mode,
) -> uuid::Uuid {
    use kith_core::import::mapping::{auto_map, Target};
    let headers = [
        "First Name",
        "Last Name",
        "Email",
        "City",
        "Tags",
        "Loyalty tier",
    ];
    let mut mapping = auto_map(&headers.map(String::from));
    mapping[5] = Target::Custom {
        name: "Loyalty tier".into(),
    };
    let opts = ImportOptions {
        mapping: Some(mapping),
        ..options(mode)
    };
    let file = write(dir, name, &format!("{}\n{row}\n", headers.join(",")));
    let report = import(kith, &file, &opts).await.unwrap();
    assert_eq!(report.created + report.updated, 1, "{report:?}");
    report.batch_id.unwrap()
}

/// Ann as a first import makes her (Lyon, Regulars, loyalty Gold), and a second
/// import that changes her names and loyalty and adds a Paris address and the
/// VIP team; returns her id and the second import's batch.
async fn ann_imported_twice(dir: &Path, kith: &kith_core::Kith) -> (uuid::Uuid, uuid::Uuid) {
    let row = "Ann,Lee,ann@example.com,Lyon,Regulars,Gold";
    import_ann(dir, kith, "a.csv", row, Mode::Create).await;
    let ann = kith.search("ann@example.com", 1).await.unwrap().rows[0].id;
    let row = "Annie,Leigh,ann@example.com,Paris,Regulars;VIP,Silver";
    (ann, import_ann(dir, kith, "b.csv", row, Mode::Upsert).await)
}

fn loyalty(d: &kith_core::users::UserDetail) -> &str {
    &d.custom_values[0].value
}

/// What someone does after the imports of [`ann_imported_twice`]: sets Ann's
/// first name to "Anne" by hand and corrects the street of her Paris address.
async fn anne_corrected_by_hand(kith: &kith_core::Kith, ann: uuid::Uuid) {
    use kith_core::users::{AddressInput, UserField};
    let users = kith.users();
    users
        .set_field(ann, UserField::FirstName, Some("Anne"))
        .await
        .unwrap();
    let now = users.get(ann).await.unwrap();
    let paris = now.addresses.iter().find(|a| a.city == "Paris").unwrap().id;
    let corrected = AddressInput {
        street: "12 rue de la Paix".into(),
        city: "Paris".into(),
        ..AddressInput::default()
    };
    users.update_address(paris, &corrected).await.unwrap();
}

#[test]
fn undo_keeps_what_someone_changed_since_the_import() {
    use kith_core::protocol::{Change, Hlc, NodeId, Value};
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let (ann, batch) = ann_imported_twice(dir.path(), &kith).await;
        let users = kith.users();

        // Since the import: her first name set by hand, the Paris address
        // corrected, VIP taken away, and her last name changed on another desktop.
        anne_corrected_by_hand(&kith, ann).await;
        let now = users.get(ann).await.unwrap();
        let vip = now.teams.iter().find(|t| t.name == "VIP").unwrap().id;
        users.set_team(ann, vip, false).await.unwrap();
        let elsewhere = Change {
            table: "users".into(),
            row: ann,
            hlc: Hlc::new(kith.store().clock().await.millis() + 1, 0),
            node: NodeId(uuid::Uuid::from_u128(7)),
            fields: [("last_name".to_owned(), Value::from("Lee-Smith"))].into(),
        };
        kith.store().merge(&[elsewhere]).await.unwrap();

        let undone = undo(kith.store(), batch, |_| {}).await.unwrap();
        assert_eq!(
            (undone.reverted, undone.kept),
            (1, 3),
            "the first and last names and the corrected address are kept; \
             the team someone removed already is not counted: {undone:?}"
        );
        let back = users.get(ann).await.unwrap();
        assert_eq!(back.first_name, "Anne", "changed by hand since");
        assert_eq!(
            back.last_name, "Lee-Smith",
            "changed on another desktop since"
        );
        assert_eq!(loyalty(&back), "Gold", "untouched since: reverted");
        let mut cities: Vec<_> = back.addresses.iter().map(|a| a.city.as_str()).collect();
        cities.sort_unstable();
        assert_eq!(cities, ["Lyon", "Paris"], "the corrected address stays");
        let teams: Vec<_> = back.teams.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(teams, ["Regulars"]);
    });
}

#[test]
fn undoing_a_later_import_first_leaves_the_earlier_ones_values_to_its_own_undo() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let (ann, second) = ann_imported_twice(dir.path(), &kith).await;
        let row = "Anna,Lyle,ann@example.com,Paris,Regulars;VIP,Bronze";
        let third = import_ann(dir.path(), &kith, "c.csv", row, Mode::Upsert).await;
        let users = kith.users();

        let undone = undo(kith.store(), third, |_| {}).await.unwrap();
        assert_eq!((undone.reverted, undone.kept), (1, 0), "{undone:?}");
        let back = users.get(ann).await.unwrap();
        assert_eq!(
            (back.first_name.as_str(), loyalty(&back)),
            ("Annie", "Silver")
        );
        // What the third import's undo put back is the second import's again.
        let undone = undo(kith.store(), second, |_| {}).await.unwrap();
        assert_eq!((undone.reverted, undone.kept), (1, 0), "{undone:?}");
        let back = users.get(ann).await.unwrap();
        assert_eq!(
            (
                back.first_name.as_str(),
                back.last_name.as_str(),
                loyalty(&back)
            ),
            ("Ann", "Lee", "Gold")
        );
        let cities: Vec<_> = back.addresses.iter().map(|a| a.city.as_str()).collect();
        assert_eq!(cities, ["Lyon"]);
        let teams: Vec<_> = back.teams.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(teams, ["Regulars"]);
    });
}

#[test]
fn a_user_trashed_since_the_import_is_undone_too_and_comes_back_as_before_it() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let (ann, batch) = ann_imported_twice(dir.path(), &kith).await;
        kith.users().delete(ann).await.unwrap();
        let undone = undo(kith.store(), batch, |_| {}).await.unwrap();
        assert_eq!((undone.reverted, undone.kept), (1, 0), "{undone:?}");
        let back = kith.users().restore(ann).await.unwrap();
        assert_eq!(
            (
                back.first_name.as_str(),
                back.last_name.as_str(),
                loyalty(&back)
            ),
            ("Ann", "Lee", "Gold"),
            "the trash keeps values; the undo put them back there too"
        );
    });
}

#[test]
fn after_a_restamp_values_are_still_told_apart_but_added_rows_go() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let (ann, batch) = ann_imported_twice(dir.path(), &kith).await;
        let users = kith.users();
        anne_corrected_by_hand(&kith, ann).await;
        // A server refused the outbox as stamped in the future: the import's
        // writes get new clocks, which no longer tell its added rows from rows
        // edited since.
        kith.store().restamp_outbox().await.unwrap();
        let range: (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT hlc_from, hlc_to FROM import_batches WHERE id = ?")
                .bind(batch.to_string())
                .fetch_one(kith.store().pool())
                .await
                .unwrap();
        assert_eq!(range, (None, None), "the import's clocks are forgotten");

        let undone = undo(kith.store(), batch, |_| {}).await.unwrap();
        assert_eq!((undone.reverted, undone.kept), (1, 1), "{undone:?}");
        let back = users.get(ann).await.unwrap();
        assert_eq!(
            (
                back.first_name.as_str(),
                back.last_name.as_str(),
                loyalty(&back)
            ),
            ("Anne", "Lee", "Gold"),
            "values are compared with what the import set, whatever their clocks"
        );
        let cities: Vec<_> = back.addresses.iter().map(|a| a.city.as_str()).collect();
        assert_eq!(
            cities,
            ["Lyon"],
            "the address it added goes, as before imports kept clocks"
        );
    });
}

#[test]
fn undo_removes_the_teams_and_fields_it_created_that_nobody_uses() {
    use kith_core::import::mapping::{auto_map, Target};
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let first = write(
            dir.path(),
            "a.csv",
            "First Name,Email\nAnn,ann@example.com\nZed,zed@example.com\n",
        );
        import(&kith, &first, &options(Mode::Create)).await.unwrap();
        let find = |q: &'static str| {
            let kith = &kith;
            async move { kith.search(q, 1).await.unwrap().rows[0].id }
        };
        let (ann, zed) = (find("ann@").await, find("zed@").await);

        let headers = ["First Name", "Email", "Tags", "Shoe size", "Colour"];
        let mut mapping = auto_map(&headers.map(String::from));
        for (i, name) in [(3, "Shoe size"), (4, "Colour")] {
            mapping[i] = Target::Custom { name: name.into() };
        }
        let second = write(
            dir.path(),
            "b.csv",
            "First Name,Email,Tags,Shoe size,Colour\n\
             Ann,ann@example.com,VIP;Spring,42,Red\n\
             Bob,bob@example.com,VIP;Wholesale,,\n",
        );
        let opts = ImportOptions {
            mapping: Some(mapping),
            ..options(Mode::Upsert)
        };
        // Imports in one millisecond would list in either order.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        let report = import(&kith, &second, &opts).await.unwrap();
        assert_eq!((report.created, report.updated), (1, 1), "{report:?}");
        assert_eq!(report.new_teams, 3);
        let listed = |h: Vec<kith_core::import::history::Record>| {
            h.into_iter()
                .map(|r| {
                    (
                        r.file_name,
                        r.created,
                        r.updated,
                        r.new_teams,
                        r.new_fields,
                        r.undone_at.is_some(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let history = kith_core::import::history::history(kith.store(), 10)
            .await
            .unwrap();
        assert_eq!(history[0].batch_id, report.batch_id.unwrap());
        assert_eq!(
            listed(history),
            [
                ("b.csv".into(), 1, 1, 3, 2, false),
                ("a.csv".into(), 2, 0, 0, 0, false)
            ],
            "newest first, with what each did"
        );
        let mut named = report.new_team_names.clone();
        named.sort_unstable();
        assert_eq!(named, ["Spring", "VIP", "Wholesale"]);
        let bob = find("bob@").await;
        let team_names = || async {
            let mut names: Vec<String> = kith
                .workspace()
                .teams()
                .await
                .unwrap()
                .into_iter()
                .map(|t| t.name)
                .collect();
            names.sort_unstable();
            names
        };
        assert_eq!(team_names().await, ["Spring", "VIP", "Wholesale"]);

        // Used since by someone the import did not write: those stay.
        let teams = kith.workspace().teams().await.unwrap();
        let spring = teams.iter().find(|t| t.name == "Spring").unwrap().id;
        kith.users().set_team(zed, spring, true).await.unwrap();
        let fields = kith.fields().list().await.unwrap();
        let colour = fields.iter().find(|f| f.name == "Colour").unwrap().id;
        kith.users()
            .set_custom_value(zed, colour, Some("Blue"))
            .await
            .unwrap();

        let undone = undo(kith.store(), report.batch_id.unwrap(), |_| {})
            .await
            .unwrap();
        assert_eq!((undone.removed, undone.reverted), (1, 1), "{undone:?}");
        assert_eq!(
            (undone.teams_removed, undone.fields_removed),
            (2, 1),
            "{undone:?}"
        );
        assert_eq!(team_names().await, ["Spring"], "VIP and Wholesale are gone");
        let history = kith_core::import::history::history(kith.store(), 1)
            .await
            .unwrap();
        assert_eq!(
            listed(history),
            [("b.csv".into(), 1, 1, 3, 2, true)],
            "the undone import says so; the limit holds"
        );
        let names = |f: Vec<kith_core::fields::CustomField>| {
            f.into_iter().map(|f| f.name).collect::<Vec<_>>()
        };
        assert_eq!(names(kith.fields().list().await.unwrap()), ["Colour"]);
        assert_eq!(
            names(kith.fields().deleted().await.unwrap()),
            ["Shoe size"],
            "a removed field waits in the trash"
        );
        let ann_now = kith.users().get(ann).await.unwrap();
        assert!(ann_now.teams.is_empty() && ann_now.custom_values.is_empty());

        // Bob back from the trash brings back the team he was in; a team of the
        // same name made since takes his membership instead of a second one.
        kith.workspace().create_team("wholesale").await.unwrap();
        let back = kith.users().restore(bob).await.unwrap();
        let mut his: Vec<_> = back.teams.iter().map(|t| t.name.as_str()).collect();
        his.sort_unstable();
        assert_eq!(his, ["VIP", "wholesale"]);
        assert_eq!(team_names().await, ["Spring", "VIP", "wholesale"]);
    });
}

#[test]
fn modes_decide_what_matching_rows_do() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let a = write(
            dir.path(),
            "a.csv",
            "First Name,Email\nAnn,ann@example.com\n",
        );
        import(&kith, &a, &options(Mode::Create)).await.unwrap();
        let b = write(
            dir.path(),
            "b.csv",
            "First Name,Email\nAnnie,ann@example.com\nCy,cy@example.com\n",
        );
        let create = import(&kith, &b, &options(Mode::Create)).await.unwrap();
        assert_eq!((create.created, create.updated, create.skipped), (1, 0, 1));
        let c = write(
            dir.path(),
            "c.csv",
            "First Name,Email\nAnnie,ann@example.com\nDi,di@example.com\n",
        );
        let update = import(&kith, &c, &options(Mode::Update)).await.unwrap();
        assert_eq!((update.created, update.updated, update.skipped), (0, 1, 1));
        assert_eq!(kith.users().count().await.unwrap(), 2);
    });
}

#[test]
fn duplicates_inside_the_file_are_merged() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let f = write(
            dir.path(),
            "dup.csv",
            "First Name,Last Name,Email,Mobile\nAnn,,ann@example.com,\n,Lee,ann@example.com,+1 202 555 0143\n",
        );
        let r = import(&kith, &f, &options(Mode::Create)).await.unwrap();
        assert_eq!((r.created, r.updated), (1, 0));
        let page = kith.users().list(UserSort::Name, 0, 10).await.unwrap();
        assert_eq!(page.total, 1);
        let u = &page.rows[0];
        assert_eq!((u.first_name.as_str(), u.last_name.as_str()), ("Ann", "Lee"));
        assert_eq!(u.mobile_phone.as_deref(), Some("+12025550143"));
    });
}

#[test]
fn duplicates_chunks_apart_are_merged_in_create_mode_too() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        // Ann's two rows are more than a chunk (2,000 rows) apart, and more keys
        // than the import holds aside (16,384) before it merges them into its
        // sorted ones: the second row finds her there.
        let mut text = String::from("First Name,Last Name,Email,Mobile\nAnn,,ann@example.com,\n");
        for i in 0..16_400 {
            text.push_str(&format!("P{i},Q,p{i}@example.com,\n"));
        }
        text.push_str(",Lee,ANN@example.com,+1 202 555 0143\n");
        let f = write(dir.path(), "far.csv", &text);
        let r = import(&kith, &f, &options(Mode::Create)).await.unwrap();
        assert_eq!((r.created, r.updated, r.skipped), (16_401, 0, 0), "{r:?}");
        let found = kith.search("ann@example.com", 10).await.unwrap();
        assert_eq!(found.rows.len(), 1);
        let u = kith.users().get(found.rows[0].id).await.unwrap();
        assert_eq!(
            (u.first_name.as_str(), u.last_name.as_str()),
            ("Ann", "Lee")
        );
        assert_eq!(u.mobile_phone.as_deref(), Some("+12025550143"));

        // Importing it again in create mode: every row matches a user who was
        // there before, so all are skipped, the far duplicate too.
        let again = import(&kith, &f, &options(Mode::Create)).await.unwrap();
        assert_eq!(
            (again.created, again.updated, again.skipped),
            (0, 0, 16_402)
        );

        // Undo of the first import takes Ann away with everyone else, a chunk of
        // its records at a time, saying how far it has got after each.
        let mut heard = Vec::new();
        let undone = undo(kith.store(), r.batch_id.unwrap(), |p| heard.push(p))
            .await
            .unwrap();
        assert_eq!((undone.removed, undone.reverted), (16_401, 0));
        assert_eq!(kith.users().count().await.unwrap(), 0);
        let rows: Vec<u64> = heard.iter().map(|p| p.rows).collect();
        let chunks: Vec<u64> = (1..=8).map(|i| i * 2_000).chain([16_401]).collect();
        assert_eq!(rows, chunks, "{heard:?}");
        assert!(
            heard.windows(2).all(|w| w[0].fraction < w[1].fraction),
            "{heard:?}"
        );
        assert!(heard[7].fraction > 0.97 && heard[7].fraction < 1.0);
        assert_eq!(heard[8].fraction, 1.0);
    });
}

#[test]
fn dry_runs_and_invalid_rows_change_nothing_unless_asked() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let f = write(
            dir.path(),
            "mixed.csv",
            "First Name,Email\nAnn,ann@example.com\nBob,bob-at-example\nCy,cy@example.com\n",
        );
        let mut dry = options(Mode::Create);
        dry.dry_run = true;
        dry.skip_invalid = true;
        let r = import(&kith, &f, &dry).await.unwrap();
        assert_eq!((r.created, r.failed, r.committed), (2, 1, false));
        assert_eq!(r.errors[0].row, 3);
        assert_eq!(r.errors[0].column, "Email");
        assert_eq!(
            kith.users().count().await.unwrap(),
            0,
            "a dry run writes nothing"
        );

        let nothing = import(&kith, &f, &options(Mode::Create)).await.unwrap();
        assert!(!nothing.committed);
        assert_eq!(
            kith.users().count().await.unwrap(),
            0,
            "invalid rows + 'nothing' = nothing"
        );

        let mut valid = options(Mode::Create);
        valid.skip_invalid = true;
        let some = import(&kith, &f, &valid).await.unwrap();
        assert!(some.committed);
        assert_eq!(kith.users().count().await.unwrap(), 2, "the valid rows");
    });
}

#[test]
fn a_cancel_half_way_leaves_the_database_as_it_was() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let mut text = String::from("First Name,Email\n");
        for i in 0..9_000 {
            text.push_str(&format!("User{i},u{i}@example.com\n"));
        }
        let f = write(dir.path(), "big.csv", &text);
        let before = common::dump(kith.store()).await;
        let (result, seen) = common::import_cancelled(&kith, &f, &options(Mode::Create)).await;
        assert!(matches!(result, Err(RunError::Cancelled)));
        assert!(seen > 0, "it had written rows before the cancel");
        assert_eq!(common::dump(kith.store()).await, before);
        assert!(kith.store().outbox(1).await.unwrap().is_empty());
        let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(kith.store().pool())
            .await
            .unwrap();
        assert_eq!(ok, "ok");
    });
}

#[test]
fn importing_the_same_file_again_changes_nothing() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let first = import(&kith, &fixture("google.csv"), &options(Mode::Create))
            .await
            .unwrap();
        assert_eq!(first.created, 2);
        let before = common::dump(kith.store()).await;
        let outbox = kith.store().outbox(10_000).await.unwrap().len();
        let again = import(&kith, &fixture("google.csv"), &options(Mode::Upsert))
            .await
            .unwrap();
        assert_eq!(
            (again.created, again.updated, again.skipped, again.unchanged),
            (0, 0, 2, 2),
            "{again:?}"
        );
        assert_eq!(common::dump(kith.store()).await, before);
        assert_eq!(
            kith.store().outbox(10_000).await.unwrap().len(),
            outbox,
            "not one change queued"
        );
        let d = kith
            .users()
            .get(kith.search("zoe", 1).await.unwrap().rows[0].id)
            .await
            .unwrap();
        assert_eq!(
            (d.addresses.len(), d.teams.len()),
            (1, 1),
            "no second address or membership"
        );
    });
}

#[test]
fn a_column_can_feed_a_new_custom_text_field() {
    use kith_core::import::mapping::{auto_map, Target};
    common::runtime().block_on(async {
        let (d, kith) = common::kith().await;
        let headers = ["First Name", "Email", "Loyalty tier"];
        let mut mapping = auto_map(&headers.map(String::from));
        mapping[2] = Target::Custom {
            name: "Loyalty tier".into(),
        };
        let opts = |mode, dry_run| ImportOptions {
            mapping: Some(mapping.clone()),
            dry_run,
            ..options(mode)
        };
        let gold = write(
            d.path(),
            "a.csv",
            "First Name,Email,Loyalty tier\nZoë,zoe@example.com,Gold\nBob,bob@example.com,\n",
        );
        import(&kith, &gold, &opts(Mode::Create, true))
            .await
            .unwrap();
        assert!(
            kith.fields().list().await.unwrap().is_empty(),
            "a dry run creates no field"
        );

        let first = import(&kith, &gold, &opts(Mode::Create, false))
            .await
            .unwrap();
        assert_eq!(first.created, 2);
        let fields = kith.fields().list().await.unwrap();
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].name, "Loyalty tier");
        let zoe = kith.search("zoe", 1).await.unwrap().rows[0].id;
        let values = |d: kith_core::users::UserDetail| {
            d.custom_values
                .into_iter()
                .map(|v| (v.name, v.value))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            values(kith.users().get(zoe).await.unwrap()),
            vec![("Loyalty tier".to_owned(), "Gold".to_owned())]
        );
        let bob = kith.search("bob", 1).await.unwrap().rows[0].id;
        assert!(kith
            .users()
            .get(bob)
            .await
            .unwrap()
            .custom_values
            .is_empty());

        // The same file again: nothing changes. A new value: an update, undoable.
        let again = import(&kith, &gold, &opts(Mode::Upsert, false))
            .await
            .unwrap();
        assert_eq!((again.updated, again.skipped), (0, 2), "{again:?}");
        let silver = write(
            d.path(),
            "b.csv",
            "First Name,Email,loyalty TIER\nZoë,zoe@example.com,Silver\n",
        );
        let second = import(&kith, &silver, &opts(Mode::Upsert, false))
            .await
            .unwrap();
        assert_eq!(second.updated, 1, "{second:?}");
        assert_eq!(kith.fields().list().await.unwrap().len(), 1);
        assert_eq!(values(kith.users().get(zoe).await.unwrap())[0].1, "Silver");
        undo(kith.store(), second.batch_id.unwrap(), |_| {})
            .await
            .unwrap();
        assert_eq!(values(kith.users().get(zoe).await.unwrap())[0].1, "Gold");
    });
}

#[test]
fn several_rows_for_one_user_update_once_and_undo_to_what_was_there() {
    common::runtime().block_on(async {
        let (d, kith) = common::kith().await;
        let ann = kith
            .users()
            .create(&kith_core::users::NewUser {
                first_name: "Ann".into(),
                last_name: "Orig".into(),
                email: Some("ann@example.com".into()),
                mobile_phone: None,
                home_phone: None,
                custom_values: Vec::new(),
            })
            .await
            .unwrap()
            .id;
        // In one chunk, and with more than a chunk of other rows in between.
        for filler in [0, 2_100] {
            let mut text = String::from("First Name,Last Name,Email\nAnna,,ann@example.com\n");
            for i in 0..filler {
                text.push_str(&format!("P{i},Q,p{i}@example.com\n"));
            }
            text.push_str(",Changed,ann@example.com\n");
            let f = write(d.path(), "multi.csv", &text);
            let report = import(&kith, &f, &options(Mode::Upsert)).await.unwrap();
            assert_eq!(report.updated, 1, "one user, updated once: {filler}");
            let d = kith.users().get(ann).await.unwrap();
            assert_eq!(
                (d.first_name.as_str(), d.last_name.as_str()),
                ("Anna", "Changed")
            );
            undo(kith.store(), report.batch_id.unwrap(), |_| {})
                .await
                .unwrap();
            let d = kith.users().get(ann).await.unwrap();
            assert_eq!(
                (d.first_name.as_str(), d.last_name.as_str()),
                ("Ann", "Orig"),
                "undo restores every field ({filler} rows between)"
            );
        }

        // A later row setting a value back is compared with the earlier row's value.
        let f = write(
            d.path(),
            "back.csv",
            "Last Name,Email\nNew,ann@example.com\nOrig,ann@example.com\n",
        );
        let report = import(&kith, &f, &options(Mode::Upsert)).await.unwrap();
        assert_eq!(
            kith.users().get(ann).await.unwrap().last_name,
            "Orig",
            "the last row wins"
        );
        assert_eq!(report.updated, 1, "{report:?}");
        undo(kith.store(), report.batch_id.unwrap(), |_| {})
            .await
            .unwrap();
        assert_eq!(kith.users().get(ann).await.unwrap().last_name, "Orig");
    });
}

/// A stray quote deep in a file of several chunks, in UTF-16 as Excel's "Unicode
/// Text" saves it (tab-separated, CRLF): the parser alone would read the rest of
/// the file as one value of that row and report a single bad row.
fn stray_quote_file(dir: &Path) -> PathBuf {
    let mut text = String::from("First Name\tEmail\r\n");
    for i in 0..5_000 {
        let first = if i == 4_000 {
            "\"Zoë".to_owned()
        } else {
            format!("User{i}")
        };
        text.push_str(&format!("{first}\tu{i}@example.com\r\n"));
    }
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let path = dir.join("unicode.txt");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_quote_never_closed_stops_the_import_and_says_where() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let f = stray_quote_file(dir.path());
        let before = common::dump(kith.store()).await;
        for (dry_run, skip_invalid) in [(true, true), (false, true), (false, false)] {
            let mut opts = options(Mode::Create);
            opts.dry_run = dry_run;
            opts.skip_invalid = skip_invalid;
            let err = import(&kith, &f, &opts).await.unwrap_err();
            let message = err.to_string();
            assert!(
                message.starts_with(
                    "Row 4002 (line 4002 of the file) opens a quote (\") that is never closed"
                ),
                "{message}"
            );
            assert_eq!(
                common::dump(kith.store()).await,
                before,
                "nothing is written"
            );
        }
        assert!(kith.store().outbox(1).await.unwrap().is_empty());
    });
}

#[test]
fn a_stray_quote_closed_rows_later_fails_its_row_and_keeps_the_rows_it_swallowed() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        // Bob's quote is closed only by Dee's: as parsed, Bob's first name holds
        // Cy's row. Imported as is, that would be a user named across three lines.
        let f = write(
            dir.path(),
            "stray.csv",
            "First Name,Email\nAnn,ann@example.com\n\"Bob,bob@example.com\nCy,cy@example.com\nDee\",dee@example.com\nEve,eve@example.com\n",
        );
        let mut opts = options(Mode::Create);
        opts.skip_invalid = true;
        let report = import(&kith, &f, &opts).await.unwrap();
        assert_eq!((report.created, report.failed), (2, 1));
        assert_eq!(report.errors[0].row, 3);
        assert_eq!(report.errors[0].column, "First Name");
        assert!(report.errors[0].message.contains("one line"), "{:?}", report.errors[0]);

        // The rows to fix hold the swallowed rows, as the file had them.
        let mut out = Vec::new();
        kith_core::import::report::write_error_rows(&f, "US", None, None, &report.errors, &mut out).unwrap();
        let fix = String::from_utf8(out).unwrap();
        assert!(fix.contains("Bob,bob@example.com\nCy,cy@example.com\nDee"), "{fix}");
    });
}

/// A file in a code page the detector does not name (ISO-8859-15) is stored
/// right once the person chooses it, and the rows to fix are written back from
/// it too.
#[test]
fn rows_are_stored_in_the_chosen_encoding() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let path = dir.path().join("latin9.csv");
        // "Šárka Žáková" and "Œdipe Ÿvon" in ISO-8859-15; Œdipe's email is bad.
        std::fs::write(
            &path,
            b"First Name,Last Name,Email\n\xa6\xe1rka,\xb4\xe1kov\xe1,sarka@example.com\n\xbcdipe,\xbevon,pas-une-adresse\n",
        )
        .unwrap();
        let mut opts = options(Mode::Create);
        opts.encoding = kith_core::import::source::TextEncoding::from_label("ISO-8859-15");
        opts.skip_invalid = true;
        let report = import(&kith, &path, &opts).await.unwrap();
        assert_eq!((report.created, report.failed), (1, 1));
        let hit = kith.search("sarka@example.com", 1).await.unwrap().rows[0].id;
        let user = kith.users().get(hit).await.unwrap();
        assert_eq!((user.first_name.as_str(), user.last_name.as_str()), ("Šárka", "Žáková"));

        let mut out = Vec::new();
        kith_core::import::report::write_error_rows(&path, "US", opts.encoding, None, &report.errors, &mut out)
            .unwrap();
        let fix = String::from_utf8(out).unwrap();
        assert!(fix.contains("Œdipe,Ÿvon,pas-une-adresse,"), "{fix}");
    });
}

/// A file with its header row and nothing under it (an export of an empty list)
/// says so, rather than recording an import of nothing.
#[test]
fn a_file_of_headers_only_is_refused() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let before = common::dump(kith.store()).await;
        for text in ["First Name,Email\r\n", "First Name,Email\r\n\r\n , \r\n"] {
            let f = write(dir.path(), "empty-list.csv", text);
            for dry_run in [true, false] {
                let mut opts = options(Mode::Create);
                opts.dry_run = dry_run;
                let err = import(&kith, &f, &opts).await.unwrap_err();
                assert!(
                    matches!(
                        err,
                        RunError::Source(kith_core::import::ImportError::NoRows { .. })
                    ),
                    "{err:?}"
                );
                assert_eq!(
                    err.to_string(),
                    "empty-list.csv has a header row but no customers under it: there is nothing to import"
                );
            }
        }
        assert_eq!(common::dump(kith.store()).await, before, "no batch recorded");
    });
}

/// A mapping asked to be remembered is saved with the import that used it, and
/// only when that import is kept.
#[test]
fn a_mapping_is_remembered_only_with_a_kept_import() {
    use kith_core::import::mapping::Target;
    use kith_core::import::saved;
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let headers = ["Vorname".to_owned(), "Kundennr".to_owned()];
        let mapping = vec![Target::FirstName, Target::AppUserId];
        let pool = kith.store().pool();
        let run_with = |text: &'static str, dry_run: bool| {
            let f = write(dir.path(), "de.csv", text);
            let opts = ImportOptions {
                mapping: Some(mapping.clone()),
                remember_mapping: true,
                dry_run,
                ..options(Mode::Create)
            };
            let kith = &kith;
            async move { import(kith, &f, &opts).await }
        };
        run_with("Vorname,Kundennr\nAnn,A-1\n", true).await.unwrap();
        assert_eq!(
            saved::load(pool, &headers).await.unwrap(),
            None,
            "not by a dry run"
        );
        // An invalid row without "import the valid ones" keeps nothing.
        let refused = run_with("Vorname,Kundennr\nAnn,A-1\n\"Bo\nb\",A-2\n", false)
            .await
            .unwrap();
        assert!(!refused.committed);
        assert_eq!(
            saved::load(pool, &headers).await.unwrap(),
            None,
            "not by a refused import"
        );
        let kept = run_with("Vorname,Kundennr\nAnn,A-1\n", false)
            .await
            .unwrap();
        assert!(kept.committed);
        assert_eq!(
            saved::load(pool, &headers).await.unwrap(),
            Some(saved::SavedMapping {
                mapping: mapping.clone(),
                encoding: None
            })
        );
        // With an encoding chosen, that is remembered too.
        let f = write(dir.path(), "de.csv", "Vorname,Kundennr\nAnn,A-1\n");
        let opts = ImportOptions {
            mapping: Some(mapping.clone()),
            remember_mapping: true,
            encoding: kith_core::import::source::TextEncoding::from_label("iso-8859-15"),
            mode: Mode::Upsert,
            ..options(Mode::Create)
        };
        assert!(import(&kith, &f, &opts).await.unwrap().committed);
        assert_eq!(
            saved::load(pool, &headers)
                .await
                .unwrap()
                .and_then(|s| s.encoding),
            opts.encoding
        );
    });
}

/// A report's rows are imported below its title lines; the line of one value
/// under its last customer (when the report was run) is refused as its footer,
/// with its row, not stored as a customer named after a date.
#[test]
fn a_report_is_imported_without_its_titles_and_footer() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let mut opts = options(Mode::Create);
        opts.skip_invalid = true;
        let report = import(&kith, &fixture("report-titles.csv"), &opts)
            .await
            .unwrap();
        assert_eq!((report.created, report.failed), (2, 1));
        assert_eq!(report.errors[0].row, 10, "its row in a spreadsheet");
        assert!(report.errors[0]
            .message
            .starts_with("“Friday, November 20, 2026 09:14 AM GMT-08:00”, alone below"));
        assert!(report.errors[0]
            .message
            .ends_with(kith_core::import::row::FOOTER));

        let ann = kith.search("ann lee", 5).await.unwrap().rows[0].clone();
        let d = kith.users().get(ann.id).await.unwrap();
        assert_eq!(
            (d.first_name.as_str(), d.last_name.as_str()),
            ("Ann", "Lee")
        );
        assert_eq!(d.email.as_deref(), Some("ann@example.com"));
        assert_eq!(d.mobile_phone.as_deref(), Some("+14155550123"));
        assert!(kith.search("friday", 5).await.unwrap().rows.is_empty());
        assert_eq!(kith.users().count().await.unwrap(), 2);
    });
}

/// Rows of one value are a report's footer only at its very end and only a few:
/// followed by a fuller row, or many of them, they are customers.
#[test]
fn rows_of_one_value_inside_a_report_are_customers() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        // Two of one value past a blank line, then a fuller row; then, past another
        // blank line, more of one value than a footer has.
        let mut text = String::from(
            "Customers\n\nName,Email\nAnn Lee,\n\nBo Kim,\nCy Fox,\nDee Ray,dee@example.com\n\n",
        );
        for i in 0..6 {
            text.push_str(&format!("Person{i} Last,\n"));
        }
        let f = write(dir.path(), "report.csv", &text);
        let report = import(&kith, &f, &options(Mode::Create)).await.unwrap();
        assert_eq!((report.created, report.failed), (10, 0), "{:?}", report.errors);

        let mut opts = options(Mode::Create);
        opts.dry_run = true;
        let last = write(
            dir.path(),
            "last.csv",
            "Customers\n\nName,Email\nAnn Lee,ann@example.com\nBo Kim,\n",
        );
        let report = import(&kith, &last, &opts).await.unwrap();
        assert_eq!((report.created, report.failed), (2, 0), "a last row of one value, right below the others");

        let footer = write(
            dir.path(),
            "footer.csv",
            "Customers\r\n\r\nName,Email,Street\r\nAnn Lee,ann@example.com,\r\n,,\"12 Elm St\r\nApt 4\"\r\n\r\nPrinted 20/11/2026\r\n\r\n",
        );
        let report = import(&kith, &footer, &opts).await.unwrap();
        let errors: Vec<(u64, bool)> = report
            .errors
            .iter()
            .map(|e| (e.row, e.message.ends_with(kith_core::import::row::FOOTER)))
            .collect();
        assert_eq!(
            errors,
            [(5, false), (7, true)],
            "the line break inside row 5's quotes is no blank line; row 7 is past one"
        );

        // Past a blank line however lines end, and with no line break at the end.
        for (name, footer, text) in [
            ("lf.csv", 6, "Customers\n\nName,Email\nAnn Lee,\n\nPrinted 20/11/2026"),
            ("cr.csv", 6, "Customers\r\rName,Email\rAnn Lee,\r\rPrinted 20/11/2026\r"),
            (
                "crlf.csv",
                6,
                "Customers\r\n\r\nName,Email\r\nAnn Lee,\r\n\r\nPrinted 20/11/2026",
            ),
            (
                "cells.csv",
                6,
                "Customers,\n,\nName,Email\nAnn Lee,\n,\nPrinted 20/11/2026,\n",
            ),
        ] {
            let file = write(dir.path(), name, text);
            let report = import(&kith, &file, &opts).await.unwrap();
            let rows: Vec<u64> = report.errors.iter().map(|e| e.row).collect();
            let seen = (report.created, &rows[..]);
            assert_eq!(seen, (1, &[footer][..]), "{name}: {:?}", report.errors);
        }

        // A footer comes below customers: a report's first rows are customers,
        // blank line above them or not.
        let short = "Customer List\n\nName,Email\n\nAnn Lee,\nBo Kim,\n";
        let short = import(&kith, &write(dir.path(), "short.csv", short), &opts)
            .await
            .unwrap();
        assert_eq!((short.created, short.failed), (2, 0), "{:?}", short.errors);

        // The footer's value is quoted in its message, cut, and never with a card number.
        let long = format!("Customers\n\nName,Email\nAnn Lee,\n\n{}\n", "x".repeat(200));
        let long = import(&kith, &write(dir.path(), "long.csv", &long), &opts)
            .await
            .unwrap();
        let quoted = long.errors[0].message.chars().filter(|&c| c == 'x');
        assert_eq!(quoted.count(), 60);
        let paid = "Customers\n\nName,Email\nAnn Lee,\n\nPaid with 4111 1111 1111 1111\n";
        let paid = import(&kith, &write(dir.path(), "paid.csv", paid), &opts)
            .await
            .unwrap();
        let message = &paid.errors[0].message;
        assert!(message.starts_with("“[card number removed]”"), "{message}");

        let plain = write(
            dir.path(),
            "plain.csv",
            "Name,Email\nAnn Lee,ann@example.com\n\nBo Kim,\n",
        );
        let report = import(&kith, &plain, &opts).await.unwrap();
        assert_eq!((report.created, report.failed), (2, 0), "no titles, no footer");
    });
}

/// The rows to fix of a report are its rows, found below its titles; its
/// footer is left out, as no fix makes it a customer and imported again it
/// would be taken for one.
#[test]
fn a_reports_rows_to_fix_are_its_own() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let mut dry = options(Mode::Create);
        dry.dry_run = true;
        let f = fixture("report-titles.csv");
        let report = import(&kith, &f, &dry).await.unwrap();
        assert_eq!(
            (report.errors.len(), report.to_fix),
            (1, 0),
            "the footer, no row to fix"
        );
        let mut out = Vec::new();
        kith_core::import::report::write_error_rows(&f, "US", None, None, &report.errors, &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text.trim_start_matches('\u{feff}').lines().count(),
            1,
            "{text}"
        );
        let f = write(
            dir.path(),
            "report.csv",
            "Customers\r\nCorner Shop\r\n\r\nName,Email\r\nAnn Lee,ann-at-example\r\n\
             Bo Kim,bo@example.com\r\n\r\nPrinted 2026-11-20\r\n",
        );
        let report = import(&kith, &f, &dry).await.unwrap();
        assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
        assert_eq!(report.to_fix, 1);
        let mut out = Vec::new();
        kith_core::import::report::write_error_rows(&f, "US", None, None, &report.errors, &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "Name,Email,Kith import error");
        assert!(lines[1].starts_with("Ann Lee,ann-at-example,"), "{text}");
        assert_eq!(lines.len(), 2, "{text}");
    });
}

/// Rows are numbered as a spreadsheet shows the file, blank lines included, so
/// the row an error names is the row the person finds in Excel; the rows to fix
/// are those rows.
#[test]
fn rows_are_numbered_as_a_spreadsheet_shows_them() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let f = write(
            dir.path(),
            "gaps.csv",
            "First Name,Email\n\nAnn,ann-at-example\n\n\nBo,bo@example.com\n\"Cy\nJr\",cy@example.com\nDee,dee-at-example\n",
        );
        let mut dry = options(Mode::Create);
        dry.dry_run = true;
        let report = import(&kith, &f, &dry).await.unwrap();
        let rows: Vec<u64> = report.errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, [3, 7, 8], "{:?}", report.errors);
        let mut out = Vec::new();
        kith_core::import::report::write_error_rows(&f, "US", None, None, &report.errors, &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let firsts: Vec<&str> = text
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .collect();
        assert_eq!(firsts, ["Ann", "\"Cy", "Jr\"", "Dee"], "{text}");
    });
}

/// Apple Contacts' cards are stored field by field, a group's members in its
/// team; the card that is not a customer yet comes back in the rows-to-fix
/// file as a row under the columns the cards were read into, which imports
/// once fixed; and undo takes the cards away again.
#[test]
fn a_vcard_file_imports_and_its_rows_to_fix_import_again() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let f = write(
            dir.path(),
            "contacts.vcf",
            &format!(
                "{}BEGIN:VCARD\r\nVERSION:3.0\r\nN:Ray;Bob;;;\r\nFN:Bob Ray\r\n\
                 EMAIL;type=INTERNET:bob-at-example.com\r\nTEL;type=CELL:+1 202 555 0177\r\n\
                 END:VCARD\r\nBEGIN:VCARD\r\nFN:Friends\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n\
                 X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:5D1F0B9A-1C44-4D2B-9A55-0C6F3C0E8A11\r\n",
                std::fs::read_to_string(fixture("apple.vcf")).unwrap()
            ),
        );
        let mut opts = options(Mode::Create);
        opts.skip_invalid = true;
        let report = import(&kith, &f, &opts).await.unwrap();
        assert_eq!(
            (report.created, report.failed, report.to_fix),
            (3, 2, 1),
            "Bob's bad email, and the group cut short: {:?}",
            report.errors
        );
        assert!(report.errors[1]
            .message
            .starts_with("The contact group “Friends” has no END:VCARD line"));
        let bjorn = kith.search("lindqvist", 5).await.unwrap().rows[0].clone();
        let d = kith.users().get(bjorn.id).await.unwrap();
        assert_eq!(
            (d.first_name.as_str(), d.email.as_deref()),
            ("Björn", Some("bjorn@example.se"))
        );
        assert_eq!(d.addresses[0].city, "Stockholm");
        assert_eq!(
            d.teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["Friends", "Regulars"],
            "what the cut group lists is read"
        );
        assert_eq!(kith.search("regulars", 5).await.unwrap().rows.len(), 0);

        let mut out = Vec::new();
        kith_core::import::report::write_error_rows(&f, "US", None, None, &report.errors, &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 2, "Bob only, not the group: {text}");
        assert!(lines[0].starts_with("Name,Given Name,"), "{text}");
        assert!(lines[1].contains("bob-at-example.com"), "{text}");
        let fixed = write(
            dir.path(),
            "rows to fix.csv",
            &text.replace("bob-at-example.com", "bob@example.com"),
        );
        let again = import(&kith, &fixed, &opts).await.unwrap();
        assert_eq!((again.created, again.failed), (1, 0), "{:?}", again.errors);
        let bob = kith.search("bob ray", 5).await.unwrap().rows[0].clone();
        let d = kith.users().get(bob.id).await.unwrap();
        assert_eq!(d.mobile_phone.as_deref(), Some("+12025550177"));

        undo(kith.store(), report.batch_id.unwrap(), |_| {})
            .await
            .unwrap();
        assert_eq!(kith.search("lindqvist", 5).await.unwrap().rows.len(), 0);
    });
}
