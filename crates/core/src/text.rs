//! Text folding for search and sorting: lower case, accents removed, so "muller"
//! finds "Müller" and "angstrom" finds "Ångström".

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Folds `s` to its accent-free lower-case search form. Marks are removed from
/// Latin and Greek letters (é → e, ά → α); in other scripts (Cyrillic й,
/// Devanagari) they are part of the letter and stay.
///
/// Ids derive from it (a note's tag, a select field's option: the same on every
/// device), so what it makes of a name must not change. The Greek final sigma
/// stays ς here: the search indexes' tokenizers fold it to σ themselves, and
/// [`match_key`] does for comparisons.
pub fn fold(s: &str) -> String {
    // Most names and every plain email are ASCII, which has nothing to decompose:
    // a search key per imported user made this a twentieth of an import.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    let mut after_foldable = false;
    for c in s.nfkd() {
        if is_combining_mark(c) {
            if !after_foldable {
                out.push(c);
            }
            continue;
        }
        after_foldable = has_removable_marks(c);
        // Letters that carry their "accent" in the base glyph do not decompose.
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ø' | 'Ø' => out.push('o'),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out.nfc().collect()
}

/// `s` folded to be compared with other text where no id derives from the
/// result: [`fold`], and the Greek final sigma as σ. Σ lowers to σ wherever it
/// stands, so "ΠΕΛΑΤΗΣ" and "Πελάτης" are one word only this way.
pub fn match_key(s: &str) -> String {
    let folded = fold(s);
    if folded.contains('ς') {
        folded.replace('ς', "σ")
    } else {
        folded
    }
}

fn has_removable_marks(c: char) -> bool {
    matches!(c, 'A'..='Z' | 'a'..='z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}'
        | '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}')
}

/// The ASCII digits of `s`, in order.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(fold("Zoë Müller"), "zoe muller");
        assert_eq!(fold("John O'Neil-SMITH"), "john o'neil-smith");
        assert_eq!(fold("Ångström"), "angstrom");
        assert_eq!(fold("Łukasz Øster Straße"), "lukasz oster strasse");
        assert_eq!(fold("ÇA"), "ca");
        assert_eq!(fold("Ελένη"), "ελενη");
    }

    #[test]
    fn match_keys_do_not_tell_greek_sigmas_apart() {
        assert_eq!(match_key("ΠΕΛΑΤΗΣ"), match_key("Πελάτης"));
        assert_eq!(match_key("Σωκράτης"), "σωκρατησ");
        assert_eq!(fold("Πελάτης"), "πελατης", "ids keep what they were");
    }

    #[test]
    fn keeps_non_latin_scripts() {
        assert_eq!(fold("Дмитрий"), "дмитрий");
        assert_eq!(fold("北京"), "北京");
    }

    #[test]
    fn digits_ignore_formatting() {
        assert_eq!(digits("+1 (555) 123-4567"), "15551234567");
    }
}
