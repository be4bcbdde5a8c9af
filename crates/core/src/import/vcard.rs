//! Reading vCard files (.vcf): Apple Contacts exports nothing else, and Google
//! Contacts, Outlook and phones export them too, in versions 2.1, 3.0 and 4.0.
//!
//! Each card becomes one row under columns named like Google's CSV export
//! ("Given Name", "E-mail 1 - Value", "Phone 2 - Type", "Address 1 - City"), so
//! the mapping, the checks, the preview and the rows-to-fix file work as for
//! any CSV file. The file streams: one card is held at a time.
//!
//! The content lines are read here rather than by a vCard crate: the import
//! needs each card's line number for its errors and one card at a time from a
//! stream, and version 2.1's quoted-printable values must be decoded per
//! component of a structured value (a name, an address), mixing octets with
//! characters written as they are, which the crates seen (`vcard-rs`, `ical`,
//! `quoted_printable`) decode only for a whole value, drop, or not at all.

use std::collections::HashMap;
use std::io::{BufRead, Read};

use encoding_rs::Encoding;

use super::code_page;
use super::shape::MAX_ROW_BYTES;

/// What quoted-printable octets of a line that names no CHARSET, and that are
/// not UTF-8, are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// The file's own legacy code page: Outlook writes them in it.
    CodePage(&'static Encoding),
    /// Guessed from the octets, with the region's country domain as a hint (a
    /// file of plain ASCII says nothing of the computer that wrote it).
    Guess(Option<[u8; 2]>),
}

impl Fallback {
    /// For a file read in `encoding`, saved most likely in `region`.
    pub fn new(encoding: &'static Encoding, region: &str) -> Fallback {
        if encoding == encoding_rs::UTF_8
            || encoding == encoding_rs::UTF_16LE
            || encoding == encoding_rs::UTF_16BE
        {
            Fallback::Guess(code_page::country_domain_bytes(region))
        } else {
            Fallback::CodePage(encoding)
        }
    }

    fn read(self, octets: &[u8]) -> String {
        let encoding = match self {
            Fallback::CodePage(e) => e,
            Fallback::Guess(domain) => code_page::guess_short(octets, domain),
        };
        encoding.decode_without_bom_handling(octets).0.into_owned()
    }
}

/// A line that begins a card.
pub const BEGIN: &str = "BEGIN:VCARD";
const END: &str = "END:VCARD";

/// One content line: `[group.]NAME[;param…]:value`, unfolded.
#[derive(Debug, Clone)]
struct Property {
    /// Upper case, without its group.
    name: String,
    /// Apple pairs a phone or an email with its label through a group
    /// (`item1.TEL` and `item1.X-ABLabel`).
    group: Option<String>,
    /// (upper-case name, value) pairs; a version 2.1 bare type (`TEL;CELL:`)
    /// has the name `TYPE`.
    params: Vec<(String, String)>,
    /// As written, escapes and quoted-printable octets not yet resolved.
    value: String,
    /// What quoted-printable octets are in when the line does not say.
    fallback: Fallback,
}

impl Property {
    fn parse(line: &str, fallback: Fallback) -> Option<Property> {
        // The value starts at the first colon outside a quoted parameter value.
        let mut quoted = false;
        let colon = line.char_indices().find_map(|(i, c)| match c {
            '"' => {
                quoted = !quoted;
                None
            }
            ':' if !quoted => Some(i),
            _ => None,
        })?;
        let (head, value) = (&line[..colon], &line[colon + 1..]);
        let mut parts = split_outside_quotes(head, ';').into_iter();
        let full_name = parts.next()?.trim();
        let (group, name) = match full_name.rsplit_once('.') {
            Some((group, name)) => (Some(group.to_owned()), name),
            None => (None, full_name),
        };
        let mut params = Vec::new();
        for part in parts {
            match part.split_once('=') {
                Some((k, v)) => {
                    // 4.0 quotes its lists: TYPE="home,voice".
                    let k = k.trim().to_ascii_uppercase();
                    for v in v.trim().trim_matches('"').split(',') {
                        params.push((k.clone(), v.trim().to_owned()));
                    }
                }
                None => params.push(("TYPE".to_owned(), part.trim().to_owned())),
            }
        }
        Some(Property {
            name: name.to_ascii_uppercase(),
            group,
            params,
            value: value.to_owned(),
            fallback,
        })
    }

    fn param<'p>(&'p self, name: &'p str) -> impl Iterator<Item = &'p str> + 'p {
        self.params
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The TYPE values, lower case: "cell", "home", "work", "pref", …
    fn types(&self) -> Vec<String> {
        self.param("TYPE").map(str::to_ascii_lowercase).collect()
    }

    /// Marked as the preferred one of its kind (3.0's `TYPE=pref`, 4.0's `PREF=1`).
    fn preferred(&self) -> bool {
        self.types().iter().any(|t| t == "pref") || self.param("PREF").any(|p| p.trim() == "1")
    }

    fn quoted_printable(&self) -> bool {
        self.param("ENCODING")
            .any(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
            || self
                .param("TYPE")
                .any(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
    }

    /// The value as text, its escapes resolved.
    fn text(&self) -> String {
        self.decode(&self.value)
    }

    /// A structured value's components (`N`, `ADR`, `ORG`), each as text.
    fn components(&self) -> Vec<String> {
        split_unescaped(&self.value, ';')
            .into_iter()
            .map(|c| self.decode(c))
            .collect()
    }

    /// A list value's items (`CATEGORIES`, `NICKNAME`), each as text.
    fn list(&self) -> Vec<String> {
        split_unescaped(&self.value, ',')
            .into_iter()
            .map(|c| self.decode(c).trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect()
    }

    /// One raw component as text: quoted-printable octets in the CHARSET the
    /// line names, then the escapes. Without a CHARSET, octets that are not
    /// UTF-8 are read as [`Fallback`] says.
    fn decode(&self, raw: &str) -> String {
        if !self.quoted_printable() {
            return unescape(raw);
        }
        let named = self
            .param("CHARSET")
            .next()
            .and_then(|label| Encoding::for_label(label.as_bytes()));
        let read = |octets: &[u8]| match (named, std::str::from_utf8(octets)) {
            (Some(charset), _) => charset.decode_without_bom_handling(octets).0.into_owned(),
            (None, Ok(text)) => text.to_owned(),
            (None, Err(_)) => self.fallback.read(octets),
        };
        unescape(&quoted_printable(raw, read))
    }
}

/// Resolves quoted-printable `=XX` octets, each run of them read by `read`
/// (they are bytes of some charset); characters written as they are, already
/// text, stay as they are. A "=" not followed by two hex digits is kept.
fn quoted_printable(raw: &str, read: impl Fn(&[u8]) -> String) -> String {
    let bytes = raw.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = String::with_capacity(raw.len());
    let mut octets = Vec::new();
    // Where the text written as it is starts: always on a character boundary,
    // as it follows an ASCII hex digit.
    let mut literal = 0;
    let mut i = 0;
    while i + 2 < bytes.len() {
        match (bytes[i], hex(bytes[i + 1]), hex(bytes[i + 2])) {
            (b'=', Some(high), Some(low)) => {
                if literal < i {
                    out.push_str(&read(&std::mem::take(&mut octets)));
                    out.push_str(&raw[literal..i]);
                }
                octets.push((high * 16 + low) as u8);
                i += 3;
                literal = i;
            }
            _ => i += 1,
        }
    }
    if !octets.is_empty() {
        out.push_str(&read(&octets));
    }
    out.push_str(&raw[literal..]);
    out
}

/// Splits at `sep` outside double quotes (parameter values may quote a `;`).
fn split_outside_quotes(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            out.push(&s[start..i]);
            start = i + 1;
        }
    }
    out.push(&s[start..]);
    out
}

/// Splits at `sep` not escaped by a backslash.
fn split_unescaped(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            out.push(&s[start..i]);
            start = i + 1;
        }
    }
    out.push(&s[start..]);
    out
}

/// Resolves `\n`, `\,`, `\;` and `\\`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// One card as read from the file.
#[derive(Debug)]
pub struct Card {
    /// The line of its `BEGIN:VCARD`, counting from 1.
    pub line: u64,
    props: Vec<Property>,
    /// A contact group (iCloud's `X-ADDRESSBOOKSERVER-KIND:group`, vCard 4.0's
    /// `KIND:group`): no customer, but a team of the cards it lists.
    pub group: bool,
    /// A group's members, by their ids (see `card_id`).
    members: Vec<u64>,
    /// Why the card cannot be imported as it is, if it cannot.
    pub problem: Option<CardProblem>,
    /// Its photo line was longer than [`MAX_ROW_BYTES`], so not kept.
    photo_too_large: bool,
}

/// What makes a card not one to import as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardProblem {
    /// The file ended, or another card began, before its `END:VCARD`: the file
    /// may have been cut short, and the card with it.
    Unclosed,
    /// From line `line` on (a name, an email, an address, …), the card holds
    /// more than [`MAX_ROW_BYTES`], so the rest was not read.
    TooLong { line: u64 },
    /// `lines` lines that are in no card (between an END:VCARD and the next
    /// BEGIN:VCARD, or without the BEGIN:VCARD a card starts with), not read.
    Outside { lines: u64 },
}

impl Card {
    fn outside(line: u64, lines: u64) -> Card {
        Card {
            line,
            props: Vec::new(),
            group: false,
            members: Vec::new(),
            problem: Some(CardProblem::Outside { lines }),
            photo_too_large: false,
        }
    }
}

/// Members one group card may list.
pub const MAX_MEMBERS: u64 = 1_000_000;

/// Properties kept from a card: those read into columns, and those that say
/// what the others are. Any other line may be as long as it likes (a sound, a
/// key); a card's first photo is kept within [`MAX_ROW_BYTES`] of its own.
const KEPT: &[&str] = &[
    "X-ABLABEL",
    "KIND",
    "X-ADDRESSBOOKSERVER-KIND",
    "UID",
    "X-ABUID",
    "MEMBER",
    "X-ADDRESSBOOKSERVER-MEMBER",
    "FN",
    "N",
    "NICKNAME",
    "EMAIL",
    "TEL",
    "ADR",
    "ORG",
    "TITLE",
    "BDAY",
    "URL",
    "NOTE",
    "CATEGORIES",
    "PHOTO",
];

/// The Photo cell of a card whose photo is longer than a line may be: a
/// photo's place shown, and refused by the import's photo column by its name.
pub const PHOTO_TOO_LARGE: &str = "(a photo larger than 4 MB, not read)";

/// Cards read one at a time from decoded text.
pub struct Cards<R> {
    input: R,
    /// What quoted-printable octets of no named charset are in, when not UTF-8.
    fallback: Fallback,
    /// Lines read so far.
    line: u64,
    /// Bytes of text read so far, for progress.
    bytes: u64,
    /// A physical line read ahead: the one after a logical line.
    ahead: Option<Physical>,
    /// A card's first line read ahead, when it ended the card before it.
    next_begin: Option<u64>,
    buf: Vec<u8>,
}

/// One line of the file.
struct Physical {
    number: u64,
    text: String,
    /// Cut at [`MAX_ROW_BYTES`].
    too_long: bool,
}

impl<R: BufRead> Cards<R> {
    pub fn new(input: R, fallback: Fallback) -> Cards<R> {
        Cards {
            input,
            fallback,
            line: 0,
            bytes: 0,
            ahead: None,
            next_begin: None,
            buf: Vec::new(),
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The next line, without its line break (LF, CRLF or a bare CR), at most
    /// [`MAX_ROW_BYTES`] long: the rest of a longer one is passed over.
    fn physical(&mut self) -> std::io::Result<Option<Physical>> {
        if let Some(p) = self.ahead.take() {
            return Ok(Some(p));
        }
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                if !any {
                    return Ok(None);
                }
                break;
            }
            any = true;
            match chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(i) => {
                    let cr = chunk[i] == b'\r';
                    keep(&mut self.buf, &chunk[..i], &mut too_long);
                    self.input.consume(i + 1);
                    self.bytes += i as u64 + 1;
                    // The LF of a CRLF may be in the next chunk.
                    if cr && self.input.fill_buf()?.first() == Some(&b'\n') {
                        self.input.consume(1);
                        self.bytes += 1;
                    }
                    break;
                }
                None => {
                    let n = chunk.len();
                    keep(&mut self.buf, chunk, &mut too_long);
                    self.input.consume(n);
                    self.bytes += n as u64;
                }
            }
        }
        self.line += 1;
        Ok(Some(Physical {
            number: self.line,
            text: String::from_utf8_lossy(&self.buf).into_owned(),
            too_long,
        }))
    }

    /// The next content line, folded lines joined, with the number of its first
    /// line: `(number, text, too_long)`.
    fn logical(&mut self) -> std::io::Result<Option<(u64, String, bool)>> {
        let Some(first) = self.physical()? else {
            return Ok(None);
        };
        let (number, mut text, mut too_long) = (first.number, first.text, first.too_long);
        loop {
            // Version 2.1's quoted-printable values break lines with a final "=".
            let soft_break = text.ends_with('=') && is_quoted_printable(&text);
            let Some(next) = self.physical()? else {
                if soft_break {
                    text.pop();
                }
                break;
            };
            let continues = next.text.starts_with([' ', '\t']);
            // A card's start or end is never part of a value, whatever came
            // before it: the "=" is a break to nothing, and goes.
            let marker = is(&next.text, END) || is(&next.text, BEGIN);
            if soft_break && (next.text.is_empty() || marker) {
                text.pop();
            }
            let soft_break = soft_break && !next.text.is_empty() && !marker;
            if continues || soft_break {
                if soft_break {
                    text.pop();
                }
                let rest = if continues && !soft_break {
                    &next.text[1..]
                } else {
                    next.text.as_str()
                };
                if text.len() + rest.len() > MAX_ROW_BYTES as usize {
                    too_long = true;
                } else {
                    text.push_str(rest);
                }
                too_long |= next.too_long;
            } else {
                self.ahead = Some(next);
                break;
            }
        }
        Ok(Some((number, text, too_long)))
    }

    /// The next card, or `None` at the end of the file. Lines outside cards are
    /// a card of their own, refused with [`CardProblem::Outside`].
    pub fn next_card(&mut self) -> std::io::Result<Option<Card>> {
        let start = match self.next_begin.take() {
            Some(line) => line,
            None => {
                let mut outside: Option<(u64, u64)> = None;
                loop {
                    let Some((number, text, _)) = self.logical()? else {
                        return Ok(outside.map(|(line, lines)| Card::outside(line, lines)));
                    };
                    if is(&text, BEGIN) {
                        if let Some((line, lines)) = outside {
                            self.next_begin = Some(number);
                            return Ok(Some(Card::outside(line, lines)));
                        }
                        break number;
                    }
                    if !blank(&text) {
                        outside.get_or_insert((number, 0)).1 += 1;
                    }
                }
            }
        };
        let mut card = Card {
            line: start,
            props: Vec::new(),
            group: false,
            members: Vec::new(),
            problem: None,
            photo_too_large: false,
        };
        let (mut kept, mut members) = (0, 0);
        let mut agent = false;
        loop {
            let Some((number, text, too_long)) = self.logical()? else {
                card.problem.get_or_insert(CardProblem::Unclosed);
                break;
            };
            if is(&text, END) {
                break;
            }
            if is(&text, BEGIN) {
                // vCard 2.1 nests a card under an empty AGENT line (an
                // assistant's): part of this card, not a customer.
                if agent {
                    self.skip_nested()?;
                    agent = false;
                    continue;
                }
                card.problem.get_or_insert(CardProblem::Unclosed);
                self.next_begin = Some(number);
                break;
            }
            let Some(prop) = Property::parse(&text, self.fallback) else {
                continue;
            };
            agent = prop.name == "AGENT" && prop.value.trim().is_empty();
            // Only what becomes a column is kept, so a card's photo, sound or
            // key costs nothing; what is kept is bounded like a CSV row.
            if !KEPT.contains(&prop.name.as_str()) {
                continue;
            }
            // A photo is bounded on its own (a line's length), not by the row's
            // budget: a contact's picture is often larger than the rest of it.
            // Only the first is read, as a contact has one picture.
            if prop.name == "PHOTO" {
                let first = !card.photo_too_large && !card.props.iter().any(|p| p.name == "PHOTO");
                if first && too_long {
                    card.photo_too_large = true;
                } else if first {
                    card.props.push(prop);
                }
                continue;
            }
            let kind = prop.name == "KIND" || prop.name == "X-ADDRESSBOOKSERVER-KIND";
            card.group |= kind && prop.text().trim().eq_ignore_ascii_case("group");
            // A group's member lines are bounded by their number, not their
            // bytes: an id is short, and a group may list a whole shop.
            let member = prop.name == "MEMBER" || prop.name == "X-ADDRESSBOOKSERVER-MEMBER";
            if member {
                members += 1;
            } else {
                kept += text.len() as u64;
            }
            if too_long || kept > MAX_ROW_BYTES || members > MAX_MEMBERS {
                card.problem
                    .get_or_insert(CardProblem::TooLong { line: number });
                continue;
            }
            if member {
                // Only its id: 8 bytes, where the line would hold a few hundred.
                card.members.extend(card_id(&prop.text()));
            } else {
                card.props.push(prop);
            }
        }
        Ok(Some(card))
    }

    /// Reads past a card nested in the one being read, to its END.
    fn skip_nested(&mut self) -> std::io::Result<()> {
        let mut depth = 1;
        while depth > 0 {
            let Some((_, text, _)) = self.logical()? else {
                return Ok(());
            };
            if is(&text, BEGIN) {
                depth += 1;
            } else if is(&text, END) {
                depth -= 1;
            }
        }
        Ok(())
    }
}

/// A line as it says something: without spaces, byte order marks (files saved
/// apart and joined carry one) or DOS's end-of-file Ctrl-Z around it.
fn content(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{1a}')
}

/// Whether a line says nothing.
fn blank(line: &str) -> bool {
    content(line).is_empty()
}

/// Whether a line is `BEGIN:VCARD` or `END:VCARD`, in any case.
fn is(line: &str, marker: &str) -> bool {
    content(line).eq_ignore_ascii_case(marker)
}

/// Appends `bytes` to a line up to [`MAX_ROW_BYTES`], noting when some did not fit.
fn keep(line: &mut Vec<u8>, bytes: &[u8], too_long: &mut bool) {
    let room = (MAX_ROW_BYTES as usize).saturating_sub(line.len());
    if bytes.len() > room {
        *too_long = true;
    }
    line.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// Whether a content line's parameters ask for quoted-printable.
fn is_quoted_printable(line: &str) -> bool {
    let head = line.split(':').next().unwrap_or_default();
    head.to_ascii_uppercase().contains("QUOTED-PRINTABLE")
}

/// A card's values, as the columns take them.
#[derive(Debug, Default)]
struct Flat {
    full_name: String,
    /// Given, additional, family, prefix, suffix.
    name: [String; 5],
    nickname: String,
    emails: Vec<(String, String)>,
    phones: Vec<(String, String)>,
    /// (type, [street, city, region, postal code, country])
    addresses: Vec<(String, [String; 5])>,
    organization: String,
    title: String,
    birthday: String,
    website: String,
    notes: String,
    categories: Vec<String>,
    /// The photo held in the card, as a `data:` URL (or [`PHOTO_TOO_LARGE`]),
    /// or where it is, when the card links to it: the import counts those.
    photo: String,
    /// The card's ids (its UID, Apple's X-ABUID), as a group's members name it.
    ids: Vec<u64>,
}

/// A card id as a group names it: "urn:uuid:5D1F…" and Apple's
/// "5D1F…:ABPerson" are both "5d1f…".
fn card_id(value: &str) -> Option<u64> {
    let value = value.trim();
    let value = match value.get(..9) {
        Some(scheme) if scheme.eq_ignore_ascii_case("urn:uuid:") => &value[9..],
        _ => value,
    };
    let value = value.strip_suffix(":ABPerson").unwrap_or(value).trim();
    // Kept as a hash: a file of a million members holds 8 bytes for each.
    (!value.is_empty()).then(|| {
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&value.to_ascii_lowercase(), &mut hasher);
        std::hash::Hasher::finish(&hasher)
    })
}

impl Flat {
    /// A card's values; a member of `groups` gets their names among its
    /// categories.
    fn of(card: &Card, groups: &Groups) -> Flat {
        let mut flat = Flat::default();
        // Apple's labels by their group, looked up once per card.
        let labels: HashMap<String, String> = card
            .props
            .iter()
            .filter(|p| p.name == "X-ABLABEL")
            .filter_map(|p| {
                Some((
                    p.group.as_deref()?.to_ascii_lowercase(),
                    apple_label(&p.text()),
                ))
            })
            .collect();
        let label = |prop: &Property| -> String {
            prop.group
                .as_deref()
                .and_then(|g| labels.get(&g.to_ascii_lowercase()).cloned())
                .unwrap_or_else(|| type_label(&prop.types()))
        };
        // Lines a card may repeat (two notes, two titles) are all kept.
        let add = |into: &mut String, separator: &str, value: String| {
            let value = value.trim();
            if !value.is_empty() {
                if !into.is_empty() {
                    into.push_str(separator);
                }
                into.push_str(value);
            }
        };
        // (preferred, type, value): preferred ones first, in file order otherwise.
        let mut emails = Vec::new();
        let mut phones = Vec::new();
        let mut addresses = Vec::new();
        for prop in &card.props {
            match prop.name.as_str() {
                "FN" if flat.full_name.is_empty() => flat.full_name = prop.text().trim().to_owned(),
                "N" => {
                    // Family; given; additional; prefix; suffix.
                    let c = prop.components();
                    let at = |i: usize| {
                        c.get(i)
                            .map(|s| s.trim().replace(',', " "))
                            .unwrap_or_default()
                    };
                    if flat.name.iter().all(String::is_empty) {
                        flat.name = [at(1), at(2), at(0), at(3), at(4)];
                    }
                }
                "NICKNAME" => add(&mut flat.nickname, ", ", prop.list().join(", ")),
                "EMAIL" => emails.push((prop.preferred(), label(prop), prop.text())),
                "TEL" => {
                    phones.push((prop.preferred(), label(prop), phone_number(&prop.text())));
                }
                "ADR" => {
                    // PO box; extended; street; locality; region; postal code; country.
                    let c = prop.components();
                    let at = |i: usize| c.get(i).map(|s| s.trim().to_owned()).unwrap_or_default();
                    let street = [at(0), at(2), at(1)]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(", ");
                    let parts = [street, at(3), at(4), at(5), at(6)];
                    if parts.iter().any(|p| !p.is_empty()) {
                        addresses.push((prop.preferred(), label(prop), parts));
                    }
                }
                "ORG" => {
                    let org = prop
                        .components()
                        .into_iter()
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(", ");
                    add(&mut flat.organization, "; ", org);
                }
                "TITLE" => add(&mut flat.title, "; ", prop.text()),
                "BDAY" if flat.birthday.is_empty() => flat.birthday = birthday(prop),
                "URL" => add(&mut flat.website, " ", prop.text()),
                "NOTE" => add(&mut flat.notes, "\n\n", prop.text()),
                // Google's system groups, which its CSV export marks with a "*".
                "CATEGORIES" => flat.categories.extend(prop.list().into_iter().filter(|c| {
                    !["mycontacts", "starred"].contains(&c.trim().to_lowercase().as_str())
                })),
                "UID" | "X-ABUID" => flat.ids.extend(card_id(&prop.text())),
                "PHOTO" => flat.photo = photo(prop),
                _ => {}
            }
        }
        if card.photo_too_large {
            flat.photo = PHOTO_TOO_LARGE.to_owned();
        }
        for &id in &flat.ids {
            for name in groups.of(id) {
                let key = crate::text::match_key(name);
                if !flat
                    .categories
                    .iter()
                    .any(|c| crate::text::match_key(c) == key)
                {
                    flat.categories.push(name.to_owned());
                }
            }
        }
        let firsts = |mut v: Vec<(bool, String, String)>| {
            v.retain(|(_, _, value)| !value.trim().is_empty());
            v.sort_by_key(|(preferred, _, _)| !preferred);
            v.into_iter()
                .map(|(_, t, value)| (t, value.trim().to_owned()))
                .collect::<Vec<_>>()
        };
        flat.emails = firsts(emails);
        flat.phones = firsts(phones);
        addresses.sort_by_key(|(preferred, _, _)| !preferred);
        flat.addresses = addresses.into_iter().map(|(_, t, a)| (t, a)).collect();
        flat
    }
}

/// A card's photo as a `data:` URL, which a CSV cell can hold too; or, when
/// the card does not hold it, where it is.
///
/// Versions 2.1 and 3.0 hold a photo as base64 with its format in TYPE
/// (`PHOTO;ENCODING=b;TYPE=JPEG:` — Apple's, Outlook's, Android's); 4.0 as a
/// `data:` URL (some writers escaping its comma). A photo elsewhere (Google's,
/// on its servers) is a URL, 2.1's `VALUE=URL` may lack its scheme, and its
/// `VALUE=CID` names a part of an email: none is in the file.
fn photo(prop: &Property) -> String {
    let value: String = prop.value.chars().filter(|c| !c.is_whitespace()).collect();
    if value
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("data:"))
    {
        return value.replace("\\,", ",");
    }
    let base64 = prop
        .param("ENCODING")
        .chain(prop.param("TYPE"))
        .any(|e| e.eq_ignore_ascii_case("b") || e.eq_ignore_ascii_case("base64"));
    let named = prop
        .param("VALUE")
        .any(|v| !v.eq_ignore_ascii_case("binary"));
    // Base64 holds no colon; a URL always does.
    if named || (!base64 && value.contains(':')) {
        return prop.value.trim().to_owned();
    }
    let format = prop
        .param("TYPE")
        .chain(prop.param("MEDIATYPE"))
        .map(|t| t.to_ascii_lowercase())
        .find_map(|t| {
            let t = t.strip_prefix("image/").unwrap_or(&t).to_owned();
            ["jpeg", "jpg", "png", "gif", "webp", "heic", "bmp", "tiff"]
                .contains(&t.as_str())
                .then(|| if t == "jpg" { "jpeg".to_owned() } else { t })
        });
    let mime = format.map_or_else(
        || "application/octet-stream".to_owned(),
        |f| format!("image/{f}"),
    );
    format!("data:{mime};base64,{value}")
}

/// A TEL value as a number: 4.0 writes "tel:+1-555-0100;ext=12" (its "ext"
/// kept, as a CSV cell would say it).
fn phone_number(value: &str) -> String {
    let value = value.trim();
    let number = match value.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("tel:") => &value[4..],
        _ => value,
    };
    match number.to_ascii_lowercase().find(";ext=") {
        // ASCII lowered, so the byte offsets are the same.
        Some(at) => format!("{} ext. {}", &number[..at], &number[at + 5..]),
        None => number.to_owned(),
    }
}

/// Apple's built-in labels are written `_$!<Mobile>!$_`; a label of the
/// person's own is written as it is.
fn apple_label(label: &str) -> String {
    let label = label.trim();
    label
        .strip_prefix("_$!<")
        .and_then(|l| l.strip_suffix(">!$_"))
        .unwrap_or(label)
        .to_owned()
}

/// "cell,voice,pref" → "Mobile"; "home,fax" → "Home Fax".
fn type_label(types: &[String]) -> String {
    let words: Vec<&str> = types
        .iter()
        .filter_map(|t| match t.as_str() {
            "cell" | "mobile" => Some("Mobile"),
            "home" => Some("Home"),
            "work" => Some("Work"),
            "fax" => Some("Fax"),
            "pager" => Some("Pager"),
            "main" => Some("Main"),
            "iphone" => Some("iPhone"),
            "other" => Some("Other"),
            "text" => Some("Text"),
            "video" => Some("Video"),
            _ => None,
        })
        .collect();
    words.join(" ")
}

/// A birthday as a date: "19850412" and "1985-04-12T00:00:00Z" are 1985-04-12;
/// a birthday without a year stays "--04-12" (Apple writes the year 1604 and
/// says so in `X-APPLE-OMIT-YEAR`).
fn birthday(prop: &Property) -> String {
    let text = prop.text();
    let text = text.trim();
    // "1985-04-12T00:00:00Z": the date before its time, when it is one.
    let date = match text.split_once(['T', 't']) {
        Some((date, _))
            if date.len() >= 8 && date.bytes().all(|b| b.is_ascii_digit() || b == b'-') =>
        {
            date
        }
        _ => text,
    }
    .to_owned();
    let digits = |s: &str| s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit());
    // "--0412" and "--04-12": a birthday without a year.
    if let Some(day) = date.strip_prefix("--") {
        let day = day.replace('-', "");
        if day.len() == 4 && day.bytes().all(|b| b.is_ascii_digit()) {
            return format!("--{}-{}", &day[..2], &day[2..]);
        }
        return date;
    }
    let dashed = date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-';
    let compact = date.replace('-', "");
    if !(digits(&date) || (dashed && digits(&compact))) {
        // Not a vCard date: left as written, for the field's own reading.
        return date;
    }
    let (y, m, d) = (&compact[..4], &compact[4..6], &compact[6..]);
    if prop.param("X-APPLE-OMIT-YEAR").any(|omitted| omitted == y) {
        return format!("--{m}-{d}");
    }
    format!("{y}-{m}-{d}")
}

/// One column of a vCard file read as a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Column {
    FullName,
    Given,
    Additional,
    Family,
    Prefix,
    Suffix,
    Nickname,
    EmailType(usize),
    EmailValue(usize),
    PhoneType(usize),
    PhoneValue(usize),
    AddressType(usize),
    /// Street, city, region, postal code, country.
    Address(usize, usize),
    Organization,
    Title,
    Birthday,
    Website,
    Notes,
    Categories,
    Photo,
}

const ADDRESS_PARTS: [&str; 5] = ["Street", "City", "Region", "Postal Code", "Country"];

impl Column {
    fn header(self) -> String {
        match self {
            Column::FullName => "Name".into(),
            Column::Given => "Given Name".into(),
            Column::Additional => "Additional Name".into(),
            Column::Family => "Family Name".into(),
            Column::Prefix => "Name Prefix".into(),
            Column::Suffix => "Name Suffix".into(),
            Column::Nickname => "Nickname".into(),
            Column::EmailType(n) => format!("E-mail {} - Type", n + 1),
            Column::EmailValue(n) => format!("E-mail {} - Value", n + 1),
            Column::PhoneType(n) => format!("Phone {} - Type", n + 1),
            Column::PhoneValue(n) => format!("Phone {} - Value", n + 1),
            Column::AddressType(n) => format!("Address {} - Type", n + 1),
            Column::Address(n, part) => format!("Address {} - {}", n + 1, ADDRESS_PARTS[part]),
            Column::Organization => "Organization".into(),
            Column::Title => "Job Title".into(),
            Column::Birthday => "Birthday".into(),
            Column::Website => "Website".into(),
            Column::Notes => "Notes".into(),
            Column::Categories => "Categories".into(),
            Column::Photo => "Photo".into(),
        }
    }

    fn value(self, flat: &Flat) -> String {
        let pair = |v: &[(String, String)], n: usize, value: bool| {
            v.get(n)
                .map(|(t, x)| if value { x.clone() } else { t.clone() })
                .unwrap_or_default()
        };
        match self {
            Column::FullName => flat.full_name.clone(),
            Column::Given => flat.name[0].clone(),
            Column::Additional => flat.name[1].clone(),
            Column::Family => flat.name[2].clone(),
            Column::Prefix => flat.name[3].clone(),
            Column::Suffix => flat.name[4].clone(),
            Column::Nickname => flat.nickname.clone(),
            Column::EmailType(n) => pair(&flat.emails, n, false),
            Column::EmailValue(n) => pair(&flat.emails, n, true),
            Column::PhoneType(n) => pair(&flat.phones, n, false),
            Column::PhoneValue(n) => pair(&flat.phones, n, true),
            Column::AddressType(n) => flat
                .addresses
                .get(n)
                .map(|(t, _)| t.clone())
                .unwrap_or_default(),
            Column::Address(n, part) => flat
                .addresses
                .get(n)
                .map(|(_, a)| a[part].clone())
                .unwrap_or_default(),
            Column::Organization => flat.organization.clone(),
            Column::Title => flat.title.clone(),
            Column::Birthday => flat.birthday.clone(),
            Column::Website => flat.website.clone(),
            Column::Notes => flat.notes.clone(),
            // Google's separator, as a category may hold a comma or a semicolon;
            // a lone category ends with it to say so (a cell of "Smith, Jones"
            // would be two teams).
            Column::Categories => match flat.categories.as_slice() {
                [one] if one.contains([',', ';']) => format!("{one} :::"),
                all => all.join(" ::: "),
            },
            Column::Photo => flat.photo.clone(),
        }
    }
}

/// Every column a card may fill, in order, for up to `emails`, `phones` and
/// `addresses` of each.
fn all_columns(emails: usize, phones: usize, addresses: usize) -> Vec<Column> {
    let mut columns = vec![
        Column::FullName,
        Column::Given,
        Column::Additional,
        Column::Family,
        Column::Prefix,
        Column::Suffix,
        Column::Nickname,
    ];
    for n in 0..emails {
        columns.extend([Column::EmailType(n), Column::EmailValue(n)]);
    }
    for n in 0..phones {
        columns.extend([Column::PhoneType(n), Column::PhoneValue(n)]);
    }
    for n in 0..addresses {
        columns.push(Column::AddressType(n));
        columns.extend((0..ADDRESS_PARTS.len()).map(|part| Column::Address(n, part)));
    }
    columns.extend([
        Column::Organization,
        Column::Title,
        Column::Birthday,
        Column::Website,
        Column::Notes,
        Column::Categories,
        Column::Photo,
    ]);
    columns
}

/// A contact group of a vCard file, read as a team of the cards it lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export, rename = "ImportContactGroup")]
pub struct ContactGroup {
    /// Empty for a group without one, which is no team.
    pub name: String,
    /// Cards of the file it lists.
    #[ts(type = "number")]
    pub members: u64,
}

/// A file's contact groups, and who is in which.
#[derive(Debug, Default)]
pub struct Groups {
    pub list: Vec<ContactGroup>,
    /// (card id, index into `list`) for every membership, sorted once every
    /// group is read: 16 bytes each, where a map would take twice that.
    members: Vec<(u64, u32)>,
}

impl Groups {
    fn add(&mut self, card: &Card) {
        let flat = Flat::of(card, &Groups::default());
        let at = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        // vCard 3.0 groups of some servers name themselves in N only.
        let name = match flat.full_name.trim() {
            "" => flat.name[2].trim(),
            name => name,
        };
        self.list.push(ContactGroup {
            name: name.to_owned(),
            members: 0,
        });
        self.members.extend(card.members.iter().map(|&id| (id, at)));
    }

    /// Sorts the memberships for lookups, once every group is added.
    fn seal(&mut self) {
        self.members.sort_unstable();
        self.members.dedup();
        self.members.shrink_to_fit();
    }

    /// Indexes into `list` of the groups card `id` is in.
    fn indexes(&self, id: u64) -> impl Iterator<Item = u32> + '_ {
        let from = self.members.partition_point(|&(m, _)| m < id);
        self.members[from..]
            .iter()
            .take_while(move |&&(m, _)| m == id)
            .map(|&(_, at)| at)
    }

    fn of(&self, id: u64) -> impl Iterator<Item = &str> + '_ {
        self.indexes(id)
            .filter_map(|i| self.list.get(i as usize))
            .map(|g| g.name.as_str())
            .filter(|name| !name.is_empty())
    }

    /// Counts each group's members among the cards `seen` (by id).
    fn count(&mut self, seen: &std::collections::HashSet<u64>) {
        let mut counts = vec![0u64; self.list.len()];
        for id in seen {
            for i in self.indexes(*id) {
                if let Some(n) = counts.get_mut(i as usize) {
                    *n += 1;
                }
            }
        }
        for (group, n) in self.list.iter_mut().zip(counts) {
            group.members = n;
        }
    }

    /// The contact groups of `input`'s cards, for reading its cards again.
    pub fn read<R: BufRead>(input: R, fallback: Fallback) -> std::io::Result<Groups> {
        let mut cards = Cards::new(input, fallback);
        let mut groups = Groups::default();
        while let Some(card) = cards.next_card()? {
            if card.group {
                groups.add(&card);
            }
        }
        groups.seal();
        Ok(groups)
    }
}

/// What reading a vCard file through once finds.
pub struct Scan {
    pub layout: Layout,
    /// Cards that are no contact group.
    pub cards: u64,
    pub groups: Groups,
}

/// The columns of a vCard file: those some card fills. Read through once.
pub struct Layout {
    columns: Vec<Column>,
}

/// More emails, phones or addresses on one card than this are not columns of
/// their own (a card of 5,000 phones would make a table of 10,000 columns).
const MAX_SLOTS: usize = 20;

impl Layout {
    /// Reads every card of `input` to find the columns they fill, and its
    /// contact groups.
    pub fn scan<R: BufRead>(input: R, fallback: Fallback) -> std::io::Result<Scan> {
        let mut cards = Cards::new(input, fallback);
        let (mut emails, mut phones, mut addresses) = (0, 0, 0);
        let mut count = 0;
        let mut groups = Groups::default();
        // The ids of the cards, to count who of a group's members is here.
        let mut seen = std::collections::HashSet::new();
        // The columns of one value each, filled by some card.
        let mut single: Vec<Column> = all_columns(0, 0, 0);
        let mut filled = vec![false; single.len()];
        while let Some(card) = cards.next_card()? {
            if card.group {
                groups.add(&card);
                continue;
            }
            count += 1;
            let flat = Flat::of(&card, &Groups::default());
            seen.extend(flat.ids.iter().copied());
            emails = emails.max(flat.emails.len().min(MAX_SLOTS));
            phones = phones.max(flat.phones.len().min(MAX_SLOTS));
            addresses = addresses.max(flat.addresses.len().min(MAX_SLOTS));
            for (column, seen) in single.iter().zip(filled.iter_mut()) {
                *seen = *seen || !column.value(&flat).is_empty();
            }
        }
        // A group's name goes to its members' categories.
        groups.seal();
        groups.count(&seen);
        drop(seen);
        if let Some(at) = single.iter().position(|c| *c == Column::Categories) {
            filled[at] |= groups
                .list
                .iter()
                .any(|g| g.members > 0 && !g.name.is_empty());
        }
        let mut filled = filled.into_iter();
        single.retain(|_| filled.next().unwrap_or(false));
        // An email, phone or address slot's columns come as a set, as in
        // Google's export: the rows-to-fix file keeps a type with its value.
        let columns = all_columns(emails, phones, addresses)
            .into_iter()
            .filter(|c| match c {
                Column::EmailType(_) | Column::EmailValue(_) => true,
                Column::PhoneType(_) | Column::PhoneValue(_) => true,
                Column::AddressType(_) | Column::Address(..) => true,
                other => single.contains(other),
            })
            .collect();
        Ok(Scan {
            layout: Layout { columns },
            cards: count,
            groups,
        })
    }

    /// The layout whose headers these are (those [`Layout::headers`] gave).
    pub fn of_headers(headers: &[String]) -> Layout {
        let known = all_columns(MAX_SLOTS, MAX_SLOTS, MAX_SLOTS);
        let columns = headers
            .iter()
            .filter_map(|h| known.iter().find(|c| c.header() == *h).copied())
            .collect();
        Layout { columns }
    }

    pub fn headers(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.header()).collect()
    }

    /// A card's cells under these columns, `groups` it is in among its categories.
    pub fn fill(&self, card: &Card, groups: &Groups, record: &mut csv::StringRecord) {
        let flat = Flat::of(card, groups);
        record.clear();
        for column in &self.columns {
            record.push_field(&column.value(&flat));
        }
    }
}

/// Whether decoded text starts like a vCard file.
pub fn starts_a_card(sample: &str) -> bool {
    sample
        .split(['\r', '\n'])
        .find(|l| !blank(l))
        .is_some_and(|l| is(l, BEGIN))
}

/// `read`, buffered, for [`Cards`].
pub fn buffered(read: Box<dyn Read + Send>) -> std::io::BufReader<Box<dyn Read + Send>> {
    std::io::BufReader::with_capacity(1 << 16, read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cards(text: &str) -> Vec<Card> {
        let mut cards = Cards::new(text.as_bytes(), Fallback::new(encoding_rs::UTF_8, "US"));
        let mut out = Vec::new();
        while let Some(card) = cards.next_card().unwrap() {
            out.push(card);
        }
        out
    }

    fn row(text: &str) -> Vec<(String, String)> {
        let scan = Layout::scan(text.as_bytes(), Fallback::new(encoding_rs::UTF_8, "US")).unwrap();
        let card = cards(text).remove(0);
        let mut record = csv::StringRecord::new();
        let layout = scan.layout;
        layout.fill(&card, &scan.groups, &mut record);
        layout
            .headers()
            .into_iter()
            .zip(record.iter().map(str::to_owned))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    fn get<'a>(row: &'a [(String, String)], header: &str) -> &'a str {
        row.iter()
            .find(|(h, _)| h == header)
            .map_or("", |(_, v)| v.as_str())
    }

    #[test]
    fn folded_lines_and_escapes() {
        let r = row("BEGIN:VCARD\r\nVERSION:3.0\r\nN:M\\;ller;Zo\r\n ë;;;\r\nFN:Zoë\r\nNOTE:one\\ntwo\\, three\r\nEND:VCARD\r\n");
        assert_eq!(get(&r, "Family Name"), "M;ller");
        assert_eq!(get(&r, "Given Name"), "Zoë");
        assert_eq!(get(&r, "Notes"), "one\ntwo, three");
    }

    #[test]
    fn quoted_printable_in_a_charset_per_component() {
        let r = row(concat!(
            "BEGIN:VCARD\nVERSION:2.1\n",
            "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=F6rg;;;\n",
            "ADR;HOME;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:;;Hauptstra=C3=9Fe 1=\n",
            "0;Berlin;;10115;Deutschland\n",
            "TEL;CELL;PREF:+49 151 1234567\n",
            "END:VCARD\n"
        ));
        assert_eq!(get(&r, "Family Name"), "Müller");
        assert_eq!(get(&r, "Given Name"), "Jörg");
        assert_eq!(get(&r, "Address 1 - Street"), "Hauptstraße 10");
        assert_eq!(get(&r, "Address 1 - Type"), "Home");
        assert_eq!(get(&r, "Phone 1 - Type"), "Mobile");
    }

    #[test]
    fn preferred_first_and_apple_labels() {
        let r = row(concat!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\n",
            "EMAIL;type=INTERNET;type=WORK:ann@work.example\r\n",
            "EMAIL;type=INTERNET;type=HOME;type=pref:ann@home.example\r\n",
            "item1.TEL:+1 555 0100\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\n",
            "item2.TEL;type=pref:+1 555 0199\r\nitem2.X-ABLabel:Shop\r\n",
            "BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-12\r\n",
            "END:VCARD\r\n"
        ));
        assert_eq!(get(&r, "E-mail 1 - Value"), "ann@home.example");
        assert_eq!(get(&r, "E-mail 2 - Value"), "ann@work.example");
        assert_eq!(get(&r, "Phone 1 - Type"), "Shop");
        assert_eq!(get(&r, "Phone 2 - Type"), "Mobile");
        assert_eq!(get(&r, "Birthday"), "--04-12");
    }

    #[test]
    fn cut_groups_and_line_numbers() {
        let text = "\nBEGIN:VCARD\nFN:A\nBEGIN:VCARD\nFN:Team\nKIND:group\nEND:VCARD\nBEGIN:VCARD\r\nFN:C\r\n";
        let c = cards(text);
        assert_eq!(c.len(), 3);
        assert_eq!(
            (c[0].line, c[0].problem.clone()),
            (2, Some(CardProblem::Unclosed))
        );
        assert_eq!(
            (c[1].line, c[1].problem.clone(), c[1].group),
            (4, None, true)
        );
        assert_eq!(
            (c[2].line, c[2].problem.clone()),
            (8, Some(CardProblem::Unclosed))
        );
    }

    #[test]
    fn bare_carriage_returns_end_lines() {
        let c = cards("BEGIN:VCARD\rFN:A\rEND:VCARD\rBEGIN:VCARD\rFN:B\rEND:VCARD\r");
        assert_eq!(c.iter().map(|c| c.line).collect::<Vec<_>>(), [1, 4]);
        assert!(c.iter().all(|c| c.problem.is_none()));
    }

    #[test]
    fn a_huge_photo_is_passed_over_and_a_huge_name_refused() {
        let photo = "A".repeat(MAX_ROW_BYTES as usize + 10);
        let text = format!(
            "BEGIN:VCARD\nFN:A\nPHOTO;ENCODING=b:{photo}\nEND:VCARD\nBEGIN:VCARD\nFN:{photo}\nEND:VCARD\n"
        );
        let c = cards(&text);
        assert_eq!(c[0].problem, None);
        assert!(c[0].photo_too_large);
        assert_eq!(c[1].problem, Some(CardProblem::TooLong { line: 6 }));
        let r = row(&text);
        assert_eq!(get(&r, "Photo"), PHOTO_TOO_LARGE);
    }

    #[test]
    fn photos_held_in_the_card_become_data_urls_and_links_stay_links() {
        const JPEG: &str = "data:image/jpeg;base64,/9j/4AAQSkZJRg==";
        // (what, card lines after BEGIN, the Photo cell)
        let cases = [
            (
                "Apple's 3.0, folded; a second photo passed over",
                "VERSION:3.0\r\nFN:Ann\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\r\n SkZJRg==\r\n\
                 PHOTO;ENCODING=b;TYPE=PNG:iVBORw0K\r\n",
                JPEG,
            ),
            (
                "Outlook's 2.1, its blank line ending the value",
                "VERSION:2.1\r\nFN:Bo\r\nPHOTO;TYPE=JPEG;ENCODING=BASE64:\r\n    /9j/4AAQ\r\n\
                 \x20   SkZJRg==\r\n\r\n",
                JPEG,
            ),
            (
                "4.0's data URL",
                "VERSION:4.0\nFN:Cy\nPHOTO:data:image/png;base64,iVBORw0K\n",
                "data:image/png;base64,iVBORw0K",
            ),
            (
                "Google's link",
                "VERSION:3.0\nFN:Di\nPHOTO:https://lh3.googleusercontent.com/a/abc\n",
                "https://lh3.googleusercontent.com/a/abc",
            ),
            (
                "4.0's data URL, its comma escaped",
                "VERSION:4.0\nFN:Cy\nPHOTO:data:image/png;base64\\,iVBORw0K\n",
                "data:image/png;base64,iVBORw0K",
            ),
            (
                "2.1's URL without its scheme",
                "VERSION:2.1\nFN:Di\nPHOTO;VALUE=URL;TYPE=JPEG:www.example.com/di.jpg\n",
                "www.example.com/di.jpg",
            ),
            (
                "no TYPE: the bytes will say what they are",
                "FN:Ed\nPHOTO;ENCODING=b:R0lGODlh\n",
                "data:application/octet-stream;base64,R0lGODlh",
            ),
        ];
        for (what, lines, photo) in cases {
            let r = row(&format!("BEGIN:VCARD\r\n{lines}END:VCARD\r\n"));
            assert_eq!(get(&r, "Photo"), photo, "{what}");
        }
    }

    #[test]
    fn quoted_printable_keeps_the_characters_written_as_they_are() {
        let r = row("BEGIN:VCARD\nN:Lee;Ann\nNOTE;ENCODING=QUOTED-PRINTABLE:Caf=E9 in M\u{fc}nchen =3D ok=\nEND:VCARD\n");
        assert_eq!(
            get(&r, "Notes"),
            "Café in München = ok",
            "a break to nothing goes"
        );
        // A card cut on a soft break does not take the next card's first line.
        let c = cards("BEGIN:VCARD\nNOTE;ENCODING=QUOTED-PRINTABLE:abc=\n\u{feff}BEGIN:VCARD\nFN:B\nEND:VCARD\n");
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].problem.clone(), c[1].line),
            (Some(CardProblem::Unclosed), 3)
        );
    }

    #[test]
    fn octets_of_no_charset_in_an_ascii_file_are_read_for_the_region() {
        let text = "BEGIN:VCARD\nN:Nowak;Anna\nADR;ENCODING=QUOTED-PRINTABLE:;;ul. Z=B3ota 5;Warszawa;;;\nEND:VCARD\n";
        let fallback = Fallback::new(encoding_rs::UTF_8, "PL");
        let layout = Layout::scan(text.as_bytes(), fallback).unwrap().layout;
        let card = Cards::new(text.as_bytes(), fallback)
            .next_card()
            .unwrap()
            .unwrap();
        let mut record = csv::StringRecord::new();
        layout.fill(&card, &Groups::default(), &mut record);
        assert!(record.iter().any(|c| c == "ul. Złota 5"), "{record:?}");
    }

    #[test]
    fn quoted_type_lists_repeated_lines_and_uris() {
        let r = row(concat!(
            "BEGIN:VCARD\nVERSION:4.0\nFN:Ann Lee\n",
            "TEL;VALUE=uri;TYPE=\"home,voice\":TEL:+1-555-0100;ext=12\n",
            "TEL;TYPE=\"cell,voice\";PREF=1:tel:+1-555-0199\n",
            "NOTE:first\nNOTE:second\nTITLE:Owner\nTITLE:Baker\n",
            "CATEGORIES:Smith\\, Jones\nBDAY:--0412\n",
            "END:VCARD\n"
        ));
        assert_eq!(get(&r, "Phone 1 - Type"), "Mobile");
        assert_eq!(get(&r, "Phone 1 - Value"), "+1-555-0199");
        assert_eq!(get(&r, "Phone 2 - Type"), "Home");
        assert_eq!(get(&r, "Phone 2 - Value"), "+1-555-0100 ext. 12");
        assert_eq!(get(&r, "Notes"), "first\n\nsecond");
        assert_eq!(get(&r, "Job Title"), "Owner; Baker");
        assert_eq!(get(&r, "Categories"), "Smith, Jones :::");
        assert_eq!(get(&r, "Birthday"), "--04-12");
        for (bday, kept) in [
            ("12.04.1985", "12.04.1985"),
            ("TBD", "TBD"),
            ("circa 1985 (To check)", "circa 1985 (To check)"),
            ("19850412T000000Z", "1985-04-12"),
        ] {
            let r = row(&format!("BEGIN:VCARD\nFN:A\nBDAY:{bday}\nEND:VCARD\n"));
            assert_eq!(get(&r, "Birthday"), kept, "not a vCard date: as written");
        }
        let r = row("BEGIN:VCARD\nFN:A\nTEL;VALUE=uri:tel:+1-555-0100;EXT=12\nEND:VCARD\n");
        assert_eq!(get(&r, "Phone 1 - Value"), "+1-555-0100 ext. 12");
    }

    #[test]
    fn joined_files_nested_agents_and_lines_outside_cards() {
        let text = concat!(
            "BEGIN:VCARD\nFN:A\nAGENT:\nBEGIN:VCARD\nFN:Assistant\nEND:VCARD\nEMAIL:a@example.com\nEND:VCARD\n",
            "\u{feff}BEGIN:VCARD\nFN:B\nEND:VCARD\n",
            "FN:C\nEMAIL:c@example.com\nEND:VCARD\n",
            "BEGIN:VCARD\nFN:D\nEND:VCARD\n\u{feff}\n\u{1a}"
        );
        let c = cards(text);
        let lines: Vec<_> = c.iter().map(|c| (c.line, c.problem.clone())).collect();
        assert_eq!(
            lines,
            [
                (1, None),
                (9, None),
                (12, Some(CardProblem::Outside { lines: 3 })),
                (15, None)
            ]
        );
        let r = row(text);
        assert_eq!(
            get(&r, "E-mail 1 - Value"),
            "a@example.com",
            "the agent's card is part of A's"
        );
        assert!(starts_a_card("\r\rBEGIN:VCARD\rFN:A\rEND:VCARD\r"));
        // An AGENT's card passed over, the card it was in never ended: the
        // next card is still a card of its own.
        let c = cards("BEGIN:VCARD\nFN:A\nAGENT:\nBEGIN:VCARD\nFN:X\nEND:VCARD\nBEGIN:VCARD\nFN:B\nEND:VCARD\n");
        assert_eq!(c.iter().map(|c| c.line).collect::<Vec<_>>(), [1, 7]);
        assert_eq!(c[0].problem, Some(CardProblem::Unclosed));
        assert!(!starts_a_card("Name,Email\r\nBEGIN:VCARD,x\r\n"));
    }

    #[test]
    fn a_card_keeps_only_what_it_reads() {
        let mut text = String::from("BEGIN:VCARD\nFN:A\n");
        for i in 0..2_000 {
            text.push_str(&format!(
                "PHOTO;ENCODING=b:{}\nitem{i}.TEL:+1 202 555 {:04}\nitem{i}.X-ABLabel:L{i}\n",
                "A".repeat(4_000),
                i % 10_000
            ));
        }
        text.push_str("END:VCARD\n");
        let c = cards(&text);
        assert_eq!(c[0].problem, None);
        assert_eq!(
            c[0].props.len(),
            1 + 2 * 2_000 + 1,
            "only the first photo kept"
        );
    }

    #[test]
    fn a_groups_name_goes_to_its_members_categories() {
        // iCloud's groups come after their members; a 4.0 group names them
        // with MEMBER; a 3.0 group may be named in N only.
        let text = concat!(
            "BEGIN:VCARD\nFN:Ann Lee\nUID:AAA-1\nCATEGORIES:VIP, regulars \nEND:VCARD\n",
            "BEGIN:VCARD\nFN:Bo Kim\nUID:other\nX-ABUID:BBB-2:ABPerson\nEND:VCARD\n",
            "BEGIN:VCARD\nFN:Cy Day\nUID:\nEND:VCARD\n",
            "BEGIN:VCARD\nFN:Regulars\nX-ADDRESSBOOKSERVER-KIND:group\n",
            "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:aaa-1\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:BBB-2\n",
            "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:not-in-this-file\nX-ADDRESSBOOKSERVER-MEMBER:\n",
            "END:VCARD\n",
            "BEGIN:VCARD\nVERSION:4.0\nKIND:group\nN:VIP\nMEMBER:urn:uuid:AAA-1\nEND:VCARD\n",
        );
        let fallback = Fallback::new(encoding_rs::UTF_8, "US");
        let scan = Layout::scan(text.as_bytes(), fallback).unwrap();
        assert_eq!(scan.cards, 3);
        let names: Vec<_> = scan
            .groups
            .list
            .iter()
            .map(|g| (g.name.as_str(), g.members))
            .collect();
        assert_eq!(
            names,
            [("Regulars", 2), ("VIP", 1)],
            "members of this file only"
        );
        let headers = scan.layout.headers();
        let at = headers.iter().position(|h| h == "Categories").unwrap();
        let groups = Groups::read(text.as_bytes(), fallback).unwrap();
        let mut record = csv::StringRecord::new();
        let mut categories = Vec::new();
        for card in cards(text).iter().filter(|c| !c.group) {
            scan.layout.fill(card, &groups, &mut record);
            categories.push(record[at].to_owned());
        }
        assert_eq!(
            categories,
            ["VIP ::: regulars", "Regulars", ""],
            "no category twice; an empty id is nobody's"
        );

        // Groups whose members are not in the file make no column.
        let text = "BEGIN:VCARD\nFN:Ann\nEND:VCARD\nBEGIN:VCARD\nFN:G\nKIND:group\nMEMBER:urn:uuid:x\nEND:VCARD\n";
        let scan = Layout::scan(text.as_bytes(), fallback).unwrap();
        assert!(!scan.layout.headers().contains(&"Categories".to_owned()));
    }
}
