//! Passwords: argon2id hashes in PHC form, and the rule for a new password.
//!
//! The rule follows the NCSC's password guidance (length over complexity; "three random words"): at least
//! 12 characters, not the username, not one character repeated, and not one of the most common passwords.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::domain::FieldError;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// argon2id with the crate's defaults (19 MiB, 2 passes: OWASP's minimum recommendation). CPU-heavy: call
/// from `spawn_blocking` in async code.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default parameters").to_string()
}

/// Whether `password` matches the stored PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

const COMMON: &[&str] = &[
    "password1234",
    "password12345",
    "123456789012",
    "qwertyuiopas",
    "letmein12345",
    "welcome12345",
    "passwordpassword",
    "iloveyou1234",
    "administrator",
    "changeme1234",
];

pub fn check_new(username: &str, password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    let problem = if n < MIN_LENGTH {
        Some(format!("the password must be at least {MIN_LENGTH} characters; three random words make a strong one"))
    } else if n > MAX_LENGTH {
        Some(format!("the password must be at most {MAX_LENGTH} characters"))
    } else if password.eq_ignore_ascii_case(username) {
        Some("the password must not be the username".to_string())
    } else if password.chars().all(|c| password.starts_with(c)) {
        Some("the password must not be one character repeated".to_string())
    } else if COMMON.iter().any(|c| c.eq_ignore_ascii_case(password)) {
        Some("that password is among the most commonly used; choose another".to_string())
    } else {
        None
    };
    match problem {
        Some(message) => Err(FieldError::new("password", "weak_password", message)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only_and_is_salted() {
        let h1 = hash("correct horse battery");
        let h2 = hash("correct horse battery");
        assert!(h1.starts_with("$argon2id$"), "{h1}");
        assert_ne!(h1, h2, "each hash has its own salt");
        assert!(verify("correct horse battery", &h1));
        assert!(!verify("correct horse batterz", &h1));
        assert!(!verify("correct horse battery", "not a hash"));
    }

    #[test]
    fn new_passwords_follow_the_rule() {
        assert!(check_new("amy", "short").is_err());
        assert!(check_new("amy.jones.council", "amy.jones.council").is_err());
        assert!(check_new("amy", "aaaaaaaaaaaaaaa").is_err());
        assert!(check_new("amy", "Password1234").is_err());
        assert!(check_new("amy", "kettle lantern orchard").is_ok());
    }
}
