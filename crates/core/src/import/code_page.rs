//! Which legacy code page a file that is not UTF-8 was saved in. Excel's "CSV"
//! writes the code page of the computer it runs on: Windows-1252 in Western
//! Europe and the Americas, Windows-1250 in Poland or Czechia, Windows-1251 in
//! Russia, and Mac OS Roman on a Mac. The bytes alone do not say which, and
//! reading "Łukasz" in the wrong one stores "£ukasz".

use std::io::Read;

use encoding_rs::{Encoding, MACINTOSH};

/// Bytes of text holding non-ASCII characters shown to the detectors at most: a
/// few thousand accented names settle it.
const SAMPLE_BYTES: usize = 4 << 20;

/// Guesses the code page of a file that is not UTF-8, from `seen` (where the
/// first invalid byte is) and the chunks after it that hold non-ASCII bytes.
/// `region` (ISO 3166 alpha-2) is where the file was most likely saved.
///
/// `chardetng` (Firefox's detector) tells the Windows and ISO code pages apart
/// from the letters' statistics, but does not know Mac OS Roman, which it takes
/// for Windows-1252 (or, when the file holds bytes Windows-1252 lacks, for
/// another Latin code page); [`MacRomanEvidence`] has the last word.
pub(super) fn guess(
    file: &mut impl Read,
    seen: &[u8],
    region: &str,
) -> std::io::Result<&'static Encoding> {
    // ISO-2022-JP is 7-bit: a file with bytes that are not UTF-8 is not in it.
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let mut mac = MacRomanEvidence::new();
    detector.feed(seen, false);
    mac.feed(seen);
    let mut fed = seen.len();
    let mut buf = vec![0u8; 1 << 20];
    while fed < SAMPLE_BYTES {
        let read = file.read(&mut buf)?;
        if read == 0 {
            break;
        }
        let chunk = &buf[..read];
        if chunk.is_ascii() {
            mac.gap();
        } else {
            detector.feed(chunk, false);
            mac.feed(chunk);
            fed += read;
        }
    }
    mac.gap();
    // The region's country domain stands for the "where was this written" the
    // detector weighs: without it, a British file whose only non-ASCII is "£"
    // reads as Windows-1250, where that byte is "Ł". UTF-8 is already ruled out.
    let tld = country_domain(region);
    let guess = detector.guess(
        tld.as_deref().map(str::as_bytes),
        chardetng::Utf8Detection::Deny,
    );
    Ok(
        if guess.is_single_byte() && mac.prefers_mac_roman_to(guess) {
            MACINTOSH
        } else {
            guess
        },
    )
}

/// The code page of a few octets that are not UTF-8 — a vCard's quoted-printable
/// value of no named charset, in a file that is otherwise ASCII — with the
/// region's country domain (see [`country_domain_bytes`]) as the hint.
pub(super) fn guess_short(octets: &[u8], domain: Option<[u8; 2]>) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(octets, true);
    detector.guess(
        domain.as_ref().map(|d| &d[..]),
        chardetng::Utf8Detection::Deny,
    )
}

/// [`country_domain`] as the two bytes it is.
pub(super) fn country_domain_bytes(region: &str) -> Option<[u8; 2]> {
    country_domain(region)?.as_bytes().try_into().ok()
}

/// The country code top-level domain of an ISO 3166 alpha-2 region, lower case
/// as the detector requires; the United Kingdom's is "uk", not "gb".
fn country_domain(region: &str) -> Option<String> {
    let code = region.trim().to_ascii_lowercase();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    Some(if code == "gb" { "uk".to_owned() } else { code })
}

/// What surrounds a byte above ASCII that follows an ASCII letter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Lower,
    Upper,
    /// Anything but an ASCII letter (only after the byte).
    Other,
}

fn case_of(b: u8) -> Case {
    if b.is_ascii_lowercase() {
        Case::Lower
    } else if b.is_ascii_uppercase() {
        Case::Upper
    } else {
        Case::Other
    }
}

/// Whether text the detector read in a single-byte code page reads better as
/// Mac OS Roman, what Excel for Mac writes as "Comma Separated Values". Such
/// code pages agree on ASCII and differ above it, where a name's accented
/// letters are: "Müller" in Mac OS Roman is "MŸller" in Windows-1252, and
/// "Renée" is "RenŽe". So each byte above ASCII that follows an ASCII letter is
/// read both ways, and a reading where it is no letter, or a capital inside a
/// lower-case word ("MŸller"), or a small letter between capitals ("CåUR" for
/// "CŒUR"), counts against that reading. Bytes that make a likely letter either
/// way (Windows-1252's "š" is Mac OS Roman's "ö") count for neither.
struct MacRomanEvidence {
    /// How often each byte was seen between an ASCII letter of each case and
    /// what follows it: [byte - 0x80][before is upper][after].
    seen: Vec<[[u32; 3]; 2]>,
    /// A byte waiting for the one after it: (byte, the letter before it upper case).
    pending: Option<(u8, bool)>,
    previous: u8,
    cr: bool,
    lf: bool,
}

impl MacRomanEvidence {
    fn new() -> Self {
        Self {
            seen: vec![[[0; 3]; 2]; 128],
            pending: None,
            previous: b' ',
            cr: false,
            lf: false,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if let Some((high, upper)) = self.pending.take() {
                let after = case_of(b) as usize;
                self.seen[usize::from(high - 0x80)][usize::from(upper)][after] += 1;
            }
            if b >= 0x80 && self.previous.is_ascii_alphabetic() {
                self.pending = Some((b, self.previous.is_ascii_uppercase()));
            }
            match b {
                b'\r' => self.cr = true,
                b'\n' => self.lf = true,
                _ => {}
            }
            self.previous = b;
        }
    }

    /// Bytes not fed follow: a byte waiting for the one after it is counted as
    /// followed by no letter, and the next byte fed follows no letter.
    fn gap(&mut self) {
        if let Some((high, upper)) = self.pending.take() {
            self.seen[usize::from(high - 0x80)][usize::from(upper)][Case::Other as usize] += 1;
        }
        self.previous = b' ';
    }

    fn prefers_mac_roman_to(&self, other: &'static Encoding) -> bool {
        let (mut mac, mut against) = (0u32, 0u32);
        for (i, by_case) in self.seen.iter().enumerate() {
            let byte = 0x80 + i as u8;
            if WORD_PUNCTUATION.contains(&byte) {
                continue;
            }
            let (m, o) = (decode(MACINTOSH, byte), decode(other, byte));
            for (upper, by_after) in by_case.iter().enumerate() {
                let before = if upper == 1 { Case::Upper } else { Case::Lower };
                for (after, &count) in by_after.iter().enumerate() {
                    let after = [Case::Lower, Case::Upper, Case::Other][after];
                    match (fits(m, before, after), fits(o, before, after)) {
                        (true, false) => mac += count,
                        (false, true) => against += count,
                        _ => {}
                    }
                }
            }
        }
        // Lines ended by a bare CR are the classic Mac's: nothing on Windows
        // writes them, so one telling letter is enough then.
        let least = if self.cr && !self.lf { 1 } else { 2 };
        mac >= least && mac > 2 * against
    }
}

/// Punctuation the Windows code pages have where Mac OS Roman has small letters,
/// and that follows words there ("don’t", "“VIP”", "etc…", "Kith™", "2019–20",
/// "Gold•VIP", "‹Ann›"): a vote for Mac OS Roman each time, were it counted.
/// Mac files with those letters (ë í ì î ñ ó ô ï ã õ, and Ö) have others too.
const WORD_PUNCTUATION: [u8; 11] = [
    0x85, 0x8B, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x99, 0x9B,
];

/// The character `byte` stands for in a single-byte code page.
fn decode(encoding: &'static Encoding, byte: u8) -> char {
    let bytes = [byte];
    let (text, _) = encoding.decode_without_bom_handling(&bytes);
    text.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Whether `c` reads as a letter of a name between `before` and `after`.
fn fits(c: char, before: Case, after: Case) -> bool {
    if !c.is_alphabetic() {
        return false;
    }
    let capital_in_small = c.is_uppercase() && (before == Case::Lower || after == Case::Lower);
    let small_in_capitals = c.is_lowercase() && before == Case::Upper && after == Case::Upper;
    !capital_in_small && !small_in_capitals
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::WINDOWS_1252;

    fn guessed(bytes: &[u8], region: &str) -> &'static str {
        guess(&mut &b""[..], bytes, region).unwrap().name()
    }

    fn mac_roman(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = MACINTOSH.encode(text);
        assert!(!unmappable, "{text}");
        bytes.into_owned()
    }

    fn windows_1252(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = WINDOWS_1252.encode(text);
        assert!(!unmappable, "{text}");
        bytes.into_owned()
    }

    /// Customer lists in the languages of Western Europe, each read in the code
    /// page of a Mac and of a Windows computer where it would be written.
    const LISTS: [(&str, &str); 6] = [
        ("US", "First Name,Last Name,City\nZoë,Müller,München\nRenée,Dubois,Besançon\nJosé,García,Cádiz\n"),
        ("DE", "Vorname,Nachname,Stadt\nJürgen,Müller,München\nBärbel,Schröder,Köln\nUlrike,Jäger,Nürnberg\n"),
        ("FR", "Prénom,Nom,Ville\nRenée,Lefèvre,Besançon\nFrançois,Léger,Orléans\nHélène,Côté,Nîmes\n"),
        ("ES", "Nombre,Apellido,Ciudad\nJosé,Núñez,Cádiz\nMaría,Gómez,Málaga\nÁngel,Peña,León\n"),
        ("PT", "Nome,Apelido,Cidade\nJoão,Gonçalves,Évora\nConceição,Simões,Lisboa\n"),
        ("SE", "Förnamn,Efternamn,Ort\nÅsa,Ström,Göteborg\nLars,Öberg,Västerås\n"),
    ];

    #[test]
    fn excel_for_mac_files_read_as_mac_os_roman() {
        for (region, list) in LISTS {
            assert_eq!(guessed(&mac_roman(list), region), "macintosh", "{list}");
            assert_eq!(guessed(&mac_roman(list), "US"), "macintosh", "{list}");
            assert_eq!(
                guessed(&windows_1252(list), region),
                "windows-1252",
                "{list}"
            );
        }
        // Classic CR line ends: one accented name is enough.
        let one = mac_roman("First Name,Last Name\rAnn,Lee\rRenée,Dubois\r");
        assert_eq!(guessed(&one, "US"), "macintosh");
        let one_lf = mac_roman("First Name,Last Name\nAnn,Lee\nRenée,Dubois\n");
        assert_eq!(
            guessed(&one_lf, "US"),
            "windows-1252",
            "too little to go on"
        );
        // The last byte of the file counts too.
        let last = mac_roman("First Name\rAnn\rJosé");
        assert_eq!(guessed(&last, "US"), "macintosh");
    }

    #[test]
    fn windows_files_stay_windows_1252() {
        let cases = [
            "First Name,Last Name,City\nZoë,Müller,München\nRenée,Dubois,Besançon\n",
            // Typographic punctuation after words, which Mac OS Roman has as letters.
            "Name,Notes\nAnn Lee,“VIP” — don’t call before 10…\nBob Ray,Kith™ user • paid\n",
            "Name,Notes\nAnn Lee,great—call back\nBob Ray,it’s fine–ok\n",
            // A few š and œ among many accents.
            "Name\nDušan Novák\nJosé García\nRenée Dubois\nZoë Müller\nœuvre Cœur\n",
            // Names whose š and ž are Mac OS Roman's ö and û: a likely letter either way.
            "Name\nDušan Petrovic\nTomaš Horvat\nBožidar Babic\nZoë Lee\n",
            // Addresses in capitals, as the post writes them.
            "Name,Street\nANN LEE,12 RUE DU SACRÉ-CŒUR\nBOB RAY,3 MÜLLERSTRASSE\n",
            // Marks after words that are letters in Mac OS Roman but not these.
            "Name,Notes\nAnn Lee,paid•VIP don´t call\nBob Ray,col·legi m² Nº 5\n",
            "Name,Notes\nAnn Lee,Gold•VIP\nBob Ray,Silver•VIP ‹new›\n",
        ];
        for text in cases {
            assert_eq!(guessed(&windows_1252(text), "US"), "windows-1252", "{text}");
        }
    }

    /// Whatever the detector makes of them: bytes Windows-1252 lacks (Mac OS
    /// Roman's ç è ê ù Å) rule it out, and a Polish region favours Windows-1250.
    #[test]
    fn mac_files_the_detector_takes_for_another_latin_code_page() {
        let french = "Prénom,Nom,Ville\nFrançois,Lefèvre,Besançon\nHélène,Bérubé,Sèvres\n\
                      Gaëlle,Mercier,Nîmes\nJérôme,Lefèbvre,Évian\nÅsa,Åkesson,Malmö\n";
        for region in ["PL", "CZ", "FR", "US"] {
            assert_eq!(guessed(&mac_roman(french), region), "macintosh", "{region}");
        }
        assert_eq!(
            guessed(&mac_roman("NAME\nJOSÉ MÜLLER\nRENÉE DUBOIS\n"), "US"),
            "macintosh"
        );
    }

    #[test]
    fn other_code_pages_are_left_to_the_detector() {
        let (polish, _, _) =
            encoding_rs::WINDOWS_1250.encode("Imię,Nazwisko\nŁukasz,Wróbel\nŻaneta,Źdźbło\n");
        assert_eq!(guessed(&polish, "PL"), "windows-1250");
        let (czech, _, _) = encoding_rs::WINDOWS_1250.encode(
            "Jméno,Příjmení,Město\nJiří,Dvořák,Brno\nŠárka,Žáková,Plzeň\nTomáš,Šťastný,Ústí\n",
        );
        assert_eq!(guessed(&czech, "CZ"), "windows-1250");
        assert_eq!(guessed(&czech, "US"), "windows-1250");
    }
}
