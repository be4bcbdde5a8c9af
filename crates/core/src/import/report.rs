//! The error report: the original rows that were refused, plus a reason column,
//! ready to fix and import again. Card numbers are masked — the report must not
//! become the place a card number is stored.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use super::row::CellError;
use super::source::{sniff, Rows, TextEncoding};
use super::ImportError;
use crate::validate::mask_card_numbers;

/// Writes the rows of `source` named in `errors` to `out` as CSV (UTF-8 with a BOM,
/// so Excel opens it right), with a last column "Kith import error". `region`,
/// `chosen` and `sheet` are those the file was imported with, so it is read the
/// same way.
/// A report's footer and a vCard file's lines outside any card are left out:
/// no fix makes them customers (see [`super::source::Refusal::fixable`]).
pub fn write_error_rows(
    source: &Path,
    region: &str,
    chosen: Option<TextEncoding>,
    sheet: Option<&str>,
    errors: &[CellError],
    out: impl Write,
) -> Result<u64, ImportError> {
    let io = |e: std::io::Error| ImportError::Io {
        path: super::source::shown(source),
        source: e,
    };
    let mut reasons: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for e in errors {
        let reason = if e.column.is_empty() {
            e.message.clone()
        } else {
            format!("{}: {}", e.column, e.message)
        };
        reasons.entry(e.row).or_default().push(reason);
    }
    let sniffed = sniff(source, region, chosen, sheet)?;
    let mut out = out;
    out.write_all(b"\xEF\xBB\xBF").map_err(io)?;
    let mut writer = csv::Writer::from_writer(out);
    let csv_error = |e: csv::Error| ImportError::Csv {
        row: 0,
        message: e.to_string(),
    };
    let mut header = sniffed.headers.clone();
    header.push("Kith import error".into());
    writer.write_record(&header).map_err(csv_error)?;
    let mut written = 0;
    // Read as the import read them, so the rows are numbered alike.
    let mut rows = Rows::open(source, &sniffed)?;
    while let Some(row) = rows.next_row()? {
        let Some(why) = reasons.get(&row.number) else {
            continue;
        };
        if row.refused.as_ref().is_some_and(|r| !r.fixable()) {
            continue;
        }
        let mut cells: Vec<String> = row.cells.iter().map(mask_card_numbers).collect();
        cells.resize(sniffed.headers.len().max(cells.len()), String::new());
        cells.push(why.join("; "));
        writer.write_record(&cells).map_err(csv_error)?;
        written += 1;
    }
    writer.flush().map_err(io)?;
    Ok(written)
}
