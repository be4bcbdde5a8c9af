//! Contact photos imported as profile photos: stored in the blob store as one
//! of the user's files, set as their avatar, replaced on an update, put back by
//! undo, and never left behind by an import that is not kept.

mod common;

use std::path::{Path, PathBuf};

use base64::Engine;
use kith_core::files::{FileKind, BLOBS_DIR};
use kith_core::import::run::{Mode, RunError};
use kith_core::import::undo::undo;
use kith_core::Kith;

use common::{import, import_options as options};

/// Bytes that start like a JPEG file (the import tells images by their first
/// bytes; decoding them is the app's), made distinct by `seed`.
fn jpeg(seed: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend_from_slice(seed.as_bytes());
    bytes
}

/// A 3.0 card as Apple Contacts writes it, its photo folded over lines.
fn card(given: &str, family: &str, email: &str, photo: Option<&[u8]>) -> String {
    let mut card = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:{family};{given};;;\r\nFN:{given} {family}\r\n\
         EMAIL;type=INTERNET:{email}\r\n"
    );
    if let Some(photo) = photo {
        let encoded = base64::engine::general_purpose::STANDARD.encode(photo);
        card.push_str("PHOTO;ENCODING=b;TYPE=JPEG:");
        // Folded at 75 characters, continuation lines starting with a space.
        for (i, piece) in encoded.as_bytes().chunks(74).enumerate() {
            if i > 0 {
                card.push_str("\r\n ");
            }
            card.push_str(std::str::from_utf8(piece).unwrap());
        }
        card.push_str("\r\n");
    }
    card.push_str("END:VCARD\r\n");
    card
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Files in the blob store, its unfinished uploads aside.
fn blob_count(kith: &Kith) -> usize {
    let root = kith.data_dir().join(BLOBS_DIR);
    let Ok(folders) = std::fs::read_dir(&root) else {
        return 0;
    };
    folders
        .flatten()
        .filter(|f| f.file_name().len() == 2)
        .map(|f| std::fs::read_dir(f.path()).unwrap().count())
        .sum()
}

/// The user found by `query`, and their avatar's bytes, name and type.
async fn avatar(kith: &Kith, query: &str) -> (uuid::Uuid, Option<(Vec<u8>, String, String)>) {
    let user = kith.search(query, 5).await.unwrap().rows[0].id;
    let detail = kith.users().get(user).await.unwrap();
    let Some(id) = detail.avatar_id else {
        return (user, None);
    };
    let files = kith.files();
    let file = files.get(id).await.unwrap();
    let path = files.blobs().path_of(&file.sha256).unwrap();
    let bytes = std::fs::read(path).unwrap();
    (user, Some((bytes, file.name, file.mime)))
}

/// How many live image files `user` has.
async fn images(kith: &Kith, user: uuid::Uuid) -> usize {
    let files = kith.files();
    let list = files.list_for_user(user, Some(FileKind::Image)).await;
    list.unwrap().len()
}

#[test]
fn a_cards_photo_becomes_the_users_avatar_and_a_link_is_counted() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let photo = jpeg("ann");
        let text = format!(
            "{}{}BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cy Day\r\nEMAIL:cy@example.com\r\n\
             PHOTO:https://lh3.googleusercontent.com/a/cy\r\nEND:VCARD\r\n",
            card("Ann", "Lee", "ann@example.com", Some(&photo)),
            card("Bo", "Kim", "bo@example.com", None),
        );
        let f = write(dir.path(), "contacts.vcf", &text);
        let report = import(&kith, &f, &options(Mode::Create)).await.unwrap();
        assert_eq!(
            (
                report.created,
                report.photos,
                report.photo_links,
                report.failed
            ),
            (3, 1, 1, 0),
            "{:?}",
            report.errors
        );
        let (ann, stored) = avatar(&kith, "ann lee").await;
        assert_eq!(
            stored,
            Some((photo, "Ann Lee.jpg".to_owned(), "image/jpeg".to_owned()))
        );
        assert_eq!(
            images(&kith, ann).await,
            1,
            "the photo is one of Ann's images"
        );
        assert_eq!(avatar(&kith, "bo kim").await.1, None);
        assert_eq!(
            avatar(&kith, "cy day").await.1,
            None,
            "a link is not fetched"
        );
        assert_eq!(blob_count(&kith), 1);
    });
}

#[test]
fn an_update_replaces_the_photo_and_undo_puts_the_old_one_back() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let (first, second) = (jpeg("first"), jpeg("second"));
        let one = write(
            dir.path(),
            "one.vcf",
            &card("Ann", "Lee", "ann@example.com", Some(&first)),
        );
        import(&kith, &one, &options(Mode::Create)).await.unwrap();
        let (ann, _) = avatar(&kith, "ann lee").await;
        let before = kith.users().get(ann).await.unwrap().avatar_id;

        // Matched by email, without a name: the file is still named for Ann.
        let two = write(
            dir.path(),
            "two.vcf",
            &card("", "", "ann@example.com", Some(&second)).replace("FN: \r\n", ""),
        );
        let update = import(&kith, &two, &options(Mode::Upsert)).await.unwrap();
        assert_eq!(
            (update.updated, update.photos),
            (1, 1),
            "{:?}",
            update.errors
        );
        let (_, now) = avatar(&kith, "ann lee").await;
        assert_eq!(
            now,
            Some((second, "Ann Lee.jpg".to_owned(), "image/jpeg".to_owned()))
        );
        assert_eq!(
            images(&kith, ann).await,
            2,
            "the replaced photo stays a file of hers"
        );

        // The same photo again is no change.
        let again = import(&kith, &two, &options(Mode::Upsert)).await.unwrap();
        assert_eq!(
            (again.updated, again.unchanged, again.photos),
            (0, 1, 0),
            "{:?}",
            again.errors
        );

        undo(kith.store(), update.batch_id.unwrap(), |_| {})
            .await
            .unwrap();
        assert_eq!(kith.users().get(ann).await.unwrap().avatar_id, before);
        assert_eq!(
            avatar(&kith, "ann lee").await.1.map(|(bytes, ..)| bytes),
            Some(first)
        );
        assert_eq!(
            images(&kith, ann).await,
            1,
            "the update's photo went with it"
        );
    });
}

#[test]
fn two_photo_updates_undone_newest_first_give_back_the_first_photo() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let photo = |seed: &str| jpeg(seed);
        let file = |name: &str, seed: &str| {
            write(
                dir.path(),
                name,
                &card("Ann", "Lee", "ann@example.com", Some(&photo(seed))),
            )
        };
        import(&kith, &file("one.vcf", "first"), &options(Mode::Create))
            .await
            .unwrap();
        let (ann, _) = avatar(&kith, "ann lee").await;
        let second = import(&kith, &file("two.vcf", "second"), &options(Mode::Upsert))
            .await
            .unwrap();
        let third = import(&kith, &file("three.vcf", "third"), &options(Mode::Upsert))
            .await
            .unwrap();
        assert_eq!(images(&kith, ann).await, 3);

        let undone = undo(kith.store(), third.batch_id.unwrap(), |_| {})
            .await
            .unwrap();
        assert_eq!(undone.kept, 0, "{undone:?}");
        assert_eq!(
            avatar(&kith, "ann lee").await.1.map(|(bytes, ..)| bytes),
            Some(photo("second"))
        );
        // The avatar the undo put back is the second import's own again: its
        // undo puts the first back, and its photo goes.
        let undone = undo(kith.store(), second.batch_id.unwrap(), |_| {})
            .await
            .unwrap();
        assert_eq!(undone.kept, 0, "{undone:?}");
        assert_eq!(
            avatar(&kith, "ann lee").await.1.map(|(bytes, ..)| bytes),
            Some(photo("first"))
        );
        assert_eq!(images(&kith, ann).await, 1);
    });
}

#[test]
fn a_skipped_rows_photo_is_not_kept_and_a_column_of_picture_names_refuses_nobody() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let one = write(
            dir.path(),
            "one.vcf",
            &card("Ann", "Lee", "ann@example.com", Some(&jpeg("first"))),
        );
        import(&kith, &one, &options(Mode::Create)).await.unwrap();
        // Create only: Ann is skipped, so her new photo is not stored.
        let text = card("Ann", "Lee", "ann@example.com", Some(&jpeg("second")))
            + &card("Bo", "Kim", "bo@example.com", Some(&jpeg("bo")));
        let two = write(dir.path(), "two.vcf", &text);
        let report = import(&kith, &two, &options(Mode::Create)).await.unwrap();
        assert_eq!((report.created, report.skipped, report.photos), (1, 1, 1));
        assert_eq!(blob_count(&kith), 2, "Ann's first photo and Bo's");

        // Another CRM's export: an Avatar column of file names and links.
        let csv = write(
            dir.path(),
            "crm.csv",
            "First Name,Email,Avatar\nCy,cy@example.com,cy.jpg\n\
             Di,di@example.com,https://example.com/di.png\nEd,ed@example.com,\n",
        );
        let report = import(&kith, &csv, &options(Mode::Create)).await.unwrap();
        assert_eq!(
            (
                report.created,
                report.failed,
                report.photo_links,
                report.photos
            ),
            (3, 0, 2, 0),
            "{:?}",
            report.errors
        );
    });
}

#[test]
fn two_rows_of_one_contact_leave_one_photo_the_last() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let (first, second) = (jpeg("first"), jpeg("second"));
        let text = card("Ann", "Lee", "ann@example.com", Some(&first))
            + &card("Ann", "Lee", "ann@example.com", Some(&second));
        let f = write(dir.path(), "twice.vcf", &text);
        let report = import(&kith, &f, &options(Mode::Create)).await.unwrap();
        assert_eq!(
            (report.created, report.photos),
            (1, 1),
            "one user, one photo set"
        );
        let (ann, now) = avatar(&kith, "ann lee").await;
        assert_eq!(now.map(|(bytes, ..)| bytes), Some(second));
        assert_eq!(images(&kith, ann).await, 1, "the first row's photo went");
    });
}

#[test]
fn a_photo_that_is_no_image_is_refused_with_its_row_and_column() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let text = format!(
            "{}BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Kim\r\nPHOTO;ENCODING=b;TYPE=JPEG:aGVsbG8=\r\n\
             END:VCARD\r\n",
            card("Ann", "Lee", "ann@example.com", Some(&jpeg("ann"))),
        );
        let f = write(dir.path(), "contacts.vcf", &text);
        let report = import(&kith, &f, &options(Mode::Create)).await.unwrap();
        assert!(!report.committed);
        assert_eq!(report.failed, 1);
        let error = &report.errors[0];
        assert_eq!(error.column, "Photo");
        assert!(
            error.message.contains("damaged or not an image"),
            "{}",
            error.message
        );
        assert_eq!(blob_count(&kith), 0, "Ann's photo went with the import");
    });
}

#[test]
fn a_dry_run_stores_no_photo_and_a_cancel_leaves_none_behind() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let text: String = (0..6_000)
            .map(|i| {
                let photo = jpeg(&format!("photo {i}"));
                card(
                    &format!("User{i}"),
                    "Lee",
                    &format!("u{i}@example.com"),
                    Some(&photo),
                )
            })
            .collect();
        let f = write(dir.path(), "many.vcf", &text);
        let mut dry = options(Mode::Create);
        dry.dry_run = true;
        let report = import(&kith, &f, &dry).await.unwrap();
        assert_eq!((report.created, report.photos), (6_000, 6_000));
        assert_eq!(blob_count(&kith), 0, "a dry run stores nothing");

        let before = common::dump(kith.store()).await;
        let (result, seen) = common::import_cancelled(&kith, &f, &options(Mode::Create)).await;
        assert!(matches!(result, Err(RunError::Cancelled)));
        assert!(
            seen >= 2_000,
            "a chunk of photos was stored before the cancel"
        );
        assert_eq!(common::dump(kith.store()).await, before);
        assert_eq!(
            blob_count(&kith),
            0,
            "the cancelled import's photos are gone"
        );
    });
}
