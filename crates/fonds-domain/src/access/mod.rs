//! People's rights (docs/people.md): the permission catalogue, the built-in roles with the
//! three-officer separation (三员分立), data scopes over fonds, departments, kinds, years and
//! secrecy, and grants that may expire.

mod department;
mod grant;
mod permission;
mod role;
mod scope;
mod secrecy;

pub use department::{DepartmentCode, DepartmentCodeError, DepartmentRef, DepartmentRefError};
pub use grant::{Allowance, Grant, Rights};
pub use permission::{BusinessPermissions, Officer, Permission, PermissionSet, UnknownPermission};
pub use role::{BuiltinRole, Duties, UnknownRole};
pub use scope::{DataScope, RecordFacts, RecordScope, Selection, YearRange, YearRangeError};
pub use secrecy::{SecrecyLevel, UnknownSecrecyLevel};
