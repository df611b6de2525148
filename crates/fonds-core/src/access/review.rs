//! The permission review (权限审核, DA/T 92 9.1.3; docs/people.md): a report of every person with
//! their roles, scopes, last login and second factor, the grants about to expire, the dormant
//! accounts and the officers without a second factor; when the next review is due; and the
//! review itself, recorded as done by whom with what they found.

use std::time::Duration;

use fonds_domain::access::{Grant, Officer};
use fonds_store::access::{NewPermissionReview, PermissionReviewRow};
use serde_json::json;
use time::OffsetDateTime;

use crate::error::{CoreError, ErrorCode};
use crate::people::{SecondFactorStatus, User};
use crate::{Actor, Archive};

/// The longest note a review may carry.
pub const MAX_REVIEW_NOTE_CHARS: usize = 2000;

/// How the review judges accounts and when it falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewSettings {
    /// An account with no login for this long is dormant (a new account never used, counted
    /// from its creation).
    pub dormant_after: Duration,
    /// A live grant that stops working within this long is listed as about to expire.
    pub expiry_notice: Duration,
    /// How long after one review the next is due.
    pub interval: Duration,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        const DAY: u64 = 24 * 3600;
        Self {
            dormant_after: Duration::from_secs(90 * DAY),
            expiry_notice: Duration::from_secs(30 * DAY),
            interval: Duration::from_secs(90 * DAY),
        }
    }
}

/// One person as the review sees them.
#[derive(Debug, Clone)]
pub struct PersonUnderReview {
    /// The account.
    pub user: User,
    /// Their grants that work now.
    pub live_grants: Vec<Grant>,
    /// Their grants that expired by date and were never revoked: they no longer work, but a
    /// reviewer may want to revoke them for a clean register.
    pub expired_grants: Vec<Grant>,
    /// The officer they are, if any.
    pub officer: Option<Officer>,
    /// Their second factor.
    pub second_factor: SecondFactorStatus,
    /// No login within the dormancy period.
    pub dormant: bool,
}

impl PersonUnderReview {
    /// An officer without an active second factor.
    #[must_use]
    pub fn officer_without_second_factor(&self) -> bool {
        self.officer.is_some() && !matches!(self.second_factor, SecondFactorStatus::Active { .. })
    }
}

/// The report a review is made on.
#[derive(Debug, Clone)]
pub struct PermissionReport {
    /// When it was drawn up.
    pub generated_at: OffsetDateTime,
    /// The settings it was judged by.
    pub settings: ReviewSettings,
    /// Every person, by login name.
    pub people: Vec<PersonUnderReview>,
    /// Live grants that stop working within the notice period, soonest first, with the login
    /// name of their holder.
    pub expiring: Vec<(String, Grant)>,
    /// The latest review, if any.
    pub last_review: Option<PermissionReviewRow>,
    /// When the next review is due: the interval after the latest review; before the first,
    /// the interval after the oldest live grant was given (a new archive with nobody granted
    /// anything has nothing to review yet).
    pub next_review_due: OffsetDateTime,
}

impl PermissionReport {
    /// The report at `now` on these people (with their second factors), every grant (revoked
    /// ones are left out) and the latest review.
    #[must_use]
    pub fn compile(
        now: OffsetDateTime,
        settings: ReviewSettings,
        people: Vec<(User, SecondFactorStatus)>,
        grants: &[Grant],
        last_review: Option<PermissionReviewRow>,
    ) -> Self {
        let mut expiring = Vec::new();
        let people: Vec<PersonUnderReview> = people
            .into_iter()
            .map(|(user, second_factor)| {
                let (live, expired): (Vec<Grant>, Vec<Grant>) = grants
                    .iter()
                    .filter(|g| g.user_id == user.id && g.revoked_at.is_none())
                    .cloned()
                    .partition(|g| g.is_live(now));
                expiring.extend(
                    live.iter()
                        .filter(|g| {
                            g.expires_at
                                .is_some_and(|at| at - now <= settings.expiry_notice)
                        })
                        .map(|g| (user.login.clone(), g.clone())),
                );
                PersonUnderReview {
                    officer: live.iter().find_map(|g| g.role.officer()),
                    second_factor,
                    dormant: dormant(&user, settings.dormant_after, now),
                    live_grants: live,
                    expired_grants: expired,
                    user,
                }
            })
            .collect();
        expiring.sort_by_key(|(_, g)| g.expires_at);
        let since = last_review.as_ref().map_or_else(
            || {
                people
                    .iter()
                    .flat_map(|p| &p.live_grants)
                    .map(|g| g.granted_at)
                    .min()
                    .unwrap_or(now)
            },
            |r| r.reviewed_at,
        );
        let next_review_due = since + settings.interval;
        Self {
            generated_at: now,
            settings,
            people,
            expiring,
            last_review,
            next_review_due,
        }
    }

    /// Whether the review is due (or overdue) at the time of the report.
    #[must_use]
    pub fn review_due(&self) -> bool {
        self.generated_at >= self.next_review_due
    }

    /// The login names of the dormant accounts.
    pub fn dormant(&self) -> impl Iterator<Item = &str> {
        self.people
            .iter()
            .filter(|p| p.dormant)
            .map(|p| p.user.login.as_str())
    }

    /// The login names of the officers without an active second factor.
    pub fn officers_without_second_factor(&self) -> impl Iterator<Item = &str> {
        self.people
            .iter()
            .filter(|p| p.officer_without_second_factor())
            .map(|p| p.user.login.as_str())
    }

    /// What the report found, in counts and names: stored with a review that was made on it.
    #[must_use]
    pub fn findings(&self) -> serde_json::Value {
        let count = |f: fn(&PersonUnderReview) -> bool| self.people.iter().filter(|p| f(p)).count();
        json!({
            "people": self.people.len(),
            "with_live_grants": count(|p| !p.live_grants.is_empty()),
            "expiring_grants": self.expiring.iter().map(|(_, g)| &g.id).collect::<Vec<_>>(),
            "expired_unrevoked_grants": self.people.iter().map(|p| p.expired_grants.len()).sum::<usize>(),
            "dormant": self.dormant().collect::<Vec<_>>(),
            "officers_without_second_factor": self.officers_without_second_factor().collect::<Vec<_>>(),
        })
    }
}

/// Whether `user` has not logged in within `period` before `now`; an account that never
/// logged in counts from its creation.
fn dormant(user: &User, period: Duration, now: OffsetDateTime) -> bool {
    let since = user.last_login_at.unwrap_or(user.created_at);
    now - since >= period
}

impl Archive {
    /// The permission review's report as of now.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn permission_report(&self) -> Result<PermissionReport, CoreError> {
        let grants = self.metadata.grants(None).await?;
        let mut people = Vec::new();
        for user in self.metadata.users().await? {
            let factor = self.second_factor_status(&user).await?;
            people.push((user, factor));
        }
        let last_review = self.metadata.last_permission_review().await?;
        Ok(PermissionReport::compile(
            OffsetDateTime::now_utc(),
            self.settings.people.review,
            people,
            &grants,
            last_review,
        ))
    }

    /// Records that `by` reviewed the permissions on today's report, with their `note` (the
    /// decisions taken). The report's findings are stored with it; the review is appended to
    /// the audit trail in the same transaction.
    ///
    /// # Errors
    /// `request_invalid` for an empty note or one over [`MAX_REVIEW_NOTE_CHARS`]; a store
    /// failure.
    pub async fn record_permission_review(
        &self,
        note: &str,
        by: &Actor,
    ) -> Result<PermissionReviewRow, CoreError> {
        let note = note.trim();
        if note.is_empty() || note.chars().count() > MAX_REVIEW_NOTE_CHARS {
            return Err(CoreError::new(
                ErrorCode::RequestInvalid,
                format!(
                    "a review needs a note of 1 to {MAX_REVIEW_NOTE_CHARS} characters saying what \
                     was decided, e.g. which grants were revoked and why the rest stay"
                ),
            ));
        }
        let report = self.permission_report().await?;
        let review = self
            .metadata
            .record_permission_review(
                &NewPermissionReview {
                    reviewed_at: OffsetDateTime::now_utc(),
                    note: note.to_owned(),
                    findings: report.findings(),
                },
                by,
            )
            .await?;
        tracing::info!(review = review.id, by = %review.reviewed_by, "permission review recorded");
        Ok(review)
    }

    /// Logs a warning an operator can act on when the permission review is due; answers whether
    /// it is. The server calls it at start and daily.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn remind_of_permission_review(&self) -> Result<bool, CoreError> {
        let report = self.permission_report().await?;
        if report.review_due() {
            let officers: Vec<&str> = report.officers_without_second_factor().collect();
            tracing::warn!(
                due_since = %report.next_review_due,
                last_review = ?report.last_review.as_ref().map(|r| r.reviewed_at),
                dormant = report.dormant().count(),
                expiring_grants = report.expiring.len(),
                officers_without_second_factor = ?officers,
                "the permission review (权限审核) is due: read `fonds review` and record it with \
                 `fonds review --done --note ...` or POST /api/v1/permission-reviews"
            );
        }
        Ok(report.review_due())
    }

    /// Starts the reminder: at once, then every `every`.
    #[must_use]
    pub fn spawn_permission_review_reminder(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let archive = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = archive.remind_of_permission_review().await {
                    tracing::error!(error = %e, "the permission review reminder could not read the grants; retrying at the next interval");
                }
                tokio::time::sleep(every).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fonds_domain::access::BuiltinRole;
    use fonds_store::people::UserState;

    fn days(n: i64) -> time::Duration {
        time::Duration::days(n)
    }

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-12-01 09:00 UTC)
    }

    fn user(login: &str, created_days_ago: i64, last_login_days_ago: Option<i64>) -> User {
        User {
            id: format!("id-{login}"),
            login: login.into(),
            display_name: login.into(),
            password_hash: String::new(),
            state: UserState::Active,
            failed_logins: 0,
            locked_until: None,
            created_at: now() - days(created_days_ago),
            last_login_at: last_login_days_ago.map(|d| now() - days(d)),
        }
    }

    fn grant(id: &str, login: &str, role: BuiltinRole, expires_in_days: Option<i64>) -> Grant {
        Grant {
            id: id.into(),
            user_id: format!("id-{login}"),
            role,
            scope: crate::access::default_scope(role),
            expires_at: expires_in_days.map(|d| now() + days(d)),
            granted_by: "cli".into(),
            granted_at: now() - days(200),
            revoked_at: None,
        }
    }

    #[test]
    fn an_account_is_dormant_after_the_period_without_a_login_counting_from_its_creation() {
        let period = ReviewSettings::default().dormant_after;
        assert!(!dormant(&user("a", 400, Some(89)), period, now()));
        assert!(dormant(&user("a", 400, Some(90)), period, now()));
        assert!(
            !dormant(&user("a", 10, None), period, now()),
            "new, not yet used"
        );
        assert!(dormant(&user("a", 120, None), period, now()), "never used");
    }

    #[test]
    fn the_report_finds_dormant_accounts_expiring_and_expired_grants_and_officers_without_2fa() {
        let active = SecondFactorStatus::Active {
            recovery_codes_left: 10,
        };
        let people = vec![
            (user("officer", 300, Some(1)), SecondFactorStatus::Pending),
            (user("auditor", 300, Some(1)), active),
            (user("idle", 300, Some(100)), SecondFactorStatus::None),
            (user("former", 300, Some(2)), SecondFactorStatus::None),
            (user("new", 3, None), SecondFactorStatus::None),
        ];
        let mut revoked = grant("g6", "former", BuiltinRole::Archivist, None);
        revoked.revoked_at = Some(now() - days(1));
        let grants = [
            grant("g1", "officer", BuiltinRole::SecurityOfficer, None),
            grant("g2", "auditor", BuiltinRole::SecurityAuditor, Some(20)),
            grant("g3", "idle", BuiltinRole::Reader, Some(10)),
            grant("g4", "idle", BuiltinRole::Accountant, Some(31)),
            grant("g5", "former", BuiltinRole::Reader, Some(-5)),
            revoked,
        ];
        let report =
            PermissionReport::compile(now(), ReviewSettings::default(), people, &grants, None);
        assert_eq!(report.dormant().collect::<Vec<_>>(), ["idle"]);
        assert_eq!(
            report.officers_without_second_factor().collect::<Vec<_>>(),
            ["officer"],
            "a pending enrolment is not a second factor"
        );
        let expiring: Vec<&str> = report.expiring.iter().map(|(_, g)| g.id.as_str()).collect();
        assert_eq!(expiring, ["g3", "g2"], "within 30 days, soonest first");
        let former = &report.people[3];
        assert!(former.live_grants.is_empty());
        assert_eq!(
            former.expired_grants.len(),
            1,
            "the revoked grant is not listed"
        );
        assert_eq!(report.people[0].officer, Some(Officer::SecurityOfficer));
        assert!(
            report.review_due(),
            "never reviewed, and the oldest live grant is 200 days old"
        );
        assert_eq!(report.findings()["expired_unrevoked_grants"], 1);
        assert_eq!(report.findings()["dormant"], serde_json::json!(["idle"]));
    }

    #[test]
    fn before_the_first_review_it_falls_due_an_interval_after_the_oldest_live_grant() {
        let people = vec![(user("a", 10, Some(1)), SecondFactorStatus::None)];
        let mut recent = grant("g1", "a", BuiltinRole::Reader, None);
        recent.granted_at = now() - days(10);
        let report =
            PermissionReport::compile(now(), ReviewSettings::default(), people, &[recent], None);
        assert_eq!(report.next_review_due, now() + days(80));
        assert!(!report.review_due());
        let empty = PermissionReport::compile(now(), ReviewSettings::default(), vec![], &[], None);
        assert!(
            !empty.review_due(),
            "nobody granted anything: nothing to review"
        );
    }

    #[test]
    fn the_next_review_falls_due_an_interval_after_the_last() {
        let last = PermissionReviewRow {
            id: 1,
            reviewed_at: now() - days(10),
            reviewed_by: "user officer".into(),
            note: "无变更".into(),
            findings: serde_json::json!({}),
        };
        let report =
            PermissionReport::compile(now(), ReviewSettings::default(), vec![], &[], Some(last));
        assert_eq!(report.next_review_due, now() + days(80));
        assert!(!report.review_due());
    }
}
