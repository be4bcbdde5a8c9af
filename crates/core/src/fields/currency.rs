//! ISO 4217 currencies: which codes exist and how many decimal places (minor
//! units) each has, so "19.99 EUR" is 1999 cents and "1999 JPY" is 1999 yen.

use kith_protocol::checks::CURRENCIES;

pub use kith_protocol::checks::minor_digits;

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
