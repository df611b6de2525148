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
}

/// How a session is ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// Its user logged out.
    Logout,
    /// Someone revoked it.
    Revoked,
}
