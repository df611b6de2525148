//! The structured invoice data inside an OFD e-invoice.
//!
//! Two places are supported, in this order:
//!
//! 1. **`original_invoice.xml`** (older VAT e-invoice, 增值税电子普通发票): the attachment
//!    `Attachments.xml` lists with `Name="original_invoice"`, or, when it is not listed,
//!    `Attachs/original_invoice.xml` beside `Document.xml`. Fields are found by element name at
//!    any depth: `InvoiceCode`, `InvoiceNo`, `IssueDate`, `Buyer/BuyerName`, `Buyer/BuyerTaxID`,
//!    `Seller/SellerName`, `Seller/SellerTaxID`, `TaxExclusiveTotalAmount`, `TaxTotalAmount`,
//!    `TaxInclusiveTotalAmount`, `Note`, and goods lines `GoodsInfos/GoodsInfo` with `Item`,
//!    `Specification`, `MeasurementDimension`, `Price`, `Quantity`, `Amount`, `TaxScheme`,
//!    `TaxAmount` (names from public parsers, DOMAIN.md §6.4; secondary).
//! 2. **Custom tags** (`Tags/CustomTags.xml` → the `CustomTag` file it lists): the same field
//!    names. A tag's value is its own text when it has any; otherwise each `ObjectRef` child
//!    (`PageRef` = page ID, text = object ID) is looked up among the `TextObject`s of that page's
//!    content and their `TextCode` texts are joined. Goods lines are not read from tags.
//!
//! A 数电票 OFD that carries neither yields no invoice data; its issued XML is the authoritative
//! source (DOMAIN.md §6.3).

use std::collections::HashMap;
use std::str::FromStr;

use fonds_domain::Money;
use time::Date;

use super::document::{Body, PageEntry, join};
use super::error::OfdError;
use super::package::{Package, dir_of};
use super::xml::{self, Element};
use super::{Limits, dates};
use crate::invoice::InvoiceFacts;

/// The invoice data of an OFD e-invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfdInvoice {
    /// Where the data was read from.
    pub source: InvoiceSource,
    /// 发票代码 (`InvoiceCode`); `None` for a 数电票.
    pub code: Option<String>,
    /// 发票号码 (`InvoiceNo`).
    pub number: String,
    /// 开票日期 (`IssueDate`).
    pub issued_on: Option<Date>,
    /// 销售方.
    pub seller: Party,
    /// 购买方.
    pub buyer: Party,
    /// 合计金额 (`TaxExclusiveTotalAmount`).
    pub total_amount: Option<Money>,
    /// 合计税额 (`TaxTotalAmount`).
    pub total_tax: Option<Money>,
    /// 价税合计 (`TaxInclusiveTotalAmount`).
    pub total_with_tax: Option<Money>,
    /// 备注 (`Note`).
    pub note: Option<String>,
    /// The goods or service lines (only from `original_invoice.xml`).
    pub lines: Vec<GoodsLine>,
}

/// Where invoice data was found in the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceSource {
    /// The `original_invoice.xml` attachment, at this package path.
    OriginalInvoice {
        /// The package path.
        path: String,
    },
    /// A custom tag file, at this package path.
    CustomTags {
        /// The package path.
        path: String,
    },
}

/// A party's name and taxpayer number.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    /// 名称.
    pub name: Option<String>,
    /// 纳税人识别号.
    pub tax_id: Option<String>,
}

/// One goods or service line (`GoodsInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoodsLine {
    /// 货物或应税劳务、服务名称 (`Item`).
    pub item: String,
    /// 规格型号 (`Specification`).
    pub specification: Option<String>,
    /// 单位 (`MeasurementDimension`).
    pub unit: Option<String>,
    /// 数量 (`Quantity`), as written: quantities may have many decimals.
    pub quantity: Option<String>,
    /// 单价 (`Price`), as written: unit prices may have more than two decimals.
    pub unit_price: Option<String>,
    /// 金额 (`Amount`), excluding tax.
    pub amount: Option<Money>,
    /// 税率 (`TaxScheme`), as written, e.g. `6%`.
    pub tax_rate: Option<String>,
    /// 税额 (`TaxAmount`).
    pub tax: Option<Money>,
}

impl OfdInvoice {
    /// The facts every invoice reader reports. A negative 价税合计 is how a red-letter invoice
    /// shows itself here; which invoice it reverses is not read (`reverses` is `None`).
    #[must_use]
    pub fn facts(&self) -> InvoiceFacts {
        InvoiceFacts {
            code: self.code.clone(),
            number: self.number.clone(),
            issued_on: self.issued_on,
            seller_name: self.seller.name.clone(),
            seller_tax_id: self.seller.tax_id.clone(),
            buyer_name: self.buyer.name.clone(),
            buyer_tax_id: self.buyer.tax_id.clone(),
            total_amount: self.total_amount,
            total_tax: self.total_tax,
            total_with_tax: self.total_with_tax,
            red_letter: self.total_with_tax.is_some_and(Money::is_negative),
            reverses: None,
        }
    }
}

/// Finds and reads the invoice data, if the package carries any.
pub(super) fn read_invoice(
    package: &Package,
    doc_root: &str,
    body: &Body,
    limits: &Limits,
) -> Result<Option<OfdInvoice>, OfdError> {
    if let Some(path) = original_invoice_path(package, doc_root, body, limits)? {
        let bytes = package.get(&path).unwrap_or_default();
        let root = xml::parse(&path, bytes, limits)?;
        let field = |name: &str| root.find(name).and_then(Element::text).map(str::to_owned);
        let fields = Fields::read(&path, field)?.ok_or_else(|| OfdError::MissingElement {
            path: path.clone(),
            element: "InvoiceNo",
        })?;
        let mut goods = Vec::new();
        root.find_all("GoodsInfo", &mut goods);
        let lines = goods
            .into_iter()
            .map(|g| goods_line(&path, g))
            .collect::<Result<_, _>>()?;
        return Ok(Some(
            fields.into_invoice(InvoiceSource::OriginalInvoice { path }, lines),
        ));
    }
    let Some(tags_path) = &body.custom_tags else {
        return Ok(None);
    };
    let tags = xml::parse(
        tags_path,
        package.get(tags_path).unwrap_or_default(),
        limits,
    )?;
    let mut pages = PageTexts::new(package, &body.pages, limits);
    for tag in tags.children_named("CustomTag") {
        let Some(path) = tag
            .child_text("FileLoc")
            .and_then(|loc| package.locate(tags_path, loc))
        else {
            continue;
        };
        let root = xml::parse(&path, package.get(&path).unwrap_or_default(), limits)?;
        let mut failure = None;
        let field = |name: &str| {
            let element = root.find(name)?;
            if let Some(text) = element.text() {
                return Some(text.to_owned());
            }
            match pages.resolve(element) {
                Ok(text) => text,
                Err(e) => {
                    failure.get_or_insert(e);
                    None
                }
            }
        };
        let fields = Fields::read(&path, field)?;
        if let Some(e) = failure {
            return Err(e);
        }
        if let Some(fields) = fields {
            return Ok(Some(
                fields.into_invoice(InvoiceSource::CustomTags { path }, Vec::new()),
            ));
        }
    }
    Ok(None)
}

/// `original_invoice.xml`: as listed in `Attachments.xml`, else at its usual place.
fn original_invoice_path(
    package: &Package,
    doc_root: &str,
    body: &Body,
    limits: &Limits,
) -> Result<Option<String>, OfdError> {
    if let Some(list_path) = &body.attachments {
        let list = xml::parse(
            list_path,
            package.get(list_path).unwrap_or_default(),
            limits,
        )?;
        let listed = list
            .children_named("Attachment")
            .filter(|a| a.attr("Name") == Some("original_invoice"))
            .find_map(|a| {
                a.child_text("FileLoc")
                    .and_then(|loc| package.locate(list_path, loc))
            });
        if listed.is_some() {
            return Ok(listed);
        }
    }
    let usual = join(dir_of(doc_root), "Attachs/original_invoice.xml");
    Ok(package.contains(&usual).then_some(usual))
}

/// The header fields, parsed, before they become an [`OfdInvoice`].
struct Fields {
    code: Option<String>,
    number: String,
    issued_on: Option<Date>,
    seller: Party,
    buyer: Party,
    total_amount: Option<Money>,
    total_tax: Option<Money>,
    total_with_tax: Option<Money>,
    note: Option<String>,
}

impl Fields {
    /// `Ok(None)` when there is no `InvoiceNo`: then this is not invoice data.
    fn read(
        path: &str,
        mut field: impl FnMut(&str) -> Option<String>,
    ) -> Result<Option<Self>, OfdError> {
        let Some(number) = field("InvoiceNo") else {
            return Ok(None);
        };
        let issued_on = match field("IssueDate") {
            Some(text) => Some(dates::parse(&text).ok_or_else(|| OfdError::InvoiceField {
                path: path.to_owned(),
                field: "IssueDate",
                value: short(&text),
                expected: "not a date (2024-03-05 or 2024年03月05日)",
            })?),
            None => None,
        };
        let mut amount = |name: &'static str| -> Result<Option<Money>, OfdError> {
            field(name).map(|text| money(path, name, &text)).transpose()
        };
        let total_amount = amount("TaxExclusiveTotalAmount")?;
        let total_tax = amount("TaxTotalAmount")?;
        let total_with_tax = amount("TaxInclusiveTotalAmount")?;
        Ok(Some(Self {
            code: field("InvoiceCode"),
            number,
            issued_on,
            seller: Party {
                name: field("SellerName"),
                tax_id: field("SellerTaxID"),
            },
            buyer: Party {
                name: field("BuyerName"),
                tax_id: field("BuyerTaxID"),
            },
            total_amount,
            total_tax,
            total_with_tax,
            note: field("Note"),
        }))
    }

    fn into_invoice(self, source: InvoiceSource, lines: Vec<GoodsLine>) -> OfdInvoice {
        OfdInvoice {
            source,
            code: self.code,
            number: self.number,
            issued_on: self.issued_on,
            seller: self.seller,
            buyer: self.buyer,
            total_amount: self.total_amount,
            total_tax: self.total_tax,
            total_with_tax: self.total_with_tax,
            note: self.note,
            lines,
        }
    }
}

fn goods_line(path: &str, goods: &Element) -> Result<GoodsLine, OfdError> {
    let text = |name| goods.child_text(name).map(str::to_owned);
    let amount = |name: &'static str| {
        goods
            .child_text(name)
            .map(|t| money(path, name, t))
            .transpose()
    };
    Ok(GoodsLine {
        item: text("Item").unwrap_or_default(),
        specification: text("Specification"),
        unit: text("MeasurementDimension"),
        quantity: text("Quantity"),
        unit_price: text("Price"),
        amount: amount("Amount")?,
        tax_rate: text("TaxScheme"),
        tax: amount("TaxAmount")?,
    })
}

/// An amount as invoices print it: a decimal, perhaps after `¥` or `￥`.
fn money(path: &str, field: &'static str, text: &str) -> Result<Money, OfdError> {
    let trimmed = text.trim();
    let bare = trimmed
        .strip_prefix('¥')
        .or_else(|| trimmed.strip_prefix('￥'))
        .unwrap_or(trimmed)
        .trim();
    Money::from_str(bare).map_err(|_| OfdError::InvoiceField {
        path: path.to_owned(),
        field,
        value: short(text),
        expected: "not an amount with at most two decimals",
    })
}

fn short(text: &str) -> String {
    text.chars().take(60).collect()
}

/// Page contents parsed on demand, for resolving custom tags' `ObjectRef`s to page text.
struct PageTexts<'a> {
    package: &'a Package,
    pages: &'a [PageEntry],
    limits: &'a Limits,
    parsed: HashMap<String, Element>,
}

impl<'a> PageTexts<'a> {
    fn new(package: &'a Package, pages: &'a [PageEntry], limits: &'a Limits) -> Self {
        Self {
            package,
            pages,
            limits,
            parsed: HashMap::new(),
        }
    }

    /// The joined text of the objects a tag refers to; `None` when none resolves.
    fn resolve(&mut self, tag: &Element) -> Result<Option<String>, OfdError> {
        let mut text = String::new();
        for object_ref in tag.children_named("ObjectRef") {
            let (Some(page_id), Some(object_id)) = (object_ref.attr("PageRef"), object_ref.text())
            else {
                continue;
            };
            let Some(content) = self.content(page_id)? else {
                continue;
            };
            let mut objects = Vec::new();
            content.find_all("TextObject", &mut objects);
            for object in objects
                .into_iter()
                .filter(|o| o.attr("ID") == Some(object_id))
            {
                for code in object.children_named("TextCode") {
                    text.push_str(code.text().unwrap_or_default());
                }
            }
        }
        Ok((!text.is_empty()).then_some(text))
    }

    fn content(&mut self, page_id: &str) -> Result<Option<&Element>, OfdError> {
        let Some(path) = self
            .pages
            .iter()
            .find(|p| p.id == page_id)
            .and_then(|p| p.content.clone())
        else {
            return Ok(None);
        };
        if !self.parsed.contains_key(&path) {
            let bytes = self.package.get(&path).unwrap_or_default();
            let content = xml::parse(&path, bytes, self.limits)?;
            self.parsed.insert(path.clone(), content);
        }
        Ok(self.parsed.get(&path))
    }
}
