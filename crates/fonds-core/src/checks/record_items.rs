//! The items that examine a record's metadata and its accounting sense: lengths, characters,
//! formats, ranges, mandatory fields, the archival code, debits and credits, the period, the
//! attachment count and the invoice amounts. Each returns its outcome and the evidence an auditor
//! reads in the report (in Chinese, as the report is).

use fonds_domain::{CheckItem, Money, Outcome, RecordKind, ensure_balanced};
use fonds_formats::invoice::InvoiceFacts;

use super::subject::Subject;

/// One finding of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub item: CheckItem,
    pub outcome: Outcome,
    pub evidence: String,
}

impl Finding {
    pub(crate) fn new(item: CheckItem, outcome: Outcome, evidence: impl Into<String>) -> Self {
        Self {
            item,
            outcome,
            evidence: evidence.into(),
        }
    }

    fn verdict(item: CheckItem, problems: &[String], ok: &str) -> Self {
        if problems.is_empty() {
            Self::new(item, Outcome::Passed, ok)
        } else {
            Self::new(item, Outcome::Failed, problems.join("；"))
        }
    }
}

/// The text fields of a description with their names and longest lengths (DA/T 94 Annex A as
/// Fonds validates it on receipt).
fn text_fields(subject: &Subject) -> Vec<(&'static str, Option<&str>, usize)> {
    let d = &subject.description;
    vec![
        ("题名", Some(d.title.as_str()), 500),
        ("凭证号", d.number.as_ref().map(|n| n.as_str()), 32),
        ("制单人", d.preparer.as_deref(), 100),
        ("审核人", d.reviewer.as_deref(), 100),
        ("备注", d.remarks.as_deref(), 2000),
    ]
}

/// 元数据项长度.
pub(crate) fn lengths(subject: &Subject) -> Finding {
    let problems: Vec<String> = text_fields(subject)
        .into_iter()
        .filter_map(|(name, value, max)| {
            let n = value?.chars().count();
            (n == 0 || n > max).then(|| format!("{name}长度为 {n}，应为 1 至 {max} 个字符"))
        })
        .collect();
    Finding::verdict(
        CheckItem::MetadataLength,
        &problems,
        "题名、凭证号、制单人、审核人、备注的长度均在规定范围内",
    )
}

/// 元数据项特殊字符: no control characters, no padding, no path separators in the number.
pub(crate) fn characters(subject: &Subject) -> Finding {
    let mut problems = Vec::new();
    for (name, value, _) in text_fields(subject) {
        let Some(value) = value else { continue };
        if value.chars().any(char::is_control) {
            problems.push(format!("{name}含有控制字符"));
        }
        if value.trim() != value && name != "备注" {
            problems.push(format!("{name}首尾含有空白"));
        }
    }
    if let Some(number) = &subject.description.number
        && number.as_str().contains(['/', '\\'])
    {
        problems.push("凭证号含有路径分隔符".to_owned());
    }
    Finding::verdict(
        CheckItem::MetadataCharacters,
        &problems,
        "元数据项不含控制字符或非法字符",
    )
}

/// 数据类型和格式: the date is a calendar date, the amount is in fen, the retention is a legal
/// code. Values are typed when received, so this re-reads their written forms.
pub(crate) fn formats(subject: &Subject) -> Finding {
    let d = &subject.description;
    let mut problems = Vec::new();
    if let Some(amount) = d.amount
        && amount.to_string().parse::<Money>() != Ok(amount)
    {
        problems.push(format!("金额 {amount} 不能按两位小数读回"));
    }
    let retention = subject.classification.retention.to_string();
    if retention.parse::<fonds_domain::RetentionPeriod>().ok()
        != Some(subject.classification.retention)
    {
        problems.push(format!("保管期限 {retention} 不是合法的保管期限代码"));
    }
    let evidence = format!(
        "日期 {}，金额 {}，保管期限 {}",
        d.date
            .map_or_else(|| "未著录".to_owned(), |x| x.to_string()),
        d.amount
            .map_or_else(|| "未著录".to_owned(), |x| x.to_string()),
        retention
    );
    Finding::verdict(CheckItem::MetadataFormat, &problems, &evidence)
}

/// 值域和合理性: the year within the range Fonds accepts, the retention not shorter than the
/// table's minimum (checked on receipt), the attachment count plausible, a voucher's amount not
/// zero when it has entries.
pub(crate) fn ranges(subject: &Subject) -> Finding {
    let d = &subject.description;
    let class = &subject.classification;
    let mut problems = Vec::new();
    let year = i64::from(class.fiscal_year.get());
    if !fonds_domain::FiscalYear::RANGE.contains(&year) {
        problems.push(format!("会计年度 {year} 超出 1949 至 2200"));
    }
    if let Some(count) = d.attachment_count
        && count > 10_000
    {
        problems.push(format!("附件数 {count} 不合理（超过 10000）"));
    }
    if let Some(period) = class.period
        && !(1..=12).contains(&period.month())
    {
        problems.push(format!("会计期间 {} 不在 1 至 12 月", period.month()));
    }
    let evidence = format!(
        "会计年度 {}{}，保管期限 {}",
        class.fiscal_year,
        class
            .period
            .map_or_else(String::new, |p| format!("，期间 {} 月", p.month())),
        class.retention
    );
    Finding::verdict(CheckItem::MetadataRange, &problems, &evidence)
}

/// 元数据必填项 (DA/T 94 Annex A, the elements every item carries, and for a 记账凭证 its number
/// and date).
pub(crate) fn mandatory(subject: &Subject) -> Finding {
    let d = &subject.description;
    let mut missing = Vec::new();
    if d.title.trim().is_empty() {
        missing.push("题名");
    }
    if subject.classification.kind.is_periodic() && subject.classification.period.is_none() {
        missing.push("会计期间");
    }
    if subject.classification.kind == RecordKind::AccountingVoucher {
        if d.number.is_none() {
            missing.push("凭证号");
        }
        if d.date.is_none() {
            missing.push("凭证日期");
        }
    }
    let problems: Vec<String> = missing.iter().map(|m| format!("缺少{m}")).collect();
    Finding::verdict(
        CheckItem::MandatoryMetadata,
        &problems,
        "必填元数据项（题名、门类、年度、保管期限，记账凭证的凭证号和日期）齐全",
    )
}

/// 档号规范性: the code parses under the fonds' pattern and names the record's fonds.
pub(crate) fn archival_code(subject: &Subject) -> Finding {
    let item = CheckItem::ArchivalCodeForm;
    let Some(code) = &subject.archival_code else {
        return Finding::new(
            item,
            Outcome::NotApplicable("尚未归档，未分配档号".into()),
            "记录尚未归档",
        );
    };
    match subject
        .fonds
        .code_pattern
        .parse_code(&subject.fonds.code, code)
    {
        Ok(_) => Finding::new(
            item,
            Outcome::Passed,
            format!("档号 {code} 符合全宗 {} 的档号规则", subject.fonds.code),
        ),
        Err(e) => Finding::new(
            item,
            Outcome::Failed,
            format!(
                "档号 {code} 不符合全宗 {} 的档号规则：{e}",
                subject.fonds.code
            ),
        ),
    }
}

/// 借贷平衡.
pub(crate) fn balanced(subject: &Subject) -> Finding {
    let item = CheckItem::DebitsEqualCredits;
    if subject.classification.kind != RecordKind::AccountingVoucher {
        return Finding::new(
            item,
            Outcome::NotApplicable("不是记账凭证".into()),
            "仅适用于记账凭证",
        );
    }
    if subject.entries.is_empty() {
        return Finding::new(
            item,
            Outcome::NotApplicable("未报送分录".into()),
            "报送方未提供会计分录",
        );
    }
    match ensure_balanced(&subject.entries) {
        Ok(total) => Finding::new(
            item,
            Outcome::Passed,
            format!(
                "{} 条分录，借方合计 = 贷方合计 = {total}",
                subject.entries.len()
            ),
        ),
        Err(e) => Finding::new(item, Outcome::Failed, format!("借贷不平衡：{e}")),
    }
}

/// 凭证日期在会计期间内.
pub(crate) fn period(subject: &Subject) -> Finding {
    let item = CheckItem::PeriodInFiscalYear;
    let class = &subject.classification;
    let Some(date) = subject.description.date else {
        return Finding::new(
            item,
            Outcome::NotApplicable("未著录日期".into()),
            "记录没有日期",
        );
    };
    let (inside, scope) = match class.period {
        Some(period) => (period.contains(date), period.to_string()),
        None => (
            class.fiscal_year.contains(date),
            format!("{} 会计年度", class.fiscal_year),
        ),
    };
    if inside {
        Finding::new(item, Outcome::Passed, format!("日期 {date} 在 {scope} 内"))
    } else {
        Finding::new(
            item,
            Outcome::Failed,
            format!("日期 {date} 不在 {scope} 内"),
        )
    }
}

/// 附件数与原始凭证一致: the declared count is met by originals carried in the item or linked
/// to it.
pub(crate) fn attachments(subject: &Subject) -> Finding {
    let item = CheckItem::AttachmentCount;
    let Some(declared) = subject.description.attachment_count else {
        return Finding::new(
            item,
            Outcome::NotApplicable("未著录附件数".into()),
            "记录未声明附件数",
        );
    };
    let files = super::subject::count(
        subject
            .files
            .iter()
            .filter(|f| f.role.is_original())
            .count(),
    );
    let linked = subject.original_links;
    let evidence =
        format!("声明附件数 {declared}；件内原始凭证文件 {files} 个，关联原始凭证 {linked} 个");
    if files.saturating_add(linked) >= declared {
        Finding::new(item, Outcome::Passed, evidence)
    } else {
        Finding::new(item, Outcome::Failed, format!("{evidence}，少于声明数"))
    }
}

/// 发票金额与入账金额一致: the amount the record books equals the sum of 价税合计 of the invoices
/// it carries (a red-letter invoice counts negative).
pub(crate) fn invoice_amount(subject: &Subject, invoices: &[InvoiceFacts]) -> Finding {
    let item = CheckItem::InvoiceAmountMatches;
    let Some(amount) = subject.description.amount else {
        return Finding::new(
            item,
            Outcome::NotApplicable("记录未著录金额".into()),
            "记录没有金额可比较",
        );
    };
    let totals: Option<Vec<Money>> = invoices.iter().map(|i| i.total_with_tax).collect();
    let Some(totals) = totals.filter(|t| !t.is_empty()) else {
        return Finding::new(
            item,
            Outcome::NotApplicable("件内没有可读取价税合计的发票".into()),
            "没有发票金额可比较",
        );
    };
    let sum = totals
        .iter()
        .try_fold(Money::ZERO, |acc, t| acc.checked_add(*t));
    match sum {
        Some(sum) if sum == amount => Finding::new(
            item,
            Outcome::Passed,
            format!("{} 张发票价税合计 {sum} = 入账金额 {amount}", totals.len()),
        ),
        Some(sum) => Finding::new(
            item,
            Outcome::Failed,
            format!("{} 张发票价税合计 {sum} ≠ 入账金额 {amount}", totals.len()),
        ),
        None => Finding::new(item, Outcome::Failed, "发票金额合计溢出"),
    }
}

#[cfg(test)]
mod tests {
    use fonds_domain::{
        AccountingPeriod, ArchivalCodePattern, Classification, FiscalYear, Fonds,
        RecordDescription, RecordId, RetentionPeriod, RetentionScheme,
    };
    use time::macros::date;

    use super::*;

    #[allow(clippy::expect_used, reason = "test data")]
    fn subject() -> Subject {
        let year = FiscalYear::new(2023).expect("year");
        Subject {
            id: RecordId::new(),
            label: "v1".into(),
            stored: false,
            fonds: Fonds {
                code: "Z001".parse().expect("fonds"),
                name: "测试".into(),
                retention_scheme: RetentionScheme::Enterprise,
                code_pattern: ArchivalCodePattern::dat94(),
            },
            classification: Classification {
                kind: RecordKind::AccountingVoucher,
                fiscal_year: year,
                period: Some(AccountingPeriod::new(year, 12).expect("month")),
                retention: RetentionPeriod::Years(30),
            },
            description: RecordDescription {
                title: "报销差旅费".into(),
                date: Some(date!(2023 - 12 - 05)),
                number: Some("记-0057".parse().expect("number")),
                amount: Some("1060.00".parse().expect("amount")),
                preparer: Some("张三".into()),
                reviewer: None,
                attachment_count: Some(2),
                remarks: None,
            },
            entries: Vec::new(),
            archival_code: None,
            files: Vec::new(),
            business_keys: Vec::new(),
            original_links: 1,
        }
    }

    #[allow(clippy::expect_used, reason = "test data")]
    fn invoice(total: &str) -> InvoiceFacts {
        InvoiceFacts {
            number: "24312000000012345678".into(),
            total_with_tax: Some(total.parse().expect("amount")),
            ..InvoiceFacts::default()
        }
    }

    #[test]
    fn a_clean_voucher_passes_the_metadata_items() {
        let s = subject();
        for finding in [
            lengths(&s),
            characters(&s),
            formats(&s),
            ranges(&s),
            mandatory(&s),
            period(&s),
        ] {
            assert_eq!(finding.outcome, Outcome::Passed, "{finding:?}");
        }
        assert!(matches!(
            archival_code(&s).outcome,
            Outcome::NotApplicable(_)
        ));
    }

    #[test]
    fn a_missing_attachment_and_a_differing_invoice_amount_fail() {
        let s = subject();
        assert_eq!(attachments(&s).outcome, Outcome::Failed);
        assert_eq!(
            invoice_amount(&s, &[invoice("1060.00")]).outcome,
            Outcome::Passed
        );
        let wrong = invoice_amount(&s, &[invoice("1000.00")]);
        assert_eq!(wrong.outcome, Outcome::Failed);
        assert!(wrong.evidence.contains("1000.00"), "{}", wrong.evidence);
        assert!(matches!(
            invoice_amount(&s, &[]).outcome,
            Outcome::NotApplicable(_)
        ));
    }

    #[test]
    fn padded_text_and_a_date_outside_the_period_fail() {
        let mut s = subject();
        s.description.preparer = Some(" 张三".into());
        assert_eq!(characters(&s).outcome, Outcome::Failed);
        s.description.date = Some(date!(2023 - 11 - 30));
        assert_eq!(period(&s).outcome, Outcome::Failed);
        s.description.number = None;
        assert_eq!(mandatory(&s).outcome, Outcome::Failed);
    }
}
