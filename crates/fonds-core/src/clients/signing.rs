//! The request-signing scheme shared by clients and webhooks (docs/integration.md).
//!
//! The string to sign is eight lines joined by LF: the scheme name, the client id, the method,
//! the path, the canonical query, the timestamp, the nonce and the body's SHA-256. The key is the
//! client's secret as UTF-8. Verification compares MACs in constant time.

use fonds_domain::SigningAlgorithm;
use hmac::{KeyInit, Mac};

/// What a signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignedParts<'a> {
    /// The signing algorithm of the client.
    pub algorithm: SigningAlgorithm,
    /// The client id.
    pub client: &'a str,
    /// The HTTP method.
    pub method: &'a str,
    /// The path as sent, without the query.
    pub path: &'a str,
    /// The raw query string as sent, if any.
    pub query: Option<&'a str>,
    /// The timestamp header, as sent.
    pub timestamp: &'a str,
    /// The nonce header, as sent.
    pub nonce: &'a str,
    /// The body's SHA-256 header, as sent.
    pub content_sha256: &'a str,
}

/// The query's `&`-separated pieces as sent, empty ones dropped, sorted by their bytes.
#[must_use]
pub fn canonical_query(raw: Option<&str>) -> String {
    let mut pieces: Vec<&str> = raw
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .collect();
    pieces.sort_unstable();
    pieces.join("&")
}

/// The string to sign.
#[must_use]
pub fn string_to_sign(parts: &SignedParts<'_>) -> String {
    [
        parts.algorithm.scheme(),
        parts.client,
        &parts.method.to_ascii_uppercase(),
        parts.path,
        &canonical_query(parts.query),
        parts.timestamp,
        parts.nonce,
        parts.content_sha256,
    ]
    .join("\n")
}

enum AnyMac {
    Sha256(hmac::Hmac<sha2::Sha256>),
    Sm3(hmac::Hmac<sm3::Sm3>),
}

fn mac(algorithm: SigningAlgorithm, secret: &str, message: &str) -> AnyMac {
    // HMAC accepts keys of any length, so building the MAC cannot fail; the fallback keeps the
    // code free of panics all the same.
    let key = secret.as_bytes();
    match algorithm {
        SigningAlgorithm::HmacSha256 => {
            let mut m =
                <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| {
                    <hmac::Hmac<sha2::Sha256> as KeyInit>::new(&Default::default())
                });
            m.update(message.as_bytes());
            AnyMac::Sha256(m)
        }
        SigningAlgorithm::HmacSm3 => {
            let mut m = <hmac::Hmac<sm3::Sm3> as KeyInit>::new_from_slice(key)
                .unwrap_or_else(|_| <hmac::Hmac<sm3::Sm3> as KeyInit>::new(&Default::default()));
            m.update(message.as_bytes());
            AnyMac::Sm3(m)
        }
    }
}

/// The signature of `parts` with `secret`, as lower-case hex.
#[must_use]
pub fn sign(parts: &SignedParts<'_>, secret: &str) -> String {
    match mac(parts.algorithm, secret, &string_to_sign(parts)) {
        AnyMac::Sha256(m) => hex::encode(m.finalize().into_bytes()),
        AnyMac::Sm3(m) => hex::encode(m.finalize().into_bytes()),
    }
}

/// Whether `signature` (hex) is the signature of `parts` with `secret`; constant-time.
#[must_use]
pub fn verify(parts: &SignedParts<'_>, secret: &str, signature: &str) -> bool {
    let Ok(given) = hex::decode(signature) else {
        return false;
    };
    match mac(parts.algorithm, secret, &string_to_sign(parts)) {
        AnyMac::Sha256(m) => m.verify_slice(&given).is_ok(),
        AnyMac::Sm3(m) => m.verify_slice(&given).is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of docs/integration.md.
    fn example(algorithm: SigningAlgorithm) -> SignedParts<'static> {
        SignedParts {
            algorithm,
            client: "fc_0123456789abcdef01234567",
            method: "post",
            path: "/api/v1/submissions",
            query: Some("wait=5&b=2&a=1"),
            timestamp: "1700000000",
            nonce: "n0nce-Example_123456",
            content_sha256: "029a6dc2b2fb96b906546e83eb902d36c06858a9179d8019dbed6246319ce06e",
        }
    }

    const SECRET: &str = "fcs_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn the_string_to_sign_has_eight_lines_with_the_query_sorted() {
        let sts = string_to_sign(&example(SigningAlgorithm::HmacSha256));
        let lines: Vec<&str> = sts.lines().collect();
        assert_eq!(lines.len(), 8);
        assert_eq!(lines[0], "FONDS1-HMAC-SHA256");
        assert_eq!(lines[2], "POST");
        assert_eq!(lines[4], "a=1&b=2&wait=5");
        assert!(!sts.ends_with('\n'));
        assert_eq!(canonical_query(None), "");
        assert_eq!(canonical_query(Some("&b=1&&a=2")), "a=2&b=1");
    }

    #[test]
    fn the_worked_example_of_the_integration_guide_signs_to_its_published_values() {
        // docs/integration.md; the Python and Java example clients check the same values.
        use sha2::Digest as _;
        let body_sha256 = hex::encode(sha2::Sha256::digest(b"hello, fonds!"));
        assert_eq!(
            body_sha256,
            example(SigningAlgorithm::HmacSha256).content_sha256
        );
        assert_eq!(
            sign(&example(SigningAlgorithm::HmacSha256), SECRET),
            "543592444693b1d9541a820374fd0859714951a93b792bdbeacfdd3c41c7e1ee"
        );
        assert_eq!(
            sign(&example(SigningAlgorithm::HmacSm3), SECRET),
            "64d763be942ff6d37df0e4d9c9e66ee9b7e72ce4e1deec9a3e275402c572abdd"
        );
    }

    #[test]
    fn a_signature_verifies_only_with_the_same_secret_and_parts() {
        for algorithm in [SigningAlgorithm::HmacSha256, SigningAlgorithm::HmacSm3] {
            let parts = example(algorithm);
            let signature = sign(&parts, SECRET);
            assert_eq!(signature.len(), 64);
            assert!(verify(&parts, SECRET, &signature));
            assert!(!verify(&parts, "fcs_other", &signature));
            let mut changed = parts;
            changed.nonce = "another-nonce-123456";
            assert!(!verify(&changed, SECRET, &signature));
            assert!(!verify(&parts, SECRET, "not hex"));
        }
        let sha = sign(&example(SigningAlgorithm::HmacSha256), SECRET);
        let sm3 = sign(&example(SigningAlgorithm::HmacSm3), SECRET);
        assert_ne!(sha, sm3);
    }
}
