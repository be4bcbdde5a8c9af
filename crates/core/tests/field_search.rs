//! Custom values in the user search: text, emails, links, option labels and phone
//! digits are found; numbers and dates are not; the index follows every change
//! (values, options, fields in the trash) and is rebuilt after the migration.

mod common;

use kith_core::fields::{CustomFieldInput, CustomFieldKind};
use kith_core::Kith;

use common::found;
use CustomFieldKind::*;

#[test]
fn users_are_found_by_their_custom_values() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let anna = common::user(&kith, "Anna", "Berg").await;
        let zoe = common::user(&kith, "Zoë", "Müller").await;
        let fields = kith.fields();
        let tier = fields
            .create(
                &CustomFieldInput::new("Membership", SingleSelect)
                    .with_options(["Gold Club", "Silver"]),
            )
            .await
            .unwrap();
        let note = fields
            .create(&CustomFieldInput::new("Company", Text))
            .await
            .unwrap();
        let phone = fields
            .create(&CustomFieldInput::new("Work phone", Phone))
            .await
            .unwrap();
        let size = fields
            .create(&CustomFieldInput::new("Shoe size", Number))
            .await
            .unwrap();
        let users = kith.users();
        users
            .set_custom_value(anna, tier.id, Some("Gold Club"))
            .await
            .unwrap();
        users
            .set_custom_value(zoe, tier.id, Some("Silver"))
            .await
            .unwrap();
        users
            .set_custom_value(zoe, note.id, Some("Café Größe"))
            .await
            .unwrap();
        users
            .set_custom_value(anna, phone.id, Some("+1 202 555 0143"))
            .await
            .unwrap();
        users
            .set_custom_value(zoe, size.id, Some("38"))
            .await
            .unwrap();

        assert_eq!(found(&kith, "gold").await, [anna], "an option's label");
        assert_eq!(
            found(&kith, "cafe grosse").await,
            [zoe],
            "folded text, every word"
        );
        assert_eq!(found(&kith, "555 0143").await, [anna], "phone digits");
        assert_eq!(
            found(&kith, "anna gold").await,
            [anna],
            "name and value together"
        );
        assert!(
            found(&kith, "anna silver").await.is_empty(),
            "every word must match"
        );
        assert!(found(&kith, "38").await.is_empty(), "numbers are not words");
        assert_eq!(kith.count_matches("gold club").await.unwrap(), 1);

        // The index follows changes: a new value, a cleared one, a renamed option.
        users
            .set_custom_value(anna, tier.id, Some("Silver"))
            .await
            .unwrap();
        assert!(found(&kith, "gold").await.is_empty());
        let mut both = found(&kith, "silver").await;
        both.sort();
        let mut want = vec![anna, zoe];
        want.sort();
        assert_eq!(both, want);
        users.set_custom_value(zoe, note.id, None).await.unwrap();
        assert!(found(&kith, "cafe").await.is_empty());
        let f = fields.get(tier.id).await.unwrap();
        let mut input = CustomFieldInput::new("Membership", SingleSelect);
        input.options = f
            .options
            .iter()
            .map(|o| kith_core::fields::OptionInput {
                id: Some(o.id),
                label: if o.label == "Silver" {
                    "Argent".into()
                } else {
                    o.label.clone()
                },
            })
            .collect();
        fields.update(tier.id, &input).await.unwrap();
        assert!(found(&kith, "silver").await.is_empty());
        assert_eq!(found(&kith, "argent").await.len(), 2);

        // A field in the trash is not searched; back from it, it is again.
        fields.delete(tier.id).await.unwrap();
        assert!(found(&kith, "argent").await.is_empty());
        assert_eq!(kith.count_matches("argent").await.unwrap(), 0);
        fields.restore(tier.id).await.unwrap();
        assert_eq!(found(&kith, "argent").await.len(), 2);

        // A user in the trash is not found by a custom value either.
        kith.users().delete(zoe).await.unwrap();
        assert_eq!(found(&kith, "argent").await, [anna]);
    });
}

#[test]
fn values_that_arrive_before_their_user_are_indexed_when_the_user_comes() {
    common::runtime().block_on(async {
        let (_a, here) = common::kith().await;
        let (_b, there) = common::kith().await;
        here.fields()
            .create(&CustomFieldInput::new("Company", Text))
            .await
            .unwrap();
        let ann = common::user(&here, "Ann", "Lee").await;
        let f = here.fields().list().await.unwrap()[0].id;
        here.users()
            .set_custom_value(ann, f, Some("Northwind"))
            .await
            .unwrap();
        let mut changes: Vec<_> = here
            .store()
            .outbox(100)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        // The value first, then the field, then the user, each in its own batch.
        changes.reverse();
        for c in changes {
            there.store().merge(&[c]).await.unwrap();
        }
        assert_eq!(found(&there, "northwind").await, [ann]);
        assert_eq!(
            common::dump(here.store()).await,
            common::dump(there.store()).await
        );
    });
}

#[test]
fn values_stored_before_the_index_existed_are_indexed_on_open() {
    common::runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let ann;
        {
            let kith = Kith::open(dir.path()).await.unwrap();
            let f = kith
                .fields()
                .create(&CustomFieldInput::new("Company", Text))
                .await
                .unwrap();
            ann = common::user(&kith, "Ann", "Lee").await;
            kith.users()
                .set_custom_value(ann, f.id, Some("Northwind"))
                .await
                .unwrap();
            // As a database from before migration 0009 is: values, no index entries,
            // and the migration's mark.
            sqlx::query("DELETE FROM user_values_fts")
                .execute(kith.store().pool())
                .await
                .unwrap();
            sqlx::query("INSERT INTO meta (key, value) VALUES ('rebuild:user_values_fts', '1')")
                .execute(kith.store().pool())
                .await
                .unwrap();
            assert!(found(&kith, "northwind").await.is_empty());
            kith.store().close().await;
        }
        let kith = Kith::open(dir.path()).await.unwrap();
        assert_eq!(found(&kith, "northwind").await, [ann]);
    });
}
