//! 数电票 (fully digitalised e-invoice) XML: rendering for demonstration and test data, and a
//! bounded reader for received invoices.
//!
//! The element names follow the structure that independent public samples agree on (DOMAIN.md
//! §6.3): `EInvoice/Header/EIid`, `EInvoiceData` with seller, buyer, basic and item blocks, and
//! `TaxSupervisionInfo`. The official schema is not public, so the rendered output is shaped like
//! a real invoice for Fonds' own readers and demonstrations; it is not signed and claims no
//! authority. The reader takes what the renderer writes and tolerates what it does not need:
//! namespaces and prefixes, unknown elements, comments.
//!
//! What [`read`] reads, by path under the root `EInvoice` (`…` stands for `EInvoiceData`):
//!
//! | path | into |
//! |---|---|
//! | `Header/EIid` | [`InvoiceData::number`], 20 digits |
//! | `…/SellerInformation/{SellerIdNum, SellerName}` | the seller |
//! | `…/BuyerInformation/{BuyerIdNum, BuyerName}` | the buyer; `BuyerIdNum` may be absent |
//! | `…/BasicInformation/TotalAmWithoutTax` | [`InvoiceData::total_amount`] |
//! | `…/BasicInformation/TotalTaxAm` | [`InvoiceData::total_tax`] |
//! | `…/BasicInformation/TotalTax-includedAmount` | [`InvoiceData::total_with_tax`] |
//! | `…/BasicInformation/RequestTime` | [`InvoiceData::issued_at`] |
//! | `…/BasicInformation/WhetherEinvoiceIsRedEinvoice` | `Y` / `N`; absent means `N` |
//! | `…/RedInvoiceInformation/OriginalInvoiceNumber` | [`InvoiceData::original_number`] |
//! | `…/IssuItemInformation` (repeats) | [`InvoiceData::items`] |
//! | `…/AdditionalInformation/Remark` | [`InvoiceData::remarks`] |
//! | `TaxSupervisionInfo/InvoiceNumber` | when present, must equal `Header/EIid` |

mod check;
mod read;
mod render;
#[cfg(test)]
pub(crate) mod tests;

use fonds_domain::Money;
use time::PrimitiveDateTime;

pub use self::check::InvoiceInconsistency;
pub use self::read::read;
pub use self::render::render_xml;
use crate::invoice::InvoiceFacts;
pub use crate::xml_bounded::{FieldError, XmlError};

/// The most bytes [`read`] accepts: 1 MiB, far more than an invoice of
/// [`MAX_INVOICE_ITEMS`] lines needs.
pub const MAX_INVOICE_BYTES: usize = 1024 * 1024;
/// The deepest element nesting [`read`] accepts; the documented shape nests four levels.
pub const MAX_INVOICE_DEPTH: usize = 32;
/// The most invoice lines (`IssuItemInformation`) [`read`] accepts.
pub const MAX_INVOICE_ITEMS: usize = 2000;

/// The data of one 数电票.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceData {
    /// The 20-digit invoice number (数电票 have no separate invoice code).
    pub number: String,
    /// When the invoice was issued.
    pub issued_at: PrimitiveDateTime,
    /// 销售方名称.
    pub seller_name: String,
    /// 销售方纳税人识别号 (unified social credit code).
    pub seller_tax_id: String,
    /// 购买方名称.
    pub buyer_name: String,
    /// 购买方纳税人识别号; empty for a natural person, who has none.
    pub buyer_tax_id: String,
    /// The invoice lines.
    pub items: Vec<InvoiceItem>,
    /// 合计金额, excluding tax.
    pub total_amount: Money,
    /// 合计税额.
    pub total_tax: Money,
    /// 价税合计.
    pub total_with_tax: Money,
    /// Whether this is a red-letter (credit) invoice; its amounts are then negative.
    pub red_letter: bool,
    /// For a red-letter invoice, the number of the blue invoice it reverses (原蓝字发票号码).
    /// Only red-letter invoices render it; on a blue invoice it is an inconsistency.
    pub original_number: Option<String>,
    /// 备注.
    pub remarks: Option<String>,
}

/// One line of a 数电票.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceItem {
    /// 项目名称, e.g. `*信息技术服务*软件维护`.
    pub name: String,
    /// 数量, as printed (may be empty or fractional).
    pub quantity: String,
    /// 单价.
    pub unit_price: Money,
    /// 金额, excluding tax.
    pub amount: Money,
    /// 税率, as printed, e.g. `6%`.
    pub tax_rate: String,
    /// 税额.
    pub tax: Money,
}

/// An invoice document [`read`] cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EInvoiceError {
    /// The bytes are not an XML document with the root `EInvoice` that Fonds accepts.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// A required element is missing or repeated, or holds a value of the wrong form.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// More invoice lines than [`MAX_INVOICE_ITEMS`].
    #[error(
        "the invoice has {count} lines (IssuItemInformation), more than the limit of {limit}; \
         an invoice this long is not one Fonds accepts"
    )]
    TooManyItems {
        /// The lines found.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// `TaxSupervisionInfo/InvoiceNumber` names another invoice than `Header/EIid`.
    #[error(
        "the invoice number in EInvoice/Header/EIid ({header}) differs from \
         EInvoice/TaxSupervisionInfo/InvoiceNumber ({supervision}); the document is not \
         consistent, ask the issuer for the original"
    )]
    NumberMismatch {
        /// The number in `Header/EIid`.
        header: String,
        /// The number in `TaxSupervisionInfo/InvoiceNumber`.
        supervision: String,
    },
}

impl InvoiceData {
    /// The facts every invoice reader reports, for the check engine and duplicate-booking
    /// prevention. A 数电票 has no invoice code; a tax ID left empty is reported as absent.
    #[must_use]
    pub fn facts(&self) -> InvoiceFacts {
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        InvoiceFacts {
            code: None,
            number: self.number.clone(),
            issued_on: Some(self.issued_at.date()),
            seller_name: non_empty(&self.seller_name),
            seller_tax_id: non_empty(&self.seller_tax_id),
            buyer_name: non_empty(&self.buyer_name),
            buyer_tax_id: non_empty(&self.buyer_tax_id),
            total_amount: Some(self.total_amount),
            total_tax: Some(self.total_tax),
            total_with_tax: Some(self.total_with_tax),
            red_letter: self.red_letter,
            reverses: if self.red_letter {
                self.original_number.clone()
            } else {
                None
            },
        }
    }
}
