//! What a check run examines: a record with its metadata and files, whether it is a record of a
//! submission being received (not yet written) or a record the archive holds.

use fonds_domain::{
    BusinessKey, Classification, FileId, FileRole, Fonds, RecordDescription, RecordId,
    Sha256Digest, Sm3Digest, VoucherEntry,
};
use fonds_store::{NewFile, NewRecord, RecordForCheck};

/// One record under check.
#[derive(Debug, Clone)]
pub(crate) struct Subject {
    /// The record's id (assigned already for records of a submission being received).
    pub id: RecordId,
    /// How the report names it: the key the client gave in its manifest, else the id.
    pub label: String,
    /// Whether the record is stored yet; results of a refused submission name no record.
    pub stored: bool,
    /// Its fonds, with the archival-code pattern.
    pub fonds: Fonds,
    /// Classification.
    pub classification: Classification,
    /// Description.
    pub description: RecordDescription,
    /// Entries of a 记账凭证.
    pub entries: Vec<VoucherEntry>,
    /// The archival code, once archived.
    pub archival_code: Option<String>,
    /// Its files in item order.
    pub files: Vec<SubjectFile>,
    /// What the source systems call it.
    pub business_keys: Vec<BusinessKey>,
    /// Links to originals (invoices, forms, receipts) it refers to, resolved or not.
    pub original_links: u32,
}

/// One file under check.
#[derive(Debug, Clone)]
pub(crate) struct SubjectFile {
    /// Id.
    pub id: FileId,
    /// The name the source system gave it.
    pub name: String,
    /// Its role in the item.
    pub role: FileRole,
    /// The media type recorded at receipt.
    pub media_type: String,
    /// The size recorded at receipt.
    pub size: u64,
    /// Where the content is in the blob store: the SHA-256 computed when it was received.
    pub address: Sha256Digest,
    /// The SHA-256 the sender declared (at submission) or recorded at receipt (afterwards).
    pub sha256: Sha256Digest,
    /// The SM3 recorded at receipt.
    pub sm3: Sm3Digest,
    /// Where `sha256` comes from, for the evidence.
    pub digest_source: DigestSource,
}

/// Where the digest a file is checked against comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DigestSource {
    /// The sender's manifest.
    Declared,
    /// The archive's record, made when the file was received.
    Recorded,
}

impl DigestSource {
    pub(crate) const fn name_zh(self) -> &'static str {
        match self {
            Self::Declared => "报送方声明值",
            Self::Recorded => "接收时登记值",
        }
    }
}

impl Subject {
    /// A record of a submission being received: its files are checked against the digests the
    /// manifest declared (`declared`, by file id; the recorded digest where none was declared).
    pub(crate) fn received(
        fonds: &Fonds,
        record: &NewRecord,
        declared: &dyn Fn(&NewFile) -> Option<Sha256Digest>,
    ) -> Self {
        let files = record
            .files
            .iter()
            .map(|f| {
                let (sha256, digest_source) = match declared(f) {
                    Some(d) => (d, DigestSource::Declared),
                    None => (f.sha256, DigestSource::Recorded),
                };
                SubjectFile {
                    id: f.id,
                    address: f.sha256,
                    name: f.file_name.clone(),
                    role: f.role,
                    media_type: f.media_type.clone(),
                    size: f.size,
                    sha256,
                    sm3: f.sm3,
                    digest_source,
                }
            })
            .collect();
        Self {
            id: record.id,
            label: record.key.clone().unwrap_or_else(|| record.id.to_string()),
            stored: false,
            fonds: fonds.clone(),
            classification: record.classification,
            description: record.description.clone(),
            entries: record.entries.clone(),
            archival_code: record.preset_code.as_ref().map(|p| p.code.to_string()),
            files,
            business_keys: record.business_keys.clone(),
            original_links: count(
                record
                    .links
                    .iter()
                    .filter(|k| k.link_type.is_original())
                    .count(),
            ),
        }
    }

    /// A record the archive holds.
    pub(crate) fn stored(fonds: &Fonds, found: RecordForCheck) -> Self {
        let RecordForCheck {
            record,
            files,
            entries,
            own_keys,
            refers_to,
        } = found;
        let original_links = count(
            refers_to
                .iter()
                .filter(|k| k.link_type.is_original())
                .count(),
        );
        let files = files
            .into_iter()
            .map(|f| SubjectFile {
                id: f.id,
                address: f.sha256,
                name: f.file_name,
                role: f.role,
                media_type: f.media_type,
                size: f.size,
                sha256: f.sha256,
                sm3: f.sm3,
                digest_source: DigestSource::Recorded,
            })
            .collect();
        Self {
            id: record.id,
            label: record
                .archival_code
                .clone()
                .or(record.key.clone())
                .unwrap_or_else(|| record.id.to_string()),
            stored: true,
            fonds: fonds.clone(),
            classification: record.classification,
            description: record.description,
            entries,
            archival_code: record.archival_code,
            files,
            business_keys: own_keys,
            original_links,
        }
    }
}

pub(crate) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
