//! Dates the reports count in: UK financial years (April to March), half-open periods of days and calendar
//! months. Pure; depends only on chrono.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A UK public-sector financial year, named by the calendar year it starts in:
/// `FinancialYear(2024)` runs 01/04/2024 to 31/03/2025 and is labelled "2024/25".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FinancialYear(pub i32);

impl FinancialYear {
    /// The financial year a date falls in: 31/03/2025 is in 2024/25, 01/04/2025 in 2025/26.
    pub fn containing(date: NaiveDate) -> FinancialYear {
        if date.month() >= 4 {
            FinancialYear(date.year())
        } else {
            FinancialYear(date.year() - 1)
        }
    }

    /// 1 April of the starting year.
    pub fn first_day(self) -> NaiveDate {
        ymd(self.0, 4, 1)
    }

    /// 31 March of the following year.
    pub fn last_day(self) -> NaiveDate {
        ymd(self.0 + 1, 3, 31)
    }

    /// The year as a half-open period [01/04/Y, 01/04/Y+1).
    pub fn period(self) -> Period {
        Period { from: self.first_day(), to: ymd(self.0 + 1, 4, 1) }
    }

    /// "2024/25"; "1999/00" across a century.
    pub fn label(self) -> String {
        format!("{}/{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A calendar month, e.g. April 2024; shown as "2024-04".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CalendarMonth {
    pub year: i32,
    /// 1 (January) to 12 (December).
    pub month: u32,
}

impl CalendarMonth {
    pub fn containing(date: NaiveDate) -> CalendarMonth {
        CalendarMonth { year: date.year(), month: date.month() }
    }

    pub fn first_day(self) -> NaiveDate {
        ymd(self.year, self.month, 1)
    }

    /// The month as a half-open period [first day, first day of the next month).
    pub fn period(self) -> Period {
        let from = self.first_day();
        Period { from, to: from + Months::new(1) }
    }

    pub fn next(self) -> CalendarMonth {
        CalendarMonth::containing(self.first_day() + Months::new(1))
    }
}

impl fmt::Display for CalendarMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

/// A half-open run of whole days [from, to): `from` is the first day counted, `to` the first day not
/// counted, so adjacent periods share a boundary and never a day. Empty when `from == to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

impl Period {
    /// Refuses a period that ends before it starts.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, String> {
        if to < from {
            return Err(format!("a period cannot end ({to}) before it starts ({from})"));
        }
        Ok(Period { from, to })
    }

    /// No days, at a date.
    pub fn empty(at: NaiveDate) -> Period {
        Period { from: at, to: at }
    }

    /// The days `first` to `last`, both counted.
    pub fn inclusive(first: NaiveDate, last: NaiveDate) -> Result<Period, String> {
        Period::new(first, last + Days::new(1))
    }

    /// First day counted.
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// First day after the period.
    pub fn to(&self) -> NaiveDate {
        self.to
    }

    pub fn days(&self) -> u32 {
        // Non-negative by construction; a period of more than 4 billion days is not a council's.
        u32::try_from((self.to - self.from).num_days()).unwrap_or(u32::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.from == self.to
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date < self.to
    }

    /// The days both periods hold, if any.
    pub fn intersect(&self, other: &Period) -> Option<Period> {
        let from = self.from.max(other.from);
        let to = self.to.min(other.to);
        (from < to).then_some(Period { from, to })
    }

    /// Each day in order.
    pub fn iter_days(&self) -> impl Iterator<Item = NaiveDate> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d < to)
    }

    /// The period cut at month boundaries: (month, the part of the period in that month), in order.
    pub fn months(&self) -> Vec<(CalendarMonth, Period)> {
        let mut out = Vec::new();
        let mut month = CalendarMonth::containing(self.from);
        while month.first_day() < self.to {
            if let Some(part) = self.intersect(&month.period()) {
                out.push((month, part));
            }
            month = month.next();
        }
        out
    }
}

/// A date from parts known to be valid (used with literals and computed month starts only).
pub(crate) fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn financial_years_run_april_to_march() {
        // (date, the financial year it falls in, its label)
        let cases = [
            (ymd(2024, 4, 1), 2024, "2024/25"),
            (ymd(2025, 3, 31), 2024, "2024/25"),
            (ymd(2025, 4, 1), 2025, "2025/26"),
            (ymd(2000, 1, 15), 1999, "1999/00"),
        ];
        for (date, year, label) in cases {
            let fy = FinancialYear::containing(date);
            assert_eq!(fy, FinancialYear(year), "{date}");
            assert_eq!(fy.label(), label);
            assert!(fy.period().contains(date));
        }
        // 2024/25 holds no 29 February (2025 is not a leap year): 365 days; 2023/24 holds 29/02/2024: 366.
        assert_eq!(FinancialYear(2024).period().days(), 365);
        assert_eq!(FinancialYear(2023).period().days(), 366);
        assert_eq!(FinancialYear(2024).last_day(), ymd(2025, 3, 31));
    }

    #[test]
    fn periods_are_half_open_and_split_into_months() {
        let p = Period::new(ymd(2024, 1, 15), ymd(2024, 3, 10)).unwrap();
        // 17 days of January (15th-31st) + 29 of February 2024 (leap) + 9 of March (1st-9th) = 55.
        assert_eq!(p.days(), 55);
        let months = p.months();
        let days: Vec<(String, u32)> = months.iter().map(|(m, part)| (m.to_string(), part.days())).collect();
        assert_eq!(days, [("2024-01".to_string(), 17), ("2024-02".to_string(), 29), ("2024-03".to_string(), 9)]);
        assert!(!p.contains(ymd(2024, 3, 10)));
        assert_eq!(p.iter_days().count(), 55);
        assert!(Period::new(ymd(2024, 2, 1), ymd(2024, 1, 1)).is_err());
        assert_eq!(
            Period::inclusive(ymd(2024, 2, 1), ymd(2024, 2, 29)).unwrap(),
            CalendarMonth::containing(ymd(2024, 2, 1)).period()
        );
        let fy_months = FinancialYear(2024).period().months();
        assert_eq!(fy_months.len(), 12);
        assert_eq!(fy_months[0].0.to_string(), "2024-04");
        assert_eq!(fy_months[11].0.to_string(), "2025-03");
    }
}
