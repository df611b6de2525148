//! The auditor's search of the audit trail, and a record's use history. Reading the trail is
//! itself recorded (`audit.searched`, with the filters), so that the auditor's own reading
//! leaves a trace for the security officer.

use fonds_domain::RecordId;
use fonds_domain::access::RecordScope;
use fonds_store::{ActionFilter, AuditPage, AuditQuery, NewAuditEvent, SearchOrder, USE_ACTIONS};
use serde_json::json;
use time::format_description::well_known::Rfc3339;

use super::{Actor, actions};
use crate::Archive;
use crate::error::{CoreError, ErrorCode};

/// The filters of a search as the event of the search records them.
fn described(query: &AuditQuery) -> serde_json::Value {
    let time = |t: Option<time::OffsetDateTime>| t.and_then(|t| t.format(&Rfc3339).ok());
    let action = query.action.as_ref().map(|a| match a {
        ActionFilter::Exact(name) => name.clone(),
        ActionFilter::Family(family) => format!("{family}.*"),
        ActionFilter::AnyOf(list) => list.join(","),
    });
    json!({
        "actor": query.actor,
        "action": action,
        "record": query.record.map(|r| r.to_string()),
        "archival_code": query.archival_code,
        "from": time(query.from),
        "until": time(query.until),
        "outcome": query.outcome.map(|o| o.as_str()),
        "order": match query.order {
            SearchOrder::Ascending => "asc",
            SearchOrder::Descending => "desc",
        },
        "after": query.after,
        "limit": query.limit,
    })
}

impl Archive {
    /// A page of audit events matching `query`, in sequence order, searched by `by`: appends
    /// `audit.searched` with the filters first, so a search can find itself.
    ///
    /// # Errors
    /// `query_invalid` for a page size of 0 or over the limit, or a store failure.
    pub async fn search_audit(
        &self,
        query: &AuditQuery,
        by: &Actor,
    ) -> Result<AuditPage, CoreError> {
        self.check_page_size(query.limit)?;
        let event = NewAuditEvent::success(by, actions::AUDIT_SEARCHED, None, described(query));
        self.metadata.append_read_event(event).await?;
        Ok(self.metadata.search_audit(query).await?)
    }

    /// Who viewed, downloaded and printed a record, when and from where: a page of its
    /// `record.viewed`, `file.downloaded` and `record.printed` events, newest first, read by
    /// `by` (which appends `audit.searched` about the record).
    ///
    /// # Errors
    /// `record_not_found` (also for a record outside `scope`), `query_invalid` for a bad page
    /// size, or a store failure.
    pub async fn use_history(
        &self,
        record: RecordId,
        after: Option<i64>,
        limit: u32,
        scope: &RecordScope,
        by: &Actor,
    ) -> Result<AuditPage, CoreError> {
        self.check_page_size(limit)?;
        let row = self.visible_record(record, scope).await?;
        let query = AuditQuery {
            action: Some(ActionFilter::AnyOf(USE_ACTIONS.to_vec())),
            record: Some(record),
            order: SearchOrder::Descending,
            after,
            limit,
            ..AuditQuery::default()
        };
        let mut event = NewAuditEvent::success(
            by,
            actions::AUDIT_SEARCHED,
            Some(("record", record.to_string())),
            json!({ "use_history": true, "after": after, "limit": limit }),
        );
        if let Some(code) = row.archival_code {
            event = event.with_archival_code(code);
        }
        self.metadata.append_read_event(event).await?;
        Ok(self.metadata.search_audit(&query).await?)
    }

    fn check_page_size(&self, limit: u32) -> Result<(), CoreError> {
        let max = self.settings.max_page_size;
        if limit == 0 || limit > max {
            return Err(CoreError::new(
                ErrorCode::QueryInvalid,
                format!("limit must be 1 to {max}"),
            ));
        }
        Ok(())
    }
}
