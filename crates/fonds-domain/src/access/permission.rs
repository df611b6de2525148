//! The permission catalogue: one permission per action the system offers, each with a stable
//! code (part of the API and of stored grants and tokens) and a Chinese name for people.

use std::fmt;
use std::str::FromStr;

/// One action a caller may be allowed to take. The codes are stable: they are stored in grants
/// and tokens and sent over the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    /// Read catalogue entries (目录): lists, counts, a record's description.
    RecordRead,
    /// View a record's files.
    FileRead,
    /// Download a record's files.
    FileDownload,
    /// Print a record's files.
    FilePrint,
    /// Submit records for archiving.
    RecordSubmit,
    /// Archive records (归档) and run the four-properties check on them.
    RecordArchive,
    /// Correct a record's description (a new version).
    RecordCorrect,
    /// Ask to borrow records.
    BorrowRequest,
    /// Approve borrowing.
    BorrowApprove,
    /// Transfer records (移交).
    RecordTransfer,
    /// Appraise records (鉴定).
    RecordAppraise,
    /// Destroy records (销毁).
    RecordDestroy,
    /// Manage people's accounts and the department tree (system administrator).
    UsersManage,
    /// Grant and revoke roles with their data scope (security officer).
    RolesManage,
    /// Read the audit trail (security auditor).
    AuditRead,
    /// Change the system's configuration (system administrator).
    SystemConfigure,
    /// Run backups (system administrator).
    BackupsRun,
    /// Manage client systems and their webhooks (system administrator).
    ClientsManage,
}

/// The three officers of 三员分立 (DA/T 94 E.7, DA/T 92 9.1.3): no person is two of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Officer {
    /// 系统管理员: accounts, departments, configuration, backups, client systems.
    SystemAdministrator,
    /// 系统安全保密员: grants roles and data scopes.
    SecurityOfficer,
    /// 系统安全审计员: reads the audit trail.
    SecurityAuditor,
}

/// A text that names no permission.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a permission; the catalogue is in docs/people.md (e.g. record.read)")]
pub struct UnknownPermission(pub String);

impl Permission {
    /// Every permission, in catalogue order.
    pub const ALL: [Self; 18] = [
        Self::RecordRead,
        Self::FileRead,
        Self::FileDownload,
        Self::FilePrint,
        Self::RecordSubmit,
        Self::RecordArchive,
        Self::RecordCorrect,
        Self::BorrowRequest,
        Self::BorrowApprove,
        Self::RecordTransfer,
        Self::RecordAppraise,
        Self::RecordDestroy,
        Self::UsersManage,
        Self::RolesManage,
        Self::AuditRead,
        Self::SystemConfigure,
        Self::BackupsRun,
        Self::ClientsManage,
    ];

    /// The stable code, e.g. `record.read`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::RecordRead => "record.read",
            Self::FileRead => "file.read",
            Self::FileDownload => "file.download",
            Self::FilePrint => "file.print",
            Self::RecordSubmit => "record.submit",
            Self::RecordArchive => "record.archive",
            Self::RecordCorrect => "record.correct",
            Self::BorrowRequest => "borrow.request",
            Self::BorrowApprove => "borrow.approve",
            Self::RecordTransfer => "record.transfer",
            Self::RecordAppraise => "record.appraise",
            Self::RecordDestroy => "record.destroy",
            Self::UsersManage => "system.users",
            Self::RolesManage => "system.roles",
            Self::AuditRead => "audit.read",
            Self::SystemConfigure => "system.configure",
            Self::BackupsRun => "system.backups",
            Self::ClientsManage => "system.clients",
        }
    }

    /// The name people read.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::RecordRead => "查阅档案目录",
            Self::FileRead => "浏览电子文件",
            Self::FileDownload => "下载电子文件",
            Self::FilePrint => "打印电子文件",
            Self::RecordSubmit => "提交归档",
            Self::RecordArchive => "归档",
            Self::RecordCorrect => "更正著录",
            Self::BorrowRequest => "申请借阅",
            Self::BorrowApprove => "审批借阅",
            Self::RecordTransfer => "移交",
            Self::RecordAppraise => "鉴定",
            Self::RecordDestroy => "销毁",
            Self::UsersManage => "管理用户与组织",
            Self::RolesManage => "管理角色与授权",
            Self::AuditRead => "查阅审计日志",
            Self::SystemConfigure => "系统配置",
            Self::BackupsRun => "执行备份",
            Self::ClientsManage => "管理接入系统",
        }
    }

    /// The officer this permission belongs to, if it is one of the officers' own; every other
    /// permission is a business permission, which no officer holds.
    #[must_use]
    pub const fn officer(self) -> Option<Officer> {
        match self {
            Self::UsersManage | Self::SystemConfigure | Self::BackupsRun | Self::ClientsManage => {
                Some(Officer::SystemAdministrator)
            }
            Self::RolesManage => Some(Officer::SecurityOfficer),
            Self::AuditRead => Some(Officer::SecurityAuditor),
            _ => None,
        }
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Permission {
    type Err = UnknownPermission;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == s)
            .ok_or_else(|| UnknownPermission(s.to_owned()))
    }
}

impl Officer {
    /// Every officer.
    pub const ALL: [Self; 3] = [
        Self::SystemAdministrator,
        Self::SecurityOfficer,
        Self::SecurityAuditor,
    ];

    /// The officer's own permissions: exactly the catalogue's permissions that name them.
    #[must_use]
    pub fn permissions(self) -> PermissionSet {
        Permission::ALL
            .into_iter()
            .filter(|p| p.officer() == Some(self))
            .collect()
    }
}

/// A set of permissions (a bit set: copying and testing it costs nothing).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PermissionSet(u32);

impl PermissionSet {
    /// No permission.
    pub const EMPTY: Self = Self(0);

    /// The set of `permissions`.
    #[must_use]
    pub const fn of(permissions: &[Permission]) -> Self {
        let mut bits = 0;
        let mut i = 0;
        while i < permissions.len() {
            bits |= permissions[i].bit();
            i += 1;
        }
        Self(bits)
    }

    /// Whether `permission` is in the set.
    #[must_use]
    pub const fn contains(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    /// Both sets together.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permissions, in catalogue order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }

    /// The officers whose own permissions are in the set.
    pub fn officers(self) -> impl Iterator<Item = Officer> {
        Officer::ALL
            .into_iter()
            .filter(move |o| self.iter().any(|p| p.officer() == Some(*o)))
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Self(iter.into_iter().fold(0, |bits, p| bits | p.bit()))
    }
}

impl fmt::Debug for PermissionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(Permission::code))
            .finish()
    }
}

/// Permissions none of which is an officer's: the only kind a business role can hold, so that
/// a role mixing an officer's permission into business work cannot be written down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessPermissions(PermissionSet);

impl BusinessPermissions {
    /// The business permissions `permissions`. Used in constants, where an officer's permission
    /// in the list stops the build.
    pub(crate) const fn of(permissions: &[Permission]) -> Self {
        let mut i = 0;
        while i < permissions.len() {
            if permissions[i].officer().is_some() {
                panic!("an officer's permission cannot be part of a business role");
            }
            i += 1;
        }
        Self(PermissionSet::of(permissions))
    }

    /// The set.
    #[must_use]
    pub const fn set(self) -> PermissionSet {
        self.0
    }
}

impl TryFrom<PermissionSet> for BusinessPermissions {
    type Error = Officer;

    /// Refuses a set holding an officer's permission, naming the officer.
    fn try_from(set: PermissionSet) -> Result<Self, Self::Error> {
        match set.officers().next() {
            Some(officer) => Err(officer),
            None => Ok(Self(set)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for p in Permission::ALL {
            assert_eq!(p.code().parse::<Permission>(), Ok(p));
        }
        let codes: std::collections::BTreeSet<_> =
            Permission::ALL.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), Permission::ALL.len());
        assert!("record.delete".parse::<Permission>().is_err());
    }

    #[test]
    fn each_officer_has_permissions_and_no_two_share_one() {
        let admin = Officer::SystemAdministrator.permissions();
        let security = Officer::SecurityOfficer.permissions();
        let auditor = Officer::SecurityAuditor.permissions();
        assert!(admin.contains(Permission::UsersManage));
        assert!(!admin.contains(Permission::RolesManage));
        assert!(security.contains(Permission::RolesManage));
        assert!(auditor.contains(Permission::AuditRead));
        for (a, b) in [(admin, security), (admin, auditor), (security, auditor)] {
            assert!(a.iter().all(|p| !b.contains(p)));
        }
    }

    #[test]
    fn a_set_with_an_officer_permission_is_no_business_set() {
        let mixed = PermissionSet::of(&[Permission::RecordRead, Permission::RolesManage]);
        assert_eq!(
            BusinessPermissions::try_from(mixed),
            Err(Officer::SecurityOfficer)
        );
        let plain = PermissionSet::of(&[Permission::RecordRead, Permission::FileRead]);
        assert!(BusinessPermissions::try_from(plain).is_ok());
    }
}
