//! Reading one file for the check: its content from the blob store, its digests, its format
//! from the content, its reader's verdict under a time limit, and the virus scan.

use std::sync::Arc;

use fonds_domain::{CheckItem, FileRole, Occasion, Outcome, Sha256Digest};
use fonds_formats::identify::{FileFormat, Hazard};
use fonds_formats::{bank, einvoice, ofd, pdf};
use fonds_store::WholeBlob;
use sha2::Digest as _;

use super::file_items::{Content, FileFacts, Parse, Scan, Signatures};
use super::record_items::Finding;
use super::subject::SubjectFile;
use crate::Archive;
use crate::error::{CoreError, ErrorCode};
use crate::scan::ScanVerdict;

/// A file's analysis: the facts the file items judge, and where the content was found.
#[derive(Debug, Clone)]
pub(crate) struct FileAnalysis {
    pub facts: FileFacts,
}

impl FileAnalysis {
    /// 内容数据完整性 for this file: the content is where the metadata says.
    pub(crate) fn presence(&self, file: &SubjectFile) -> Finding {
        let item = CheckItem::ContentPresent;
        match &self.facts.content {
            Content::Read { size, .. } | Content::TooLarge { size, .. } => Finding::new(
                item,
                Outcome::Passed,
                format!("文件在存储位置 sha256/{} 可读，{size} 字节", file.address),
            ),
            Content::Missing(why) => Finding::new(
                item,
                Outcome::Failed,
                format!("文件不在存储位置 sha256/{}：{why}", file.address),
            ),
        }
    }
}

/// What the reader of a format found, before the scan.
struct Read {
    format: FileFormat,
    gate_media_type: &'static str,
    sha256: Sha256Digest,
    parse: Parse,
    invoice: Option<fonds_formats::invoice::InvoiceFacts>,
    inconsistencies: Option<Vec<String>>,
    signatures: Signatures,
    encrypted: Option<String>,
    active_content: Vec<String>,
}

fn hazards_of(format: &FileFormat) -> (Option<String>, Vec<String>) {
    let mut encrypted = None;
    let mut active = Vec::new();
    for hazard in format.hazards() {
        match hazard {
            Hazard::Encrypted => encrypted = Some(format!("{}：含加密内容", format.name_zh())),
            other => active.push(format!("{}：含{}", format.name_zh(), other.name_zh())),
        }
    }
    (encrypted, active)
}

/// Opens the content with its format's reader. Runs on a blocking thread.
fn read(content: &[u8], role: FileRole) -> Read {
    let format = fonds_formats::identify::identify(content);
    let gate_media_type = fonds_formats::sniff::identify(content).media_type;
    let sha256 = Sha256Digest::from_bytes(sha2::Sha256::digest(content).into());
    let (mut encrypted, mut active_content) = hazards_of(&format);
    let mut parse = Parse::NoReader;
    let mut invoice = None;
    let mut inconsistencies = None;
    let mut signatures = Signatures::NotCarried;
    match &format {
        FileFormat::Pdf { .. } => {
            let limits = pdf::read::Limits::default();
            match pdf::read::inspect(content, &limits) {
                Ok(info) => {
                    parse = Parse::Opened(format!(
                        "PDF {}，{} 页{}",
                        info.version,
                        info.page_count,
                        info.pdfa
                            .as_ref()
                            .map_or_else(String::new, |c| format!("，声明符合 PDF/A-{}", c.part))
                    ));
                    if info.encrypted {
                        encrypted = Some("PDF 已加密（含 /Encrypt）".into());
                    }
                    for hazard in &info.hazards {
                        active_content.push(format!("PDF 含{hazard:?}"));
                    }
                    if role == FileRole::Invoice && !info.encrypted {
                        match pdf::invoice::read_invoice_pdf(content, &limits) {
                            Ok(found) => invoice = Some(found.facts()),
                            Err(e) => {
                                parse = Parse::Failed(format!("PDF 可打开，但读不出发票信息：{e}"));
                            }
                        }
                    }
                }
                Err(e) => parse = Parse::Failed(format!("PDF 无法解析：{e}")),
            }
            signatures = Signatures::Unverifiable(
                "PDF 内嵌数字签名的验证尚未实现（未检查 /Sig 字段）".into(),
            );
        }
        FileFormat::Ofd { .. } => match ofd::read(content, &ofd::Limits::default()) {
            Ok(doc) => {
                parse = Parse::Opened(format!(
                    "OFD，{} 页，{} 个签名",
                    doc.page_count,
                    doc.signatures.len()
                ));
                invoice = doc.facts();
                signatures = ofd_signatures(&doc);
            }
            Err(e) => parse = Parse::Failed(format!("OFD 无法解析：{e}")),
        },
        FileFormat::Xml { root, .. } => match root.as_str() {
            "EInvoice" => match einvoice::read(content) {
                Ok(data) => {
                    parse = Parse::Opened(format!("数电票 XML，发票号码 {}", data.number));
                    inconsistencies = Some(
                        data.inconsistencies()
                            .iter()
                            .map(ToString::to_string)
                            .collect(),
                    );
                    invoice = Some(data.facts());
                    signatures =
                        Signatures::Unverifiable("数电票 XML 的签名结构未公开，签名未验证".into());
                }
                Err(e) => parse = Parse::Failed(format!("数电票 XML 无法读取：{e}")),
            },
            "BankElectronicReceipt" => match bank::read_receipt(content) {
                Ok(receipt) => {
                    parse = Parse::Opened(format!("银行电子回单 {}", receipt.receipt_number));
                    inconsistencies = Some(
                        receipt
                            .inconsistencies()
                            .iter()
                            .map(ToString::to_string)
                            .collect(),
                    );
                }
                Err(e) => parse = Parse::Failed(format!("银行电子回单无法读取：{e}")),
            },
            "BankStatement" => match bank::read_statement(content) {
                Ok(statement) => {
                    parse =
                        Parse::Opened(format!("银行电子对账单，{} 笔交易", statement.lines.len()));
                    inconsistencies = Some(
                        statement
                            .inconsistencies()
                            .iter()
                            .map(ToString::to_string)
                            .collect(),
                    );
                }
                Err(e) => parse = Parse::Failed(format!("银行电子对账单无法读取：{e}")),
            },
            other => {
                parse = Parse::Opened(format!("XML，根元素 {other}（仅检查了根元素）"));
            }
        },
        FileFormat::Text | FileFormat::Csv { .. } => {
            parse = Parse::Opened("UTF-8 文本".into());
        }
        _ => {}
    }
    Read {
        format,
        gate_media_type,
        sha256,
        parse,
        invoice,
        inconsistencies,
        signatures,
        encrypted,
        active_content,
    }
}

fn ofd_signatures(doc: &ofd::OfdDocument) -> Signatures {
    let mut references = Vec::new();
    let mut seal_not_verified = None;
    for signature in &doc.signatures {
        let detail = match &signature.file {
            ofd::SignatureFile::Present(detail) => detail,
            ofd::SignatureFile::Missing => {
                references.push((
                    format!("签名 {}", signature.id),
                    false,
                    format!("签名文件 {} 不存在", signature.base_loc),
                ));
                continue;
            }
        };
        for reference in &detail.references {
            let name = format!("签名 {} 引用 {}", signature.id, reference.file_ref);
            let (ok, what) = match &reference.outcome {
                ofd::DigestCheck::Matches => (true, "校验值一致".to_owned()),
                ofd::DigestCheck::Differs { declared, computed } => (
                    false,
                    format!("声明校验值 {declared}，重新计算为 {computed}"),
                ),
                ofd::DigestCheck::FileMissing => (false, "被签名的文件不存在".to_owned()),
                ofd::DigestCheck::MethodUnsupported(m) => {
                    (false, format!("不支持的摘要算法 {m}，无法验证"))
                }
                ofd::DigestCheck::CheckValueMalformed => (false, "校验值格式错误".to_owned()),
            };
            references.push((name, ok, what));
        }
        match &detail.seal_signature {
            ofd::SealSignatureCheck::NotVerified { reason } => {
                seal_not_verified = Some(reason.clone());
            }
            ofd::SealSignatureCheck::SignedValueMissing => references.push((
                format!("签名 {}", signature.id),
                false,
                "缺少签名值 SignedValue".to_owned(),
            )),
        }
    }
    Signatures::Checked {
        references,
        seal_not_verified,
    }
}

impl Archive {
    /// Reads and analyses one file. A scanner that is configured but unreachable stops the run
    /// with `scanner_unavailable` on occasions that must not go ahead unscanned; on the others
    /// the virus item reads "not run" with the reason.
    pub(crate) async fn analyse_file(
        &self,
        file: &SubjectFile,
        occasion: Occasion,
    ) -> Result<FileAnalysis, CoreError> {
        let settings = &self.settings.checks;
        let content = match self.load(file, settings.max_file_bytes).await {
            Ok(content) => content,
            Err(content) => return Ok(FileAnalysis::unread(content, settings.scanner.is_some())),
        };
        let content = Arc::new(content);
        let reading = {
            let content = Arc::clone(&content);
            let role = file.role;
            tokio::task::spawn_blocking(move || read(&content, role))
        };
        let read = match tokio::time::timeout(settings.reader_timeout, reading).await {
            Ok(Ok(read)) => Some(read),
            Ok(Err(join)) => {
                tracing::error!(file = %file.id, error = %join, "a format reader crashed; its items are recorded as not run");
                None
            }
            Err(_) => {
                tracing::warn!(file = %file.id, timeout_s = settings.reader_timeout.as_secs(), "a format reader timed out; its items are recorded as not run");
                None
            }
        };
        let scan = self.scan(file, &content, occasion).await?;
        let size = u64::try_from(content.len()).unwrap_or(u64::MAX);
        let Some(read) = read else {
            let why = format!(
                "读取器在 {} 秒内未完成或异常退出",
                settings.reader_timeout.as_secs()
            );
            let sha256 = Sha256Digest::from_bytes(sha2::Sha256::digest(&*content).into());
            return Ok(FileAnalysis {
                facts: FileFacts {
                    content: Content::Read { size, sha256 },
                    format: None,
                    gate_media_type: None,
                    parse: Parse::NotRun(why.clone()),
                    invoice: None,
                    inconsistencies: None,
                    signatures: Signatures::Unverifiable(why),
                    encrypted: None,
                    active_content: Vec::new(),
                    scan,
                },
            });
        };
        Ok(FileAnalysis {
            facts: FileFacts {
                content: Content::Read {
                    size,
                    sha256: read.sha256,
                },
                format: Some(read.format),
                gate_media_type: Some(read.gate_media_type),
                parse: read.parse,
                invoice: read.invoice,
                inconsistencies: read.inconsistencies,
                signatures: read.signatures,
                encrypted: read.encrypted,
                active_content: read.active_content,
                scan,
            },
        })
    }

    /// The file's content, or why it cannot be had.
    async fn load(&self, file: &SubjectFile, limit: u64) -> Result<Vec<u8>, Content> {
        match self.blobs.read_whole(&file.address, limit).await {
            Ok(WholeBlob::Read(content)) => Ok(content),
            Ok(WholeBlob::TooLarge(size)) => Err(Content::TooLarge { size, limit }),
            Err(e) => Err(Content::Missing(e.to_string())),
        }
    }

    async fn scan(
        &self,
        file: &SubjectFile,
        content: &[u8],
        occasion: Occasion,
    ) -> Result<Scan, CoreError> {
        let Some(scanner) = &self.settings.checks.scanner else {
            return Ok(Scan::NotRun(
                "未配置病毒扫描器 (no scanner configured)".into(),
            ));
        };
        match scanner.scan(content).await {
            Ok(ScanVerdict::Clean) => Ok(Scan::Clean(format!("ClamAV ({})", scanner.address()))),
            Ok(ScanVerdict::Infected { signature }) => {
                tracing::error!(file = %file.id, name = %file.name, signature = %signature, "the virus scan found malicious content");
                Ok(Scan::Infected(signature))
            }
            Err(e)
                if e.is_transient()
                    && matches!(
                        occasion,
                        Occasion::Submission | Occasion::Archiving | Occasion::Transfer
                    ) =>
            {
                Err(CoreError::new(ErrorCode::ScannerUnavailable, e.to_string()))
            }
            Err(e) => {
                tracing::error!(file = %file.id, error = %e, "the virus scan could not run; recorded as not run");
                Ok(Scan::NotRun(format!("病毒扫描未能执行：{e}")))
            }
        }
    }
}

impl FileAnalysis {
    fn unread(content: Content, scanner: bool) -> Self {
        let why = match &content {
            Content::Missing(why) => format!("文件内容不可读：{why}"),
            Content::TooLarge { size, limit } => {
                format!("文件 {size} 字节，超过检测读取上限 {limit} 字节")
            }
            Content::Read { .. } => String::new(),
        };
        let scan_why = if scanner {
            why.clone()
        } else {
            "未配置病毒扫描器 (no scanner configured)".to_owned()
        };
        Self {
            facts: FileFacts {
                content,
                format: None,
                gate_media_type: None,
                parse: Parse::NotRun(why.clone()),
                invoice: None,
                inconsistencies: None,
                signatures: Signatures::Unverifiable(why),
                encrypted: None,
                active_content: Vec::new(),
                scan: Scan::NotRun(scan_why),
            },
        }
    }
}
