//! England and Wales bank holidays as an editable set of dates: the standing rules (Easter by the Gregorian
//! computus), the one-off changes of 2020-2023, and any list a council supplies. Pure; depends on chrono.
//!
//! Source for the rules and the one-offs: gov.uk/bank-holidays (the published England and Wales list) and
//! the Banking and Financial Dealings Act 1971, Schedule 1, with the royal proclamations moving or adding days.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use super::calendar::{ymd, Period};

/// The days treated as bank holidays. Build it with [`BankHolidays::england_and_wales`] and edit it, or
/// give the council's own list with [`BankHolidays::from_dates`] (e.g. for Scotland or a local holiday).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankHolidays(BTreeSet<NaiveDate>);

/// A one-off change to the standing rules, made by royal proclamation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneOffChange {
    /// The standing-rule day no longer a holiday, if the change moved one.
    pub removed: Option<NaiveDate>,
    pub added: NaiveDate,
    pub reason: &'static str,
}

/// The changes to the standing rules in 2020-2023, as listed on gov.uk/bank-holidays:
/// - 2020: the early May bank holiday moved from Monday 4 May to Friday 8 May (75th anniversary of VE day);
/// - 2022: the spring bank holiday moved from Monday 30 May to Thursday 2 June, and Friday 3 June added
///   (Platinum Jubilee); Monday 19 September added (State Funeral of Queen Elizabeth II);
/// - 2023: Monday 8 May added (Coronation of King Charles III).
pub fn one_off_changes_2020_to_2023() -> [OneOffChange; 5] {
    [
        OneOffChange { removed: Some(ymd(2020, 5, 4)), added: ymd(2020, 5, 8), reason: "VE day 75th anniversary" },
        OneOffChange { removed: Some(ymd(2022, 5, 30)), added: ymd(2022, 6, 2), reason: "Spring bank holiday moved" },
        OneOffChange { removed: None, added: ymd(2022, 6, 3), reason: "Platinum Jubilee" },
        OneOffChange { removed: None, added: ymd(2022, 9, 19), reason: "State Funeral of Queen Elizabeth II" },
        OneOffChange { removed: None, added: ymd(2023, 5, 8), reason: "Coronation of King Charles III" },
    ]
}

impl BankHolidays {
    /// Exactly the dates given.
    pub fn from_dates(dates: impl IntoIterator<Item = NaiveDate>) -> BankHolidays {
        BankHolidays(dates.into_iter().collect())
    }

    /// England and Wales for the given calendar years: the standing rules
    /// ([`standard_england_and_wales`]) with the 2020-2023 one-off changes applied. Later one-offs (a
    /// future proclamation) are added by the caller with [`BankHolidays::add`].
    pub fn england_and_wales(years: RangeInclusive<i32>) -> BankHolidays {
        let mut set = BankHolidays::from_dates(years.clone().flat_map(standard_england_and_wales));
        for change in one_off_changes_2020_to_2023() {
            if years.contains(&change.added.year()) {
                if let Some(removed) = change.removed {
                    set.remove(removed);
                }
                set.add(change.added);
            }
        }
        set
    }

    pub fn add(&mut self, date: NaiveDate) {
        self.0.insert(date);
    }

    /// Whether the date was in the set.
    pub fn remove(&mut self, date: NaiveDate) -> bool {
        self.0.remove(&date)
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.0.contains(&date)
    }

    /// The holidays inside a period, in date order.
    pub fn in_period(&self, period: &Period) -> Vec<NaiveDate> {
        self.0.range(period.from()..period.to()).copied().collect()
    }
}

/// England and Wales bank holidays for the given years with their names, in date order, for seeding an
/// editable list: the dates of [`BankHolidays::england_and_wales`], named by rule (a substitute day says so)
/// or by the proclamation that added it.
pub fn england_and_wales_named(years: RangeInclusive<i32>) -> Vec<(NaiveDate, String)> {
    let set = BankHolidays::england_and_wales(years);
    let one_offs = one_off_changes_2020_to_2023();
    set.0
        .iter()
        .map(|&date| {
            let easter = easter_sunday(date.year());
            let christmas_at_weekend = ymd(date.year(), 12, 25).weekday().num_days_from_monday() >= 5;
            let name = if let Some(change) = one_offs.iter().find(|c| c.added == date) {
                change.reason.to_string()
            } else if date == easter - Days::new(2) {
                "Good Friday".to_string()
            } else if date == easter + Days::new(1) {
                "Easter Monday".to_string()
            } else {
                let (name, usual) = match date.month() {
                    1 => ("New Year's Day", ymd(date.year(), 1, 1)),
                    5 if date.day() <= 7 => ("Early May bank holiday", date),
                    5 => ("Spring bank holiday", date),
                    8 => ("Summer bank holiday", date),
                    12 if date.day() == 25 || (date.day() == 27 && christmas_at_weekend) => {
                        ("Christmas Day", ymd(date.year(), 12, 25))
                    }
                    12 => ("Boxing Day", ymd(date.year(), 12, 26)),
                    _ => ("Bank holiday", date),
                };
                if usual == date {
                    name.to_string()
                } else {
                    format!("{name} (substitute day)")
                }
            };
            (date, name)
        })
        .collect()
}

/// The standing England and Wales rules for one year, in date order:
/// New Year's Day (1 January, or the next weekday if it falls at a weekend), Good Friday, Easter Monday,
/// the early May bank holiday (first Monday of May), the spring bank holiday (last Monday of May), the
/// summer bank holiday (last Monday of August), and Christmas Day and Boxing Day, which take the first two
/// weekdays on or after 25 December (so a weekend Christmas or Boxing Day is substituted by the next free
/// weekday: 25 Dec on a Saturday gives Monday 27 and Tuesday 28; on a Sunday, Monday 26 and Tuesday 27).
pub fn standard_england_and_wales(year: i32) -> Vec<NaiveDate> {
    let easter = easter_sunday(year);
    let mut days = vec![
        weekdays_from(ymd(year, 1, 1)).next().unwrap_or(ymd(year, 1, 1)),
        easter - Days::new(2),
        easter + Days::new(1),
        first_monday(year, 5),
        last_monday(year, 5),
        last_monday(year, 8),
    ];
    days.extend(weekdays_from(ymd(year, 12, 25)).take(2));
    days
}

/// Easter Sunday in the Gregorian calendar, by the anonymous Gregorian algorithm ("Meeus/Jones/Butcher",
/// J. Meeus, Astronomical Algorithms, 1991, ch. 8).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // month is 3 or 4 and day 1..=31 by construction of the algorithm.
    ymd(year, month as u32, day as u32)
}

fn weekdays_from(date: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    date.iter_days().filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1).unwrap_or(ymd(year, month, 1))
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 5)
        .or_else(|| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 4))
        .unwrap_or(ymd(year, month, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_matches_known_dates() {
        // Easter Sundays from the published tables (e.g. the Church of England's "Dates of Easter"):
        // the earliest possible (22 March, 1818) and latest (25 April, 2038) included.
        let cases = [
            (1818, 3, 22),
            (2000, 4, 23),
            (2008, 3, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
        ];
        for (y, m, d) in cases {
            assert_eq!(easter_sunday(y), ymd(y, m, d), "{y}");
        }
    }

    #[test]
    fn matches_gov_uk_england_and_wales_2024_to_2026() {
        // gov.uk/bank-holidays, England and Wales, as published.
        let published = [
            // 2024
            (2024, 1, 1),   // New Year's Day (Mon)
            (2024, 3, 29),  // Good Friday
            (2024, 4, 1),   // Easter Monday
            (2024, 5, 6),   // Early May bank holiday
            (2024, 5, 27),  // Spring bank holiday
            (2024, 8, 26),  // Summer bank holiday
            (2024, 12, 25), // Christmas Day (Wed)
            (2024, 12, 26), // Boxing Day (Thu)
            // 2025
            (2025, 1, 1),   // New Year's Day (Wed)
            (2025, 4, 18),  // Good Friday
            (2025, 4, 21),  // Easter Monday
            (2025, 5, 5),   // Early May bank holiday
            (2025, 5, 26),  // Spring bank holiday
            (2025, 8, 25),  // Summer bank holiday
            (2025, 12, 25), // Christmas Day (Thu)
            (2025, 12, 26), // Boxing Day (Fri)
            // 2026: Boxing Day is a Saturday, substituted by Monday 28 December
            (2026, 1, 1),
            (2026, 4, 3),
            (2026, 4, 6),
            (2026, 5, 4),
            (2026, 5, 25),
            (2026, 8, 31),
            (2026, 12, 25),
            (2026, 12, 28),
        ];
        let expected: Vec<NaiveDate> = published.iter().map(|&(y, m, d)| ymd(y, m, d)).collect();
        let holidays = BankHolidays::england_and_wales(2024..=2026);
        let all = Period::new(ymd(2024, 1, 1), ymd(2027, 1, 1)).unwrap();
        assert_eq!(holidays.in_period(&all), expected);
    }

    #[test]
    fn one_offs_and_weekend_substitutes_2020_to_2023() {
        // gov.uk/bank-holidays, England and Wales, 2020-2023 as published, with the one-off changes.
        let published = [
            (2020, 1, 1),
            (2020, 4, 10),
            (2020, 4, 13),
            (2020, 5, 8), // early May moved for VE day (not 4 May)
            (2020, 5, 25),
            (2020, 8, 31),
            (2020, 12, 25),
            (2020, 12, 28), // Boxing Day substitute (26th a Saturday)
            (2021, 1, 1),
            (2021, 4, 2),
            (2021, 4, 5),
            (2021, 5, 3),
            (2021, 5, 31),
            (2021, 8, 30),
            (2021, 12, 27), // Christmas Day substitute (25th a Saturday)
            (2021, 12, 28), // Boxing Day substitute
            (2022, 1, 3),   // New Year's Day substitute (1st a Saturday)
            (2022, 4, 15),
            (2022, 4, 18),
            (2022, 5, 2),
            (2022, 6, 2), // spring bank holiday moved (not 30 May)
            (2022, 6, 3), // Platinum Jubilee
            (2022, 8, 29),
            (2022, 9, 19), // State Funeral
            (2022, 12, 26),
            (2022, 12, 27), // Christmas Day substitute (25th a Sunday)
            (2023, 1, 2),   // New Year's Day substitute (1st a Sunday)
            (2023, 4, 7),
            (2023, 4, 10),
            (2023, 5, 1),
            (2023, 5, 8), // Coronation
            (2023, 5, 29),
            (2023, 8, 28),
            (2023, 12, 25),
            (2023, 12, 26),
        ];
        let expected: Vec<NaiveDate> = published.iter().map(|&(y, m, d)| ymd(y, m, d)).collect();
        let holidays = BankHolidays::england_and_wales(2020..=2023);
        let all = Period::new(ymd(2020, 1, 1), ymd(2024, 1, 1)).unwrap();
        assert_eq!(holidays.in_period(&all), expected);
    }

    #[test]
    fn the_list_is_editable() {
        let mut holidays = BankHolidays::from_dates([ymd(2024, 12, 25)]);
        assert!(holidays.contains(ymd(2024, 12, 25)));
        holidays.add(ymd(2024, 7, 12)); // e.g. a Northern Ireland holiday a council wants counted
        assert!(holidays.contains(ymd(2024, 7, 12)));
        assert!(holidays.remove(ymd(2024, 12, 25)));
        assert!(!holidays.contains(ymd(2024, 12, 25)));
    }

    #[test]
    fn named_for_seeding() {
        // gov.uk/bank-holidays, England and Wales 2021-2022: Christmas 2021 fell on a Saturday (substitutes
        // Mon 27 and Tue 28 December); 2022 had the Platinum Jubilee and the State Funeral.
        let named = england_and_wales_named(2021..=2022);
        let name = |y, m, d| named.iter().find(|(date, _)| *date == ymd(y, m, d)).map(|(_, n)| n.as_str());
        assert_eq!(name(2021, 4, 2), Some("Good Friday"));
        assert_eq!(name(2021, 12, 27), Some("Christmas Day (substitute day)"));
        assert_eq!(name(2021, 12, 28), Some("Boxing Day (substitute day)"));
        assert_eq!(name(2022, 6, 3), Some("Platinum Jubilee"));
        assert_eq!(name(2022, 8, 29), Some("Summer bank holiday"));
        // 25/12/2022 was a Sunday: Boxing Day on Monday 26, Christmas Day substituted on Tuesday 27.
        assert_eq!(name(2022, 12, 26), Some("Boxing Day"));
        assert_eq!(name(2022, 12, 27), Some("Christmas Day (substitute day)"));
        assert_eq!(named.len(), 8 + 10);
    }
}
