//! Which legacy code page a file that is not UTF-8 was saved in. Excel's "CSV"
//! writes the code page of the computer it runs on: Windows-1252 in Western
//! Europe and the Americas, Windows-1250 in Poland or Czechia, Windows-1251 in
//! Russia, and Mac OS Roman on a Mac. The bytes alone do not say which, and
//! reading "Łukasz" in the wrong one stores "£ukasz".

use std::io::Read;

use encoding_rs::{Encoding, MACINTOSH, WINDOWS_1252};

/// Bytes of text holding non-ASCII characters shown to the detectors at most: a
/// few thousand accented names settle it.
const SAMPLE_BYTES: usize = 4 << 20;

/// Guesses the code page of a file that is not UTF-8, from `seen` (where the
/// first invalid byte is) and the chunks after it that hold non-ASCII bytes.
/// `region` (ISO 3166 alpha-2) is where the file was most likely saved.
///
/// `chardetng` (Firefox's detector) tells the Windows and ISO code pages apart
/// from the letters' statistics, but does not know Mac OS Roman, which it takes
/// for Windows-1252; [`MacRomanEvidence`] has the last word between those two.
pub(super) fn guess(
    file: &mut impl Read,
    seen: &[u8],
    region: &str,
) -> std::io::Result<&'static Encoding> {
    // ISO-2022-JP is 7-bit: a file with bytes that are not UTF-8 is not in it.
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let mut mac = MacRomanEvidence::default();
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
        if !chunk.is_ascii() {
            detector.feed(chunk, false);
            mac.feed(chunk);
            fed += read;
        }
    }
    // The region's country domain stands for the "where was this written" the
    // detector weighs: without it, a British file whose only non-ASCII is "£"
    // reads as Windows-1250, where that byte is "Ł". UTF-8 is already ruled out.
    let tld = country_domain(region);
    let guess = detector.guess(
        tld.as_deref().map(str::as_bytes),
        chardetng::Utf8Detection::Deny,
    );
    Ok(if guess == WINDOWS_1252 && mac.is_mac_roman() {
        MACINTOSH
    } else {
        guess
    })
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

/// Whether text `chardetng` reads as Windows-1252 is Mac OS Roman, what Excel
/// for Mac writes as "Comma Separated Values". Both code pages put ASCII first
/// and differ above it: Mac OS Roman has its lower-case accented letters at
/// 0x87–0x9F, where Windows-1252 has punctuation and a few rare letters (š, ž,
/// œ), and at 0xE0–0xFF Windows-1252 has its lower-case accented letters where
/// Mac OS Roman has capitals and symbols. So a byte right after an ASCII letter
/// ("M?ller", "Jos?") speaks for one or the other.
#[derive(Default)]
struct MacRomanEvidence {
    /// Bytes after a letter that are a lower-case letter in Mac OS Roman.
    mac: u32,
    /// Bytes after a letter that are one in Windows-1252.
    windows: u32,
    cr: bool,
    lf: bool,
    previous: u8,
}

impl MacRomanEvidence {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.previous.is_ascii_alphabetic() {
                if is_mac_lower_case_letter(b) {
                    self.mac += 1;
                } else if b >= 0xE0 {
                    self.windows += 1;
                }
            }
            match b {
                b'\r' => self.cr = true,
                b'\n' => self.lf = true,
                _ => {}
            }
            self.previous = b;
        }
    }

    fn is_mac_roman(&self) -> bool {
        // Lines ended by a bare CR are the classic Mac's: nothing on Windows
        // writes them, so one accented letter is enough then.
        let classic_mac = self.cr && !self.lf;
        let least = if classic_mac { 1 } else { 3 };
        self.mac >= least && self.mac > 2 * self.windows
    }
}

/// Mac OS Roman's lower-case accented letters (á à â ä ã å ç é è ê ï ò ö õ ú ù
/// û ü) but for those whose byte is punctuation in Windows-1252 that often
/// follows a word there: ë í ì î (curly quotes, as in "don’t"), ñ ó (dashes),
/// ô (™). Mac files with those letters have others too.
fn is_mac_lower_case_letter(b: u8) -> bool {
    matches!(b, 0x87..=0x90 | 0x95 | 0x98 | 0x9A..=0x9F)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        ];
        for text in cases {
            assert_eq!(guessed(&windows_1252(text), "US"), "windows-1252", "{text}");
        }
    }

    #[test]
    fn other_code_pages_are_left_to_the_detector() {
        let (polish, _, _) =
            encoding_rs::WINDOWS_1250.encode("Imię,Nazwisko\nŁukasz,Wróbel\nŻaneta,Źdźbło\n");
        assert_eq!(guessed(&polish, "PL"), "windows-1250");
    }
}
