//! The users service: validation, normalisation, duplicates, trash, children.

mod common;

use kith_core::users::*;
use kith_core::{CoreError, ErrorKind};

fn draft(first: &str, last: &str, email: Option<&str>, mobile: Option<&str>) -> NewUser {
    NewUser {
        first_name: first.into(),
        last_name: last.into(),
        email: email.map(Into::into),
        mobile_phone: mobile.map(Into::into),
        home_phone: None,
        custom_values: Vec::new(),
    }
}

fn field_of(e: CoreError) -> (String, String) {
    match e {
        CoreError::Validation { field, message } => (field, message),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn a_user_added_by_hand_is_normalised_and_gets_a_password() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let u = kith
            .users()
            .create(&draft(
                "  Zoë ",
                "Müller",
                Some(" zoe@example.com "),
                Some("(202) 555-0143"),
            ))
            .await
            .unwrap();
        assert_eq!(
            (u.first_name.as_str(), u.last_name.as_str()),
            ("Zoë", "Müller")
        );
        assert_eq!(u.email.as_deref(), Some("zoe@example.com"));
        assert_eq!(u.mobile_phone.as_deref(), Some("+12025550143"));
        assert_eq!(u.source, UserSource::Manual);
        assert!(u.has_generated_password);
        let pw = kith.users().reveal_password(u.id).await.unwrap().unwrap();
        assert_eq!(pw.len(), 19);
        assert!(u.created_at > 0);
    });
}

#[test]
fn bad_input_names_its_field_and_saves_nothing() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let users = kith.users();
        let cases = [
            (draft("A", "B", Some("not-an-email"), None), "email"),
            (draft("A", "B", None, Some("12")), "mobile_phone"),
            (draft("", " ", None, None), "first_name"),
            (draft("4111 1111 1111 1111", "B", None, None), "first_name"),
        ];
        for (d, field) in cases {
            let (f, message) = field_of(users.create(&d).await.unwrap_err());
            assert_eq!(f, field, "{message}");
        }
        assert_eq!(users.count().await.unwrap(), 0);
    });
}

#[test]
fn the_default_region_reads_national_numbers() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let mut s = kith.settings();
        s.default_region = "gb".into();
        assert_eq!(kith.update_settings(&s).await.unwrap().default_region, "GB");
        let u = kith
            .users()
            .create(&draft("Ann", "Lee", None, Some("07700 900123")))
            .await
            .unwrap();
        assert_eq!(u.mobile_phone.as_deref(), Some("+447700900123"));
        s.default_region = "XX".into();
        assert_eq!(
            field_of(kith.update_settings(&s).await.unwrap_err()).0,
            "default_region"
        );
    });
}

#[test]
fn duplicates_are_found_by_email_or_phone() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let users = kith.users();
        let ann = users
            .create(&draft(
                "Ann",
                "Lee",
                Some("Ann@Example.com"),
                Some("+1 202 555 0143"),
            ))
            .await
            .unwrap();
        let by_email = users
            .find_duplicates(&draft("X", "Y", Some("ann@example.COM"), None))
            .await
            .unwrap();
        assert_eq!(
            by_email.iter().map(|u| u.id).collect::<Vec<_>>(),
            vec![ann.id]
        );
        let by_phone = users
            .find_duplicates(&draft("X", "Y", None, Some("(202) 555-0143")))
            .await
            .unwrap();
        assert_eq!(by_phone.len(), 1);
        assert!(users
            .find_duplicates(&draft("X", "Y", Some("other@example.com"), None))
            .await
            .unwrap()
            .is_empty());
        users.delete(ann.id).await.unwrap();
        assert!(users
            .find_duplicates(&draft("X", "Y", Some("ann@example.com"), None))
            .await
            .unwrap()
            .is_empty());
    });
}

#[test]
fn edit_in_place_validates_each_field() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let users = kith.users();
        let u = users.create(&draft("Ann", "", None, None)).await.unwrap();
        let u2 = users
            .set_field(u.id, UserField::Email, Some("ann@example.com"))
            .await
            .unwrap();
        assert_eq!(u2.email.as_deref(), Some("ann@example.com"));
        let (f, _) = field_of(
            users
                .set_field(u.id, UserField::Email, Some("ann@"))
                .await
                .unwrap_err(),
        );
        assert_eq!(f, "email");
        assert_eq!(
            users.get(u.id).await.unwrap().email.as_deref(),
            Some("ann@example.com")
        );
        let (f, _) = field_of(
            users
                .set_field(u.id, UserField::FirstName, Some(""))
                .await
                .unwrap_err(),
        );
        assert_eq!(f, "first_name", "a user keeps at least one name");
        let (f, _) = field_of(
            users
                .set_field(u.id, UserField::StripeCustomerId, Some("123"))
                .await
                .unwrap_err(),
        );
        assert_eq!(f, "stripe_customer_id");
        let cleared = users.set_field(u.id, UserField::Email, None).await.unwrap();
        assert_eq!(cleared.email, None);
        let (f, _) = field_of(
            users
                .set_field(u.id, UserField::LocationId, Some("nowhere"))
                .await
                .unwrap_err(),
        );
        assert_eq!(f, "location_id");
        let loc = kith.workspace().create_location("Downtown").await.unwrap();
        let placed = users
            .set_field(u.id, UserField::LocationId, Some(&loc.id.to_string()))
            .await
            .unwrap();
        assert_eq!(placed.location_id, Some(loc.id));
    });
}

#[test]
fn trash_and_restore() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let users = kith.users();
        let u = users
            .create(&draft("Ann", "Lee", None, None))
            .await
            .unwrap();
        users.delete(u.id).await.unwrap();
        assert_eq!(users.count().await.unwrap(), 0);
        let trash = users.trash(10).await.unwrap();
        assert_eq!(trash.len(), 1);
        assert!(users.get(u.id).await.unwrap().deleted_at.is_some());
        let back = users.restore(u.id).await.unwrap();
        assert_eq!(back.deleted_at, None);
        assert_eq!(users.count().await.unwrap(), 1);
        assert!(users.trash(10).await.unwrap().is_empty());
        let missing = users.delete(uuid::Uuid::new_v4()).await.unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn detail_children_cards_and_teams() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let users = kith.users();
        let u = users
            .create(&draft("Ann", "Lee", None, None))
            .await
            .unwrap();

        let addr = AddressInput {
            label: "Home".into(),
            street: "1 Main St".into(),
            city: "Boston".into(),
            region: "MA".into(),
            postal_code: "02110".into(),
            country: "US".into(),
        };
        users.add_address(u.id, &addr).await.unwrap();
        let d = users
            .add_address(
                u.id,
                &AddressInput {
                    label: "Work".into(),
                    ..addr.clone()
                },
            )
            .await
            .unwrap();
        assert_eq!(d.addresses.len(), 2);
        let d = users.remove_address(d.addresses[0].id).await.unwrap();
        assert_eq!(d.addresses.len(), 1);
        assert_eq!(d.addresses[0].label, "Work");

        let d = users
            .add_social_link(
                u.id,
                &SocialLinkInput {
                    network: String::new(),
                    url: "instagram.com/ann".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(d.social_links[0].network, "Instagram");
        assert_eq!(d.social_links[0].url, "https://instagram.com/ann");

        let card = |last4: &str| CardInput {
            brand: "Visa".into(),
            last4: last4.into(),
            exp_month: 4,
            exp_year: 29,
        };
        let (f, m) = field_of(
            users
                .add_card(u.id, &card("4242 4242 4242 4242"))
                .await
                .unwrap_err(),
        );
        assert_eq!(f, "last4");
        assert!(m.contains("never stores full card numbers"));
        let d = users.add_card(u.id, &card("4242")).await.unwrap();
        assert_eq!(d.cards[0].last4, "4242");
        assert_eq!(d.cards[0].exp_year, 2029);
        let stored: Vec<String> = sqlx::query_scalar("SELECT last4 FROM user_cards")
            .fetch_all(kith.store().pool())
            .await
            .unwrap();
        assert_eq!(stored, vec!["4242"]);

        let d = users
            .add_push_token(u.id, "ios", "abc123", 1_700_000_000_000)
            .await
            .unwrap();
        let d = users.remove_push_token(d.push_tokens[0].id).await.unwrap();
        assert!(d.push_tokens.is_empty());

        let vip = kith.workspace().create_team("VIP").await.unwrap();
        assert!(
            kith.workspace().create_team("vip").await.is_err(),
            "names are unique"
        );
        let d = users.set_team(u.id, vip.id, true).await.unwrap();
        assert_eq!(d.teams, vec![vip.clone()]);
        let d = users.set_team(u.id, vip.id, true).await.unwrap();
        assert_eq!(d.teams.len(), 1, "joining twice is one membership");
        let d = users.set_team(u.id, vip.id, false).await.unwrap();
        assert!(d.teams.is_empty());
    });
}

#[test]
fn teams_are_renamed_counted_deleted_and_restored_with_their_members() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let (users, ws) = (kith.users(), kith.workspace());
        let ann = users
            .create(&draft("Ann", "Lee", None, None))
            .await
            .unwrap();
        let bob = users
            .create(&draft("Bob", "Ray", None, None))
            .await
            .unwrap();
        let vip = ws.create_team("VIP").await.unwrap();
        let fair = ws.create_team("Autumn fair").await.unwrap();
        for u in [ann.id, bob.id] {
            users.set_team(u, vip.id, true).await.unwrap();
        }
        users.set_team(ann.id, fair.id, true).await.unwrap();
        users.delete(bob.id).await.unwrap();
        let sizes = ws.team_sizes().await.unwrap();
        let sizes: Vec<_> = sizes.iter().map(|t| (t.name.as_str(), t.members)).collect();
        assert_eq!(
            sizes,
            [("Autumn fair", 1), ("VIP", 1)],
            "by name; a member in the trash is not counted"
        );

        let (field, message) = field_of(ws.rename_team(vip.id, "autumn FAIR").await.unwrap_err());
        assert_eq!(
            (field.as_str(), message.as_str()),
            ("name", "There is already one named autumn FAIR")
        );
        let renamed = ws.rename_team(vip.id, "  Regulars ").await.unwrap();
        assert_eq!(renamed.name, "Regulars");
        let d = users.get(ann.id).await.unwrap();
        let names: Vec<_> = d.teams.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["Autumn fair", "Regulars"],
            "the profile shows the new name"
        );

        ws.delete_team(vip.id).await.unwrap();
        assert!(ws
            .team_sizes()
            .await
            .unwrap()
            .iter()
            .all(|t| t.id != vip.id));
        assert_eq!(users.get(ann.id).await.unwrap().teams, vec![fair.clone()]);
        assert!(
            users.set_team(ann.id, vip.id, true).await.is_err(),
            "a deleted team takes nobody"
        );
        assert!(ws.delete_team(vip.id).await.is_err(), "deleted once");

        // Bob comes back from the trash: a team deleted in Settings is not
        // brought back with him (only teams an import's undo removed are).
        users.restore(bob.id).await.unwrap();
        assert!(ws.teams().await.unwrap().iter().all(|t| t.id != vip.id));

        let back = ws.restore_team(vip.id).await.unwrap();
        assert_eq!(back, renamed);
        let sizes = ws.team_sizes().await.unwrap();
        assert_eq!(
            sizes.iter().find(|t| t.id == vip.id).map(|t| t.members),
            Some(2),
            "with every member it had, Bob (in the trash then) too"
        );
        assert!(
            ws.restore_team(vip.id).await.is_err(),
            "only a deleted team is restored"
        );

        // Its only member: deleted, then she goes to the trash and comes back.
        users.set_team(bob.id, vip.id, false).await.unwrap();
        ws.delete_team(vip.id).await.unwrap();
        users.delete(ann.id).await.unwrap();
        users.restore(ann.id).await.unwrap();
        assert!(
            ws.teams().await.unwrap().iter().all(|t| t.id != vip.id),
            "a team deleted by hand stays deleted"
        );

        // A team of the same name made since the delete: the members join it.
        let other = ws.create_team("regulars").await.unwrap();
        assert_eq!(ws.restore_team(vip.id).await.unwrap(), other);
        let d = users.get(ann.id).await.unwrap();
        assert!(d.teams.contains(&other), "{:?}", d.teams);
        assert!(
            !users.get(bob.id).await.unwrap().teams.contains(&other),
            "Bob had left before the delete"
        );
        assert!(ws.teams().await.unwrap().iter().all(|t| t.id != vip.id));
    });
}

#[test]
fn list_sorts_and_pages() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let users = kith.users();
        for (f, l) in [
            ("Émile", "Zola"),
            ("anna", "Berg"),
            ("Carl", "Åberg"),
            ("bob", "Stone"),
        ] {
            users.create(&draft(f, l, None, None)).await.unwrap();
            // Users created in one millisecond list in creation (file) order; here
            // "newest first" must have one answer.
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        let page = users.list(UserSort::Name, 0, 10).await.unwrap();
        let names: Vec<_> = page.rows.iter().map(|u| u.first_name.as_str()).collect();
        assert_eq!(
            names,
            ["anna", "bob", "Carl", "Émile"],
            "case- and accent-insensitive"
        );
        assert_eq!(page.total, 4);
        let second = users.list(UserSort::Name, 2, 1).await.unwrap();
        assert_eq!(second.rows[0].first_name, "Carl");
        let newest = users.list(UserSort::Created, 0, 1).await.unwrap();
        assert_eq!(newest.rows[0].first_name, "bob");
        users
            .set_field(page.rows[0].id, UserField::LastName, Some("Berg-Lund"))
            .await
            .unwrap();
        let active = users.list(UserSort::Activity, 0, 1).await.unwrap();
        assert_eq!(
            active.rows[0].first_name, "anna",
            "last edited is most active"
        );
    });
}

#[test]
fn custom_text_fields_hold_values_per_user() {
    use kith_core::users::CustomFieldKind;
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let ws = kith.fields();
        let text =
            |name: &str| kith_core::fields::CustomFieldInput::new(name, CustomFieldKind::Text);
        let tier = ws.create(&text("Loyalty tier")).await.unwrap();
        let notes = ws.create(&text("Allergies")).await.unwrap();
        let clash = ws.create(&text("loyalty TIER")).await.unwrap_err();
        assert_eq!(field_of(clash).0, "name");
        // Shown in the order they were added.
        let names: Vec<String> = ws
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, ["Loyalty tier", "Allergies"]);

        let users = kith.users();
        let u = users
            .create(&draft("Ann", "Lee", None, None))
            .await
            .unwrap();
        users
            .set_custom_value(u.id, notes.id, Some("Peanuts"))
            .await
            .unwrap();
        let d = users
            .set_custom_value(u.id, tier.id, Some(" Gold "))
            .await
            .unwrap();
        let got: Vec<(&str, &str)> = d
            .custom_values
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(got, [("Loyalty tier", "Gold"), ("Allergies", "Peanuts")]);
        let d = users.set_custom_value(u.id, tier.id, None).await.unwrap();
        assert_eq!(d.custom_values.len(), 1);
        let bad = users
            .set_custom_value(u.id, tier.id, Some("4111 1111 1111 1111"))
            .await
            .unwrap_err();
        assert_eq!(bad.kind(), kith_core::ErrorKind::Validation);
        let missing = users
            .set_custom_value(u.id, uuid::Uuid::new_v4(), Some("x"))
            .await
            .unwrap_err();
        assert_eq!(missing.kind(), kith_core::ErrorKind::NotFound);
    });
}
