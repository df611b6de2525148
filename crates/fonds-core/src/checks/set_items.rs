//! The items that look beyond one record: duplicates of voucher numbers and archival codes, the
//! continuity of a period's voucher numbers, and whether an invoice was booked before anywhere in
//! the installation.

use std::collections::BTreeMap;

use fonds_domain::{CheckItem, InvoiceKey, Occasion, Outcome, RecordId, RecordKind};
use fonds_store::{InvoiceBookingRow, ReusePolicy};

use super::period::{PeriodNumbers, sequence};
use super::record_items::Finding;
use super::subject::Subject;

/// 凭证号连续性 over the numbers of one period: the gaps of each voucher word's sequence from 1
/// to the highest number seen.
pub(crate) fn continuity(subject: &Subject, occasion: Occasion, period: &PeriodNumbers) -> Finding {
    let item = CheckItem::VoucherContinuity;
    if subject.classification.kind != RecordKind::AccountingVoucher {
        return Finding::new(
            item,
            Outcome::NotApplicable("不是记账凭证".into()),
            "仅适用于记账凭证",
        );
    }
    if occasion == Occasion::Submission {
        return Finding::new(
            item,
            Outcome::NotApplicable(
                "接收时本期凭证尚未收齐，连续性在归档、移交和定期检测时检查".into(),
            ),
            "接收阶段不判断连续性",
        );
    }
    let Some((word, _)) = subject
        .description
        .number
        .as_ref()
        .and_then(|n| sequence(n.as_str()))
    else {
        return Finding::new(
            item,
            Outcome::NotApplicable("凭证号不以数字结尾，无法判断连续性".into()),
            "凭证号没有顺序号",
        );
    };
    // The subject's own number is in the period's index, so its word has a sequence.
    let (highest, missing) = period
        .word(word)
        .map_or((0, &[][..]), |w| (w.highest, w.missing.as_slice()));
    let period_name = subject.classification.period.map_or_else(
        || subject.classification.fiscal_year.to_string(),
        |p| p.to_string(),
    );
    if missing.is_empty() {
        Finding::new(
            item,
            Outcome::Passed,
            format!("{period_name} 「{word}」字凭证 1 至 {highest} 号连续"),
        )
    } else {
        let shown: Vec<String> = missing.iter().take(20).map(ToString::to_string).collect();
        let more = if missing.len() > 20 {
            format!(" 等 {} 个", missing.len())
        } else {
            String::new()
        };
        Finding::new(
            item,
            Outcome::Failed,
            format!(
                "{period_name} 「{word}」字凭证 1 至 {highest} 号中缺少 {}{more}",
                shown.join("、")
            ),
        )
    }
}

/// 元数据项重复性: no other record of the period holds the voucher number, and no other record
/// of the run holds the archival code.
pub(crate) fn duplicates(
    subject: &Subject,
    number_holders: &[RecordId],
    code_holders: &[RecordId],
) -> Finding {
    let item = CheckItem::MetadataDuplicates;
    let mut problems = Vec::new();
    if let Some(number) = &subject.description.number {
        let others: Vec<String> = number_holders
            .iter()
            .filter(|id| **id != subject.id)
            .map(ToString::to_string)
            .collect();
        if !others.is_empty() && subject.classification.kind == RecordKind::AccountingVoucher {
            problems.push(format!(
                "凭证号 {number} 在同一期间还属于记录 {}",
                others.join("、")
            ));
        }
    }
    if let Some(code) = &subject.archival_code {
        let others: Vec<String> = code_holders
            .iter()
            .filter(|id| **id != subject.id)
            .map(ToString::to_string)
            .collect();
        if !others.is_empty() {
            problems.push(format!("档号 {code} 还属于记录 {}", others.join("、")));
        }
    }
    if problems.is_empty() {
        Finding::new(item, Outcome::Passed, "凭证号、档号未与其他记录重复")
    } else {
        Finding::new(item, Outcome::Failed, problems.join("；"))
    }
}

/// One invoice a record books, as found in its metadata or its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BookedInvoice {
    pub key: InvoiceKey,
    pub red_letter: bool,
    pub reverses: Option<InvoiceKey>,
}

/// 发票未重复入账: each invoice the record books is in the register under this record or not
/// at all, and no other record of the same run books it.
pub(crate) fn booked_once(
    subject: &Subject,
    invoices: &[BookedInvoice],
    register: &BTreeMap<InvoiceKey, InvoiceBookingRow>,
    in_run: &BTreeMap<InvoiceKey, Vec<(RecordId, String)>>,
    policy: ReusePolicy,
) -> Finding {
    let item = CheckItem::InvoiceBookedOnce;
    if invoices.is_empty() {
        return Finding::new(
            item,
            Outcome::NotApplicable("记录不含可识别的发票号码".into()),
            "没有发票",
        );
    }
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for invoice in invoices {
        if let Some(first) = register.get(&invoice.key)
            && first.record_id != subject.id
        {
            problems.push(format!("重复入账：{}", first.first_booking()));
        }
        if let Some(holders) = in_run.get(&invoice.key) {
            let others: Vec<&str> = holders
                .iter()
                .filter(|(id, _)| *id != subject.id)
                .map(|(_, label)| label.as_str())
                .collect();
            if !others.is_empty() {
                problems.push(format!(
                    "重复入账：{} {} 同时报送于本批记录 {}",
                    invoice.key.kind_zh(),
                    invoice.key,
                    others.join("、")
                ));
            }
        }
        if invoice.red_letter {
            match (
                &invoice.reverses,
                invoice.reverses.as_ref().and_then(|k| register.get(k)),
            ) {
                (Some(original), Some(booking)) => notes.push(format!(
                    "红字发票 {} 冲销 {original}（原入账记录 {}）",
                    invoice.key, booking.record_id
                )),
                (Some(original), None) => notes.push(format!(
                    "红字发票 {} 冲销 {original}（原发票未在本系统入账）",
                    invoice.key
                )),
                (None, _) => notes.push(format!("红字发票 {} 未注明所冲销的蓝字发票", invoice.key)),
            }
        }
    }
    let keys: Vec<String> = invoices.iter().map(|i| i.key.to_string()).collect();
    let mut evidence = format!("发票 {}", keys.join("、"));
    if !notes.is_empty() {
        evidence.push_str(&format!("；{}", notes.join("；")));
    }
    if problems.is_empty() {
        Finding::new(item, Outcome::Passed, format!("{evidence}：未曾入账"))
    } else {
        let verdict = match policy {
            ReusePolicy::Reject => "按策略拒收",
            ReusePolicy::Flag => "按策略标记待复核",
        };
        Finding::new(
            item,
            Outcome::Failed,
            format!("{}；{evidence}（{verdict}）", problems.join("；")),
        )
    }
}
