//! The merge laws: any permutation, duplication or split into batches of a random
//! set of changes, applied to fresh stores, yields identical databases.

mod common;

use std::collections::{BTreeMap, HashSet};

use kith_core::protocol::{Change, Hlc, NodeId, Value};
use proptest::prelude::*;
use uuid::Uuid;

const USER_COLUMNS: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "mobile_phone",
    "home_phone",
    "app_user_id",
    "stripe_customer_id",
    "location_id",
    "generated_password",
    "source",
    "created_at",
    "deleted_at",
];

fn rows() -> Vec<Uuid> {
    (1..=3u128).map(Uuid::from_u128).collect()
}

fn nodes() -> Vec<NodeId> {
    (1..=3u128)
        .map(|n| NodeId(Uuid::from_u128(n << 64)))
        .collect()
}

fn value_for(column: &str, pick: u8) -> Value {
    if pick.is_multiple_of(5) {
        return Value::Null;
    }
    match column {
        "created_at" | "deleted_at" => Value::Int(i64::from(pick)),
        "_deleted" => Value::Bool(pick.is_multiple_of(2)),
        "location_id" => Value::Text(Uuid::from_u128(u128::from(pick)).to_string()),
        "email" => Value::Text(format!("u{}@example.com", pick % 4)),
        "mobile_phone" | "home_phone" => Value::Text(format!("+1555123450{}", pick % 10)),
        _ => Value::Text(
            ["Zoë", "ann", "Müller", "bob", "ångström"][usize::from(pick) % 5].to_owned(),
        ),
    }
}

/// A change to `users`: either a full row (all columns) or a few fields.
fn arb_change() -> impl Strategy<Value = Change> {
    (
        0usize..3,
        0usize..3,
        1u64..40,
        any::<bool>(),
        proptest::collection::vec((0usize..13, any::<u8>()), 1..5),
    )
        .prop_map(|(row, node, millis, full, picks)| {
            let mut fields = BTreeMap::new();
            if full {
                for (i, c) in USER_COLUMNS.iter().enumerate() {
                    fields.insert(
                        (*c).to_owned(),
                        value_for(c, picks[i % picks.len()].1.wrapping_add(i as u8)),
                    );
                }
                fields.insert("_deleted".into(), Value::Bool(false));
            } else {
                for (c, pick) in picks {
                    let column = USER_COLUMNS.get(c).copied().unwrap_or("_deleted");
                    let mut v = value_for(column, pick);
                    if column == "_deleted" && v.is_null() {
                        v = Value::Bool(true);
                    }
                    fields.insert(column.to_owned(), v);
                }
            }
            Change {
                table: "users".into(),
                row: rows()[row],
                hlc: Hlc::new(millis, 0),
                node: nodes()[node],
                fields,
            }
        })
}

/// A change to a user's address: a child row that moves its user's activity clock.
fn arb_address_change() -> impl Strategy<Value = Change> {
    (0u128..2, 0usize..3, 0usize..3, 1u64..40, any::<u8>()).prop_map(
        |(row, user, node, millis, pick)| {
            let mut fields = BTreeMap::new();
            fields.insert("user_id".to_owned(), Value::Text(rows()[user].to_string()));
            fields.insert("city".to_owned(), value_for("city", pick));
            if pick.is_multiple_of(7) {
                fields.insert("_deleted".to_owned(), Value::Bool(true));
            }
            Change {
                table: "user_addresses".into(),
                row: Uuid::from_u128(100 + row),
                hlc: Hlc::new(millis, 1),
                node: nodes()[node],
                fields,
            }
        },
    )
}

/// A set of changes with unique stamps, as real replicas produce.
fn arb_changes() -> impl Strategy<Value = Vec<Change>> {
    let any_change = prop_oneof![4 => arb_change(), 1 => arb_address_change()];
    proptest::collection::vec(any_change, 1..24).prop_map(|mut v| {
        let mut seen = HashSet::new();
        v.retain(|c| seen.insert((c.hlc, c.node)));
        v
    })
}

fn apply_all(batches: Vec<Vec<Change>>) -> Vec<String> {
    common::runtime().block_on(async {
        let (_dir, store) = common::store().await;
        for batch in batches {
            store.merge(&batch).await.expect("merge");
        }
        common::dump(&store).await
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn order_duplication_and_batching_do_not_matter(
        changes in arb_changes(),
        shuffle_seed in any::<u64>(),
        dup_mask in any::<u32>(),
        split in 1usize..5,
    ) {
        let reference = apply_all(vec![changes.clone()]);

        let mut shuffled = changes.clone();
        // A seeded Fisher–Yates shuffle, reproducible from the proptest seed.
        let mut s = shuffle_seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        for (i, c) in changes.iter().enumerate() {
            if dup_mask & (1 << (i % 32)) != 0 {
                shuffled.push(c.clone());
            }
        }
        let size = shuffled.len().div_ceil(split).max(1);
        let batches: Vec<Vec<Change>> = shuffled.chunks(size).map(<[Change]>::to_vec).collect();
        prop_assert_eq!(&reference, &apply_all(batches));

        let mut reversed = changes.clone();
        reversed.reverse();
        let one_by_one: Vec<Vec<Change>> = reversed.into_iter().map(|c| vec![c]).collect();
        prop_assert_eq!(&reference, &apply_all(one_by_one));
    }
}

#[test]
fn the_greatest_stamp_wins_each_field_independently() {
    let rt = common::runtime();
    rt.block_on(async {
        let (_d, store) = common::store().await;
        let row = Uuid::from_u128(7);
        let [a, b] = [NodeId(Uuid::from_u128(1)), NodeId(Uuid::from_u128(2))];
        let change = |hlc: u64, node, fields: &[(&str, &str)]| Change {
            table: "users".into(),
            row,
            hlc: Hlc::new(hlc, 0),
            node,
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                .collect(),
        };
        // Two people edit different fields of the same user offline: both edits stay.
        store
            .merge(&[change(
                10,
                a,
                &[("first_name", "Zoe"), ("last_name", "Muller")],
            )])
            .await
            .unwrap();
        store
            .merge(&[change(12, b, &[("email", "z@example.com")])])
            .await
            .unwrap();
        store
            .merge(&[change(11, a, &[("first_name", "Zoë")])])
            .await
            .unwrap();
        // An older write of the same field loses, whenever it arrives.
        store
            .merge(&[change(9, b, &[("first_name", "Zed")])])
            .await
            .unwrap();
        // Equal clocks: the greater node wins.
        store
            .merge(&[change(11, b, &[("last_name", "Müller")])])
            .await
            .unwrap();
        let (first, last, email): (String, String, String) =
            sqlx::query_as("SELECT first_name, last_name, email FROM users WHERE id = ?")
                .bind(row.to_string())
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(
            (first.as_str(), last.as_str(), email.as_str()),
            ("Zoë", "Müller", "z@example.com")
        );
    });
}

#[test]
fn a_bad_change_refuses_the_whole_batch() {
    let rt = common::runtime();
    rt.block_on(async {
        let (_d, store) = common::store().await;
        let good = Change {
            table: "users".into(),
            row: Uuid::from_u128(1),
            hlc: Hlc::new(5, 0),
            node: NodeId(Uuid::from_u128(1)),
            fields: [("first_name".to_owned(), Value::from("Ann"))].into(),
        };
        let cases = [
            ("secrets", "first_name", Value::from("x")),
            ("users", "password_hash", Value::from("x")),
            ("users", "first_name; DROP TABLE users", Value::from("x")),
            ("users", "created_at", Value::from("yesterday")),
            ("users", "location_id", Value::from("not-a-uuid")),
            ("users", "first_name", Value::from("4242 4242 4242 4242")),
            ("user_cards", "last4", Value::from("4242424242424242")),
            ("users", "email", Value::from("not an email")),
            ("users", "mobile_phone", Value::from("555-1234")),
            ("users", "first_name", Value::from("Ann\u{0}")),
            ("users", "first_name", Value::Text("x".repeat(200_000))),
            (
                "users",
                "location_id",
                Value::from("{5491B02C-0C3B-4C55-9E1D-1D2A4E8F0A11}"),
            ),
        ];
        for (table, column, value) in cases {
            let bad = Change {
                table: table.into(),
                row: Uuid::from_u128(2),
                hlc: Hlc::new(6, 0),
                node: NodeId(Uuid::from_u128(1)),
                fields: [(column.to_owned(), value)].into(),
            };
            let err = store.merge(&[good.clone(), bad]).await.unwrap_err();
            assert_eq!(
                err.kind(),
                kith_core::ErrorKind::InvalidInput,
                "{table}.{column}: {err}"
            );
            assert_eq!(
                common::dump(&store).await,
                vec!["live:0"],
                "nothing written for {table}.{column}"
            );
        }
        let no_clock = Change {
            hlc: Hlc::ZERO,
            ..good.clone()
        };
        assert!(
            store.merge(&[no_clock]).await.is_err(),
            "clock 0 is refused"
        );
        assert_eq!(
            store.clock().await,
            Hlc::ZERO,
            "a refused batch does not move the clock"
        );
    });
}
