//! How many vouchers each month gets and on which day each falls. A month's plan is light (a
//! kind of business and a day per voucher); the vouchers themselves are drafted one at a time
//! as the generator yields them.

use fonds_domain::FiscalYear;

use super::business::{Business, DAILY, Due, MONTHLY};
use super::calendar;
use super::rng::Rng;

/// Relative business volume per month: quiet around the Spring Festival, busy at year end.
const MONTH_WEIGHTS: [u64; 12] = [7, 6, 8, 8, 8, 8, 8, 8, 8, 9, 9, 13];

/// One planned voucher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Planned {
    pub(super) day: u8,
    pub(super) business: Business,
}

/// The number of vouchers in each month: `total` spread by [`MONTH_WEIGHTS`], summing exactly.
pub(super) fn month_counts(total: u32) -> [u32; 12] {
    let sum: u64 = MONTH_WEIGHTS.iter().sum();
    let mut counts = [0; 12];
    let mut cumulative = 0;
    let mut given = 0;
    for (count, weight) in counts.iter_mut().zip(MONTH_WEIGHTS) {
        cumulative += weight;
        let due = u32::try_from(u64::from(total) * cumulative / sum).unwrap_or(total);
        *count = due - given;
        given = due;
    }
    counts
}

/// The vouchers of a month in booking order, which is also their numbering order: by day, and
/// on the last working day the closing entries after the day's other business.
pub(super) fn month(seed: u64, year: FiscalYear, month: u8, count: u32) -> Vec<Planned> {
    let mut rng = Rng::stream(seed, u64::from(month));
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    let closing_day = calendar::last_working_day(year, month);
    let working_days = calendar::working_days(year, month);
    // (day, 0 = ordinary / 1 = closing, position) orders the month; position keeps the order
    // stable between equal keys.
    let mut keyed: Vec<(u8, u8, usize, Business)> = Vec::with_capacity(count);
    for (position, (business, due)) in MONTHLY.iter().take(count).enumerate() {
        let key = match due {
            Due::Day(day) => (calendar::working_day_near(year, month, *day), 0),
            Due::Closing => (closing_day, 1),
        };
        keyed.push((key.0, key.1, position, *business));
    }
    for position in keyed.len()..count {
        let day = working_days
            .get(rng.index(working_days.len()))
            .copied()
            .unwrap_or(closing_day);
        keyed.push((day, 0, position, rng.weighted(&DAILY)));
    }
    keyed.sort_by_key(|(day, closing, position, _)| (*day, *closing, *position));
    keyed
        .into_iter()
        .map(|(day, _, _, business)| Planned { day, business })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_sum_to_the_total_and_favour_december() {
        for total in [0, 1, 11, 12, 100, 1000, 12_345] {
            assert_eq!(month_counts(total).iter().sum::<u32>(), total);
        }
        let counts = month_counts(1000);
        assert!(counts[11] > counts[1], "{counts:?}");
    }

    #[test]
    fn closing_entries_come_last_and_days_never_go_back() {
        let year = FiscalYear::new(2023).expect("year");
        let plan = month(1, year, 3, 80);
        assert_eq!(plan.len(), 80);
        assert!(plan.windows(2).all(|w| w[0].day <= w[1].day));
        let last = plan.last().expect("vouchers");
        assert_eq!(last.business, Business::AccrueSurtaxes);
        assert_eq!(month(1, year, 3, 2).len(), 2);
    }
}
