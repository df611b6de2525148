//! People and login (docs/people.md): accounts with Argon2id password hashes and a password
//! policy, login with lockout after repeated failures, a TOTP second factor (the
//! `second_factor` module), and sessions with idle and absolute time-outs whose secrets live only
//! in the person's cookie.
//!
//! What a person may do once logged in (roles, grants, data scope) lives in `crate::access`.

mod hashing;
mod policy;
mod recovery;
mod second_factor;
mod totp;

use std::time::Duration;

use fonds_store::people::{
    LockoutPolicy, LoginFailure, NewSession, NewUser, SessionEnd, SessionRow,
};
pub use fonds_store::people::{SessionStage, UserRow as User, UserState};
use time::OffsetDateTime;

pub use policy::{MIN_CHARACTER_CLASSES, MIN_PASSWORD_CHARS, check_password};
pub use recovery::RECOVERY_CODES;
pub use second_factor::{
    Confirmation, Enrolment, SECOND_FACTOR_WAIT, SecondFactorPolicy, SecondFactorStatus,
};

use crate::error::{CoreError, ErrorCode, FieldError};
use crate::{Actor, Archive};

/// How logins and sessions behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeopleSettings {
    /// A session unused this long ends.
    pub session_idle_timeout: Duration,
    /// A session ends this long after login, however much it is used.
    pub session_absolute_timeout: Duration,
    /// Failed logins in a row that lock an account.
    pub lockout_after: u32,
    /// The first lockout; each further failure doubles it.
    pub lockout_first_delay: Duration,
    /// The longest lockout.
    pub lockout_longest_delay: Duration,
    /// Who must have a second factor.
    pub require_second_factor: SecondFactorPolicy,
    /// How the permission review judges accounts and when it falls due.
    pub review: crate::access::ReviewSettings,
}

impl Default for PeopleSettings {
    fn default() -> Self {
        Self {
            session_idle_timeout: Duration::from_secs(30 * 60),
            session_absolute_timeout: Duration::from_secs(12 * 3600),
            lockout_after: 5,
            lockout_first_delay: Duration::from_secs(60),
            lockout_longest_delay: Duration::from_secs(24 * 3600),
            require_second_factor: SecondFactorPolicy::default(),
            review: crate::access::ReviewSettings::default(),
        }
    }
}

impl PeopleSettings {
    fn lockout(&self) -> LockoutPolicy {
        LockoutPolicy {
            after: self.lockout_after,
            first_delay: self.lockout_first_delay,
            longest_delay: self.lockout_longest_delay,
        }
    }
}

/// A session just started: its secret goes into the cookie and is never stored or shown again.
#[derive(Clone)]
pub struct NewLogin {
    /// The session secret, 64 hex digits.
    pub secret: String,
    /// The token a cookie-authenticated change must send in `X-CSRF-Token`.
    pub csrf_token: String,
    /// Who logged in.
    pub user: User,
    /// When the session ends at the latest (within minutes while it waits for its second
    /// factor).
    pub expires_at: OffsetDateTime,
    /// What the session opens: `SecondFactor` until a code is given, `Enrolment` until a
    /// required second factor is enrolled.
    pub stage: SessionStage,
}

impl std::fmt::Debug for NewLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewLogin")
            .field("secret", &"<redacted>")
            .field("csrf_token", &"<redacted>")
            .field("user", &self.user.login)
            .field("expires_at", &self.expires_at)
            .field("stage", &self.stage)
            .finish()
    }
}

/// A live session and its person.
#[derive(Debug, Clone)]
pub struct SessionUser {
    /// The person.
    pub user: User,
    /// The session's id (the SHA-256 of its secret).
    pub session_id: String,
    /// When the session ends unless used again.
    pub idle_expires_at: OffsetDateTime,
    /// When it ends at the latest.
    pub absolute_expires_at: OffsetDateTime,
    /// What it opens.
    pub stage: SessionStage,
    /// The person's unrevoked grants, read with the session; their expiry is judged at use.
    pub(crate) grants: Vec<fonds_domain::access::Grant>,
}

impl SessionUser {
    /// When the session ends at the latest: within minutes while it waits for its second
    /// factor, else at its absolute time-out.
    #[must_use]
    pub fn expires_at(&self) -> OffsetDateTime {
        match self.stage {
            SessionStage::SecondFactor => self.idle_expires_at,
            SessionStage::Full | SessionStage::Enrolment => self.absolute_expires_at,
        }
    }

    /// The person as the audit trail names them.
    #[must_use]
    pub fn actor(&self) -> Actor {
        Actor::user(&self.user.login)
    }

    /// Whether the session is open fully: the password and, where one is enrolled or required,
    /// the second factor were given.
    ///
    /// # Errors
    /// `second_factor_required` while it waits for a code; `second_factor_enrolment_required`
    /// while it may only enrol.
    pub fn require_full(&self) -> Result<(), CoreError> {
        match self.stage {
            SessionStage::Full => Ok(()),
            SessionStage::SecondFactor => Err(second_factor::second_factor_first()),
            SessionStage::Enrolment => Err(CoreError::new(
                ErrorCode::SecondFactorEnrolmentRequired,
                "a second factor is required for this account: enrol an authenticator app with \
                 POST /api/v1/session/totp, then confirm it with POST \
                 /api/v1/session/totp/confirmation",
            )),
        }
    }
}

/// A session as listed: never its secret.
pub type Session = SessionRow;

/// The CSRF token of the session whose secret is `secret`.
#[must_use]
pub fn csrf_token(secret: &str) -> String {
    hashing::csrf_token(secret)
}

/// Whether `presented` is the CSRF token of the session whose secret is `secret`.
#[must_use]
pub fn csrf_matches(secret: &str, presented: &str) -> bool {
    hashing::csrf_matches(secret, presented)
}

fn invalid(pointer: &str, detail: &str) -> FieldError {
    FieldError {
        pointer: pointer.to_owned(),
        code: ErrorCode::RequestInvalid.as_str().to_owned(),
        detail: detail.to_owned(),
    }
}

fn check_login_name(login: &str) -> Option<FieldError> {
    let ok = (2..=64).contains(&login.len())
        && login.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    (!ok).then(|| {
        invalid(
            "/login",
            "a login name has 2 to 64 characters: lower-case letters, digits, `.`, `_` and `-`, \
             starting with a letter or digit",
        )
    })
}

fn login_failed() -> CoreError {
    CoreError::new(
        ErrorCode::LoginFailed,
        "the login name or the password is wrong; after repeated failures the account is locked \
         for a while",
    )
}

fn locked(until: Option<OffsetDateTime>, now: OffsetDateTime) -> CoreError {
    let mut error = CoreError::new(
        ErrorCode::AccountLocked,
        match until {
            Some(_) => {
                "the account is locked after repeated failed logins; try again after the time \
                 in Retry-After, or ask an administrator"
            }
            None => "the account is locked; ask an administrator to unlock it",
        },
    );
    error.retry_after = until.map(|until| {
        let seconds = (until - now).whole_seconds().max(0);
        u64::try_from(seconds).unwrap_or(0) + 1
    });
    error
}

fn session_expired() -> CoreError {
    CoreError::new(
        ErrorCode::SessionExpired,
        "the session has ended (timed out, logged out or revoked); log in again with POST \
         /api/v1/session",
    )
}

fn add(at: OffsetDateTime, duration: Duration) -> OffsetDateTime {
    at.checked_add(time::Duration::try_from(duration).unwrap_or(time::Duration::MAX))
        .unwrap_or(at)
}

impl Archive {
    /// Creates a person's account after checking the login name, the display name and the
    /// password against the policy; every problem is reported at once.
    ///
    /// # Errors
    /// The first problem's code (`request_invalid`, `password_too_short`, …) with every field
    /// error; `login_taken` when another account has the login name; when the store fails.
    pub async fn create_user(
        &self,
        login: &str,
        display_name: &str,
        password: &str,
        by: &Actor,
    ) -> Result<User, CoreError> {
        let display_name = display_name.trim();
        let mut errors: Vec<FieldError> = check_login_name(login).into_iter().collect();
        if display_name.is_empty() || display_name.chars().count() > 100 {
            errors.push(invalid(
                "/display_name",
                "a display name has 1 to 100 characters",
            ));
        }
        errors.extend(check_password(password, login, display_name));
        if !errors.is_empty() {
            return Err(CoreError::fields(errors));
        }
        let new = NewUser {
            id: uuid::Uuid::now_v7().to_string(),
            login: login.to_owned(),
            display_name: display_name.to_owned(),
            password_hash: hashing::hash_password(password.to_owned()).await?,
            created_at: OffsetDateTime::now_utc(),
        };
        self.metadata.insert_user(&new, by).await?;
        self.metadata
            .user(&new.id)
            .await?
            .ok_or_else(|| CoreError::internal(std::io::Error::other("the new user vanished")))
    }

    /// Replaces a person's password, checked against the policy.
    ///
    /// # Errors
    /// As [`Archive::create_user`] for the password; `request_invalid` for an unknown login.
    pub async fn change_password(
        &self,
        login: &str,
        password: &str,
        by: &Actor,
    ) -> Result<(), CoreError> {
        let user = self.user_or_404(login).await?;
        let errors = check_password(password, &user.login, &user.display_name);
        if !errors.is_empty() {
            return Err(CoreError::fields(errors));
        }
        let hash = hashing::hash_password(password.to_owned()).await?;
        self.metadata
            .set_password(&user.id, &hash, OffsetDateTime::now_utc(), by)
            .await?;
        Ok(())
    }

    /// Every account, by login name.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn users(&self) -> Result<Vec<User>, CoreError> {
        Ok(self.metadata.users().await?)
    }

    pub(crate) async fn user_or_404(&self, login: &str) -> Result<User, CoreError> {
        self.metadata.user_by_login(login).await?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::RequestInvalid,
                format!("no account has the login name `{login}`; `fonds user list` lists them"),
            )
        })
    }

    /// Logs a person in: checks the password (Argon2id) and starts a session whose secret is
    /// returned once. An unknown login name and a wrong password give the same answer, after
    /// the same work. Every attempt is audited; too many failures in a row lock the account.
    ///
    /// # Errors
    /// `login_failed`; `account_locked` (with the seconds to wait) while locked; when the store
    /// fails.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        address: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<NewLogin, CoreError> {
        let mut actor = Actor::user(login);
        if let Some(address) = address {
            actor = actor.from_address(address);
        }
        let user = if check_login_name(login).is_none() {
            self.metadata.user_by_login(login).await?
        } else {
            None
        };
        let now = OffsetDateTime::now_utc();
        let refuse = |reason: &str, target: Option<&User>| {
            let mut event = fonds_store::NewAuditEvent::success(
                &actor,
                crate::audit::actions::LOGIN_FAILED,
                target.map(|u| ("user", u.id.clone())),
                serde_json::json!({ "reason": reason }),
            )
            .at(now);
            event.outcome = crate::audit::AuditOutcome::Refused;
            event
        };
        if let Some(user) = &user {
            let until = user.locked_until.filter(|until| *until > now);
            let standing = match user.state {
                UserState::Active if until.is_some() => Some("locked_out"),
                UserState::Active => None,
                UserState::Locked => Some("locked"),
                UserState::Disabled => Some("disabled"),
            };
            if let Some(reason) = standing {
                // Verify anyway, so a refused account costs the same as any other attempt.
                let _ = hashing::verify_password(password.to_owned(), None).await?;
                self.metadata
                    .append_audit_event(&refuse(reason, Some(user)))
                    .await?;
                return Err(match user.state {
                    UserState::Disabled => login_failed(),
                    _ => locked(until, now),
                });
            }
        }
        let matches = hashing::verify_password(
            password.to_owned(),
            user.as_ref().map(|u| u.password_hash.clone()),
        )
        .await?;
        let Some(user) = user else {
            self.metadata
                .append_audit_event(&refuse("unknown_login", None))
                .await?;
            return Err(login_failed());
        };
        if !matches {
            let failed = self
                .metadata
                .record_failed_login(
                    &user.id,
                    now,
                    &self.settings.people.lockout(),
                    LoginFailure::WrongPassword,
                    &actor,
                )
                .await?;
            if failed.locked_until.is_some() {
                tracing::warn!(login = %user.login, failures = failed.failures, "account locked after failed logins");
            }
            return Err(login_failed());
        }
        let stage = self.stage_after_password(&user).await?;
        let secret = hashing::new_session_secret()?;
        let settings = &self.settings.people;
        let absolute = add(now, settings.session_absolute_timeout);
        let idle = match stage {
            // A session waiting for its code lives only minutes, and using it does not extend it.
            SessionStage::SecondFactor => self.second_factor_wait(),
            SessionStage::Full | SessionStage::Enrolment => settings.session_idle_timeout,
        };
        let new = NewSession {
            id: hashing::session_id(&secret),
            user_id: user.id.clone(),
            created_at: now,
            idle_expires_at: add(now, idle).min(absolute),
            absolute_expires_at: absolute,
            client_address: address.map(str::to_owned),
            user_agent: user_agent.map(|ua| ua.chars().take(256).collect()),
            stage,
        };
        self.metadata.start_session(&new, &actor).await?;
        Ok(NewLogin {
            csrf_token: hashing::csrf_token(&secret),
            secret,
            user,
            // A session waiting for its code ends within minutes, and so does its cookie.
            expires_at: match stage {
                SessionStage::SecondFactor => new.idle_expires_at,
                SessionStage::Full | SessionStage::Enrolment => absolute,
            },
            stage,
        })
    }

    /// What a session opens once the password was right: an active second factor must be given
    /// first; a person required to have one and without it may only enrol.
    async fn stage_after_password(&self, user: &User) -> Result<SessionStage, CoreError> {
        let factor = self.metadata.second_factor(&user.id).await?;
        Ok(if factor.is_some_and(|f| f.is_active()) {
            SessionStage::SecondFactor
        } else if self.second_factor_required(user).await? {
            SessionStage::Enrolment
        } else {
            SessionStage::Full
        })
    }

    /// The person whose live session has `secret`; using it pushes the idle time-out on.
    ///
    /// # Errors
    /// `unauthenticated` for an unknown secret; `session_expired` for a session that timed out
    /// or was ended, or whose account is no longer active; when the store fails.
    pub async fn session(&self, secret: &str) -> Result<SessionUser, CoreError> {
        let unknown = || {
            CoreError::new(
                ErrorCode::Unauthenticated,
                "the session cookie is unknown; log in with POST /api/v1/session",
            )
        };
        if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(unknown());
        }
        let id = hashing::session_id(secret);
        // The session, its person and their grants in one query: this runs on every request.
        let holder = self
            .metadata
            .session_holder(&id)
            .await?
            .ok_or_else(unknown)?;
        let (session, user) = (holder.session, holder.user);
        let now = OffsetDateTime::now_utc();
        if session.revoked_at.is_some()
            || now >= session.idle_expires_at
            || now >= session.absolute_expires_at
            || user.state != UserState::Active
        {
            return Err(session_expired());
        }
        let idle = self.settings.people.session_idle_timeout;
        let idle_expires_at = if session.stage == SessionStage::SecondFactor {
            // Waiting for its code, a session keeps the few minutes it was given.
            session.idle_expires_at
        } else {
            add(now, idle).min(session.absolute_expires_at)
        };
        // Touch at most every tenth of the idle time-out (and every minute at most), so a busy
        // page does not write on every request.
        let every = (idle / 10).min(Duration::from_secs(60));
        if session.stage != SessionStage::SecondFactor
            && now - session.last_seen_at >= time::Duration::try_from(every).unwrap_or_default()
        {
            self.metadata
                .touch_session(&id, now, idle_expires_at)
                .await?;
        }
        Ok(SessionUser {
            user,
            session_id: id,
            idle_expires_at,
            absolute_expires_at: session.absolute_expires_at,
            stage: session.stage,
            grants: holder.grants,
        })
    }

    /// Ends the session with `secret` (a logout); ending one that has ended already is fine.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn logout(&self, secret: &str, by: &Actor) -> Result<(), CoreError> {
        self.metadata
            .end_session(
                &hashing::session_id(secret),
                OffsetDateTime::now_utc(),
                SessionEnd::Logout,
                by,
            )
            .await?;
        Ok(())
    }

    /// A person's sessions, newest first, ended ones too.
    ///
    /// # Errors
    /// `request_invalid` for an unknown login; when the store fails.
    pub async fn list_sessions(&self, login: &str) -> Result<Vec<Session>, CoreError> {
        let user = self.user_or_404(login).await?;
        Ok(self.metadata.sessions_of(&user.id).await?)
    }

    /// Revokes the session with id `session_id` (the hash shown by
    /// [`Archive::list_sessions`]), if it belongs to `login`.
    ///
    /// # Errors
    /// `session_not_found` when it is not one of that person's live sessions; when the store
    /// fails.
    pub async fn revoke_session(
        &self,
        login: &str,
        session_id: &str,
        by: &Actor,
    ) -> Result<(), CoreError> {
        let user = self.user_or_404(login).await?;
        let not_found = || {
            CoreError::new(
                ErrorCode::SessionNotFound,
                format!("{login} has no live session {session_id}"),
            )
        };
        let session = self
            .metadata
            .session(session_id)
            .await?
            .filter(|s| s.user_id == user.id && s.revoked_at.is_none())
            .ok_or_else(not_found)?;
        let ended = self
            .metadata
            .end_session(
                &session.id,
                OffsetDateTime::now_utc(),
                SessionEnd::Revoked,
                by,
            )
            .await?;
        if ended { Ok(()) } else { Err(not_found()) }
    }

    /// Revokes the session with id `session_id`, whoever's it is (an administrator's command).
    ///
    /// # Errors
    /// `session_not_found` when no live session has that id; when the store fails.
    pub async fn revoke_any_session(&self, session_id: &str, by: &Actor) -> Result<(), CoreError> {
        let not_found = || {
            CoreError::new(
                ErrorCode::SessionNotFound,
                format!(
                    "no live session has the id {session_id}; `fonds user sessions LOGIN` lists them"
                ),
            )
        };
        let ended = self
            .metadata
            .end_session(
                session_id,
                OffsetDateTime::now_utc(),
                SessionEnd::Revoked,
                by,
            )
            .await?;
        if ended { Ok(()) } else { Err(not_found()) }
    }
}
