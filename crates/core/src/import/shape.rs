//! Watching a file's shape as it streams to the CSV parser: a quote that is
//! never closed, and a row too long to be a customer.
//!
//! The `csv` crate is lenient by design: a quoted value still open at the end of
//! the file simply ends there. One stray quote on row 3 of a customer list then
//! turns everything after it into a single value of row 3 — the rows after it
//! vanish from the report, and a large file is read into memory whole as that
//! one value. This reader follows the parser's quoting rules (RFC 4180 as the
//! crate applies them: a quote opens a value only at its start, `""` inside one
//! is a quote, CR, LF and CRLF end rows) over the bytes it hands on, and says
//! where such a quote opened so the person can fix the file.

use std::collections::VecDeque;
use std::io::{self, Read};

/// The longest row accepted, in bytes. A customer's row in any export is a few
/// hundred bytes to a few kilobytes; past this, a closing quote is missing or the
/// file is not a customer list, and reading on would hold it all in memory.
pub const MAX_ROW_BYTES: u64 = 4 << 20;

/// What is wrong with the file's shape, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapeProblem {
    /// The row as the import numbers rows, as a spreadsheet shows the file: the
    /// first line is row 1, and a blank line is a row.
    pub row: u64,
    /// The file's line (as an editor shows it) where the row starts, or where its
    /// unclosed quote opens.
    pub line: u64,
    pub kind: ShapeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapeKind {
    /// The file ends inside a quoted value.
    UnclosedQuote,
    /// The row passed [`MAX_ROW_BYTES`]; `quoted` when it did so inside a quoted value.
    TooLong { quoted: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a row, before any byte of it.
    RowStart,
    /// At the start of a value after a delimiter.
    ValueStart,
    /// Inside a value that did not start with a quote: quotes are plain text.
    Plain,
    /// Inside a quoted value.
    Quoted,
    /// Just after a quote inside a quoted value: it closes the value, or it is
    /// the first of a doubled quote.
    QuoteInQuoted,
}

/// A reader that passes bytes through unchanged and watches their shape. Once a
/// row is too long it reports the end of the file, so the parser stops there;
/// [`ShapeWatch::problem`] then says why.
pub struct ShapeWatch<R> {
    inner: R,
    delimiter: u8,
    state: State,
    /// Rows ended so far, as a spreadsheet counts them: blank lines too.
    rows_done: u64,
    /// Line breaks seen so far; a CR followed by LF is one.
    breaks: u64,
    after_cr: bool,
    row_line: u64,
    quote_line: u64,
    row_bytes: u64,
    problem: Option<ShapeProblem>,
    /// Bytes followed so far.
    at: u64,
    /// The runs of blank lines not yet asked about, when they are tracked:
    /// where each starts and how many lines it holds. A run is one entry, so
    /// a file of a million empty lines takes no memory for them.
    blank_lines: Option<VecDeque<(u64, u64)>>,
    /// The last run of blank lines is still going: no row started since.
    in_blank_run: bool,
}

impl<R: Read> ShapeWatch<R> {
    pub fn new(inner: R, delimiter: u8) -> Self {
        ShapeWatch {
            inner,
            delimiter,
            state: State::RowStart,
            rows_done: 0,
            breaks: 0,
            after_cr: false,
            row_line: 1,
            quote_line: 1,
            row_bytes: 0,
            problem: None,
            at: 0,
            blank_lines: None,
            in_blank_run: false,
        }
    }

    /// Keeps where blank lines are, for [`ShapeWatch::blank_lines_before`]. The
    /// parser passes over them without a trace, but a spreadsheet shows each as
    /// a row, and a report's footer is told from its last rows by the blank
    /// line above it.
    pub fn tracking_blank_lines(mut self) -> Self {
        self.blank_lines = Some(VecDeque::new());
        self
    }

    /// How many blank lines start before byte `end` (of the text handed on)
    /// that were not asked about before. Asked with each record's end in turn,
    /// it says how many came right before that record: the parser stops at the
    /// end of a record, and the watch reads ahead of it.
    pub fn blank_lines_before(&mut self, end: u64) -> u64 {
        let Some(blank) = &mut self.blank_lines else {
            return 0;
        };
        let mut count = 0;
        while let Some(&(_, lines)) = blank.front().filter(|&&(at, _)| at < end) {
            blank.pop_front();
            count += lines;
        }
        count
    }

    /// What was found wrong, once the parser has read up to it.
    pub fn problem(&self) -> Option<ShapeProblem> {
        self.problem
    }

    /// Follows `bytes`; returns how many of them belong to rows short enough
    /// (all of them unless a row just grew too long).
    fn follow(&mut self, bytes: &[u8]) -> usize {
        for (i, &b) in bytes.iter().enumerate() {
            let at = self.at + i as u64;
            let line_break = b == b'\n' || b == b'\r';
            let new_line = b == b'\r' || (b == b'\n' && !self.after_cr);
            self.breaks += u64::from(new_line);
            self.after_cr = b == b'\r';
            if self.state == State::RowStart {
                if line_break {
                    // A line that ends where it starts, outside any row: a row
                    // of a spreadsheet, empty.
                    if new_line {
                        self.rows_done += 1;
                        if let Some(blank) = &mut self.blank_lines {
                            match blank.back_mut().filter(|_| self.in_blank_run) {
                                Some((_, lines)) => *lines += 1,
                                None => blank.push_back((at, 1)),
                            }
                            self.in_blank_run = true;
                        }
                    }
                    continue;
                }
                self.in_blank_run = false;
                self.row_line = self.breaks + 1;
                self.row_bytes = 0;
            }
            // The line break that ends a row is not part of it.
            let ends_row = line_break
                && matches!(
                    self.state,
                    State::ValueStart | State::Plain | State::QuoteInQuoted
                );
            self.row_bytes += u64::from(!ends_row);
            if self.row_bytes > MAX_ROW_BYTES {
                // Just after a quote the value may have closed: only a value
                // certainly open is blamed on its quote.
                let quoted = self.state == State::Quoted;
                self.problem = Some(ShapeProblem {
                    row: self.rows_done + 1,
                    line: if quoted {
                        self.quote_line
                    } else {
                        self.row_line
                    },
                    kind: ShapeKind::TooLong { quoted },
                });
                self.at += i as u64;
                return i;
            }
            self.state = match self.state {
                State::RowStart | State::ValueStart if b == b'"' => {
                    self.quote_line = self.breaks + 1;
                    State::Quoted
                }
                State::Quoted if b == b'"' => State::QuoteInQuoted,
                State::Quoted => State::Quoted,
                State::QuoteInQuoted if b == b'"' => State::Quoted,
                _ if line_break => {
                    self.rows_done += 1;
                    State::RowStart
                }
                _ if b == self.delimiter => State::ValueStart,
                _ => State::Plain,
            };
        }
        self.at += bytes.len() as u64;
        bytes.len()
    }
}

impl<R: Read> Read for ShapeWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.problem.is_some() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            if self.state == State::Quoted {
                self.problem = Some(ShapeProblem {
                    row: self.rows_done + 1,
                    line: self.quote_line,
                    kind: ShapeKind::UnclosedQuote,
                });
            }
            return Ok(0);
        }
        Ok(self.follow(&buf[..n]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `text` through the watch and the `csv` crate as the import does;
    /// returns the records the parser produced and the problem found.
    fn parse(text: &[u8]) -> (Vec<Vec<String>>, Option<ShapeProblem>) {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(ShapeWatch::new(text, b','));
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record).unwrap() {
            rows.push(record.iter().map(str::to_owned).collect());
        }
        (rows, reader.get_ref().problem())
    }

    /// Each record's blank lines above it, and the most runs held at once.
    fn blank_lines_per_record(text: &[u8]) -> (Vec<u64>, usize) {
        let watch = ShapeWatch::new(text, b',').tracking_blank_lines();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(watch);
        let (mut blanks, mut held) = (Vec::new(), 0);
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record).unwrap() {
            let end = reader.position().byte();
            let watch = reader.get_mut();
            held = held.max(watch.blank_lines.as_ref().map_or(0, VecDeque::len));
            blanks.push(watch.blank_lines_before(end));
        }
        (blanks, held)
    }

    #[test]
    fn blank_lines_are_counted_above_the_record_they_precede() {
        let (blanks, _) = blank_lines_per_record(b"a\n\n\nb\r\n\r\nc\r\rd\n\"e\n\nf\"\ng\n");
        assert_eq!(blanks, [0, 2, 1, 1, 0, 0]);
    }

    #[test]
    fn a_run_of_blank_lines_is_held_as_one() {
        let mut text = b"a\n".to_vec();
        text.extend(std::iter::repeat_n(b'\n', 200_000));
        text.extend(b"b\n");
        let (blanks, held) = blank_lines_per_record(&text);
        assert_eq!(blanks, [0, 200_000]);
        assert_eq!(held, 1, "one run, however long");
    }

    #[test]
    fn well_formed_quoting_is_left_alone() {
        let text = b"Name,Note\r\n\"Ann\",\"says \"\"hi\"\",\r\nthen leaves\"\n\nBob,5\" tall\n\"Cy\"\"\",x\rDee,\"\"\n";
        let (rows, problem) = parse(text);
        assert_eq!(problem, None);
        assert_eq!(
            rows,
            vec![
                vec!["Name", "Note"],
                vec!["Ann", "says \"hi\",\r\nthen leaves"],
                vec!["Bob", "5\" tall"],
                vec!["Cy\"", "x"],
                vec!["Dee", ""],
            ]
        );
    }

    #[test]
    fn a_quote_never_closed_is_found_where_it_opened() {
        // Row 3 (line 4, after a quoted line break in row 2) opens a quote that
        // swallows the rest of the file: the parser alone reports nothing.
        let text =
            b"Name,Email\n\"Ann\nA\",ann@example.com\nBob,\"bob@example.com\nCy,cy@example.com\n";
        let (rows, problem) = parse(text);
        assert_eq!(rows.len(), 3, "the parser reads the rest as one value");
        assert_eq!(
            problem,
            Some(ShapeProblem {
                row: 3,
                line: 4,
                kind: ShapeKind::UnclosedQuote
            })
        );
    }

    #[test]
    fn blank_lines_are_rows_as_a_spreadsheet_shows_them() {
        let text = b"Name\r\n\r\n\r\nAnn\n\n\"Bob\n";
        let (_, problem) = parse(text);
        assert_eq!(
            problem,
            Some(ShapeProblem {
                row: 6,
                line: 6,
                kind: ShapeKind::UnclosedQuote
            })
        );
    }

    #[test]
    fn a_quote_inside_a_plain_value_opens_nothing() {
        let (rows, problem) = parse(b"Name,Size\nAnn,5\"\nBob,6\"\n");
        assert_eq!(problem, None);
        assert_eq!(rows[2], vec!["Bob", "6\""]);
    }

    #[test]
    fn a_row_past_the_limit_stops_the_reading() {
        let mut text = b"Name,Note\nAnn,short\nBob,".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_ROW_BYTES as usize));
        text.extend(b"\nCy,never read\n");
        let (rows, problem) = parse(&text);
        assert_eq!(
            problem,
            Some(ShapeProblem {
                row: 3,
                line: 3,
                kind: ShapeKind::TooLong { quoted: false }
            })
        );
        assert!(
            rows.iter().all(|r| r[0] != "Cy"),
            "nothing past the limit is read"
        );
        let longest = rows.iter().flatten().map(String::len).max();
        assert!(longest < Some(MAX_ROW_BYTES as usize));
    }

    #[test]
    fn a_quoted_value_past_the_limit_names_its_quote() {
        let mut text = b"Name,Note\nAnn,\"".to_vec();
        text.extend(std::iter::repeat_n(b'\n', MAX_ROW_BYTES as usize));
        let (_, problem) = parse(&text);
        assert_eq!(
            problem,
            Some(ShapeProblem {
                row: 2,
                line: 2,
                kind: ShapeKind::TooLong { quoted: true }
            })
        );
    }

    #[test]
    fn a_row_just_under_the_limit_is_read_whole() {
        let mut text = b"Name\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_ROW_BYTES as usize));
        text.extend(b"\r\n");
        let (rows, problem) = parse(&text);
        assert_eq!(problem, None);
        assert_eq!(rows[1][0].len(), MAX_ROW_BYTES as usize);
    }
}
