//! Store tests of departments, grants and data scope: the scope's SQL reaches exactly what
//! fonds-domain's `DataScope::covers` says, and the database itself holds the three-officer
//! separation and keeps grants from being deleted or rewritten.

use fonds_domain::access::{
    BuiltinRole, DataScope, DepartmentRef, Grant, RecordFacts, RecordScope, SecrecyLevel,
    Selection, YearRange,
};
use fonds_domain::{FiscalYear, RecordKind};
use time::OffsetDateTime;

use super::tests::{cli, fonds, store_with, voucher};
use crate::access::NewDepartment;
use crate::error::StoreError;
use crate::metadata::{MetadataStore, NewRecord, RecordFilter};
use crate::people::NewUser;

fn department(code: &str, parent: Option<&str>) -> NewDepartment {
    NewDepartment {
        fonds: fonds().code,
        code: code.parse().expect("code"),
        name: format!("部门 {code}"),
        parent: parent.map(|p| p.parse().expect("parent")),
        created_at: OffsetDateTime::now_utc(),
    }
}

fn placed(mut record: NewRecord, department: Option<&str>, secrecy: SecrecyLevel) -> NewRecord {
    record.department = department.map(|d| d.parse().expect("department"));
    record.secrecy = secrecy;
    record
}

fn dept(text: &str) -> DepartmentRef {
    text.parse().expect("department")
}

async fn user(store: &super::SqliteStore, login: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    store
        .insert_user(
            &NewUser {
                id: id.clone(),
                login: login.to_owned(),
                display_name: login.to_owned(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
                created_at: OffsetDateTime::now_utc(),
            },
            &cli(),
        )
        .await
        .expect("user");
    id
}

fn grant(user_id: &str, role: BuiltinRole) -> Grant {
    Grant {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user_id.to_owned(),
        role,
        scope: DataScope::everything(),
        expires_at: None,
        granted_by: "cli".to_owned(),
        granted_at: OffsetDateTime::now_utc(),
        revoked_at: None,
    }
}

#[tokio::test]
async fn the_scope_sql_reaches_exactly_what_the_domain_rule_covers() {
    let records = vec![
        placed(voucher(1, 1), None, SecrecyLevel::Internal),
        placed(voucher(1, 2), Some("FIN"), SecrecyLevel::Public),
        placed(voucher(1, 3), Some("FIN-AP"), SecrecyLevel::Internal),
        placed(voucher(1, 4), Some("FIN-AP"), SecrecyLevel::Secret),
        placed(voucher(1, 5), Some("HR"), SecrecyLevel::Confidential),
    ];
    // The departments must exist before records name them; the store does not check that (the
    // pipeline does), so add the tree to a store created with the records.
    let (_dir, store) = store_with(records.clone()).await;
    store
        .insert_department(&department("FIN", None), &cli())
        .await
        .expect("FIN");
    store
        .insert_department(&department("FIN-AP", Some("FIN")), &cli())
        .await
        .expect("FIN-AP");
    store
        .insert_department(&department("HR", None), &cli())
        .await
        .expect("HR");
    let path_of = |code: Option<&str>| -> Vec<DepartmentRef> {
        match code {
            None => Vec::new(),
            Some("FIN-AP") => vec![dept("Z001/FIN-AP"), dept("Z001/FIN")],
            Some(other) => vec![dept(&format!("Z001/{other}"))],
        }
    };
    let year = |y| FiscalYear::new(y).expect("year");
    let scopes = [
        DataScope::everything(),
        DataScope {
            departments: Selection::only([dept("Z001/FIN")]),
            ..DataScope::everything()
        },
        DataScope {
            departments: Selection::only([dept("Z001/FIN-AP"), dept("Z001/HR")]),
            highest_secrecy: SecrecyLevel::Internal,
            ..DataScope::everything()
        },
        DataScope {
            highest_secrecy: SecrecyLevel::Public,
            ..DataScope::everything()
        },
        DataScope {
            kinds: Selection::only([RecordKind::GeneralLedger]),
            ..DataScope::everything()
        },
        DataScope {
            fiscal_years: Some(YearRange::new(year(2024), year(2025)).expect("range")),
            ..DataScope::everything()
        },
        DataScope {
            fonds: Selection::only(["Z002".parse().expect("fonds")]),
            ..DataScope::everything()
        },
    ];
    let fonds_code = fonds().code;
    for scope in scopes {
        let scope = RecordScope::any_of([scope]);
        let page = store
            .records(&RecordFilter::default(), &scope, None, 100)
            .await
            .expect("records");
        let mut found: Vec<_> = page.items.iter().map(|r| r.id).collect();
        found.sort();
        let mut expected: Vec<_> = records
            .iter()
            .filter(|r| {
                let path = path_of(r.department.as_ref().map(|d| d.as_str()));
                scope.covers(&RecordFacts {
                    fonds: &fonds_code,
                    department_path: &path,
                    kind: r.classification.kind,
                    fiscal_year: r.classification.fiscal_year,
                    secrecy: r.secrecy,
                })
            })
            .map(|r| r.id)
            .collect();
        expected.sort();
        assert_eq!(found, expected, "{scope:?}");
        for record in &records {
            let one = store.record_in(record.id, &scope).await.expect("record");
            assert_eq!(one.is_some(), expected.contains(&record.id), "{scope:?}");
        }
    }
    let none = store
        .records(&RecordFilter::default(), &RecordScope::nothing(), None, 100)
        .await
        .expect("records");
    assert!(none.items.is_empty(), "no scope reaches nothing");
}

#[tokio::test]
async fn the_database_refuses_an_officer_role_beside_any_other() {
    let (_dir, store) = store_with(Vec::new()).await;
    let alice = user(&store, "alice").await;
    store
        .insert_grant(&grant(&alice, BuiltinRole::SystemAdministrator), &cli())
        .await
        .expect("first officer role");
    for second in [
        BuiltinRole::SecurityAuditor,
        BuiltinRole::Reader,
        BuiltinRole::SystemAdministrator,
    ] {
        let refused = store.insert_grant(&grant(&alice, second), &cli()).await;
        assert!(
            matches!(refused, Err(StoreError::OfficerSeparation(_))),
            "{second}: {refused:?}"
        );
    }
    let bob = user(&store, "bob").await;
    store
        .insert_grant(&grant(&bob, BuiltinRole::Reader), &cli())
        .await
        .expect("reader");
    store
        .insert_grant(&grant(&bob, BuiltinRole::Accountant), &cli())
        .await
        .expect("accountant");
    let refused = store
        .insert_grant(&grant(&bob, BuiltinRole::SecurityOfficer), &cli())
        .await;
    assert!(matches!(refused, Err(StoreError::OfficerSeparation(_))));
    let trail = store.audit_events_after(0, 1000).await.expect("trail");
    let refusals = trail
        .iter()
        .filter(|e| e.action == "grant.refused" && e.outcome == "refused")
        .count();
    assert_eq!(refusals, 4, "every refused grant is audited");
}

#[tokio::test]
async fn a_grant_is_never_deleted_or_rewritten_only_revoked_once() {
    let (_dir, store) = store_with(Vec::new()).await;
    let carol = user(&store, "carol").await;
    let g = grant(&carol, BuiltinRole::Reader);
    store.insert_grant(&g, &cli()).await.expect("grant");
    let delete = sqlx::query("DELETE FROM grants WHERE id = $1")
        .bind(&g.id)
        .execute(&store.writer)
        .await;
    assert!(delete.is_err(), "deleted a grant");
    let widen = sqlx::query("UPDATE grants SET role = 'archivist' WHERE id = $1")
        .bind(&g.id)
        .execute(&store.writer)
        .await;
    assert!(widen.is_err(), "rewrote a grant");
    let now = OffsetDateTime::now_utc();
    assert!(
        store
            .revoke_grant(&g.id, now, &cli())
            .await
            .expect("revoke")
    );
    assert!(!store.revoke_grant(&g.id, now, &cli()).await.expect("again"));
    assert!(
        store
            .unrevoked_grants(&carol)
            .await
            .expect("grants")
            .is_empty()
    );
    let stored = store.grant(&g.id).await.expect("grant").expect("kept");
    assert!(stored.revoked_at.is_some());
}

#[tokio::test]
async fn the_built_in_roles_in_the_database_are_the_ones_the_domain_defines() {
    let (_dir, store) = store_with(Vec::new()).await;
    for role in BuiltinRole::ALL {
        let stored: Vec<String> = sqlx::query_scalar(
            "SELECT permission FROM role_permissions WHERE role = $1 ORDER BY permission",
        )
        .bind(role.code())
        .fetch_all(&store.reader)
        .await
        .expect("permissions");
        let mut defined: Vec<String> = role
            .permissions()
            .iter()
            .map(|p| p.code().to_owned())
            .collect();
        defined.sort();
        assert_eq!(stored, defined, "{role}");
        let (name, officer): (String, Option<String>) =
            sqlx::query_as("SELECT name, officer FROM roles WHERE code = $1")
                .bind(role.code())
                .fetch_one(&store.reader)
                .await
                .expect("role");
        assert_eq!(name, role.name_zh());
        assert_eq!(officer.is_some(), role.officer().is_some(), "{role}");
    }
}

#[tokio::test]
async fn a_department_joins_under_a_known_parent_and_its_code_is_unique_in_the_fonds() {
    let (_dir, store) = store_with(Vec::new()).await;
    store
        .insert_department(&department("FIN", None), &cli())
        .await
        .expect("FIN");
    store
        .insert_department(&department("FIN-AP", Some("FIN")), &cli())
        .await
        .expect("FIN-AP");
    let again = store
        .insert_department(&department("FIN", None), &cli())
        .await;
    assert!(matches!(again, Err(StoreError::DepartmentTaken(..))));
    let orphan = store
        .insert_department(&department("X", Some("NOPE")), &cli())
        .await;
    assert!(matches!(orphan, Err(StoreError::DepartmentNotFound(..))));
    let tree = store.departments(Some(&fonds().code)).await.expect("tree");
    let ap = tree
        .iter()
        .find(|d| d.code.as_str() == "FIN-AP")
        .expect("FIN-AP");
    let path: Vec<&str> = ap.path.iter().map(|c| c.as_str()).collect();
    assert_eq!(path, ["FIN", "FIN-AP"]);
}
