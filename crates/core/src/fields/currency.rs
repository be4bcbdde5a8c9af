//! ISO 4217 currencies: which codes exist and how many decimal places (minor
//! units) each has, so "19.99 EUR" is 1999 cents and "1999 JPY" is 1999 yen.

/// Active ISO 4217 codes with their minor-unit digits, sorted by code. Funds codes
/// (CHE, CLF, …) are left out: nobody is charged in them at a shop counter.
const CURRENCIES: &[(&str, u8)] = &[
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

/// The decimal places of `code`'s minor unit, or `None` for a code Kith does not
/// know. Codes are upper case, exactly as stored.
pub fn minor_digits(code: &str) -> Option<u8> {
    CURRENCIES
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| CURRENCIES[i].1)
}

/// Every code Kith knows, in order.
pub fn codes() -> impl Iterator<Item = &'static str> {
    CURRENCIES.iter().map(|(c, _)| *c)
}

/// Currency signs people type before or after an amount, with the codes each can
/// stand for, most common first. "$" and "kr" are shared: the field's own
/// currency is preferred when it is one of them.
const SIGNS: &[(&str, &[&str])] = &[
    ("€", &["EUR"]),
    ("£", &["GBP"]),
    ("US$", &["USD"]),
    ("C$", &["CAD"]),
    ("A$", &["AUD"]),
    ("NZ$", &["NZD"]),
    ("R$", &["BRL"]),
    ("$", &["USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD"]),
    ("¥", &["JPY", "CNY"]),
    ("₹", &["INR"]),
    ("₩", &["KRW"]),
    ("₽", &["RUB"]),
    ("₺", &["TRY"]),
    ("₪", &["ILS"]),
    ("₫", &["VND"]),
    ("฿", &["THB"]),
    ("₴", &["UAH"]),
    ("₦", &["NGN"]),
    ("zł", &["PLN"]),
    ("kč", &["CZK"]),
    ("ft", &["HUF"]),
    ("fr.", &["CHF"]),
    ("fr", &["CHF"]),
    ("kr.", &["DKK", "NOK", "SEK", "ISK"]),
    ("kr", &["SEK", "NOK", "DKK", "ISK"]),
];

/// Splits a currency off the start or end of `text`: a code ("EUR") or a sign ("€"),
/// with `preferred` chosen among the codes a shared sign stands for. Returns the
/// currency (if any) and the rest, trimmed; `Err` with the unknown code when the
/// text names a three-letter code Kith does not know.
pub fn split_currency<'t>(
    text: &'t str,
    preferred: Option<&str>,
) -> Result<(Option<&'static str>, &'t str), String> {
    let text = text.trim();
    // A code: three letters before or after the amount.
    let letters = |s: &str| s.len() == 3 && s.chars().all(|c| c.is_ascii_alphabetic());
    if let Some((head, rest)) = text.split_once(char::is_whitespace) {
        if letters(head) {
            return known(head).map(|c| (Some(c), rest.trim()));
        }
    }
    if let Some((rest, tail)) = text.rsplit_once(char::is_whitespace) {
        if letters(tail) {
            return known(tail).map(|c| (Some(c), rest.trim()));
        }
    }
    // "EUR19.99", "19.99EUR".
    if text.len() > 3 && text.is_char_boundary(3) && letters(&text[..3]) {
        if let Some(c) = code(&text[..3]) {
            return Ok((Some(c), text[3..].trim()));
        }
    }
    if text.len() > 3 && text.is_char_boundary(text.len() - 3) && letters(&text[text.len() - 3..]) {
        if let Some(c) = code(&text[text.len() - 3..]) {
            return Ok((Some(c), text[..text.len() - 3].trim()));
        }
    }
    let lower = text.to_lowercase();
    for (sign, candidates) in SIGNS {
        let pick = || {
            preferred
                .and_then(|p| candidates.iter().find(|c| **c == p))
                .copied()
                .unwrap_or(candidates[0])
        };
        // Lower-casing keeps these signs' byte lengths, so offsets carry over.
        if lower.starts_with(sign) && lower.len() == text.len() {
            return Ok((Some(pick()), text[sign.len()..].trim()));
        }
        if lower.ends_with(sign) && lower.len() == text.len() {
            let rest = &text[..text.len() - sign.len()];
            return Ok((Some(pick()), rest.trim()));
        }
    }
    Ok((None, text))
}

fn code(s: &str) -> Option<&'static str> {
    let upper = s.to_ascii_uppercase();
    CURRENCIES
        .iter()
        .find(|(c, _)| *c == upper)
        .map(|(c, _)| *c)
}

fn known(s: &str) -> Result<&'static str, String> {
    code(s).ok_or_else(|| s.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_knows_exponents() {
        assert!(CURRENCIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(minor_digits("EUR"), Some(2));
        assert_eq!(minor_digits("JPY"), Some(0));
        assert_eq!(minor_digits("KWD"), Some(3));
        assert_eq!(minor_digits("eur"), None);
        assert_eq!(minor_digits("XYZ"), None);
    }

    #[test]
    fn currencies_are_split_off() {
        assert_eq!(
            split_currency("19.99 EUR", None),
            Ok((Some("EUR"), "19.99"))
        );
        assert_eq!(
            split_currency("eur 19.99", None),
            Ok((Some("EUR"), "19.99"))
        );
        assert_eq!(split_currency("€19,99", None), Ok((Some("EUR"), "19,99")));
        assert_eq!(split_currency("19,99 €", None), Ok((Some("EUR"), "19,99")));
        assert_eq!(split_currency("$5", None), Ok((Some("USD"), "5")));
        assert_eq!(split_currency("$5", Some("CAD")), Ok((Some("CAD"), "5")));
        assert_eq!(
            split_currency("100 kr", Some("NOK")),
            Ok((Some("NOK"), "100"))
        );
        assert_eq!(split_currency("12.5", None), Ok((None, "12.5")));
        assert_eq!(split_currency("12 ABC", None), Err("ABC".into()));
    }
}
