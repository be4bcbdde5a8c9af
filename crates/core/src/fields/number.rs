//! Decimal numbers as people type them ("1,234.5", "1.234,5", "12,5", "-3") turned
//! into one canonical text ("1234.5"), and money amounts into integer minor units.
//! No floats anywhere: a value read back is exactly the value typed.

use super::value::ValueError;

/// A decimal split into its parts: sign, integer digits (no leading zeros) and
/// fraction digits (no trailing zeros).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    pub negative: bool,
    pub int: String,
    pub frac: String,
}

/// Most significant digits a number field keeps.
pub const MAX_DIGITS: usize = 30;

impl Decimal {
    /// "-1234.5", "0", "0.25": the stored form.
    pub fn canonical(&self) -> String {
        let int = if self.int.is_empty() { "0" } else { &self.int };
        let sign = if self.negative && !self.is_zero() {
            "-"
        } else {
            ""
        };
        if self.frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{}", self.frac)
        }
    }

    fn is_zero(&self) -> bool {
        self.int.is_empty() && self.frac.is_empty()
    }
}

/// Which of '.' and ',' separates the decimals when only one kind appears once and
/// is followed by exactly three digits ("1,234"): decided by the caller, because a
/// money amount knows its currency's decimals and a plain number does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ambiguous {
    /// Refuse it: the person must say.
    Refuse,
    /// It separates thousands (a currency with fewer than three decimals).
    Grouping,
}

/// Parses a decimal written with any common separators: spaces, apostrophes and
/// underscores group thousands; with both '.' and ',' present the last one is the
/// decimal separator; one kind appearing several times groups thousands; a single
/// '.' is a decimal point; a single ',' is a decimal comma unless three digits
/// follow it, which `three` decides.
pub fn parse_decimal(text: &str, three: Ambiguous) -> Result<Decimal, ValueError> {
    let not_a_number = || ValueError::NotANumber(text.trim().to_owned());
    let mut s: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’' | '_'))
        .collect();
    // Accounting negatives: "(12.50)".
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') && s.len() > 2 {
        negative = true;
        s = s[1..s.len() - 1].to_owned();
    }
    let body = if let Some(rest) = s.strip_prefix(['-', '−']) {
        negative = !negative;
        rest
    } else {
        s.strip_prefix('+').unwrap_or(&s)
    };
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(not_a_number());
    }
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let decimal_sep = match (dots, commas) {
        (0, 0) => None,
        (_, 0) if dots > 1 => None,
        (0, _) if commas > 1 => None,
        (1, 0) | (0, 1) => {
            let sep = if dots == 1 { '.' } else { ',' };
            let at = body.find(sep).unwrap_or(0);
            let looks_grouped =
                body.len() - at - 1 == 3 && (1..=3).contains(&at) && !body.starts_with('0');
            match (looks_grouped, three, sep) {
                (false, _, _) => Some(sep),
                (true, Ambiguous::Grouping, _) => None,
                // Programs write decimal points: "12.345" is twelve and a bit.
                (true, Ambiguous::Refuse, '.') => Some('.'),
                (true, Ambiguous::Refuse, _) => {
                    return Err(ValueError::AmbiguousNumber(text.trim().to_owned()))
                }
            }
        }
        _ => {
            // Both: the one that comes last separates the decimals, and must be alone.
            let last_dot = body.rfind('.');
            let last_comma = body.rfind(',');
            let sep = if last_dot > last_comma { '.' } else { ',' };
            if body.matches(sep).count() > 1 {
                return Err(not_a_number());
            }
            Some(sep)
        }
    };
    let (int_part, frac_part) = match decimal_sep {
        Some(sep) => body.split_once(sep).ok_or_else(not_a_number)?,
        None => (body, ""),
    };
    let grouping = |part: &str| -> Result<String, ValueError> {
        // Grouped digits come in threes after the first group.
        let groups: Vec<&str> = part.split(['.', ',']).collect();
        if groups.len() > 1
            && (groups[0].is_empty()
                || groups[0].len() > 3
                || groups[1..].iter().any(|g| g.len() != 3))
        {
            return Err(not_a_number());
        }
        Ok(groups.concat())
    };
    let int = grouping(int_part)?;
    if !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return Err(not_a_number());
    }
    if int.is_empty() && frac_part.is_empty() {
        return Err(not_a_number());
    }
    let int = int.trim_start_matches('0').to_owned();
    let frac = frac_part.trim_end_matches('0').to_owned();
    if int.len() + frac.len() > MAX_DIGITS {
        return Err(ValueError::TooManyDigits);
    }
    Ok(Decimal {
        negative,
        int,
        frac,
    })
}

/// A canonical number: what [`parse_decimal`] stores.
pub fn canonical_number(text: &str) -> Result<String, ValueError> {
    parse_decimal(text, Ambiguous::Refuse).map(|d| d.canonical())
}

/// An amount in `digits`-decimal minor units ("19.99" with 2 → 1999).
pub fn minor_units(amount: &str, digits: u8, currency: &str) -> Result<i64, ValueError> {
    let three = if digits < 3 {
        Ambiguous::Grouping
    } else {
        Ambiguous::Refuse
    };
    let d = parse_decimal(amount, three).map_err(|e| match e {
        ValueError::NotANumber(s) => ValueError::NotAnAmount(s),
        other => other,
    })?;
    if d.frac.len() > usize::from(digits) {
        return Err(ValueError::TooManyDecimals {
            currency: currency.to_owned(),
            digits,
        });
    }
    let mut units = d.int.clone();
    units.push_str(&d.frac);
    units.extend(std::iter::repeat_n('0', usize::from(digits) - d.frac.len()));
    let magnitude: i64 = if units.trim_start_matches('0').is_empty() {
        0
    } else {
        units.parse().map_err(|_| ValueError::TooLarge)?
    };
    Ok(if d.negative { -magnitude } else { magnitude })
}

/// Minor units back as a decimal amount with all its places: 1999, 2 → "19.99".
pub fn format_minor(units: i64, digits: u8) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs().to_string();
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    let d = usize::from(digits);
    let padded = format!("{abs:0>width$}", width = d + 1);
    let (int, frac) = padded.split_at(padded.len() - d);
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Result<String, ValueError> {
        canonical_number(s)
    }

    #[test]
    fn numbers_in_every_common_notation() {
        for (typed, stored) in [
            ("12", "12"),
            ("-3", "-3"),
            ("+7", "7"),
            ("007", "7"),
            ("12.50", "12.5"),
            ("12,5", "12.5"),
            ("0,125", "0.125"),
            ("1,234.5", "1234.5"),
            ("1.234,5", "1234.5"),
            ("1.234.567", "1234567"),
            ("1,234,567", "1234567"),
            ("1 234 567,89", "1234567.89"),
            ("1'234.5", "1234.5"),
            ("12.345", "12.345"),
            (".5", "0.5"),
            ("-0", "0"),
            ("(12.5)", "-12.5"),
        ] {
            assert_eq!(n(typed).as_deref(), Ok(stored), "{typed}");
        }
    }

    #[test]
    fn what_is_not_a_number_is_refused() {
        for bad in ["", "abc", "1.2.3,4,5", "12a", "1,23,4", "--1", "1e5", "."] {
            assert!(n(bad).is_err(), "{bad}");
        }
        assert_eq!(n("1,234"), Err(ValueError::AmbiguousNumber("1,234".into())));
        assert_eq!(n(&"9".repeat(31)), Err(ValueError::TooManyDigits));
    }

    #[test]
    fn money_in_minor_units() {
        assert_eq!(minor_units("19.99", 2, "EUR"), Ok(1999));
        assert_eq!(minor_units("19,9", 2, "EUR"), Ok(1990));
        assert_eq!(minor_units("1,234", 2, "USD"), Ok(123_400), "grouping");
        assert_eq!(minor_units("1.234", 2, "EUR"), Ok(123_400), "grouping");
        assert_eq!(minor_units("1999", 0, "JPY"), Ok(1999));
        assert_eq!(minor_units("-0.5", 2, "EUR"), Ok(-50));
        assert_eq!(
            minor_units("1.999", 0, "JPY"),
            Ok(1999),
            "no decimals at all: grouping"
        );
        assert!(matches!(
            minor_units("0.001", 2, "EUR"),
            Err(ValueError::TooManyDecimals { .. })
        ));
        assert_eq!(
            minor_units("99999999999999999999", 2, "EUR"),
            Err(ValueError::TooLarge)
        );
        assert_eq!(format_minor(1999, 2), "19.99");
        assert_eq!(format_minor(-5, 2), "-0.05");
        assert_eq!(format_minor(1999, 0), "1999");
        assert_eq!(format_minor(1, 3), "0.001");
    }
}
