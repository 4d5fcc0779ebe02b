//! The hours a power policy holds its devices off, as the energy engine's [`OffPolicy`], so the estimate
//! can say what the policy saves. Pure.
//!
//! A device shut down at a day's shutdown time stays off until the next wake time, which may be days later
//! (a Friday shutdown with no weekend wakes holds it off until Monday), or until its user switches it on
//! when their working hours begin (the estimate lets working hours win, and a hold carried over from the
//! day before ends there). A day with neither time keeps the state the previous day ended in. Bank holidays count as off all day when the policy sends no wakes on
//! them. Patch-window wakes are not counted: a few hours a month, and the device is put back off after.

use chrono::{NaiveTime, Timelike, Weekday};

use super::policy::{OffKind, Policy};
use super::schedule::WeeklySchedule;
use crate::energy::{OffPolicy, TimeOfDay, WeekdaySet};

fn minutes(t: NaiveTime) -> TimeOfDay {
    TimeOfDay::from_minutes(t.hour() * 60 + t.minute()).expect("a time of day is within the day")
}

/// The day's events in time order: (minute, wakes?). At the same minute the wake comes first, so a day
/// written "07:00-07:00" ends off.
fn events(schedule: &WeeklySchedule, day: Weekday) -> Vec<(TimeOfDay, bool)> {
    let mut out = Vec::new();
    if let Some(d) = schedule.on(day) {
        out.extend(d.wake.map(|w| (minutes(w), true)));
        out.extend(d.off.map(|o| (minutes(o), false)));
    }
    out.sort_by_key(|(t, wakes)| (*t, !*wakes));
    out
}

const WEEK: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

/// The policy's off hours, or `None` when its schedule never shuts anything down.
pub fn off_hours(policy: &Policy) -> Option<OffPolicy> {
    let schedule = &policy.schedule;
    let has_off = WEEK.iter().any(|d| schedule.on(*d).is_some_and(|t| t.off.is_some()));
    if !has_off {
        return None;
    }
    // The state at Monday 00:00 is what the week's last event left, the week being a cycle.
    let mut on = WEEK.iter().rev().find_map(|d| events(schedule, *d).last().map(|(_, wakes)| *wakes))?;
    let mut week: [Vec<(TimeOfDay, TimeOfDay)>; 7] = Default::default();
    let mut carried = Vec::new();
    let end = TimeOfDay::from_minutes(24 * 60).expect("24:00 is the end of the day");
    let start = TimeOfDay::from_minutes(0).expect("00:00");
    for (i, day) in WEEK.iter().enumerate() {
        let mut off_since = (!on).then_some(start);
        if !on {
            carried.push(*day);
        }
        for (t, wakes) in events(schedule, *day) {
            // A shutdown while already held off starts a new range: the user may have switched it on.
            if let Some(from) = off_since {
                if from < t {
                    week[i].push((from, t));
                }
            }
            off_since = (!wakes).then_some(t);
            on = wakes;
        }
        if let Some(from) = off_since {
            if from < end {
                week[i].push((from, end));
            }
        }
    }
    let off = OffPolicy::weekly(week, WeekdaySet::of(&carried), policy.bank_holidays_off)
        .expect("two events a day give at most two ranges");
    Some(match policy.off_kind {
        OffKind::Shutdown => off,
        OffKind::Sleep => off.asleep(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::energy::{BankHolidays, OutOfHours, UsageProfile, WorkingHours};
    use crate::scheduling::policy::{Deferral, Target};
    use chrono::NaiveDate;

    fn policy(schedule: &str, kind: OffKind, bank_holidays_off: bool) -> Policy {
        Policy {
            id: 1,
            name: "p".into(),
            enabled: true,
            target: Target::Category("desktop".into()),
            off_kind: kind,
            schedule: WeeklySchedule::parse(schedule).unwrap(),
            patch_windows: WeeklySchedule::default(),
            warning_minutes: 10,
            deferral: Deferral { allowed: false, max_minutes: 0 },
            bank_holidays_off,
        }
    }

    fn day_minutes(off: OffPolicy, date: NaiveDate) -> crate::energy::StateMinutes {
        let left_on = UsageProfile::working(WorkingHours::office(OutOfHours::LeftOn)).with_policy(off);
        crate::energy::usage::day_state_minutes(&left_on, date, &BankHolidays::england_and_wales(2024..=2024))
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_working_week_holds_nights_and_the_weekend_off() {
        // Wake 07:30 and shut down 19:00 on weekdays, nothing at weekends: off 00:00-07:30 and 19:00-24:00
        // on a weekday (450 + 300 = 750 minutes), all day Saturday and Sunday, and from Friday 19:00.
        let off = off_hours(&policy("mon-fri 07:30-19:00", OffKind::Shutdown, true)).unwrap();
        // Tue 02/04/2024: on 07:30-19:00 = 690 minutes.
        let tue = day_minutes(off, ymd(2024, 4, 2));
        assert_eq!((tue.on, tue.sleep, tue.off), (690, 0, 750));
        // Sat 06/04/2024: off all day.
        assert_eq!(day_minutes(off, ymd(2024, 4, 6)).off, 1440);
        // Mon 08/04/2024: off from Sunday until the 07:30 wake, and after 19:00.
        assert_eq!(day_minutes(off, ymd(2024, 4, 8)).off, 750);
        // Mon 01/04/2024 is Easter Monday: no wakes, off all day.
        assert_eq!(day_minutes(off, ymd(2024, 4, 1)).off, 1440);
    }

    #[test]
    fn a_shutdown_only_schedule_and_a_sleep_policy() {
        // Shut down at 20:00 every day and never woken by the server: off from 20:00 until the user
        // switches it on at the start of working hours (08:00), then left on (the profile) until 20:00.
        let off = off_hours(&policy("mon-sun -20:00", OffKind::Shutdown, false)).unwrap();
        let tue = day_minutes(off, ymd(2024, 4, 2));
        assert_eq!((tue.on, tue.off), (12 * 60, 8 * 60 + 4 * 60));
        // Saturday has no working hours: off all day after Friday's 20:00 shutdown.
        assert_eq!(day_minutes(off, ymd(2024, 4, 6)).off, 1440);
        // Asleep instead of off with a sleep policy.
        let sleep = off_hours(&policy("mon-fri 07:00-18:30", OffKind::Sleep, false)).unwrap();
        let wed = day_minutes(sleep, ymd(2024, 4, 3));
        // Asleep 00:00-07:00 (420) and 18:30-24:00 (330) = 750; on 690.
        assert_eq!((wed.on, wed.sleep, wed.off), (690, 750, 0));
    }

    #[test]
    fn a_financial_year_under_a_working_week_policy_by_hand() {
        // 2024/25 with office hours, asleep out of hours: 254 working days (see energy::usage's tests), each
        // on 10 h and asleep 07:30-08:00 and 18:00-19:00 (1.5 h); everything else off, including the 111
        // weekend days and bank holidays. The two clock changes fall on Sundays, off all day.
        let off = off_hours(&policy("mon-fri 07:30-19:00", OffKind::Shutdown, true)).unwrap();
        let office = UsageProfile::working(WorkingHours::office(OutOfHours::Sleep)).with_policy(off);
        let fy = crate::energy::FinancialYear(2024).period();
        let minutes = crate::energy::usage::state_minutes(&office, &fy, &BankHolidays::england_and_wales(2024..=2025));
        assert_eq!(minutes.on, 2540 * 60);
        assert_eq!(minutes.sleep, 254 * 90);
        assert_eq!(minutes.total(), 8760 * 60);
    }

    #[test]
    fn a_wake_only_schedule_shuts_nothing_down() {
        assert!(off_hours(&policy("mon-fri 07:00-", OffKind::Shutdown, true)).is_none());
        assert!(off_hours(&policy("", OffKind::Shutdown, true)).is_none());
    }
}
