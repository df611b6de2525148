//! The four-properties check (四性检测) as data: the catalogue of items, what each examines, the
//! property it serves, the stages it runs at and how much a failure weighs (DOMAIN.md §3,
//! DA/T 70 as applied by DA/T 94, DA/T 95 and DA/T 92).
//!
//! An item's outcome is one of four, and the difference matters to an auditor: an item that could
//! not run (no scanner configured, a reader that timed out, a seal format nobody can verify) is
//! [`Outcome::NotRun`] with its reason, never a pass.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The four properties of DA/T 70.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Property {
    /// 真实性: content, structure and context are as when created.
    Authenticity,
    /// 完整性: nothing is missing, damaged or altered.
    Integrity,
    /// 可用性: the record can be found, rendered and understood.
    Usability,
    /// 安全性: controlled, reliably stored, free of malicious content.
    Security,
}

impl Property {
    /// Every property, in the order reports list them.
    pub const ALL: [Self; 4] = [
        Self::Authenticity,
        Self::Integrity,
        Self::Usability,
        Self::Security,
    ];

    /// The Chinese name.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Authenticity => "真实性",
            Self::Integrity => "完整性",
            Self::Usability => "可用性",
            Self::Security => "安全性",
        }
    }

    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Authenticity => "authenticity",
            Self::Integrity => "integrity",
            Self::Usability => "usability",
            Self::Security => "security",
        }
    }
}

/// The stages of DA/T 70 at which the check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Stage {
    /// 归档 (collection and archiving).
    #[serde(rename = "GD")]
    Archiving,
    /// 移交与接收 (transfer to and receipt by the archives).
    #[serde(rename = "YJ")]
    Transfer,
    /// 长期保存 (long-term preservation, at least yearly).
    #[serde(rename = "CQ")]
    Preservation,
}

impl Stage {
    /// The stage code of DA/T 70: `GD`, `YJ` or `CQ`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Archiving => "GD",
            Self::Transfer => "YJ",
            Self::Preservation => "CQ",
        }
    }

    /// The Chinese name.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Archiving => "归档",
            Self::Transfer => "移交与接收",
            Self::Preservation => "长期保存",
        }
    }
}

impl FromStr for Stage {
    type Err = UnknownCheckValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "GD" => Ok(Self::Archiving),
            "YJ" => Ok(Self::Transfer),
            "CQ" => Ok(Self::Preservation),
            _ => Err(UnknownCheckValue::new("stage", s, "GD, YJ or CQ")),
        }
    }
}

/// What caused a check run; each occasion runs the items of one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Occasion {
    /// A submission arrived through the interface (DA/T 94 7.5: at collection).
    Submission,
    /// Records were archived (DA/T 94 9.2).
    Archiving,
    /// Records are about to be transferred (DA/T 94 E.4.6).
    Transfer,
    /// The periodic check of archived records (DA/T 92 9.4.1: at least once a year).
    Scheduled,
    /// Someone asked for a check run.
    OnDemand,
}

impl Occasion {
    /// Every occasion.
    pub const ALL: [Self; 5] = [
        Self::Submission,
        Self::Archiving,
        Self::Transfer,
        Self::Scheduled,
        Self::OnDemand,
    ];

    /// The stage whose items run on this occasion.
    #[must_use]
    pub const fn stage(self) -> Stage {
        match self {
            Self::Submission | Self::Archiving => Stage::Archiving,
            Self::Transfer => Stage::Transfer,
            Self::Scheduled | Self::OnDemand => Stage::Preservation,
        }
    }

    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Submission => "submission",
            Self::Archiving => "archiving",
            Self::Transfer => "transfer",
            Self::Scheduled => "scheduled",
            Self::OnDemand => "on_demand",
        }
    }

    /// The Chinese name.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Submission => "接收检测",
            Self::Archiving => "归档检测",
            Self::Transfer => "移交检测",
            Self::Scheduled => "定期检测",
            Self::OnDemand => "手动检测",
        }
    }
}

impl FromStr for Occasion {
    type Err = UnknownCheckValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| {
                UnknownCheckValue::new(
                    "occasion",
                    s,
                    "submission, archiving, transfer, scheduled or on_demand",
                )
            })
    }
}

/// How much a failed item weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A failure refuses the submission or the archiving and raises an alert on stored records.
    Error,
    /// A failure is recorded and shown, and the act goes ahead.
    Warning,
}

impl Severity {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// One item of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckItem {
    /// Declared digests equal the digests computed over the content (固化信息: 摘要).
    FixityDigest,
    /// The check values of embedded signatures and seals are recomputed and compared, and the
    /// seal signature verified (固化信息: 电子签名、电子印章).
    EmbeddedSignature,
    /// Metadata fields keep to their lengths (元数据长度).
    MetadataLength,
    /// Metadata values are of their type and format, e.g. dates (数据类型和格式).
    MetadataFormat,
    /// Metadata values lie in their domains and plausible ranges (值域、合理性).
    MetadataRange,
    /// No illegal characters in the metadata (非法字符).
    MetadataCharacters,
    /// The archival code is well formed under the fonds' pattern (档号规范性).
    ArchivalCodeForm,
    /// No other record holds the same voucher number, business key or archival code (重复性).
    MetadataDuplicates,
    /// The file's recorded attributes (size, format) match the content (电子属性一致性).
    ContentAttributes,
    /// The structured data inside a document agrees with itself and with the record: invoice
    /// totals equal the lines, a bank statement's balances run on (内容一致性).
    ContentConsistency,
    /// An invoice was booked once in the whole installation (防止重复入账).
    InvoiceBookedOnce,
    /// Every record has its content and every file is where the metadata says (内容完整).
    ContentPresent,
    /// Mandatory metadata is present (必填项).
    MandatoryMetadata,
    /// The voucher numbers of a period run on without gaps (凭证号连续性).
    VoucherContinuity,
    /// The declared attachment count equals the originals carried or linked (附件数).
    AttachmentCount,
    /// Debits equal credits on the 记账凭证 (借贷平衡).
    DebitsEqualCredits,
    /// The voucher's date and period lie inside its fiscal year (会计期间).
    PeriodInFiscalYear,
    /// The invoice amounts agree with the amount the record books (发票金额与报销金额一致).
    InvoiceAmountMatches,
    /// The file opens and parses in the reader of its format (可正常打开).
    FileParses,
    /// The format is on the list of formats accepted for long-term keeping (格式符合要求).
    FormatAccepted,
    /// No encryption or non-public packaging that would block use (无加密、无非公开封装).
    NoEncryption,
    /// The content passed a virus scan (病毒检测).
    VirusFree,
    /// No executables, scripts or macros (无可执行代码、脚本或宏).
    NoActiveContent,
}

/// What the catalogue says of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckItemSpec {
    /// The item.
    pub item: CheckItem,
    /// Its number in the catalogue, e.g. `1-01` (property, then item).
    pub number: &'static str,
    /// Its Chinese name.
    pub name_zh: &'static str,
    /// The property it serves.
    pub property: Property,
    /// The stages it runs at.
    pub stages: &'static [Stage],
    /// How much a failure weighs by default.
    pub severity: Severity,
}

const ALL_STAGES: &[Stage] = &[Stage::Archiving, Stage::Transfer, Stage::Preservation];
const RECEIPT_STAGES: &[Stage] = &[Stage::Archiving, Stage::Transfer];

impl CheckItem {
    /// The whole catalogue, in report order.
    pub const ALL: [Self; 23] = [
        Self::FixityDigest,
        Self::EmbeddedSignature,
        Self::MetadataLength,
        Self::MetadataFormat,
        Self::MetadataRange,
        Self::MetadataCharacters,
        Self::ArchivalCodeForm,
        Self::MetadataDuplicates,
        Self::ContentAttributes,
        Self::ContentConsistency,
        Self::InvoiceBookedOnce,
        Self::ContentPresent,
        Self::MandatoryMetadata,
        Self::VoucherContinuity,
        Self::AttachmentCount,
        Self::DebitsEqualCredits,
        Self::PeriodInFiscalYear,
        Self::InvoiceAmountMatches,
        Self::FileParses,
        Self::FormatAccepted,
        Self::NoEncryption,
        Self::VirusFree,
        Self::NoActiveContent,
    ];

    /// What the catalogue says of this item.
    #[must_use]
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per catalogue row reads as the table"
    )]
    pub const fn spec(self) -> CheckItemSpec {
        use Property::{Authenticity, Integrity, Security, Usability};
        use Severity::{Error, Warning};
        let (number, name_zh, property, stages, severity) = match self {
            Self::FixityDigest => (
                "1-01",
                "固化信息有效性（摘要值）",
                Authenticity,
                ALL_STAGES,
                Error,
            ),
            Self::EmbeddedSignature => (
                "1-02",
                "固化信息有效性（电子签名、电子印章）",
                Authenticity,
                ALL_STAGES,
                Error,
            ),
            Self::MetadataLength => ("1-03", "元数据项长度", Authenticity, ALL_STAGES, Error),
            Self::MetadataFormat => (
                "1-04",
                "元数据项数据类型和格式",
                Authenticity,
                ALL_STAGES,
                Error,
            ),
            Self::MetadataRange => (
                "1-05",
                "元数据项值域和合理性",
                Authenticity,
                ALL_STAGES,
                Error,
            ),
            Self::MetadataCharacters => {
                ("1-06", "元数据项特殊字符", Authenticity, ALL_STAGES, Error)
            }
            Self::ArchivalCodeForm => ("1-07", "档号规范性", Authenticity, ALL_STAGES, Error),
            Self::MetadataDuplicates => ("1-08", "元数据项重复性", Authenticity, ALL_STAGES, Error),
            Self::ContentAttributes => (
                "1-09",
                "电子属性与元数据一致性",
                Authenticity,
                ALL_STAGES,
                Error,
            ),
            Self::ContentConsistency => ("1-10", "内容数据一致性", Authenticity, ALL_STAGES, Error),
            Self::InvoiceBookedOnce => (
                "1-11",
                "发票未重复入账",
                Authenticity,
                RECEIPT_STAGES,
                Error,
            ),
            Self::ContentPresent => ("2-01", "内容数据完整性", Integrity, ALL_STAGES, Error),
            Self::MandatoryMetadata => ("2-02", "元数据必填项", Integrity, ALL_STAGES, Error),
            Self::VoucherContinuity => ("2-03", "凭证号连续性", Integrity, ALL_STAGES, Warning),
            Self::AttachmentCount => (
                "2-04",
                "附件数与原始凭证一致",
                Integrity,
                ALL_STAGES,
                Warning,
            ),
            Self::DebitsEqualCredits => ("2-05", "借贷平衡", Integrity, ALL_STAGES, Error),
            Self::PeriodInFiscalYear => {
                ("2-06", "凭证日期在会计期间内", Integrity, ALL_STAGES, Error)
            }
            Self::InvoiceAmountMatches => (
                "2-07",
                "发票金额与入账金额一致",
                Integrity,
                ALL_STAGES,
                Warning,
            ),
            Self::FileParses => ("3-01", "文件可正常打开和解析", Usability, ALL_STAGES, Error),
            Self::FormatAccepted => (
                "3-02",
                "文件格式符合长期保存要求",
                Usability,
                ALL_STAGES,
                Error,
            ),
            Self::NoEncryption => (
                "3-03",
                "无加密和非公开压缩封装",
                Usability,
                ALL_STAGES,
                Error,
            ),
            Self::VirusFree => ("4-01", "病毒检测", Security, ALL_STAGES, Error),
            Self::NoActiveContent => (
                "4-02",
                "无可执行程序、脚本和宏",
                Security,
                ALL_STAGES,
                Error,
            ),
        };
        CheckItemSpec {
            item: self,
            number,
            name_zh,
            property,
            stages,
            severity,
        }
    }

    /// The wire name, e.g. `fixity_digest`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FixityDigest => "fixity_digest",
            Self::EmbeddedSignature => "embedded_signature",
            Self::MetadataLength => "metadata_length",
            Self::MetadataFormat => "metadata_format",
            Self::MetadataRange => "metadata_range",
            Self::MetadataCharacters => "metadata_characters",
            Self::ArchivalCodeForm => "archival_code_form",
            Self::MetadataDuplicates => "metadata_duplicates",
            Self::ContentAttributes => "content_attributes",
            Self::ContentConsistency => "content_consistency",
            Self::InvoiceBookedOnce => "invoice_booked_once",
            Self::ContentPresent => "content_present",
            Self::MandatoryMetadata => "mandatory_metadata",
            Self::VoucherContinuity => "voucher_continuity",
            Self::AttachmentCount => "attachment_count",
            Self::DebitsEqualCredits => "debits_equal_credits",
            Self::PeriodInFiscalYear => "period_in_fiscal_year",
            Self::InvoiceAmountMatches => "invoice_amount_matches",
            Self::FileParses => "file_parses",
            Self::FormatAccepted => "format_accepted",
            Self::NoEncryption => "no_encryption",
            Self::VirusFree => "virus_free",
            Self::NoActiveContent => "no_active_content",
        }
    }

    /// The item's code at a stage, e.g. `GD-1-01`: the DA/T 70 stage prefix and the catalogue
    /// number. The numbering is Fonds' own; DA/T 70's official numbering is only partly public.
    #[must_use]
    pub fn code(self, stage: Stage) -> String {
        format!("{}-{}", stage.code(), self.spec().number)
    }

    /// Whether the item runs at `stage`.
    #[must_use]
    pub fn runs_at(self, stage: Stage) -> bool {
        self.spec().stages.contains(&stage)
    }
}

impl fmt::Display for CheckItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CheckItem {
    type Err = UnknownCheckValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|i| i.as_str() == s)
            .ok_or_else(|| UnknownCheckValue::new("check item", s, "see GET /api/v1/checks/items"))
    }
}

/// The outcome of one item for one record (or one file of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "snake_case")]
pub enum Outcome {
    /// The item ran and found nothing wrong.
    Passed,
    /// The item ran and found a problem.
    Failed,
    /// The item does not concern this record (no invoice to compare, a ledger has no entries),
    /// and the reason says why.
    NotApplicable(String),
    /// The item could not run, and the reason says why. Never counted as passed.
    NotRun(String),
}

impl Outcome {
    /// The wire name: `passed`, `failed`, `not_applicable` or `not_run`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::NotApplicable(_) => "not_applicable",
            Self::NotRun(_) => "not_run",
        }
    }

    /// The Chinese name.
    #[must_use]
    pub const fn name_zh(&self) -> &'static str {
        match self {
            Self::Passed => "通过",
            Self::Failed => "未通过",
            Self::NotApplicable(_) => "不适用",
            Self::NotRun(_) => "未检测",
        }
    }

    /// Rebuilds an outcome from its stored name and reason.
    ///
    /// # Errors
    /// When the name is not an outcome.
    pub fn from_parts(name: &str, reason: Option<String>) -> Result<Self, UnknownCheckValue> {
        let reason = || reason.clone().unwrap_or_default();
        match name {
            "passed" => Ok(Self::Passed),
            "failed" => Ok(Self::Failed),
            "not_applicable" => Ok(Self::NotApplicable(reason())),
            "not_run" => Ok(Self::NotRun(reason())),
            _ => Err(UnknownCheckValue::new(
                "outcome",
                name,
                "passed, failed, not_applicable or not_run",
            )),
        }
    }

    /// The reason of an outcome that did not run or does not apply.
    #[must_use]
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::NotApplicable(r) | Self::NotRun(r) => Some(r),
            Self::Passed | Self::Failed => None,
        }
    }
}

/// A stored or configured value that names nothing the catalogue knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a {what}: use {expected}")]
pub struct UnknownCheckValue {
    what: &'static str,
    value: String,
    expected: &'static str,
}

impl UnknownCheckValue {
    fn new(what: &'static str, value: &str, expected: &'static str) -> Self {
        Self {
            what,
            value: value.chars().take(60).collect(),
            expected,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_item_has_a_unique_number_and_wire_name_and_runs_somewhere() {
        let numbers: BTreeSet<_> = CheckItem::ALL.iter().map(|i| i.spec().number).collect();
        let names: BTreeSet<_> = CheckItem::ALL.iter().map(|i| i.as_str()).collect();
        assert_eq!(numbers.len(), CheckItem::ALL.len());
        assert_eq!(names.len(), CheckItem::ALL.len());
        for item in CheckItem::ALL {
            assert!(!item.spec().stages.is_empty(), "{item}");
            assert_eq!(item.as_str().parse::<CheckItem>(), Ok(item));
            assert_eq!(item.spec().item, item);
        }
    }

    #[test]
    fn every_property_has_items_and_numbers_follow_the_property() {
        for (n, property) in Property::ALL.into_iter().enumerate() {
            let items: Vec<_> = CheckItem::ALL
                .into_iter()
                .filter(|i| i.spec().property == property)
                .collect();
            assert!(!items.is_empty(), "{property:?}");
            for item in items {
                assert!(item.spec().number.starts_with(&format!("{}-", n + 1)));
            }
        }
    }

    #[test]
    fn codes_carry_the_stage_prefix_and_duplicate_booking_is_checked_on_receipt_only() {
        assert_eq!(CheckItem::FixityDigest.code(Stage::Archiving), "GD-1-01");
        assert_eq!(CheckItem::VirusFree.code(Stage::Preservation), "CQ-4-01");
        assert!(CheckItem::InvoiceBookedOnce.runs_at(Stage::Archiving));
        assert!(!CheckItem::InvoiceBookedOnce.runs_at(Stage::Preservation));
        assert_eq!(Occasion::Scheduled.stage(), Stage::Preservation);
        assert_eq!(Occasion::Submission.stage(), Stage::Archiving);
    }

    #[test]
    fn outcomes_round_trip_and_not_run_keeps_its_reason() {
        for outcome in [
            Outcome::Passed,
            Outcome::Failed,
            Outcome::NotApplicable("no invoice".into()),
            Outcome::NotRun("no scanner configured".into()),
        ] {
            let back = Outcome::from_parts(outcome.as_str(), outcome.reason().map(str::to_owned));
            assert_eq!(back, Ok(outcome));
        }
        assert!(Outcome::from_parts("ok", None).is_err());
    }
}
