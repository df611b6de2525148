//! The built-in roles: the three officers, each alone with their own permissions, and the
//! business roles, whose permissions can only be business permissions.

use std::fmt;
use std::str::FromStr;

use super::permission::{BusinessPermissions, Officer, Permission, PermissionSet};

/// A built-in role. Its code is stable (stored in grants); its name is what people read.
// LIMITATION: only the built-in roles exist. A custom role would hold `BusinessPermissions`
// only (so it could never carry an officer's permission) and be stored beside these in
// `roles`/`role_permissions`; no organisation has asked for one yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BuiltinRole {
    /// 系统管理员.
    SystemAdministrator,
    /// 系统安全保密员.
    SecurityOfficer,
    /// 系统安全审计员.
    SecurityAuditor,
    /// 档案管理员: keeps the archive.
    Archivist,
    /// 会计: prepares and submits.
    Accountant,
    /// 财务负责人: approves borrowing, appraises.
    FinanceHead,
    /// 查阅人: reads the catalogue and views files.
    Reader,
    /// 内审: reads, views, downloads and prints for audits.
    InternalAuditor,
}

/// What a role is for: one officer's duties, or business work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duties {
    /// The officer's own permissions and nothing else.
    Officer(Officer),
    /// Business permissions only.
    Business(BusinessPermissions),
}

/// A text that names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a role; use one of system_administrator, security_officer, security_auditor, \
     archivist, accountant, finance_head, reader, internal_auditor (or their Chinese names)"
)]
pub struct UnknownRole(pub String);

const ARCHIVIST: BusinessPermissions = BusinessPermissions::of(&[
    Permission::RecordRead,
    Permission::FileRead,
    Permission::FileDownload,
    Permission::FilePrint,
    Permission::RecordSubmit,
    Permission::RecordArchive,
    Permission::RecordCorrect,
    Permission::BorrowApprove,
    Permission::RecordTransfer,
    Permission::RecordAppraise,
    Permission::RecordDestroy,
]);

const ACCOUNTANT: BusinessPermissions = BusinessPermissions::of(&[
    Permission::RecordRead,
    Permission::FileRead,
    Permission::FileDownload,
    Permission::FilePrint,
    Permission::RecordSubmit,
    Permission::BorrowRequest,
]);

const FINANCE_HEAD: BusinessPermissions = BusinessPermissions::of(&[
    Permission::RecordRead,
    Permission::FileRead,
    Permission::FileDownload,
    Permission::FilePrint,
    Permission::BorrowRequest,
    Permission::BorrowApprove,
    Permission::RecordAppraise,
]);

const READER: BusinessPermissions = BusinessPermissions::of(&[
    Permission::RecordRead,
    Permission::FileRead,
    Permission::BorrowRequest,
]);

const INTERNAL_AUDITOR: BusinessPermissions = BusinessPermissions::of(&[
    Permission::RecordRead,
    Permission::FileRead,
    Permission::FileDownload,
    Permission::FilePrint,
    Permission::BorrowRequest,
]);

impl BuiltinRole {
    /// Every built-in role.
    pub const ALL: [Self; 8] = [
        Self::SystemAdministrator,
        Self::SecurityOfficer,
        Self::SecurityAuditor,
        Self::Archivist,
        Self::Accountant,
        Self::FinanceHead,
        Self::Reader,
        Self::InternalAuditor,
    ];

    /// The stable code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::SystemAdministrator => "system_administrator",
            Self::SecurityOfficer => "security_officer",
            Self::SecurityAuditor => "security_auditor",
            Self::Archivist => "archivist",
            Self::Accountant => "accountant",
            Self::FinanceHead => "finance_head",
            Self::Reader => "reader",
            Self::InternalAuditor => "internal_auditor",
        }
    }

    /// The name people read.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::SystemAdministrator => "系统管理员",
            Self::SecurityOfficer => "系统安全保密员",
            Self::SecurityAuditor => "系统安全审计员",
            Self::Archivist => "档案管理员",
            Self::Accountant => "会计",
            Self::FinanceHead => "财务负责人",
            Self::Reader => "查阅人",
            Self::InternalAuditor => "内审",
        }
    }

    /// What the role is for.
    #[must_use]
    pub const fn duties(self) -> Duties {
        match self {
            Self::SystemAdministrator => Duties::Officer(Officer::SystemAdministrator),
            Self::SecurityOfficer => Duties::Officer(Officer::SecurityOfficer),
            Self::SecurityAuditor => Duties::Officer(Officer::SecurityAuditor),
            Self::Archivist => Duties::Business(ARCHIVIST),
            Self::Accountant => Duties::Business(ACCOUNTANT),
            Self::FinanceHead => Duties::Business(FINANCE_HEAD),
            Self::Reader => Duties::Business(READER),
            Self::InternalAuditor => Duties::Business(INTERNAL_AUDITOR),
        }
    }

    /// The officer this role makes its holder, if it is an officer's role.
    #[must_use]
    pub const fn officer(self) -> Option<Officer> {
        match self.duties() {
            Duties::Officer(officer) => Some(officer),
            Duties::Business(_) => None,
        }
    }

    /// The officer role of `officer`.
    #[must_use]
    pub const fn of_officer(officer: Officer) -> Self {
        match officer {
            Officer::SystemAdministrator => Self::SystemAdministrator,
            Officer::SecurityOfficer => Self::SecurityOfficer,
            Officer::SecurityAuditor => Self::SecurityAuditor,
        }
    }

    /// The role's permissions.
    #[must_use]
    pub fn permissions(self) -> PermissionSet {
        match self.duties() {
            Duties::Officer(officer) => officer.permissions(),
            Duties::Business(set) => set.set(),
        }
    }

    /// Whether a person who holds `self` may also hold `other`: an officer's role is held alone
    /// (三员分立: no one is two officers, and no officer does business work), business roles
    /// combine freely.
    #[must_use]
    pub const fn combines_with(self, other: Self) -> bool {
        self.officer().is_none() && other.officer().is_none()
    }
}

impl fmt::Display for BuiltinRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for BuiltinRole {
    type Err = UnknownRole;

    /// Parses a code or a Chinese name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s || r.name_zh() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_by_code_and_by_chinese_name() {
        for role in BuiltinRole::ALL {
            assert_eq!(role.code().parse::<BuiltinRole>(), Ok(role));
            assert_eq!(role.name_zh().parse::<BuiltinRole>(), Ok(role));
        }
        assert!("root".parse::<BuiltinRole>().is_err());
    }

    #[test]
    fn no_business_role_holds_an_officer_permission() {
        for role in BuiltinRole::ALL {
            if role.officer().is_none() {
                assert_eq!(role.permissions().officers().count(), 0, "{role}");
            }
        }
    }

    #[test]
    fn the_officers_read_no_archive_contents_and_hold_only_their_own_duties() {
        for officer in Officer::ALL {
            let role = BuiltinRole::of_officer(officer);
            let permissions = role.permissions();
            for content in [
                Permission::RecordRead,
                Permission::FileRead,
                Permission::FileDownload,
                Permission::FilePrint,
            ] {
                assert!(!permissions.contains(content), "{role} may {content}");
            }
            assert_eq!(permissions.officers().collect::<Vec<_>>(), vec![officer]);
        }
        assert!(
            !BuiltinRole::SystemAdministrator
                .permissions()
                .contains(Permission::RolesManage)
        );
        assert!(
            !BuiltinRole::SecurityOfficer
                .permissions()
                .contains(Permission::UsersManage)
        );
        assert_eq!(
            BuiltinRole::SecurityAuditor.permissions(),
            PermissionSet::of(&[Permission::AuditRead])
        );
    }

    #[test]
    fn an_officer_role_combines_with_no_other_role() {
        for a in BuiltinRole::ALL {
            for b in BuiltinRole::ALL {
                let expected = a.officer().is_none() && b.officer().is_none();
                assert_eq!(a.combines_with(b), expected, "{a} + {b}");
            }
        }
    }
}
