//! Grants and what they add up to: a grant gives a person a role over a data scope, perhaps
//! until an expiry date after which it stops working by itself; a caller's [`Rights`] are the
//! permissions and scopes of everything it holds that is live now.

use time::OffsetDateTime;

use super::permission::{Permission, PermissionSet};
use super::role::BuiltinRole;
use super::scope::{DataScope, RecordScope};

/// A role given to a person over a data scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Its id.
    pub id: String,
    /// The person's account id.
    pub user_id: String,
    /// The role.
    pub role: BuiltinRole,
    /// The records it reaches.
    pub scope: DataScope,
    /// When it stops working by itself, if ever.
    pub expires_at: Option<OffsetDateTime>,
    /// Who granted it, as the audit trail names them.
    pub granted_by: String,
    /// When.
    pub granted_at: OffsetDateTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
}

impl Grant {
    /// Whether it works at `now`: not revoked and not expired. Expiry is judged when the grant
    /// is used, so no job has to run for an expired grant to stop working.
    #[must_use]
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| now < at)
    }
}

/// Some permissions over one data scope: what one grant or one token gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// The permissions.
    pub permissions: PermissionSet,
    /// Where they apply.
    pub scope: DataScope,
}

/// Everything a caller may do, and where.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rights(Vec<Allowance>);

impl Rights {
    /// Rights made of `allowances`.
    #[must_use]
    pub fn new(allowances: Vec<Allowance>) -> Self {
        Self(allowances)
    }

    /// The rights of a person's grants that are live at `now`.
    #[must_use]
    pub fn of_grants<'a>(grants: impl IntoIterator<Item = &'a Grant>, now: OffsetDateTime) -> Self {
        Self(
            grants
                .into_iter()
                .filter(|g| g.is_live(now))
                .map(|g| Allowance {
                    permissions: g.role.permissions(),
                    scope: g.scope.clone(),
                })
                .collect(),
        )
    }

    /// Every permission held anywhere.
    #[must_use]
    pub fn permissions(&self) -> PermissionSet {
        self.0
            .iter()
            .fold(PermissionSet::EMPTY, |all, a| all.union(a.permissions))
    }

    /// Whether `permission` is held anywhere.
    #[must_use]
    pub fn allows(&self, permission: Permission) -> bool {
        self.0.iter().any(|a| a.permissions.contains(permission))
    }

    /// The records `permission` may be used on: the union of the scopes of the allowances that
    /// carry it (nothing when none does).
    #[must_use]
    pub fn scope_for(&self, permission: Permission) -> RecordScope {
        RecordScope::any_of(
            self.0
                .iter()
                .filter(|a| a.permissions.contains(permission))
                .map(|a| a.scope.clone()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::scope::Selection;

    fn grant(role: BuiltinRole, scope: DataScope, expires_at: Option<OffsetDateTime>) -> Grant {
        Grant {
            id: "g".to_owned(),
            user_id: "u".to_owned(),
            role,
            scope,
            expires_at,
            granted_by: "cli".to_owned(),
            granted_at: OffsetDateTime::UNIX_EPOCH,
            revoked_at: None,
        }
    }

    #[test]
    fn a_grant_stops_working_at_its_expiry_and_when_revoked() {
        let now = OffsetDateTime::now_utc();
        let hour = time::Duration::hours(1);
        let mut g = grant(
            BuiltinRole::Reader,
            DataScope::everything(),
            Some(now + hour),
        );
        assert!(g.is_live(now));
        assert!(!g.is_live(now + hour), "expiry is exclusive");
        g.expires_at = None;
        assert!(g.is_live(now + hour * 1000));
        g.revoked_at = Some(now);
        assert!(!g.is_live(now));
    }

    #[test]
    fn an_expired_grant_gives_nothing_and_scopes_follow_the_permission() {
        let now = OffsetDateTime::now_utc();
        let z001 = DataScope {
            fonds: Selection::only(["Z001".parse().unwrap_or_else(|e| panic!("{e:?}"))]),
            ..DataScope::everything()
        };
        let grants = [
            grant(BuiltinRole::Reader, DataScope::everything(), Some(now)),
            grant(BuiltinRole::Archivist, z001.clone(), None),
        ];
        let rights = Rights::of_grants(&grants, now);
        assert!(rights.allows(Permission::RecordArchive));
        assert_eq!(rights.scope_for(Permission::RecordRead).scopes(), &[z001]);
        assert!(!rights.allows(Permission::AuditRead));
        assert_eq!(
            rights.scope_for(Permission::AuditRead),
            RecordScope::nothing()
        );
    }
}
