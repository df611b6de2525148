//! A writer of realistic OFD e-invoices for tests and demonstrations.
//!
//! The package has the layout real e-invoices have (DOMAIN.md §6.4): `OFD.xml` with `DocInfo`,
//! `Doc_0/Document.xml` with one page, `Doc_0/PublicRes.xml` (one font), the page content with
//! text objects showing the invoice, `Doc_0/Attachs/Attachments.xml` with
//! `original_invoice.xml` carrying the structured data, and `Doc_0/Signs/` with one seal whose
//! references cover every file above except `OFD.xml`, each with its SM3 `CheckValue`.
//!
//! The seal is not real: `SignedValue.dat` is a placeholder byte string, not a GB/T 38540
//! SES_Signature, so a reader's seal check is "not verified" for it, while the reference digests
//! are correct and checkable. The output is deterministic: every timestamp comes from the spec
//! and the ZIP is written by [`super::zip_out`].

use fonds_domain::Money;
use time::{Date, PrimitiveDateTime};

use super::base64;
use super::signature::CheckMethod;
use super::zip_out::{DosTime, Entry, stored_zip};
use crate::invoice::InvoiceFacts;
use crate::xml_bounded::XmlWriter;

/// The data of one OFD e-invoice to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfdInvoiceSpec {
    /// 发票代码: 12 digits for an older VAT e-invoice; `None` for a 数电票, whose `number` then
    /// has 20 digits and whose attachment carries the number only.
    pub code: Option<String>,
    /// 发票号码: 8 digits with a code, 20 without.
    pub number: String,
    /// 开票日期.
    pub issued_on: Date,
    /// 销售方名称.
    pub seller_name: String,
    /// 销售方纳税人识别号.
    pub seller_tax_id: String,
    /// 购买方名称.
    pub buyer_name: String,
    /// 购买方纳税人识别号.
    pub buyer_tax_id: String,
    /// The goods or service lines.
    pub lines: Vec<OfdInvoiceLine>,
    /// 合计金额, excluding tax.
    pub total_amount: Money,
    /// 合计税额.
    pub total_tax: Money,
    /// 价税合计.
    pub total_with_tax: Money,
    /// 备注.
    pub note: Option<String>,
    /// `DocID` of the package (32 hex digits in real invoices).
    pub doc_id: String,
    /// When the invoice was sealed; also every ZIP entry's timestamp.
    pub signed_at: PrimitiveDateTime,
    /// A deliberate defect for tests of the checks; `None` for a sound package.
    pub tamper: Option<Tamper>,
}

/// One goods or service line of an [`OfdInvoiceSpec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfdInvoiceLine {
    /// 名称, e.g. `*信息技术服务*软件维护费`.
    pub item: String,
    /// 规格型号.
    pub specification: Option<String>,
    /// 单位.
    pub unit: Option<String>,
    /// 数量, as printed.
    pub quantity: String,
    /// 单价, as printed.
    pub unit_price: String,
    /// 金额, excluding tax.
    pub amount: Money,
    /// 税率, as printed, e.g. `6%`.
    pub tax_rate: String,
    /// 税额.
    pub tax: Money,
}

/// A deliberate defect in a rendered package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    /// The declared `CheckValue` of `Doc_0/Attachs/original_invoice.xml` is wrong (a valid SM3
    /// value of other bytes); the file itself is as issued.
    CheckValueWrong,
    /// `Doc_0/Attachs/original_invoice.xml` was changed after the check values were computed:
    /// its 价税合计 is 100.00 higher than signed.
    ContentChangedAfterSigning,
    /// `Doc_0/PublicRes.xml` is referenced by the signature but left out of the package.
    SignedFileRemoved,
    /// `CheckMethod` names MD5, which Fonds does not compute (the values are still SM3).
    CheckMethodUnsupported,
}

impl Tamper {
    /// The package path the defect is in, when it concerns one file.
    #[must_use]
    pub const fn affected_path(self) -> Option<&'static str> {
        match self {
            Self::CheckValueWrong | Self::ContentChangedAfterSigning => Some(ORIGINAL_INVOICE),
            Self::SignedFileRemoved => Some(PUBLIC_RES),
            Self::CheckMethodUnsupported => None,
        }
    }
}

const NS: (&str, &str) = ("xmlns:ofd", "http://www.ofdspec.org/2016");
const DOCUMENT: &str = "Doc_0/Document.xml";
const PUBLIC_RES: &str = "Doc_0/PublicRes.xml";
const PAGE: &str = "Doc_0/Pages/Page_0/Content.xml";
const ATTACHMENTS: &str = "Doc_0/Attachs/Attachments.xml";
const ORIGINAL_INVOICE: &str = "Doc_0/Attachs/original_invoice.xml";
const SIGNATURES: &str = "Doc_0/Signs/Signatures.xml";
const SIGNATURE: &str = "Doc_0/Signs/Sign_0/Signature.xml";
const SIGNED_VALUE: &str = "Doc_0/Signs/Sign_0/SignedValue.dat";
/// The OID of SM2 signatures with SM3 digests.
const SM2_WITH_SM3: &str = "1.2.156.10197.1.501";
/// The title printed on the page and written as `DocInfo/Title`.
const TITLE: &str = "电子发票(普通发票)";

impl OfdInvoiceSpec {
    /// The facts a reader of the rendered package should report (before any [`Tamper`]).
    #[must_use]
    pub fn facts(&self) -> InvoiceFacts {
        InvoiceFacts {
            code: self.code.clone(),
            number: self.number.clone(),
            issued_on: Some(self.issued_on),
            seller_name: Some(self.seller_name.clone()),
            seller_tax_id: Some(self.seller_tax_id.clone()),
            buyer_name: Some(self.buyer_name.clone()),
            buyer_tax_id: Some(self.buyer_tax_id.clone()),
            total_amount: Some(self.total_amount),
            total_tax: Some(self.total_tax),
            total_with_tax: Some(self.total_with_tax),
            red_letter: self.total_with_tax.is_negative(),
            reverses: None,
        }
    }
}

/// Renders the invoice as an OFD package, byte for byte the same for the same spec.
#[must_use]
pub fn render_invoice(spec: &OfdInvoiceSpec) -> Vec<u8> {
    let original = original_invoice(spec, spec.total_with_tax);
    let mut signed: Vec<(&str, Vec<u8>)> = vec![
        (DOCUMENT, document()),
        (PUBLIC_RES, public_res()),
        (PAGE, page(spec)),
        (ATTACHMENTS, attachments(spec, original.len())),
        (ORIGINAL_INVOICE, original),
    ];
    let signature = signature(spec, &signed);
    let signed_value = signed_value(&signature);

    match spec.tamper {
        Some(Tamper::ContentChangedAfterSigning) => {
            let raised = spec
                .total_with_tax
                .checked_add(Money::from_fen(10_000))
                .unwrap_or(Money::ZERO);
            for (path, bytes) in &mut signed {
                if *path == ORIGINAL_INVOICE {
                    *bytes = original_invoice(spec, raised);
                }
            }
        }
        Some(Tamper::SignedFileRemoved) => signed.retain(|(path, _)| *path != PUBLIC_RES),
        _ => {}
    }

    let mut files: Vec<(&str, Vec<u8>)> = vec![("OFD.xml", ofd_root(spec))];
    files.extend(signed);
    files.push((SIGNATURES, signatures()));
    files.push((SIGNATURE, signature));
    files.push((SIGNED_VALUE, signed_value));
    let entries: Vec<Entry<'_>> = files
        .iter()
        .map(|(path, bytes)| Entry::new(path, bytes))
        .collect();
    stored_zip(&entries, DosTime::from_datetime(spec.signed_at))
}

fn ofd_root(spec: &OfdInvoiceSpec) -> Vec<u8> {
    let mut x = XmlWriter::new();
    x.open_with("ofd:OFD", &[NS, ("Version", "1.1"), ("DocType", "OFD")]);
    x.open("ofd:DocBody");
    x.open("ofd:DocInfo");
    x.leaf("ofd:DocID", &spec.doc_id);
    x.leaf("ofd:Title", TITLE);
    x.leaf("ofd:Author", &spec.seller_name);
    x.leaf("ofd:CreationDate", &spec.issued_on.to_string());
    x.open("ofd:CustomDatas");
    if let Some(code) = &spec.code {
        x.leaf_with("ofd:CustomData", &[("Name", "发票代码")], code);
    }
    x.leaf_with("ofd:CustomData", &[("Name", "发票号码")], &spec.number);
    x.leaf_with(
        "ofd:CustomData",
        &[("Name", "开票日期")],
        &chinese_date(spec.issued_on),
    );
    x.leaf_with(
        "ofd:CustomData",
        &[("Name", "价税合计")],
        &spec.total_with_tax.to_string(),
    );
    x.close("ofd:CustomDatas");
    x.close("ofd:DocInfo");
    x.leaf("ofd:DocRoot", DOCUMENT);
    x.leaf("ofd:Signatures", SIGNATURES);
    x.close("ofd:DocBody");
    x.close("ofd:OFD");
    x.finish().into_bytes()
}

fn document() -> Vec<u8> {
    let mut x = XmlWriter::new();
    x.open_with("ofd:Document", &[NS]);
    x.open("ofd:CommonData");
    x.leaf("ofd:MaxUnitID", "100");
    x.open("ofd:PageArea");
    x.leaf("ofd:PhysicalBox", "0 0 210 140");
    x.close("ofd:PageArea");
    x.leaf("ofd:PublicRes", "PublicRes.xml");
    x.close("ofd:CommonData");
    x.open("ofd:Pages");
    x.empty_with(
        "ofd:Page",
        &[("ID", "1"), ("BaseLoc", "Pages/Page_0/Content.xml")],
    );
    x.close("ofd:Pages");
    x.leaf("ofd:Attachments", "Attachs/Attachments.xml");
    x.close("ofd:Document");
    x.finish().into_bytes()
}

fn public_res() -> Vec<u8> {
    let mut x = XmlWriter::new();
    x.open_with("ofd:Res", &[NS, ("BaseLoc", "Res")]);
    x.open("ofd:Fonts");
    x.empty_with(
        "ofd:Font",
        &[("ID", "2"), ("FontName", "宋体"), ("FamilyName", "宋体")],
    );
    x.close("ofd:Fonts");
    x.close("ofd:Res");
    x.finish().into_bytes()
}

/// The page: one text object per printed line, top to bottom, in millimetres.
fn page(spec: &OfdInvoiceSpec) -> Vec<u8> {
    let mut lines: Vec<(f32, String)> = vec![(5.0, TITLE.to_owned())];
    if let Some(code) = &spec.code {
        lines.push((3.5, format!("发票代码: {code}")));
    }
    lines.push((3.5, format!("发票号码: {}", spec.number)));
    lines.push((3.5, format!("开票日期: {}", chinese_date(spec.issued_on))));
    lines.push((3.5, format!("购买方名称: {}", spec.buyer_name)));
    lines.push((3.5, format!("购买方纳税人识别号: {}", spec.buyer_tax_id)));
    for line in &spec.lines {
        lines.push((
            3.0,
            format!(
                "{} {} {} ¥{} {} ¥{}",
                line.item, line.quantity, line.unit_price, line.amount, line.tax_rate, line.tax
            ),
        ));
    }
    lines.push((
        3.5,
        format!("合计: ¥{} ¥{}", spec.total_amount, spec.total_tax),
    ));
    lines.push((3.5, format!("价税合计(小写): ¥{}", spec.total_with_tax)));
    lines.push((3.5, format!("销售方名称: {}", spec.seller_name)));
    lines.push((3.5, format!("销售方纳税人识别号: {}", spec.seller_tax_id)));
    if let Some(note) = &spec.note {
        lines.push((3.0, format!("备注: {note}")));
    }

    let mut x = XmlWriter::new();
    x.open_with("ofd:Page", &[NS]);
    x.open("ofd:Content");
    x.open_with("ofd:Layer", &[("ID", "3")]);
    let mut y = 8.0_f32;
    for (index, (size, text)) in lines.iter().enumerate() {
        let id = (index + 10).to_string();
        let boundary = format!("10 {y:.1} 190 {:.1}", size + 2.0);
        let size_text = format!("{size:.1}");
        x.open_with(
            "ofd:TextObject",
            &[
                ("ID", &id),
                ("Boundary", &boundary),
                ("Font", "2"),
                ("Size", &size_text),
            ],
        );
        x.leaf_with("ofd:TextCode", &[("X", "0"), ("Y", &size_text)], text);
        x.close("ofd:TextObject");
        y += size + 3.0;
    }
    x.close("ofd:Layer");
    x.close("ofd:Content");
    x.close("ofd:Page");
    x.finish().into_bytes()
}

fn attachments(spec: &OfdInvoiceSpec, original_len: usize) -> Vec<u8> {
    // `Size` is in kilobytes, written with two decimals.
    let size = format!(
        "{}.{:02}",
        original_len / 1024,
        original_len % 1024 * 100 / 1024
    );
    let created = spec.issued_on.to_string();
    let mut x = XmlWriter::new();
    x.open_with("ofd:Attachments", &[NS]);
    x.open_with(
        "ofd:Attachment",
        &[
            ("ID", "90"),
            ("Name", "original_invoice"),
            ("Format", "xml"),
            ("CreationDate", &created),
            ("Size", &size),
            ("Visible", "false"),
        ],
    );
    x.leaf("ofd:FileLoc", "original_invoice.xml");
    x.close("ofd:Attachment");
    x.close("ofd:Attachments");
    x.finish().into_bytes()
}

/// The structured data, with `total_with_tax` as given (a tamper raises it after signing).
fn original_invoice(spec: &OfdInvoiceSpec, total_with_tax: Money) -> Vec<u8> {
    let mut x = XmlWriter::new();
    x.open("eInvoice");
    x.leaf("DocID", &spec.doc_id);
    if let Some(code) = &spec.code {
        x.leaf("InvoiceCode", code);
    }
    x.leaf("InvoiceNo", &spec.number);
    x.leaf("IssueDate", &chinese_date(spec.issued_on));
    x.open("Buyer");
    x.leaf("BuyerName", &spec.buyer_name);
    x.leaf("BuyerTaxID", &spec.buyer_tax_id);
    x.close("Buyer");
    x.open("Seller");
    x.leaf("SellerName", &spec.seller_name);
    x.leaf("SellerTaxID", &spec.seller_tax_id);
    x.close("Seller");
    x.leaf("TaxExclusiveTotalAmount", &spec.total_amount.to_string());
    x.leaf("TaxTotalAmount", &spec.total_tax.to_string());
    x.leaf("TaxInclusiveTotalAmount", &total_with_tax.to_string());
    if let Some(note) = &spec.note {
        x.leaf("Note", note);
    }
    x.open("GoodsInfos");
    for line in &spec.lines {
        x.open("GoodsInfo");
        x.leaf("Item", &line.item);
        if let Some(specification) = &line.specification {
            x.leaf("Specification", specification);
        }
        if let Some(unit) = &line.unit {
            x.leaf("MeasurementDimension", unit);
        }
        x.leaf("Price", &line.unit_price);
        x.leaf("Quantity", &line.quantity);
        x.leaf("Amount", &line.amount.to_string());
        x.leaf("TaxScheme", &line.tax_rate);
        x.leaf("TaxAmount", &line.tax.to_string());
        x.close("GoodsInfo");
    }
    x.close("GoodsInfos");
    x.close("eInvoice");
    x.finish().into_bytes()
}

fn signatures() -> Vec<u8> {
    let mut x = XmlWriter::new();
    x.open_with("ofd:Signatures", &[NS]);
    x.leaf("ofd:MaxSignId", "1");
    let base_loc = format!("/{SIGNATURE}");
    x.empty_with(
        "ofd:Signature",
        &[("ID", "1"), ("Type", "Seal"), ("BaseLoc", &base_loc)],
    );
    x.close("ofd:Signatures");
    x.finish().into_bytes()
}

/// `Signature.xml` with the SM3 check value of every signed file, as the spec's tamper leaves
/// them.
fn signature(spec: &OfdInvoiceSpec, signed: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let check_method = match spec.tamper {
        Some(Tamper::CheckMethodUnsupported) => "MD5",
        _ => CheckMethod::SM3_OID,
    };
    let at = spec.signed_at;
    let signed_at = format!(
        "{} {:02}:{:02}:{:02}",
        at.date(),
        at.hour(),
        at.minute(),
        at.second()
    );
    let mut x = XmlWriter::new();
    x.open_with("ofd:Signature", &[NS]);
    x.open("ofd:SignedInfo");
    x.empty_with(
        "ofd:Provider",
        &[
            ("ProviderName", "Fonds demo signer"),
            ("Company", "Fonds"),
            ("Version", "1.0"),
        ],
    );
    x.leaf("ofd:SignatureMethod", SM2_WITH_SM3);
    x.leaf("ofd:SignatureDateTime", &signed_at);
    x.open_with("ofd:References", &[("CheckMethod", check_method)]);
    for (path, bytes) in signed {
        let digest = match spec.tamper {
            Some(Tamper::CheckValueWrong) if *path == ORIGINAL_INVOICE => {
                CheckMethod::Sm3.digest(b"not the signed content")
            }
            _ => CheckMethod::Sm3.digest(bytes),
        };
        let file_ref = format!("/{path}");
        x.open_with("ofd:Reference", &[("FileRef", &file_ref)]);
        x.leaf("ofd:CheckValue", &base64::encode(&digest));
        x.close("ofd:Reference");
    }
    x.close("ofd:References");
    x.empty_with(
        "ofd:StampAnnot",
        &[("ID", "1"), ("PageRef", "1"), ("Boundary", "150 8 40 26")],
    );
    x.close("ofd:SignedInfo");
    x.leaf("ofd:SignedValue", &format!("/{SIGNED_VALUE}"));
    x.close("ofd:Signature");
    x.finish().into_bytes()
}

/// A placeholder for the seal's signature value: a fixed text and the SM3 of `Signature.xml`,
/// so it differs per invoice. It is not a GB/T 38540 SES_Signature and verifies nothing.
fn signed_value(signature: &[u8]) -> Vec<u8> {
    let mut value = b"FONDS DEMO PLACEHOLDER - not a GB/T 38540 seal signature\n".to_vec();
    value.extend_from_slice(base64::encode(&CheckMethod::Sm3.digest(signature)).as_bytes());
    value
}

/// `2024年03月05日`, as invoices print dates.
fn chinese_date(date: Date) -> String {
    format!(
        "{:04}年{:02}月{:02}日",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}
