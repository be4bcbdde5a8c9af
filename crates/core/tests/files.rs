//! Files: attaching real files from a temp folder into the blob store, dedupe,
//! rename/delete/restore, search by folded name and kind, and the clear errors
//! for what cannot be attached — on a real data directory.

mod common;

use std::path::{Path, PathBuf};

use kith_core::files::{FileError, FileKind};
use kith_core::{CoreError, ErrorKind, Kith};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Writes `bytes` to `dir/name` and returns its path.
fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every blob file in the store (not the temp folder).
fn blobs(kith: &Kith) -> Vec<PathBuf> {
    let root = kith.data_dir().join("blobs");
    let mut out = Vec::new();
    for shard in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        if shard.file_name() == "tmp" {
            continue;
        }
        for f in std::fs::read_dir(shard.path()).unwrap().flatten() {
            out.push(f.path());
        }
    }
    out
}

fn no_temp_files(kith: &Kith) {
    assert_eq!(
        kith.files().blobs().temp_files().unwrap(),
        Vec::<PathBuf>::new()
    );
}

async fn names(kith: &Kith, query: &str, kind: Option<FileKind>) -> Vec<String> {
    kith.files()
        .find(query, kind, 50)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.attachment.name)
        .collect()
}

#[test]
fn identical_content_is_stored_once_and_hashes_like_the_source() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let src = tempfile::tempdir().unwrap();
        let ann = common::user(&kith, "Ann", "Lee").await;
        let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let a = file(src.path(), "scan.pdf", &bytes);
        let b = file(src.path(), "copy of scan.pdf", &bytes);

        let files = kith.files();
        let first = files.attach(ann, &a, None).await.unwrap();
        let second = files.attach(ann, &b, None).await.unwrap();
        assert_ne!(first.id, second.id);
        assert_eq!(first.sha256, sha256_hex(&bytes));
        assert_eq!(first.sha256, second.sha256);
        assert_eq!(first.size, 300_000);
        assert_eq!(first.mime, "application/pdf");
        assert_eq!(first.kind, FileKind::Document);
        assert_eq!(first.name, "scan.pdf");
        assert!(first.created_at > 0);

        let stored = blobs(&kith);
        assert_eq!(stored.len(), 1, "one blob for two rows: {stored:?}");
        let path = files.blob_path(first.id).await.unwrap();
        assert_eq!(path, stored[0]);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let shard = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        assert_eq!(format!("{shard}{name}"), first.sha256);
        assert_eq!(sha256_hex(&std::fs::read(&path).unwrap()), first.sha256);
        assert_eq!(files.list_for_user(ann, None).await.unwrap().len(), 2);
        no_temp_files(&kith);
    });
}

#[test]
fn rename_delete_and_restore_keep_the_blob_and_the_index_in_step() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let src = tempfile::tempdir().unwrap();
        let ann = common::user(&kith, "Ann", "Lee").await;
        let files = kith.files();
        let att = files
            .attach(ann, &file(src.path(), "IMG_0001.jpg", b"jpeg"), None)
            .await
            .unwrap();
        assert_eq!(att.kind, FileKind::Image);

        let renamed = files
            .rename(att.id, "  Zoë's café party.jpg ")
            .await
            .unwrap();
        assert_eq!(renamed.name, "Zoë's café party.jpg");
        assert_eq!(renamed.mime, "image/jpeg");
        assert!(names(&kith, "img_0001", None).await.is_empty());
        assert_eq!(
            names(&kith, "CAFE PARTY", None).await,
            ["Zoë's café party.jpg"]
        );
        let err = files.rename(att.id, "a/b.jpg").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);

        files.delete(att.id).await.unwrap();
        assert!(names(&kith, "cafe", None).await.is_empty());
        assert!(files.list_for_user(ann, None).await.unwrap().is_empty());
        assert_eq!(
            files.get(att.id).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        // The tombstoned row still names the blob: undo must find the bytes.
        assert_eq!(blobs(&kith).len(), 1);

        let back = files.restore(att.id).await.unwrap();
        assert_eq!(back.name, "Zoë's café party.jpg");
        assert_eq!(names(&kith, "cafe", None).await, ["Zoë's café party.jpg"]);
        assert!(files.blob_path(att.id).await.unwrap().is_file());
        assert_eq!(
            files.restore(Uuid::now_v7()).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
    });
}

#[test]
fn find_searches_every_users_files_by_folded_name_and_kind_newest_first() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let src = tempfile::tempdir().unwrap();
        let ann = common::user(&kith, "Ann", "Lee").await;
        let zoe = common::user(&kith, "Zoë", "Müller").await;
        let files = kith.files();
        let paths = vec![
            file(src.path(), "Müller contract.pdf", b"pdf"),
            file(src.path(), "müller holiday.MP4", b"mp4"),
        ];
        let zoes = files.attach_many(zoe, &paths, None).await.unwrap();
        assert_eq!(zoes[1].kind, FileKind::Video);
        files
            .attach(ann, &file(src.path(), "Mullerton notes.txt", b"txt"), None)
            .await
            .unwrap();

        assert_eq!(
            names(&kith, "MULLER", None).await,
            [
                "Mullerton notes.txt",
                "müller holiday.MP4",
                "Müller contract.pdf"
            ]
        );
        assert_eq!(
            names(&kith, "muller", Some(FileKind::Video)).await,
            ["müller holiday.MP4"]
        );
        assert_eq!(
            names(&kith, "", Some(FileKind::Document)).await,
            ["Mullerton notes.txt", "Müller contract.pdf"]
        );
        assert_eq!(
            names(&kith, "holiday muller", None).await,
            ["müller holiday.MP4"]
        );
        let found = files.find("contract", None, 10).await.unwrap();
        assert_eq!(found.hits[0].user_name, "Zoë Müller");
        let short = files.find("mu", None, 10).await.unwrap();
        assert!(short.query_too_short);
        assert_eq!(
            files
                .list_for_user(zoe, Some(FileKind::Video))
                .await
                .unwrap()
                .len(),
            1
        );

        // A user in the trash takes their files out of the Files view.
        kith.users().delete(zoe).await.unwrap();
        assert_eq!(names(&kith, "muller", None).await, ["Mullerton notes.txt"]);
    });
}

#[test]
fn folders_missing_files_and_missing_users_are_refused_with_nothing_written() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let src = tempfile::tempdir().unwrap();
        let ann = common::user(&kith, "Ann", "Lee").await;
        let files = kith.files();
        let good = file(src.path(), "good.txt", b"good");

        let folder = src.path().join("Holiday photos");
        std::fs::create_dir(&folder).unwrap();
        let err = files.attach(ann, &folder, None).await.unwrap_err();
        assert!(
            matches!(&err, CoreError::File(FileError::IsFolder(_))),
            "{err:?}"
        );
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert_eq!(err.field(), Some("path"));
        assert!(err.to_string().contains("is a folder"), "{err}");

        let missing = src.path().join("nope.pdf");
        let err = files.attach(ann, &missing, None).await.unwrap_err();
        assert!(
            matches!(&err, CoreError::File(FileError::Missing(_))),
            "{err:?}"
        );
        assert_eq!(err.kind(), ErrorKind::NotFound);

        // One bad path among good ones refuses the whole drop before any is stored.
        let err = files
            .attach_many(ann, &[good.clone(), folder.clone()], None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);

        let err = files.attach(Uuid::now_v7(), &good, None).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(err.to_string(), "user not found");
        kith.users().delete(ann).await.unwrap();
        let err = files.attach(ann, &good, None).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);

        assert!(blobs(&kith).is_empty());
        no_temp_files(&kith);
        assert!(files.list_for_user(ann, None).await.unwrap().is_empty());
    });
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_refused_clearly() {
    use std::os::unix::fs::PermissionsExt;
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let src = tempfile::tempdir().unwrap();
        let ann = common::user(&kith, "Ann", "Lee").await;
        let locked = file(src.path(), "locked.txt", b"secret");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::File::open(&locked).is_ok() {
            // Running as root: permissions do not stop reading. Nothing to test.
            return;
        }
        let err = kith.files().attach(ann, &locked, None).await.unwrap_err();
        assert!(
            matches!(&err, CoreError::File(FileError::Unreadable { .. })),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("cannot read"), "{err}");
        assert!(blobs(&kith).is_empty());
        no_temp_files(&kith);
    });
}

#[test]
fn a_stream_that_fails_half_way_leaves_no_temp_file_and_no_blob() {
    struct Failing(usize);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("disk went away"));
            }
            self.0 -= 1;
            buf.fill(7);
            Ok(buf.len())
        }
    }
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let files = kith.files();
        let err = files.blobs().put(Failing(3)).unwrap_err();
        assert!(matches!(err, FileError::Read(_)), "{err:?}");
        assert!(blobs(&kith).is_empty());
        no_temp_files(&kith);
    });
}

#[test]
fn a_copy_saved_elsewhere_is_the_same_bytes() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let src = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let ann = common::user(&kith, "Ann", "Lee").await;
        let bytes = b"hello, copy".repeat(50_000);
        let att = kith
            .files()
            .attach(ann, &file(src.path(), "big.bin", &bytes), None)
            .await
            .unwrap();
        assert_eq!(att.kind, FileKind::Other);
        let dest = out.path().join("saved.bin");
        let written = kith.files().export_copy(att.id, &dest).await.unwrap();
        assert_eq!(written, bytes.len() as u64);
        assert_eq!(std::fs::read(&dest).unwrap(), bytes);
        let err = kith
            .files()
            .export_copy(att.id, out.path())
            .await
            .unwrap_err();
        assert!(matches!(err, CoreError::File(FileError::IsFolder(_))));
        // Nothing but the copy in the destination folder: no temp file left.
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
    });
}

#[test]
fn a_users_own_image_becomes_their_profile_or_cover_image() {
    use kith_core::activity::{ActivityGroup, ActivityQuery};
    use kith_core::files::ImageRole;
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let ann = common::user(&kith, "Ann", "Lee").await;
        let bo = common::user(&kith, "Bo", "Chen").await;
        let files = kith.files();
        let face = files
            .attach(ann, &file(dir.path(), "face.jpg", b"jpeg"), None)
            .await
            .unwrap();
        let beach = files
            .attach(ann, &file(dir.path(), "beach.png", b"png"), None)
            .await
            .unwrap();
        let pdf = files
            .attach(ann, &file(dir.path(), "terms.pdf", b"pdf"), None)
            .await
            .unwrap();
        let bos = files
            .attach(bo, &file(dir.path(), "bo.jpg", b"bo"), None)
            .await
            .unwrap();

        let images = files
            .set_user_image(ann, ImageRole::Avatar, Some(face.id))
            .await
            .unwrap();
        assert_eq!(images.avatar_id, Some(face.id));
        files
            .set_user_image(ann, ImageRole::Cover, Some(beach.id))
            .await
            .unwrap();
        let detail = kith.users().get(ann).await.unwrap();
        assert_eq!(
            (detail.avatar_id, detail.cover_id),
            (Some(face.id), Some(beach.id))
        );
        // The list shows the avatar too.
        let listed = kith.search("ann", 5).await.unwrap().rows;
        assert_eq!(listed[0].avatar_id, Some(face.id));

        for (user, id, what) in [(ann, pdf.id, "not an image"), (ann, bos.id, "own files")] {
            let err = files
                .set_user_image(user, ImageRole::Avatar, Some(id))
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Validation);
            assert!(err.to_string().contains(what), "{err}");
        }

        // Deleting the file takes the image away; removing the image keeps the file.
        files.delete(beach.id).await.unwrap();
        assert_eq!(kith.users().get(ann).await.unwrap().cover_id, None);
        let cleared = files
            .set_user_image(ann, ImageRole::Avatar, None)
            .await
            .unwrap();
        assert_eq!(cleared.avatar_id, None);
        assert!(files.get(face.id).await.is_ok());

        let history = kith
            .activity()
            .for_user(
                ann,
                &ActivityQuery {
                    groups: vec![ActivityGroup::Fields],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let image_changes: Vec<_> = history
            .iter()
            .filter(|e| e.field.as_deref() == Some("Profile image"))
            .map(|e| (e.old.clone(), e.new.clone()))
            .collect();
        assert_eq!(
            image_changes,
            [
                (Some("face.jpg".to_owned()), None),
                (None, Some("face.jpg".to_owned()))
            ]
        );
    });
}
