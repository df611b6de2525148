//! `GET /api/v1/records/{id}/links`: a record's link graph (单证关联) and, for a 记账凭证,
//! whether its declared attachment count is met.

use axum::extract::{Path, State};
use fonds_core::links::LinkGraph;
use fonds_domain::BusinessKey;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::access::{Allowed, perm};
use crate::dto::RecordSummary;
use crate::problem::{ApiError, Problem};

/// A business key.
#[derive(Debug, Serialize, ToSchema)]
pub struct Key {
    /// `invoice`, `approval_form`, `bank_receipt`, `contract` or `reimbursement_form`.
    #[serde(rename = "type")]
    pub link_type: String,
    /// Its value.
    pub key: String,
}

impl From<&BusinessKey> for Key {
    fn from(k: &BusinessKey) -> Self {
        Self {
            link_type: k.link_type.as_str().to_owned(),
            key: k.value().to_owned(),
        }
    }
}

/// A link from this record.
#[derive(Debug, Serialize, ToSchema)]
pub struct Outgoing {
    /// The key referred to.
    #[serde(flatten)]
    pub key: Key,
    /// `linked` once the other record has arrived, `pending` until then.
    pub state: String,
    /// The linked record.
    pub record: Option<RecordSummary>,
}

/// A link to this record.
#[derive(Debug, Serialize, ToSchema)]
pub struct Incoming {
    /// Which of this record's keys it refers to.
    #[serde(flatten)]
    pub key: Key,
    /// The record that refers to this one.
    pub record: RecordSummary,
}

/// Attachment completeness of a 记账凭证 (DA/T 94 E.2.7).
#[derive(Debug, Serialize, ToSchema)]
pub struct Completeness {
    /// 附件张数 as declared.
    pub declared: u32,
    /// Originals stored as files of the item.
    pub original_files: u32,
    /// Originals linked as separate records.
    pub linked_originals: u32,
    /// Whether they cover the declared count.
    pub met: bool,
}

/// A record's link graph.
#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    /// The record.
    pub record_id: String,
    /// Its own business keys.
    pub keys: Vec<Key>,
    /// The items it refers to.
    pub outgoing: Vec<Outgoing>,
    /// The items that refer to it.
    pub incoming: Vec<Incoming>,
    /// For a 记账凭证 with a declared attachment count.
    pub completeness: Option<Completeness>,
}

impl From<&LinkGraph> for Links {
    fn from(g: &LinkGraph) -> Self {
        Self {
            record_id: g.record.id.to_string(),
            keys: g.own_keys.iter().map(Key::from).collect(),
            outgoing: g
                .outgoing
                .iter()
                .map(|l| Outgoing {
                    key: Key::from(&l.key),
                    state: if l.target.is_some() {
                        "linked"
                    } else {
                        "pending"
                    }
                    .to_owned(),
                    record: l.target.as_ref().map(RecordSummary::from),
                })
                .collect(),
            incoming: g
                .incoming
                .iter()
                .map(|(k, r)| Incoming {
                    key: Key::from(k),
                    record: RecordSummary::from(r),
                })
                .collect(),
            completeness: g.completeness.map(|c| Completeness {
                declared: c.declared,
                original_files: c.original_files,
                linked_originals: c.linked_originals,
                met: c.met,
            }),
        }
    }
}

/// A record's link graph.
#[utoipa::path(
    get,
    path = "/api/v1/records/{id}/links",
    operation_id = "record_links",
    tag = "records",
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, description = "The link graph", body = Links),
        (status = 404, description = "No such record", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
    Path(id): Path<String>,
) -> Result<axum::Json<Links>, ApiError> {
    let id = super::records::record_id(&id)?;
    let graph = state.archive.record_links(id, &allowed.scope()).await?;
    Ok(axum::Json(Links::from(&graph)))
}
