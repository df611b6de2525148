//! A voucher before it is numbered and rendered: its summary, its lines and the originals that
//! back it (报销单, 数电票, 银行回单), plus the desk a voucher is drafted at, which hands out
//! invoice numbers and bank serial numbers that never repeat within a demo.

use fonds_domain::{FiscalYear, Money};
use fonds_formats::einvoice::{InvoiceData, InvoiceItem};
use time::{Date, PrimitiveDateTime};

use super::accounts::{Books, Line};
use super::calendar;
use super::parties::{Employee, Party};
use super::rng::Rng;

/// A drafted voucher.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    /// 摘要: the voucher's title and every entry's summary.
    pub(super) summary: String,
    pub(super) lines: Vec<Line>,
    pub(super) claim: Option<Claim>,
    pub(super) invoices: Vec<Invoice>,
    pub(super) receipts: Vec<Receipt>,
}

impl Draft {
    /// A voucher with lines only; originals are added by the caller.
    pub(super) fn new(summary: String, lines: Vec<Line>) -> Self {
        Self {
            summary,
            lines,
            claim: None,
            invoices: Vec::new(),
            receipts: Vec::new(),
        }
    }
}

/// A reimbursement claim (费用报销单).
#[derive(Debug, Clone)]
pub(super) struct Claim {
    pub(super) number: String,
    pub(super) claimant: Employee,
    pub(super) reason: String,
    pub(super) items: Vec<ClaimItem>,
}

/// One expense on a claim, with the number of bills attached to it.
#[derive(Debug, Clone)]
pub(super) struct ClaimItem {
    pub(super) what: String,
    pub(super) amount: i64,
    pub(super) bills: u32,
}

/// A 数电票 and what its printed form shows besides the XML data.
#[derive(Debug, Clone)]
pub(super) struct Invoice {
    pub(super) data: InvoiceData,
    /// 增值税专用发票 (deductible) rather than 普通发票.
    pub(super) special: bool,
    /// 开票人.
    pub(super) drawer: &'static str,
}

/// A bank's electronic receipt (银行电子回单) for one transfer.
#[derive(Debug, Clone)]
pub(super) struct Receipt {
    pub(super) serial: String,
    pub(super) at: PrimitiveDateTime,
    pub(super) payer: Holder,
    pub(super) payee: Holder,
    pub(super) amount: i64,
    pub(super) purpose: String,
    /// The receipt's kind as the bank prints it, e.g. 付款回单.
    pub(super) kind: &'static str,
}

/// An account holder on a bank receipt.
#[derive(Debug, Clone)]
pub(super) struct Holder {
    pub(super) name: String,
    pub(super) account: String,
    pub(super) bank: String,
}

impl From<&Party> for Holder {
    fn from(party: &Party) -> Self {
        Self {
            name: party.name.to_owned(),
            account: party.account(),
            bank: party.bank.to_owned(),
        }
    }
}

/// Clerks who issue suppliers' invoices.
static DRAWERS: [&str; 8] = [
    "李梅", "王芳", "张敏", "刘婷", "陈霞", "杨艳", "黄丹", "周琴",
];

/// Numbers that must never repeat within a demo. Each is an affine map of a running count onto
/// its digit range; the multiplier is coprime with the range, so the map is a bijection and
/// distinct counts give distinct numbers that still look random.
#[derive(Debug, Clone)]
pub(super) struct Serials {
    invoice_offset: u64,
    invoices: u64,
    receipt_offset: u64,
    receipts: u64,
    claims: u32,
}

const INVOICE_RANGE: u64 = 1_000_000_000_000_000;
const INVOICE_FACTOR: u64 = 723_456_789_012_347;
const RECEIPT_RANGE: u64 = 1_000_000_000_000;
const RECEIPT_FACTOR: u64 = 385_215_649_737;

fn scatter(count: u64, factor: u64, offset: u64, range: u64) -> u64 {
    let mapped = (u128::from(count) * u128::from(factor) + u128::from(offset)) % u128::from(range);
    u64::try_from(mapped).unwrap_or(0)
}

impl Serials {
    pub(super) fn new(seed: u64) -> Self {
        let mut rng = Rng::stream(seed, 0x5E41_A150);
        Self {
            invoice_offset: rng.below(INVOICE_RANGE),
            invoices: 0,
            receipt_offset: rng.below(RECEIPT_RANGE),
            receipts: 0,
            claims: 0,
        }
    }

    /// A 20-digit 数电票 number: year, the seller's province, the issuing channel, and a
    /// 15-digit sequence (DOMAIN.md §6.3).
    fn invoice_number(&mut self, issued: Date, seller: &Party) -> String {
        let sequence = scatter(
            self.invoices,
            INVOICE_FACTOR,
            self.invoice_offset,
            INVOICE_RANGE,
        );
        self.invoices += 1;
        let year = issued.year().rem_euclid(100);
        format!("{year:02}{}2{sequence:015}", seller.province())
    }

    /// A 20-digit transaction serial (交易流水号): the value date and 12 digits.
    fn receipt_serial(&mut self, date: Date) -> String {
        let sequence = scatter(
            self.receipts,
            RECEIPT_FACTOR,
            self.receipt_offset,
            RECEIPT_RANGE,
        );
        self.receipts += 1;
        let (y, m, d) = (date.year(), u8::from(date.month()), date.day());
        format!("{y:04}{m:02}{d:02}{sequence:012}")
    }

    /// A reimbursement form number, e.g. BX202303-00017.
    fn claim_number(&mut self, date: Date) -> String {
        self.claims += 1;
        format!(
            "BX{:04}{:02}-{:05}",
            date.year(),
            u8::from(date.month()),
            self.claims
        )
    }
}

/// One invoice line as drafted: name, quantity, unit price before tax (fen), tax rate (%).
pub(super) type Item = (String, u32, i64, u32);

/// What a voucher is drafted with.
#[derive(Debug)]
pub(super) struct Desk<'a> {
    pub(super) rng: Rng,
    pub(super) year: FiscalYear,
    pub(super) month: u8,
    pub(super) date: Date,
    pub(super) books: &'a Books,
    pub(super) serials: &'a mut Serials,
}

/// VAT on an amount before tax, rounded half up to the fen.
pub(super) fn tax_on(amount: i64, rate: u32) -> i64 {
    (amount * i64::from(rate) + 50).div_euclid(100)
}

/// A price that includes tax, split back into the amount before tax (rounded half up).
pub(super) fn before_tax(with_tax: i64, rate: u32) -> i64 {
    (with_tax * 100 + (100 + i64::from(rate)) / 2).div_euclid(100 + i64::from(rate))
}

impl Desk<'_> {
    /// A moment in business hours on the voucher's date.
    pub(super) fn office_time(&mut self, date: Date) -> PrimitiveDateTime {
        let seconds = self.rng.between(9 * 3600, 17 * 3600 + 30 * 60);
        calendar::at(date, seconds)
    }

    /// A day a few days before the voucher, when the expense was incurred.
    pub(super) fn days_earlier(&mut self, low: i64, high: i64) -> Date {
        let days = self.rng.between(low, high);
        calendar::days_before(self.year, self.date, days)
    }

    /// A working day a few days before the voucher, when a supplier issued its invoice.
    pub(super) fn invoice_day(&mut self, low: i64, high: i64) -> Date {
        let day = self.days_earlier(low, high);
        calendar::working_day_until(self.year, day)
    }

    /// A claim form for the given items.
    pub(super) fn claim(
        &mut self,
        claimant: Employee,
        reason: String,
        items: Vec<ClaimItem>,
    ) -> Claim {
        let number = self.serials.claim_number(self.date);
        Claim {
            number,
            claimant,
            reason,
            items,
        }
    }

    /// Issues an invoice; amounts and tax are computed per line and add up exactly.
    pub(super) fn invoice(
        &mut self,
        seller: &Party,
        buyer: &Party,
        issued: Date,
        items: Vec<Item>,
        special: bool,
        remarks: Option<String>,
    ) -> Invoice {
        let number = self.serials.invoice_number(issued, seller);
        let issued_at = self.office_time(issued);
        let items: Vec<InvoiceItem> = items
            .into_iter()
            .map(|(name, quantity, unit, rate)| {
                let amount = unit * i64::from(quantity);
                InvoiceItem {
                    name,
                    quantity: quantity.to_string(),
                    unit_price: Money::from_fen(unit),
                    amount: Money::from_fen(amount),
                    tax_rate: format!("{rate}%"),
                    tax: Money::from_fen(tax_on(amount, rate)),
                }
            })
            .collect();
        let total_amount: i64 = items.iter().map(|i| i.amount.fen()).sum();
        let total_tax: i64 = items.iter().map(|i| i.tax.fen()).sum();
        let data = InvoiceData {
            number,
            issued_at,
            seller_name: seller.name.to_owned(),
            seller_tax_id: seller.credit_code(),
            buyer_name: buyer.name.to_owned(),
            buyer_tax_id: buyer.credit_code(),
            items,
            total_amount: Money::from_fen(total_amount),
            total_tax: Money::from_fen(total_tax),
            total_with_tax: Money::from_fen(total_amount + total_tax),
            red_letter: false,
            original_number: None,
            remarks,
        };
        let drawer = *self.rng.pick(&DRAWERS);
        Invoice {
            data,
            special,
            drawer,
        }
    }

    /// A receipt for a transfer on the voucher's date.
    pub(super) fn receipt(
        &mut self,
        payer: Holder,
        payee: Holder,
        amount: i64,
        purpose: String,
        kind: &'static str,
    ) -> Receipt {
        let serial = self.serials.receipt_serial(self.date);
        let at = self.office_time(self.date);
        Receipt {
            serial,
            at,
            payer,
            payee,
            amount,
            purpose,
            kind,
        }
    }
}

/// The invoice's total including tax, in fen.
pub(super) fn gross(invoice: &Invoice) -> i64 {
    invoice.data.total_with_tax.fen()
}

/// The invoice's tax, in fen.
pub(super) fn tax(invoice: &Invoice) -> i64 {
    invoice.data.total_tax.fen()
}

/// The invoice's amount before tax, in fen.
pub(super) fn net(invoice: &Invoice) -> i64 {
    invoice.data.total_amount.fen()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn tax_is_rounded_half_up_and_splits_back() {
        assert_eq!(tax_on(10_000, 6), 600);
        assert_eq!(tax_on(1_250, 6), 75);
        assert_eq!(tax_on(1_258, 13), 164);
        assert_eq!(before_tax(10_600, 6), 10_000);
        assert_eq!(before_tax(45_000, 6), 42_453);
    }

    #[test]
    fn serial_numbers_never_repeat_and_have_their_lengths() {
        let mut serials = Serials::new(1);
        let date = time::macros::date!(2023 - 06 - 30);
        let seller = super::super::parties::US;
        let mut seen = BTreeSet::new();
        for _ in 0..5000 {
            let number = serials.invoice_number(date, &seller);
            assert_eq!(number.len(), 20);
            assert!(number.starts_with("23312"));
            assert!(seen.insert(number));
            assert_eq!(serials.receipt_serial(date).len(), 20);
        }
        assert_eq!(serials.claim_number(date), "BX202306-00001");
    }
}
