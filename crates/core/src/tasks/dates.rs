//! Due dates and times as tasks store them: local wall-clock text (`YYYY-MM-DD`,
//! `HH:MM`), so a task due "Friday 10:00" stays due then whatever the time zone of
//! the desktop reading it. Text in these forms sorts in time order, which is what
//! lets the queries compare and index them as plain strings.

use time::macros::format_description;
use time::{Date, PrimitiveDateTime, Time};

use crate::error::{CoreError, Result};

/// When a task due on a day but at no particular time counts as due, for
/// notifications.
pub const DEFAULT_DUE_TIME: &str = "09:00";

/// `YYYY-MM-DD`, checked to be a real day; blank is `None`.
pub(super) fn date(field: &str, value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    Date::parse(v, format_description!("[year]-[month]-[day]"))
        .map_err(|_| CoreError::validation(field, "Enter a date like 2025-03-31"))?;
    Ok(Some(v.to_owned()))
}

/// `HH:MM` (24-hour), zero-padded; blank is `None`.
pub(super) fn time_of_day(field: &str, value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let t = Time::parse(v, format_description!("[hour padding:none]:[minute]"))
        .map_err(|_| CoreError::validation(field, "Enter a time like 09:30 or 14:00"))?;
    Ok(Some(format!("{:02}:{:02}", t.hour(), t.minute())))
}

/// The moment a task falls due, `YYYY-MM-DDTHH:MM` local: its time, or
/// [`DEFAULT_DUE_TIME`] on its day.
pub fn due_moment(due_date: &str, due_time: Option<&str>) -> String {
    format!("{due_date}T{}", due_time.unwrap_or(DEFAULT_DUE_TIME))
}

/// Checks a local moment `YYYY-MM-DDTHH:MM` (the form [`due_moment`] gives).
pub fn parse_moment(value: &str) -> Result<PrimitiveDateTime> {
    PrimitiveDateTime::parse(
        value,
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    )
    .map_err(|_| CoreError::validation("moment", "Expected a local time like 2025-03-31T09:00"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_are_checked_and_normalised() {
        assert_eq!(
            date("d", Some(" 2025-02-28 ")).unwrap().as_deref(),
            Some("2025-02-28")
        );
        assert!(date("d", Some("2025-02-30")).is_err());
        assert!(date("d", Some("28/02/2025")).is_err());
        assert_eq!(date("d", Some("  ")).unwrap(), None);
        assert_eq!(
            time_of_day("t", Some("9:05")).unwrap().as_deref(),
            Some("09:05")
        );
        assert!(time_of_day("t", Some("24:00")).is_err());
        assert!(time_of_day("t", Some("noon")).is_err());
        assert_eq!(due_moment("2025-01-02", None), "2025-01-02T09:00");
        assert!(parse_moment("2025-01-02T09:00").is_ok());
        assert!(parse_moment("2025-01-02 09:00").is_err());
    }
}
