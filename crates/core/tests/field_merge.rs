//! The merge laws hold for custom fields too: a history of fields, options, values,
//! renames, a change of kind and the trash, applied to fresh stores in any order and
//! batching, gives identical databases — search index included — and searches.

mod common;

use kith_core::fields::{CustomFieldInput, CustomFieldKind, OptionInput};
use kith_core::protocol::Change;
use kith_core::Store;
use proptest::prelude::*;

/// Changes a desktop made: fields of three kinds, users, values, an option
/// renamed, a field converted to a select, another trashed and restored.
fn history() -> Vec<Change> {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let fields = kith.fields();
        let users = kith.users();
        let tier = fields
            .create(
                &CustomFieldInput::new("Tier", CustomFieldKind::SingleSelect)
                    .with_options(["Gold", "Silver"]),
            )
            .await
            .unwrap();
        let company = fields
            .create(&CustomFieldInput::new("Company", CustomFieldKind::Text))
            .await
            .unwrap();
        let phone = fields
            .create(&CustomFieldInput::new("Work phone", CustomFieldKind::Phone))
            .await
            .unwrap();
        let ann = common::user(&kith, "Ann", "Lee").await;
        let bob = common::user(&kith, "Bob", "Ray").await;
        users
            .set_custom_value(ann, tier.id, Some("Gold"))
            .await
            .unwrap();
        users
            .set_custom_value(bob, tier.id, Some("Silver"))
            .await
            .unwrap();
        users
            .set_custom_value(ann, company.id, Some("Northwind"))
            .await
            .unwrap();
        users
            .set_custom_value(bob, company.id, Some("Contoso"))
            .await
            .unwrap();
        users
            .set_custom_value(bob, phone.id, Some("+1 202 555 0143"))
            .await
            .unwrap();
        let mut input = CustomFieldInput::new("Tier", CustomFieldKind::SingleSelect);
        input.options = tier
            .options
            .iter()
            .map(|o| OptionInput {
                id: Some(o.id),
                label: if o.label == "Gold" {
                    "Platinum".into()
                } else {
                    o.label.clone()
                },
            })
            .collect();
        fields.update(tier.id, &input).await.unwrap();
        fields
            .update(
                company.id,
                &CustomFieldInput::new("Company", CustomFieldKind::SingleSelect),
            )
            .await
            .unwrap();
        fields.delete(phone.id).await.unwrap();
        users.set_custom_value(bob, company.id, None).await.unwrap();
        fields.restore(phone.id).await.unwrap();
        kith.users().delete(ann).await.unwrap();
        kith.users().restore(ann).await.unwrap();
        kith.store()
            .outbox(10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    })
}

const QUERIES: [&str; 6] = [
    "platinum",
    "gold",
    "silver",
    "northwind",
    "contoso",
    "5550143",
];

/// The database and what each query finds, after merging `batches` in order.
fn apply_all(batches: Vec<Vec<Change>>) -> (Vec<String>, Vec<Vec<String>>) {
    common::runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("kith.db")).await.unwrap();
        for batch in batches {
            store.merge(&batch).await.expect("merge");
        }
        let mut found = Vec::new();
        for q in QUERIES {
            let mut ids: Vec<String> = kith_core::search::search_users(store.pool(), q, 20)
                .await
                .unwrap()
                .rows
                .into_iter()
                .map(|u| u.id.to_string())
                .collect();
            ids.sort();
            found.push(ids);
        }
        (common::dump(&store).await, found)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn custom_fields_converge_in_any_order(shuffle_seed in any::<u64>(), split in 1usize..6) {
        let changes = history();
        let reference = apply_all(vec![changes.clone()]);
        // In the source's order, the searches find what the source did.
        prop_assert_eq!(reference.1[0].len(), 1, "Ann by the renamed option");
        prop_assert!(reference.1[1].is_empty(), "no one by the old label");
        prop_assert_eq!(reference.1[3].len(), 1, "Ann by her company");
        prop_assert!(reference.1[4].is_empty(), "Bob's company was cleared");
        prop_assert_eq!(reference.1[5].len(), 1, "Bob by his restored phone field");

        let mut shuffled = changes;
        let mut s = shuffle_seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let size = shuffled.len().div_ceil(split).max(1);
        let batches: Vec<Vec<Change>> = shuffled.chunks(size).map(<[Change]>::to_vec).collect();
        prop_assert_eq!(&reference, &apply_all(batches));
    }
}
