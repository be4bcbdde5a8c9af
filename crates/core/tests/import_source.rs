//! Reading each real-world export: encoding, delimiter, headers and decoded cells.

use std::path::{Path, PathBuf};

use kith_core::import::mapping::{auto_map, Target};
use kith_core::import::source::{sniff, FileFormat, Rows, Sniffed, TextEncoding};
use kith_core::import::ImportError;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// Every data row of `path` read as `sniffed`, as the import reads them.
fn data_rows(path: &Path, sniffed: &Sniffed) -> Vec<Vec<String>> {
    let mut rows = Rows::open(path, sniffed).expect("open");
    let mut out = Vec::new();
    while let Some(row) = rows.next_row().expect("row") {
        out.push(row.cells.iter().map(str::to_owned).collect());
    }
    out
}

/// Every data row of a fixture, as decoded strings.
fn rows(name: &str) -> Vec<Vec<String>> {
    let path = fixture(name);
    data_rows(&path, &sniff(&path, "US", None, None).expect("sniff"))
}

fn check(name: &str, encoding: TextEncoding, delimiter: char, first_headers: &[&str]) {
    let s = sniff(&fixture(name), "US", None, None).expect("sniff");
    assert_eq!(s.encoding, encoding, "{name}");
    assert_eq!(s.delimiter, delimiter, "{name}");
    assert_eq!(&s.headers[..first_headers.len()], first_headers, "{name}");
}

#[test]
fn google_csv() {
    check(
        "google.csv",
        TextEncoding::Utf8,
        ',',
        &["Name", "Given Name", "Family Name"],
    );
    let r = rows("google.csv");
    assert_eq!(r[0][1], "Zoë");
    assert_eq!(
        r[0][4], "zoe@example.com ::: zoe.m@example.org",
        "multi-value cell kept whole"
    );
    assert_eq!(
        r[0][9], "12 Elm St\r\nApt 4",
        "a quoted newline stays in its cell"
    );
    assert_eq!(r[1][2], "Ångström");
    let headers = sniff(&fixture("google.csv"), "US", None, None)
        .unwrap()
        .headers;
    assert_eq!(auto_map(&headers)[6], Target::PhoneValue { slot: 1 });
}

/// Excel's "CSV" on a Polish, Czech or Hungarian Windows is Windows-1250: read as
/// Windows-1252 (the bytes alone allow both) "Łukasz" would be stored "£ukasz".
#[test]
fn excel_csv_in_windows_1250() {
    check(
        "excel-windows-1250.csv",
        TextEncoding::Legacy("windows-1250"),
        ';',
        &["Imię", "Nazwisko", "E-mail"],
    );
    let r = rows("excel-windows-1250.csv");
    assert_eq!(
        r[0],
        [
            "Łukasz",
            "Wróbel",
            "lukasz.wrobel@example.pl",
            "+48 601 234 567",
            "Łódź"
        ]
    );
    assert_eq!(
        (r[1][1].as_str(), r[1][4].as_str()),
        ("Żółkiewska-Źdźbło", "Kraków")
    );
    assert_eq!((r[2][0].as_str(), r[2][1].as_str()), ("Jiří", "Dvořák"));
    assert_eq!(
        (r[3][0].as_str(), r[3][1].as_str(), r[3][4].as_str()),
        ("Ödön", "Szőke", "Győr")
    );
    let headers = sniff(&fixture("excel-windows-1250.csv"), "US", None, None)
        .unwrap()
        .headers;
    assert_eq!(
        auto_map(&headers),
        [
            Target::FirstName,
            Target::LastName,
            Target::Email,
            Target::MobilePhone,
            Target::City
        ]
    );
}

/// Excel for Mac's "Comma Separated Values": Mac OS Roman, lines ended by a bare
/// CR. The detector takes it for Windows-1252 ("Zo‘ MŸller"); the accents
/// after letters say otherwise.
#[test]
fn excel_for_mac_csv_in_mac_os_roman() {
    check(
        "excel-mac.csv",
        TextEncoding::Legacy("macintosh"),
        ',',
        &["First Name", "Last Name", "E-mail Address", "City"],
    );
    let r = rows("excel-mac.csv");
    assert_eq!(r.len(), 4, "CR alone ends a row");
    assert_eq!(r[0], ["Zoë", "Müller", "zoe@example.com", "München"]);
    assert_eq!((r[2][1].as_str(), r[2][3].as_str()), ("Núñez", "Cádiz"));
    assert_eq!((r[3][0].as_str(), r[3][1].as_str()), ("Hélène", "Côté"));
}

/// And on a Russian one, Windows-1251.
#[test]
fn excel_csv_in_windows_1251() {
    check(
        "excel-windows-1251.csv",
        TextEncoding::Legacy("windows-1251"),
        ';',
        &["Имя", "Фамилия", "Эл. почта"],
    );
    let r = rows("excel-windows-1251.csv");
    assert_eq!(r[0][..2], ["Иван", "Петров"]);
    assert_eq!(r[0][4], "Санкт-Петербург");
    assert_eq!(r[1][1], "Смирнова-Щукина");
    let headers = sniff(&fixture("excel-windows-1251.csv"), "US", None, None)
        .unwrap()
        .headers;
    assert_eq!(
        auto_map(&headers)[..3],
        [Target::FirstName, Target::LastName, Target::Email]
    );
}

#[test]
fn outlook_csv_in_windows_1252() {
    check(
        "outlook.csv",
        TextEncoding::Windows1252,
        ',',
        &["First Name", "Middle Name", "Last Name"],
    );
    let r = rows("outlook.csv");
    assert_eq!(r[0][0], "François");
    assert_eq!(r[0][8], "3, rue de Rivoli", "quoted delimiter");
    assert_eq!((r[1][0].as_str(), r[1][2].as_str()), ("Renée", "Núñez"));
}

#[test]
fn apple_hubspot_mailchimp_shopify() {
    check(
        "apple.csv",
        TextEncoding::Utf8,
        ',',
        &["First name", "Last name"],
    );
    assert_eq!(rows("apple.csv")[0][4], "Likes \"quoted\" text");

    check(
        "hubspot.csv",
        TextEncoding::Utf8,
        ',',
        &["First Name", "Last Name", "Email"],
    );
    let r = rows("hubspot.csv");
    assert_eq!(r.len(), 3, "the trailing blank line is not a row");
    assert_eq!(r[1].len(), 3, "a short row keeps what it has");
    assert_eq!(r[2].len(), 8, "a long row keeps its extra cells");

    check(
        "mailchimp.csv",
        TextEncoding::Utf8,
        ',',
        &["Email Address", "First Name"],
    );
    assert_eq!(rows("mailchimp.csv")[0][5], "\"VIP\",\"Newsletter\"");

    check(
        "shopify.csv",
        TextEncoding::Utf8,
        ',',
        &["Customer ID", "First Name"],
    );
    assert_eq!(rows("shopify.csv")[0][11], "VIP, Wholesale");
}

#[test]
fn excel_numbers_and_libreoffice() {
    check(
        "excel-utf8-bom-semicolon.csv",
        TextEncoding::Utf8Bom,
        ';',
        &["Vorname", "Nachname"],
    );
    let r = rows("excel-utf8-bom-semicolon.csv");
    assert_eq!(
        (r[0][0].as_str(), r[0][4].as_str()),
        ("Jürgen", "Hauptstraße 5")
    );

    check(
        "excel-unicode-text.txt",
        TextEncoding::Utf16Le,
        '\t',
        &["First Name", "Last Name"],
    );
    let r = rows("excel-unicode-text.txt");
    assert_eq!((r[0][0].as_str(), r[0][1].as_str()), ("Søren", "Ødegaard"));
    assert_eq!(r[1][1], "中村");

    check(
        "excel-windows-1252.csv",
        TextEncoding::Windows1252,
        ',',
        &["First Name"],
    );
    let r = rows("excel-windows-1252.csv");
    assert_eq!(
        (r[0][0].as_str(), r[1][0].as_str(), r[1][1].as_str()),
        ("José", "Siobhán", "O'Brien")
    );

    check("numbers.csv", TextEncoding::Utf8, ',', &["First name"]);
    check(
        "libreoffice-semicolon.csv",
        TextEncoding::Utf8,
        ';',
        &["First name"],
    );
    assert_eq!(rows("libreoffice-semicolon.csv")[0][0], "Lee; Ann");
}

#[test]
fn a_late_windows_1252_byte_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.csv");
    let mut data = b"First Name,Email\r\n".to_vec();
    for i in 0..60_000 {
        data.extend_from_slice(format!("Ann{i},ann{i}@example.com\r\n").as_bytes());
    }
    data.extend_from_slice(b"Jos\xe9,jose@example.com\r\n");
    std::fs::write(&path, data).unwrap();
    let s = sniff(&path, "US", None, None).unwrap();
    assert_eq!(s.encoding, TextEncoding::Windows1252);
    let last = data_rows(&path, &s).pop().unwrap();
    assert_eq!(last[0], "José");
}

#[test]
fn bad_inputs_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = sniff(dir.path(), "US", None, None).unwrap_err();
    assert!(matches!(err, ImportError::Folder { .. }), "{err}");
    assert!(err.to_string().contains("is a folder"));

    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        sniff(&empty, "US", None, None).unwrap_err(),
        ImportError::Empty { .. }
    ));
    std::fs::write(&empty, b"\r\n\r\n  \r\n").unwrap();
    assert!(matches!(
        sniff(&empty, "US", None, None).unwrap_err(),
        ImportError::Empty { .. }
    ));

    let binary = dir.path().join("photo.csv");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0").unwrap();
    let err = sniff(&binary, "US", None, None).unwrap_err();
    assert!(matches!(err, ImportError::NotCsv { .. }), "{err}");

    // Contact cards, whatever the file's name, are read as cards.
    let vcard = dir.path().join("contacts.csv");
    std::fs::write(
        &vcard,
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nFN:Ann Lee\r\nEND:VCARD\r\n",
    )
    .unwrap();
    let sniffed = sniff(&vcard, "US", None, None).unwrap();
    assert_eq!(sniffed.format, FileFormat::VCard);
    assert_eq!(sniffed.headers, ["Name", "Given Name", "Family Name"]);
    // Cards that hold nothing a customer has.
    let blank = dir.path().join("blank.vcf");
    std::fs::write(&blank, b"BEGIN:VCARD\nVERSION:3.0\nPRODID:x\nEND:VCARD\n").unwrap();
    let err = sniff(&blank, "US", None, None).unwrap_err();
    assert!(
        matches!(err, ImportError::EmptyCards { cards: 1, .. }),
        "{err}"
    );

    let missing = dir.path().join("nope.csv");
    assert!(matches!(
        sniff(&missing, "US", None, None).unwrap_err(),
        ImportError::Io { .. }
    ));
}

/// Western European files, short ones and one accented name among thousands of
/// ASCII rows included, still read as Windows-1252 now that other code pages are
/// told apart: the detector must not take an umlaut or an "ø" for Central
/// European. Each is sniffed in the region a shop writing it would have set.
#[test]
fn western_files_stay_windows_1252() {
    let mut late = b"First Name,Last Name\r\n".to_vec();
    for i in 0..3_000 {
        late.extend(format!("Ann{i},Smith\r\n").bytes());
    }
    late.extend(b"Zo\xeb,Bront\xeb\r\n");
    // A British list whose only non-ASCII is the pound sign, a byte that is "Ł"
    // in Windows-1250: without the region, the detector picks that.
    let mut pounds = b"Name,Notes\r\n".to_vec();
    for i in 0..50 {
        pounds.extend(format!("Ann{i},Balance ").bytes());
        pounds.push(0xa3);
        pounds.extend(format!("{i}.50 ").bytes());
        pounds.push(0x96);
        pounds.extend(b" owed\r\n");
    }
    let files: [(&str, &[u8], &str, &str); 14] = [
        (
            "DE",
            b"Vorname;Nachname\r\nJ\xfcrgen;M\xfcller\r\n",
            "Jürgen",
            "Müller",
        ),
        (
            "DE",
            b"FIRST NAME;LAST NAME\r\nJ\xdcRGEN;M\xdcLLER\r\n",
            "JÜRGEN",
            "MÜLLER",
        ),
        (
            "FR",
            b"Pr\xe9nom;Nom\r\nFran\xe7ois;Lef\xe8vre\r\n",
            "François",
            "Lefèvre",
        ),
        (
            "ES",
            b"Nombre;Apellido\r\nJos\xe9;N\xfa\xf1ez\r\n",
            "José",
            "Núñez",
        ),
        (
            "SE",
            b"F\xf6rnamn;Efternamn\r\n\xc5sa;\xd6berg\r\n",
            "Åsa",
            "Öberg",
        ),
        (
            "DK",
            b"Fornavn;Efternavn\r\nS\xf8ren;Kj\xe6rgaard\r\n",
            "Søren",
            "Kjærgaard",
        ),
        (
            "NO",
            b"Fornavn;Etternavn\r\n\xd8ystein;Bj\xf8rnstad\r\n",
            "Øystein",
            "Bjørnstad",
        ),
        (
            "IS",
            b"Nafn;Eftirnafn\r\n\xde\xf3r\xf0ur;Gu\xf0mundsson\r\n",
            "Þórður",
            "Guðmundsson",
        ),
        (
            "PT",
            b"Nome;Sobrenome\r\nJo\xe3o;Gon\xe7alves\r\n",
            "João",
            "Gonçalves",
        ),
        (
            "IT",
            b"Nome;Cognome\r\nNiccol\xf2;Bernab\xe8\r\n",
            "Niccolò",
            "Bernabè",
        ),
        (
            "US",
            b"Name,Notes\r\nBob\x92s shop,\x80 5\r\n",
            "Bob’s shop",
            "€ 5",
        ),
        ("US", &late, "Zoë", "Brontë"),
        (
            "GB",
            b"Name,Notes\r\nAnn Lee,Paid \xa320 \x96 thanks\r\n",
            "Ann Lee",
            "Paid £20 – thanks",
        ),
        ("GB", &pounds, "Ann49", "Balance £49.50 – owed"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (region, bytes, first, last)) in files.iter().enumerate() {
        let path = dir.path().join(format!("western-{i}.csv"));
        std::fs::write(&path, bytes).unwrap();
        let sniffed = sniff(&path, region, None, None).unwrap();
        assert_eq!(sniffed.encoding, TextEncoding::Windows1252, "{first}");
        let row = data_rows(&path, &sniffed).pop().unwrap();
        assert_eq!((row[0].as_str(), row[1].as_str()), (*first, *last));
    }
}

/// A file whose code page the detector cannot tell (here ISO-8859-15, which
/// Linux tools in Europe write: Windows-1252 but for €, Š, š, Ž, ž, Œ, œ, Ÿ)
/// reads right once the person names it.
#[test]
fn a_chosen_encoding_overrides_the_guess() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin9.csv");
    // "Šárka Žáková" and "10 €" in ISO-8859-15.
    std::fs::write(
        &path,
        b"First Name,Last Name,Note\n\xa6\xe1rka,\xb4\xe1kov\xe1,Paid 10 \xa4\n",
    )
    .unwrap();
    let guessed = sniff(&path, "US", None, None).unwrap();
    let latin9 = TextEncoding::from_label("iso-8859-15").unwrap();
    assert_eq!(latin9, TextEncoding::Legacy("ISO-8859-15"));
    assert_ne!(guessed.encoding, latin9);
    let s = sniff(&path, "US", Some(latin9), None).unwrap();
    assert_eq!(s.encoding, latin9);
    let row = data_rows(&path, &s).remove(0);
    assert_eq!(
        (row[0].as_str(), row[1].as_str(), row[2].as_str()),
        ("Šárka", "Žáková", "Paid 10 €")
    );

    // Labels are WHATWG's, aliases included; nonsense and "replacement" are not.
    assert_eq!(
        TextEncoding::from_label(" Latin2 "),
        Some(TextEncoding::Legacy("ISO-8859-2"))
    );
    assert_eq!(TextEncoding::from_label("utf8"), Some(TextEncoding::Utf8));
    assert_eq!(
        TextEncoding::from_label("cp1252"),
        Some(TextEncoding::Windows1252)
    );
    assert_eq!(TextEncoding::from_label("klingon"), None);
    assert_eq!(TextEncoding::from_label("iso-2022-kr"), None);
}

/// The webview sends the encoding back as the core described it.
#[test]
fn a_chosen_encoding_arrives_as_json() {
    let read = |json: &str| serde_json::from_str::<TextEncoding>(json);
    assert_eq!(read(r#""utf8""#).unwrap(), TextEncoding::Utf8);
    assert_eq!(read(r#""windows1252""#).unwrap(), TextEncoding::Windows1252);
    assert_eq!(
        read(r#"{"legacy":"windows-1250"}"#).unwrap(),
        TextEncoding::Legacy("windows-1250")
    );
    let err = read(r#"{"legacy":"nonsense"}"#).unwrap_err();
    assert!(err.to_string().contains("no text encoding"), "{err}");
    let round = serde_json::to_string(&TextEncoding::Legacy("windows-1251")).unwrap();
    assert_eq!(read(&round).unwrap(), TextEncoding::Legacy("windows-1251"));
}

/// A byte order mark cannot be wrong: it wins over a choice.
#[test]
fn a_bom_wins_over_a_chosen_encoding() {
    let s = sniff(
        &fixture("excel-unicode-text.txt"),
        "US",
        Some(TextEncoding::Windows1252),
        None,
    )
    .unwrap();
    assert_eq!(s.encoding, TextEncoding::Utf16Le);
}

/// UTF-8 chosen for a file that is not UTF-8 is refused, with the line to look
/// at, rather than storing "�" for every accent.
#[test]
fn chosen_utf8_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin.csv");
    std::fs::write(&path, b"First Name\r\nAnn\r\nBob\r\nJos\xe9\r\n").unwrap();
    let err = sniff(&path, "US", Some(TextEncoding::Utf8), None).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::NotUtf8 {
                line: 4,
                bom: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("line 4"), "{err}");
    // Lines ended by a bare CR (Excel for Mac) are counted as the reader counts them.
    std::fs::write(&path, b"First Name\rAnn\rJos\xe9\r").unwrap();
    let err = sniff(&path, "US", Some(TextEncoding::Utf8), None).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::NotUtf8 {
                line: 3,
                bom: false,
                ..
            }
        ),
        "{err:?}"
    );
    // Valid UTF-8 chosen as such reads as usual.
    std::fs::write(&path, "First Name\nJosé\n").unwrap();
    let s = sniff(&path, "US", Some(TextEncoding::Utf8), None).unwrap();
    assert_eq!(s.encoding, TextEncoding::Utf8);
}

/// Exports saved apart and joined together: a UTF-8 BOM, then rows in
/// Windows-1252. Decoded as UTF-8 their accents would all be stored as "\u{FFFD}";
/// the file is refused with the line where it stops being UTF-8.
#[test]
fn a_utf8_bom_over_rows_in_another_encoding_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("joined.csv");
    std::fs::write(
        &path,
        b"\xEF\xBB\xBFFirst Name\r\nZo\xC3\xAB\r\nAnn\r\nRen\xe9e\r\n",
    )
    .unwrap();
    for chosen in [None, Some(TextEncoding::Windows1252)] {
        let err = sniff(&path, "US", chosen, None).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::NotUtf8 {
                    line: 4,
                    bom: true,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .contains("line 4 was saved in another encoding"),
            "{err}"
        );
    }
    // All UTF-8 after its BOM, it reads as before.
    std::fs::write(&path, b"\xEF\xBB\xBFFirst Name\r\nZo\xC3\xAB\r\n").unwrap();
    assert_eq!(
        sniff(&path, "US", None, None).unwrap().encoding,
        TextEncoding::Utf8Bom
    );
}

/// Accounting and booking systems export reports: a title, the company and the
/// date range above the columns. The header row is found below them, under the
/// delimiter the table has, and the title lines are named for the dialog.
#[test]
fn title_lines_above_the_header_are_left_out() {
    check(
        "report-titles.csv",
        TextEncoding::Utf8,
        ',',
        &["Customer", "Phone", "Email", "Full Name"],
    );
    let s = sniff(&fixture("report-titles.csv"), "US", None, None).unwrap();
    assert_eq!(
        s.titles,
        ["Customer Contact List", "Acme Bakery Ltd.", "All Dates"]
    );
    assert_eq!(
        s.header_row, 5,
        "the blank line above it is a row, as Excel shows it"
    );
    let r = rows("report-titles.csv");
    assert_eq!(r[0][0], "Ann Lee");
    assert_eq!(r[1][0], "Łucja Nowak");

    // Excel: a title in A1 and a date in A2 over a semicolon-separated sheet,
    // the rows padded with empty cells to the sheet's width.
    check(
        "excel-title-semicolon.csv",
        TextEncoding::Utf8Bom,
        ';',
        &["Vorname", "Nachname", "E-Mail", "Telefon"],
    );
    let s = sniff(&fixture("excel-title-semicolon.csv"), "US", None, None).unwrap();
    assert_eq!(s.titles, ["Kundenliste", "Stand: 01.11.2026"]);
    assert_eq!(s.header_row, 4, "the row of empty cells is a row too");
    assert_eq!(rows("excel-title-semicolon.csv")[0][1], "Weiß");
}

/// What is not a title over a table keeps its first line as the header row.
#[test]
fn a_first_line_of_one_value_is_a_title_only_over_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let sniffed = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        sniff(&path, "US", None, None).unwrap()
    };
    // One column: every line holds one value.
    let s = sniffed("emails.csv", "Email\nann@example.com\nbo@example.com\n");
    assert_eq!((s.headers, s.skipped), (vec!["Email".to_owned()], 0));
    // One column whose odd row holds a comma: that row is no header.
    let s = sniffed("names.csv", "Name\nAnn Lee\nLee, Bo\nCy Kim\nDee Fox\n");
    assert_eq!((s.headers, s.skipped), (vec!["Name".to_owned()], 0));
    // Several values on the third line, but the rows below do not follow it.
    let s = sniffed("notes.csv", "Notes\nsee below\na,b,c\nx\ny\nz\n");
    assert_eq!((s.headers, s.skipped), (vec!["Notes".to_owned()], 0));
    // Each of these keeps its first line as the header row.
    let stays: [(&str, &str, &str); 6] = [
        // One column padded to a sheet's width, with a stray note by a later
        // value: the values above it are no titles.
        (
            "padded.csv",
            "Email,,\nann@example.com,,\nbo@example.com,,\ncy@example.com,call back,\ndee@example.com,,\n",
            "Email",
        ),
        (
            "phones.csv",
            "Phone,,\n+1 415 555 0100,,\n+1 415 555 0101,,\n+1 415 555 0102,Ann,\n+1 415 555 0103,,\n",
            "Phone",
        ),
        // A header row of one name over a table right below it.
        (
            "one-name.csv",
            "Customer,,\nAnn Lee,Gold,VIP\nBo Kim,Silver,\n",
            "Customer",
        ),
        // A line of one value right above a row of names Kith does not know,
        (
            "no-gap.csv",
            "Customer list\nLot,Bin\nA-4,17\nB-2,3\n",
            "Customer list",
        ),
        // or above rows whose values are words Kith knows as column names, down
        // the column as values repeat (column names come once).
        (
            "kinds.csv",
            "Customer,,\nAnn Lee,Client,Mobile\nBo Kim,Customer,Cell\n",
            "Customer",
        ),
        // Nor is one name among unknown ones enough, twice.
        (
            "one-known.csv",
            "Stock\nEmail,Lot,Bin,Shelf\nx,A-4,17,2\n",
            "Stock",
        ),
    ];
    for (name, text, header) in stays {
        let s = sniffed(name, text);
        assert_eq!((s.headers[0].as_str(), s.skipped), (header, 0), "{name}");
    }
    // A title right above the column names, with no blank line between (Excel
    // reports: a bold title in A1, the columns in row 2): the names say it.
    let s = sniffed(
        "title-no-gap.csv",
        "Customer list\nName,Email\nAnn Lee,ann@example.com\n",
    );
    assert_eq!(s.headers, ["Name", "Email"]);
    assert_eq!(
        (s.titles, s.header_row),
        (vec!["Customer list".to_owned()], 2)
    );
    let s = sniffed(
        "sheet-title.csv",
        "Kundenliste März,,,\nVorname,Nachname,E-Mail,Stadt\nAnn,Lee,ann@example.de,Köln\nBo,Kim,,Bonn\n",
    );
    assert_eq!(s.headers, ["Vorname", "Nachname", "E-Mail", "Stadt"]);
    assert_eq!(
        (s.titles, s.header_row),
        (vec!["Kundenliste März".to_owned()], 2)
    );
    // Under the wrong delimiter the header row is one value, and the rows below
    // may still split: the delimiter that splits the header row wins.
    let s = sniffed(
        "tags.csv",
        "Name,Tags\nAnn,Gold;VIP;Partner\nBo,Silver;VIP;Partner\nCy,Gold;New;Partner\n",
    );
    assert_eq!((s.delimiter, s.headers.len()), (',', 2));
    let s = sniffed(
        "cities.tsv",
        "Name\tCity\nLee, Ann\tSpringfield, IL\nKim, Bo\tDayton, OH\nFox, Cy\tAustin, TX\n",
    );
    assert_eq!((s.delimiter, s.headers.len()), ('\t', 2));
    // A title holding the other delimiter is no header row over the table.
    let s = sniffed(
        "kunden.csv",
        "Kundenliste, alle Kunden\n\nName;E-Mail;Telefon\nAnn;ann@example.de;030 1234567\n",
    );
    assert_eq!((s.delimiter, s.headers[0].as_str()), (';', "Name"));
    // Titles may hold dates and numbers: only the header row is checked for values.
    let s = sniffed(
        "dated.csv",
        "Customer Contact List\nPrinted 2026-11-20 09:14\n11/20/2026\n\nName,Email\nAnn,ann@example.com\n",
    );
    assert_eq!(s.titles.len(), 3);
    assert_eq!(s.headers, ["Name", "Email"]);
    // Many rows of empty cells before the header row.
    let s = sniffed(
        "padded-top.csv",
        &format!(
            "{}Name,Email\nAnn Lee,ann@example.com\n",
            ",,\n".repeat(100)
        ),
    );
    assert_eq!((s.headers[0].as_str(), s.skipped), ("Name", 100));
    // A table's header of one filled cell and an empty one stays the header.
    let s = sniffed("wide.csv", "Email,Name\nann@example.com,Ann\n");
    assert_eq!(s.skipped, 0);
}
