//! `AssetTag`: the council's unique label for one device, as printed on its sticker.

use serde::{Deserialize, Deserializer, Serialize};
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct AssetTag(String);

const MAX_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetTagError(String);

impl fmt::Display for AssetTagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AssetTagError {}

impl FromStr for AssetTag {
    type Err = AssetTagError;

    /// Letters, digits, `-`, `_` and `.`; kept as written (trimmed) because stickers are already printed.
    /// Slashes and spaces are refused so a tag is always safe in a URL path.
    fn from_str(raw: &str) -> Result<AssetTag, AssetTagError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(AssetTagError("asset_tag is required".into()));
        }
        if s.len() > MAX_LEN {
            return Err(AssetTagError(format!("asset tag is {} characters; the limit is {MAX_LEN}", s.len())));
        }
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
            return Err(AssetTagError(format!(
                "asset tag '{s}' contains '{c}'; use only letters, digits, '-', '_' and '.'"
            )));
        }
        Ok(AssetTag(s.to_string()))
    }
}

impl AssetTag {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AssetTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AssetTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AssetTag, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_sticker_forms_and_refuses_unsafe_ones() {
        assert_eq!(" WCC-000123 ".parse::<AssetTag>().unwrap().as_str(), "WCC-000123");
        assert!("PC_12.a".parse::<AssetTag>().is_ok());
        for bad in ["", "   ", "A/B", "A B", "A?B", "Ä1", &"x".repeat(65)] {
            assert!(bad.parse::<AssetTag>().is_err(), "{bad}");
        }
    }
}
