//! Grants on a real archive: the three-officer separation at the console and for the security
//! officer, expiry judged at the moment of use, departments checked when a grant names them,
//! and who is an officer.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use fonds_core::access::{Authority, GrantRequest, default_scope};
use fonds_core::{Actor, Archive, ErrorCode};
use fonds_domain::access::{BuiltinRole, DataScope, Officer, Permission, Selection};

const PASSWORD: &str = "Blue-Kettle-42-River";

async fn person(archive: &Archive, login: &str) {
    archive
        .create_user(login, login, PASSWORD, &Actor::cli())
        .await
        .expect("user");
}

fn request(login: &str, role: BuiltinRole) -> GrantRequest {
    GrantRequest {
        login: login.to_owned(),
        role,
        scope: default_scope(role),
        expires_at: None,
    }
}

async fn session_rights(archive: &Archive, login: &str) -> fonds_core::access::Access {
    let new = archive
        .login(login, PASSWORD, None, None)
        .await
        .expect("login");
    let session = archive.session(&new.secret).await.expect("session");
    fonds_core::access::Access::of_session(session, Actor::user(login))
}

#[tokio::test]
async fn no_person_holds_an_officers_role_beside_another_and_refusals_are_audited() {
    let data = tempfile::tempdir().expect("data");
    let archive = common::archive_with_fonds(data.path()).await;
    person(&archive, "wang").await;
    archive
        .grant(
            &request("wang", BuiltinRole::SystemAdministrator),
            Authority::Console,
            &Actor::cli(),
        )
        .await
        .expect("appoint");
    for other in [
        BuiltinRole::SecurityOfficer,
        BuiltinRole::SecurityAuditor,
        BuiltinRole::Archivist,
    ] {
        let refused = archive
            .grant(&request("wang", other), Authority::Console, &Actor::cli())
            .await
            .expect_err("a second role for an officer");
        assert_eq!(refused.code, ErrorCode::OfficerSeparation, "{other}");
    }
    person(&archive, "li").await;
    archive
        .grant(
            &request("li", BuiltinRole::Reader),
            Authority::Console,
            &Actor::cli(),
        )
        .await
        .expect("reader");
    let refused = archive
        .grant(
            &request("li", BuiltinRole::SecurityAuditor),
            Authority::Console,
            &Actor::cli(),
        )
        .await
        .expect_err("an officer who does business work");
    assert_eq!(refused.code, ErrorCode::OfficerSeparation);
    let trail = archive.audit_events_after(0, 1000).await.expect("trail");
    assert_eq!(
        trail
            .iter()
            .filter(|e| e.action == "grant.refused" && e.outcome == "refused")
            .count(),
        4
    );
    let users = archive.users().await.expect("users");
    let id = |login: &str| {
        users
            .iter()
            .find(|u| u.login == login)
            .expect("user")
            .id
            .clone()
    };
    assert_eq!(
        archive.is_officer(&id("wang")).await.expect("officer"),
        Some(Officer::SystemAdministrator)
    );
    assert_eq!(archive.is_officer(&id("li")).await.expect("officer"), None);
}

#[tokio::test]
async fn the_security_officer_grants_business_roles_only() {
    let data = tempfile::tempdir().expect("data");
    let archive = common::archive_with_fonds(data.path()).await;
    person(&archive, "zhao").await;
    let by = Actor::user("secoff");
    let refused = archive
        .grant(
            &request("zhao", BuiltinRole::SecurityAuditor),
            Authority::SecurityOfficer,
            &by,
        )
        .await
        .expect_err("an officer appointed over the API");
    assert_eq!(refused.code, ErrorCode::PermissionDenied);
    let grant = archive
        .grant(
            &request("zhao", BuiltinRole::Accountant),
            Authority::SecurityOfficer,
            &by,
        )
        .await
        .expect("accountant");
    assert_eq!(grant.granted_by, "user secoff");
    archive
        .revoke_grant(&grant.id, Authority::SecurityOfficer, &by)
        .await
        .expect("revoke");
    let again = archive
        .revoke_grant(&grant.id, Authority::SecurityOfficer, &by)
        .await
        .expect_err("revoked twice");
    assert_eq!(again.code, ErrorCode::GrantNotFound);
}

#[tokio::test]
async fn an_expired_grant_gives_nothing_at_the_next_use() {
    let data = tempfile::tempdir().expect("data");
    let archive = common::archive_with_fonds(data.path()).await;
    person(&archive, "sun").await;
    let mut asked = request("sun", BuiltinRole::Reader);
    asked.expires_at = Some(time::OffsetDateTime::now_utc() + time::Duration::seconds(1));
    archive
        .grant(&asked, Authority::Console, &Actor::cli())
        .await
        .expect("grant");
    let before = session_rights(&archive, "sun").await;
    assert!(before.allows(Permission::RecordRead));
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let after = session_rights(&archive, "sun").await;
    assert!(!after.allows(Permission::RecordRead));
    assert!(after.scope_for(Permission::RecordRead).scopes().is_empty());
    // An expiry in the past is refused when granting.
    asked.expires_at = Some(time::OffsetDateTime::now_utc() - time::Duration::seconds(1));
    let refused = archive
        .grant(&asked, Authority::Console, &Actor::cli())
        .await
        .expect_err("an expiry in the past");
    assert_eq!(refused.code, ErrorCode::RequestInvalid);
}

#[tokio::test]
async fn a_grant_naming_an_unknown_department_or_fonds_is_refused() {
    let data = tempfile::tempdir().expect("data");
    let archive = common::archive_with_fonds(data.path()).await;
    person(&archive, "qian").await;
    let fonds = "Z001".parse().expect("fonds");
    archive
        .add_department(
            &fonds,
            "FIN".parse().expect("code"),
            "财务部",
            None,
            &Actor::cli(),
        )
        .await
        .expect("FIN");
    let mut asked = request("qian", BuiltinRole::Reader);
    asked.scope = DataScope {
        departments: Selection::only(["Z001/HR".parse().expect("dept")]),
        ..DataScope::everything()
    };
    let refused = archive
        .grant(&asked, Authority::Console, &Actor::cli())
        .await
        .expect_err("unknown department");
    assert_eq!(refused.code, ErrorCode::DepartmentNotFound);
    asked.scope = DataScope {
        fonds: Selection::only(["Z999".parse().expect("fonds")]),
        ..DataScope::everything()
    };
    let refused = archive
        .grant(&asked, Authority::Console, &Actor::cli())
        .await
        .expect_err("unknown fonds");
    assert_eq!(refused.code, ErrorCode::FondsNotFound);
    asked.scope = DataScope {
        departments: Selection::only(["Z001/FIN".parse().expect("dept")]),
        ..DataScope::everything()
    };
    archive
        .grant(&asked, Authority::Console, &Actor::cli())
        .await
        .expect("FIN grant");
}
