//! Spreadsheet workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) imported as they are, so
//! nobody has to "Save as CSV" first. A sheet is turned into CSV text as it is read
//! (a thread writes it into a bounded pipe), and everything a CSV file goes through
//! reads it: the header row below a report's titles, rows numbered as the
//! spreadsheet shows them (blank rows included), the rows to fix. An .xlsx sheet
//! and an .xlsb sheet stream cell by cell; the other formats' readers hold a whole
//! sheet while it is read (an .xls sheet has at most 65,536 rows; an .ods one is
//! held whole, which is why its size is checked first).
//! An .ods file's reader holds all its sheets from the moment it opens, so a
//! large one is refused before it is opened ([`MAX_ODS_CONTENT`]).

use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use calamine::{
    open_workbook, Data, DataRef, Ods, Reader, SheetType, SheetVisible, Sheets, Xls, Xlsb, Xlsx,
};

use super::source::shown;
use super::ImportError;

const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];

/// How a workbook file starts: a ZIP archive (.xlsx, .xlsm, .xlsb, .ods) or an OLE
/// compound file (.xls).
pub fn is_workbook(head: &[u8]) -> bool {
    head.starts_with(ZIP) || head.starts_with(OLE)
}

type Workbook = Sheets<BufReader<std::fs::File>>;

/// The largest sheet a spreadsheet can hold: a cell beyond it is a damaged file,
/// which would otherwise be read as millions of blank rows.
const MAX_ROWS: u32 = 1 << 20;
const MAX_COLUMNS: u32 = 1 << 14;

/// Opens the workbook by what it holds, not by its name: exporters save .xlsx
/// files named .xls, and people rename files.
fn open(path: &Path) -> Result<Workbook, ImportError> {
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(|source| ImportError::Io {
            path: shown(path),
            source,
        })?;
    let opened = if head.starts_with(OLE) {
        open_workbook::<Xls<_>, _>(path)
            .map(Sheets::Xls)
            .map_err(|e| e.to_string())
    } else {
        // A ZIP archive: Excel's, LibreOffice's, or Excel's binary one.
        match open_workbook::<Xlsx<_>, _>(path) {
            Ok(xlsx) => Ok(Sheets::Xlsx(xlsx)),
            Err(_) => {
                refuse_large_ods(path)?;
                open_workbook::<Ods<_>, _>(path)
                    .map(Sheets::Ods)
                    .or_else(|_| open_workbook::<Xlsb<_>, _>(path).map(Sheets::Xlsb))
                    .map_err(|e| e.to_string())
            }
        }
    };
    opened.map_err(|e| {
        // The readers' own words name parts of the archive ("xl/workbook.bin"),
        // which say nothing to the person: logged, not shown.
        tracing::info!(file = %shown(path), error = %e, "not a workbook");
        let what = if head.starts_with(OLE) {
            "an Office file, but no Excel workbook"
        } else {
            "a ZIP archive, but no Excel or LibreOffice workbook"
        };
        ImportError::NotSheet {
            path: shown(path),
            reason: format!(
                "it is {what}. If it opens in a spreadsheet, save it from there as .xlsx or \
                 CSV and import that."
            ),
        }
    })
}

/// The most of an .ods file's content (content.xml: every sheet, as XML) read.
/// Its reader parses all of it into cells when the file opens, before a row is
/// imported, at about 1.5 bytes of memory a byte: a 200,000-row customer list
/// (106 MB of content) took an import to 320 MB. At this size it stays near
/// 250 MB; a larger one is refused with the way round it (save as CSV).
pub const MAX_ODS_CONTENT: u64 = 64_000_000;

/// The `mimetype` an OpenDocument spreadsheet opens with, stored uncompressed.
const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// Refuses an OpenDocument spreadsheet whose content is past [`MAX_ODS_CONTENT`],
/// by the size its archive declares (read from the archive's directory, before
/// any of it is unpacked: raw entries, so no decompressor is needed). Any other
/// file (a text document, an archive of something else) passes, to be opened
/// as it is.
fn refuse_large_ods(path: &Path) -> Result<(), ImportError> {
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(());
    };
    let Ok(mut archive) = zip::ZipArchive::new(BufReader::new(file)) else {
        return Ok(());
    };
    let mut mimetype = Vec::new();
    let spreadsheet = archive
        .index_for_name("mimetype")
        .and_then(|i| archive.by_index_raw(i).ok())
        .and_then(|entry| entry.take(64).read_to_end(&mut mimetype).ok())
        .is_some_and(|_| mimetype.trim_ascii() == ODS_MIMETYPE);
    let size = archive
        .index_for_name("content.xml")
        .and_then(|i| archive.by_index_raw(i).ok())
        .map(|content| content.size());
    let Some(size) = size.filter(|s| spreadsheet && *s > MAX_ODS_CONTENT) else {
        return Ok(());
    };
    const MB: u64 = 1_000_000;
    Err(ImportError::OdsTooLarge {
        path: shown(path),
        content_mb: size.div_ceil(MB),
        limit_mb: MAX_ODS_CONTENT / MB,
    })
}

/// A worksheet holding values: its name, and how many rows it says it has (0 when
/// it does not say), for progress.
pub struct SheetFacts {
    pub name: String,
    pub rows: u64,
}

/// The workbook's visible worksheets holding at least one value, in the
/// workbook's order: the first is the one imported unless another is chosen.
pub fn sheets_with_data(path: &Path) -> Result<Vec<SheetFacts>, ImportError> {
    let mut book = open(path)?;
    let names: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut with_data = Vec::new();
    for name in names {
        // The .xlsx and .xlsb cell readers have the same methods and no trait
        // in common: one body for both.
        macro_rules! streamed_facts {
            ($book:expr) => {{
                let mut cells = $book
                    .worksheet_cells_reader(&name)
                    .map_err(|e| unreadable(path, &name, &e))?;
                let rows = u64::from(cells.dimensions().end.0) + 1;
                let found = holds_a_value(|| {
                    cells
                        .next_cell()
                        .map(|c| c.map(|c| text_of_ref(c.get_value())))
                })
                .map_err(|e| unreadable(path, &name, &e))?;
                (found, rows)
            }};
        }
        let (has_data, rows) = match &mut book {
            // Streamed: the first value found is enough.
            Sheets::Xlsx(xlsx) => streamed_facts!(xlsx),
            Sheets::Xlsb(xlsb) => streamed_facts!(xlsb),
            book => {
                let range = book
                    .worksheet_range(&name)
                    .map_err(|e| unreadable(path, &name, &e))?;
                let found = range
                    .used_cells()
                    .any(|(_, _, v)| !text_of(v).trim().is_empty());
                let rows = range.end().map_or(0, |(row, _)| u64::from(row) + 1);
                (found, rows)
            }
        };
        if has_data {
            with_data.push(SheetFacts { name, rows });
        }
    }
    Ok(with_data)
}

/// Whether a streamed sheet holds a value: its cells' text, read up to the first
/// that is not blank.
fn holds_a_value<E>(mut next: impl FnMut() -> Result<Option<String>, E>) -> Result<bool, E> {
    while let Some(text) = next()? {
        if !text.trim().is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

fn unreadable(path: &Path, sheet: &str, e: &dyn std::fmt::Display) -> ImportError {
    ImportError::NotSheet {
        path: shown(path),
        reason: format!("its sheet “{sheet}” cannot be read ({e})"),
    }
}

/// The sheet named `sheet` as CSV text (comma-separated, UTF-8), read as it is
/// consumed. Each spreadsheet row is a line, an empty one for a blank row, so line
/// numbers are the spreadsheet's row numbers. Columns start at A in an .xlsx or
/// .xlsb sheet (as its cells name them), at the first used one in the other
/// formats (as their readers give them).
pub fn csv_text(path: &Path, sheet: &str) -> Result<Box<dyn Read + Send>, ImportError> {
    let book = open(path)?;
    let (sender, receiver) = sync_channel(PIPE_CHUNKS);
    let sheet = sheet.to_owned();
    let name = shown(path);
    std::thread::Builder::new()
        .name("kith-sheet".into())
        .spawn(move || {
            let mut pipe = Pipe::new(sender);
            let end = match write_sheet(book, &sheet, &mut pipe) {
                Ok(()) => Piece::End,
                Err(e) => Piece::Failed(format!("{name}: sheet “{sheet}”: {e}")),
            };
            // An error here is the reader gone (a preview needs only the first
            // rows): nobody is left to tell.
            let _ = pipe.sender.send(end);
        })
        .map_err(|source| ImportError::Io {
            path: shown(path),
            source,
        })?;
    Ok(Box::new(PipeReader {
        receiver,
        chunk: Vec::new(),
        at: 0,
        ended: false,
    }))
}

fn write_sheet(mut book: Workbook, sheet: &str, out: &mut Pipe) -> Result<(), String> {
    let mut lines = Lines::default();
    match &mut book {
        Sheets::Xlsx(xlsx) => {
            let mut cells = xlsx
                .worksheet_cells_reader(sheet)
                .map_err(|e| e.to_string())?;
            // Columns from A, as the cells name them: the size the sheet declares
            // may be wrong, and a cell left of it would land on another's column.
            lines.pad_to(cells.dimensions().end.1 as usize + 1);
            let formats: Vec<Option<String>> = cells
                .styles()
                .iter()
                .map(|s| s.number_format.as_ref().map(|f| f.format_code.clone()))
                .collect();
            while let Some((cell, style)) =
                cells.next_cell_with_style_id().map_err(|e| e.to_string())?
            {
                let (row, column) = cell.get_position();
                let number = match cell.get_value() {
                    DataRef::Float(f) => Some(*f),
                    DataRef::Int(n) => Some(*n as f64),
                    _ => None,
                };
                let format = formats.get(style).and_then(Option::as_deref);
                let value = match (number, format) {
                    (Some(n), Some(code)) => zero_padded(n, code),
                    _ => None,
                };
                let value = value.unwrap_or_else(|| text_of_ref(cell.get_value()));
                lines.put(out, row, column, value)?;
            }
        }
        Sheets::Xlsb(xlsb) => {
            // Streamed like an .xlsx sheet, columns from A. (Its cells say
            // nothing of number formats: no zero padding.)
            let mut cells = xlsb
                .worksheet_cells_reader(sheet)
                .map_err(|e| e.to_string())?;
            lines.pad_to(cells.dimensions().end.1 as usize + 1);
            while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
                let (row, column) = cell.get_position();
                lines.put(out, row, column, text_of_ref(cell.get_value()))?;
            }
        }
        book => {
            let range = book.worksheet_range(sheet).map_err(|e| e.to_string())?;
            // The range's rows and columns start at its first used ones.
            let first_row = range.start().map_or(0, |(row, _)| row);
            lines.pad_to(range.width());
            for (r, row) in range.rows().enumerate() {
                for (c, value) in row.iter().enumerate() {
                    lines.put(out, first_row + r as u32, c as u32, text_of(value))?;
                }
            }
        }
    }
    lines.finish(out)?;
    out.flush().map_err(|e| e.to_string())
}

/// Writes one CSV line: fields quoted where they hold a comma, a quote or a line
/// break, as the CSV reader reads them back; no fields is an empty line (a blank
/// row), which a CSV writer would write as `""`.
fn write_line(out: &mut Pipe, cells: &[String]) -> Result<(), String> {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b",");
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push(b"\"");
            out.push(cell.replace('"', "\"\"").as_bytes());
            out.push(b"\"");
        } else {
            out.push(cell.as_bytes());
        }
    }
    out.push(b"\n");
    out.maybe_send().map_err(|e| e.to_string())
}

/// Columns a row is filled out to at most (see [`Lines::pad_to`]).
const MAX_PADDED: usize = 1024;

/// Cells gathered into lines, row by row.
#[derive(Default)]
struct Lines {
    /// The row being gathered, and the lines written before it.
    row: Option<u32>,
    written: u32,
    cells: Vec<String>,
    /// The sheet's used columns, or the most any row had so far where the
    /// workbook does not say: a row with values is filled out to it, as a
    /// spreadsheet saves CSV, so the rows agree on their number of fields
    /// with the header row (which is how a header row is told from a title).
    width: usize,
}

impl Lines {
    /// Rows are filled out to `width` columns: the sheet's used ones, as it says
    /// them, up to [`MAX_PADDED`] (a sheet claiming all 16,384 would make every
    /// row 16 KB of commas).
    fn pad_to(&mut self, width: usize) {
        self.width = width.min(MAX_PADDED);
    }

    fn put(&mut self, out: &mut Pipe, row: u32, column: u32, value: String) -> Result<(), String> {
        if row >= MAX_ROWS || column >= MAX_COLUMNS {
            return Err(format!(
                "a cell lies beyond the {MAX_ROWS} rows and {MAX_COLUMNS} columns a sheet can \
                 have: the file is damaged"
            ));
        }
        if self.row != Some(row) {
            self.finish(out)?;
            // Blank rows above this one are empty lines, so numbers stay the sheet's.
            while self.written < row {
                write_line(out, &[])?;
                self.written += 1;
            }
            self.row = Some(row);
        }
        if value.is_empty() {
            return Ok(());
        }
        let column = column as usize;
        if self.cells.len() <= column {
            self.cells.resize(column + 1, String::new());
        }
        self.cells[column] = value;
        Ok(())
    }

    /// Writes the row gathered, if any.
    fn finish(&mut self, out: &mut Pipe) -> Result<(), String> {
        if self.row.take().is_none() {
            return Ok(());
        }
        if !self.cells.is_empty() {
            self.width = self.width.max(self.cells.len());
            self.cells.resize(self.width, String::new());
        }
        write_line(out, &self.cells)?;
        self.cells.clear();
        self.written += 1;
        Ok(())
    }
}

/// A cell as the person sees it in the spreadsheet, near enough to read back:
/// whole numbers without ".0" (a phone number typed as a number, 4155550123),
/// dates as ISO dates, errors as Excel writes them (#N/A).
fn text_of(value: &Data) -> String {
    match value {
        Data::Int(n) => n.to_string(),
        Data::Float(f) => number(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => (if *b { "TRUE" } else { "FALSE" }).to_owned(),
        Data::DateTime(d) => date_time(d),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

fn text_of_ref(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => (if *b { "TRUE" } else { "FALSE" }).to_owned(),
        DataRef::DateTime(d) => date_time(d),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// Whole numbers as integers up to 2^53 (the largest a spreadsheet holds exactly:
/// a 16-digit card number typed as a number still reads as one, and is masked);
/// others in their shortest form.
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A whole number shown through a format of zeros, as the sheet shows it: a ZIP
/// code typed as a number under Excel's "Zip Code" format (`00000`) is 02134,
/// not 2134; "Zip Code + 4" (`00000-0000`) and the like keep their dashes. The
/// format's first section counts (the one for positive numbers), less a colour
/// (`[Red]`). Any other format (decimals, `#`, thousands, fractions, text) is
/// no such format: `None`.
fn zero_padded(n: f64, code: &str) -> Option<String> {
    if n.fract() != 0.0 || !(0.0..9.007_199_254_740_992e15).contains(&n) {
        return None;
    }
    let mut section = code.split(';').next()?;
    while let Some(rest) = section.strip_prefix('[') {
        let (tag, after) = rest.split_once(']')?;
        if !tag.chars().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        section = after;
    }
    // The format's characters: '0' a digit's place, the rest literal. An
    // unescaped '/' between places is a fraction, not a literal.
    let mut parts: Vec<Option<char>> = Vec::new();
    let mut chars = section.chars();
    while let Some(c) = chars.next() {
        match c {
            '0' => parts.push(None),
            '\\' => parts.push(Some(chars.next()?)),
            '-' | ' ' | '(' | ')' => parts.push(Some(c)),
            _ => return None,
        }
    }
    let places = parts.iter().filter(|p| p.is_none()).count();
    if places < 2 {
        return None;
    }
    let digits = format!("{:0places$}", n as u64);
    // Digits beyond the places go to the first place, as Excel shows them:
    // (000) 000-0000 shows 14155550123 as (1415) 555-0123.
    let extra = digits.len() - places;
    let mut next = digits.chars();
    let mut out = String::with_capacity(digits.len() + parts.len());
    let mut first = true;
    for part in parts {
        match part {
            None if first => {
                first = false;
                out.extend(next.by_ref().take(extra + 1));
            }
            None => out.push(next.next()?),
            Some(literal) => out.push(literal),
        }
    }
    Some(out)
}

fn date_time(d: &calamine::ExcelDateTime) -> String {
    if d.is_duration() {
        return number(d.as_f64());
    }
    let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{day:02}")
    } else {
        format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// Chunks of CSV text waiting to be read: 4 × 64 KiB at most, whatever the sheet.
const PIPE_CHUNKS: usize = 4;
const CHUNK_BYTES: usize = 64 * 1024;

enum Piece {
    Text(Vec<u8>),
    End,
    Failed(String),
}

/// The writing end: text is sent in chunks, and the thread waits while the
/// reader is [`PIPE_CHUNKS`] behind.
struct Pipe {
    sender: SyncSender<Piece>,
    buf: Vec<u8>,
}

impl Pipe {
    fn new(sender: SyncSender<Piece>) -> Pipe {
        Pipe {
            sender,
            buf: Vec::with_capacity(CHUNK_BYTES),
        }
    }
}

impl Pipe {
    fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Sends the text gathered once it makes a chunk.
    fn maybe_send(&mut self) -> std::io::Result<()> {
        if self.buf.len() >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_BYTES));
        self.sender
            .send(Piece::Text(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "no reader"))
    }
}

/// The reading end. A sheet that could not be read to the end is an error, never
/// a file that seems to end early.
struct PipeReader {
    receiver: Receiver<Piece>,
    chunk: Vec<u8>,
    at: usize,
    ended: bool,
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            if self.ended {
                return Ok(0);
            }
            match self.receiver.recv() {
                Ok(Piece::Text(chunk)) => (self.chunk, self.at) = (chunk, 0),
                Ok(Piece::End) => self.ended = true,
                Ok(Piece::Failed(message)) => return Err(std::io::Error::other(message)),
                Err(_) => {
                    return Err(std::io::Error::other(
                        "the spreadsheet could not be read to the end",
                    ))
                }
            }
        }
        let n = out.len().min(self.chunk.len() - self.at);
        out[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_sheet_shows_them() {
        assert_eq!(number(4155550123.0), "4155550123");
        assert_eq!(number(4111111111111111.0), "4111111111111111");
        assert_eq!(number(19.99), "19.99");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(1e20), "100000000000000000000");
    }

    #[test]
    fn zero_formats_pad_whole_numbers_as_the_sheet_shows_them() {
        assert_eq!(zero_padded(2134.0, "00000").as_deref(), Some("02134"));
        assert_eq!(
            zero_padded(21340001.0, "00000\\-0000").as_deref(),
            Some("02134-0001")
        );
        assert_eq!(
            zero_padded(12345678.0, "000-00-0000").as_deref(),
            Some("012-34-5678")
        );
        assert_eq!(zero_padded(1234567.0, "00000").as_deref(), Some("1234567"));
        let phone = "(000) 000\\-0000";
        assert_eq!(
            zero_padded(4155550123.0, phone).as_deref(),
            Some("(415) 555-0123")
        );
        assert_eq!(
            zero_padded(14155550123.0, phone).as_deref(),
            Some("(1415) 555-0123")
        );
        assert_eq!(
            zero_padded(2134.0, "[Red]00000;00000").as_deref(),
            Some("02134")
        );
        for (n, code) in [
            (20.0, "0.00"),
            (2134.0, "0"),
            (2134.0, "General"),
            (2134.5, "00000"),
            (12252020.0, "00/00/0000"),
            (2134.0, "[$-409]00000"),
        ] {
            assert_eq!(zero_padded(n, code), None, "{n} {code}");
        }
        assert_eq!(zero_padded(5.0, "#,##0"), None);
        assert_eq!(zero_padded(-5.0, "00000"), None);
    }

    #[test]
    fn a_workbook_is_told_by_its_first_bytes() {
        assert!(is_workbook(b"PK\x03\x04rest"));
        assert!(is_workbook(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1]));
        assert!(!is_workbook(b"First Name,Email"));
        assert!(!is_workbook(b"PK"));
    }
}
