//! Opening a CSV file whatever made it (and a workbook's sheet, read as one: see
//! [`super::sheet`]): UTF-8 with or without BOM, UTF-16 with BOM
//! (Excel "Unicode Text"), or a legacy code page (Excel's "CSV"); comma,
//! semicolon, tab or pipe delimited; CRLF or LF. Everything streams: a file is
//! never read into memory whole.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use encoding_rs::{Encoding, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;
use serde::{Deserialize, Serialize};

use super::code_page;
use super::mapping::{self, Target};
use super::shape::ShapeWatch;
use super::sheet;
use super::vcard::{self, CardProblem};
use super::ImportError;

/// How a file is encoded, as detected or as the person importing it chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "ImportEncoding")]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
    /// Another legacy code page, by its WHATWG name ("windows-1250", "windows-1251",
    /// "ISO-8859-7", "Shift_JIS", …): Excel's "CSV" on a Polish, Czech, Russian or
    /// Greek Windows.
    Legacy(&'static str),
}

impl TextEncoding {
    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => UTF_8,
            TextEncoding::Utf16Le => UTF_16LE,
            TextEncoding::Utf16Be => UTF_16BE,
            TextEncoding::Windows1252 => WINDOWS_1252,
            TextEncoding::Legacy(name) => {
                Encoding::for_label(name.as_bytes()).unwrap_or(WINDOWS_1252)
            }
        }
    }

    fn of_legacy(encoding: &'static Encoding) -> Self {
        if encoding == WINDOWS_1252 {
            TextEncoding::Windows1252
        } else {
            TextEncoding::Legacy(encoding.name())
        }
    }

    /// The encoding a WHATWG label names ("utf-8", "windows-1250", "latin2",
    /// "macintosh", "shift_jis", …), or `None` for a label of no encoding a file
    /// can be read in.
    pub fn from_label(label: &str) -> Option<TextEncoding> {
        let encoding = Encoding::for_label(label.trim().as_bytes())?;
        Some(match encoding {
            // "replacement" stands for encodings too dangerous to decode.
            e if e == REPLACEMENT => return None,
            e if e == UTF_8 => TextEncoding::Utf8,
            e if e == UTF_16LE => TextEncoding::Utf16Le,
            e if e == UTF_16BE => TextEncoding::Utf16Be,
            e => TextEncoding::of_legacy(e),
        })
    }

    fn is_utf8(self) -> bool {
        matches!(self, TextEncoding::Utf8 | TextEncoding::Utf8Bom)
    }

    /// A legacy code page, guessed from the bytes and possibly wrong; a BOM and
    /// valid UTF-8 are certain.
    pub fn is_guessed(self) -> bool {
        matches!(self, TextEncoding::Windows1252 | TextEncoding::Legacy(_))
    }
}

/// [`TextEncoding`] as the webview sends it back: a legacy code page by any name,
/// checked against the ones `encoding_rs` knows.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum EncodingName {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
    Legacy(String),
}

// By hand: derived, the `&'static str` would make serde borrow from the input.
impl<'de> Deserialize<'de> for TextEncoding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        EncodingName::deserialize(d)?
            .try_into()
            .map_err(serde::de::Error::custom)
    }
}

impl TryFrom<EncodingName> for TextEncoding {
    type Error = String;

    fn try_from(name: EncodingName) -> Result<Self, Self::Error> {
        Ok(match name {
            EncodingName::Utf8 => TextEncoding::Utf8,
            EncodingName::Utf8Bom => TextEncoding::Utf8Bom,
            EncodingName::Utf16Le => TextEncoding::Utf16Le,
            EncodingName::Utf16Be => TextEncoding::Utf16Be,
            EncodingName::Windows1252 => TextEncoding::Windows1252,
            EncodingName::Legacy(label) => TextEncoding::from_label(&label)
                .ok_or_else(|| format!("no text encoding is called {label:?}"))?,
        })
    }
}

/// What kind of file an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "ImportFileFormat")]
pub enum FileFormat {
    /// A table: CSV, or text separated by semicolons, tabs or pipes.
    Csv,
    /// Contact cards (.vcf), one row per card under columns named like Google's
    /// CSV export; a row's number is the line its card begins on.
    #[serde(rename = "vcard")]
    VCard,
    /// A workbook's sheet (.xlsx, .xlsm, .xlsb, .xls, .ods), read as a table;
    /// rows are numbered as the spreadsheet shows them.
    Sheet,
}

/// What a file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sniffed {
    pub format: FileFormat,
    pub encoding: TextEncoding,
    pub delimiter: char,
    pub headers: Vec<String>,
    /// Records above the header row: a report's title lines and the blank ones
    /// around them (accounting and booking systems put "Customer Contact List",
    /// the company and the date above their columns).
    pub skipped: usize,
    /// The text of each title line skipped, to show the person what was left out.
    pub titles: Vec<String>,
    /// The header row's number as a spreadsheet shows the file: the first line
    /// is row 1, and blank lines are rows (the CSV parser passes over them).
    /// Data rows are numbered on from it, so a row named in an error is the row
    /// the person finds in Excel.
    pub header_row: u64,
    pub size_bytes: u64,
    /// Roughly how many bytes of text the rows are read from, for progress and
    /// for how many rows to expect: the file decoded to UTF-8, or a workbook's
    /// sheet as CSV text.
    pub text_bytes: u64,
    /// The region the file was read for: where it was most likely saved.
    #[serde(skip)]
    pub region: String,
    /// A vCard file's contact groups: no customers, their names go to their
    /// members' categories.
    pub groups: Vec<vcard::ContactGroup>,
    /// The workbook's sheet read: the one chosen, else its first holding values.
    pub sheet: Option<String>,
    /// A workbook's visible sheets holding values, in its order.
    pub sheets: Vec<String>,
}

/// Roughly how many bytes a file of `size_bytes` has once decoded to UTF-8
/// (mostly-ASCII UTF-16 halves).
fn decoded_size(size_bytes: u64, encoding: TextEncoding) -> u64 {
    match encoding {
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => size_bytes / 2,
        _ => size_bytes,
    }
}

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Rows looked at to choose the delimiter.
const SNIFF_ROWS: usize = 50;
/// Records looked at for the header row below a report's title lines.
const TITLE_ROWS: usize = 10;

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: shown(path),
        source,
    }
}

/// A file as error messages name it: its name only. The messages reach the app's
/// webview, which is never told where a file lives.
pub fn shown(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Detects the encoding and delimiter of `path` and reads its header row.
/// `region` (the data directory's default, ISO 3166 alpha-2) is where the file was
/// most likely saved, which weighs in when its legacy code page is guessed.
/// `chosen` is the encoding the person said the file is in, when the guess was
/// wrong; a BOM still decides, as it cannot be wrong. `sheet` is a workbook's
/// sheet the person chose, rather than its first holding values.
pub fn sniff(
    path: &Path,
    region: &str,
    chosen: Option<TextEncoding>,
    sheet: Option<&str>,
) -> Result<Sniffed, ImportError> {
    let shown = shown(path);
    let meta = std::fs::metadata(path).map_err(io_error(path))?;
    if meta.is_dir() {
        return Err(ImportError::Folder { path: shown });
    }
    if meta.len() == 0 {
        return Err(ImportError::Empty { path: shown });
    }
    let mut head = [0u8; 4];
    let n = read_up_to(&mut File::open(path).map_err(io_error(path))?, &mut head)
        .map_err(io_error(path))?;
    if sheet::is_workbook(&head[..n]) {
        return sniff_sheet(path, region, meta.len(), sheet);
    }
    let encoding = detect_encoding(path, region, chosen)?;
    let sample = decoded_sample(path, encoding)?;
    if sample.trim().is_empty() {
        return Err(ImportError::Empty { path: shown });
    }
    if sample.contains('\0') {
        return Err(ImportError::NotCsv {
            path: shown,
            reason: "it contains binary data".into(),
        });
    }
    if vcard::starts_a_card(&sample) {
        // The columns are those the cards fill: every card is read once.
        let text = vcard::buffered(open_decoded(path, encoding)?);
        let fallback = vcard::Fallback::new(encoding.encoding(), region);
        let scan = vcard::Layout::scan(text, fallback).map_err(io_error(path))?;
        let headers = scan.layout.headers();
        if headers.is_empty() {
            let cards = scan.cards;
            return Err(ImportError::EmptyCards { path: shown, cards });
        }
        return Ok(Sniffed {
            format: FileFormat::VCard,
            encoding,
            delimiter: ',',
            headers,
            skipped: 0,
            titles: Vec::new(),
            header_row: 0,
            size_bytes: meta.len(),
            text_bytes: decoded_size(meta.len(), encoding),
            region: region.to_owned(),
            groups: scan.groups.list,
            sheet: None,
            sheets: Vec::new(),
        });
    }
    let (delimiter, layout) = choose_delimiter(&sample);
    let layout = layout.ok_or_else(|| ImportError::NotCsv {
        path: shown.clone(),
        reason: "it has no header row".into(),
    })?;
    Ok(Sniffed {
        format: FileFormat::Csv,
        encoding,
        delimiter: char::from(delimiter),
        headers: layout.headers,
        skipped: layout.skipped,
        titles: layout.titles,
        header_row: layout.header_row,
        size_bytes: meta.len(),
        text_bytes: decoded_size(meta.len(), encoding),
        region: region.to_owned(),
        groups: Vec::new(),
        sheet: None,
        sheets: Vec::new(),
    })
}

/// A workbook: its first sheet holding values, or the one `chosen`, whose
/// header row is found as a CSV file's is (below a report's titles). The sheet is
/// read as UTF-8 text, which a spreadsheet's cells always are.
fn sniff_sheet(
    path: &Path,
    region: &str,
    size_bytes: u64,
    chosen: Option<&str>,
) -> Result<Sniffed, ImportError> {
    let sheets = sheet::sheets_with_data(path)?;
    let read = match chosen {
        Some(name) => {
            sheets
                .iter()
                .find(|s| s.name == name)
                .ok_or_else(|| ImportError::NoSheet {
                    path: shown(path),
                    sheet: name.to_owned(),
                })?
        }
        None => sheets
            .first()
            .ok_or_else(|| ImportError::Empty { path: shown(path) })?,
    };
    let first = &read.name;
    let mut sample = Vec::new();
    sheet::csv_text(path, first)?
        .take(SAMPLE_BYTES)
        .read_to_end(&mut sample)
        .map_err(io_error(path))?;
    // The sheet's text, for progress: its rows at the sample's bytes a row (the
    // compressed workbook's size says little of it).
    let sample_rows = sample.iter().filter(|&&b| b == b'\n').count().max(1) as u64;
    let text_bytes = (read.rows * sample.len() as u64 / sample_rows).max(sample.len() as u64);
    let sample = String::from_utf8_lossy(&sample);
    let layout = Layout::of(&sample, b',').ok_or_else(|| ImportError::NotSheet {
        path: shown(path),
        reason: format!("its sheet “{first}” has no header row"),
    })?;
    Ok(Sniffed {
        format: FileFormat::Sheet,
        encoding: TextEncoding::Utf8,
        delimiter: ',',
        headers: layout.headers,
        skipped: layout.skipped,
        titles: layout.titles,
        header_row: layout.header_row,
        size_bytes,
        text_bytes,
        region: region.to_owned(),
        groups: Vec::new(),
        sheet: Some(first.clone()),
        sheets: sheets.into_iter().map(|s| s.name).collect(),
    })
}

/// The header row of a file whose code page was guessed, as its bytes say
/// whatever the guess: read as Windows-1252, which gives every byte a character
/// of its own (`None` for a file whose encoding is certain, or whose columns
/// read so differ). Exports of one system keep these from one month to the
/// next, while the code page guessed for them may change with their rows: a
/// mapping and a code page remembered under them are found again. A vCard
/// file's columns are Kith's own names, the same in any code page: `None`,
/// without reading the file once more.
pub fn headers_by_bytes(path: &Path, region: &str, sniffed: &Sniffed) -> Option<Vec<String>> {
    if sniffed.format != FileFormat::Csv {
        return None;
    }
    match sniffed.encoding {
        TextEncoding::Windows1252 => Some(sniffed.headers.clone()),
        e if e.is_guessed() => sniff(path, region, Some(TextEncoding::Windows1252), None)
            .ok()
            .map(|read| read.headers)
            .filter(|h| h.len() == sniffed.headers.len()),
        _ => None,
    }
}

/// A UTF-16 BOM decides; otherwise the whole file is checked for valid UTF-8 (a
/// Windows-1252 "é" may first appear on row 500,000), streaming. A file that is
/// not UTF-8 was saved in a legacy code page, guessed by [`code_page::guess`].
///
/// A `chosen` legacy code page is taken as it is. A UTF-8 BOM, or chosen UTF-8,
/// is checked like a guess, and bytes that are not UTF-8 are refused with their
/// line: decoded, each would be stored as "\u{FFFD}". (Exports saved apart and
/// joined together start with a BOM and go on in another encoding.)
fn detect_encoding(
    path: &Path,
    region: &str,
    chosen: Option<TextEncoding>,
) -> Result<TextEncoding, ImportError> {
    let mut file = BufReader::with_capacity(1 << 20, File::open(path).map_err(io_error(path))?);
    let mut head = [0u8; 3];
    let n = read_up_to(&mut file, &mut head).map_err(io_error(path))?;
    let bom = match &head[..n] {
        [0xEF, 0xBB, 0xBF] => true,
        [0xFF, 0xFE, ..] => return Ok(TextEncoding::Utf16Le),
        [0xFE, 0xFF, ..] => return Ok(TextEncoding::Utf16Be),
        _ => false,
    };
    if let Some(chosen) = chosen.filter(|c| !bom && !c.is_utf8()) {
        return Ok(chosen);
    }
    let mut pending: Vec<u8> = if bom { Vec::new() } else { head[..n].to_vec() };
    // Bytes checked before `pending`, to say where the UTF-8 goes wrong.
    let mut offset = if bom { 3u64 } else { 0 };
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buf).map_err(io_error(path))?;
        pending.extend_from_slice(&buf[..read]);
        match std::str::from_utf8(&pending) {
            Ok(_) => {
                offset += pending.len() as u64;
                pending.clear();
            }
            // An incomplete sequence at the end of a chunk may be completed by the next.
            Err(e) if e.error_len().is_none() && read > 0 => {
                offset += e.valid_up_to() as u64;
                pending.drain(..e.valid_up_to());
            }
            Err(e) if bom || chosen.is_some() => {
                return Err(ImportError::NotUtf8 {
                    path: shown(path),
                    line: offset_line(path, offset + e.valid_up_to() as u64)?,
                    bom,
                })
            }
            Err(_) => {
                let guess =
                    code_page::guess(&mut file, &pending, region).map_err(io_error(path))?;
                return Ok(TextEncoding::of_legacy(guess));
            }
        }
        if read == 0 {
            return Ok(if bom {
                TextEncoding::Utf8Bom
            } else {
                TextEncoding::Utf8
            });
        }
    }
}

/// The line (from 1) of the file that byte `offset` is on, lines ended by LF,
/// CRLF or a bare CR (Excel for Mac's) as the CSV reader ends them.
fn offset_line(path: &Path, offset: u64) -> Result<u64, ImportError> {
    let mut before = File::open(path).map_err(io_error(path))?.take(offset);
    let mut buf = vec![0u8; 1 << 20];
    let (mut line, mut after_cr) = (1u64, false);
    loop {
        let read = before.read(&mut buf).map_err(io_error(path))?;
        if read == 0 {
            return Ok(line);
        }
        for &b in &buf[..read] {
            if b == b'\r' || (b == b'\n' && !after_cr) {
                line += 1;
            }
            after_cr = b == b'\r';
        }
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = r.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// The file as UTF-8, whatever its encoding, BOM removed.
pub fn open_decoded(
    path: &Path,
    encoding: TextEncoding,
) -> Result<Box<dyn Read + Send>, ImportError> {
    let file = File::open(path).map_err(io_error(path))?;
    let decoder = DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding.encoding()))
        .bom_override(true)
        .build(BufReader::with_capacity(1 << 20, file));
    Ok(Box::new(decoder))
}

/// How much of a file's text is looked at to sniff it.
const SAMPLE_BYTES: u64 = 256 * 1024;

/// The text a table's rows are read from: the file decoded, or a workbook's sheet.
fn table_text(path: &Path, sniffed: &Sniffed) -> Result<Box<dyn Read + Send>, ImportError> {
    match (sniffed.format, &sniffed.sheet) {
        (FileFormat::Sheet, Some(name)) => sheet::csv_text(path, name),
        _ => open_decoded(path, sniffed.encoding),
    }
}

/// Roughly the first rows, decoded, for sniffing and previews.
fn decoded_sample(path: &Path, encoding: TextEncoding) -> Result<String, ImportError> {
    let mut sample = Vec::new();
    open_decoded(path, encoding)?
        .take(SAMPLE_BYTES)
        .read_to_end(&mut sample)
        .map_err(io_error(path))?;
    Ok(String::from_utf8_lossy(&sample).into_owned())
}

/// The delimiter under which the first rows have the most consistent number of
/// fields (and more than one), with where its header row is; commas win ties,
/// as in most exports. A delimiter under which the first line holds several
/// column names is the file's; one under which that line is a title over a
/// table only when there is none. (Under the wrong delimiter a header row is
/// one value, and the rows below may still split into columns: "Gold;VIP".)
/// Without such a delimiter the file is read as one column.
fn choose_delimiter(sample: &str) -> (u8, Option<Layout>) {
    let mut layouts: Vec<(u8, Layout)> = DELIMITERS
        .into_iter()
        .filter_map(|d| Some((d, Layout::of(sample, d)?)))
        .filter(|(_, layout)| layout.headers.len() > 1)
        .collect();
    // Several names on the first line, which rows below it follow: a title
    // holding the other delimiter ("Customers, all") has no rows like it.
    let named = |layout: &Layout| {
        layout.titles.is_empty()
            && layout.agreeing > 1
            && layout.headers.iter().filter(|h| !h.is_empty()).count() > 1
    };
    let best = |plain: bool| {
        let mut best: Option<usize> = None;
        for (i, (_, layout)) in layouts.iter().enumerate() {
            let better = best.is_none_or(|b| layout.score() > layouts[b].1.score());
            if (!plain || named(layout)) && better {
                best = Some(i);
            }
        }
        best
    };
    match best(true).or_else(|| best(false)) {
        Some(i) => {
            let (delimiter, layout) = layouts.swap_remove(i);
            (delimiter, Some(layout))
        }
        None => (b',', Layout::of(sample, b',')),
    }
}

/// A cell no column name holds: an email address, or a number of seven digits
/// or more (a phone number, an id) written mostly in digits.
fn looks_like_a_value(cell: &str) -> bool {
    let email = cell
        .split_once('@')
        .is_some_and(|(local, domain)| !local.trim().is_empty() && domain.contains('.'));
    let digits = cell.bytes().filter(u8::is_ascii_digit).count();
    let written = cell.chars().filter(|c| !c.is_whitespace()).count();
    email || (digits >= 7 && digits * 2 > written)
}

/// A row whose filled cells are, at least half of them, names of Kith's own
/// columns, two different ones at least ("Name", "E-Mail", "Telefon"…). Some
/// of those names are everyday words a data row may hold too ("Customer",
/// "Mobile"), so [`Layout::of`] also asks that the row below does not.
fn names_columns(record: &csv::StringRecord) -> bool {
    let mut filled = 0;
    let mut named = 0;
    let mut targets = std::collections::HashSet::new();
    for cell in record.iter().filter(|c| !c.trim().is_empty()) {
        filled += 1;
        let target = mapping::guess(cell);
        if target != Target::Ignore {
            named += 1;
            targets.insert(target);
        }
    }
    targets.len() >= 2 && named * 2 >= filled
}

/// Where a file's header row is under one delimiter.
struct Layout {
    /// Records above it.
    skipped: usize,
    titles: Vec<String>,
    /// Its row number, blank lines counted (see [`Sniffed::header_row`]).
    header_row: u64,
    headers: Vec<String>,
    /// Rows from the header row on with as many fields as it has.
    agreeing: usize,
}

/// A record of the sample, and the blank lines right above it.
struct Sampled {
    record: csv::StringRecord,
    blank_lines_above: u64,
    /// A blank line or a row of empty cells is right above it.
    below_blank: bool,
}

impl Layout {
    fn score(&self) -> usize {
        self.agreeing * self.headers.len()
    }

    /// The header row is the first record that is not blank, unless that holds a
    /// single value — a report's title — and, within [`TITLE_ROWS`] records,
    /// past nothing but titles, comes a record of several values whose number
    /// of fields most rows after it share, below a blank line or naming Kith's
    /// columns where the record under it does not (column names come once;
    /// values repeat down a column). A one-column file has no such record; nor
    /// has one whose odd row holds a delimiter, nor a header row with one name
    /// over a table right below it.
    fn of(sample: &str, delimiter: u8) -> Option<Layout> {
        let records = Self::sampled(sample, delimiter);
        let first = records.iter().position(|r| filled(&r.record) > 0)?;
        let below_titles = || {
            let at = first
                + records[first..]
                    .iter()
                    .take(TITLE_ROWS)
                    .position(|r| filled(&r.record) > 1)?;
            let fields = records[at].record.len();
            let later: Vec<usize> = records[at + 1..]
                .iter()
                .filter(|r| filled(&r.record) > 0)
                .map(|r| r.record.len())
                .collect();
            let shared = later.iter().filter(|&&n| n == fields).count();
            // Column names are words: a row holding an email address or a
            // phone number is data, however it is laid out (one column padded
            // to a sheet's width, with a stray note by a later value).
            let data = records[at].record.iter().any(looks_like_a_value);
            let table = shared > 0 && shared * 2 >= later.len();
            let names_below = records[at + 1..]
                .iter()
                .find(|r| filled(&r.record) > 0)
                .is_some_and(|r| names_columns(&r.record));
            let named = names_columns(&records[at].record) && !names_below;
            (table && (records[at].below_blank || named) && !data).then_some(at)
        };
        let at = if filled(&records[first].record) > 1 {
            first
        } else {
            below_titles().unwrap_or(first)
        };
        let header = &records[at].record;
        Some(Layout {
            skipped: at,
            header_row: records[..=at].iter().map(|r| 1 + r.blank_lines_above).sum(),
            titles: records[..at]
                .iter()
                .filter_map(|r| r.record.iter().map(str::trim).find(|c| !c.is_empty()))
                .map(str::to_owned)
                .collect(),
            headers: header.iter().map(|h| h.trim().to_owned()).collect(),
            agreeing: records[at..]
                .iter()
                .take(SNIFF_ROWS)
                .filter(|r| r.record.len() == header.len())
                .count(),
        })
    }

    /// The sample's records, up to [`SNIFF_ROWS`] and [`TITLE_ROWS`] of them
    /// that are not blank, read as the rows will be.
    fn sampled(sample: &str, delimiter: u8) -> Vec<Sampled> {
        let watch = ShapeWatch::new(sample.as_bytes(), delimiter).tracking_blank_lines();
        let mut csv = reader(delimiter).from_reader(watch);
        let mut records: Vec<Sampled> = Vec::new();
        let mut record = csv::StringRecord::new();
        let mut filled_ones = 0;
        while filled_ones < SNIFF_ROWS + TITLE_ROWS
            && matches!(csv.read_record(&mut record), Ok(true))
        {
            let end = csv.position().byte();
            let blank_record_above = records.last().is_some_and(|r| filled(&r.record) == 0);
            let blank_lines_above = csv.get_mut().blank_lines_before(end);
            filled_ones += usize::from(filled(&record) > 0);
            records.push(Sampled {
                record: std::mem::take(&mut record),
                blank_lines_above,
                below_blank: blank_lines_above > 0 || blank_record_above,
            });
        }
        records
    }
}

fn delimiter_byte(sniffed: &Sniffed) -> u8 {
    u8::try_from(sniffed.delimiter).unwrap_or(b',')
}

/// How every reading of the data rows parses them.
fn reader(delimiter: u8) -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true);
    builder
}

/// Reads the records above the first data row: the titles and the header row.
fn past_header<R: Read>(csv: &mut csv::Reader<R>, sniffed: &Sniffed) -> Result<(), ImportError> {
    let mut record = csv::StringRecord::new();
    for _ in 0..=sniffed.skipped {
        csv.read_record(&mut record).map_err(|e| ImportError::Csv {
            row: sniffed.header_row,
            message: e.to_string(),
        })?;
    }
    Ok(())
}

/// The data rows of a file, one at a time: a table's numbered as a spreadsheet
/// shows them (see [`Sniffed::header_row`]), with rows of blank cells passed
/// over; a vCard file's cards numbered by the line each begins on.
pub struct Rows(Source);

enum Source {
    Table(TableRows),
    Cards(CardRows),
}

impl Rows {
    pub fn open(path: &Path, sniffed: &Sniffed) -> Result<Rows, ImportError> {
        Ok(Rows(match sniffed.format {
            FileFormat::Csv | FileFormat::Sheet => Source::Table(TableRows::open(path, sniffed)?),
            FileFormat::VCard => Source::Cards(CardRows::open(path, sniffed)?),
        }))
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, ImportError> {
        match &mut self.0 {
            Source::Table(rows) => rows.next_row(),
            Source::Cards(rows) => rows.next_row(),
        }
    }

    /// Data rows read so far, a table's rows of empty cells included.
    pub fn read(&self) -> u64 {
        match &self.0 {
            Source::Table(rows) => rows.read,
            Source::Cards(rows) => rows.read,
        }
    }

    /// Bytes of decoded text read so far, for progress.
    pub fn byte(&self) -> u64 {
        match &self.0 {
            Source::Table(rows) => rows.csv.position().byte(),
            Source::Cards(rows) => rows.cards.bytes(),
        }
    }
}

/// A vCard file's cards as rows.
struct CardRows {
    cards: vcard::Cards<std::io::BufReader<Box<dyn Read + Send>>>,
    layout: vcard::Layout,
    groups: vcard::Groups,
    record: csv::StringRecord,
    read: u64,
    shown: String,
}

impl CardRows {
    fn open(path: &Path, sniffed: &Sniffed) -> Result<CardRows, ImportError> {
        let fallback = vcard::Fallback::new(sniffed.encoding.encoding(), &sniffed.region);
        let text = || Ok::<_, ImportError>(vcard::buffered(open_decoded(path, sniffed.encoding)?));
        // Who is in which group is read through once more, only for a file
        // that has groups: a group's card may come after its members'.
        let groups = if sniffed.groups.is_empty() {
            vcard::Groups::default()
        } else {
            vcard::Groups::read(text()?, fallback).map_err(io_error(path))?
        };
        Ok(CardRows {
            cards: vcard::Cards::new(text()?, fallback),
            layout: vcard::Layout::of_headers(&sniffed.headers),
            groups,
            record: csv::StringRecord::new(),
            read: 0,
            shown: shown(path),
        })
    }

    fn next_row(&mut self) -> Result<Option<Row<'_>>, ImportError> {
        let card = loop {
            let card = self.cards.next_card().map_err(|source| ImportError::Io {
                path: self.shown.clone(),
                source,
            })?;
            match card {
                None => return Ok(None),
                // Named in `Sniffed::groups`, and a team of its members; one
                // cut short is a row, refused, so the person hears of it.
                Some(card) if card.group && card.problem.is_none() => continue,
                Some(card) => break card,
            }
        };
        self.read += 1;
        self.layout.fill(&card, &self.groups, &mut self.record);
        let refused = match card.problem {
            Some(problem) if card.group => Some(Refusal::Group(problem)),
            problem => problem.map(Refusal::Card),
        };
        Ok(Some(Row {
            number: card.line,
            cells: &self.record,
            refused,
        }))
    }
}

/// A table's data rows (see [`Rows`]).
///
/// Below a report's rows (a file with title lines above its header) may come
/// its footer: past a blank line, a line or two holding one value, such as when
/// the report was run. Those rows are held back until a fuller row follows,
/// which makes them data, or the file ends, which makes them the footer.
struct TableRows {
    csv: csv::Reader<ShapeWatch<Box<dyn Read + Send>>>,
    record: csv::StringRecord,
    row: u64,
    /// Records read below the header row, blank ones included.
    read: u64,
    /// Whether the file is a report, whose last rows may be its footer.
    report: bool,
    /// A report's rows read ahead, with their numbers.
    ahead: VecDeque<(u64, csv::StringRecord)>,
    /// How many of `ahead`'s first rows are known to be data.
    known: usize,
    /// The file's end was read: the rows left in `ahead` past `known` are the footer.
    ended: bool,
    /// A row was found to be data: a footer comes below customers, not in their place.
    data_seen: bool,
}

/// A footer is a few lines: more rows of one value than this in a row are data.
const FOOTER_ROWS: usize = 5;

/// One data row of a file.
pub struct Row<'r> {
    pub number: u64,
    pub cells: &'r csv::StringRecord,
    /// Why the row is no customer to import as it is, when it is not.
    pub refused: Option<Refusal>,
}

/// What makes a row no customer, or not one to import as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A line of a report's footer (see [`TableRows`]).
    Footer,
    /// A card of a vCard file cut short or too long to read, or lines outside
    /// any card.
    Card(CardProblem),
    /// A contact group's card cut short or too long to read whole: the
    /// members it was read to list have its name, but it may list more.
    Group(CardProblem),
}

impl Refusal {
    /// Whether the row could be a customer once fixed: the rows-to-fix file
    /// leaves out a report's footer and a contact group, which re-imported
    /// would be taken for customers, and a vCard's lines outside any card,
    /// which have no cells to write.
    pub fn fixable(&self) -> bool {
        !matches!(
            self,
            Refusal::Footer | Refusal::Group(_) | Refusal::Card(CardProblem::Outside { .. })
        )
    }
}

/// Cells holding something.
fn filled(record: &csv::StringRecord) -> usize {
    record.iter().filter(|c| !c.trim().is_empty()).count()
}

impl TableRows {
    fn open(path: &Path, sniffed: &Sniffed) -> Result<TableRows, ImportError> {
        let delimiter = delimiter_byte(sniffed);
        let report = !sniffed.titles.is_empty() && sniffed.headers.len() > 1;
        let file = ShapeWatch::new(table_text(path, sniffed)?, delimiter).tracking_blank_lines();
        let mut csv = reader(delimiter).from_reader(file);
        let read = past_header(&mut csv, sniffed);
        // Looked at first, as for data rows: a title or header row cut at the
        // length limit may end inside a character.
        if let Some(problem) = csv.get_ref().problem() {
            return Err(ImportError::Shape { problem });
        }
        read?;
        // The blank lines above the header row are counted in its number.
        let header_end = csv.position().byte();
        csv.get_mut().blank_lines_before(header_end);
        Ok(TableRows {
            csv,
            record: csv::StringRecord::new(),
            row: sniffed.header_row,
            read: 0,
            report,
            ahead: VecDeque::new(),
            known: 0,
            ended: false,
            data_seen: false,
        })
    }

    /// The next non-blank row, or `None` at the end of the file.
    fn next_row(&mut self) -> Result<Option<Row<'_>>, ImportError> {
        if !self.report {
            let number = self.read_record()?.map(|(number, _)| number);
            return Ok(number.map(|number| Row {
                number,
                cells: &self.record,
                refused: None,
            }));
        }
        loop {
            if self.known > 0 || self.ended {
                let Some((number, record)) = self.ahead.pop_front() else {
                    return Ok(None);
                };
                let footer = self.known == 0;
                self.known = self.known.saturating_sub(1);
                self.record = record;
                return Ok(Some(Row {
                    number,
                    cells: &self.record,
                    refused: footer.then_some(Refusal::Footer),
                }));
            }
            match self.read_record()? {
                None => self.ended = true,
                Some((number, after_blank)) => {
                    let record = std::mem::take(&mut self.record);
                    // A footer starts past a blank line below a customer, with a
                    // single value.
                    let may_be_footer = filled(&record) == 1
                        && self.data_seen
                        && (after_blank || !self.ahead.is_empty());
                    self.ahead.push_back((number, record));
                    if !may_be_footer || self.ahead.len() > FOOTER_ROWS {
                        self.known = self.ahead.len();
                        self.data_seen = true;
                    }
                }
            }
        }
    }

    /// Reads the next non-blank record into `record`: its number and whether a
    /// blank line came before it, or `None` at the end of the file.
    fn read_record(&mut self) -> Result<Option<(u64, bool)>, ImportError> {
        let mut after_blank = false;
        loop {
            let read = self.csv.read_record(&mut self.record);
            // Looked at first: a row cut at the length limit may end inside a
            // character, which the parser then reports as invalid UTF-8.
            if let Some(problem) = self.csv.get_ref().problem() {
                return Err(ImportError::Shape { problem });
            }
            let more = read.map_err(|e| ImportError::Csv {
                row: self.row + 1,
                message: e.to_string(),
            })?;
            if !more {
                return Ok(None);
            }
            // The parser passes over empty lines; the watch saw them.
            let end = self.csv.position().byte();
            let blank_lines = self.csv.get_mut().blank_lines_before(end);
            self.row += 1 + blank_lines;
            self.read += 1;
            after_blank |= blank_lines > 0;
            if self.record.iter().any(|c| !c.trim().is_empty()) {
                return Ok(Some((self.row, after_blank)));
            }
            after_blank = true;
        }
    }
}
