//! People and their login sessions, as the metadata store holds them (docs/people.md): an
//! account with only a hash of its password, and sessions known by the hash of their secret.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

/// An account's standing. A temporary lockout after failed logins is not a state: it is
/// [`UserRow::locked_until`], and it ends by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserState {
    /// May log in.
    Active,
    /// Locked by an administrator until unlocked.
    Locked,
    /// Disabled for good; kept because the audit trail names it.
    Disabled,
}

impl UserState {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Locked => "locked",
            Self::Disabled => "disabled",
        }
    }
}

impl FromStr for UserState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(Self::Active),
            "locked" => Ok(Self::Locked),
            "disabled" => Ok(Self::Disabled),
            other => Err(format!("`{other}` is not a user state")),
        }
    }
}

impl fmt::Display for UserState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account to create.
#[derive(Clone)]
pub struct NewUser {
    /// Its id.
    pub id: String,
    /// The unique login name.
    pub login: String,
    /// The name shown to people.
    pub display_name: String,
    /// The Argon2id PHC string of the password.
    pub password_hash: String,
    /// When.
    pub created_at: OffsetDateTime,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("id", &self.id)
            .field("login", &self.login)
            .field("display_name", &self.display_name)
            .field("password_hash", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// An account as stored.
#[derive(Clone)]
pub struct UserRow {
    /// Its id.
    pub id: String,
    /// The unique login name.
    pub login: String,
    /// The name shown to people.
    pub display_name: String,
    /// The Argon2id PHC string of the password.
    pub password_hash: String,
    /// Its standing.
    pub state: UserState,
    /// Failed logins since the last successful one.
    pub failed_logins: u32,
    /// Until when logins are refused after too many failures.
    pub locked_until: Option<OffsetDateTime>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it last logged in.
    pub last_login_at: Option<OffsetDateTime>,
}

impl fmt::Debug for UserRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("login", &self.login)
            .field("display_name", &self.display_name)
            .field("password_hash", &"<redacted>")
            .field("state", &self.state)
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .field("created_at", &self.created_at)
            .field("last_login_at", &self.last_login_at)
            .finish()
    }
}

/// How failed logins lock an account: after `after` failures in a row, for `first_delay`,
/// doubling with each further failure, up to `longest_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures in a row that lock the account.
    pub after: u32,
    /// The first lockout.
    pub first_delay: std::time::Duration,
    /// The longest lockout.
    pub longest_delay: std::time::Duration,
}

impl LockoutPolicy {
    /// How long the account is locked after `failures` failures in a row, if at all.
    #[must_use]
    pub fn delay(&self, failures: u32) -> Option<std::time::Duration> {
        let beyond = failures.checked_sub(self.after)?;
        let factor = 1u32.checked_shl(beyond.min(31)).unwrap_or(u32::MAX);
        Some(
            self.first_delay
                .checked_mul(factor)
                .unwrap_or(self.longest_delay)
                .min(self.longest_delay),
        )
    }
}

/// What a failed login did to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedLogin {
    /// Failures in a row, this one included.
    pub failures: u32,
    /// Until when the account is now locked, if this failure locked it.
    pub locked_until: Option<OffsetDateTime>,
}

/// A session to start.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The SHA-256 (hex) of the session's secret.
    pub id: String,
    /// Whose.
    pub user_id: String,
    /// When.
    pub created_at: OffsetDateTime,
    /// When it ends unless used before.
    pub idle_expires_at: OffsetDateTime,
    /// When it ends whatever happens.
    pub absolute_expires_at: OffsetDateTime,
    /// The address it was started from.
    pub client_address: Option<String>,
    /// The browser that started it, as it named itself.
    pub user_agent: Option<String>,
    /// What it opens.
    pub stage: SessionStage,
}

/// A session with its person and the person's unrevoked grants (expired ones too: expiry is
/// judged at use), read together on every request a person makes.
#[derive(Debug, Clone)]
pub struct SessionHolder {
    /// The session.
    pub session: SessionRow,
    /// Its person.
    pub user: UserRow,
    /// The person's grants that are not revoked.
    pub grants: Vec<fonds_domain::access::Grant>,
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The SHA-256 (hex) of the session's secret.
    pub id: String,
    /// Whose.
    pub user_id: String,
    /// When it started.
    pub created_at: OffsetDateTime,
    /// When it was last used.
    pub last_seen_at: OffsetDateTime,
    /// When it ends unless used before.
    pub idle_expires_at: OffsetDateTime,
    /// When it ends whatever happens.
    pub absolute_expires_at: OffsetDateTime,
    /// The address it was started from.
    pub client_address: Option<String>,
    /// The browser that started it.
    pub user_agent: Option<String>,
    /// When it was ended by logout or revocation.
    pub revoked_at: Option<OffsetDateTime>,
    /// What it opens.
    pub stage: SessionStage,
}

/// How a session is ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// Its user logged out.
    Logout,
    /// Someone revoked it.
    Revoked,
}

/// What a live session opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// Whatever the person may do.
    Full,
    /// The password was right; a TOTP or recovery code must follow before anything else.
    SecondFactor,
    /// A second factor is required of the person and none is enrolled: only enrolment.
    Enrolment,
}

impl SessionStage {
    /// The stored (and API) name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::SecondFactor => "second_factor",
            Self::Enrolment => "enrolment",
        }
    }
}

impl FromStr for SessionStage {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "full" => Ok(Self::Full),
            "second_factor" => Ok(Self::SecondFactor),
            "enrolment" => Ok(Self::Enrolment),
            other => Err(format!("`{other}` is not a session stage")),
        }
    }
}

/// Why a login attempt counts as a failure toward the lockout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    /// The password was wrong (`login.failed`).
    WrongPassword,
    /// The TOTP or recovery code was wrong or replayed (`second_factor.failed`).
    WrongSecondFactor,
}

/// How a TOTP secret is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretFormat {
    /// Sealed with the archive's master key (see [`crate::seal_value`]).
    Sealed,
    /// In the clear: no master key is configured.
    Clear,
}

impl SecretFormat {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sealed => "sealed",
            Self::Clear => "clear",
        }
    }
}

impl FromStr for SecretFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sealed" => Ok(Self::Sealed),
            "clear" => Ok(Self::Clear),
            other => Err(format!("`{other}` is not a secret format")),
        }
    }
}

/// A TOTP secret to keep for a person who starts enrolling.
#[derive(Clone)]
pub struct NewSecondFactor {
    /// Whose.
    pub user_id: String,
    /// The secret, sealed or clear as `format` says.
    pub secret: Vec<u8>,
    /// How.
    pub format: SecretFormat,
    /// When enrolment started.
    pub created_at: OffsetDateTime,
}

impl fmt::Debug for NewSecondFactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSecondFactor")
            .field("user_id", &self.user_id)
            .field("format", &self.format)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// A person's TOTP authenticator as stored.
#[derive(Clone)]
pub struct SecondFactorRow {
    /// Whose.
    pub user_id: String,
    /// The secret, sealed or clear as `format` says.
    pub secret: Vec<u8>,
    /// How.
    pub format: SecretFormat,
    /// When a first valid code confirmed it; `None` while enrolment is pending.
    pub confirmed_at: Option<OffsetDateTime>,
    /// The RFC 6238 time step of the last code accepted.
    pub last_used_step: Option<u64>,
    /// When enrolment started.
    pub created_at: OffsetDateTime,
}

impl SecondFactorRow {
    /// Whether it is confirmed, so logins need it.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

impl fmt::Debug for SecondFactorRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecondFactorRow")
            .field("user_id", &self.user_id)
            .field("format", &self.format)
            .field("confirmed_at", &self.confirmed_at)
            .field("last_used_step", &self.last_used_step)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// What proved the second factor; each is used up by the proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorProof {
    /// A TOTP code of this time step: accepted only if later than the last one used.
    Totp {
        /// The RFC 6238 time step the code belongs to.
        step: u64,
    },
    /// A recovery code, by the SHA-256 (hex) of its normalised text: accepted once.
    RecoveryCode {
        /// The hash.
        code_hash: String,
    },
}

/// A session promoted to full after its second factor: it gets a new secret (so a session id
/// seen before the promotion opens nothing after it) and a fresh idle time-out.
#[derive(Debug, Clone)]
pub struct SessionPromotion {
    /// The session's id now.
    pub from_id: String,
    /// The stage it must be in.
    pub from_stage: SessionStage,
    /// Its id from now on: the SHA-256 of the new secret.
    pub to_id: String,
    /// When.
    pub at: OffsetDateTime,
    /// When it ends unless used.
    pub idle_expires_at: OffsetDateTime,
}
