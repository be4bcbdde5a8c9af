//! The preview the import dialog shows, and mappings saved for next time.

mod common;

use std::path::{Path, PathBuf};

use kith_core::import::mapping::Target;
use kith_core::import::preview::{MappingSource, Preview, PREVIEW_ROWS};
use kith_core::import::source::{sniff, TextEncoding};
use kith_core::import::ImportError;

/// Sniffs the file, then previews it, as the app does.
fn preview(
    path: &Path,
    mapping: Option<(Vec<Target>, MappingSource)>,
    region: &str,
) -> Result<Preview, ImportError> {
    let sniffed = sniff(path, "US", None, None)?;
    let detected = sniffed.encoding;
    kith_core::import::preview::preview(
        path,
        &sniffed,
        detected,
        mapping,
        region,
        &Default::default(),
    )
}
use kith_core::import::saved;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

#[test]
fn a_preview_shows_rows_as_they_will_be_stored() {
    let p = preview(&fixture("outlook.csv"), None, "US").unwrap();
    assert_eq!(p.file_name, "outlook.csv");
    assert_eq!(p.mapping_source, MappingSource::Auto);
    assert_eq!(p.mapping.len(), p.headers.len());
    let first = p.rows[0].user.as_ref().expect("first row is valid");
    assert!(first.first_name.is_some());
    // Phones are shown in the form they are stored in: E.164.
    for u in p.rows.iter().filter_map(|r| r.user.as_ref()) {
        for phone in [&u.mobile_phone, &u.home_phone].into_iter().flatten() {
            assert!(phone.starts_with('+'), "{phone}");
        }
    }
}

#[test]
fn a_preview_reports_bad_rows_and_stops_at_twenty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    let mut text = String::from("First Name,Email\nBad,not-an-email\n\n");
    for i in 0..30 {
        text.push_str(&format!("P{i},p{i}@example.com\n"));
    }
    std::fs::write(&path, text).unwrap();
    let p = preview(&path, None, "US").unwrap();
    assert_eq!(p.rows.len(), PREVIEW_ROWS);
    assert_eq!(p.rows[0].row, 2);
    assert!(p.rows[0].user.is_none());
    assert_eq!(p.rows[0].errors[0].column, "Email");
    assert_eq!(
        p.samples[1],
        ["not-an-email", "p0@example.com", "p1@example.com"]
    );

    // A chosen mapping is used as given.
    let chosen = vec![Target::LastName, Target::Ignore];
    let p = preview(&path, Some((chosen.clone(), MappingSource::Chosen)), "US").unwrap();
    assert_eq!(p.mapping, chosen);
    assert_eq!(p.mapping_source, MappingSource::Chosen);
    assert_eq!(
        p.rows[0].user.as_ref().unwrap().last_name.as_deref(),
        Some("Bad")
    );
    // One of the wrong length falls back to the automatic one.
    let p = preview(
        &path,
        Some((vec![Target::Email], MappingSource::Saved)),
        "US",
    )
    .unwrap();
    assert_eq!(p.mapping_source, MappingSource::Auto);
}

#[test]
fn a_folder_or_empty_file_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let err = preview(dir.path(), None, "US").unwrap_err();
    assert!(err.to_string().contains("is a folder"), "{err}");
    // Messages reach the webview, which is never told where files live.
    let parent = dir.path().parent().unwrap().to_str().unwrap();
    assert!(!err.to_string().contains(parent), "{err}");
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    assert!(preview(&empty, None, "US")
        .unwrap_err()
        .to_string()
        .contains("empty"));
}

#[test]
fn a_saved_mapping_comes_back_for_the_same_headers() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let pool = kith.store().pool();
        let mut conn = pool.acquire().await.unwrap();
        let headers: Vec<String> = vec!["Nom complet".into(), "Courriel".into()];
        assert_eq!(saved::load(pool, &headers).await.unwrap(), None);
        let mapping = saved::SavedMapping {
            mapping: vec![Target::FullName, Target::Email],
            encoding: None,
        };
        saved::save(&mut conn, &headers, &mapping).await.unwrap();
        assert_eq!(
            saved::load(pool, &headers).await.unwrap(),
            Some(mapping.clone())
        );
        // Spelled with other case/accents/spaces: the same file layout.
        let alike: Vec<String> = vec!["NOM COMPLET ".into(), "courriel".into()];
        assert_eq!(
            saved::load(pool, &alike).await.unwrap(),
            Some(mapping.clone())
        );
        let other: Vec<String> = vec!["Nom".into(), "Courriel".into()];
        assert_eq!(saved::load(pool, &other).await.unwrap(), None);
        let short = saved::SavedMapping {
            mapping: vec![Target::Email],
            encoding: None,
        };
        assert!(saved::save(&mut conn, &headers, &short).await.is_err());

        // With the encoding the person chose for the file.
        let latin9 = saved::SavedMapping {
            encoding: TextEncoding::from_label("iso-8859-15"),
            ..mapping.clone()
        };
        saved::save(&mut conn, &headers, &latin9).await.unwrap();
        assert_eq!(saved::load(pool, &headers).await.unwrap(), Some(latin9.clone()));
        // A later import without an encoding keeps the one remembered.
        saved::save(&mut conn, &headers, &mapping).await.unwrap();
        assert_eq!(saved::load(pool, &headers).await.unwrap(), Some(latin9));
        // An encoding this version does not know loses the encoding, not the mapping.
        sqlx::query("UPDATE settings SET value = ? WHERE key LIKE 'import_mapping:%'")
            .bind(r#"{"mapping":[{"kind":"full_name"},{"kind":"email"}],"encoding":{"legacy":"klingon"}}"#)
            .execute(pool)
            .await
            .unwrap();
        assert_eq!(saved::load(pool, &headers).await.unwrap(), Some(mapping.clone()));

        // As versions before the encoding was remembered stored it: the mapping alone.
        sqlx::query("UPDATE settings SET value = ? WHERE key LIKE 'import_mapping:%'")
            .bind(r#"[{"kind":"full_name"},{"kind":"email"}]"#)
            .execute(pool)
            .await
            .unwrap();
        assert_eq!(saved::load(pool, &headers).await.unwrap(), Some(mapping));
    });
}

/// Header rows kept by their bytes are told apart exactly: read as Windows-1252,
/// "ФИО" and "Тип" (Windows-1251) are "ÔÈÎ" and "Òèï", which fold alike.
#[test]
fn mappings_saved_by_bytes_are_found_by_the_same_bytes_only() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let pool = kith.store().pool();
        let mut conn = pool.acquire().await.unwrap();
        let fio: Vec<String> = vec!["ÔÈÎ".into(), "Òåëåôîí".into()];
        let tip: Vec<String> = vec!["Òèï".into(), "Òåëåôîí".into()];
        let mapping = saved::SavedMapping {
            mapping: vec![Target::FullName, Target::PhoneValue { slot: 1 }],
            encoding: TextEncoding::from_label("windows-1251"),
        };
        saved::save_by_bytes(&mut conn, &fio, &mapping)
            .await
            .unwrap();
        assert_eq!(
            saved::load_by_bytes(pool, &fio).await.unwrap(),
            Some(mapping)
        );
        assert_eq!(saved::load_by_bytes(pool, &tip).await.unwrap(), None);
        assert_eq!(
            saved::load(pool, &fio).await.unwrap(),
            None,
            "kept apart from headers as read"
        );
    });
}

#[test]
fn samples_show_raw_cells_but_never_a_card_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cards.csv");
    std::fs::write(
        &path,
        "Name,Notes\nAnn Lee,card 4111 1111 1111 1111\nBob Stone,\nCy Young,VIP\n",
    )
    .unwrap();
    let p = preview(&path, None, "US").unwrap();
    assert_eq!(p.samples[0], ["Ann Lee", "Bob Stone", "Cy Young"]);
    assert_eq!(p.samples[1], ["[card number removed]", "VIP"]);
}

#[test]
fn a_preview_says_where_a_quote_is_never_closed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    std::fs::write(
        &path,
        "First Name,Note,Email\nAnn,\"two\nlines\",ann@example.com\nBob,\"5 tall,bob@example.com\nCy,,cy@example.com\n",
    )
    .unwrap();
    let err = preview(&path, None, "US").unwrap_err();
    assert!(matches!(err, ImportError::Shape { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("Row 3 (line 4 of the file) opens a quote"),
        "{err}"
    );
}

/// A row cut at the length limit may end inside a character: the person still
/// hears about the row's length (or its quote), not about invalid UTF-8.
#[test]
fn a_row_past_the_limit_in_accented_text_is_named_as_too_long() {
    use kith_core::import::shape::{ShapeKind, MAX_ROW_BYTES};
    let dir = tempfile::tempdir().unwrap();
    let long = "é".repeat(MAX_ROW_BYTES as usize / 2 + 1);
    for (text, quoted, row) in [
        (format!("Name,Note\nAnn,\"{long}\n"), true, 2),
        (format!("Name,Note\nAnn,{long}\n"), false, 2),
        (format!("Name,Note\nAnn,x{long}\n"), false, 2),
        // The header row itself.
        (format!("Name,Note{long}\nAnn,x\n"), false, 1),
    ] {
        let path = dir.path().join("long.csv");
        std::fs::write(&path, text).unwrap();
        match preview(&path, None, "US").unwrap_err() {
            ImportError::Shape { problem } => {
                assert_eq!((problem.row, problem.line), (row, row));
                assert_eq!(problem.kind, ShapeKind::TooLong { quoted });
            }
            other => panic!("{other}"),
        }
    }
}

#[test]
fn a_preview_names_the_title_lines_left_out_and_marks_the_footer() {
    let p = preview(&fixture("report-titles.csv"), None, "US").unwrap();
    assert_eq!(
        p.titles,
        ["Customer Contact List", "Acme Bakery Ltd.", "All Dates"]
    );
    assert_eq!(p.headers[0], "Customer");
    let rows: Vec<u64> = p.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, [6, 7, 10], "numbered as a spreadsheet shows the file");
    assert_eq!(
        p.rows[1]
            .user
            .as_ref()
            .and_then(|u| u.first_name.as_deref()),
        Some("Łucja")
    );
    assert!(p.rows[2].errors[0]
        .message
        .ends_with(kith_core::import::row::FOOTER));

    assert_eq!(
        p.samples[0],
        ["Ann Lee", "Łucja Nowak"],
        "no footer among the examples"
    );

    let plain = preview(&fixture("google.csv"), None, "US").unwrap();
    assert!(plain.titles.is_empty());
}
