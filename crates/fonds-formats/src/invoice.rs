//! What every invoice reader reports in common, whatever the container: the facts the check
//! engine compares (identity, parties, amounts, red-letter status) and duplicate-booking
//! prevention keys on.
//!
//! The 数电票 XML reader, the OFD reader and the PDF text reader each return their own typed
//! document and offer its [`InvoiceFacts`]; a field the document does not carry is `None`, never
//! a guess.

use fonds_domain::{InvoiceKey, InvoiceKeyError, Money};
use time::Date;

/// The facts of one invoice as read from its file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvoiceFacts {
    /// 发票代码, for invoices before 数电票 (10 or 12 digits); `None` for a 数电票.
    pub code: Option<String>,
    /// 发票号码: 20 digits for a 数电票, 8 for an older VAT e-invoice.
    pub number: String,
    /// 开票日期.
    pub issued_on: Option<Date>,
    /// 销售方名称.
    pub seller_name: Option<String>,
    /// 销售方纳税人识别号.
    pub seller_tax_id: Option<String>,
    /// 购买方名称.
    pub buyer_name: Option<String>,
    /// 购买方纳税人识别号.
    pub buyer_tax_id: Option<String>,
    /// 合计金额 (excluding tax).
    pub total_amount: Option<Money>,
    /// 合计税额.
    pub total_tax: Option<Money>,
    /// 价税合计.
    pub total_with_tax: Option<Money>,
    /// Whether it is a red-letter (credit) invoice.
    pub red_letter: bool,
    /// For a red-letter invoice, the number of the (blue) invoice it reverses, when the document
    /// says.
    pub reverses: Option<String>,
}

impl InvoiceFacts {
    /// The installation-wide identity of the invoice.
    ///
    /// # Errors
    /// When the number (and code) are not of a form any invoice generation uses.
    pub fn key(&self) -> Result<InvoiceKey, InvoiceKeyError> {
        match &self.code {
            Some(code) => InvoiceKey::vat(code, &self.number),
            None => InvoiceKey::fully_digital(&self.number),
        }
    }

    /// The identity of the invoice a red-letter invoice reverses, when it is one and says which.
    /// The reversed invoice is of the same generation (a 数电票 is reversed by a 数电票).
    #[must_use]
    pub fn reversed_key(&self) -> Option<InvoiceKey> {
        let original = self.reverses.as_deref()?;
        match &self.code {
            Some(code) => InvoiceKey::vat(code, original).ok(),
            None => InvoiceKey::fully_digital(original).ok(),
        }
    }
}
