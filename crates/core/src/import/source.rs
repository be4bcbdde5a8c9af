//! Opening a CSV file whatever made it: UTF-8 with or without BOM, UTF-16 with BOM
//! (Excel "Unicode Text"), or a legacy code page (Excel's "CSV"); comma,
//! semicolon, tab or pipe delimited; CRLF or LF. Everything streams: a file is
//! never read into memory whole.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use encoding_rs::{Encoding, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;
use serde::{Deserialize, Serialize};

use super::code_page;
use super::shape::ShapeWatch;
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

/// What a file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sniffed {
    pub encoding: TextEncoding,
    pub delimiter: char,
    pub headers: Vec<String>,
    pub size_bytes: u64,
}

impl Sniffed {
    /// Roughly how many bytes the file has once decoded to UTF-8 (mostly-ASCII
    /// UTF-16 halves), for progress bars.
    pub fn decoded_size_estimate(&self) -> u64 {
        match self.encoding {
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => self.size_bytes / 2,
            _ => self.size_bytes,
        }
    }
}

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Rows looked at to choose the delimiter.
const SNIFF_ROWS: usize = 50;

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
/// wrong; a BOM still decides, as it cannot be wrong.
pub fn sniff(
    path: &Path,
    region: &str,
    chosen: Option<TextEncoding>,
) -> Result<Sniffed, ImportError> {
    let shown = shown(path);
    let meta = std::fs::metadata(path).map_err(io_error(path))?;
    if meta.is_dir() {
        return Err(ImportError::Folder { path: shown });
    }
    if meta.len() == 0 {
        return Err(ImportError::Empty { path: shown });
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
    let delimiter = choose_delimiter(&sample);
    let headers = read_headers(&sample, delimiter).ok_or_else(|| ImportError::NotCsv {
        path: shown.clone(),
        reason: "it has no header row".into(),
    })?;
    Ok(Sniffed {
        encoding,
        delimiter: char::from(delimiter),
        headers,
        size_bytes: meta.len(),
    })
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

/// Roughly the first rows, decoded, for sniffing and previews.
fn decoded_sample(path: &Path, encoding: TextEncoding) -> Result<String, ImportError> {
    let mut sample = Vec::new();
    open_decoded(path, encoding)?
        .take(256 * 1024)
        .read_to_end(&mut sample)
        .map_err(io_error(path))?;
    Ok(String::from_utf8_lossy(&sample).into_owned())
}

/// The delimiter under which the first rows have the most consistent number of
/// fields (and more than one); commas win ties, as in most exports.
fn choose_delimiter(sample: &str) -> u8 {
    let mut best = (b',', 0usize);
    for d in DELIMITERS {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        let counts: Vec<usize> = reader
            .records()
            .take(SNIFF_ROWS)
            .filter_map(Result::ok)
            .filter(|r| !(r.len() == 1 && r[0].trim().is_empty()))
            .map(|r| r.len())
            .collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first < 2 {
            continue;
        }
        let agreeing = counts.iter().filter(|&&c| c == first).count();
        let score = agreeing * first;
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn read_headers(sample: &str, delimiter: u8) -> Option<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(sample.as_bytes());
    let record = reader
        .records()
        .filter_map(Result::ok)
        .find(|r| r.iter().any(|f| !f.trim().is_empty()))?;
    Some(record.iter().map(|h| h.trim().to_owned()).collect())
}

/// A streaming reader of the file's data rows (the header row already consumed),
/// tolerant of rows shorter or longer than the header.
pub fn records(
    path: &Path,
    sniffed: &Sniffed,
) -> Result<csv::Reader<Box<dyn Read + Send>>, ImportError> {
    Ok(reader(delimiter_byte(sniffed)).from_reader(open_decoded(path, sniffed.encoding)?))
}

fn delimiter_byte(sniffed: &Sniffed) -> u8 {
    u8::try_from(sniffed.delimiter).unwrap_or(b',')
}

/// How every reading of the data rows parses them.
fn reader(delimiter: u8) -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true);
    builder
}

/// The data rows of a file, one at a time, numbered as the error report numbers
/// them (the header is row 1); rows with only blank cells are passed over.
pub struct Rows {
    csv: csv::Reader<ShapeWatch<Box<dyn Read + Send>>>,
    record: csv::StringRecord,
    row: u64,
}

impl Rows {
    pub fn open(path: &Path, sniffed: &Sniffed) -> Result<Rows, ImportError> {
        let delimiter = delimiter_byte(sniffed);
        let file = ShapeWatch::new(open_decoded(path, sniffed.encoding)?, delimiter);
        Ok(Rows {
            csv: reader(delimiter).from_reader(file),
            record: csv::StringRecord::new(),
            row: 1,
        })
    }

    /// The next non-blank row and its number, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<(u64, &csv::StringRecord)>, ImportError> {
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
            self.row += 1;
            if !self.record.iter().all(|c| c.trim().is_empty()) {
                return Ok(Some((self.row, &self.record)));
            }
        }
    }

    /// Data rows read so far, blank ones included.
    pub fn read(&self) -> u64 {
        self.row - 1
    }

    /// Bytes of decoded text read so far, for progress.
    pub fn byte(&self) -> u64 {
        self.csv.position().byte()
    }
}
