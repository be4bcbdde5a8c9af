//! A custom field's values: what people type (in the app, on the command line, in a
//! CSV cell) turned into the one stored form of the field's kind, and back into the
//! form people read — which is also what exports write, so a round trip through a
//! spreadsheet gives back the same value.
//!
//! Stored forms: text as typed (trimmed); a number as canonical decimal text
//! ("-1234.5"); money as integer minor units and an ISO 4217 code ("1999 EUR");
//! a date as YYYY-MM-DD; a checkbox as "true" or "false"; a single select as the
//! chosen option's id; a multi select as a JSON array of option ids, sorted (so
//! equal choices are equal text); a URL, email or phone as the shared validators
//! normalise them (phones in E.164, like the built-in phone fields).

use uuid::Uuid;

use super::currency::{minor_digits, split_currency};
use super::model::{CustomField, CustomFieldKind};
use super::number::{canonical_number, format_minor, minor_units, MAX_DIGITS};
use crate::error::CoreError;
use crate::validate;

/// Why a value does not fit its field, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("{0} is required — enter a value")]
    Required(String),
    #[error("“{0}” is not a number — write it like 1234.5")]
    NotANumber(String),
    #[error("“{0}” could be a thousand or a decimal — write it as 1234 or 1.234")]
    AmbiguousNumber(String),
    #[error("This number has too many digits — Kith keeps {MAX_DIGITS} at most")]
    TooManyDigits,
    #[error("“{0}” is not an amount — write it like 19.99 EUR")]
    NotAnAmount(String),
    #[error("This amount is too large")]
    TooLarge,
    #[error("{currency} amounts have at most {digits} decimal places")]
    TooManyDecimals { currency: String, digits: u8 },
    #[error("“{0}” is not a currency Kith knows — use a code like EUR or USD")]
    UnknownCurrency(String),
    #[error("Add the currency, like 19.99 EUR")]
    MissingCurrency,
    #[error("“{0}” is not a date — write it like 2024-05-06")]
    NotADate(String),
    #[error("“{0}” could be two different dates — write it as year-month-day, like 2024-05-06")]
    AmbiguousDate(String),
    #[error("“{0}” is not yes or no")]
    NotYesOrNo(String),
    #[error("“{value}” is not an option of {field} — choose {options}")]
    NotAnOption {
        field: String,
        value: String,
        options: String,
    },
    #[error("{0} takes one option, not several")]
    OneOption(String),
    /// A message of the shared validators (email, phone, link, length, card number).
    #[error("{0}")]
    Invalid(String),
}

impl ValueError {
    /// The error for one custom field, as the core reports it.
    pub fn on(self, field_id: Uuid) -> CoreError {
        CoreError::CustomValue {
            field: format!("custom:{field_id}"),
            source: self,
        }
    }
}

/// Longest long text, in characters (one line of text keeps the usual 500).
pub const MAX_LONG_TEXT: usize = 10_000;

fn invalid(e: CoreError) -> ValueError {
    match e {
        CoreError::Validation { message, .. } => ValueError::Invalid(message),
        other => ValueError::Invalid(other.to_string()),
    }
}

/// The stored form of `input` for `field`; `None` for a blank input. Phone numbers
/// without a country code are read as numbers of `region`.
pub fn parse(field: &CustomField, input: &str, region: &str) -> Result<Option<String>, ValueError> {
    // Every kind: trimmed, no control characters, never a card number.
    let max = match field.kind {
        CustomFieldKind::LongText => MAX_LONG_TEXT,
        _ => 500,
    };
    let Some(text) = validate::text_up_to("value", Some(input), max).map_err(invalid)? else {
        return Ok(None);
    };
    let stored = match field.kind {
        CustomFieldKind::Text | CustomFieldKind::LongText => text,
        CustomFieldKind::Number => canonical_number(&text)?,
        CustomFieldKind::Money => money(&text, field.currency.as_deref())?,
        CustomFieldKind::Date => date(&text)?,
        CustomFieldKind::Checkbox => yes_no(&text)?.to_string(),
        CustomFieldKind::SingleSelect => single(field, &text)?.to_string(),
        CustomFieldKind::MultiSelect => multi(field, &text)?,
        CustomFieldKind::Url => validate::web_url("value", &text).map_err(invalid)?,
        CustomFieldKind::Email => validate::email("value", Some(&text))
            .map_err(invalid)?
            .unwrap_or(text),
        CustomFieldKind::Phone => validate::phone("value", Some(&text), region)
            .map_err(invalid)?
            .unwrap_or(text),
    };
    // The typed text was checked; its stored form is too ("4,242,424,242,424,242"
    // becomes digits a card check recognises). Option ids are ids, not cards.
    if !field.kind.has_options() && validate::contains_card_number(&stored) {
        return Err(ValueError::Invalid(
            "This looks like a full card number. Kith never stores card numbers — remove it".into(),
        ));
    }
    Ok(Some(stored))
}

/// A stored value as people read it (and as [`parse`] reads it back). A value that
/// does not have its kind's stored form (written by a newer version, or before a
/// change of kind) is shown as it is.
pub fn display(field: &CustomField, stored: &str) -> String {
    match field.kind {
        CustomFieldKind::Money => split_money(stored)
            .map(|(units, code, digits)| format!("{} {code}", format_minor(units, digits)))
            .unwrap_or_else(|| stored.to_owned()),
        CustomFieldKind::Checkbox => match stored {
            "true" => "Yes".to_owned(),
            "false" => "No".to_owned(),
            other => other.to_owned(),
        },
        CustomFieldKind::SingleSelect => labels(field, stored).join("; "),
        CustomFieldKind::MultiSelect => labels(field, stored).join("; "),
        _ => stored.to_owned(),
    }
}

/// What the search index holds for a stored value: folded text, and phone digits.
pub fn search_forms(field: &CustomField, stored: &str) -> (Option<String>, Option<String>) {
    use crate::text::{digits, fold};
    match field.kind {
        CustomFieldKind::Text
        | CustomFieldKind::LongText
        | CustomFieldKind::Email
        | CustomFieldKind::Url => (Some(fold(stored)), None),
        CustomFieldKind::SingleSelect | CustomFieldKind::MultiSelect => {
            let labels = labels(field, stored);
            ((!labels.is_empty()).then(|| fold(&labels.join("\n"))), None)
        }
        CustomFieldKind::Phone => (None, Some(digits(stored))),
        // Numbers, amounts, dates and yes/no are filtered on, not searched as words.
        CustomFieldKind::Number
        | CustomFieldKind::Money
        | CustomFieldKind::Date
        | CustomFieldKind::Checkbox => (None, None),
    }
}

pub use kith_protocol::checks::is_option_ids;

/// The option ids a stored select value names (one, or a JSON list).
pub fn option_ids(stored: &str) -> Vec<Uuid> {
    if let Ok(id) = Uuid::parse_str(stored) {
        return vec![id];
    }
    serde_json::from_str::<Vec<String>>(stored)
        .map(|ids| ids.iter().filter_map(|s| Uuid::parse_str(s).ok()).collect())
        .unwrap_or_default()
}

/// The labels of the live options a stored select value names, in option order.
fn labels(field: &CustomField, stored: &str) -> Vec<String> {
    let chosen = option_ids(stored);
    field
        .options
        .iter()
        .filter(|o| chosen.contains(&o.id))
        .map(|o| o.label.clone())
        .collect()
}

/// "1999 EUR" → (1999, "EUR", 2).
pub fn split_money(stored: &str) -> Option<(i64, &str, u8)> {
    let (units, code) = stored.split_once(' ')?;
    Some((units.parse().ok()?, code, minor_digits(code)?))
}

fn money(text: &str, default: Option<&str>) -> Result<String, ValueError> {
    let (code, amount) = split_currency(text, default).map_err(ValueError::UnknownCurrency)?;
    let code = match code.or(default) {
        Some(c) => c,
        None => return Err(ValueError::MissingCurrency),
    };
    let digits = minor_digits(code).ok_or_else(|| ValueError::UnknownCurrency(code.to_owned()))?;
    let units = minor_units(amount, digits, code)?;
    Ok(format!("{units} {code}"))
}

fn date(text: &str) -> Result<String, ValueError> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    use time::{Date, OffsetDateTime, PrimitiveDateTime};

    let iso = format_description!("[year]-[month]-[day]");
    let found = [
        iso,
        format_description!("[year]/[month]/[day]"),
        // Day first with dots is how most of Europe writes dates; never month first.
        format_description!("[day].[month].[year]"),
    ]
    .iter()
    .find_map(|f| Date::parse(text, f).ok())
    .or_else(|| OffsetDateTime::parse(text, &Rfc3339).ok().map(|t| t.date()))
    .or_else(|| {
        let with_time = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        PrimitiveDateTime::parse(text, &with_time)
            .ok()
            .map(|t| t.date())
    });
    match found {
        Some(d) => d
            .format(&iso)
            .map_err(|_| ValueError::NotADate(text.to_owned())),
        // 05/06/2024 is 5 June in Europe and May 6 in the US: never guessed.
        None if text.matches('/').count() == 2 => Err(ValueError::AmbiguousDate(text.to_owned())),
        None => Err(ValueError::NotADate(text.to_owned())),
    }
}

/// Yes and no as spreadsheets and people write them, in the languages Kith's
/// import reads.
fn yes_no(text: &str) -> Result<bool, ValueError> {
    const YES: &[&str] = &[
        "true",
        "yes",
        "y",
        "1",
        "x",
        "✓",
        "✔",
        "checked",
        "on",
        "ja",
        "oui",
        "si",
        "sí",
        "sim",
        "tak",
        "ano",
        "igen",
        "kyllä",
        "wahr",
        "vrai",
        "verdadero",
        "vero",
    ];
    const NO: &[&str] = &[
        "false",
        "no",
        "n",
        "0",
        "unchecked",
        "off",
        "nein",
        "non",
        "nee",
        "nej",
        "nei",
        "ei",
        "nie",
        "ne",
        "nem",
        "não",
        "falsch",
        "faux",
        "falso",
    ];
    let t = text.trim().to_lowercase();
    if YES.contains(&t.as_str()) {
        Ok(true)
    } else if NO.contains(&t.as_str()) {
        Ok(false)
    } else {
        Err(ValueError::NotYesOrNo(text.to_owned()))
    }
}

fn not_an_option(field: &CustomField, value: &str) -> ValueError {
    let labels: Vec<&str> = field.options.iter().map(|o| o.label.as_str()).collect();
    let options = match labels.as_slice() {
        [] => "an option after adding some in Settings".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    };
    ValueError::NotAnOption {
        field: field.name.clone(),
        value: value.to_owned(),
        options,
    }
}

fn single(field: &CustomField, text: &str) -> Result<Uuid, ValueError> {
    if let Some(o) = field.option_by_label(text) {
        return Ok(o.id);
    }
    // An option's id is accepted too: it is what the field stores.
    if let Some(o) = Uuid::parse_str(text).ok().and_then(|id| field.option(id)) {
        return Ok(o.id);
    }
    let parts = split_choices(text);
    if parts.len() > 1 && parts.iter().all(|p| field.option_by_label(p).is_some()) {
        return Err(ValueError::OneOption(field.name.clone()));
    }
    Err(not_an_option(field, text))
}

fn multi(field: &CustomField, text: &str) -> Result<String, ValueError> {
    let parts = match field.option_by_label(text) {
        // A label may itself hold a comma ("Rock, paper"): the whole text first.
        Some(_) => vec![text.to_owned()],
        None => split_choices(text),
    };
    let mut ids: Vec<String> = Vec::with_capacity(parts.len());
    for part in parts {
        let id = match field.option_by_label(&part) {
            Some(o) => o.id,
            None => match Uuid::parse_str(&part).ok().and_then(|id| field.option(id)) {
                Some(o) => o.id,
                None => return Err(not_an_option(field, &part)),
            },
        };
        ids.push(id.to_string());
    }
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Err(not_an_option(field, text));
    }
    serde_json::to_string(&ids).map_err(|e| ValueError::Invalid(e.to_string()))
}

/// Several choices in one cell: "A; B" (what exports write), Google's "A ::: B",
/// or "A, B".
pub fn split_choices(text: &str) -> Vec<String> {
    let sep = if text.contains(';') {
        ";"
    } else if text.contains(" ::: ") {
        " ::: "
    } else {
        ","
    };
    text.split(sep)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::model::FieldOption;
    use super::*;

    fn field(kind: CustomFieldKind) -> CustomField {
        CustomField {
            id: Uuid::from_u128(1),
            name: "Field".into(),
            kind,
            position: 1,
            required: false,
            options: ["Gold", "Silver", "Rock, paper"]
                .iter()
                .enumerate()
                .map(|(i, l)| FieldOption {
                    id: Uuid::from_u128(100 + i as u128),
                    label: (*l).into(),
                })
                .collect(),
            currency: Some("EUR".into()),
        }
    }

    fn p(kind: CustomFieldKind, input: &str) -> Result<Option<String>, ValueError> {
        parse(&field(kind), input, "US")
    }

    /// Stored, then shown, then read back: the same stored value.
    fn round_trips(kind: CustomFieldKind, input: &str, stored: &str, shown: &str) {
        let f = field(kind);
        assert_eq!(p(kind, input).unwrap().as_deref(), Some(stored), "{input}");
        assert_eq!(display(&f, stored), shown);
        assert_eq!(parse(&f, shown, "DE").unwrap().as_deref(), Some(stored));
    }

    #[test]
    fn every_kind_round_trips() {
        use CustomFieldKind::*;
        round_trips(Text, "  Hello ", "Hello", "Hello");
        round_trips(
            LongText,
            "line 1\nline 2",
            "line 1\nline 2",
            "line 1\nline 2",
        );
        round_trips(Number, "1.234,50", "1234.5", "1234.5");
        round_trips(Money, "19,99 €", "1999 EUR", "19.99 EUR");
        round_trips(Money, "$5", "500 USD", "5.00 USD");
        round_trips(Money, "1999", "199900 EUR", "1999.00 EUR");
        round_trips(Money, "JPY 1,500", "1500 JPY", "1500 JPY");
        round_trips(Date, "06.05.2024", "2024-05-06", "2024-05-06");
        round_trips(
            Date,
            "2024-05-06T23:30:00+02:00",
            "2024-05-06",
            "2024-05-06",
        );
        round_trips(Checkbox, "Ja", "true", "Yes");
        round_trips(Checkbox, "0", "false", "No");
        let gold = Uuid::from_u128(100).to_string();
        let silver = Uuid::from_u128(101).to_string();
        round_trips(SingleSelect, "gold", &gold, "Gold");
        round_trips(
            MultiSelect,
            "Silver; GOLD; silver",
            &format!("[\"{gold}\",\"{silver}\"]"),
            "Gold; Silver",
        );
        round_trips(
            Url,
            "acme.com/x",
            "https://acme.com/x",
            "https://acme.com/x",
        );
        round_trips(Email, " a@b.co ", "a@b.co", "a@b.co");
        round_trips(Phone, "+1 (555) 123-4567", "+15551234567", "+15551234567");
    }

    #[test]
    fn blank_is_no_value() {
        for kind in CustomFieldKind::ALL {
            assert_eq!(p(kind, "   "), Ok(None), "{kind:?}");
        }
    }

    #[test]
    fn bad_values_say_why() {
        use CustomFieldKind::*;
        assert_eq!(p(Number, "abc"), Err(ValueError::NotANumber("abc".into())));
        assert_eq!(
            p(Money, "12 XYZ"),
            Err(ValueError::UnknownCurrency("XYZ".into()))
        );
        assert!(matches!(
            p(Money, "0.001 EUR"),
            Err(ValueError::TooManyDecimals { .. })
        ));
        let mut no_currency = field(Money);
        no_currency.currency = None;
        assert_eq!(
            parse(&no_currency, "12", "US"),
            Err(ValueError::MissingCurrency)
        );
        assert_eq!(
            p(Date, "05/06/2024"),
            Err(ValueError::AmbiguousDate("05/06/2024".into()))
        );
        assert_eq!(
            p(Date, "2024-02-30"),
            Err(ValueError::NotADate("2024-02-30".into()))
        );
        assert_eq!(
            p(Checkbox, "maybe"),
            Err(ValueError::NotYesOrNo("maybe".into()))
        );
        let e = p(SingleSelect, "Platinum").unwrap_err();
        assert_eq!(
            e.to_string(),
            "“Platinum” is not an option of Field — choose Gold, Silver or Rock, paper"
        );
        assert_eq!(
            p(SingleSelect, "Gold; Silver"),
            Err(ValueError::OneOption("Field".into()))
        );
        assert!(p(MultiSelect, "Gold; Platinum").is_err());
        assert_eq!(
            p(MultiSelect, "Rock, paper").unwrap(),
            Some(format!("[\"{}\"]", Uuid::from_u128(102)))
        );
        assert!(matches!(p(Email, "nope"), Err(ValueError::Invalid(m)) if m.contains('@')));
        assert!(p(Url, "not a link").is_err());
        assert!(p(Phone, "12").is_err());
        for kind in CustomFieldKind::ALL {
            assert!(
                p(kind, "4242 4242 4242 4242").is_err(),
                "{kind:?} refuses card numbers"
            );
        }
    }

    #[test]
    fn option_ids_are_never_taken_for_card_numbers() {
        use crate::schema::{check_value, Check, ColType, USER_FIELD_VALUES};
        use kith_protocol::Value;
        // Its digit groups spell a Luhn-valid card number.
        let id = "42424242-4242-4242-4242-424242424242";
        assert!(validate::contains_card_number(id));
        assert!(is_option_ids(id));
        assert!(is_option_ids(&format!("[\"{id}\"]")));
        let check = |v: &str| {
            check_value(
                &USER_FIELD_VALUES,
                "value",
                ColType::Text,
                Check::CustomValue,
                &Value::Text(v.into()),
            )
        };
        assert!(check(id).is_ok());
        assert!(check("4242 4242 4242 4242").is_err());
        assert!(matches!(
            p(CustomFieldKind::Number, "4,242,424,242,424,242"),
            Err(ValueError::Invalid(m)) if m.contains("card number")
        ));
    }

    #[test]
    fn search_forms_by_kind() {
        use CustomFieldKind::*;
        assert_eq!(
            search_forms(&field(Text), "Zoë"),
            (Some("zoe".into()), None)
        );
        assert_eq!(
            search_forms(&field(Phone), "+15551234567"),
            (None, Some("15551234567".into()))
        );
        assert_eq!(
            search_forms(&field(SingleSelect), &Uuid::from_u128(100).to_string()),
            (Some("gold".into()), None)
        );
        assert_eq!(search_forms(&field(Money), "1999 EUR"), (None, None));
    }
}
