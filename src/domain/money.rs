//! `Gbp`: an amount of money in pounds sterling, exact to the penny, held as a Decimal and stored as pence.

use rust_decimal::Decimal;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

/// Pounds and pence, never a float. At most 2 decimal places; shown and sent as e.g. "1234.50".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gbp(Decimal);

/// The largest amount accepted: far beyond any asset, and its pence still fit an i64.
const MAX_POUNDS: i64 = 999_999_999_999_999;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyError(String);

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MoneyError {}

impl Gbp {
    pub fn from_pence(pence: i64) -> Gbp {
        Gbp(Decimal::new(pence, 2))
    }

    pub fn pence(&self) -> i64 {
        // Exact: at most 2 decimal places and bounded by MAX_POUNDS, checked on every way in.
        let p = self.0 * Decimal::ONE_HUNDRED;
        i64::try_from(p.trunc()).unwrap_or(i64::MAX)
    }

    pub fn decimal(&self) -> Decimal {
        self.0
    }

    pub fn is_negative(&self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn from_decimal(d: Decimal) -> Result<Gbp, MoneyError> {
        if d.normalize().scale() > 2 {
            return Err(MoneyError(format!("£{d} has more than 2 decimal places; give pounds and pence, e.g. 12.50")));
        }
        if d.abs() > Decimal::from(MAX_POUNDS) {
            return Err(MoneyError(format!("£{d} is too large; the limit is £{MAX_POUNDS}")));
        }
        Ok(Gbp(d.round_dp(2)))
    }
}

impl FromStr for Gbp {
    type Err = MoneyError;

    /// Accepts "1234.5", "1234.50", "£1,234.50" and "-3.00"; thousands separators must group in threes.
    fn from_str(raw: &str) -> Result<Gbp, MoneyError> {
        let s = raw.trim();
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, s),
        };
        let s = s.strip_prefix('£').unwrap_or(s);
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (s, None),
        };
        let bad = || {
            MoneyError(format!("'{raw}' is not an amount of money; write pounds and pence like 1234.50 or £1,234.50"))
        };
        if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit() || c == ',') {
            return Err(bad());
        }
        if whole.contains(',') {
            let groups: Vec<&str> = whole.split(',').collect();
            let first_ok = (1..=3).contains(&groups[0].len());
            if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
                return Err(bad());
            }
        }
        if let Some(f) = frac {
            if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            if f.len() > 2 {
                return Err(MoneyError(format!(
                    "'{raw}' has more than 2 decimal places; round it to the penny, e.g. 12.50"
                )));
            }
        }
        let digits = format!("{}{}.{}", if negative { "-" } else { "" }, whole.replace(',', ""), frac.unwrap_or("0"));
        let d = Decimal::from_str(&digits).map_err(|_| bad())?;
        Gbp::from_decimal(d)
    }
}

impl fmt::Display for Gbp {
    /// "1234.50": the form used in the API and CSV. Pages use [`Gbp::to_uk_string`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

impl Gbp {
    /// "£1,234.50" for people.
    pub fn to_uk_string(&self) -> String {
        let plain = format!("{:.2}", self.0.abs());
        let (whole, frac) = plain.split_once('.').unwrap_or((&plain, "00"));
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.is_negative() { "-" } else { "" };
        format!("{sign}£{grouped}.{frac}")
    }
}

impl Serialize for Gbp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Gbp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Gbp, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Gbp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount of money as a string, e.g. \"1234.50\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Gbp, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Gbp, E> {
                Gbp::from_decimal(Decimal::from(v)).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Gbp, E> {
                Gbp::from_decimal(Decimal::from(v)).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Gbp, E> {
                Err(E::custom(format!("money must be a string so no penny is lost: write \"{v:.2}\" rather than {v}")))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_people_write() {
        let cases = [
            ("0.30", 30),
            ("0.3", 30),
            ("12", 1200),
            ("£1,234.56", 123456),
            ("1234567890123.45", 123456789012345),
            ("-3.00", -300),
            (" 7.05 ", 705),
        ];
        for (raw, pence) in cases {
            assert_eq!(raw.parse::<Gbp>().unwrap().pence(), pence, "{raw}");
        }
    }

    #[test]
    fn refuses_what_is_not_money() {
        for raw in ["", "abc", "1.234", "1,23.00", "12,3456", "1.", "£", "1e5", "--1", "1 000"] {
            assert!(raw.parse::<Gbp>().is_err(), "{raw} should be refused");
        }
        assert!("1.234".parse::<Gbp>().unwrap_err().to_string().contains("2 decimal places"));
    }

    #[test]
    fn shows_two_places_and_uk_grouping() {
        assert_eq!(Gbp::from_pence(30).to_string(), "0.30");
        assert_eq!(Gbp::from_pence(123456789012345).to_string(), "1234567890123.45");
        assert_eq!(Gbp::from_pence(123456).to_uk_string(), "£1,234.56");
        assert_eq!(Gbp::from_pence(-50).to_uk_string(), "-£0.50");
        assert_eq!(Gbp::from_pence(100000).to_uk_string(), "£1,000.00");
    }

    #[test]
    fn json_is_a_string_and_floats_are_refused() {
        assert_eq!(serde_json::to_string(&Gbp::from_pence(30)).unwrap(), "\"0.30\"");
        assert_eq!(serde_json::from_str::<Gbp>("\"0.30\"").unwrap().pence(), 30);
        assert_eq!(serde_json::from_str::<Gbp>("12").unwrap().pence(), 1200);
        let err = serde_json::from_str::<Gbp>("0.3").unwrap_err().to_string();
        assert!(err.contains("must be a string"), "{err}");
    }
}
