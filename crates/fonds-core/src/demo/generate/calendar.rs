//! Dates in the demo year: days of a month, working days, times of day, and dates written the
//! Chinese way. Every function is total, so the generator never has a date error to handle.

use fonds_domain::FiscalYear;
use time::{Date, Duration, Month, PrimitiveDateTime, Time, Weekday};

/// The month numbered `month` (1 to 12; other numbers wrap).
pub(super) fn month_of(month: u8) -> Month {
    Month::January.nth_next(month.saturating_sub(1) % 12)
}

/// The number of days in a month of the year.
pub(super) fn days_in(year: FiscalYear, month: u8) -> u8 {
    month_of(month).length(i32::from(year.get()))
}

/// A day of a month; a day past the month's end gives its last day.
pub(super) fn day(year: FiscalYear, month: u8, day: u8) -> Date {
    let y = i32::from(year.get());
    let before: i64 = (1..month.clamp(1, 12))
        .map(|m| i64::from(month_of(m).length(y)))
        .sum();
    let day = day.clamp(1, days_in(year, month));
    year.first_day()
        .saturating_add(Duration::days(before + i64::from(day) - 1))
}

/// The last day of a month.
pub(super) fn last_day(year: FiscalYear, month: u8) -> Date {
    day(year, month, 31)
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

// LIMITATION: working days are Monday to Friday; public holidays and the weekend days worked in
// exchange for them (调休) change every year by State Council notice and are not modelled.

/// The working days of a month.
pub(super) fn working_days(year: FiscalYear, month: u8) -> Vec<u8> {
    (1..=days_in(year, month))
        .filter(|d| !is_weekend(day(year, month, *d)))
        .collect()
}

/// The working day nearest to a day of the month, preferring earlier days and staying in the
/// month.
pub(super) fn working_day_near(year: FiscalYear, month: u8, wanted: u8) -> u8 {
    let days = working_days(year, month);
    days.iter()
        .copied()
        .min_by_key(|d| (d.abs_diff(wanted), *d > wanted))
        .unwrap_or(wanted)
}

/// The last working day of a month.
pub(super) fn last_working_day(year: FiscalYear, month: u8) -> u8 {
    working_days(year, month)
        .last()
        .copied()
        .unwrap_or_else(|| days_in(year, month))
}

/// A moment on a day, `seconds` after midnight.
pub(super) fn at(date: Date, seconds: i64) -> PrimitiveDateTime {
    PrimitiveDateTime::new(date, Time::MIDNIGHT).saturating_add(Duration::seconds(seconds))
}

/// A day earlier than `date` by `days`, but never before the first day of the year.
pub(super) fn days_before(year: FiscalYear, date: Date, days: i64) -> Date {
    date.saturating_sub(Duration::days(days))
        .max(year.first_day())
}

/// The working day on or before `date`, when businesses issue their invoices; the first working
/// day of the year when the year starts on a weekend.
pub(super) fn working_day_until(year: FiscalYear, date: Date) -> Date {
    let mut day = date;
    while is_weekend(day) && day > year.first_day() {
        day = day.saturating_sub(Duration::days(1));
    }
    while is_weekend(day) {
        day = day.saturating_add(Duration::days(1));
    }
    day
}

/// `2023年12月05日`.
pub(super) fn zh_date(date: Date) -> String {
    format!(
        "{}年{:02}月{:02}日",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `2023-12-05 09:30:00`.
pub(super) fn iso_time(at: PrimitiveDateTime) -> String {
    format!(
        "{} {:02}:{:02}:{:02}",
        at.date(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn year(y: i64) -> FiscalYear {
        FiscalYear::new(y).expect("year")
    }

    #[test]
    fn days_are_counted_into_the_right_month() {
        assert_eq!(day(year(2023), 1, 1), date!(2023 - 01 - 01));
        assert_eq!(day(year(2023), 3, 15), date!(2023 - 03 - 15));
        assert_eq!(last_day(year(2023), 2), date!(2023 - 02 - 28));
        assert_eq!(last_day(year(2024), 2), date!(2024 - 02 - 29));
        assert_eq!(last_day(year(2023), 12), date!(2023 - 12 - 31));
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2023-04-01 was a Saturday and 2023-04-30 a Sunday.
        assert_eq!(working_day_near(year(2023), 4, 1), 3);
        assert_eq!(last_working_day(year(2023), 4), 28);
        assert_eq!(working_day_near(year(2023), 4, 15), 14);
        assert_eq!(working_days(year(2023), 4).len(), 20);
        let sunday = date!(2023 - 04 - 16);
        assert_eq!(working_day_until(year(2023), sunday), date!(2023 - 04 - 14));
        // 2023 began on a Sunday: the first working day is Monday the 2nd.
        let new_year = date!(2023 - 01 - 01);
        assert_eq!(
            working_day_until(year(2023), new_year),
            date!(2023 - 01 - 02)
        );
    }

    #[test]
    fn dates_print_the_chinese_way() {
        assert_eq!(zh_date(date!(2023 - 12 - 05)), "2023年12月05日");
        assert_eq!(
            iso_time(at(date!(2023 - 12 - 05), 3600 + 61)),
            "2023-12-05 01:01:01"
        );
        assert_eq!(
            days_before(year(2023), date!(2023 - 01 - 02), 5),
            date!(2023 - 01 - 01)
        );
    }
}
