//! TOTP as RFC 6238 defines it and authenticator apps speak it: HMAC-SHA-1, six digits, 30-second
//! steps, one step of clock skew either way. This module holds the mechanics only (secrets,
//! codes, the otpauth URI and its QR code); keeping the secret and using each step once is the
//! service's job.

use totp_rs::{Algorithm, Builder, Totp};
use zeroize::Zeroizing;

use crate::error::CoreError;

/// The issuer authenticator apps show beside the account.
pub const ISSUER: &str = "Fonds";

/// Digits in a code.
pub const DIGITS: usize = 6;

/// Seconds in a time step.
pub const STEP_SECONDS: u64 = 30;

/// Bytes in a new secret: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

fn internal(what: &str, error: impl std::fmt::Display) -> CoreError {
    CoreError::internal(std::io::Error::other(format!("{what}: {error}")))
}

/// A new random secret.
///
/// # Errors
/// When the system random number generator fails.
pub(super) fn new_secret() -> Result<Zeroizing<Vec<u8>>, CoreError> {
    Ok(Zeroizing::new(
        super::hashing::random::<SECRET_BYTES>()?.to_vec(),
    ))
}

fn totp(secret: &[u8], account: &str) -> Result<Totp, CoreError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret.to_vec())
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(|e| internal("a TOTP secret or account name the RFC refuses", e))
}

/// The secret in base 32, for typing into an app that cannot scan.
pub(super) fn secret_base32(secret: &[u8]) -> String {
    totp_rs::Secret::from(secret.to_vec()).to_base32()
}

/// The `otpauth://totp/Fonds:<account>?secret=…&issuer=Fonds` URI an app scans.
///
/// # Errors
/// When the account name is not allowed in the URI (a `:`); login names never have one.
pub(super) fn otpauth_uri(secret: &[u8], account: &str) -> Result<String, CoreError> {
    totp(secret, account)?
        .to_url()
        .map_err(|e| internal("the otpauth URI", e))
}

/// The URI as a QR code: an SVG document a browser shows in an `<img>` (as a `data:` URI) or
/// inline.
///
/// # Errors
/// When the URI is too long for a QR code (it never is: about 100 bytes).
pub(super) fn qr_svg(uri: &str) -> Result<String, CoreError> {
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(|e| internal("the QR code", e))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build())
}

/// Whether `code` looks like a TOTP code (six digits) rather than a recovery code.
pub(super) fn looks_like_code(code: &str) -> bool {
    code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())
}

/// The time step whose code `code` is, among the steps around `unix_seconds` allowed for clock
/// skew and later than `after` (the last step used), if any.
///
/// # Errors
/// When the secret is unusable.
pub(super) fn matching_step(
    secret: &[u8],
    code: &str,
    unix_seconds: u64,
    after: Option<u64>,
) -> Result<Option<u64>, CoreError> {
    if !looks_like_code(code) {
        return Ok(None);
    }
    let totp = totp(secret, "code")?;
    let now = unix_seconds / STEP_SECONDS;
    let mut found = None;
    // Every candidate is computed and compared, so the time taken does not tell which matched.
    for step in now.saturating_sub(1)..=now + 1 {
        let expected = totp.generate(step * STEP_SECONDS).to_string();
        let same = expected.len() == code.len()
            && expected
                .bytes()
                .zip(code.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same && after.is_none_or(|last| step > last) && found.is_none() {
            found = Some(step);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code of the time step that holds `unix_seconds`.
    fn code_at(secret: &[u8], unix_seconds: u64) -> Result<String, CoreError> {
        Ok(totp(secret, "code")?.generate(unix_seconds).to_string())
    }

    // RFC 6238 Appendix B, SHA-1, truncated to six digits.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_follow_the_rfc_6238_test_vectors() -> Result<(), CoreError> {
        assert_eq!(code_at(RFC_SECRET, 59)?, "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109)?, "081804");
        assert_eq!(code_at(RFC_SECRET, 1_234_567_890)?, "005924");
        assert_eq!(code_at(RFC_SECRET, 2_000_000_000)?, "279037");
        Ok(())
    }

    #[test]
    fn a_code_matches_its_step_and_its_neighbours_but_not_a_used_one() -> Result<(), CoreError> {
        let now = 1_234_567_890;
        let step = now / STEP_SECONDS;
        let code = code_at(RFC_SECRET, now)?;
        assert_eq!(matching_step(RFC_SECRET, &code, now, None)?, Some(step));
        // Thirty seconds late or early still passes: one step of skew.
        assert_eq!(
            matching_step(RFC_SECRET, &code, now + 30, None)?,
            Some(step)
        );
        assert_eq!(
            matching_step(RFC_SECRET, &code, now - 30, None)?,
            Some(step)
        );
        assert_eq!(matching_step(RFC_SECRET, &code, now + 90, None)?, None);
        assert_eq!(matching_step(RFC_SECRET, &code, now, Some(step))?, None);
        assert_eq!(
            matching_step(RFC_SECRET, &code, now, Some(step - 1))?,
            Some(step)
        );
        assert_eq!(matching_step(RFC_SECRET, "12345", now, None)?, None);
        assert_eq!(matching_step(RFC_SECRET, "abcdef", now, None)?, None);
        Ok(())
    }

    #[test]
    fn the_uri_and_qr_code_carry_the_secret_for_an_app() -> Result<(), CoreError> {
        let uri = otpauth_uri(RFC_SECRET, "alice")?;
        assert_eq!(
            uri,
            format!(
                "otpauth://totp/Fonds:alice?secret={}&issuer=Fonds",
                secret_base32(RFC_SECRET)
            )
        );
        let svg = qr_svg(&uri)?;
        assert!(svg.contains("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(otpauth_uri(RFC_SECRET, "a:b").is_err());
        Ok(())
    }
}
