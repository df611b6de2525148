//! The text forms of dates and times in the documents Fonds reads and writes.
//!
//! Renderers write `2024-03-05`, `09:30:00` and `2024-03-05 09:30:00`. Readers accept those, the
//! ISO 8601 `2024-03-05T09:30:00`, and a date alone where a date and time is expected (read as
//! midnight), since issuers differ on how much of the time they print.

use time::macros::format_description;
use time::{Date, PrimitiveDateTime, Time};

/// `2024-03-05`.
pub(crate) fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `09:30:00`; a fraction of a second is not written.
pub(crate) fn format_time(time: Time) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        time.hour(),
        time.minute(),
        time.second()
    )
}

/// `2024-03-05 09:30:00`, the form public 数电票 samples use for `RequestTime`.
pub(crate) fn format_date_time(at: PrimitiveDateTime) -> String {
    format!("{} {}", format_date(at.date()), format_time(at.time()))
}

/// A date written `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// A time of day written `HH:MM:SS`.
pub(crate) fn parse_time(text: &str) -> Option<Time> {
    Time::parse(text, format_description!("[hour]:[minute]:[second]")).ok()
}

/// A date and time written `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, or a date alone.
pub(crate) fn parse_date_time(text: &str) -> Option<PrimitiveDateTime> {
    match text.split_once([' ', 'T']) {
        Some((date, time)) => Some(PrimitiveDateTime::new(parse_date(date)?, parse_time(time)?)),
        None => Some(parse_date(text)?.midnight()),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime, time};

    use super::*;

    #[test]
    fn written_forms_read_back() {
        let at = datetime!(2024-03-05 09:30:07);
        assert_eq!(format_date_time(at), "2024-03-05 09:30:07");
        assert_eq!(parse_date_time(&format_date_time(at)), Some(at));
        assert_eq!(
            parse_date(&format_date(date!(2023 - 12 - 31))),
            Some(date!(2023 - 12 - 31))
        );
        assert_eq!(
            parse_time(&format_time(time!(23:59:59))),
            Some(time!(23:59:59))
        );
    }

    #[test]
    fn iso_separator_and_date_alone_are_accepted() {
        assert_eq!(
            parse_date_time("2024-03-05T09:30:00"),
            Some(datetime!(2024-03-05 09:30:00))
        );
        assert_eq!(
            parse_date_time("2024-03-05"),
            Some(datetime!(2024-03-05 00:00:00))
        );
    }

    #[test]
    fn impossible_dates_and_other_forms_are_refused() {
        for bad in [
            "2024-02-30",
            "2024/03/05",
            "20240305",
            "2024-03-05 25:00:00",
            "2024-03-05 09:30",
            "2024-03-05  09:30:00",
            "",
        ] {
            assert_eq!(parse_date_time(bad), None, "{bad} was accepted");
        }
    }
}
