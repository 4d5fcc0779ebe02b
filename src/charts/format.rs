//! Numbers the UK way for charts, tables and CSV: thousands separated by commas, a point for decimals,
//! £ before money, a minus sign before negatives ("-£1,234.56"). Pure.

use rust_decimal::{Decimal, RoundingStrategy};

/// `d` rounded half away from zero to `dp` places, with thousands separators and exactly `dp` decimals:
/// `grouped(1234567.891, 2)` is "1,234,567.89".
pub fn grouped(d: Decimal, dp: u32) -> String {
    let rounded = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let plain = format!("{:.*}", dp as usize, rounded.abs());
    let (whole, fraction) = match plain.split_once('.') {
        Some((w, f)) => (w.to_string(), Some(f.to_string())),
        None => (plain.clone(), None),
    };
    let mut out = String::with_capacity(plain.len() + whole.len() / 3 + 1);
    if negative {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(&f);
    }
    out
}

/// Money: "£1,234.56", "-£12.30".
pub fn money(d: Decimal, dp: u32) -> String {
    let s = grouped(d, dp);
    match s.strip_prefix('-') {
        Some(rest) => format!("-£{rest}"),
        None => format!("£{s}"),
    }
}

/// An axis tick from a float: as few decimals as the step between ticks needs (none for steps of 1 or
/// more, up to 3), with separators.
pub fn tick(v: f64, step: f64) -> String {
    let dp = if step >= 1.0 || step <= 0.0 { 0 } else { ((-step.log10()).ceil() as u32).min(3) };
    let d = Decimal::from_f64_retain(v).unwrap_or_default();
    grouped(d, dp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn thousands_and_rounding() {
        assert_eq!(grouped(dec("0"), 0), "0");
        assert_eq!(grouped(dec("999"), 0), "999");
        assert_eq!(grouped(dec("1000"), 0), "1,000");
        assert_eq!(grouped(dec("1234567.891"), 2), "1,234,567.89");
        assert_eq!(grouped(dec("1234.5"), 2), "1,234.50");
        // Half away from zero: 2.345 → 2.35, -2.345 → -2.35 (not banker's 2.34).
        assert_eq!(grouped(dec("2.345"), 2), "2.35");
        assert_eq!(grouped(dec("-2.345"), 2), "-2.35");
        assert_eq!(grouped(dec("-1234567"), 0), "-1,234,567");
        // A negative that rounds to zero is shown as zero, not "-0".
        assert_eq!(grouped(dec("-0.004"), 2), "0.00");
    }

    #[test]
    fn money_puts_the_pound_sign_after_the_minus() {
        assert_eq!(money(dec("1234.56"), 2), "£1,234.56");
        assert_eq!(money(dec("-12.3"), 2), "-£12.30");
        assert_eq!(money(dec("1500000"), 0), "£1,500,000");
    }

    #[test]
    fn ticks_take_the_decimals_their_step_needs() {
        assert_eq!(tick(25000.0, 5000.0), "25,000");
        assert_eq!(tick(0.5, 0.5), "0.5");
        assert_eq!(tick(0.25, 0.05), "0.25");
        assert_eq!(tick(1.2, 0.2), "1.2");
    }
}
