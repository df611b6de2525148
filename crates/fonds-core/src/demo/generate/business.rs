//! The kinds of business the demo company books, how often each happens, and which drafting
//! function writes its voucher. Monthly business falls on fixed days (rent on the 5th, salaries
//! on the 10th, taxes on the 15th …); day-to-day business is drawn by weight.

use super::draft::{Desk, Draft};
use super::{payroll, purchases, trade};

/// One kind of business transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Business {
    Rent,
    PaySalaries,
    PayVat,
    PayIncomeTax,
    PaySocialSecurity,
    AccrueSalaries,
    TransferVat,
    AccrueSurtaxes,
    Travel,
    Entertainment,
    LocalTransport,
    OfficeSupplies,
    Advertising,
    Utilities,
    Cloud,
    Purchase,
    Sale,
    Collection,
    SupplierPayment,
    CostOfSales,
    BankFee,
    Interest,
    PettyCash,
}

/// When in the month a monthly transaction is booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Due {
    /// The working day nearest to this day of the month.
    Day(u8),
    /// The last working day, after the day's other business (month-end closing).
    Closing,
}

/// Monthly business, most important first: a month with few vouchers keeps the first ones.
pub(super) static MONTHLY: [(Business, Due); 8] = [
    (Business::AccrueSalaries, Due::Closing),
    (Business::PaySalaries, Due::Day(10)),
    (Business::Rent, Due::Day(5)),
    (Business::PayVat, Due::Day(15)),
    (Business::PaySocialSecurity, Due::Day(20)),
    (Business::PayIncomeTax, Due::Day(15)),
    (Business::TransferVat, Due::Closing),
    (Business::AccrueSurtaxes, Due::Closing),
];

/// Day-to-day business and its relative frequency.
pub(super) static DAILY: [(Business, u32); 15] = [
    (Business::Travel, 16),
    (Business::Entertainment, 8),
    (Business::LocalTransport, 6),
    (Business::OfficeSupplies, 6),
    (Business::Advertising, 3),
    (Business::Utilities, 2),
    (Business::Cloud, 3),
    (Business::Purchase, 6),
    (Business::Sale, 14),
    (Business::Collection, 12),
    (Business::SupplierPayment, 5),
    (Business::CostOfSales, 3),
    (Business::BankFee, 4),
    (Business::Interest, 1),
    (Business::PettyCash, 1),
];

/// Drafts the voucher of one transaction. Business that depends on the books (paying what is
/// owed, collecting what is due) may find nothing to book; the voucher is then a bank charge,
/// which is always possible, so the planned number of vouchers is kept.
pub(super) fn draft(business: Business, desk: &mut Desk<'_>) -> Draft {
    let drafted = match business {
        Business::Rent => Some(purchases::rent(desk)),
        Business::PaySalaries => payroll::pay_salaries(desk),
        Business::PayVat => payroll::pay_vat(desk),
        Business::PayIncomeTax => payroll::pay_income_tax(desk),
        Business::PaySocialSecurity => payroll::pay_social_security(desk),
        Business::AccrueSalaries => Some(payroll::accrue_salaries(desk)),
        Business::TransferVat => payroll::transfer_vat(desk),
        Business::AccrueSurtaxes => payroll::accrue_surtaxes(desk),
        Business::Travel => Some(purchases::travel(desk)),
        Business::Entertainment => Some(purchases::entertainment(desk)),
        Business::LocalTransport => {
            // An empty cash box is refilled first; the claim comes another day.
            purchases::local_transport(desk).or_else(|| Some(trade::petty_cash(desk)))
        }
        Business::OfficeSupplies => Some(purchases::office_supplies(desk)),
        Business::Advertising => Some(purchases::advertising(desk)),
        Business::Utilities => Some(purchases::utilities(desk)),
        Business::Cloud => Some(purchases::cloud(desk)),
        Business::Purchase => Some(trade::purchase(desk)),
        Business::Sale => Some(trade::sale(desk)),
        Business::Collection => trade::collection(desk),
        Business::SupplierPayment => trade::supplier_payment(desk),
        Business::CostOfSales => trade::cost_of_sales(desk),
        Business::BankFee => None,
        Business::Interest => Some(trade::interest(desk)),
        Business::PettyCash => Some(trade::petty_cash(desk)),
    };
    drafted.unwrap_or_else(|| trade::bank_fee(desk))
}
