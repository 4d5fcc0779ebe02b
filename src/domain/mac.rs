//! `MacAddress`: a device's Ethernet address, accepted in the common written forms and kept normalised
//! as lower-case `aa:bb:cc:dd:ee:ff`; `MacAddresses`: a device's list of them.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacAddress(pub [u8; 6]);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacError(String);

impl fmt::Display for MacError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MacError {}

impl FromStr for MacAddress {
    type Err = MacError;

    /// Accepts `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF`, Cisco's `aabb.ccdd.eeff` and bare `aabbccddeeff`.
    fn from_str(raw: &str) -> Result<MacAddress, MacError> {
        let s = raw.trim();
        let hex: String = match (s.contains(':'), s.contains('-'), s.contains('.')) {
            (true, false, false) | (false, true, false) => {
                let sep = if s.contains(':') { ':' } else { '-' };
                let parts: Vec<&str> = s.split(sep).collect();
                if parts.len() != 6 || parts.iter().any(|p| p.len() != 2) {
                    return Err(bad(raw));
                }
                parts.concat()
            }
            (false, false, true) => {
                let parts: Vec<&str> = s.split('.').collect();
                if parts.len() != 3 || parts.iter().any(|p| p.len() != 4) {
                    return Err(bad(raw));
                }
                parts.concat()
            }
            (false, false, false) => s.to_string(),
            _ => return Err(bad(raw)),
        };
        if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad(raw));
        }
        let mut bytes = [0u8; 6];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).map_err(|_| bad(raw))?;
        }
        let mac = MacAddress(bytes);
        if bytes == [0; 6] || bytes == [0xff; 6] {
            return Err(MacError(format!("'{raw}' is not a device's address (all zeros or broadcast)")));
        }
        if bytes[0] & 1 == 1 {
            return Err(MacError(format!(
                "'{raw}' is a multicast address, not a device's; check the first pair of digits"
            )));
        }
        Ok(mac)
    }
}

fn bad(raw: &str) -> MacError {
    MacError(format!(
        "'{raw}' is not a MAC address; write six pairs of hex digits, e.g. 00:1a:2b:3c:4d:5e, 00-1A-2B-3C-4D-5E or 001a.2b3c.4d5e"
    ))
}

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(f, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3], b[4], b[5])
    }
}

impl Serialize for MacAddress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MacAddress {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MacAddress, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A device's MAC addresses, without duplicates, in the order given. Stored as one comma-separated
/// column so free-text search can find any of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<MacAddress>")]
pub struct MacAddresses(Vec<MacAddress>);

impl From<Vec<MacAddress>> for MacAddresses {
    fn from(list: Vec<MacAddress>) -> MacAddresses {
        MacAddresses::new(list)
    }
}

impl MacAddresses {
    pub fn new(list: Vec<MacAddress>) -> MacAddresses {
        let mut out: Vec<MacAddress> = Vec::with_capacity(list.len());
        for m in list {
            if !out.contains(&m) {
                out.push(m);
            }
        }
        MacAddresses(out)
    }

    pub fn as_slice(&self) -> &[MacAddress] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The stored form: "aa:bb:cc:dd:ee:ff,11:22:33:44:55:66", or None for no addresses.
    pub fn to_column(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| self.0.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(","))
    }

    /// Reads the stored form back; anything unreadable was never written by us, so it is skipped.
    pub fn from_column(col: Option<&str>) -> MacAddresses {
        MacAddresses(col.unwrap_or("").split(',').filter_map(|s| s.parse().ok()).collect())
    }

    /// Parses a list typed by a person: separated by commas, semicolons, spaces or new lines.
    pub fn parse_list(raw: &str) -> Result<MacAddresses, MacError> {
        let list = raw
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MacAddresses::new(list))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_forms_normalise_to_one() {
        for raw in ["00:1a:2b:3c:4d:5e", "00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e", "001A2B3C4D5E", " 00:1A:2b:3C:4d:5E "] {
            assert_eq!(raw.parse::<MacAddress>().unwrap().to_string(), "00:1a:2b:3c:4d:5e", "{raw}");
        }
    }

    #[test]
    fn refuses_malformed_and_non_device_addresses() {
        for raw in [
            "",
            "00:1a:2b:3c:4d",
            "00:1a:2b:3c:4d:5e:6f",
            "00:1a-2b:3c:4d:5e",
            "0g:1a:2b:3c:4d:5e",
            "001a.2b3c.4d5",
            "00:00:00:00:00:00",
            "ff:ff:ff:ff:ff:ff",
            "01:00:5e:00:00:01",
            "0:1a:2b:3c:4d:5e",
        ] {
            assert!(raw.parse::<MacAddress>().is_err(), "{raw} should be refused");
        }
    }

    #[test]
    fn lists_dedupe_and_round_trip_the_column() {
        let l = MacAddresses::parse_list("00-1A-2B-3C-4D-5E; 001a.2b3c.4d5e, 02:00:00:00:00:01").unwrap();
        assert_eq!(l.as_slice().len(), 2);
        let col = l.to_column().unwrap();
        assert_eq!(col, "00:1a:2b:3c:4d:5e,02:00:00:00:00:01");
        assert_eq!(MacAddresses::from_column(Some(&col)), l);
        assert_eq!(MacAddresses::default().to_column(), None);
        let json: MacAddresses = serde_json::from_str(r#"["00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e"]"#).unwrap();
        assert_eq!(json.as_slice().len(), 1, "JSON lists are deduplicated too");
    }
}
