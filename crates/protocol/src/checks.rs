//! Value checks the schema registry applies on both sides of the wire: pure
//! functions, so the desktop and the server refuse exactly the same values.

use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

/// A phone number in E.164: `+` and 8 to 15 digits.
pub fn is_e164(s: &str) -> bool {
    s.strip_prefix('+')
        .is_some_and(|d| (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// A SHA-256 as 64 lower-case hex digits.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether a custom field's stored value is a select's option ids: one canonical
/// UUID, or a non-empty JSON list of them.
pub fn is_option_ids(stored: &str) -> bool {
    let canonical = |s: &str| Uuid::parse_str(s).is_ok_and(|u| u.to_string() == s);
    canonical(stored)
        || serde_json::from_str::<Vec<String>>(stored)
            .is_ok_and(|ids| !ids.is_empty() && ids.iter().all(|s| canonical(s)))
}

/// Minor-unit digits of an ISO 4217 code Kith knows.
pub fn minor_digits(code: &str) -> Option<u8> {
    CURRENCIES
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| CURRENCIES[i].1)
}

/// Active ISO 4217 codes with their minor-unit digits, sorted by code. Funds codes
/// (CHE, CLF, …) are left out: nobody is charged in them at a shop counter.
pub const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("UYU", 2),
    ("UZS", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XCG", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

/// Whether `s` holds a full card number, which Kith never stores: 13–19 digits
/// that start like a payment card (2–6: Mastercard, Amex, Visa, Discover, …) and
/// pass the Luhn check, written plain or in groups split by single spaces, dashes,
/// dots or slashes, full-width digits included. Numbers are looked for at group
/// boundaries, so "ref 1 4242 4242 4242 4242" is caught while a long tracking
/// number is not taken apart.
pub fn contains_card_number(s: &str) -> bool {
    // Every cell of an import passes here. ASCII text needs no normalizing, and
    // with fewer than 13 digits cannot hold a card number.
    if s.is_ascii() && s.bytes().filter(u8::is_ascii_digit).count() < 13 {
        return false;
    }
    let normalized: String = s.nfkc().collect();
    let mut groups: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let check_run = |groups: &mut Vec<Vec<u8>>| {
        let hit = run_has_card(groups);
        groups.clear();
        hit
    };
    let chars: Vec<char> = normalized.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if let Some(d) = c.to_digit(10).filter(|_| c.is_ascii_digit()) {
            current.push(d as u8);
            continue;
        }
        let separator = matches!(c, ' ' | '-' | '.' | '/')
            && !current.is_empty()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if !current.is_empty() {
            groups.push(std::mem::take(&mut current));
        }
        if !separator && check_run(&mut groups) {
            return true;
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    check_run(&mut groups)
}

/// Whether consecutive digit groups, taken whole, spell a card number.
fn run_has_card(groups: &[Vec<u8>]) -> bool {
    for start in 0..groups.len() {
        let mut digits: Vec<u8> = Vec::new();
        for group in &groups[start..] {
            digits.extend_from_slice(group);
            if digits.len() > 19 {
                break;
            }
            if digits.len() >= 13 && (2..=6).contains(&digits[0]) && luhn(&digits) {
                return true;
            }
        }
    }
    false
}

fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}
