//! One CSV row turned into a user, validated cell by cell. Every bad value is
//! reported with its row, column and reason — never dropped, never "fixed" into
//! something else.

use std::collections::BTreeMap;

use csv::StringRecord;
use serde::Serialize;
use uuid::Uuid;

use super::mapping::Target;
use super::photo::{Photo, PhotoCell};
use super::source::{Refusal, Row};
use super::vcard::CardProblem;
use crate::error::CoreError;
use crate::export::restore_formula;
use crate::users::{AddressInput, UserRecord};
use crate::validate;
use crate::validate::mask_card_numbers;

/// One rejected value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export, rename = "ImportCellError")]
pub struct CellError {
    /// The row as a spreadsheet shows the file: its first line is row 1, and
    /// blank lines are rows too (a value running over several lines is one row).
    #[ts(type = "number")]
    pub row: u64,
    /// The column's header as written in the file.
    pub column: String,
    pub message: String,
}

/// A row ready to be matched and written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportedUser {
    /// The row's number in the file, as errors name it.
    pub row: u64,
    pub record: UserRecord,
    pub address: Option<AddressInput>,
    pub teams: Vec<String>,
    pub created_at: Option<i64>,
    pub kith_id: Option<Uuid>,
    /// (custom field name, value in the field's stored form) pairs.
    pub custom: Vec<(String, String)>,
    /// The profile photo the row holds.
    pub photo: Option<Photo>,
    /// The row's photo is a link or a picture file's name, not in the file and
    /// not fetched (see [`super::photo`]).
    pub photo_link: bool,
}

/// Reads rows under one mapping.
pub struct RowReader<'a> {
    pub headers: &'a [String],
    pub targets: &'a [Target],
    /// Region for phone numbers without a country code.
    pub region: &'a str,
    /// The workspace's custom fields: a column mapped to one is read as its kind.
    pub fields: &'a crate::fields::Catalog,
}

/// Google joins several values of one field with " ::: ".
const MULTI: &str = " ::: ";

/// Why a row that names nobody cannot be imported. It is refused only when it
/// would create a user: a row matching a user updates them without a name
/// (a file of emails and tags, imported to tag existing customers).
pub const NAMELESS: &str = "This row has no first or last name, and matches no user to update";
/// [`NAMELESS`] where the import only creates users.
pub const NAMELESS_NEW: &str = "This row has no first or last name";

/// Why a report's footer line is not imported (the end of its message).
pub const FOOTER: &str = "looks like the report's footer, not a customer";

/// Characters of a row's value quoted in a message about the whole row.
const QUOTED: usize = 60;

impl RowReader<'_> {
    /// The user in a row of the file, or every problem with it.
    pub fn read_row(&self, row: &Row<'_>) -> Result<ImportedUser, Vec<CellError>> {
        let Some(refused) = &row.refused else {
            return self.read(row.number, row.cells);
        };
        let quoted = || {
            let value = row.cells.iter().map(str::trim).find(|c| !c.is_empty());
            let mut value = mask_card_numbers(value.unwrap_or_default());
            if let Some((cut, _)) = value.char_indices().nth(QUOTED) {
                value.truncate(cut);
                value.push('…');
            }
            value
        };
        let limit = super::shape::MAX_ROW_BYTES >> 20;
        let message = match refused {
            Refusal::Footer => format!("“{}”, alone below the last customer, {FOOTER}", quoted()),
            Refusal::Card(CardProblem::Unclosed) => "This card has no END:VCARD line: the file \
                 may have been cut short here, and the card with it. Check the contact and \
                 import it again."
                .to_owned(),
            Refusal::Card(CardProblem::TooLong { line }) => format!(
                "This card holds more than {limit} MB from line {line} on, so that was not \
                 read. Check the contact and import it again."
            ),
            Refusal::Group(problem) => {
                let why = match problem {
                    CardProblem::TooLong { line } => format!(
                        "is too long to read whole (more than {} members, or {limit} MB of \
                         other lines) from line {line} on",
                        super::vcard::MAX_MEMBERS
                    ),
                    _ => "has no END:VCARD line: the file may have been cut short here".to_owned(),
                };
                format!(
                    "The contact group “{}” {why}, so it may list more members than were \
                     given its name. Check the group in its app.",
                    quoted()
                )
            }
            Refusal::Card(CardProblem::Outside { lines }) => format!(
                "{} outside any card (not between BEGIN:VCARD and END:VCARD), so {} not \
                 read. Check the file here: a card may have lost its BEGIN:VCARD line.",
                if *lines == 1 {
                    "This line is".to_owned()
                } else {
                    format!("These {lines} lines are")
                },
                if *lines == 1 { "it was" } else { "they were" },
            ),
        };
        Err(vec![CellError {
            row: row.number,
            column: String::new(),
            message,
        }])
    }

    /// The user in `cells` (data row `row`), or every problem with it.
    pub fn read(&self, row: u64, cells: &StringRecord) -> Result<ImportedUser, Vec<CellError>> {
        let mut out = ImportedUser {
            row,
            ..ImportedUser::default()
        };
        let mut errors = Vec::new();
        let mut address = AddressInput::default();
        let mut full_name: Option<(usize, String)> = None;
        let mut generic_phones: Vec<(usize, String)> = Vec::new();
        let mut slots: BTreeMap<u32, PhoneSlot> = BTreeMap::new();

        for (i, target) in self.targets.iter().enumerate() {
            let Some(cell) = cells
                .get(i)
                .map(|c| restore_formula(c.trim()))
                .filter(|c| !c.is_empty())
            else {
                continue;
            };
            let fail = |e: CoreError| CellError {
                row,
                column: self.headers.get(i).cloned().unwrap_or_default(),
                message: message_of(e),
            };
            let text = |v: &str| validate::text("cell", Some(v)).map_err(fail);
            let name = |v: &str| validate::name("cell", Some(v)).map_err(fail);
            let outcome: Result<(), CellError> = (|| {
                match target {
                    Target::Ignore => {}
                    Target::FirstName => out.record.first_name = name(cell)?,
                    Target::LastName => out.record.last_name = name(cell)?,
                    Target::FullName => full_name = name(cell)?.map(|n| (i, n)),
                    Target::Email => {
                        let first = first_value(cell);
                        out.record.email = validate::email("email", Some(first)).map_err(fail)?;
                    }
                    Target::MobilePhone => {
                        out.record.mobile_phone = self.phone(first_value(cell)).map_err(fail)?;
                    }
                    Target::HomePhone => {
                        out.record.home_phone = self.phone(first_value(cell)).map_err(fail)?;
                    }
                    Target::Phone => generic_phones.push((i, first_value(cell).to_owned())),
                    Target::PhoneType { slot } => {
                        slots.entry(*slot).or_default().0 = Some(cell.to_lowercase())
                    }
                    Target::PhoneValue { slot } => {
                        slots.entry(*slot).or_default().1 = Some((i, first_value(cell).to_owned()));
                    }
                    Target::AppUserId => out.record.app_user_id = text(cell)?,
                    Target::StripeCustomerId => {
                        out.record.stripe_customer_id =
                            validate::stripe_customer_id("stripe", Some(cell)).map_err(fail)?;
                    }
                    Target::Street => address.street = text(cell)?.unwrap_or_default(),
                    Target::City => address.city = text(cell)?.unwrap_or_default(),
                    Target::Region => address.region = text(cell)?.unwrap_or_default(),
                    Target::PostalCode => address.postal_code = text(cell)?.unwrap_or_default(),
                    Target::Country => address.country = text(cell)?.unwrap_or_default(),
                    Target::Teams => {
                        text(cell)?;
                        out.teams.extend(team_names(cell));
                    }
                    Target::CreatedAt => {
                        out.created_at = Some(parse_date(cell).ok_or_else(|| CellError {
                            row,
                            column: self.headers.get(i).cloned().unwrap_or_default(),
                            message: format!(
                                "\"{cell}\" is not a date Kith reads — use 2024-05-06"
                            ),
                        })?);
                    }
                    Target::Custom { name } => {
                        let value = match self.fields.by_name(name) {
                            Some(field) => crate::fields::value::parse(field, cell, self.region)
                                .map_err(|e| CellError {
                                    row,
                                    column: self.headers.get(i).cloned().unwrap_or_default(),
                                    message: e.to_string(),
                                })?,
                            // A field the import creates holds text.
                            None => text(cell)?,
                        };
                        if let Some(value) = value {
                            out.custom.push((name.clone(), value));
                        }
                    }
                    Target::Photo => {
                        match super::photo::read(cell).map_err(|message| CellError {
                            row,
                            column: self.headers.get(i).cloned().unwrap_or_default(),
                            message,
                        })? {
                            PhotoCell::Photo(photo) => out.photo = Some(photo),
                            PhotoCell::Elsewhere => out.photo_link = true,
                        }
                    }
                    Target::KithId => {
                        out.kith_id = Some(Uuid::parse_str(cell).map_err(|_| CellError {
                            row,
                            column: self.headers.get(i).cloned().unwrap_or_default(),
                            message: "This is not a Kith id".into(),
                        })?);
                    }
                }
                Ok(())
            })();
            if let Err(e) = outcome {
                errors.push(e);
            }
        }

        // Typed phone pairs, then untyped phones: mobile first, then home.
        for (kind, value) in slots.into_values() {
            let Some((i, value)) = value else { continue };
            let kind = kind.unwrap_or_default();
            let home =
                kind.contains("home") || kind.contains("privat") || kind.contains("domicile");
            let mobile = ["mobile", "cell", "handy", "portable", "movil", "móvil"]
                .iter()
                .any(|k| kind.contains(k));
            match (mobile, home) {
                (true, _) => self.set_phone(&mut out, Slot::Mobile, row, i, &value, &mut errors),
                (_, true) => self.set_phone(&mut out, Slot::Home, row, i, &value, &mut errors),
                _ => generic_phones.push((i, value)),
            }
        }
        for (i, value) in generic_phones {
            let slot = if out.record.mobile_phone.is_none() {
                Slot::Mobile
            } else {
                Slot::Home
            };
            self.set_phone(&mut out, slot, row, i, &value, &mut errors);
        }

        if let Some((_, name)) = full_name {
            if out.record.first_name.is_none() && out.record.last_name.is_none() {
                let (first, last) = split_name(&name);
                out.record.first_name = first;
                out.record.last_name = last;
            }
        }
        if !address.street.is_empty() || !address.city.is_empty() {
            out.address = Some(address);
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    fn phone(&self, value: &str) -> Result<Option<String>, CoreError> {
        validate::phone("phone", Some(value), self.region)
    }

    fn set_phone(
        &self,
        out: &mut ImportedUser,
        slot: Slot,
        row: u64,
        i: usize,
        value: &str,
        errors: &mut Vec<CellError>,
    ) {
        match self.phone(value) {
            Ok(v) => {
                let field = match slot {
                    Slot::Mobile => &mut out.record.mobile_phone,
                    Slot::Home => &mut out.record.home_phone,
                };
                if field.is_none() {
                    *field = v;
                }
            }
            Err(e) => errors.push(CellError {
                row,
                column: self.headers.get(i).cloned().unwrap_or_default(),
                message: message_of(e),
            }),
        }
    }
}

enum Slot {
    Mobile,
    Home,
}

/// A numbered phone of Google's export: its kind (lower case), and its value
/// with the column it came from.
type PhoneSlot = (Option<String>, Option<(usize, String)>);

fn message_of(e: CoreError) -> String {
    match e {
        CoreError::Validation { message, .. } => message,
        other => other.to_string(),
    }
}

/// The first of several values joined by Google's " ::: ".
fn first_value(cell: &str) -> &str {
    cell.split(MULTI).next().unwrap_or(cell).trim()
}

/// Team names from a cell: "VIP ::: Wholesale", "VIP; Wholesale", "\"VIP\",\"News\"",
/// and "Smith, Jones :::" (one team: a vCard's lone category that holds a comma).
/// Google's system groups ("* myContacts", "* starred") are not teams.
fn team_names(cell: &str) -> Vec<String> {
    if let Some(one) = cell.strip_suffix(" :::") {
        return team_names(&format!("{one}{MULTI}"));
    }
    let separator = if cell.contains(MULTI) {
        MULTI
    } else if cell.contains(';') {
        ";"
    } else {
        ","
    };
    cell.split(separator)
        .map(|t| t.trim().trim_matches('"').trim())
        .filter(|t| !t.is_empty() && !t.starts_with('*'))
        .map(str::to_owned)
        .collect()
}

/// "Zoë van der Berg" → ("Zoë van der", "Berg") would be wrong for particles, so
/// the first word is the first name and the rest the last name.
fn split_name(name: &str) -> (Option<String>, Option<String>) {
    let mut words = name.split_whitespace();
    let first = words.next().map(str::to_owned);
    let rest = words.collect::<Vec<_>>().join(" ");
    (first, (!rest.is_empty()).then_some(rest))
}

/// Milliseconds since the epoch from the date forms exports use: ISO 8601 (with or
/// without time and offset), Shopify's "2024-05-06 10:00:00 +0200", and the
/// day-first "06.05.2024" of European spreadsheets. Ambiguous slashed dates
/// (05/06/2024) are refused rather than guessed.
pub fn parse_date(s: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    use time::{Date, OffsetDateTime, PrimitiveDateTime};

    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some((t.unix_timestamp_nanos() / 1_000_000) as i64);
    }
    let with_offset = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]"
    );
    if let Ok(t) = OffsetDateTime::parse(s, &with_offset) {
        return Some((t.unix_timestamp_nanos() / 1_000_000) as i64);
    }
    let local = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    if let Ok(t) = PrimitiveDateTime::parse(s, &local) {
        return Some((t.assume_utc().unix_timestamp_nanos() / 1_000_000) as i64);
    }
    for f in [
        format_description!("[year]-[month]-[day]"),
        format_description!("[day].[month].[year]"),
    ] {
        if let Ok(d) = Date::parse(s, &f) {
            return Some(d.midnight().assume_utc().unix_timestamp() * 1000);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::team_names;

    #[test]
    fn team_cells_split_on_the_separator_they_use() {
        assert_eq!(
            team_names("VIP ::: Wholesale, EU"),
            ["VIP", "Wholesale, EU"]
        );
        assert_eq!(team_names("VIP; News"), ["VIP", "News"]);
        assert_eq!(team_names("\"VIP\",\"News\""), ["VIP", "News"]);
        // A vCard's lone category that holds a comma is one team.
        assert_eq!(team_names("Smith, Jones :::"), ["Smith, Jones"]);
        assert_eq!(team_names("* myContacts ::: VIP"), ["VIP"]);
        assert_eq!(team_names("R&D:::EU"), ["R&D:::EU"]);
    }
}
