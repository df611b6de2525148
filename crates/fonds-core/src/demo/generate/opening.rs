//! The books as they stood on the first day of the demo year (年初余额): last December's
//! salaries and taxes still to pay, customers and suppliers with open balances, and equity
//! that balances it all, so the first month's payments have something to settle.

use super::accounts::{self as acct, Account, Books};
use super::parties::{CUSTOMERS, VENDORS};

fn open(books: &mut Books, account: Account, fen: i64) {
    books.open(account.code, account.name, fen);
}

fn open_for(books: &mut Books, account: Account, party: &str, fen: i64) {
    books.open(account.code, &format!("{}-{party}", account.name), fen);
}

/// The opening books. Debits and credits balance: retained earnings take the difference.
pub(super) fn books() -> Books {
    let mut books = Books::default();
    open(&mut books, acct::CASH, 2_356_000);
    open(&mut books, acct::BANK, 1_286_452_317);
    for (customer, fen) in CUSTOMERS
        .iter()
        .zip([45_600_000, 0, 128_000_000, 0, 33_900_000])
    {
        if fen != 0 {
            open_for(&mut books, acct::RECEIVABLE, customer.name, fen);
        }
    }
    open(&mut books, acct::INVENTORY, 36_820_000);
    open(&mut books, acct::FIXED_ASSETS, 426_500_000);
    open(&mut books, acct::DEPRECIATION, -138_760_000);
    for (vendor, fen) in VENDORS.iter().zip([-18_650_000, 0, -42_380_000]) {
        if fen != 0 {
            open_for(&mut books, acct::PAYABLE, vendor.name, fen);
        }
    }
    // December's salaries are paid in January, with the employer's contributions on them.
    open(&mut books, acct::WAGES, -195_000_000);
    open(&mut books, acct::SOCIAL, -65_325_000);
    // December's VAT and its surtaxes are paid in January.
    open(&mut books, acct::VAT_UNPAID, -18_642_035);
    open(&mut books, acct::CITY_TAX, -1_304_942);
    open(&mut books, acct::EDUCATION_LEVY, -559_261);
    open(&mut books, acct::LOCAL_EDUCATION_LEVY, -372_841);
    open(&mut books, acct::CAPITAL, -1_000_000_000);
    open(&mut books, acct::SURPLUS, -50_000_000);
    let unbalanced: i64 = books.details().map(|(_, _, t)| t.opening).sum();
    open(&mut books, acct::RETAINED, -unbalanced);
    books
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_balances_balance_and_retained_earnings_are_a_credit() {
        let books = books();
        assert_eq!(books.details().map(|(_, _, t)| t.opening).sum::<i64>(), 0);
        assert!(books.balance(acct::RETAINED.code, 0) < 0);
        assert_eq!(books.auxiliaries(acct::RECEIVABLE).len(), 3);
    }
}
