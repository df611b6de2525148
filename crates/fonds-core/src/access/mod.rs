//! Authorisation (docs/people.md): who the caller is and what it may do where. Every caller —
//! a person's session, an API token, a client system — is resolved into one [`Access`]: its
//! permissions and the data scope of each. Transports ask [`Access::require`] before acting and
//! pass [`Access::scope_for`] down to the queries, which apply it inside their SQL.

mod departments;
mod grants;
mod review;
mod spec;

use fonds_domain::access::{
    Allowance, DataScope, Officer, Permission, PermissionSet, RecordScope, Rights, SecrecyLevel,
    Selection,
};
use time::OffsetDateTime;

pub use departments::Department;
pub use fonds_domain::access::RecordScope as Scope;
pub use fonds_store::access::PermissionReviewRow;
pub use grants::{Authority, GrantListing, GrantRequest, default_scope};
pub use review::{MAX_REVIEW_NOTE_CHARS, PermissionReport, PersonUnderReview, ReviewSettings};
pub use spec::{ScopeSpec, parse_expiry};

use crate::clients::ClientPrincipal;
use crate::error::{CoreError, ErrorCode};
use crate::people::SessionUser;
use crate::{Actor, Archive};

/// What a client system may do: submit into its fonds and kinds and read back what lies there
/// (up to 内部), as it did before roles existed.
pub const CLIENT_PERMISSIONS: PermissionSet =
    PermissionSet::of(&[Permission::RecordSubmit, Permission::RecordRead]);

/// The permissions of the token `fonds init` prints (and of `fonds token` without
/// `--permission`): every business permission and the system administrator's operational ones,
/// but never managing accounts, granting roles or reading the audit trail, which belong to the
/// people holding those offices.
pub const OPERATIONAL_PERMISSIONS: PermissionSet = PermissionSet::of(&[
    Permission::RecordRead,
    Permission::FileRead,
    Permission::FileDownload,
    Permission::FilePrint,
    Permission::RecordSubmit,
    Permission::RecordArchive,
    Permission::RecordCorrect,
    Permission::BorrowRequest,
    Permission::BorrowApprove,
    Permission::RecordTransfer,
    Permission::RecordAppraise,
    Permission::RecordDestroy,
    Permission::SystemConfigure,
    Permission::BackupsRun,
    Permission::ClientsManage,
]);

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A script with an API token, by the token's label.
    Token(String),
    /// A client system.
    Client(ClientPrincipal),
    /// A person with a session.
    Person(Box<SessionUser>),
}

/// A caller with its rights, resolved once per request.
#[derive(Debug, Clone)]
pub struct Access {
    /// Who, as the audit trail names them (with the address they called from).
    pub actor: Actor,
    /// Who, as the archive knows them.
    pub caller: Caller,
    rights: Rights,
}

impl Access {
    /// A caller with `rights`.
    #[must_use]
    pub fn new(actor: Actor, caller: Caller, rights: Rights) -> Self {
        Self {
            actor,
            caller,
            rights,
        }
    }

    /// A client system: [`CLIENT_PERMISSIONS`] over its fonds and kinds, up to 内部.
    #[must_use]
    pub fn client(client: ClientPrincipal, actor: Actor) -> Self {
        let scope = DataScope {
            fonds: Selection::only(client.fonds.iter().cloned()),
            departments: Selection::All,
            kinds: Selection::only(client.kinds.iter().copied()),
            fiscal_years: None,
            highest_secrecy: SecrecyLevel::Internal,
        };
        // A client with no fonds reaches nothing: `Selection::only` of nothing would be all.
        let permissions = if client.fonds.is_empty() {
            PermissionSet::EMPTY
        } else {
            CLIENT_PERMISSIONS
        };
        Self::new(
            actor,
            Caller::Client(client),
            Rights::new(vec![Allowance { permissions, scope }]),
        )
    }

    /// Every permission the caller holds somewhere.
    #[must_use]
    pub fn permissions(&self) -> PermissionSet {
        self.rights.permissions()
    }

    /// Whether the caller holds `permission` anywhere.
    #[must_use]
    pub fn allows(&self, permission: Permission) -> bool {
        self.rights.allows(permission)
    }

    /// The records `permission` may be used on.
    #[must_use]
    pub fn scope_for(&self, permission: Permission) -> RecordScope {
        self.rights.scope_for(permission)
    }

    /// The client system calling, if it is one.
    #[must_use]
    pub fn client_principal(&self) -> Option<&ClientPrincipal> {
        match &self.caller {
            Caller::Client(client) => Some(client),
            _ => None,
        }
    }

    /// Refuses unless the caller holds `permission`.
    ///
    /// # Errors
    /// `permission_denied`, naming the permission.
    pub fn require(&self, permission: Permission) -> Result<(), CoreError> {
        if self.allows(permission) {
            Ok(())
        } else {
            Err(permission_denied(permission))
        }
    }
}

/// The refusal of an action whose permission the caller lacks.
#[must_use]
pub fn permission_denied(permission: Permission) -> CoreError {
    CoreError::new(
        ErrorCode::PermissionDenied,
        format!(
            "this needs the permission {} ({}), which none of your roles includes; ask the \
             security officer (系统安全保密员) for a grant",
            permission.code(),
            permission.name_zh()
        ),
    )
}

impl Access {
    /// The rights of a person with a live session: their grants (read with the session) that
    /// are live now — expiry is judged here, at the moment of use.
    #[must_use]
    pub fn of_session(session: SessionUser, actor: Actor) -> Self {
        let rights = Rights::of_grants(&session.grants, OffsetDateTime::now_utc());
        Self::new(actor, Caller::Person(Box::new(session)), rights)
    }
}

impl Archive {
    /// Appends a refused attempt to the audit trail: `who` tried something that needs
    /// `permission` on `what` (a route template, a command).
    ///
    /// # Errors
    /// When the store fails.
    pub async fn record_refusal(
        &self,
        who: &Actor,
        permission: Permission,
        what: &str,
    ) -> Result<(), CoreError> {
        let mut event = fonds_store::NewAuditEvent::success(
            who,
            crate::audit::actions::ACCESS_REFUSED,
            None,
            serde_json::json!({ "permission": permission.code(), "action": what }),
        );
        event.outcome = crate::audit::AuditOutcome::Refused;
        self.metadata.append_audit_event(&event).await?;
        Ok(())
    }

    /// The officer a person is now, if any (their live grants of an officer's role). For rules
    /// that treat officers apart, such as requiring a second factor of them.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn is_officer(&self, user_id: &str) -> Result<Option<Officer>, CoreError> {
        let now = OffsetDateTime::now_utc();
        Ok(self
            .metadata
            .unrevoked_grants(user_id)
            .await?
            .into_iter()
            .filter(|g| g.is_live(now))
            .find_map(|g| g.role.officer()))
    }
}
