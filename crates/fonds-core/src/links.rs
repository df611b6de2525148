//! The link graph of a record (单证关联): the items it refers to, the items that refer to it,
//! and for a 记账凭证 whether its declared attachment count is met (DA/T 94 E.2.7).

use fonds_domain::access::RecordScope;
use fonds_domain::{BusinessKey, RecordId, RecordKind};
use fonds_store::RecordRow;

use crate::Archive;
use crate::error::CoreError;

/// One link from a record, resolved or still waiting for its other side.
#[derive(Debug, Clone)]
pub struct OutgoingLink {
    /// The key referred to.
    pub key: BusinessKey,
    /// The record holding it, once it has arrived.
    pub target: Option<RecordRow>,
}

/// Whether a 记账凭证's declared attachments are all present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completeness {
    /// 附件张数 as declared.
    pub declared: u32,
    /// Originals stored as files of the item itself.
    pub original_files: u32,
    /// Originals that are separate records linked to it.
    pub linked_originals: u32,
    /// Whether the two together cover the declared count.
    pub met: bool,
}

/// A record's place in the link graph.
#[derive(Debug, Clone)]
pub struct LinkGraph {
    /// The record.
    pub record: RecordRow,
    /// Its own business keys.
    pub own_keys: Vec<BusinessKey>,
    /// The items it refers to.
    pub outgoing: Vec<OutgoingLink>,
    /// The items that refer to it.
    pub incoming: Vec<(BusinessKey, RecordRow)>,
    /// For a 记账凭证 with a declared attachment count.
    pub completeness: Option<Completeness>,
}

impl Archive {
    /// The link graph around a record, as far as `scope` reaches: a linked record outside it
    /// is shown as not arrived (outgoing) or not shown (incoming), never described.
    ///
    /// # Errors
    /// `record_not_found` (also for a record outside `scope`), or a store failure.
    pub async fn record_links(
        &self,
        id: RecordId,
        scope: &RecordScope,
    ) -> Result<LinkGraph, CoreError> {
        let record = self.visible_record(id, scope).await?;
        let links = self.metadata.record_links(id).await?;
        // Completeness is a property of the record, whoever looks: count every arrived original.
        let arrived_originals = links
            .outgoing
            .iter()
            .filter(|(key, target)| target.is_some() && key.link_type.is_original())
            .count();
        // LIMITATION: an outgoing link to a record outside the scope still shows the business key
        // the record itself declares (it is part of the record's own description), with no
        // target, exactly like a link whose other side has not arrived.
        let mut outgoing = Vec::with_capacity(links.outgoing.len());
        for (key, target) in links.outgoing {
            let target = match target {
                Some(target) => self.metadata.record_in(target, scope).await?,
                None => None,
            };
            outgoing.push(OutgoingLink { key, target });
        }
        let mut incoming = Vec::with_capacity(links.incoming.len());
        for (key, from) in links.incoming {
            if let Some(row) = self.metadata.record_in(from, scope).await? {
                incoming.push((key, row));
            }
        }
        let completeness = match (
            record.classification.kind,
            record.description.attachment_count,
        ) {
            (RecordKind::AccountingVoucher, Some(declared)) => {
                let files = self.metadata.record_files(id).await?;
                let original_files = count(files.iter().filter(|f| f.role.is_original()).count());
                let linked_originals = count(arrived_originals);
                Some(Completeness {
                    declared,
                    original_files,
                    linked_originals,
                    met: original_files + linked_originals >= declared,
                })
            }
            _ => None,
        };
        Ok(LinkGraph {
            record,
            own_keys: links.own_keys,
            outgoing,
            incoming,
            completeness,
        })
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
