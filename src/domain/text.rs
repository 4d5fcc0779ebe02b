//! Free-text fields: trimmed, non-empty, with a length limit that names the field when exceeded.

use super::FieldError;

/// Trims `raw`; an empty result is `None` (an optional field left blank).
pub fn optional(field: &str, raw: Option<String>, max_chars: usize) -> Result<Option<String>, FieldError> {
    match raw.map(|s| s.trim().to_string()) {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) if s.chars().count() > max_chars => Err(FieldError::new(
            field,
            "too_long",
            format!("{field} is {} characters; shorten it to at most {max_chars}", s.chars().count()),
        )),
        Some(s) if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') => {
            Err(FieldError::new(field, "invalid", format!("{field} contains control characters; remove them")))
        }
        Some(s) => Ok(Some(s)),
    }
}

/// Like [`optional`], but a missing or blank value is an error.
pub fn required(field: &str, raw: Option<String>, max_chars: usize) -> Result<String, FieldError> {
    optional(field, raw, max_chars)?.ok_or_else(|| FieldError::required(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_limits() {
        assert_eq!(optional("n", Some("  a b ".into()), 10).unwrap().as_deref(), Some("a b"));
        assert_eq!(optional("n", Some("   ".into()), 10).unwrap(), None);
        assert_eq!(optional("n", Some("abcdef".into()), 5).unwrap_err().code, "too_long");
        assert_eq!(required("name", None, 5).unwrap_err().message, "name is required");
        assert_eq!(optional("n", Some("a\u{0}b".into()), 5).unwrap_err().code, "invalid");
    }
}
