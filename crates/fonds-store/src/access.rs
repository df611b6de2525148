//! Departments as the metadata store holds them; grants are stored as fonds-domain's
//! [`fonds_domain::access::Grant`] and tokens as [`crate::NewToken`].

use fonds_domain::FondsCode;
use fonds_domain::access::DepartmentCode;
use time::OffsetDateTime;

/// A department to add.
#[derive(Debug, Clone)]
pub struct NewDepartment {
    /// Its fonds.
    pub fonds: FondsCode,
    /// Its code there.
    pub code: DepartmentCode,
    /// Its name, e.g. 财务部.
    pub name: String,
    /// The department it sits under, or none for a root.
    pub parent: Option<DepartmentCode>,
    /// When.
    pub created_at: OffsetDateTime,
}

/// A department as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentRow {
    /// Its fonds.
    pub fonds: FondsCode,
    /// Its code there.
    pub code: DepartmentCode,
    /// Its name.
    pub name: String,
    /// The department it sits under.
    pub parent: Option<DepartmentCode>,
    /// The codes from the root of the tree down to this department, itself included.
    pub path: Vec<DepartmentCode>,
    /// When it was added.
    pub created_at: OffsetDateTime,
}

/// A permission review (权限审核) to record.
#[derive(Debug, Clone)]
pub struct NewPermissionReview {
    /// When it was done.
    pub reviewed_at: OffsetDateTime,
    /// What the reviewer wrote.
    pub note: String,
    /// The counts of the report it was made on, as a JSON object.
    pub findings: serde_json::Value,
}

/// A permission review as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionReviewRow {
    /// Its number, from 1.
    pub id: i64,
    /// When it was done.
    pub reviewed_at: OffsetDateTime,
    /// Who did it, as the audit trail names them.
    pub reviewed_by: String,
    /// What the reviewer wrote.
    pub note: String,
    /// The counts of the report it was made on.
    pub findings: serde_json::Value,
}
