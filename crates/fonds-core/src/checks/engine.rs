//! One check run: every item of the occasion's stage over a set of records, each item's outcome
//! stored per record (and file), switched-off items recorded as not run.

use std::collections::{BTreeMap, BTreeSet};

use fonds_domain::{
    CheckItem, CheckRunId, InvoiceKey, LinkType, Occasion, Outcome, RecordId, Severity,
    SubmissionId,
};
use fonds_store::{InvoiceBookingRow, NewCheckResult, NewCheckRun, NewInvoiceBooking, ReusePolicy};
use futures_util::StreamExt as _;
use time::OffsetDateTime;

use super::analyse::FileAnalysis;
use super::file_items::{self, FileFacts};
use super::period::PeriodNumbers;
use super::record_items::{self, Finding};
use super::set_items::{self, BookedInvoice};
use super::subject::Subject;
use crate::Archive;
use crate::error::CoreError;

/// A fonds, fiscal year and month: the scope of voucher-number continuity.
type PeriodKey = (String, i32, Option<u8>);

/// How many files are read and analysed at once.
const FILES_IN_FLIGHT: usize = 16;

/// A finished run and the invoices its records book, for the caller to store.
#[derive(Debug)]
pub(crate) struct CheckedRun {
    pub run: NewCheckRun,
    pub bookings: Vec<NewInvoiceBooking>,
}

/// The invoices a record books: declared invoice business keys and invoices read from its files.
fn invoices_of(subject: &Subject, files: &[FileFacts]) -> Vec<BookedInvoice> {
    let mut found: BTreeMap<InvoiceKey, BookedInvoice> = BTreeMap::new();
    for facts in files.iter().filter_map(|f| f.invoice.as_ref()) {
        if let Ok(key) = facts.key() {
            found.insert(
                key.clone(),
                BookedInvoice {
                    key,
                    red_letter: facts.red_letter,
                    reverses: facts.reversed_key(),
                },
            );
        }
    }
    for declared in subject
        .business_keys
        .iter()
        .filter(|k| k.link_type == LinkType::Invoice)
    {
        if let Ok(key) = InvoiceKey::from_declared(declared.value()) {
            found.entry(key.clone()).or_insert(BookedInvoice {
                key,
                red_letter: false,
                reverses: None,
            });
        }
    }
    found.into_values().collect()
}

impl Archive {
    /// Runs the occasion's items over `subjects`. Files are read and analysed here; the store is
    /// asked about other records (voucher numbers of the period, the invoice register).
    ///
    /// # Errors
    /// `scanner_unavailable` when a scanner is configured but cannot be reached on an occasion
    /// that must not go ahead unscanned, or a store failure.
    pub(crate) async fn run_checks(
        &self,
        occasion: Occasion,
        submission: Option<SubmissionId>,
        subjects: &[Subject],
    ) -> Result<CheckedRun, CoreError> {
        let started_at = OffsetDateTime::now_utc();
        let stage = occasion.stage();
        let policy = self.settings.checks.duplicate_invoices;

        // Files are read and analysed a few at a time (readers run on blocking threads), in
        // order, so the results read in item order.
        type Analysing<'a> = std::pin::Pin<
            Box<dyn Future<Output = Result<(usize, FileAnalysis), CoreError>> + Send + 'a>,
        >;
        let work: Vec<Analysing<'_>> = subjects
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.files.iter().map(move |f| (i, f)))
            .map(|(i, file)| -> Analysing<'_> {
                Box::pin(async move { Ok((i, self.analyse_file(file, occasion).await?)) })
            })
            .collect();
        let mut analyses = futures_util::stream::iter(work).buffered(FILES_IN_FLIGHT);
        let mut analysed: Vec<Vec<FileAnalysis>> = subjects.iter().map(|_| Vec::new()).collect();
        while let Some(next) = analyses.next().await {
            let (i, analysis) = next?;
            analysed[i].push(analysis);
        }
        drop(analyses);

        let invoices: Vec<Vec<BookedInvoice>> = subjects
            .iter()
            .zip(&analysed)
            .map(|(s, files)| {
                let facts: Vec<FileFacts> = files
                    .iter()
                    .map(|a: &FileAnalysis| a.facts.clone())
                    .collect();
                invoices_of(s, &facts)
            })
            .collect();
        let mut in_run: BTreeMap<InvoiceKey, Vec<(RecordId, String)>> = BTreeMap::new();
        let mut asked: BTreeSet<InvoiceKey> = BTreeSet::new();
        for (subject, list) in subjects.iter().zip(&invoices) {
            for invoice in list {
                asked.insert(invoice.key.clone());
                asked.extend(invoice.reverses.iter().cloned());
                in_run
                    .entry(invoice.key.clone())
                    .or_default()
                    .push((subject.id, subject.label.clone()));
            }
        }
        let asked: Vec<InvoiceKey> = asked.into_iter().collect();
        let register: BTreeMap<InvoiceKey, InvoiceBookingRow> = self
            .metadata
            .invoice_bookings(&asked)
            .await?
            .into_iter()
            .map(|row| (row.key.clone(), row))
            .collect();

        let mut code_holders: BTreeMap<&str, Vec<RecordId>> = BTreeMap::new();
        for subject in subjects {
            if let Some(code) = &subject.archival_code {
                code_holders.entry(code).or_default().push(subject.id);
            }
        }
        let mut switches_by_fonds = BTreeMap::new();
        let mut period_cache: BTreeMap<PeriodKey, PeriodNumbers> = BTreeMap::new();

        let mut results = Vec::new();
        for ((subject, files), invoices) in subjects.iter().zip(&analysed).zip(&invoices) {
            let fonds = subject.fonds.code.clone();
            if !switches_by_fonds.contains_key(&fonds) {
                let switches: BTreeMap<CheckItem, bool> = self
                    .metadata
                    .check_switches(&fonds)
                    .await?
                    .into_iter()
                    .collect();
                switches_by_fonds.insert(fonds.clone(), switches);
            }
            let switches = &switches_by_fonds[&fonds];

            let class = &subject.classification;
            let period_key = (
                fonds.as_str().to_owned(),
                i32::from(class.fiscal_year.get()),
                class.period.map(|p| p.month()),
            );
            if !period_cache.contains_key(&period_key) {
                let mut numbers = self
                    .metadata
                    .period_voucher_numbers(&fonds, period_key.1, period_key.2)
                    .await?;
                for other in subjects.iter().filter(|o| {
                    !o.stored
                        && o.fonds.code == fonds
                        && o.classification.fiscal_year == class.fiscal_year
                        && o.classification.period == class.period
                        && o.classification.kind == fonds_domain::RecordKind::AccountingVoucher
                }) {
                    if let Some(n) = &other.description.number {
                        numbers.push((other.id, n.as_str().to_owned()));
                    }
                }
                period_cache.insert(period_key.clone(), PeriodNumbers::new(numbers));
            }
            let period = &period_cache[&period_key];
            let number_holders = subject
                .description
                .number
                .as_ref()
                .map_or(&[][..], |n| period.holders(n.as_str()));
            let code_holders = subject
                .archival_code
                .as_deref()
                .and_then(|c| code_holders.get(c))
                .cloned()
                .unwrap_or_default();
            // One invoice may come as XML and as its PDF or OFD rendition: count it once.
            let mut seen = BTreeSet::new();
            let invoice_facts: Vec<_> = files
                .iter()
                .filter_map(|f| f.facts.invoice.clone())
                .filter(|facts| {
                    seen.insert(
                        facts
                            .key()
                            .map_or_else(|_| facts.number.clone(), |k| k.to_string()),
                    )
                })
                .collect();

            let mut findings: Vec<(Option<usize>, Finding)> = [
                record_items::lengths(subject),
                record_items::characters(subject),
                record_items::formats(subject),
                record_items::ranges(subject),
                record_items::archival_code(subject),
                set_items::duplicates(subject, number_holders, &code_holders),
                set_items::booked_once(subject, invoices, &register, &in_run, policy),
                record_items::mandatory(subject),
                set_items::continuity(subject, occasion, period),
                record_items::attachments(subject),
                record_items::balanced(subject),
                record_items::period(subject),
                record_items::invoice_amount(subject, &invoice_facts),
            ]
            .into_iter()
            .map(|f| (None, f))
            .collect();
            if subject.files.is_empty() {
                findings.push((
                    None,
                    Finding::new(
                        CheckItem::ContentPresent,
                        Outcome::Failed,
                        "记录没有任何电子文件",
                    ),
                ));
            }
            for (index, (file, analysis)) in subject.files.iter().zip(files).enumerate() {
                findings.push((Some(index), analysis.presence(file)));
                for finding in
                    file_items::judge(file, &analysis.facts, &self.settings.checks.formats)
                {
                    findings.push((Some(index), finding));
                }
            }
            findings
                .sort_by_key(|(file, f)| (CheckItem::ALL.iter().position(|i| *i == f.item), *file));

            let checked_at = OffsetDateTime::now_utc();
            for (file, finding) in findings {
                if !finding.item.runs_at(stage) {
                    continue;
                }
                let (outcome, evidence) = if switches.get(&finding.item) == Some(&false) {
                    let why = format!("该检测项已对全宗 {fonds} 关闭");
                    (Outcome::NotRun(why.clone()), why)
                } else {
                    (finding.outcome, finding.evidence)
                };
                let severity = match (finding.item, policy) {
                    (CheckItem::InvoiceBookedOnce, ReusePolicy::Flag) => Severity::Warning,
                    (item, _) => item.spec().severity,
                };
                let file = file.map(|i| &subject.files[i]);
                results.push(NewCheckResult {
                    record_id: subject.stored.then_some(subject.id),
                    record_key: subject.label.clone(),
                    file_id: file.map(|f| f.id),
                    file_name: file.map(|f| f.name.clone()),
                    item: finding.item,
                    severity,
                    outcome,
                    evidence,
                    checked_at,
                });
            }
        }

        let bookings = subjects
            .iter()
            .zip(&invoices)
            .flat_map(|(subject, list)| {
                list.iter().map(move |invoice| NewInvoiceBooking {
                    key: invoice.key.clone(),
                    record_id: subject.id,
                    voucher_number: subject.description.number.as_ref().map(ToString::to_string),
                    red_letter: invoice.red_letter,
                    reverses: invoice.reverses.clone(),
                    on_reuse: policy,
                })
            })
            .collect();
        let run = NewCheckRun {
            id: CheckRunId::new(),
            occasion,
            submission_id: submission,
            started_at,
            finished_at: OffsetDateTime::now_utc(),
            results,
        };
        crate::telemetry::check_run(&run);
        Ok(CheckedRun { run, bookings })
    }
}
