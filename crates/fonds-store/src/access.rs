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
