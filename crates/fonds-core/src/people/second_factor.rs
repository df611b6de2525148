//! The second login factor (docs/people.md): TOTP enrolment with a QR code, one-time recovery
//! codes, the step between a right password and a full session, the policy that says who must
//! have one, and the administrator's reset when a device is lost.
//!
//! A TOTP secret is sealed with the archive's master key when one is configured, in a small
//! envelope bound to its person, and opened only to check a code. Every code is accepted once:
//! a TOTP code's time step must be later than the last one used, a recovery code is marked
//! used, both in the same transaction that promotes the session. Wrong codes count toward the
//! same lockout as wrong passwords.

use std::time::Duration;

use fonds_store::people::{
    LoginFailure, NewSecondFactor, SecondFactorProof, SecondFactorRow, SecretFormat,
    SessionPromotion, SessionStage,
};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::{NewLogin, SessionUser, User, add, hashing, locked, recovery, totp};
use crate::audit::{AuditOutcome, actions};
use crate::error::{CoreError, ErrorCode, FieldError};
use crate::{Actor, Archive};

/// How long a session may wait for its second factor after the password was right.
pub const SECOND_FACTOR_WAIT: Duration = Duration::from_secs(5 * 60);

/// Who must have a second factor before a session opens fully.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecondFactorPolicy {
    /// The three officers (system, security and audit administrators); others may enrol.
    #[default]
    Officers,
    /// Everyone.
    Everyone,
}

/// A TOTP enrolment just started: what the person's authenticator app needs, shown once.
#[derive(Clone)]
pub struct Enrolment {
    /// The secret in base 32, for typing in.
    pub secret_base32: String,
    /// The `otpauth://` URI the QR code holds.
    pub otpauth_uri: String,
    /// The URI as a QR code, an SVG document.
    pub qr_svg: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(<redacted>)")
    }
}

/// A confirmed enrolment: the recovery codes, shown once, and the session's new secret when the
/// session was waiting for the enrolment.
#[derive(Clone)]
pub struct Confirmation {
    /// One-time recovery codes; only their hashes are kept.
    pub recovery_codes: Vec<String>,
    /// The session, promoted under a new secret, if it was waiting for the enrolment.
    pub promoted: Option<NewLogin>,
}

impl std::fmt::Debug for Confirmation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Confirmation")
            .field("recovery_codes", &self.recovery_codes.len())
            .field("promoted", &self.promoted)
            .finish()
    }
}

/// Whether a person has a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactorStatus {
    /// None.
    None,
    /// An enrolment was started and not confirmed.
    Pending,
    /// Active: logins need it.
    Active {
        /// Recovery codes not yet used.
        recovery_codes_left: u32,
    },
}

fn context(user_id: &str) -> Vec<u8> {
    [b"fonds totp secret\0".as_slice(), user_id.as_bytes()].concat()
}

fn crypt_error(error: fonds_store::CryptError) -> CoreError {
    CoreError::internal(std::io::Error::other(format!(
        "the TOTP secret cannot be sealed or opened: {error}"
    )))
}

fn unix_seconds(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp()).unwrap_or(0)
}

pub(super) fn second_factor_first() -> CoreError {
    CoreError::new(
        ErrorCode::SecondFactorRequired,
        "this session waits for the second factor: POST /api/v1/session/second-factor with a \
         TOTP code or a recovery code",
    )
}

fn already_enrolled() -> CoreError {
    CoreError::new(
        ErrorCode::SecondFactorAlreadyEnrolled,
        "a TOTP authenticator is enrolled already; to replace a lost one an administrator runs \
         `fonds user reset-second-factor LOGIN`",
    )
}

fn nothing_pending(what: &str) -> CoreError {
    CoreError::new(ErrorCode::SecondFactorNotPending, what.to_owned())
}

fn wrong_code() -> CoreError {
    CoreError::new(
        ErrorCode::SecondFactorFailed,
        "the code is wrong or was used before; give the current code of the authenticator app or \
         an unused recovery code. After repeated failures the account is locked for a while",
    )
}

impl Archive {
    /// Whether `user` must have a second factor before a session opens fully: everyone under
    /// the policy `everyone`, the three officers under `officers`.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn second_factor_required(&self, user: &User) -> Result<bool, CoreError> {
        match self.settings.people.require_second_factor {
            SecondFactorPolicy::Everyone => Ok(true),
            SecondFactorPolicy::Officers => Ok(self.is_officer(&user.id).await?.is_some()),
        }
    }

    /// Whether `user` has a second factor, and how many recovery codes are left.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn second_factor_status(&self, user: &User) -> Result<SecondFactorStatus, CoreError> {
        Ok(match self.metadata.second_factor(&user.id).await? {
            None => SecondFactorStatus::None,
            Some(row) if !row.is_active() => SecondFactorStatus::Pending,
            Some(_) => SecondFactorStatus::Active {
                recovery_codes_left: self.metadata.recovery_codes_left(&user.id).await?,
            },
        })
    }

    async fn seal_totp_secret(
        &self,
        user_id: &str,
        secret: &[u8],
    ) -> Result<(Vec<u8>, SecretFormat), CoreError> {
        let Some(keys) = self.settings.at_rest.keys.clone() else {
            // LIMITATION: without a master key (encryption at rest never set up) the TOTP
            // secret is stored in the clear, marked so; it stays clear if a key comes later.
            return Ok((secret.to_vec(), SecretFormat::Clear));
        };
        // LIMITATION: `fonds keys rotate` rewraps stored files, not these sealed values; a secret
        // sealed before a rotation keeps opening only while the old key stays in keys/retired/
        // (which a rotation keeps), until the person enrols again.
        let cipher = self
            .settings
            .at_rest
            .seal_with
            .unwrap_or(fonds_store::Cipher::Aes256Gcm);
        let context = context(user_id);
        let secret = Zeroizing::new(secret.to_vec());
        let sealed = tokio::task::spawn_blocking(move || {
            fonds_store::seal_value(keys.as_ref(), cipher, &secret, &context)
        })
        .await
        .map_err(CoreError::internal)?
        .map_err(crypt_error)?;
        Ok((sealed, SecretFormat::Sealed))
    }

    async fn open_totp_secret(
        &self,
        row: &SecondFactorRow,
    ) -> Result<Zeroizing<Vec<u8>>, CoreError> {
        match row.format {
            SecretFormat::Clear => Ok(Zeroizing::new(row.secret.clone())),
            SecretFormat::Sealed => {
                let keys = self.settings.at_rest.keys.clone().ok_or_else(|| {
                    CoreError::new(
                        ErrorCode::Internal,
                        "the TOTP secret is sealed and no master key is configured: set \
                         master_key_file or FONDS_MASTER_KEY",
                    )
                })?;
                let context = context(&row.user_id);
                let sealed = row.secret.clone();
                tokio::task::spawn_blocking(move || {
                    fonds_store::open_value(keys.as_ref(), &sealed, &context)
                })
                .await
                .map_err(CoreError::internal)?
                .map_err(crypt_error)
            }
        }
    }

    /// Starts (or restarts) enrolling a TOTP authenticator for the signed-in person: a new
    /// secret, its otpauth URI and QR code, shown once. It counts only once confirmed.
    ///
    /// # Errors
    /// `second_factor_required` while the session waits for a code; `second_factor_already_
    /// enrolled` when one is active; when the store or the key provider fails.
    pub async fn start_second_factor_enrolment(
        &self,
        session: &SessionUser,
        by: &Actor,
    ) -> Result<Enrolment, CoreError> {
        if session.stage == SessionStage::SecondFactor {
            return Err(second_factor_first());
        }
        let user = &session.user;
        if self
            .metadata
            .second_factor(&user.id)
            .await?
            .is_some_and(|row| row.is_active())
        {
            return Err(already_enrolled());
        }
        let secret = totp::new_secret()?;
        let (stored, format) = self.seal_totp_secret(&user.id, &secret).await?;
        let new = NewSecondFactor {
            user_id: user.id.clone(),
            secret: stored,
            format,
            created_at: OffsetDateTime::now_utc(),
        };
        if !self
            .metadata
            .start_second_factor_enrolment(&new, by)
            .await?
        {
            return Err(already_enrolled());
        }
        let otpauth_uri = totp::otpauth_uri(&secret, &user.login)?;
        Ok(Enrolment {
            secret_base32: totp::secret_base32(&secret),
            qr_svg: totp::qr_svg(&otpauth_uri)?,
            otpauth_uri,
        })
    }

    /// Confirms the pending enrolment with a code from the app: the second factor becomes
    /// active and ten recovery codes are issued (shown once). A session that was waiting for
    /// the enrolment opens fully, under a new secret.
    ///
    /// # Errors
    /// `request_invalid` (pointer `/code`) for a wrong code; `second_factor_not_pending` when no
    /// enrolment was started; `second_factor_already_enrolled`; when the store fails.
    pub async fn confirm_second_factor(
        &self,
        session: &SessionUser,
        code: &str,
        by: &Actor,
    ) -> Result<Confirmation, CoreError> {
        if session.stage == SessionStage::SecondFactor {
            return Err(second_factor_first());
        }
        let user = &session.user;
        let row = match self.metadata.second_factor(&user.id).await? {
            Some(row) if row.is_active() => return Err(already_enrolled()),
            Some(row) => row,
            None => {
                return Err(nothing_pending(
                    "no enrolment was started: POST /api/v1/session/totp first",
                ));
            }
        };
        let secret = self.open_totp_secret(&row).await?;
        let now = OffsetDateTime::now_utc();
        let Some(step) = totp::matching_step(&secret, code.trim(), unix_seconds(now), None)? else {
            let mut event = fonds_store::NewAuditEvent::success(
                by,
                actions::SECOND_FACTOR_FAILED,
                Some(("user", user.id.clone())),
                serde_json::json!({ "reason": "wrong_code", "during": "enrolment" }),
            )
            .at(now);
            event.outcome = AuditOutcome::Refused;
            self.metadata.append_audit_event(&event).await?;
            return Err(CoreError::fields(vec![FieldError {
                pointer: "/code".into(),
                code: ErrorCode::RequestInvalid.as_str().into(),
                detail: "the code does not match the new secret: check the app's clock and give \
                         the six digits it shows now"
                    .into(),
            }]));
        };
        let codes = recovery::new_codes()?;
        let hashes: Vec<String> = codes.iter().map(|c| recovery::hash(c)).collect();
        let promoted = match session.stage {
            SessionStage::Enrolment => Some(self.promotion(session, now)?),
            SessionStage::Full | SessionStage::SecondFactor => None,
        };
        let confirmed = self
            .metadata
            .confirm_second_factor(
                &user.id,
                step,
                &hashes,
                promoted.as_ref().map(|(promotion, _)| promotion),
                now,
                by,
            )
            .await?;
        if !confirmed {
            return Err(nothing_pending(
                "the enrolment changed meanwhile (confirmed, restarted or reset); start again",
            ));
        }
        Ok(Confirmation {
            recovery_codes: codes.iter().map(|c| c.as_str().to_owned()).collect(),
            promoted: promoted.map(|(_, login)| login),
        })
    }

    /// A new secret for `session` and the promotion that moves the session to it.
    fn promotion(
        &self,
        session: &SessionUser,
        now: OffsetDateTime,
    ) -> Result<(SessionPromotion, NewLogin), CoreError> {
        let secret = hashing::new_session_secret()?;
        let idle =
            add(now, self.settings.people.session_idle_timeout).min(session.absolute_expires_at);
        let promotion = SessionPromotion {
            from_id: session.session_id.clone(),
            from_stage: session.stage,
            to_id: hashing::session_id(&secret),
            at: now,
            idle_expires_at: idle,
        };
        let login = NewLogin {
            csrf_token: hashing::csrf_token(&secret),
            secret,
            user: session.user.clone(),
            expires_at: session.absolute_expires_at,
            stage: SessionStage::Full,
        };
        Ok((promotion, login))
    }

    /// Completes a login with the second factor: a TOTP code (of a time step not used before)
    /// or an unused recovery code. The session opens fully under a new secret, returned once.
    /// A wrong or replayed code counts toward the lockout.
    ///
    /// # Errors
    /// `second_factor_failed`; `account_locked` while locked; `second_factor_not_pending` when
    /// the session is not waiting for a second factor; when the store fails.
    pub async fn pass_second_factor(
        &self,
        session: &SessionUser,
        code: &str,
        by: &Actor,
    ) -> Result<NewLogin, CoreError> {
        if session.stage != SessionStage::SecondFactor {
            return Err(nothing_pending(
                "this session is not waiting for a second factor",
            ));
        }
        let user = &session.user;
        let now = OffsetDateTime::now_utc();
        if let Some(until) = user.locked_until.filter(|until| *until > now) {
            let mut event = fonds_store::NewAuditEvent::success(
                by,
                actions::SECOND_FACTOR_FAILED,
                Some(("user", user.id.clone())),
                serde_json::json!({ "reason": "locked_out" }),
            )
            .at(now);
            event.outcome = AuditOutcome::Refused;
            self.metadata.append_audit_event(&event).await?;
            return Err(locked(Some(until), now));
        }
        let row = self
            .metadata
            .second_factor(&user.id)
            .await?
            .filter(SecondFactorRow::is_active)
            .ok_or_else(|| nothing_pending("the person has no active second factor"))?;
        let code = code.trim();
        let proof = if totp::looks_like_code(code) {
            let secret = self.open_totp_secret(&row).await?;
            totp::matching_step(&secret, code, unix_seconds(now), row.last_used_step)?
                .map(|step| SecondFactorProof::Totp { step })
        } else if recovery::looks_like_recovery_code(code) {
            Some(SecondFactorProof::RecoveryCode {
                code_hash: recovery::hash(code),
            })
        } else {
            None
        };
        if let Some(proof) = proof {
            let (promotion, login) = self.promotion(session, now)?;
            if self
                .metadata
                .pass_second_factor(&user.id, &proof, &promotion, by)
                .await?
            {
                return Ok(login);
            }
        }
        let failed = self
            .metadata
            .record_failed_login(
                &user.id,
                now,
                &self.settings.people.lockout(),
                LoginFailure::WrongSecondFactor,
                by,
            )
            .await?;
        if failed.locked_until.is_some() {
            tracing::warn!(login = %user.login, failures = failed.failures, "account locked after failed second-factor codes");
        }
        Err(wrong_code())
    }

    /// Removes a person's second factor and recovery codes (a lost device), ending sessions
    /// that waited for it. They enrol again at their next login when the policy requires it.
    ///
    /// # Errors
    /// `request_invalid` for an unknown login; `second_factor_not_pending` when they have none;
    /// when the store fails.
    pub async fn reset_second_factor(&self, login: &str, by: &Actor) -> Result<(), CoreError> {
        let user = self.user_or_404(login).await?;
        if self
            .metadata
            .reset_second_factor(&user.id, OffsetDateTime::now_utc(), by)
            .await?
        {
            Ok(())
        } else {
            Err(nothing_pending(&format!(
                "{login} has no second factor to reset"
            )))
        }
    }

    /// How long a session that waits for its second factor lives.
    pub(super) fn second_factor_wait(&self) -> Duration {
        SECOND_FACTOR_WAIT.min(self.settings.people.session_absolute_timeout)
    }
}
