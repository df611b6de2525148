//! The one place a route states and checks the permission it needs: a handler takes
//! [`Allowed<P>`], where `P` is one of the zero-sized markers of [`perm`]. The extractor resolves
//! whoever calls — a signed client system, an API token, a person's session (with its CSRF
//! token on changes) — into a [`fonds_core::access::Access`], refuses with 403
//! `permission_denied` (appending the refusal to the audit trail) unless `P`'s permission is
//! held, and hands the handler the data scope of that permission, which the queries apply.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::header;
use axum::http::request::Parts;
use fonds_core::access::Access;
use fonds_core::{Actor, ErrorCode};
use fonds_domain::access::{Permission, RecordScope};

use crate::AppState;
use crate::auth::{Authenticated, SignedIn, session_cookie};
use crate::problem::ApiError;
use crate::signature::SignedClient;

/// A permission a route can demand, as a type.
pub(crate) trait Need: Send + Sync + 'static {
    /// The permission.
    const PERMISSION: Permission;
}

/// The markers, one per permission of the catalogue.
#[allow(
    dead_code,
    reason = "markers of the catalogue whose routes are still to come (viewing, borrowing, \
              transfer, appraisal, destruction, backups)"
)]
pub(crate) mod perm {
    use fonds_domain::access::Permission;

    use super::Need;

    macro_rules! markers {
        ($($name:ident),* $(,)?) => {
            $(
                #[doc = concat!("Demands [`Permission::", stringify!($name), "`].")]
                #[derive(Debug, Clone, Copy)]
                pub(crate) struct $name;

                impl Need for $name {
                    const PERMISSION: Permission = Permission::$name;
                }
            )*
        };
    }

    markers!(
        RecordRead,
        FileRead,
        FileDownload,
        FilePrint,
        RecordSubmit,
        RecordArchive,
        RecordCorrect,
        BorrowRequest,
        BorrowApprove,
        RecordTransfer,
        RecordAppraise,
        RecordDestroy,
        UsersManage,
        RolesManage,
        AuditRead,
        SystemConfigure,
        BackupsRun,
        ClientsManage,
    );
}

/// A caller allowed `P`'s permission.
pub(crate) struct Allowed<P: Need> {
    access: Access,
    client: Option<SignedClient>,
    need: PhantomData<P>,
}

impl<P: Need> std::fmt::Debug for Allowed<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Allowed")
            .field("permission", &P::PERMISSION)
            .field("actor", &self.access.actor.name)
            .finish_non_exhaustive()
    }
}

impl<P: Need> Allowed<P> {
    /// The caller and its rights.
    pub(crate) fn access(&self) -> &Access {
        &self.access
    }

    /// The caller as the audit trail names it.
    pub(crate) fn actor(&self) -> &Actor {
        &self.access.actor
    }

    /// The records this route's permission may be used on.
    pub(crate) fn scope(&self) -> RecordScope {
        self.access.scope_for(P::PERMISSION)
    }

    /// The client system, when a signed client calls.
    pub(crate) fn client(&self) -> Option<&SignedClient> {
        self.client.as_ref()
    }

    /// Refuses (and audits the refusal) unless the caller also holds `permission`: for the few
    /// routes where acting for someone other than oneself needs more than the route's own
    /// permission (a script registering a webhook for a client system).
    pub(crate) async fn also(
        &self,
        state: &AppState,
        permission: Permission,
        what: &str,
    ) -> Result<(), ApiError> {
        refuse_unless(state, &self.access, permission, what).await
    }
}

/// Refuses with `permission_denied`, appended to the audit trail, unless `access` holds
/// `permission`.
// LIMITATION: every refusal of a known caller is one audit event; a signed-in person or a token
// could grow the trail by calling routes it may not use. Only failed signatures are rate
// limited today; refused permissions are not (the events at least name who did it).
async fn refuse_unless(
    state: &AppState,
    access: &Access,
    permission: Permission,
    what: &str,
) -> Result<(), ApiError> {
    let Err(refusal) = access.require(permission) else {
        return Ok(());
    };
    if let Err(e) = state
        .archive
        .record_refusal(&access.actor, permission, what)
        .await
    {
        // The refusal stands either way; an unrecorded one must reach an operator.
        tracing::error!(error = %e, "a refused request could not be audited");
        return Err(ApiError::new(
            ErrorCode::Internal,
            "the refusal could not be recorded",
        ));
    }
    Err(refusal.into())
}

/// Who calls, resolved: a signed client wins, then a bearer token, then a session cookie.
async fn resolve(
    parts: &mut Parts,
    state: &AppState,
) -> Result<(Access, Option<SignedClient>), ApiError> {
    if let Some(client) = parts.extensions.get::<SignedClient>().cloned() {
        let actor = Actor::client(client.principal.id.as_str()).from_address(client.address);
        return Ok((
            Access::client(client.principal.clone(), actor),
            Some(client),
        ));
    }
    if !parts.headers.contains_key(header::AUTHORIZATION) && session_cookie(parts).is_some() {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        let actor = signed_in.actor();
        return Ok((Access::of_session(signed_in.session, actor), None));
    }
    let token = Authenticated::from_request_parts(parts, state).await?;
    let access = Access::new(
        token.actor(),
        fonds_core::access::Caller::Token(token.principal.label.clone()),
        token.principal.rights,
    );
    Ok((access, None))
}

impl<P: Need> FromRequestParts<AppState> for Allowed<P> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (access, client) = resolve(parts, state).await?;
        if !access.allows(P::PERMISSION) {
            let route = parts
                .extensions
                .get::<MatchedPath>()
                .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
            let what = format!("{} {route}", parts.method);
            refuse_unless(state, &access, P::PERMISSION, &what).await?;
        }
        Ok(Self {
            access,
            client,
            need: PhantomData,
        })
    }
}
