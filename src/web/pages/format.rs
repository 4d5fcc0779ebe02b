//! How values read on pages: dates dd/mm/yyyy, times in UK clock time, money £1,234.56, watts, and
//! blanks as a dash.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::Gbp;

/// Shown where a value is not recorded.
pub const BLANK: &str = "—";

pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_else(|| BLANK.to_string())
}

/// A moment as a clock in the UK shows it (GMT or BST), e.g. "07/03/2025 14:05".
pub fn datetime(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::London).format("%d/%m/%Y %H:%M").to_string()
}

pub fn opt_money(m: Option<Gbp>) -> String {
    m.map(|g| g.to_uk_string()).unwrap_or_else(|| BLANK.to_string())
}

/// A number without a needless ".0": 45 rather than 45.0, 0.5 stays 0.5.
pub fn number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub fn watts(v: f64) -> String {
    format!("{} W", number(v))
}

pub fn text(v: &Option<String>) -> String {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => BLANK.to_string(),
    }
}

/// An ISO date for an `<input type="date">` value or a link's query string.
pub fn iso(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// A count with thousands separators: 1,234.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A field name from the API ("purchase_date") as words ("Purchase date").
pub fn field_words(name: &str) -> String {
    let words = name.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A value from an audit record made readable: ISO dates as dd/mm/yyyy, lists joined by commas.
pub fn audit_value(raw: &str) -> String {
    if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return date(d);
    }
    if raw.starts_with('[') {
        if let Ok(list) = serde_json::from_str::<Vec<serde_json::Value>>(raw) {
            let parts: Vec<String> = list
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect();
            return if parts.is_empty() { BLANK.to_string() } else { parts.join(", ") };
        }
    }
    raw.to_string()
}

/// A decimal figure with thousands separators, rounded half away from zero to `places`: 1,234.6.
pub fn decimal(d: rust_decimal::Decimal, places: u32) -> String {
    let rounded = d.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let plain = format!("{:.*}", places as usize, rounded.abs());
    let (whole, frac) = plain.split_once('.').map_or((plain.as_str(), ""), |(w, f)| (w, f));
    let grouped = count(whole.parse().unwrap_or(0));
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_forms() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 7).unwrap();
        assert_eq!(date(d), "07/03/2025");
        assert_eq!(opt_date(None), BLANK);
        assert_eq!(number(45.0), "45");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(watts(1.25), "1.25 W");
        assert_eq!(opt_money(Some(Gbp::from_pence(123456))), "£1,234.56");
        assert_eq!(text(&Some("  ".into())), BLANK);
    }

    #[test]
    fn times_are_uk_clock_time() {
        let utc = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // Winter is GMT, summer is BST (UTC+1); the clocks change at 01:00 UTC on the last Sundays of
        // March and October (30 March and 26 October in 2025).
        assert_eq!(datetime(utc("2025-01-15T09:30:00Z")), "15/01/2025 09:30");
        assert_eq!(datetime(utc("2025-07-01T23:30:00Z")), "02/07/2025 00:30");
        assert_eq!(datetime(utc("2025-03-30T00:59:00Z")), "30/03/2025 00:59");
        assert_eq!(datetime(utc("2025-03-30T01:00:00Z")), "30/03/2025 02:00");
        assert_eq!(datetime(utc("2025-10-26T00:59:00Z")), "26/10/2025 01:59");
        assert_eq!(datetime(utc("2025-10-26T01:00:00Z")), "26/10/2025 01:00");
    }

    #[test]
    fn counts_words_and_audit_values() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(field_words("purchase_date"), "Purchase date");
        assert_eq!(audit_value("2024-03-31"), "31/03/2024");
        assert_eq!(audit_value(r#"["00:1a:2b:3c:4d:5e","02:00:00:00:00:01"]"#), "00:1a:2b:3c:4d:5e, 02:00:00:00:00:01");
        assert_eq!(audit_value("[]"), BLANK);
        assert_eq!(audit_value("deployed"), "deployed");
    }

    #[test]
    fn decimals_are_grouped_and_rounded_half_up() {
        let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
        assert_eq!(decimal(d("196.46"), 1), "196.5");
        assert_eq!(decimal(d("1234567.25"), 1), "1,234,567.3");
        assert_eq!(decimal(d("-0.04"), 1), "0.0");
        assert_eq!(decimal(d("-1234.5"), 0), "-1,235");
    }
}
