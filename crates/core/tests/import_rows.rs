//! Each export read through sniffing, auto-mapping and row validation, checked
//! field by field; and every kind of bad cell reported with row, column, reason.

use std::path::{Path, PathBuf};

use kith_core::import::mapping::auto_map;
use kith_core::import::row::{parse_date, CellError, ImportedUser, RowReader};
use kith_core::import::source::{headers_by_bytes, sniff, Rows};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// Every row of `path` as read under the automatic mapping (region US).
fn read_file(path: &Path) -> Vec<Result<ImportedUser, Vec<CellError>>> {
    let sniffed = sniff(path, "US", None, None).expect("sniff");
    let targets = auto_map(&sniffed.headers);
    let reader = RowReader {
        headers: &sniffed.headers,
        targets: &targets,
        region: "US",
        fields: &Default::default(),
    };
    let mut rows = Rows::open(path, &sniffed).expect("open");
    let mut out = Vec::new();
    while let Some(row) = rows.next_row().expect("row") {
        out.push(reader.read_row(&row));
    }
    out
}

fn read(name: &str) -> Vec<ImportedUser> {
    read_file(&fixture(name))
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{name}: {e:?}")))
        .collect()
}

fn s(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

#[test]
fn google() {
    let u = read("google.csv");
    let zoe = &u[0].record;
    assert_eq!((s(&zoe.first_name), s(&zoe.last_name)), ("Zoë", "Müller"));
    assert_eq!(
        s(&zoe.email),
        "zoe@example.com",
        "the first of several emails"
    );
    assert_eq!(s(&zoe.mobile_phone), "+12025550143", "Phone 1 typed Mobile");
    assert_eq!(s(&zoe.home_phone), "+12025550199", "Phone 2 typed Home");
    let addr = u[0].address.as_ref().expect("address");
    assert_eq!(
        (addr.street.as_str(), addr.city.as_str()),
        ("12 Elm St\r\nApt 4", "Boston")
    );
    assert_eq!(
        (addr.postal_code.as_str(), addr.country.as_str()),
        ("02110", "US")
    );
    let anders = &u[1].record;
    assert_eq!(s(&anders.last_name), "Ångström");
    assert_eq!(
        s(&anders.mobile_phone),
        "+46812345678",
        "an untyped-as-mobile work phone fills the free slot"
    );
}

#[test]
fn outlook_apple_hubspot() {
    let u = read("outlook.csv");
    assert_eq!(
        (s(&u[0].record.first_name), s(&u[0].record.email)),
        ("François", "francois@example.fr")
    );
    assert_eq!(s(&u[0].record.mobile_phone), "+33612345678");
    assert_eq!(u[0].address.as_ref().unwrap().street, "3, rue de Rivoli");
    assert_eq!(s(&u[1].record.home_phone), "+34912345678");
    assert_eq!(s(&u[1].record.last_name), "Núñez");

    let u = read("apple.csv");
    assert_eq!(s(&u[0].record.mobile_phone), "+46701234567");
    assert_eq!(u[1].record.mobile_phone, None);

    let u = read("hubspot.csv");
    assert_eq!(u.len(), 3);
    assert_eq!(s(&u[0].record.mobile_phone), "+14155550100");
    assert_eq!(
        s(&u[1].record.email),
        "noah@example.com",
        "a short row still imports"
    );
}

#[test]
fn mailchimp_shopify_spreadsheets() {
    let u = read("mailchimp.csv");
    assert_eq!(u[0].teams, vec!["VIP", "Newsletter"]);
    assert_eq!(
        u[0].address.as_ref().unwrap().street,
        "1 Main St, Springfield"
    );

    let u = read("shopify.csv");
    assert_eq!(u[0].teams, vec!["VIP", "Wholesale"]);
    let a = u[0].address.as_ref().unwrap();
    assert_eq!(
        (a.city.as_str(), a.region.as_str(), a.postal_code.as_str()),
        ("San Francisco", "CA", "94105")
    );

    // A national German number in a US-region import is refused, not guessed
    // (the same row with region DE is tested below).
    let rows = read_file(&fixture("excel-utf8-bom-semicolon.csv"));
    let err = rows[0].as_ref().unwrap_err();
    assert_eq!((err[0].row, err[0].column.as_str()), (2, "Handy"));
    assert!(err[0].message.contains("isn't valid for US"));
    let u = read("excel-unicode-text.txt");
    assert_eq!(
        (s(&u[0].record.first_name), s(&u[0].record.last_name)),
        ("Søren", "Ødegaard")
    );
    assert_eq!(s(&u[0].record.mobile_phone), "+4741234567");
    assert_eq!(s(&u[1].record.last_name), "中村");
    let u = read("excel-windows-1252.csv");
    assert_eq!(
        (s(&u[1].record.first_name), s(&u[1].record.last_name)),
        ("Siobhán", "O'Brien")
    );
    assert_eq!(
        s(&read("libreoffice-semicolon.csv")[0].record.first_name),
        "Lee; Ann"
    );
    assert_eq!(read("numbers.csv").len(), 1);
}

#[test]
fn national_numbers_use_the_region() {
    let path = fixture("excel-utf8-bom-semicolon.csv");
    let sniffed = sniff(&path, "US", None, None).unwrap();
    let targets = auto_map(&sniffed.headers);
    let reader = RowReader {
        headers: &sniffed.headers,
        targets: &targets,
        region: "DE",
        fields: &Default::default(),
    };
    let mut rows = Rows::open(&path, &sniffed).unwrap();
    let u = reader.read_row(&rows.next_row().unwrap().unwrap()).unwrap();
    assert_eq!(s(&u.record.mobile_phone), "+4915123456789");
}

#[test]
fn every_bad_cell_is_reported_with_row_column_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(
        &path,
        "First Name,Last Name,Email,Mobile,Created At,Notes\n\
         Ann,Lee,ann@example.com,+1 202 555 0143,2024-05-06,ok\n\
         Bob,Ray,bob-at-example.com,12,06/05/2024,\n\
         Cy,Di,cy@example.com,,2024-13-45,\n\
         4242 4242 4242 4242,Eve,eve@example.com,,,\n\
         ,,nobody@example.com,,,\n",
    )
    .unwrap();
    let rows = read_file(&path);
    assert!(rows[0].is_ok());
    let bob = rows[1].as_ref().unwrap_err();
    let cols: Vec<_> = bob.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(
        cols,
        vec![(3, "Email"), (3, "Mobile"), (3, "Created At")],
        "all of a row's problems at once"
    );
    assert!(bob[0].message.contains("missing an @"));
    assert!(bob[2].message.contains("2024-05-06"));
    assert_eq!(rows[2].as_ref().unwrap_err()[0].column, "Created At");
    let card = rows[3].as_ref().unwrap_err();
    assert_eq!(card[0].column, "First Name");
    assert!(
        card[0].message.contains("card number"),
        "{}",
        card[0].message
    );
    // A row without a name is read: it may update the user its email matches.
    // Only creating a user from it is refused (import_run.rs).
    assert_eq!(
        rows[4].as_ref().unwrap().record.email.as_deref(),
        Some("nobody@example.com")
    );
}

#[test]
fn dates() {
    assert_eq!(parse_date("2024-05-06"), Some(1_714_953_600_000));
    assert_eq!(parse_date("06.05.2024"), Some(1_714_953_600_000));
    assert_eq!(
        parse_date("2024-05-06T02:00:00+02:00"),
        Some(1_714_953_600_000)
    );
    assert_eq!(
        parse_date("2024-05-06 02:00:00 +0200"),
        Some(1_714_953_600_000)
    );
    assert_eq!(
        parse_date("05/06/2024"),
        None,
        "ambiguous: refused, not guessed"
    );
    assert_eq!(parse_date("soon"), None);
}

/// Every row of `path`'s cells under its headers, for columns no field is
/// mapped to by default.
fn cells_of(path: &Path) -> (Vec<String>, Vec<(u64, Vec<String>)>) {
    let sniffed = sniff(path, "US", None, None).expect("sniff");
    let mut rows = Rows::open(path, &sniffed).expect("open");
    let mut out = Vec::new();
    while let Some(row) = rows.next_row().expect("row") {
        out.push((row.number, row.cells.iter().map(str::to_owned).collect()));
    }
    (sniffed.headers, out)
}

fn cell<'a>(headers: &[String], row: &'a [String], header: &str) -> &'a str {
    let i = headers.iter().position(|h| h == header);
    i.map_or("", |i| row[i].as_str())
}

#[test]
fn apple_contacts_vcards() {
    let rows = read_file(&fixture("apple.vcf"));
    assert_eq!(rows.len(), 3);
    let bjorn = rows[0].as_ref().unwrap();
    assert_eq!(
        (s(&bjorn.record.first_name), s(&bjorn.record.last_name)),
        ("Björn", "Lindqvist")
    );
    assert_eq!(
        s(&bjorn.record.email),
        "bjorn@example.se",
        "the preferred email, labelled through its group"
    );
    assert_eq!(s(&bjorn.record.mobile_phone), "+46701234567");
    assert_eq!(s(&bjorn.record.home_phone), "+46812345678");
    let photo = bjorn
        .photo
        .as_ref()
        .expect("his photo, folded over six lines");
    assert_eq!(
        (photo.mime, photo.size, photo.bytes.len()),
        ("image/jpeg", 293, 293)
    );
    assert_eq!(&photo.bytes[..3], [0xFF, 0xD8, 0xFF]);
    let addr = bjorn.address.as_ref().expect("address");
    assert_eq!(
        (
            addr.street.as_str(),
            addr.city.as_str(),
            addr.postal_code.as_str()
        ),
        ("Storgatan 1\nLägenhet 4", "Stockholm", "111 22")
    );
    assert_eq!(addr.country, "Sweden");

    let chloe = rows[1].as_ref().unwrap();
    assert_eq!(s(&chloe.record.last_name), "Martin");
    assert_eq!(s(&chloe.record.email), "chloe@example.fr");
    assert_eq!(
        s(&chloe.record.mobile_phone),
        "+33612345678",
        "a phone labelled \"Boutique\" fills the free slot"
    );
    assert_eq!(chloe.teams, vec!["VIP", "Wholesale"]);

    // A company's card: its name is the company's.
    let acme = rows[2].as_ref().unwrap();
    assert_eq!(
        (s(&acme.record.first_name), s(&acme.record.last_name)),
        ("Acme", "Bakery")
    );

    // The group card is no customer: its name is a team of its member.
    assert_eq!(bjorn.teams, vec!["Regulars"]);
    let sniffed = sniff(&fixture("apple.vcf"), "US", None, None).unwrap();
    assert_eq!(sniffed.groups.len(), 1);
    assert_eq!(
        (sniffed.groups[0].name.as_str(), sniffed.groups[0].members),
        ("Regulars", 1)
    );
    let (headers, cells) = cells_of(&fixture("apple.vcf"));
    assert_eq!(
        cells.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        [1, 33, 44],
        "each card is numbered by its BEGIN line (the photo is folded over 15 lines)"
    );
    let b = &cells[0].1;
    assert_eq!(cell(&headers, b, "Additional Name"), "Erik");
    assert_eq!(cell(&headers, b, "Organization"), "Lindqvist Bageri AB");
    assert_eq!(
        cell(&headers, b, "Birthday"),
        "--03-14",
        "Apple's year 1604 is no year"
    );
    assert_eq!(
        cell(&headers, b, "Notes"),
        "Likes \"quoted\" text, and commas.\nSecond line."
    );
    assert_eq!(cell(&headers, b, "E-mail 1 - Type"), "Other");
    assert_eq!(
        cell(&headers, b, "E-mail 2 - Value"),
        "bjorn@bageri.example.se"
    );
    assert_eq!(cell(&headers, &cells[1].1, "Phone 1 - Type"), "Boutique");
    assert_eq!(headers.last().map(String::as_str), Some("Photo"));
    assert!(
        cell(&headers, b, "Photo").starts_with("data:image/jpeg;base64,/9j/4AAQ"),
        "the photo's folded lines joined into one data URL"
    );
    assert_eq!(cell(&headers, &cells[1].1, "Photo"), "", "Acme has none");
}

#[test]
fn google_android_and_outlook_vcards() {
    let u = read("google.vcf");
    let zoe = &u[0];
    assert_eq!(
        (s(&zoe.record.first_name), s(&zoe.record.last_name)),
        ("Zoë", "Müller")
    );
    assert_eq!(s(&zoe.record.email), "zoe@example.com");
    assert_eq!(s(&zoe.record.mobile_phone), "+12025550143");
    assert_eq!(s(&zoe.record.home_phone), "+12025550199");
    assert_eq!(
        zoe.teams,
        vec!["VIP"],
        "Google's system groups are not teams"
    );
    assert_eq!(zoe.address.as_ref().unwrap().region, "MA");
    assert_eq!(s(&u[1].record.last_name), "Ångström");
    assert_eq!(s(&u[1].record.mobile_phone), "+46812345678");

    // vCard 2.1: quoted-printable UTF-8 with soft line breaks, a base64 photo.
    let rows = read_file(&fixture("android.vcf"));
    let lukasz = rows[0].as_ref().unwrap();
    assert_eq!(
        (s(&lukasz.record.first_name), s(&lukasz.record.last_name)),
        ("Łukasz", "Kowalski")
    );
    let photo = lukasz
        .photo
        .as_ref()
        .expect("the 2.1 photo, ended by a blank line");
    assert_eq!((photo.mime, photo.size), ("image/jpeg", 293));
    assert_eq!(s(&lukasz.record.mobile_phone), "+48601234567");
    assert_eq!(s(&lukasz.record.home_phone), "+48221234567");
    let addr = lukasz.address.as_ref().unwrap();
    assert_eq!(
        (addr.street.as_str(), addr.city.as_str()),
        ("ul. Świętokrzyska 12", "Warszawa")
    );
    // A national Polish number in a US-region import is refused, on its card's line.
    let anna = rows[1].as_ref().unwrap_err();
    assert_eq!(
        (anna[0].row, anna[0].column.as_str()),
        (17, "Phone 1 - Value")
    );
    let (headers, cells) = cells_of(&fixture("android.vcf"));
    assert_eq!(
        cell(&headers, &cells[0].1, "Notes"),
        "Stały klient\nod 2019"
    );

    // Outlook's vCard in the Windows code page, quoted-printable octets in it too.
    // Its code page is guessed, but its columns are Kith's names in any: no
    // second key to remember a mapping under.
    let outlook = fixture("outlook.vcf");
    let sniffed = sniff(&outlook, "DE", None, None).unwrap();
    assert!(sniffed.encoding.is_guessed(), "{:?}", sniffed.encoding);
    assert_eq!(headers_by_bytes(&outlook, "DE", &sniffed), None);
    let u = read("outlook.vcf");
    let j = &u[0];
    assert_eq!(
        (s(&j.record.first_name), s(&j.record.last_name)),
        ("Jürgen", "Bäcker")
    );
    assert_eq!(s(&j.record.email), "juergen@baeckerei.example.de");
    assert_eq!(s(&j.record.mobile_phone), "+4915123456789");
    assert_eq!(j.address.as_ref().unwrap().street, "Hauptstraße 5");
    let (headers, cells) = cells_of(&fixture("outlook.vcf"));
    let row = &cells[0].1;
    assert_eq!(
        cell(&headers, row, "Notes"),
        "Stammkunde – liefert mittwochs"
    );
    assert_eq!(cell(&headers, row, "Organization"), "Bäckerei Bäcker");
    assert_eq!(cell(&headers, row, "Job Title"), "Inhaber");
    assert_eq!(
        cell(&headers, row, "Phone 1 - Type"),
        "Work",
        "the file's order, none preferred"
    );
}

#[test]
fn a_cut_vcard_file_refuses_its_last_card_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.vcf");
    std::fs::write(
        &path,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nEMAIL:ann@example.com\r\nEND:VCARD\r\n\
         BEGIN:VCARD\r\nVERSION:3.0\r\nN:Ray;Bob;;;\r\nEMAIL:bob@exa",
    )
    .unwrap();
    let rows = read_file(&path);
    assert_eq!(
        s(&rows[0].as_ref().unwrap().record.email),
        "ann@example.com"
    );
    let bob = rows[1].as_ref().unwrap_err();
    assert_eq!(bob[0].row, 6);
    assert!(bob[0].message.contains("no END:VCARD line"), "{bob:?}");

    // A group cut short is heard of too, not passed over as a group.
    std::fs::write(
        &path,
        "BEGIN:VCARD\nN:Lee;Ann;;;\nUID:a\nEND:VCARD\nBEGIN:VCARD\nFN:Regulars\n\
         X-ADDRESSBOOKSERVER-KIND:group\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:a\n",
    )
    .unwrap();
    let rows = read_file(&path);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].as_ref().unwrap().teams, ["Regulars"]);
    let group = rows[1].as_ref().unwrap_err();
    assert_eq!(group[0].row, 5);
    assert!(group[0].message.contains("no END:VCARD line"), "{group:?}");
}
