//! Each export read through sniffing, auto-mapping and row validation, checked
//! field by field; and every kind of bad cell reported with row, column, reason.

use std::path::{Path, PathBuf};

use kith_core::import::mapping::auto_map;
use kith_core::import::row::{parse_date, CellError, ImportedUser, RowReader};
use kith_core::import::source::{sniff, Rows};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// Every row of `path` as read under the automatic mapping (region US).
fn read_file(path: &Path) -> Vec<Result<ImportedUser, Vec<CellError>>> {
    let sniffed = sniff(path, "US", None).expect("sniff");
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
    let sniffed = sniff(&path, "US", None).unwrap();
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
    assert!(rows[4].as_ref().unwrap_err()[0]
        .message
        .contains("no first or last name"));
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
