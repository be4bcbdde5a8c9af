//! The staff directory: validation, unique names, colours, removal.

mod common;

use kith_core::staff::{StaffInput, STAFF_COLORS};
use kith_core::CoreError;

fn input(name: &str, email: Option<&str>) -> StaffInput {
    StaffInput {
        name: name.into(),
        email: email.map(Into::into),
        color: None,
    }
}

fn field_of(e: CoreError) -> String {
    match e {
        CoreError::Validation { field, .. } => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn staff_are_added_listed_by_name_and_get_distinct_colours() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let staff = kith.staff();
        let zoe = staff
            .add(&input("  Zoë ", Some(" zoe@example.com ")))
            .await
            .unwrap();
        assert_eq!(zoe.name, "Zoë");
        assert_eq!(zoe.email.as_deref(), Some("zoe@example.com"));
        assert_eq!(zoe.color, STAFF_COLORS[0]);
        let ada = staff.add(&input("ada", None)).await.unwrap();
        assert_eq!(ada.color, STAFF_COLORS[1]);
        let pick = staff
            .add(&StaffInput {
                color: Some("#ABCDEF".into()),
                ..input("Ben", None)
            })
            .await
            .unwrap();
        assert_eq!(pick.color, "#abcdef");

        let names: Vec<String> = staff
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["ada", "Ben", "Zoë"]);
        assert_eq!(
            staff.find_by_name("ZOË").await.unwrap().map(|s| s.id),
            Some(zoe.id)
        );
    });
}

#[test]
fn bad_staff_input_names_its_field_and_saves_nothing() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let staff = kith.staff();
        staff.add(&input("Ada", None)).await.unwrap();
        let cases = [
            (input("  ", None), "name"),
            (input("ADA", None), "name"),
            (input("Ben", Some("ben-at-example.com")), "email"),
            (
                StaffInput {
                    color: Some("blue".into()),
                    ..input("Ben", None)
                },
                "color",
            ),
        ];
        for (bad, field) in cases {
            let e = staff.add(&bad).await.unwrap_err();
            assert_eq!(field_of(e), field, "{bad:?}");
        }
        assert_eq!(staff.list().await.unwrap().len(), 1);
    });
}

#[test]
fn staff_are_renamed_and_removed() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let staff = kith.staff();
        let ada = staff.add(&input("Ada", None)).await.unwrap();
        let ben = staff.add(&input("Ben", None)).await.unwrap();
        // Renaming to one's own name in another case is no clash.
        let renamed = staff
            .update(ada.id, &input("ADA Lovelace", Some("ada@example.com")))
            .await
            .unwrap();
        assert_eq!(renamed.name, "ADA Lovelace");
        assert_eq!(renamed.color, ada.color, "no colour given keeps the colour");
        let clash = staff.update(ben.id, &input("ada lovelace", None)).await;
        assert_eq!(field_of(clash.unwrap_err()), "name");

        staff.remove(ada.id).await.unwrap();
        let left: Vec<_> = staff
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(left, [ben.id]);
        assert!(matches!(
            staff.remove(ada.id).await,
            Err(CoreError::NotFound { .. })
        ));
        // The name is free again once its holder is gone.
        staff.add(&input("Ada Lovelace", None)).await.unwrap();
    });
}
