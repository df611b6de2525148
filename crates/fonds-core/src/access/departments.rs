//! The department tree of each fonds: added by the system administrator (or at the console),
//! never deleted, audited.

use fonds_domain::FondsCode;
use fonds_domain::access::DepartmentCode;
use fonds_store::access::NewDepartment;
use time::OffsetDateTime;

pub use fonds_store::access::DepartmentRow as Department;

use crate::error::{CoreError, ErrorCode};
use crate::{Actor, Archive};

impl Archive {
    /// Adds a department to a fonds' tree, under `parent` or as a root.
    ///
    /// # Errors
    /// `fonds_not_found`; `department_not_found` for an unknown parent; `department_taken`;
    /// `request_invalid` for an empty or over-long name; a store failure.
    pub async fn add_department(
        &self,
        fonds: &FondsCode,
        code: DepartmentCode,
        name: &str,
        parent: Option<DepartmentCode>,
        by: &Actor,
    ) -> Result<Department, CoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(CoreError::new(
                ErrorCode::RequestInvalid,
                "a department name has 1 to 100 characters",
            ));
        }
        self.fonds_or_404(fonds).await?;
        let new = NewDepartment {
            fonds: fonds.clone(),
            code: code.clone(),
            name: name.to_owned(),
            parent,
            created_at: OffsetDateTime::now_utc(),
        };
        self.metadata.insert_department(&new, by).await?;
        self.metadata
            .departments(Some(fonds))
            .await?
            .into_iter()
            .find(|d| d.code == code)
            .ok_or_else(|| {
                CoreError::internal(std::io::Error::other("the new department vanished"))
            })
    }

    /// The departments of one fonds or of all, each tree in path order.
    ///
    /// # Errors
    /// A store failure.
    pub async fn departments(
        &self,
        fonds: Option<&FondsCode>,
    ) -> Result<Vec<Department>, CoreError> {
        Ok(self.metadata.departments(fonds).await?)
    }
}
