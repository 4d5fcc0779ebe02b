//! Random tokens (sessions, API tokens) and their stored form. A token is 256 random bits, so its SHA-256
//! is a safe thing to store and to look up by; argon2's slowness is for secrets people choose.

use base64::Engine;
use sha2::{Digest, Sha256};

/// A new secret token, e.g. `gict_3q2-…`: a short readable prefix, then 43 URL-safe characters.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored for a token: lowercase hex SHA-256.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The anti-forgery token of a session: derived from the session's secret, so it needs no storage and
/// cannot be guessed by a page on another site.
pub fn csrf_for_session(session_token: &str) -> String {
    hash_token(&format!("greenict-csrf\0{session_token}"))
}

/// Equal without revealing, through timing, how much of the two matched.
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_url_safe() {
        let a = new_token("gict_");
        let b = new_token("gict_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 5 + 43);
        assert!(a[5..].chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn hash_is_sha256_hex() {
        // Known answer: SHA-256("abc") from FIPS 180-2, appendix B.1.
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn csrf_differs_per_session_and_from_the_session_hash() {
        assert_ne!(csrf_for_session("s1"), csrf_for_session("s2"));
        assert_ne!(csrf_for_session("s1"), hash_token("s1"));
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
