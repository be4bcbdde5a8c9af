//! Workbooks imported as they are: an Excel .xlsx written here by rust_xlsxwriter
//! (the structure Excel saves), and an OpenDocument .ods built by hand, both read
//! through the same path as a CSV file.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use kith_core::import::run::Mode;
use kith_core::import::source::{sniff, FileFormat};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

use common::{import, import_options as options};

/// Writes `rows` of text into `sheet`, the first value at `(row, column)`.
fn write_rows<const N: usize>(
    sheet: &mut rust_xlsxwriter::Worksheet,
    (top, left): (u32, u16),
    rows: &[[&str; N]],
) {
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet
                .write_string(top + r as u32, left + c as u16, *value)
                .unwrap();
        }
    }
}

/// A report saved from a booking system: an empty first sheet, then the
/// customers under a title and a blank row, numbers and dates as Excel keeps
/// them, a formula, a blank row between customers; a third sheet left out.
fn customers_xlsx(dir: &Path) -> PathBuf {
    let path = dir.join("Customers.xlsx");
    let mut book = Workbook::new();
    book.add_worksheet().set_name("Read me").unwrap();
    let sheet = book.add_worksheet().set_name("Customers").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    sheet.write_string(0, 0, "Customer list").unwrap();
    let headers = [
        "First Name",
        "Last Name",
        "E-mail Address",
        "Mobile Phone",
        "Tags",
        "Created At",
        "Postal Code",
        "City",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    // Row 4: a phone typed as a number, a date cell, a tag list.
    sheet.write_string(3, 0, "Zoë").unwrap();
    sheet.write_string(3, 1, "Müller, Jr.").unwrap();
    sheet.write_string(3, 2, "zoe@example.com").unwrap();
    sheet.write_number(3, 3, 4155550123.0).unwrap();
    sheet.write_string(3, 4, "VIP;Wholesale").unwrap();
    let since = ExcelDateTime::from_ymd(2021, 3, 4).unwrap();
    sheet
        .write_datetime_with_format(3, 5, &since, &date)
        .unwrap();
    // A Boston ZIP code typed as a number, shown through Excel's "Zip Code" format.
    let zip = Format::new().set_num_format("00000");
    sheet.write_number_with_format(3, 6, 2134.0, &zip).unwrap();
    sheet.write_string(3, 7, "Boston").unwrap();
    // Row 5 blank; row 6 a bad email; row 7 a formula's result as the name.
    sheet.write_string(5, 0, "Renée").unwrap();
    sheet.write_string(5, 2, "renee@example").unwrap();
    sheet
        .write_formula(6, 0, Formula::new("=UPPER(\"ana\")").set_result("ANA"))
        .unwrap();
    sheet.write_string(6, 2, "ana@example.com").unwrap();
    sheet.write_string(6, 3, "+44 7700 900123").unwrap();
    let archive = book.add_worksheet().set_name("Archive").unwrap();
    archive.write_string(0, 0, "First Name").unwrap();
    archive.write_string(1, 0, "Old customer").unwrap();
    book.save(&path).unwrap();
    path
}

#[test]
fn an_excel_workbook_is_stored_field_by_field() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let path = customers_xlsx(dir.path());

        let sniffed = sniff(&path, "US", None, None).unwrap();
        assert_eq!(sniffed.format, FileFormat::Sheet);
        assert_eq!(
            sniffed.sheets,
            ["Customers", "Archive"],
            "the empty sheet is passed over"
        );
        assert_eq!(sniffed.sheet.as_deref(), Some("Customers"));
        assert_eq!(sniffed.titles, ["Customer list"]);
        assert_eq!(sniffed.header_row, 3, "numbered as Excel shows it");
        assert_eq!(sniffed.headers[2], "E-mail Address");

        let report = import(&kith, &path, &options(Mode::Create)).await.unwrap();
        assert_eq!((report.created, report.failed), (2, 1), "{report:?}");
        assert!(!report.committed, "a bad row and no skip: nothing written");
        assert_eq!(kith.users().count().await.unwrap(), 0);
        let error = &report.errors[0];
        assert_eq!((error.row, error.column.as_str()), (6, "E-mail Address"));

        let report = import(
            &kith,
            &path,
            &kith_core::import::run::ImportOptions {
                skip_invalid: true,
                ..options(Mode::Create)
            },
        )
        .await
        .unwrap();
        assert_eq!((report.created, report.failed), (2, 1), "{report:?}");

        let zoe = kith.search("zoe@example.com", 1).await.unwrap().rows[0].id;
        let d = kith.users().get(zoe).await.unwrap();
        assert_eq!(
            (d.first_name.as_str(), d.last_name.as_str()),
            ("Zoë", "Müller, Jr.")
        );
        assert_eq!(d.mobile_phone.as_deref(), Some("+14155550123"));
        let mut teams: Vec<_> = d.teams.iter().map(|t| t.name.as_str()).collect();
        teams.sort_unstable();
        assert_eq!(teams, ["VIP", "Wholesale"]);
        // 2021-03-04 at midnight UTC: the date cell, whatever its display format.
        assert_eq!(d.created_at, 1_614_816_000_000);
        assert_eq!(d.addresses[0].postal_code, "02134", "as the sheet shows it");

        let ana = kith.search("ana@example.com", 1).await.unwrap().rows[0].id;
        let d = kith.users().get(ana).await.unwrap();
        assert_eq!(
            d.first_name, "ANA",
            "a formula's value, as the sheet shows it"
        );
        assert_eq!(d.mobile_phone.as_deref(), Some("+447700900123"));
        assert_eq!(
            kith.search("Old customer", 5).await.unwrap().rows.len(),
            0,
            "only the first sheet is read"
        );

        // The rows to fix: a CSV file of the sheet's bad rows, with the reason.
        let mut fix = Vec::new();
        kith_core::import::report::write_error_rows(
            &path,
            "US",
            None,
            None,
            &report.errors,
            &mut fix,
        )
        .unwrap();
        let fix = String::from_utf8(fix).unwrap();
        let lines: Vec<&str> = fix.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 2, "{fix}");
        assert!(
            lines[0].ends_with("Created At,Postal Code,City,Kith import error"),
            "{fix}"
        );
        assert!(lines[1].starts_with("Renée,,renee@example,"), "{fix}");
    });
}

#[test]
fn another_sheet_is_read_when_chosen() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let path = customers_xlsx(dir.path());
        let sniffed = sniff(&path, "US", None, Some("Archive")).unwrap();
        assert_eq!(sniffed.sheet.as_deref(), Some("Archive"));
        assert_eq!(
            sniffed.sheets,
            ["Customers", "Archive"],
            "in the workbook's order"
        );
        assert_eq!(
            (sniffed.headers.as_slice(), sniffed.header_row),
            (&["First Name".to_owned()][..], 1)
        );

        let opts = kith_core::import::run::ImportOptions {
            sheet: Some("Archive".into()),
            ..options(Mode::Create)
        };
        let report = import(&kith, &path, &opts).await.unwrap();
        assert_eq!((report.created, report.failed), (1, 0), "{report:?}");
        assert_eq!(kith.search("Old customer", 5).await.unwrap().rows.len(), 1);

        let e = sniff(&path, "US", None, Some("Read me"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "Customers.xlsx has no sheet named “Read me” holding values"
        );
    });
}

#[test]
fn a_workbook_is_told_by_its_contents_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = customers_xlsx(dir.path());
    for name in ["Customers.xls", "Customers.csv", "Customers"] {
        let renamed = dir.path().join(name);
        std::fs::copy(&xlsx, &renamed).unwrap();
        let sniffed = sniff(&renamed, "US", None, None).unwrap();
        assert_eq!(sniffed.format, FileFormat::Sheet, "{name}");
        assert_eq!(sniffed.headers[0], "First Name", "{name}");
    }
    // For progress: about the sheet's text, not the compressed file.
    let sniffed = sniff(&xlsx, "US", None, None).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut kith_core::import::sheet::csv_text(&xlsx, "Customers").unwrap(),
        &mut text,
    )
    .unwrap();
    let ratio = sniffed.text_bytes as f64 / text.len() as f64;
    assert!(
        (0.5..2.0).contains(&ratio),
        "{} against {}",
        sniffed.text_bytes,
        text.len()
    );
}

/// Excel reports put a bold title in A1 and the columns right under it, with
/// no blank row between: the title is left out, and rows keep their numbers.
#[test]
fn a_title_right_above_the_columns_is_left_out() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let path = dir.path().join("Report.xlsx");
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Customers — November").unwrap();
        let rows = [
            ["First Name", "Last Name", "Email"],
            ["Ann", "Lee", "ann@example.com"],
            ["Bo", "Kim", "bo@example"],
        ];
        write_rows(sheet, (1, 0), &rows);
        book.save(&path).unwrap();
        let sniffed = sniff(&path, "US", None, None).unwrap();
        assert_eq!(sniffed.titles, ["Customers — November"]);
        assert_eq!(
            (sniffed.headers.as_slice(), sniffed.header_row),
            (&rows[0].map(str::to_owned)[..], 2)
        );
        let report = import(&kith, &path, &options(Mode::Create)).await.unwrap();
        assert_eq!((report.created, report.failed), (1, 1), "{report:?}");
        assert_eq!(
            (report.errors[0].row, report.errors[0].column.as_str()),
            (4, "Email"),
            "numbered as the sheet shows it"
        );
    });
}

#[test]
fn a_sheet_that_starts_right_of_column_a_keeps_its_columns() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let path = dir.path().join("Offset.xlsx");
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        write_rows(
            sheet,
            (1, 2),
            &[["First Name", "Email"], ["Pia", "pia@example.com"]],
        );
        book.save(&path).unwrap();
        let sniffed = sniff(&path, "US", None, None).unwrap();
        assert_eq!(sniffed.headers, ["", "", "First Name", "Email"]);
        assert_eq!(sniffed.header_row, 2);
        let report = import(&kith, &path, &options(Mode::Create)).await.unwrap();
        assert_eq!((report.created, report.failed), (1, 0), "{report:?}");
        let pia = kith.search("pia@example.com", 1).await.unwrap().rows[0].id;
        assert_eq!(kith.users().get(pia).await.unwrap().first_name, "Pia");
    });
}

#[test]
fn an_empty_workbook_or_a_zip_that_is_none_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("Empty.xlsx");
    let mut book = Workbook::new();
    book.add_worksheet();
    book.save(&empty).unwrap();
    let e = sniff(&empty, "US", None, None).unwrap_err().to_string();
    assert!(e.contains("Empty.xlsx") && e.contains("empty"), "{e}");

    let zip = dir.path().join("photos.xlsx");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
    w.start_file("a.jpg", zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(b"not a sheet").unwrap();
    w.finish().unwrap();
    let e = sniff(&zip, "US", None, None).unwrap_err().to_string();
    assert!(
        e.starts_with(
            "photos.xlsx cannot be read as a spreadsheet: it is a ZIP archive, but no Excel or \
             LibreOffice workbook. If it opens in a spreadsheet, save it"
        ),
        "{e}"
    );
}

/// An .ods file's reader parses every sheet whole when it opens: one past the
/// content Kith reads is refused before that, saying how to import it instead,
/// at sniffing (the dialog's first step) as at the import.
#[test]
fn a_libreoffice_sheet_too_large_to_hold_says_to_save_it_as_csv() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let path = dir.path().join("Big.ods");
        let mut w = open_document(&path, ODS_MIMETYPE);
        // Deflated, as LibreOffice saves it: its rows shrink to a few hundred KB.
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("content.xml", deflated).unwrap();
        w.write_all(CONTENT_HEAD.as_bytes()).unwrap();
        let row = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>Ann</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>ann@example.com</text:p></table:table-cell></table:table-row>"#;
        let rows = row.repeat(10_000);
        let mut written = 0;
        while written <= kith_core::import::sheet::MAX_ODS_CONTENT {
            w.write_all(rows.as_bytes()).unwrap();
            written += rows.len() as u64;
        }
        w.write_all(b"</table:table></office:spreadsheet></office:body></office:document-content>")
            .unwrap();
        w.finish().unwrap();

        let expected = "Big.ods is a LibreOffice sheet too large to read as it is: its content is \
                        65 MB, and Kith reads up to 64 MB of it. In LibreOffice, save it as CSV \
                        (File → Save a Copy… → Text CSV) and import that file: a CSV file of any \
                        size imports.";
        let e = sniff(&path, "US", None, None).unwrap_err();
        assert_eq!(e.to_string(), expected);
        let e = import(&kith, &path, &options(Mode::Create)).await.unwrap_err();
        assert_eq!(e.to_string(), expected);
        assert_eq!(kith.users().count().await.unwrap(), 0);

        // The same content in a text document is no sheet: not refused as one.
        let odt = dir.path().join("Big.odt");
        let mut from = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let mut w = open_document(&odt, "application/vnd.oasis.opendocument.text");
        w.raw_copy_file(from.by_name("content.xml").unwrap()).unwrap();
        w.finish().unwrap();
        let e = sniff(&odt, "US", None, None).unwrap_err().to_string();
        assert!(e.contains("cannot be read as a spreadsheet"), "{e}");
    });
}

const ODS_MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// The opening of an .ods file's content.xml, down to its sheet "Kunden".
const CONTENT_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Kunden">
"#;

/// An OpenDocument archive at `path` as it must start: its `mimetype`, first and
/// stored uncompressed.
fn open_document(path: &Path, mimetype: &str) -> zip::ZipWriter<std::fs::File> {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    w.start_file("mimetype", stored()).unwrap();
    w.write_all(mimetype.as_bytes()).unwrap();
    w
}

fn stored() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
}

/// LibreOffice's format, built by hand: the three parts a reader needs.
fn customers_ods(dir: &Path) -> PathBuf {
    let path = dir.join("Customers.ods");
    let mut w = open_document(&path, ODS_MIMETYPE);
    let stored = stored();
    w.start_file("META-INF/manifest.xml", stored).unwrap();
    w.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#,
    )
    .unwrap();
    w.start_file("content.xml", stored).unwrap();
    let cell = |v: &str| {
        format!(
            r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#
        )
    };
    let row = |cells: &[&str]| {
        format!(
            "<table:table-row>{}</table:table-row>",
            cells.iter().map(|c| cell(c)).collect::<String>()
        )
    };
    let date = r#"<table:table-cell office:value-type="date" office:date-value="2020-12-31"><text:p>31/12/20</text:p></table:table-cell>"#;
    let content = format!(
        r#"{CONTENT_HEAD}{}{}<table:table-row>{}{}{}{}</table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#,
        row(&["Vorname", "Nachname", "E-Mail", "Erstellt am"]),
        row(&["Jürgen", "Åberg", "jurgen@example.com", ""]),
        cell("Sören"),
        cell("Groß"),
        cell("soren@example.com"),
        date,
    );
    w.write_all(content.as_bytes()).unwrap();
    w.finish().unwrap();
    path
}

#[test]
fn a_libreoffice_spreadsheet_is_stored_field_by_field() {
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let path = customers_ods(dir.path());
        let sniffed = sniff(&path, "DE", None, None).unwrap();
        assert_eq!(sniffed.format, FileFormat::Sheet);
        assert_eq!(sniffed.sheets, ["Kunden"]);

        let report = import(&kith, &path, &options(Mode::Create)).await.unwrap();
        assert_eq!((report.created, report.failed), (2, 0), "{report:?}");
        let soren = kith.search("soren@example.com", 1).await.unwrap().rows[0].id;
        let d = kith.users().get(soren).await.unwrap();
        assert_eq!(
            (d.first_name.as_str(), d.last_name.as_str()),
            ("Sören", "Groß")
        );
        assert_eq!(d.created_at, 1_609_372_800_000, "2020-12-31");
        let jurgen = kith.search("jurgen@example.com", 1).await.unwrap().rows[0].id;
        assert_eq!(kith.users().get(jurgen).await.unwrap().last_name, "Åberg");
    });
}

/// Excel 97–2003 (.xls), as older Excel and many till systems still save: written
/// once by xlwt 1.3.0 (its script is in the fixture's commit message).
#[test]
fn an_excel_97_workbook_is_stored_field_by_field() {
    common::runtime().block_on(async {
        let (_dir, kith) = common::kith().await;
        let path = common::fixture("excel-97.xls");
        let sniffed = sniff(&path, "DE", None, None).unwrap();
        assert_eq!(sniffed.format, FileFormat::Sheet);
        assert_eq!(sniffed.sheets, ["Kunden"], "the empty sheet is passed over");
        assert_eq!(
            (sniffed.titles.as_slice(), sniffed.header_row),
            (&["Kundenliste".to_owned()][..], 3)
        );

        let opts = kith_core::import::run::ImportOptions {
            region: "DE".into(),
            skip_invalid: true,
            ..options(Mode::Create)
        };
        let report = import(&kith, &path, &opts).await.unwrap();
        assert_eq!((report.created, report.failed), (2, 1), "{report:?}");
        assert_eq!(
            (report.errors[0].row, report.errors[0].column.as_str()),
            (6, "E-Mail")
        );

        let jurgen = kith.search("jurgen@example.de", 1).await.unwrap().rows[0].id;
        let d = kith.users().get(jurgen).await.unwrap();
        assert_eq!(
            (d.first_name.as_str(), d.last_name.as_str()),
            ("Jürgen", "Größe")
        );
        assert_eq!(
            d.mobile_phone.as_deref(),
            Some("+4915112345678"),
            "a number cell"
        );
        assert_eq!(d.created_at, 1_561_939_200_000, "2019-07-01, a date cell");
        let ana = kith.search("ana@example.es", 1).await.unwrap().rows[0].id;
        let d = kith.users().get(ana).await.unwrap();
        assert_eq!(d.last_name, "Núñez");
        assert_eq!(d.mobile_phone.as_deref(), Some("+34612345678"));
    });
}

/// A cell of [`xlsb`]: text (written inline) or a number.
enum Bin<'a> {
    Text(&'a str),
    Number(f64),
}

/// Appends one MS-XLSB record: its type and size as 7-bit groups, then its body.
fn record(out: &mut Vec<u8>, typ: u16, body: &[u8]) {
    if typ < 0x80 {
        out.push(typ as u8);
    } else {
        out.extend([(typ & 0x7F) as u8 | 0x80, (typ >> 7) as u8]);
    }
    let mut len = body.len();
    loop {
        let low = (len & 0x7F) as u8;
        len >>= 7;
        if len == 0 {
            out.push(low);
            break;
        }
        out.push(low | 0x80);
    }
    out.extend_from_slice(body);
}

/// An XLWideString: a count of UTF-16 units, then the units.
fn wide(text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut out = (units.len() as u32).to_le_bytes().to_vec();
    units.iter().for_each(|u| out.extend(u.to_le_bytes()));
    out
}

/// An Excel binary workbook (.xlsb), written record by record as MS-XLSB lays it
/// out (nothing in Rust writes one): one sheet named `sheet` holding `rows` from
/// column `left` on, each row's cells in `rows[i]`, empty rows left out as Excel
/// leaves them out.
fn xlsb(path: &Path, sheet: &str, left: u32, rows: &[Vec<Bin>]) {
    let mut book = Vec::new();
    let mut bundle = [0u32.to_le_bytes(), 1u32.to_le_bytes()].concat(); // visible, tab 1
    bundle.extend(wide("rId1"));
    bundle.extend(wide(sheet));
    record(&mut book, 0x009C, &bundle); // BrtBundleSh
    record(&mut book, 0x0090, &[]); // BrtEndBundleShs
    record(&mut book, 0x0084, &[]); // BrtEndBook

    let mut data = Vec::new();
    record(&mut data, 0x0081, &[]); // BrtBeginSheet
    let width = rows.iter().map(Vec::len).max().unwrap_or(1) as u32;
    let dims = [0, rows.len() as u32 - 1, left, left + width - 1]
        .map(u32::to_le_bytes)
        .concat();
    record(&mut data, 0x0094, &dims); // BrtWsDim
    record(&mut data, 0x0091, &[]); // BrtBeginSheetData
    for (r, cells) in rows.iter().enumerate() {
        if cells.is_empty() {
            continue;
        }
        record(&mut data, 0x0000, &(r as u32).to_le_bytes()); // BrtRowHdr
        for (c, cell) in cells.iter().enumerate() {
            let mut body = [(left + c as u32).to_le_bytes(), 0u32.to_le_bytes()].concat();
            match cell {
                Bin::Text(t) => {
                    body.extend(wide(t));
                    record(&mut data, 0x0006, &body); // BrtCellSt
                }
                Bin::Number(n) => {
                    body.extend(n.to_le_bytes());
                    record(&mut data, 0x0005, &body); // BrtCellReal
                }
            }
        }
    }
    record(&mut data, 0x0092, &[]); // BrtEndSheetData
    record(&mut data, 0x0082, &[]); // BrtEndSheet

    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in [
        ("xl/workbook.bin", book),
        (
            "xl/_rels/workbook.bin.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#.to_vec(),
        ),
        ("xl/worksheets/sheet1.bin", data),
    ] {
        w.start_file(name, deflated).unwrap();
        w.write_all(&bytes).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn an_excel_binary_workbook_is_read_as_it_streams() {
    use Bin::{Number, Text};
    common::runtime().block_on(async {
        let (dir, kith) = common::kith().await;
        let path = dir.path().join("Kunden.xlsb");
        xlsb(
            &path,
            "Kunden",
            1, // from column B: column A left empty, as reports often do
            &[
                vec![
                    Text("Vorname"),
                    Text("Nachname"),
                    Text("E-Mail"),
                    Text("Mobil"),
                ],
                vec![
                    Text("Zoë"),
                    Text("Müller"),
                    Text("zoe@example.com"),
                    Number(4_155_550_123.0),
                ],
                vec![],
                vec![
                    Text("Jürgen"),
                    Text("Åberg, Jr."),
                    Text("jurgen@example.com"),
                ],
            ],
        );
        let sniffed = sniff(&path, "US", None, None).unwrap();
        assert_eq!(sniffed.format, FileFormat::Sheet);
        assert_eq!(sniffed.sheets, ["Kunden"]);
        assert_eq!(
            &sniffed.headers[sniffed.headers.len() - 4..],
            ["Vorname", "Nachname", "E-Mail", "Mobil"]
        );

        let report = import(&kith, &path, &options(Mode::Create)).await.unwrap();
        assert_eq!((report.created, report.failed), (2, 0), "{report:?}");
        let zoe = kith.search("zoe@example.com", 1).await.unwrap().rows[0].id;
        let d = kith.users().get(zoe).await.unwrap();
        assert_eq!(
            (d.first_name.as_str(), d.last_name.as_str()),
            ("Zoë", "Müller")
        );
        assert_eq!(
            d.mobile_phone.as_deref(),
            Some("+14155550123"),
            "a phone typed as a number"
        );
        let jurgen = kith.search("jurgen@example.com", 1).await.unwrap().rows[0].id;
        assert_eq!(
            kith.users().get(jurgen).await.unwrap().last_name,
            "Åberg, Jr."
        );

        // Rows numbered as the spreadsheet shows them: the blank row counts.
        let text =
            std::io::read_to_string(kith_core::import::sheet::csv_text(&path, "Kunden").unwrap())
                .unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[3].trim_matches(','),
            "Jürgen,\"Åberg, Jr.\",jurgen@example.com",
            "{text}"
        );
        assert_eq!(lines[2].trim_matches(','), "", "{text}");
    });
}
