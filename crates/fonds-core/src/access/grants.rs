//! Granting and revoking roles, with the three-officer separation enforced before the store's
//! own trigger is reached: an officer's role is held alone, officers' roles are appointed only
//! at the server's console, and every grant, revocation and refusal is audited.

use fonds_domain::access::{BuiltinRole, DataScope, Grant, SecrecyLevel};
use time::OffsetDateTime;

use crate::error::{CoreError, ErrorCode};
use crate::{Actor, Archive};

/// Who is granting: the console of the server's machine (`fonds grant`), which alone appoints
/// the three officers, or the security officer over the API, who grants business roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    /// `fonds grant` / `fonds revoke` on the server's machine.
    Console,
    /// A security officer (系统安全保密员) through the API.
    SecurityOfficer,
}

/// A role to give a person.
#[derive(Debug, Clone)]
pub struct GrantRequest {
    /// The person's login name.
    pub login: String,
    /// The role.
    pub role: BuiltinRole,
    /// The records it reaches.
    pub scope: DataScope,
    /// When it stops working by itself, if ever.
    pub expires_at: Option<OffsetDateTime>,
}

/// A grant with the login name of its holder.
#[derive(Debug, Clone)]
pub struct GrantListing {
    /// The grant.
    pub grant: Grant,
    /// Its holder's login name.
    pub login: String,
}

fn refused(code: ErrorCode, detail: String) -> CoreError {
    CoreError::new(code, detail)
}

impl Archive {
    /// Gives a person a role over a data scope.
    ///
    /// # Errors
    /// `request_invalid` for an unknown login, an expiry in the past or a scope naming an
    /// unknown department; `fonds_not_found`; `permission_denied` when the security officer
    /// tries to appoint an officer (officers are appointed at the console); `officer_separation`
    /// when the person would hold an officer's role beside another role; a store failure.
    pub async fn grant(
        &self,
        request: &GrantRequest,
        authority: Authority,
        by: &Actor,
    ) -> Result<Grant, CoreError> {
        let now = OffsetDateTime::now_utc();
        let user = self.user_or_404(&request.login).await?;
        if request.role.officer().is_some() && authority != Authority::Console {
            self.record_refusal(
                by,
                fonds_domain::access::Permission::RolesManage,
                "grant officer",
            )
            .await?;
            return Err(refused(
                ErrorCode::PermissionDenied,
                format!(
                    "{} is an officer's role: officers are appointed only at the server's \
                     console with `fonds grant --role {}`",
                    request.role.name_zh(),
                    request.role.code()
                ),
            ));
        }
        if request.expires_at.is_some_and(|at| at <= now) {
            return Err(refused(
                ErrorCode::RequestInvalid,
                "the expiry lies in the past; give a later date, or none".to_owned(),
            ));
        }
        self.check_scope(&request.scope).await?;
        let held = self.metadata.unrevoked_grants(&user.id).await?;
        if let Some(conflict) = held.iter().find(|g| !g.role.combines_with(request.role)) {
            let mut event = fonds_store::NewAuditEvent::success(
                by,
                crate::audit::actions::GRANT_REFUSED,
                Some(("user", user.id.clone())),
                serde_json::json!({
                    "role": request.role.code(),
                    "held": conflict.role.code(),
                    "reason": "three_officer_separation",
                }),
            )
            .at(now);
            event.outcome = crate::audit::AuditOutcome::Refused;
            self.metadata.append_audit_event(&event).await?;
            return Err(refused(
                ErrorCode::OfficerSeparation,
                format!(
                    "三员分立: {} already holds {} ({}), and an officer's role is held alone; \
                     revoke grant {} first, or choose another person",
                    user.login,
                    conflict.role.name_zh(),
                    conflict.role.code(),
                    conflict.id
                ),
            ));
        }
        let grant = new_grant(request, &user.id, by, now);
        self.metadata.insert_grant(&grant, by).await?;
        tracing::info!(grant = %grant.id, login = %user.login, role = %grant.role, "role granted");
        Ok(grant)
    }

    async fn check_scope(&self, scope: &DataScope) -> Result<(), CoreError> {
        if let Some(fonds) = scope.fonds.listed() {
            for code in fonds {
                self.fonds_or_404(code).await?;
            }
        }
        if let Some(departments) = scope.departments.listed() {
            let known = self.metadata.departments(None).await?;
            for wanted in departments {
                if !known
                    .iter()
                    .any(|d| d.fonds == wanted.fonds && d.code == wanted.code)
                {
                    return Err(refused(
                        ErrorCode::DepartmentNotFound,
                        format!(
                            "there is no department {wanted}; `fonds department list` lists them"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Revokes a grant. Only the console revokes an officer's role.
    ///
    /// # Errors
    /// `grant_not_found` for an unknown or already revoked grant; `permission_denied` for an
    /// officer's grant revoked through the API; a store failure.
    pub async fn revoke_grant(
        &self,
        id: &str,
        authority: Authority,
        by: &Actor,
    ) -> Result<Grant, CoreError> {
        let not_found = || {
            refused(
                ErrorCode::GrantNotFound,
                format!("there is no live grant {id}; `fonds grants` lists them"),
            )
        };
        let grant = self
            .metadata
            .grant(id)
            .await?
            .filter(|g| g.revoked_at.is_none())
            .ok_or_else(not_found)?;
        if grant.role.officer().is_some() && authority != Authority::Console {
            self.record_refusal(
                by,
                fonds_domain::access::Permission::RolesManage,
                "revoke officer",
            )
            .await?;
            return Err(refused(
                ErrorCode::PermissionDenied,
                format!(
                    "{} is an officer's role: it is revoked only at the server's console with \
                     `fonds revoke {id}`",
                    grant.role.name_zh()
                ),
            ));
        }
        if !self
            .metadata
            .revoke_grant(id, OffsetDateTime::now_utc(), by)
            .await?
        {
            return Err(not_found());
        }
        tracing::info!(grant = %id, role = %grant.role, "grant revoked");
        Ok(grant)
    }

    /// Every grant, of one person or of all, revoked and expired ones too, newest first.
    ///
    /// # Errors
    /// `request_invalid` for an unknown login; a store failure.
    pub async fn grants(&self, login: Option<&str>) -> Result<Vec<GrantListing>, CoreError> {
        let users = self.metadata.users().await?;
        let user_id = match login {
            Some(login) => Some(self.user_or_404(login).await?.id),
            None => None,
        };
        let grants = self.metadata.grants(user_id.as_deref()).await?;
        Ok(grants
            .into_iter()
            .map(|grant| GrantListing {
                login: users
                    .iter()
                    .find(|u| u.id == grant.user_id)
                    .map_or_else(|| grant.user_id.clone(), |u| u.login.clone()),
                grant,
            })
            .collect())
    }
}

fn new_grant(request: &GrantRequest, user_id: &str, by: &Actor, now: OffsetDateTime) -> Grant {
    Grant {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user_id.to_owned(),
        role: request.role,
        scope: request.scope.clone(),
        expires_at: request.expires_at,
        granted_by: by.name.clone(),
        granted_at: now,
        revoked_at: None,
    }
}

/// The scope a grant has when none is given: every record up to 内部. Officers' grants need no
/// scope (their permissions reach no records), so theirs is every record.
#[must_use]
pub fn default_scope(role: BuiltinRole) -> DataScope {
    if role.officer().is_some() {
        DataScope::everything()
    } else {
        DataScope {
            highest_secrecy: SecrecyLevel::Internal,
            ..DataScope::everything()
        }
    }
}
