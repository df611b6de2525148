//! Argon2id password hashes as PHC strings, and the secrets of sessions.
//!
//! Hashing is deliberately slow, so it runs on the blocking pool, never on the async workers.
//! A login for an unknown account verifies against a dummy hash made with the same parameters,
//! so it costs as long as a wrong password for a real one.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use hmac::Mac as _;
use sha2::Digest as _;

use crate::error::CoreError;

/// The Argon2id instance: the crate's defaults (19 MiB, 2 passes, 1 lane), the OWASP minimum.
fn argon2() -> argon2::Argon2<'static> {
    argon2::Argon2::default()
}

pub(super) fn random<const N: usize>() -> Result<[u8; N], CoreError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| CoreError::internal(std::io::Error::other(e.to_string())))?;
    Ok(bytes)
}

fn hash_now(password: &[u8]) -> Result<String, CoreError> {
    let salt = random::<16>()?;
    argon2()
        .hash_password_with_salt(password, &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| CoreError::internal(std::io::Error::other(format!("argon2: {e}"))))
}

/// The Argon2id PHC string of `password`.
///
/// # Errors
/// When the random source or the hasher fails.
pub(super) async fn hash_password(password: String) -> Result<String, CoreError> {
    tokio::task::spawn_blocking(move || hash_now(password.as_bytes()))
        .await
        .map_err(CoreError::internal)?
}

static DUMMY: OnceLock<String> = OnceLock::new();

/// Whether `password` matches `phc`; with `phc` absent (an unknown account), verifies against
/// the dummy hash and answers `false`, taking as long as a real check.
///
/// # Errors
/// When the dummy hash cannot be made or the blocking pool fails.
pub(super) async fn verify_password(
    password: String,
    phc: Option<String>,
) -> Result<bool, CoreError> {
    tokio::task::spawn_blocking(move || {
        let known = phc.is_some();
        let phc = match phc {
            Some(phc) => phc,
            None => match DUMMY.get() {
                Some(dummy) => dummy.clone(),
                None => {
                    let made = hash_now(&random::<32>()?)?;
                    DUMMY.get_or_init(|| made).clone()
                }
            },
        };
        let matches = argon2()
            .verify_password(password.as_bytes(), phc.as_str())
            .is_ok();
        Ok(known && matches)
    })
    .await
    .map_err(CoreError::internal)?
}

/// A new session secret: 32 random bytes as 64 hex digits, shown once, in the cookie.
///
/// # Errors
/// When the random source fails.
pub(super) fn new_session_secret() -> Result<String, CoreError> {
    Ok(hex::encode(random::<32>()?))
}

/// The id under which a session is stored: the SHA-256 of its secret, as hex.
pub(super) fn session_id(secret: &str) -> String {
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

/// The session's CSRF token: an HMAC-SHA256 of a fixed label keyed by the session secret. Only
/// whoever holds the cookie can compute it, the server recomputes it on every request without
/// storing it, and it dies with the session.
pub(super) fn csrf_token(secret: &str) -> String {
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| <hmac::Hmac<sha2::Sha256> as hmac::KeyInit>::new(&Default::default()));
    mac.update(b"fonds.csrf.v1");
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `presented` is the session's CSRF token, compared in constant time.
pub(super) fn csrf_matches(secret: &str, presented: &str) -> bool {
    let expected = csrf_token(secret);
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_is_argon2id_and_verifies_only_its_password() {
        let phc = hash_password("Blue-Kettle-42".to_owned())
            .await
            .expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(
            verify_password("Blue-Kettle-42".to_owned(), Some(phc.clone()))
                .await
                .expect("ok")
        );
        assert!(
            !verify_password("blue-kettle-42".to_owned(), Some(phc))
                .await
                .expect("ok")
        );
        assert!(
            !verify_password("Blue-Kettle-42".to_owned(), None)
                .await
                .expect("ok")
        );
    }

    #[test]
    fn the_csrf_token_is_bound_to_the_session() {
        let a = new_session_secret().expect("secret");
        let b = new_session_secret().expect("secret");
        assert!(csrf_matches(&a, &csrf_token(&a)));
        assert!(!csrf_matches(&a, &csrf_token(&b)));
        assert!(!csrf_matches(&a, ""));
        assert_ne!(session_id(&a), a);
    }
}
