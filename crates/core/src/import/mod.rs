//! CSV and vCard import: reading the files small businesses actually have (any
//! common encoding, delimiter and export layout, and contact cards) and mapping
//! their columns to user fields.

mod code_page;
pub mod history;
pub mod mapping;
pub mod photo;
pub mod preview;
pub mod report;
pub mod row;
pub mod run;
pub mod saved;
mod seen;
pub mod shape;
pub mod sheet;
pub mod source;
pub mod undo;
pub mod vcard;

/// What can go wrong before a single row is read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path} is a folder — choose a CSV file inside it")]
    Folder { path: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is empty")]
    Empty { path: String },
    /// Chosen as UTF-8, or saying so with a BOM, and not UTF-8 at `line`.
    #[error("{}", not_utf8_message(.path, *.line, *.bom))]
    NotUtf8 { path: String, line: u64, bom: bool },
    #[error("{path} has a header row but no customers under it: there is nothing to import")]
    NoRows { path: String },
    #[error("{path} holds {cards} contact card(s), but none has a name, an email, a phone or an address: there is nothing to import")]
    EmptyCards { path: String, cards: u64 },
    #[error("{path} does not look like a CSV file: {reason}")]
    NotCsv { path: String, reason: String },
    #[error("{path} cannot be read as a spreadsheet: {reason}")]
    NotSheet { path: String, reason: String },
    #[error("{path} has no sheet named “{sheet}” holding values")]
    NoSheet { path: String, sheet: String },
    /// An .ods file's sheets are read whole (see [`sheet`]): past a size, into
    /// more memory than a desktop should give an import.
    #[error(
        "{path} is a LibreOffice sheet too large to read as it is: its content is \
         {content_mb} MB, and Kith reads up to {limit_mb} MB of it. In LibreOffice, save it as \
         CSV (File → Save a Copy… → Text CSV) and import that file: a CSV file of any size \
         imports."
    )]
    OdsTooLarge {
        path: String,
        content_mb: u64,
        limit_mb: u64,
    },
    #[error("row {row}: {message}")]
    Csv { row: u64, message: String },
    /// A contact's photo could not be written to the data folder (a full disk).
    #[error("cannot store a contact's photo in Kith's data folder: {source}")]
    PhotoStore {
        #[source]
        source: std::io::Error,
    },
    /// A quote never closed, or a row too long to be a customer (see [`shape`]).
    #[error("{}", shape_message(.problem))]
    Shape { problem: shape::ShapeProblem },
}

fn not_utf8_message(path: &str, line: u64, bom: bool) -> String {
    if bom {
        format!(
            "{path} starts as UTF-8 text, but line {line} was saved in another encoding, as \
             happens when files saved differently are joined together. Save the whole file \
             again in one encoding (in Excel: \"CSV UTF-8\") and import it again."
        )
    } else {
        format!(
            "{path} is not UTF-8 text: line {line} holds characters saved in another encoding. \
             Import it in the encoding it was saved in."
        )
    }
}

fn shape_message(p: &shape::ShapeProblem) -> String {
    let (row, line) = (p.row, p.line);
    let limit = shape::MAX_ROW_BYTES >> 20;
    match p.kind {
        shape::ShapeKind::UnclosedQuote => format!(
            "Row {row} (line {line} of the file) opens a quote (\") that is never closed, so \
             the rest of the file would be read as one value. Add the missing quote, or \
             remove the stray one, and import again."
        ),
        shape::ShapeKind::TooLong { quoted: true } => format!(
            "Row {row} (line {line} of the file) opens a quote (\") that is not closed within \
             {limit} MB, so a closing quote is probably missing. Add it, or remove the stray \
             quote, and import again."
        ),
        shape::ShapeKind::TooLong { quoted: false } => format!(
            "Row {row} (line {line} of the file) is longer than {limit} MB. A customer list's \
             rows are a few hundred characters: check that this is the file you meant."
        ),
    }
}
