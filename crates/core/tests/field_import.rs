//! Custom fields in CSV import and export: columns mapped to a field of any kind
//! are read as that kind (bad cells reported like any other), exports write every
//! field in a form the importer reads back, and export → import gives the same values.

mod common;

use std::collections::BTreeMap;

use kith_core::export::ExportOptions;
use kith_core::fields::{Catalog, CustomFieldInput, CustomFieldKind};
use kith_core::import::mapping::{auto_map_with, Target};
use kith_core::import::run::Mode;
use kith_core::Kith;
use uuid::Uuid;

use CustomFieldKind::*;

async fn define_fields(kith: &Kith) {
    let fields = kith.fields();
    for input in [
        CustomFieldInput::new("Membership", SingleSelect).with_options(["Gold", "Silver"]),
        CustomFieldInput::new("Credit", Money).with_currency("EUR"),
        CustomFieldInput::new("Birthday", Date),
        CustomFieldInput::new("Interests", MultiSelect).with_options([
            "Yoga",
            "Spin",
            "Rock, paper",
        ]),
        CustomFieldInput::new("Newsletter", Checkbox),
        CustomFieldInput::new("Visits", Number),
        CustomFieldInput::new("Allergies", LongText),
        CustomFieldInput::new("Site", Url),
        CustomFieldInput::new("Work phone", Phone).required(true),
    ] {
        fields.create(&input).await.unwrap();
    }
}

/// Every user's custom values as stored, by user id and field name.
async fn stored(kith: &Kith) -> BTreeMap<(Uuid, String), String> {
    let mut out = BTreeMap::new();
    let page = kith
        .users()
        .list(kith_core::users::UserSort::Name, 0, 100)
        .await
        .unwrap();
    for u in page.rows {
        for v in kith.users().get(u.id).await.unwrap().custom_values {
            out.insert((u.id, v.name), v.value);
        }
    }
    out
}

#[test]
fn columns_named_like_a_field_are_read_as_its_kind_and_bad_cells_reported() {
    common::runtime().block_on(async {
        let (d, kith) = common::kith().await;
        define_fields(&kith).await;
        let headers = ["First Name", "Email", "membership", "Credit", "Birthday", "Interests", "Newsletter"]
            .map(String::from);
        let catalog = Catalog {
            fields: kith.fields().list().await.unwrap(),
        };
        let mapping = auto_map_with(&headers, &catalog);
        assert_eq!(
            mapping[2],
            Target::Custom {
                name: "Membership".into()
            },
            "a header naming a field maps to it"
        );
        let file = d.path().join("members.csv");
        std::fs::write(
            &file,
            "First Name,Email,membership,Credit,Birthday,Interests,Newsletter\n\
             Ann,ann@example.com,gold,\"19,99 €\",06.05.1990,\"Spin; yoga\",yes\n\
             Bob,bob@example.com,Platinum,abc,05/06/1990,Yoga,maybe\n\
             Cy,cy@example.com,,,,\"Rock, paper\",\n",
        )
        .unwrap();

        // The preview shows values as they will read on the profile.
        let sniffed = kith_core::import::source::sniff(&file, "US", None, None).unwrap();
        let preview =
            kith_core::import::preview::preview(&file, &sniffed, sniffed.encoding, None, "US", &catalog)
                .unwrap();
        let ann = preview.rows[0].user.as_ref().unwrap();
        let shown: Vec<(&str, &str)> = ann
            .custom_values
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("Membership", "Gold"),
                ("Credit", "19.99 EUR"),
                ("Birthday", "1990-05-06"),
                ("Interests", "Yoga; Spin"),
                ("Newsletter", "Yes")
            ]
        );
        let bob_errors: Vec<(&str, &str)> = preview.rows[1]
            .errors
            .iter()
            .map(|e| (e.column.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            bob_errors,
            [
                ("membership", "“Platinum” is not an option of Membership — choose Gold or Silver"),
                ("Credit", "“abc” is not an amount — write it like 19.99 EUR"),
                (
                    "Birthday",
                    "“05/06/1990” could be two different dates — write it as year-month-day, like 2024-05-06"
                ),
                ("Newsletter", "“maybe” is not yes or no"),
            ]
        );

        let opts = kith_core::import::run::ImportOptions {
            skip_invalid: true,
            ..common::import_options(Mode::Create)
        };
        let report = common::import(&kith, &file, &opts).await.unwrap();
        assert_eq!((report.created, report.failed), (2, 1), "the required phone is not asked for");
        assert_eq!(report.errors.len(), 4);
        let values = stored(&kith).await;
        let ann = kith.search("ann@example.com", 1).await.unwrap().rows[0].id;
        assert_eq!(values[&(ann, "Credit".to_owned())], "1999 EUR");
        assert_eq!(values[&(ann, "Newsletter".to_owned())], "true");
        assert_eq!(kith.search("yoga", 5).await.unwrap().rows.len(), 1, "imported values are searchable");
    });
}

#[test]
fn export_writes_every_field_and_import_reads_back_the_same_values() {
    common::runtime().block_on(async {
        let (d, kith) = common::kith().await;
        // Added before the fields: "Work phone" is required of users added by hand.
        let ann = common::user(&kith, "Ann", "Lee").await;
        let bob = common::user(&kith, "Bob", "Lee").await;
        define_fields(&kith).await;
        let fields = kith.fields().list().await.unwrap();
        let id = |name: &str| fields.iter().find(|f| f.name == name).unwrap().id;
        let users = kith.users();
        let mut people = Vec::new();
        for (user, values) in [
            (
                ann,
                vec![
                    ("Membership", "Gold"),
                    ("Credit", "-1234.5 EUR"),
                    ("Birthday", "1990-05-06"),
                    ("Interests", "Spin; Rock, paper"),
                    ("Newsletter", "no"),
                    ("Visits", "1,234.5"),
                    ("Allergies", "=HYPERLINK(\"x\")\nand peanuts"),
                    ("Site", "ann.example.com"),
                    ("Work phone", "+44 20 7946 0958"),
                ],
            ),
            (
                bob,
                vec![("Credit", "5 JPY"), ("Work phone", "+1 202 555 0143")],
            ),
        ] {
            for (name, value) in values {
                users.set_custom_value(user, id(name), Some(value)).await.unwrap();
            }
            people.push(user);
        }
        let before = stored(&kith).await;
        let file = d.path().join("out.csv");
        let everything = ExportOptions {
            query: None,
            columns: Vec::new(),
            custom_fields: Vec::new(),
            bom: false,
        };
        common::export_file(&kith, &everything, &file).await;
        let text = std::fs::read_to_string(&file).unwrap();
        let header = text.lines().next().unwrap();
        assert!(
            header.ends_with(
                "Country,Membership,Credit,Birthday,Interests,Newsletter,Visits,Allergies,Site,Work phone"
            ),
            "{header}"
        );
        assert!(text.contains("-1234.50 EUR"), "amounts as people write them");
        assert!(text.contains("\"Spin; Rock, paper\""));
        assert!(text.contains("'=HYPERLINK"), "formulas neutralized");

        // Every value changed or cleared, then the file imported as updates.
        for user in &people {
            for f in &fields {
                let blank = f.kind != Phone;
                let value = if blank { None } else { Some("+1 202 555 0199") };
                users.set_custom_value(*user, f.id, value).await.unwrap();
            }
        }
        assert_ne!(stored(&kith).await, before);
        let report = common::import(&kith, &file, &common::import_options(Mode::Upsert))
            .await
            .unwrap();
        assert_eq!((report.updated, report.failed), (2, 0), "{report:?}");
        assert_eq!(stored(&kith).await, before, "the round trip gives the same values");

        // Only some columns: those named, custom fields by id.
        let some = ExportOptions {
            columns: vec![kith_core::export::Column::FirstName],
            custom_fields: vec![id("Credit")],
            ..everything
        };
        common::export_file(&kith, &some, &file).await;
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(text.lines().next(), Some("First Name,Credit"));
        assert!(text.contains("Bob,5 JPY"), "{text}");
    });
}

#[test]
fn a_new_field_named_by_a_mapping_keeps_the_rules_of_one_added_in_settings() {
    common::runtime().block_on(async {
        let (d, kith) = common::kith().await;
        let file = d.path().join("a.csv");
        std::fs::write(&file, "First Name,Mail\nAnn,ann@example.com\n").unwrap();
        for bad in ["E-mail", "=SUM(A1)"] {
            let opts = kith_core::import::run::ImportOptions {
                mapping: Some(vec![Target::FirstName, Target::Custom { name: bad.into() }]),
                ..common::import_options(Mode::Create)
            };
            let err = common::import(&kith, &file, &opts).await.unwrap_err();
            match err {
                kith_core::import::run::RunError::Core(e) => {
                    assert_eq!(e.field(), Some("mapping"), "{bad}: {e}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(kith.fields().list().await.unwrap().is_empty());
        assert_eq!(kith.users().count().await.unwrap(), 0, "nothing imported");
    });
}

#[test]
fn default_values_fill_the_fields_a_row_leaves_blank_and_never_replace_one() {
    common::runtime().block_on(async {
        let (d, kith) = common::kith().await;
        define_fields(&kith).await;
        kith.fields()
            .create(&CustomFieldInput::new("Lead source", Text))
            .await
            .unwrap();
        let first = d.path().join("first.csv");
        std::fs::write(
            &first,
            "First Name,Email,Lead source\nAnn,ann@example.com,Website\n",
        )
        .unwrap();
        common::import(&kith, &first, &common::import_options(Mode::Create))
            .await
            .unwrap();
        let ann = kith.search("ann@example.com", 1).await.unwrap().rows[0].id;

        let fair = d.path().join("fair.csv");
        std::fs::write(
            &fair,
            "First Name,Email,Lead source\n\
             ,ann@example.com,\n\
             Bob,bob@example.com,Referral\n\
             Cy,cy@example.com,\n",
        )
        .unwrap();
        let default = |field: &str, value: &str| kith_core::import::run::DefaultValue {
            field: field.into(),
            value: value.into(),
        };
        let mut opts = common::import_options(Mode::Upsert);
        opts.default_values = vec![
            default("lead source", "Autumn fair"),
            default("Membership", "gold"),
        ];
        let report = common::import(&kith, &fair, &opts).await.unwrap();
        assert_eq!((report.created, report.updated), (2, 1), "{report:?}");
        let values = stored(&kith).await;
        let bob = kith.search("bob@example.com", 1).await.unwrap().rows[0].id;
        let cy = kith.search("cy@example.com", 1).await.unwrap().rows[0].id;
        let got =
            |user: Uuid, field: &str| values.get(&(user, field.to_owned())).map(String::as_str);
        assert_eq!(
            got(ann, "Lead source"),
            Some("Website"),
            "a default never replaces a value"
        );
        assert_eq!(
            got(bob, "Lead source"),
            Some("Referral"),
            "the row's own value wins"
        );
        assert_eq!(got(cy, "Lead source"), Some("Autumn fair"));
        let fields = kith.fields().list().await.unwrap();
        let membership = fields.iter().find(|f| f.name == "Membership").unwrap();
        let gold = membership
            .options
            .iter()
            .find(|o| o.label == "Gold")
            .unwrap()
            .id
            .to_string();
        for user in [ann, bob, cy] {
            assert_eq!(
                got(user, "Membership"),
                Some(gold.as_str()),
                "read as the field's kind"
            );
        }
        let again = common::import(&kith, &fair, &opts).await.unwrap();
        assert_eq!((again.updated, again.unchanged), (0, 3), "{again:?}");

        kith_core::import::undo::undo(kith.store(), report.batch_id.unwrap(), |_| {})
            .await
            .unwrap();
        let values = stored(&kith).await;
        assert_eq!(
            values.get(&(ann, "Membership".to_owned())),
            None,
            "undo empties the field it filled"
        );
        assert_eq!(values[&(ann, "Lead source".to_owned())], "Website");

        // A later row for a user an earlier row of the same chunk created: its blank
        // cell keeps what the earlier row set, it does not take the default.
        let twice = d.path().join("twice.csv");
        std::fs::write(
            &twice,
            "First Name,Email,Lead source\nDee,dee@example.com,Referral\n,dee@example.com,\n",
        )
        .unwrap();
        common::import(&kith, &twice, &opts).await.unwrap();
        let dee = kith.search("dee@example.com", 1).await.unwrap().rows[0].id;
        assert_eq!(
            stored(&kith).await[&(dee, "Lead source".to_owned())],
            "Referral"
        );

        // A default that no row could take fails before anything is read.
        for (bad, why) in [
            (
                default("Membership", "Platinum"),
                "Membership: “Platinum” is not an option",
            ),
            (
                default("Shoe size", "42"),
                "There is no custom field named “Shoe size”",
            ),
            (default("Membership", "  "), "Give Membership a value"),
        ] {
            opts.default_values = vec![bad];
            let err = common::import(&kith, &fair, &opts)
                .await
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{err}");
        }
    });
}
