//! UK wall-clock time (Europe/London): which days have 23 or 25 hours. Pure; depends on chrono.
//!
//! The rule, from the Summer Time Act 1972 as amended by the Summer Time Order 2002 (SI 2002/262, which
//! implements Directive 2000/84/EC): British Summer Time begins at 01:00 GMT on the last Sunday of March
//! and ends at 01:00 GMT on the last Sunday of October (gov.uk/when-do-the-clocks-change). So on the March
//! day the wall clock jumps from 01:00 to 02:00 (the hour 01:00-02:00 does not happen: a 23-hour day) and on
//! the October day it goes back from 02:00 BST to 01:00 GMT (01:00-02:00 happens twice: a 25-hour day).
//! The same dates have applied since 1996; earlier years are not modelled.

use chrono::{Datelike, NaiveDate, Weekday};

/// Minutes in a normal day.
pub const MINUTES_PER_DAY: u32 = 24 * 60;

/// The wall-clock hour that is skipped (March) or repeated (October): [01:00, 02:00) in minutes after
/// midnight.
pub const CHANGE_HOUR_MINUTES: (u32, u32) = (60, 120);

/// How the day's length differs from 24 hours in UK local time: -60 on the day BST begins, +60 on the day
/// it ends, 0 otherwise.
pub fn clock_change_minutes(date: NaiveDate) -> i32 {
    if date.weekday() != Weekday::Sun {
        return 0;
    }
    if date == last_sunday(date.year(), 3) {
        -60
    } else if date == last_sunday(date.year(), 10) {
        60
    } else {
        0
    }
}

/// Elapsed minutes from local midnight to the next local midnight: 1380, 1440 or 1500.
pub fn day_length_minutes(date: NaiveDate) -> u32 {
    MINUTES_PER_DAY.saturating_add_signed(clock_change_minutes(date))
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, 5)
        .or_else(|| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, 4))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::super::calendar::ymd;
    use super::*;

    #[test]
    fn clock_change_days_match_gov_uk() {
        // gov.uk/when-do-the-clocks-change: clocks went forward 31/03/2024 and 30/03/2025, back
        // 27/10/2024 and 26/10/2025.
        let cases = [
            (ymd(2024, 3, 31), 23 * 60),
            (ymd(2024, 10, 27), 25 * 60),
            (ymd(2025, 3, 30), 23 * 60),
            (ymd(2025, 10, 26), 25 * 60),
            (ymd(2024, 3, 24), 24 * 60), // a Sunday, but not the last of March
            (ymd(2024, 4, 1), 24 * 60),
            (ymd(2024, 2, 29), 24 * 60),
        ];
        for (date, minutes) in cases {
            assert_eq!(day_length_minutes(date), minutes, "{date}");
        }
    }
}
