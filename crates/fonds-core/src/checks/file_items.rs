//! The items that examine one file: its digests, embedded signatures, recorded attributes,
//! internal consistency, whether it opens, its format, encryption, active content and viruses.
//! What was found in the file comes from [`super::analyse`] as [`FileFacts`]; here it is judged.

use fonds_domain::{CheckItem, Outcome, Sha256Digest};
use fonds_formats::identify::FileFormat;
use fonds_formats::identify::registry::{FormatPolicy, FormatRegistry};
use fonds_formats::invoice::InvoiceFacts;

use super::record_items::Finding;
use super::subject::SubjectFile;

/// What reading one file found.
#[derive(Debug, Clone)]
pub(crate) struct FileFacts {
    /// Whether the content could be read, and its digests.
    pub content: Content,
    /// The format identified from the content.
    pub format: Option<FileFormat>,
    /// The media type the receipt-time gate gives the content (to compare with the record).
    pub gate_media_type: Option<&'static str>,
    /// Whether the format's reader opened it.
    pub parse: Parse,
    /// Invoice facts, when the file is an invoice Fonds can read.
    pub invoice: Option<InvoiceFacts>,
    /// Disagreements inside structured data; `None` when the file carries none to compare.
    pub inconsistencies: Option<Vec<String>>,
    /// Embedded signatures and seals.
    pub signatures: Signatures,
    /// Why the file counts as encrypted, if it does.
    pub encrypted: Option<String>,
    /// Executables, scripts, macros and similar active content found.
    pub active_content: Vec<String>,
    /// The virus scan.
    pub scan: Scan,
}

/// The content as read from the store.
#[derive(Debug, Clone)]
pub(crate) enum Content {
    /// Read in full.
    Read { size: u64, sha256: Sha256Digest },
    /// Not in the store, or unreadable.
    Missing(String),
    /// Larger than the checks read; items that need the content do not run.
    TooLarge { size: u64, limit: u64 },
}

/// Whether the format's reader opened the file.
#[derive(Debug, Clone)]
pub(crate) enum Parse {
    /// Opened; what it holds in a few words.
    Opened(String),
    /// The reader refused it, and why.
    Failed(String),
    /// No reader for this format; the format check decides whether that is acceptable.
    NoReader,
    /// The reader could not run (timed out, content unavailable).
    NotRun(String),
}

/// Embedded signatures and seals found in a file.
#[derive(Debug, Clone)]
pub(crate) enum Signatures {
    /// The format carries none.
    NotCarried,
    /// Signatures whose check values were recomputed; `seal` says why the seal signature itself
    /// was not verified, when it was not.
    Checked {
        /// Each signed reference: (signature id and file, matches, detail).
        references: Vec<(String, bool, String)>,
        /// Why the seal signature itself was not verified.
        seal_not_verified: Option<String>,
    },
    /// The format may carry signatures Fonds cannot verify, and why.
    Unverifiable(String),
}

/// The virus scan of a file.
#[derive(Debug, Clone)]
pub(crate) enum Scan {
    /// Clean, by this scanner.
    Clean(String),
    /// A signature matched.
    Infected(String),
    /// Not run, and why (no scanner configured, the content could not be read).
    NotRun(String),
}

fn short(d: &impl ToString) -> String {
    let s = d.to_string();
    s.chars().take(16).collect::<String>() + "…"
}

/// Every file item for one file.
pub(crate) fn judge(
    file: &SubjectFile,
    facts: &FileFacts,
    formats: &FormatRegistry,
) -> Vec<Finding> {
    let mut findings = vec![digest(file, facts)];
    findings.extend(signatures(facts));
    findings.push(attributes(file, facts));
    findings.push(consistency(facts));
    findings.push(parses(facts));
    findings.push(format_accepted(facts, formats));
    findings.push(encryption(facts));
    findings.push(active_content(facts));
    findings.push(virus(facts));
    findings
}

fn not_read(content: &Content) -> Option<String> {
    match content {
        Content::Read { .. } => None,
        Content::Missing(why) => Some(format!("文件内容不可读：{why}")),
        Content::TooLarge { size, limit } => {
            Some(format!("文件 {size} 字节，超过检测读取上限 {limit} 字节"))
        }
    }
}

/// 固化信息有效性（摘要值）.
fn digest(file: &SubjectFile, facts: &FileFacts) -> Finding {
    let item = CheckItem::FixityDigest;
    let Content::Read { sha256, .. } = &facts.content else {
        let why = not_read(&facts.content).unwrap_or_default();
        return Finding::new(item, Outcome::NotRun(why.clone()), why);
    };
    let source = file.digest_source.name_zh();
    // LIMITATION: the check recomputes SHA-256 (the blob's address) only; the SM3 recorded at
    // receipt is shown, not recomputed, which halves the hashing cost of every run. `fonds
    // verify` recomputes both.
    let evidence = format!(
        "SHA-256 {source} {}，计算值 {}；SM3 接收时登记值 {}",
        short(&file.sha256),
        short(sha256),
        short(&file.sm3)
    );
    if *sha256 == file.sha256 {
        Finding::new(item, Outcome::Passed, format!("摘要值一致：{evidence}"))
    } else {
        Finding::new(item, Outcome::Failed, format!("摘要值不一致：{evidence}"))
    }
}

/// 固化信息有效性（电子签名、电子印章）: one finding for the recomputed check values, and one
/// saying the seal signature was not verified when it was not.
fn signatures(facts: &FileFacts) -> Vec<Finding> {
    let item = CheckItem::EmbeddedSignature;
    if let Some(why) = not_read(&facts.content) {
        return vec![Finding::new(item, Outcome::NotRun(why.clone()), why)];
    }
    match &facts.signatures {
        Signatures::NotCarried => vec![Finding::new(
            item,
            Outcome::NotApplicable("该格式不携带内嵌签名或印章".into()),
            "文件格式不携带内嵌签名或印章",
        )],
        Signatures::Unverifiable(why) => {
            vec![Finding::new(
                item,
                Outcome::NotRun(why.clone()),
                why.clone(),
            )]
        }
        Signatures::Checked {
            references,
            seal_not_verified,
        } => {
            let mut findings = Vec::new();
            if references.is_empty() {
                findings.push(Finding::new(
                    item,
                    Outcome::NotApplicable("文件未签名".into()),
                    "文件中没有签名或印章",
                ));
            } else {
                let bad: Vec<&(String, bool, String)> =
                    references.iter().filter(|(_, ok, _)| !ok).collect();
                if bad.is_empty() {
                    findings.push(Finding::new(
                        item,
                        Outcome::Passed,
                        format!("签名引用的 {} 个文件校验值重新计算后一致", references.len()),
                    ));
                } else {
                    let detail: Vec<String> = bad
                        .iter()
                        .map(|(name, _, detail)| format!("{name}：{detail}"))
                        .collect();
                    findings.push(Finding::new(
                        item,
                        Outcome::Failed,
                        format!("签名校验值不一致：{}", detail.join("；")),
                    ));
                }
            }
            if let Some(why) = seal_not_verified {
                findings.push(Finding::new(
                    item,
                    Outcome::NotRun(why.clone()),
                    format!("印章签名值未验证：{why}"),
                ));
            }
            findings
        }
    }
}

/// 电子属性与元数据一致性: the recorded size and media type match the content.
fn attributes(file: &SubjectFile, facts: &FileFacts) -> Finding {
    let item = CheckItem::ContentAttributes;
    let Content::Read { size, .. } = &facts.content else {
        let why = not_read(&facts.content).unwrap_or_default();
        return Finding::new(item, Outcome::NotRun(why.clone()), why);
    };
    let mut problems = Vec::new();
    if *size != file.size {
        problems.push(format!("登记大小 {} 字节，实际 {size} 字节", file.size));
    }
    if let Some(media_type) = facts.gate_media_type
        && media_type != file.media_type
    {
        problems.push(format!(
            "登记格式 {}，内容识别为 {media_type}",
            file.media_type
        ));
    }
    let identified = facts.format.as_ref().map_or("未识别", FileFormat::name_zh);
    if problems.is_empty() {
        Finding::new(
            item,
            Outcome::Passed,
            format!(
                "大小 {size} 字节、格式 {}（{identified}）与登记一致",
                file.media_type
            ),
        )
    } else {
        Finding::new(item, Outcome::Failed, problems.join("；"))
    }
}

/// 内容数据一致性.
fn consistency(facts: &FileFacts) -> Finding {
    let item = CheckItem::ContentConsistency;
    match &facts.inconsistencies {
        None => Finding::new(
            item,
            Outcome::NotApplicable("文件不含可比对的结构化数据".into()),
            "无结构化数据",
        ),
        Some(problems) if problems.is_empty() => Finding::new(
            item,
            Outcome::Passed,
            "结构化数据内部一致（合计与明细、余额连续）",
        ),
        Some(problems) => Finding::new(item, Outcome::Failed, problems.join("；")),
    }
}

/// 文件可正常打开和解析.
fn parses(facts: &FileFacts) -> Finding {
    let item = CheckItem::FileParses;
    match &facts.parse {
        Parse::Opened(what) => Finding::new(item, Outcome::Passed, what.clone()),
        Parse::Failed(why) => Finding::new(item, Outcome::Failed, why.clone()),
        Parse::NoReader => Finding::new(
            item,
            Outcome::NotRun("Fonds 没有该格式的解析器，仅识别了文件头".into()),
            "仅识别了文件头",
        ),
        Parse::NotRun(why) => Finding::new(item, Outcome::NotRun(why.clone()), why.clone()),
    }
}

/// 文件格式符合长期保存要求.
fn format_accepted(facts: &FileFacts, formats: &FormatRegistry) -> Finding {
    let item = CheckItem::FormatAccepted;
    let Some(format) = &facts.format else {
        let why = not_read(&facts.content).unwrap_or_else(|| "格式未识别".into());
        return Finding::new(item, Outcome::NotRun(why.clone()), why);
    };
    let (policy, reason) = formats.policy(format);
    let name = format.name_zh();
    match policy {
        FormatPolicy::LongTerm => Finding::new(
            item,
            Outcome::Passed,
            format!("{name}：长期保存格式（{reason}）"),
        ),
        FormatPolicy::Accepted => Finding::new(
            item,
            Outcome::Passed,
            format!("{name}：可接收格式，建议转换为长期保存格式（{reason}）"),
        ),
        FormatPolicy::Refused => Finding::new(
            item,
            Outcome::Failed,
            format!("{name}：不接收的格式（{reason}）"),
        ),
    }
}

/// 无加密和非公开压缩封装.
fn encryption(facts: &FileFacts) -> Finding {
    let item = CheckItem::NoEncryption;
    if let Some(why) = not_read(&facts.content) {
        return Finding::new(item, Outcome::NotRun(why.clone()), why);
    }
    match &facts.encrypted {
        Some(why) => Finding::new(item, Outcome::Failed, why.clone()),
        None => Finding::new(item, Outcome::Passed, "未发现加密或非公开封装"),
    }
}

/// 无可执行程序、脚本和宏.
fn active_content(facts: &FileFacts) -> Finding {
    let item = CheckItem::NoActiveContent;
    if let Some(why) = not_read(&facts.content) {
        return Finding::new(item, Outcome::NotRun(why.clone()), why);
    }
    if facts.active_content.is_empty() {
        Finding::new(item, Outcome::Passed, "未发现可执行程序、脚本或宏")
    } else {
        Finding::new(item, Outcome::Failed, facts.active_content.join("；"))
    }
}

/// 病毒检测.
fn virus(facts: &FileFacts) -> Finding {
    let item = CheckItem::VirusFree;
    match &facts.scan {
        Scan::Clean(by) => Finding::new(item, Outcome::Passed, format!("{by} 扫描未发现病毒")),
        Scan::Infected(signature) => {
            Finding::new(item, Outcome::Failed, format!("发现恶意代码：{signature}"))
        }
        Scan::NotRun(why) => Finding::new(item, Outcome::NotRun(why.clone()), why.clone()),
    }
}
