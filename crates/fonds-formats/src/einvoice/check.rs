//! Whether an invoice's figures agree with each other, for the check engine (四性检测,
//! authenticity: content consistency).

use fonds_domain::Money;

use super::InvoiceData;

/// One way an invoice's figures or flags disagree with each other.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceInconsistency {
    /// The line amounts do not add up to 合计金额.
    #[error("the line amounts add up to {lines}, but the total amount is {total}")]
    LineAmounts {
        /// The sum of the line amounts.
        lines: Money,
        /// The stated total amount.
        total: Money,
    },
    /// The line taxes do not add up to 合计税额.
    #[error("the line taxes add up to {lines}, but the total tax is {total}")]
    LineTaxes {
        /// The sum of the line taxes.
        lines: Money,
        /// The stated total tax.
        total: Money,
    },
    /// 合计金额 + 合计税额 is not 价税合计.
    #[error("amount {amount} plus tax {tax} is not the stated total with tax {with_tax}")]
    TotalWithTax {
        /// The total amount.
        amount: Money,
        /// The total tax.
        tax: Money,
        /// The stated total with tax.
        with_tax: Money,
    },
    /// A red-letter invoice whose totals are not negative.
    #[error("a red-letter invoice has negative totals, but its total with tax is {with_tax}")]
    RedLetterNotNegative {
        /// The stated total with tax.
        with_tax: Money,
    },
    /// A blue invoice with a negative total.
    #[error(
        "a blue invoice has no negative total, but its totals are {amount} + {tax} = {with_tax}"
    )]
    BlueNegative {
        /// The total amount.
        amount: Money,
        /// The total tax.
        tax: Money,
        /// The stated total with tax.
        with_tax: Money,
    },
    /// A blue invoice that names an invoice it reverses.
    #[error("a blue invoice names invoice {original} as reversed; only red-letter invoices do")]
    OriginalOnBlue {
        /// The number named.
        original: String,
    },
    /// A sum too large to hold, so the figures cannot be compared.
    #[error("the {what} add up to more than an amount can hold")]
    Overflow {
        /// Which figures, e.g. `line amounts`.
        what: &'static str,
    },
}

impl InvoiceData {
    /// Every way the invoice's figures and flags disagree with each other; empty when they
    /// agree. The lines must add up to the totals, amount plus tax must be the total with tax, a
    /// red-letter invoice's totals are negative (none positive) and a blue invoice's are not.
    #[must_use]
    pub fn inconsistencies(&self) -> Vec<InvoiceInconsistency> {
        let mut found = Vec::new();
        match sum(self.items.iter().map(|i| i.amount)) {
            Some(lines) if lines != self.total_amount => {
                found.push(InvoiceInconsistency::LineAmounts {
                    lines,
                    total: self.total_amount,
                });
            }
            Some(_) => {}
            None => found.push(InvoiceInconsistency::Overflow {
                what: "line amounts",
            }),
        }
        match sum(self.items.iter().map(|i| i.tax)) {
            Some(lines) if lines != self.total_tax => {
                found.push(InvoiceInconsistency::LineTaxes {
                    lines,
                    total: self.total_tax,
                });
            }
            Some(_) => {}
            None => found.push(InvoiceInconsistency::Overflow { what: "line taxes" }),
        }
        match self.total_amount.checked_add(self.total_tax) {
            Some(sum) if sum != self.total_with_tax => {
                found.push(InvoiceInconsistency::TotalWithTax {
                    amount: self.total_amount,
                    tax: self.total_tax,
                    with_tax: self.total_with_tax,
                });
            }
            Some(_) => {}
            None => found.push(InvoiceInconsistency::Overflow {
                what: "total amount and total tax",
            }),
        }
        found.extend(self.sign_inconsistency());
        if !self.red_letter
            && let Some(original) = &self.original_number
        {
            found.push(InvoiceInconsistency::OriginalOnBlue {
                original: original.clone(),
            });
        }
        found
    }

    fn sign_inconsistency(&self) -> Option<InvoiceInconsistency> {
        let totals = [self.total_amount, self.total_tax, self.total_with_tax];
        if self.red_letter {
            let not_negative =
                !self.total_with_tax.is_negative() || totals.iter().any(|t| t.fen() > 0);
            not_negative.then_some(InvoiceInconsistency::RedLetterNotNegative {
                with_tax: self.total_with_tax,
            })
        } else {
            totals
                .iter()
                .any(|t| t.is_negative())
                .then_some(InvoiceInconsistency::BlueNegative {
                    amount: self.total_amount,
                    tax: self.total_tax,
                    with_tax: self.total_with_tax,
                })
        }
    }
}

/// The exact sum, or `None` when it does not fit.
fn sum(mut amounts: impl Iterator<Item = Money>) -> Option<Money> {
    amounts.try_fold(Money::ZERO, Money::checked_add)
}
