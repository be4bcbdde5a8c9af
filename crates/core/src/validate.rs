//! Field validation with messages written for the person at the counter.

use std::str::FromStr;

use phonenumber::country;

use crate::error::{CoreError, Result};

const MAX_TEXT: usize = 500;

/// Trims a free-text value; empty becomes `None`. Refuses over-long text and any
/// full card number hidden in it.
pub fn text(field: &str, value: Option<&str>) -> Result<Option<String>> {
    text_up_to(field, value, MAX_TEXT)
}

/// [`text`] with its own length limit, in characters: a task title is shorter than a
/// name may be, a task's description longer.
pub fn text_up_to(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > max {
        return Err(CoreError::validation(
            field,
            format!("This is too long — keep it under {max} characters"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(CoreError::validation(
            field,
            "This holds invisible control characters — retype it",
        ));
    }
    if contains_card_number(v) {
        return Err(CoreError::validation(
            field,
            "This looks like a full card number. Kith never stores card numbers — remove it",
        ));
    }
    Ok(Some(v.to_owned()))
}

/// [`text`] for a first or last name, which fits on one line: a line break in
/// one is a form pasted into, or a CSV file whose quote was never closed and
/// swallowed the rows after it.
pub fn name(field: &str, value: Option<&str>) -> Result<Option<String>> {
    let v = text(field, value)?;
    if v.as_deref().is_some_and(|v| v.contains(['\n', '\r'])) {
        return Err(CoreError::validation(
            field,
            "A name fits on one line — remove the line break",
        ));
    }
    Ok(v)
}

/// Validates an email address; returns it trimmed.
pub fn email(field: &str, value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let fail = |m: &str| Err(CoreError::validation(field, m));
    if !v.contains('@') {
        return fail("This email address is missing an @");
    }
    if v.chars().any(char::is_whitespace) {
        return fail("An email address can't contain spaces");
    }
    let (_, domain) = v.rsplit_once('@').unwrap_or_default();
    if domain.is_empty() {
        return fail("This email address is missing the part after the @");
    }
    if !domain.contains('.') {
        return fail("The part after the @ needs a dot, like example.com");
    }
    if email_address::EmailAddress::from_str(v).is_err() {
        return fail("This isn't a valid email address");
    }
    Ok(Some(v.to_owned()))
}

/// Parses a phone number in any common format and returns it in E.164, reading
/// numbers without a country code as numbers of `region` (ISO 3166 alpha-2).
pub fn phone(field: &str, value: Option<&str>, region: &str) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let fail = |m: String| Err(CoreError::validation(field, m));
    if v.chars()
        .any(|c| c.is_alphabetic() && !"xXextEXT.".contains(c))
    {
        return fail("A phone number can only hold digits, spaces and + ( ) - .".into());
    }
    if v.chars().filter(char::is_ascii_digit).count() < 4 {
        return fail("This phone number is too short".into());
    }
    if v.to_lowercase().contains("ext") || v.contains('x') || v.contains('X') {
        return fail(
            "Kith stores phone numbers without an extension — put the extension in a note".into(),
        );
    }
    // A number written with its country code is parsed on its own: parsing
    // "+49 151 …" against another default region (US) drops a digit.
    let country = if v.starts_with('+') {
        None
    } else {
        country::Id::from_str(region).ok()
    };
    let parsed = match phonenumber::parse(country, v) {
        Ok(n) => n,
        Err(_) if country.is_none() && !v.starts_with('+') => {
            return fail(
                "Start the number with + and its country code, or set a default region in Settings"
                    .into(),
            );
        }
        Err(_) => return fail("This doesn't look like a phone number".into()),
    };
    if !plausible(&parsed) {
        let hint = if v.starts_with('+') {
            String::new()
        } else {
            format!(" for {region} (start with + and the country code for another country)")
        };
        return fail(format!("This phone number isn't valid{hint}"));
    }
    Ok(Some(
        parsed.format().mode(phonenumber::Mode::E164).to_string(),
    ))
}

/// A number libphonenumber knows as valid, or one with the shape of the country's
/// numbers (its general pattern and length) in a range the metadata does not list
/// yet, such as the US 555 numbers businesses use for testing.
fn plausible(number: &phonenumber::PhoneNumber) -> bool {
    if phonenumber::is_valid(number) {
        return true;
    }
    let national = number.national().to_string();
    // The metadata of the country code's main region (US for +1).
    let Some(meta) = phonenumber::metadata::DATABASE
        .by_code(&number.code().value())
        .and_then(|regions| regions.into_iter().next())
    else {
        return false;
    };
    let general = meta.descriptors().general();
    let lengths = general.possible_length();
    let length_ok = lengths.is_empty() || lengths.contains(&(national.len() as u16));
    // The whole national number must match the pattern, not just a part of it.
    let whole = general
        .national_number()
        .find(&national)
        .is_some_and(|m| m.start() == 0 && m.end() == national.len());
    length_ok && whole
}

pub use kith_protocol::checks::{contains_card_number, is_e164};

/// The cell, or a placeholder when it holds a card number: files Kith writes or
/// shows never repeat one.
pub fn mask_card_numbers(cell: &str) -> String {
    if contains_card_number(cell) {
        "[card number removed]".to_owned()
    } else {
        cell.to_owned()
    }
}

/// Whether `region` is an ISO 3166 region the phone library knows.
pub fn is_region(region: &str) -> bool {
    country::Id::from_str(region).is_ok()
}

/// A Stripe customer id: `cus_` and letters or digits.
pub fn stripe_customer_id(field: &str, value: Option<&str>) -> Result<Option<String>> {
    let v = text(field, value)?;
    if let Some(id) = &v {
        let ok = id.strip_prefix("cus_").is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric())
        });
        if !ok {
            return Err(CoreError::validation(
                field,
                "Stripe customer ids look like cus_ followed by letters and digits",
            ));
        }
    }
    Ok(v)
}

/// An http(s) link.
pub fn web_url(field: &str, value: &str) -> Result<String> {
    let v = text(field, Some(value))?.unwrap_or_default();
    let v = v.as_str();
    let with_scheme = if v.contains("://") {
        v.to_owned()
    } else {
        format!("https://{v}")
    };
    match url::Url::parse(&with_scheme) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some_and(|h| h.contains('.')) =>
        {
            Ok(u.to_string())
        }
        _ => Err(CoreError::validation(
            field,
            "This isn't a web link, like https://instagram.com/name",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<Option<String>>) -> String {
        match r {
            Err(CoreError::Validation { message, .. }) => message,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            email("email", Some(" a@b.co ")).unwrap().as_deref(),
            Some("a@b.co")
        );
        assert_eq!(email("email", Some("")).unwrap(), None);
        assert_eq!(
            message(email("email", Some("not-an-email"))),
            "This email address is missing an @"
        );
        assert!(message(email("email", Some("a@b"))).contains("dot"));
        assert!(message(email("email", Some("a b@c.com"))).contains("spaces"));
        assert!(email("email", Some("a@@b.com")).is_err());
    }

    #[test]
    fn phones_become_e164() {
        assert_eq!(
            phone("mobile_phone", Some("+1 (555) 123-4567"), "US")
                .unwrap()
                .as_deref(),
            Some("+15551234567")
        );
        assert_eq!(
            phone("mobile_phone", Some("(202) 555-0143"), "US")
                .unwrap()
                .as_deref(),
            Some("+12025550143")
        );
        assert_eq!(
            phone("mobile_phone", Some("07700 900123"), "GB")
                .unwrap()
                .as_deref(),
            Some("+447700900123")
        );
        assert_eq!(
            phone("home_phone", Some("030 1234567"), "DE")
                .unwrap()
                .as_deref(),
            Some("+49301234567")
        );
        // With its country code a number keeps every digit, whatever the default
        // region (parsing "+49 151 …" against US used to drop the 1).
        for (typed, region) in [
            ("+49 151 91142049", "US"),
            ("+4915191142049", "GB"),
            ("0151 91142049", "DE"),
            ("0049 151 91142049", "DE"),
        ] {
            assert_eq!(
                phone("mobile_phone", Some(typed), region)
                    .unwrap()
                    .as_deref(),
                Some("+4915191142049"),
                "{typed} in {region}"
            );
        }
        assert_eq!(
            phone("home_phone", Some("+44 (0)20 7946 0958"), "US")
                .unwrap()
                .as_deref(),
            Some("+442079460958"),
            "the UK's (0) trunk notation"
        );
        assert!(message(phone("mobile_phone", Some("12"), "US")).contains("too short"));
        assert!(message(phone("mobile_phone", Some("call me"), "US")).contains("digits"));
        assert!(phone("mobile_phone", Some("+1 000 000 0000"), "US").is_err());
        assert!(
            phone("mobile_phone", Some("+1 202 555 0143 123456"), "US").is_err(),
            "too long"
        );
        assert!(phone("mobile_phone", Some("+44 20 7946 0958 99999"), "GB").is_err());
        assert!(
            message(phone("mobile_phone", Some("+1 202 555 0143 ext 12"), "US"))
                .contains("extension")
        );
        assert!(is_e164("+15551234567"));
        assert!(!is_e164("15551234567"));
        assert!(!is_e164("+1555123456789012"));
    }

    #[test]
    fn card_numbers_are_found_in_any_text() {
        assert!(contains_card_number("4242 4242 4242 4242"));
        assert!(contains_card_number("card: 4111-1111-1111-1111 exp 12/30"));
        assert!(contains_card_number("5555555555554444"));
        assert!(!contains_card_number("4242"));
        assert!(!contains_card_number("4242 4242 4242 4241"), "fails Luhn");
        assert!(!contains_card_number("Order 12345, 2 items"));
        assert!(
            !contains_card_number("1000000000009"),
            "no card network starts with 1"
        );
        assert!(message(text("first_name", Some("Ann\u{0}"))).contains("control"));
        let err = message(text("first_name", Some("4242424242424242")));
        assert!(err.contains("card number"));
    }

    #[test]
    fn a_name_fits_on_one_line() {
        assert_eq!(
            name("first_name", Some("  Zoë  ")).unwrap().as_deref(),
            Some("Zoë")
        );
        assert_eq!(name("first_name", Some(" ")).unwrap(), None);
        for broken in ["Zoë\nMüller", "Zoë\r\nMüller", "Zoë\rMüller"] {
            assert!(
                message(name("first_name", Some(broken))).contains("one line"),
                "{broken:?}"
            );
        }
        // Other text, a street say, may run over lines.
        assert!(text("street", Some("12 Main St\nApt 4")).is_ok());
    }

    #[test]
    fn stripe_ids_and_links() {
        assert!(stripe_customer_id("s", Some("cus_N1x2")).is_ok());
        assert!(stripe_customer_id("s", Some("N1x2")).is_err());
        assert_eq!(
            web_url("url", "instagram.com/zoe").unwrap(),
            "https://instagram.com/zoe"
        );
        assert!(web_url("url", "not a link").is_err());
        assert!(web_url("url", "javascript:alert(1)").is_err());
    }
}
