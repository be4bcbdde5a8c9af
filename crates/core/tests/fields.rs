//! Custom fields: every kind stored in its canonical form, required fields, options,
//! changes of kind, order, trash, and two desktops adding the same option.

mod common;

use kith_core::fields::{CustomField, CustomFieldInput, CustomFieldKind, OptionInput};
use kith_core::users::{NewCustomValue, NewUser, UserDetail};
use kith_core::{CoreError, ErrorKind, Kith};
use uuid::Uuid;

use CustomFieldKind::*;

async fn field(kith: &Kith, input: CustomFieldInput) -> CustomField {
    kith.fields().create(&input).await.expect("create field")
}

/// (stored, shown) of a user's value of `field`.
fn value_of(user: &UserDetail, field: Uuid) -> Option<(String, String)> {
    user.custom_values
        .iter()
        .find(|v| v.field_id == field)
        .map(|v| (v.value.clone(), v.display.clone()))
}

/// (stored, shown) of a user's value of `field`, read back.
async fn shown(kith: &Kith, user: Uuid, field: Uuid) -> (String, String) {
    value_of(&kith.users().get(user).await.unwrap(), field).unwrap()
}

/// Every change a desktop has not yet sent.
async fn outbox(kith: &Kith) -> Vec<kith_core::protocol::Change> {
    kith.store()
        .outbox(1000)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, c)| c)
        .collect()
}

/// The message and the field key of a validation error.
fn refusal(e: CoreError) -> (String, String) {
    assert_eq!(e.kind(), ErrorKind::Validation, "{e:?}");
    (e.field().unwrap_or_default().to_owned(), e.to_string())
}

#[test]
fn every_kind_stores_its_canonical_form_and_shows_its_readable_one() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let cases: Vec<(CustomFieldInput, &str, &str)> = vec![
            (CustomFieldInput::new("Nickname", Text), " Annie ", "Annie"),
            (
                CustomFieldInput::new("Allergies", LongText),
                "Peanuts\nShellfish",
                "Peanuts\nShellfish",
            ),
            (CustomFieldInput::new("Shoe size", Number), "38,5", "38.5"),
            (
                CustomFieldInput::new("Credit", Money).with_currency("eur"),
                "1.234,50 €",
                "1234.50 EUR",
            ),
            (
                CustomFieldInput::new("Birthday", Date),
                "06.05.1990",
                "1990-05-06",
            ),
            (CustomFieldInput::new("Newsletter", Checkbox), "ja", "Yes"),
            (
                CustomFieldInput::new("Membership", SingleSelect)
                    .with_options(["Gold", "Silver", "Bronze"]),
                "silver",
                "Silver",
            ),
            (
                CustomFieldInput::new("Interests", MultiSelect)
                    .with_options(["Yoga", "Pilates", "Spin"]),
                "spin, yoga",
                "Yoga; Spin",
            ),
            (
                CustomFieldInput::new("Website", Url),
                "annlee.example.com",
                "https://annlee.example.com/",
            ),
            (
                CustomFieldInput::new("Work email", Email),
                "ann@work.example",
                "ann@work.example",
            ),
            (
                CustomFieldInput::new("Work phone", Phone),
                "(202) 555-0143",
                "+12025550143",
            ),
        ];
        for (input, typed, shown) in cases {
            let f = field(&kith, input).await;
            let user = kith
                .users()
                .set_custom_value(ann, f.id, Some(typed))
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", f.name));
            let (stored, display) = value_of(&user, f.id).expect("value");
            assert_eq!(display, shown, "{}", f.name);
            // What is shown is what can be typed back: the same stored value.
            let again = kith
                .users()
                .set_custom_value(ann, f.id, Some(&display))
                .await
                .unwrap();
            assert_eq!(value_of(&again, f.id).unwrap().0, stored, "{}", f.name);
        }
        let user = kith.users().get(ann).await.unwrap();
        let credit = user
            .custom_values
            .iter()
            .find(|v| v.name == "Credit")
            .unwrap();
        assert_eq!(
            credit.value, "123450 EUR",
            "integer minor units and the currency"
        );
        assert_eq!(credit.kind, Money);
        let names: Vec<&str> = user.custom_values.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names[0], "Nickname", "values come in field order");
        assert_eq!(names.len(), 11);
    });
}

#[test]
fn bad_values_are_refused_with_the_field_named_and_nothing_stored() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let size = field(&kith, CustomFieldInput::new("Shoe size", Number)).await;
        let tier = field(
            &kith,
            CustomFieldInput::new("Membership", SingleSelect).with_options(["Gold", "Silver"]),
        )
        .await;
        let users = kith.users();
        let (key, message) = refusal(
            users
                .set_custom_value(ann, size.id, Some("forty"))
                .await
                .unwrap_err(),
        );
        assert_eq!(key, format!("custom:{}", size.id));
        assert_eq!(message, "“forty” is not a number — write it like 1234.5");
        let (_, message) = refusal(
            users
                .set_custom_value(ann, tier.id, Some("Platinum"))
                .await
                .unwrap_err(),
        );
        assert_eq!(
            message,
            "“Platinum” is not an option of Membership — choose Gold or Silver"
        );
        assert!(matches!(
            users
                .set_custom_value(ann, size.id, Some("4242 4242 4242 4242"))
                .await,
            Err(CoreError::CustomValue { .. })
        ));
        assert!(users.get(ann).await.unwrap().custom_values.is_empty());
        let gone = users
            .set_custom_value(ann, Uuid::new_v4(), Some("1"))
            .await
            .unwrap_err();
        assert_eq!(gone.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn fields_are_checked_when_defined() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let fields = kith.fields();
        field(&kith, CustomFieldInput::new("Tier", Text)).await;
        for (input, key, words) in [
            (
                CustomFieldInput::new("tier ", Text),
                "name",
                "already one named",
            ),
            (CustomFieldInput::new("  ", Text), "name", "Enter a name"),
            (CustomFieldInput::new("E-mail", Text), "name", "built-in"),
            (CustomFieldInput::new("=cmd", Text), "name", "formula"),
            (
                CustomFieldInput::new("Credit", Money),
                "currency",
                "currency",
            ),
            (
                CustomFieldInput::new("Credit", Money).with_currency("XYZ"),
                "currency",
                "XYZ",
            ),
            (
                CustomFieldInput::new("Size", SingleSelect).with_options(["S", "s"]),
                "options",
                "twice",
            ),
            (
                CustomFieldInput::new("Size", MultiSelect).with_options(["S;M"]),
                "options",
                "“;”",
            ),
        ] {
            let e = fields.create(&input).await.unwrap_err();
            let (field, message) = refusal(e);
            assert_eq!(field, key, "{input:?}");
            assert!(message.contains(words), "{input:?}: {message}");
        }
        assert_eq!(fields.list().await.unwrap().len(), 1, "nothing half-made");
        assert_eq!(CustomFieldKind::parse("multi-select"), Some(MultiSelect));
        assert_eq!(CustomFieldKind::parse("select"), Some(SingleSelect));
    });
}

#[test]
fn required_fields_are_enforced_by_hand_but_not_on_import() {
    common::runtime().block_on(async {
        let (d, kith) = common::kith().await;
        let tier = field(
            &kith,
            CustomFieldInput::new("Membership", SingleSelect)
                .with_options(["Gold", "Silver"])
                .required(true),
        )
        .await;
        let draft = |value: Option<&str>| NewUser {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            custom_values: value
                .map(|v| {
                    vec![NewCustomValue {
                        field_id: tier.id,
                        value: v.into(),
                    }]
                })
                .unwrap_or_default(),
            ..NewUser::default()
        };
        let (key, message) = refusal(kith.users().create(&draft(None)).await.unwrap_err());
        assert_eq!(key, format!("custom:{}", tier.id));
        assert_eq!(message, "Membership is required — enter a value");
        assert_eq!(kith.users().count().await.unwrap(), 0, "no user half-added");
        let ann = kith.users().create(&draft(Some("Gold"))).await.unwrap();
        assert_eq!(value_of(&ann, tier.id).unwrap().1, "Gold");
        let (_, message) = refusal(
            kith.users()
                .set_custom_value(ann.id, tier.id, Some(" "))
                .await
                .unwrap_err(),
        );
        assert!(message.contains("required"));

        // An import of older data without the column still goes in.
        let file = d.path().join("old.csv");
        std::fs::write(&file, "First Name,Email\nBob,bob@example.com\n").unwrap();
        let report = common::import(
            &kith,
            &file,
            &common::import_options(kith_core::import::run::Mode::Create),
        )
        .await
        .unwrap();
        assert_eq!((report.created, report.failed), (1, 0));
    });
}

#[test]
fn options_are_renamed_moved_and_removed_and_values_follow() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let f = field(
            &kith,
            CustomFieldInput::new("Membership", SingleSelect).with_options(["Gold", "Silver"]),
        )
        .await;
        kith.users()
            .set_custom_value(ann, f.id, Some("Gold"))
            .await
            .unwrap();
        let gold = f.options[0].id;
        let mut input = CustomFieldInput::new("Membership", SingleSelect);
        input.options = vec![
            OptionInput {
                id: None,
                label: "Platinum".into(),
            },
            OptionInput {
                id: Some(gold),
                label: "Gold+".into(),
            },
        ];
        let changed = kith.fields().update(f.id, &input).await.unwrap();
        let labels: Vec<&str> = changed.options.iter().map(|o| o.label.as_str()).collect();
        assert_eq!(
            labels,
            ["Platinum", "Gold+"],
            "Silver removed, Gold renamed and moved"
        );
        assert_eq!(changed.options[1].id, gold, "a rename keeps the id");
        let user = kith.users().get(ann).await.unwrap();
        assert_eq!(
            value_of(&user, f.id).unwrap().1,
            "Gold+",
            "the value follows"
        );
        assert_eq!(
            kith.search("gold+", 5).await.unwrap().rows.len(),
            1,
            "and is found by the new label"
        );
    });
}

#[test]
fn two_desktops_adding_the_same_option_write_one_row() {
    common::runtime().block_on(async {
        let (_a, here) = common::kith().await;
        let (_b, there) = common::kith().await;
        let f = field(
            &here,
            CustomFieldInput::new("Membership", SingleSelect).with_options(["Gold"]),
        )
        .await;
        let changes: Vec<_> = here.store().outbox(100).await.unwrap();
        there
            .store()
            .merge(&changes.into_iter().map(|(_, c)| c).collect::<Vec<_>>())
            .await
            .unwrap();
        // Offline, each adds "Silver", and this one also "Bronze".
        let add = |labels: &[&str]| {
            let mut input = CustomFieldInput::new("Membership", SingleSelect);
            input.options = f
                .options
                .iter()
                .map(|o| OptionInput {
                    id: Some(o.id),
                    label: o.label.clone(),
                })
                .chain(labels.iter().map(|l| OptionInput {
                    id: None,
                    label: (*l).into(),
                }))
                .collect();
            input
        };
        here.fields().update(f.id, &add(&["Silver"])).await.unwrap();
        there
            .fields()
            .update(f.id, &add(&["silver", "Bronze"]))
            .await
            .unwrap();
        let (to_there, to_here) = (outbox(&here).await, outbox(&there).await);
        here.store().merge(&to_here).await.unwrap();
        there.store().merge(&to_there).await.unwrap();
        let labels = |f: CustomField| -> Vec<String> {
            let mut l: Vec<String> = f
                .options
                .into_iter()
                .map(|o| o.label.to_lowercase())
                .collect();
            l.sort();
            l
        };
        let a = labels(here.fields().get(f.id).await.unwrap());
        let b = labels(there.fields().get(f.id).await.unwrap());
        assert_eq!(
            a,
            ["bronze", "gold", "silver"],
            "one Silver, and Bronze kept"
        );
        assert_eq!(a, b);
        assert_eq!(
            common::dump(here.store()).await,
            common::dump(there.store()).await
        );
    });
}

#[test]
fn a_change_of_kind_converts_every_value_or_nothing() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let bob = common::user(&kith, "Bob", "Ray").await;
        let f = field(&kith, CustomFieldInput::new("Visits", Text)).await;
        let users = kith.users();
        users.set_custom_value(ann, f.id, Some("12")).await.unwrap();
        users
            .set_custom_value(bob, f.id, Some("many"))
            .await
            .unwrap();

        let to_number = CustomFieldInput::new("Visits", Number);
        let (key, message) = refusal(kith.fields().update(f.id, &to_number).await.unwrap_err());
        assert_eq!(key, "kind");
        assert!(
            message.starts_with("1 value of Visits cannot become numbers: “many”"),
            "{message}"
        );
        assert_eq!(
            kith.fields().get(f.id).await.unwrap().kind,
            Text,
            "nothing changed"
        );

        users
            .set_custom_value(bob, f.id, Some("3,5"))
            .await
            .unwrap();
        let number = kith.fields().update(f.id, &to_number).await.unwrap();
        assert_eq!(number.kind, Number);
        let shown = |id| shown(&kith, id, f.id);
        assert_eq!(shown(bob).await.0, "3.5");

        // Number → money (in the field's currency) → number again.
        let money = kith
            .fields()
            .update(
                f.id,
                &CustomFieldInput::new("Visits", Money).with_currency("USD"),
            )
            .await
            .unwrap();
        assert_eq!(money.currency.as_deref(), Some("USD"));
        assert_eq!(
            shown(bob).await,
            ("350 USD".to_owned(), "3.50 USD".to_owned())
        );
        kith.fields().update(f.id, &to_number).await.unwrap();
        assert_eq!(shown(ann).await.0, "12");

        // Text → select: every distinct value becomes an option.
        let tier = field(&kith, CustomFieldInput::new("Tier", Text)).await;
        users
            .set_custom_value(ann, tier.id, Some("Gold"))
            .await
            .unwrap();
        users
            .set_custom_value(bob, tier.id, Some("gold"))
            .await
            .unwrap();
        let select = kith
            .fields()
            .update(tier.id, &CustomFieldInput::new("Tier", SingleSelect))
            .await
            .unwrap();
        assert_eq!(select.options.len(), 1, "Gold and gold are one option");
        let bob_tier = value_of(&users.get(bob).await.unwrap(), tier.id).unwrap();
        assert_eq!(
            bob_tier,
            (select.options[0].id.to_string(), "Gold".to_owned())
        );
        // … and back to text, by label.
        kith.fields()
            .update(tier.id, &CustomFieldInput::new("Tier", Text))
            .await
            .unwrap();
        assert_eq!(
            value_of(&users.get(bob).await.unwrap(), tier.id).unwrap().0,
            "Gold"
        );
    });
}

#[test]
fn fields_reorder_and_go_to_the_trash_and_back() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let a = field(&kith, CustomFieldInput::new("A", Text)).await;
        let b = field(&kith, CustomFieldInput::new("B", Text)).await;
        let c = field(&kith, CustomFieldInput::new("C", Text)).await;
        let names =
            |fields: Vec<CustomField>| fields.into_iter().map(|f| f.name).collect::<Vec<_>>();
        let order = kith.fields().reorder(&[c.id, a.id]).await.unwrap();
        assert_eq!(names(order), ["C", "A", "B"]);
        kith.users()
            .set_custom_value(ann, b.id, Some("kept while in the trash"))
            .await
            .unwrap();

        kith.fields().delete(b.id).await.unwrap();
        assert_eq!(names(kith.fields().list().await.unwrap()), ["C", "A"]);
        assert_eq!(names(kith.fields().deleted().await.unwrap()), ["B"]);
        assert!(kith
            .users()
            .get(ann)
            .await
            .unwrap()
            .custom_values
            .is_empty());
        assert!(
            kith.search("trash", 5).await.unwrap().rows.is_empty(),
            "not searchable"
        );

        // Its name was taken meanwhile: it comes back under another.
        field(&kith, CustomFieldInput::new("b", Text)).await;
        let back = kith.fields().restore(b.id).await.unwrap();
        assert_eq!(back.name, "B (restored)");
        let user = kith.users().get(ann).await.unwrap();
        assert_eq!(value_of(&user, b.id).unwrap().0, "kept while in the trash");
        assert_eq!(kith.search("trash", 5).await.unwrap().rows.len(), 1);
    });
}

#[test]
fn users_are_set_by_field_name_built_in_or_custom() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        field(
            &kith,
            CustomFieldInput::new("Credit", Money).with_currency("EUR"),
        )
        .await;
        let users = kith.users();
        let u = users.set_named(ann, "credit", Some("19.99")).await.unwrap();
        assert_eq!(u.custom_values[0].display, "19.99 EUR");
        let u = users
            .set_named(ann, "Mobile phone", Some("+1 202 555 0143"))
            .await
            .unwrap();
        assert_eq!(u.mobile_phone.as_deref(), Some("+12025550143"));
        let u = users
            .set_named(ann, "EMAIL", Some("ann@example.com"))
            .await
            .unwrap();
        assert_eq!(u.email.as_deref(), Some("ann@example.com"));
        let e = users
            .set_named(ann, "Shoe size", Some("9"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
    });
}
