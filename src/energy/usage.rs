//! Usage profiles and out-of-hours policies, and the whole minutes a device spends in each power state on a
//! day or over a period, in UK wall-clock time. Pure; depends on chrono and the calendar, clock and bank
//! holiday modules.
//!
//! Time is counted in whole minutes (exact integers); hours are minutes / 60, worked out only where shown.
//! Windows are wall-clock times: 08:00-18:00 is ten hours on every working day, including the days the clocks
//! change. The hour the clocks skip or repeat (01:00-02:00 local) counts 0 or 2 hours in whatever state the
//! device is in then, usually out of hours, so the 23- and 25-hour days fall on out-of-hours time.

use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::Decimal;
use std::ops::{Add, AddAssign, Sub};

use super::bank_holidays::BankHolidays;
use super::calendar::Period;
use super::clock::{clock_change_minutes, CHANGE_HOUR_MINUTES, MINUTES_PER_DAY};

/// The power states a device is modelled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PowerState {
    On,
    Sleep,
    Off,
}

/// What a device does outside its working hours when no policy turns it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutOfHours {
    LeftOn,
    Sleep,
    Off,
}

impl OutOfHours {
    fn state(self) -> PowerState {
        match self {
            OutOfHours::LeftOn => PowerState::On,
            OutOfHours::Sleep => PowerState::Sleep,
            OutOfHours::Off => PowerState::Off,
        }
    }
}

/// A set of days of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    pub const NONE: WeekdaySet = WeekdaySet(0);
    pub const MON_TO_FRI: WeekdaySet = WeekdaySet(0b0001_1111);
    pub const SAT_SUN: WeekdaySet = WeekdaySet(0b0110_0000);
    pub const ALL: WeekdaySet = WeekdaySet(0b0111_1111);

    pub fn of(days: &[Weekday]) -> WeekdaySet {
        WeekdaySet(days.iter().fold(0, |bits, d| bits | 1 << d.num_days_from_monday()))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn is_superset_of(self, other: WeekdaySet) -> bool {
        self.0 & other.0 == other.0
    }
}

/// A wall-clock time of day, in minutes after midnight, from 00:00 to 24:00 (the end of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeOfDay(u32);

impl TimeOfDay {
    pub fn hm(hours: u32, minutes: u32) -> Result<TimeOfDay, String> {
        TimeOfDay::from_minutes(hours.saturating_mul(60).saturating_add(minutes))
            .filter(|_| minutes < 60)
            .ok_or_else(|| format!("{hours:02}:{minutes:02} is not a time of day between 00:00 and 24:00"))
    }

    pub fn from_minutes(minutes: u32) -> Option<TimeOfDay> {
        (minutes <= MINUTES_PER_DAY).then_some(TimeOfDay(minutes))
    }

    pub fn minutes(self) -> u32 {
        self.0
    }
}

/// Working hours: the days and wall-clock window a device is on, and what it does the rest of the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkingHours {
    days: WeekdaySet,
    start: TimeOfDay,
    end: TimeOfDay,
    out_of_hours: OutOfHours,
    bank_holidays_off: bool,
}

impl WorkingHours {
    /// On from `start` to `end` (wall clock, same day, `start` before `end`) on `days`; `bank_holidays_off`
    /// makes bank holidays non-working days.
    pub fn new(
        days: WeekdaySet,
        start: TimeOfDay,
        end: TimeOfDay,
        out_of_hours: OutOfHours,
        bank_holidays_off: bool,
    ) -> Result<WorkingHours, String> {
        if start >= end {
            return Err("working hours must start before they end, within one day".into());
        }
        Ok(WorkingHours { days, start, end, out_of_hours, bank_holidays_off })
    }

    /// Monday to Friday 08:00-18:00, bank holidays off, with the given out-of-hours behaviour.
    pub fn office(out_of_hours: OutOfHours) -> WorkingHours {
        WorkingHours {
            days: WeekdaySet::MON_TO_FRI,
            start: TimeOfDay(8 * 60),
            end: TimeOfDay(18 * 60),
            out_of_hours,
            bank_holidays_off: true,
        }
    }

    pub fn is_working_day(&self, date: NaiveDate, holidays: &BankHolidays) -> bool {
        self.days.contains(date.weekday()) && !(self.bank_holidays_off && holidays.contains(date))
    }
}

/// A proposed or adopted power policy laid over a profile: outside the profile's working hours the device
/// is held off (or, for a sleep policy, asleep) during these windows whatever the profile says. Within
/// working hours the profile wins, since users switch their PCs back on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OffPolicy {
    /// For each weekday, Monday first, up to two wall-clock [from, to) minute ranges.
    weekly: [[(u32, u32); 2]; 7],
    /// Days whose first range, from 00:00, holds a device still off from the day before: it ends when
    /// working hours begin, since the user then switches the PC on.
    carried_over: WeekdaySet,
    bank_holidays_all_day: bool,
    /// `Off`, or `Sleep` for a policy that puts devices to sleep instead of shutting them down.
    holds: PowerState,
}

/// No range: a day the policy leaves alone.
const NO_RANGES: [(u32, u32); 2] = [(0, 0), (0, 0)];
const WHOLE_DAY: [(u32, u32); 2] = [(0, MINUTES_PER_DAY), (0, 0)];

impl OffPolicy {
    /// Off each day from `off_from` until `on_at` (wall clock; crosses midnight when `off_from` is later,
    /// e.g. 19:00 until 07:30), if given; off all day on `all_day` weekdays, and on bank holidays if
    /// `bank_holidays_all_day`.
    pub fn new(
        nightly: Option<(TimeOfDay, TimeOfDay)>,
        all_day: WeekdaySet,
        bank_holidays_all_day: bool,
    ) -> Result<OffPolicy, String> {
        if let Some((from, until)) = nightly {
            if from.0 % MINUTES_PER_DAY == until.0 % MINUTES_PER_DAY {
                return Err("an off window must not start and end at the same time; use all-day days instead".into());
            }
        }
        let night = match nightly {
            None => NO_RANGES,
            Some((from, until)) if from < until => [(from.0, until.0), (0, 0)],
            Some((from, until)) => [(0, until.0), (from.0, MINUTES_PER_DAY)],
        };
        let mut weekly = [night; 7];
        for (i, day) in weekly.iter_mut().enumerate() {
            if all_day.0 & (1 << i) != 0 {
                *day = WHOLE_DAY;
            }
        }
        Ok(OffPolicy { weekly, carried_over: WeekdaySet::NONE, bank_holidays_all_day, holds: PowerState::Off })
    }

    /// Off during the given ranges of each weekday (Monday first; each range from ≤ to, at most two a day,
    /// as a week of shutdown and wake times gives), and all day on bank holidays if `bank_holidays_all_day`.
    /// On `carried_over` days the first range starts at 00:00 and holds a device left off from the day
    /// before, until working hours begin.
    pub fn weekly(
        days: [Vec<(TimeOfDay, TimeOfDay)>; 7],
        carried_over: WeekdaySet,
        bank_holidays_all_day: bool,
    ) -> Result<OffPolicy, String> {
        let mut weekly = [NO_RANGES; 7];
        for (i, ranges) in days.iter().enumerate() {
            if ranges.len() > 2 {
                return Err("at most two off ranges a day".into());
            }
            for (j, (from, to)) in ranges.iter().enumerate() {
                if from > to {
                    return Err(format!("an off range must not end ({}) before it starts ({})", to.0, from.0));
                }
                weekly[i][j] = (from.0, to.0);
            }
        }
        Ok(OffPolicy { weekly, carried_over, bank_holidays_all_day, holds: PowerState::Off })
    }

    /// The same windows, putting devices to sleep rather than off: a device already off stays off.
    pub fn asleep(self) -> OffPolicy {
        OffPolicy { holds: PowerState::Sleep, ..self }
    }

    /// The wall-clock minutes of the day the policy holds the device, as up to two [from, to) ranges,
    /// given the day's working window.
    fn ranges(&self, date: NaiveDate, holidays: &BankHolidays, window: (u32, u32)) -> [(u32, u32); 2] {
        if self.bank_holidays_all_day && holidays.contains(date) {
            return WHOLE_DAY;
        }
        let mut r = self.weekly[date.weekday().num_days_from_monday() as usize];
        let works = window.0 < window.1;
        if works && self.carried_over.contains(date.weekday()) && r[0].0 == 0 && r[0].1 > window.0 {
            r[0].1 = window.0;
        }
        r
    }

    /// The state a device is held in when the profile alone would have it `state`.
    fn hold(&self, state: PowerState) -> PowerState {
        match (self.holds, state) {
            (PowerState::Sleep, PowerState::On) => PowerState::Sleep,
            (PowerState::Sleep, other) => other,
            (held, _) => held,
        }
    }
}

/// When a device is on: round the clock, or working hours; optionally with an off policy laid over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Schedule {
    AlwaysOn,
    Working(WorkingHours),
}

/// A usage profile: a schedule and, if adopted, an off policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UsageProfile {
    pub schedule: Schedule,
    pub off_policy: Option<OffPolicy>,
}

impl UsageProfile {
    /// 24/7 on: servers, switches and other always-on kit.
    pub const ALWAYS_ON: UsageProfile = UsageProfile { schedule: Schedule::AlwaysOn, off_policy: None };

    pub fn working(hours: WorkingHours) -> UsageProfile {
        UsageProfile { schedule: Schedule::Working(hours), off_policy: None }
    }

    pub fn with_policy(self, policy: OffPolicy) -> UsageProfile {
        UsageProfile { off_policy: Some(policy), ..self }
    }
}

/// Whole minutes in each power state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct StateMinutes {
    pub on: u64,
    pub sleep: u64,
    pub off: u64,
}

impl StateMinutes {
    pub fn total(&self) -> u64 {
        self.on + self.sleep + self.off
    }

    pub fn get(&self, state: PowerState) -> u64 {
        match state {
            PowerState::On => self.on,
            PowerState::Sleep => self.sleep,
            PowerState::Off => self.off,
        }
    }

    fn add_to(&mut self, state: PowerState, minutes: u64) {
        match state {
            PowerState::On => self.on += minutes,
            PowerState::Sleep => self.sleep += minutes,
            PowerState::Off => self.off += minutes,
        }
    }

    /// Hours in a state as a Decimal (minutes / 60; exact for whole and most fractional hours, otherwise
    /// to Decimal's 28 significant digits). For display: sums use the integer minutes.
    pub fn hours(&self, state: PowerState) -> Decimal {
        Decimal::from(self.get(state)) / Decimal::from(60)
    }
}

impl Add for StateMinutes {
    type Output = StateMinutes;
    fn add(self, o: StateMinutes) -> StateMinutes {
        StateMinutes { on: self.on + o.on, sleep: self.sleep + o.sleep, off: self.off + o.off }
    }
}

impl AddAssign for StateMinutes {
    fn add_assign(&mut self, o: StateMinutes) {
        *self = *self + o;
    }
}

impl Sub for StateMinutes {
    type Output = StateMinutes;
    /// Only used on running totals where `o` is an earlier total, so never below zero.
    fn sub(self, o: StateMinutes) -> StateMinutes {
        StateMinutes {
            on: self.on.saturating_sub(o.on),
            sleep: self.sleep.saturating_sub(o.sleep),
            off: self.off.saturating_sub(o.off),
        }
    }
}

/// Minutes in each state on one local day. The day's minutes add up to its wall-clock length (1380, 1440
/// or 1500, see [`super::clock`]).
pub fn day_state_minutes(profile: &UsageProfile, date: NaiveDate, holidays: &BankHolidays) -> StateMinutes {
    let (window, rest) = match profile.schedule {
        Schedule::AlwaysOn => ((0, 0), PowerState::On),
        Schedule::Working(w) => {
            let window = if w.is_working_day(date, holidays) { (w.start.0, w.end.0) } else { (0, 0) };
            (window, w.out_of_hours.state())
        }
    };
    let off = profile.off_policy.map(|p| p.ranges(date, holidays, window)).unwrap_or(NO_RANGES);
    let (change_from, change_to) = CHANGE_HOUR_MINUTES;
    let mut cuts =
        [0, MINUTES_PER_DAY, change_from, change_to, window.0, window.1, off[0].0, off[0].1, off[1].0, off[1].1];
    cuts.sort_unstable();
    // The skipped hour counts 0 minutes, the repeated hour 120.
    let change_hour_factor = (60 + clock_change_minutes(date)) as u64 / 60;
    let mut out = StateMinutes::default();
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a == b {
            continue;
        }
        let within = |r: (u32, u32)| r.0 <= a && a < r.1;
        // Users switch their PCs on when they arrive: a policy acts only outside working hours.
        let working = within(window);
        let profile_state = if working { PowerState::On } else { rest };
        let state = match profile.off_policy {
            Some(p) if !working && (within(off[0]) || within(off[1])) => p.hold(profile_state),
            _ => profile_state,
        };
        let nominal = u64::from(b - a);
        let minutes = if within((change_from, change_to)) { nominal * change_hour_factor } else { nominal };
        out.add_to(state, minutes);
    }
    out
}

/// Minutes in each state over a period: the sum of its days.
pub fn state_minutes(profile: &UsageProfile, period: &Period, holidays: &BankHolidays) -> StateMinutes {
    period.iter_days().map(|d| day_state_minutes(profile, d, holidays)).fold(StateMinutes::default(), Add::add)
}

/// A profile's minutes worked out once for every day of a period, kept as running totals so the minutes of
/// any run of days inside it cost two lookups. This is what lets one profile serve thousands of assets.
#[derive(Debug, Clone)]
pub struct ProfileDays {
    first_day: NaiveDate,
    /// `running[i]` = minutes of the first `i` days.
    running: Vec<StateMinutes>,
}

impl ProfileDays {
    pub fn new(profile: &UsageProfile, period: &Period, holidays: &BankHolidays) -> ProfileDays {
        let mut running = Vec::with_capacity(period.days() as usize + 1);
        let mut total = StateMinutes::default();
        running.push(total);
        for day in period.iter_days() {
            total += day_state_minutes(profile, day, holidays);
            running.push(total);
        }
        ProfileDays { first_day: period.from(), running }
    }

    /// Minutes over `part`, which must lie inside the period given to [`ProfileDays::new`]; days outside it
    /// count nothing.
    pub fn minutes(&self, part: &Period) -> StateMinutes {
        let index = |d: NaiveDate| {
            let i = (d - self.first_day).num_days().clamp(0, self.running.len() as i64 - 1);
            i as usize
        };
        self.running[index(part.to())] - self.running[index(part.from())]
    }
}

#[cfg(test)]
mod tests {
    use super::super::calendar::{ymd, FinancialYear};
    use super::*;

    fn t(h: u32, m: u32) -> TimeOfDay {
        TimeOfDay::hm(h, m).unwrap()
    }

    fn mins(on_hours: u64, sleep_hours: u64, off_hours: u64) -> StateMinutes {
        StateMinutes { on: on_hours * 60, sleep: sleep_hours * 60, off: off_hours * 60 }
    }

    fn office_sleep() -> UsageProfile {
        UsageProfile::working(WorkingHours::office(OutOfHours::Sleep))
    }

    #[test]
    fn one_day_by_hand() {
        let holidays = BankHolidays::england_and_wales(2024..=2024);
        let desktops_off = OffPolicy::new(Some((t(19, 0), t(7, 30))), WeekdaySet::SAT_SUN, true).unwrap();
        // (profile, date, on, sleep, off) in minutes, worked out by hand from the rules in the module docs.
        let cases = [
            // Tue 02/04/2024, 08:00-18:00 on = 600; the other 840 minutes asleep.
            (office_sleep(), ymd(2024, 4, 2), mins(10, 14, 0)),
            // Sat 06/04/2024: not a working day, 24 h asleep.
            (office_sleep(), ymd(2024, 4, 6), mins(0, 24, 0)),
            // Mon 01/04/2024 is Easter Monday: a bank holiday, 24 h asleep.
            (office_sleep(), ymd(2024, 4, 1), mins(0, 24, 0)),
            // Sun 31/03/2024, clocks forward: a 23-hour day, all of it asleep.
            (office_sleep(), ymd(2024, 3, 31), mins(0, 23, 0)),
            // Sun 27/10/2024, clocks back: a 25-hour day.
            (office_sleep(), ymd(2024, 10, 27), mins(0, 25, 0)),
            // Always on, on the 25-hour day: 25 h on.
            (UsageProfile::ALWAYS_ON, ymd(2024, 10, 27), mins(25, 0, 0)),
            // Tue with the 19:00-07:30 off policy: off 00:00-07:30 (450) and 19:00-24:00 (300) = 750;
            // on 08:00-18:00 = 600; asleep 07:30-08:00 and 18:00-19:00 = 90.
            (office_sleep().with_policy(desktops_off), ymd(2024, 4, 2), StateMinutes { on: 600, sleep: 90, off: 750 }),
            // Saturday under that policy: off all day.
            (office_sleep().with_policy(desktops_off), ymd(2024, 4, 6), mins(0, 0, 24)),
            // Left on out of hours: 24 h on.
            (UsageProfile::working(WorkingHours::office(OutOfHours::LeftOn)), ymd(2024, 4, 2), mins(24, 0, 0)),
        ];
        for (profile, date, expected) in cases {
            assert_eq!(day_state_minutes(&profile, date, &holidays), expected, "{date} {profile:?}");
        }
    }

    #[test]
    fn a_weekly_policy_holds_each_day_its_own_ranges() {
        let holidays = BankHolidays::england_and_wales(2024..=2024);
        // Off before 07:00 and after 19:00 on Tuesdays only; Fridays off from 17:00.
        let mut week: [Vec<(TimeOfDay, TimeOfDay)>; 7] = Default::default();
        week[1] = vec![(t(0, 0), t(7, 0)), (t(19, 0), t(24, 0))];
        week[4] = vec![(t(17, 0), t(24, 0))];
        let policy = OffPolicy::weekly(week, WeekdaySet::NONE, true).unwrap();
        let left_on = UsageProfile::working(WorkingHours::office(OutOfHours::LeftOn)).with_policy(policy);
        // Tue 02/04/2024: off 7 h + 5 h = 720 minutes, on the other 12 h.
        assert_eq!(day_state_minutes(&left_on, ymd(2024, 4, 2), &holidays), mins(12, 0, 12));
        // Fri 05/04/2024: off 17:00-24:00, but 17:00-18:00 is working time, when the user switches it
        // back on: off 6 h, on 18 h.
        assert_eq!(day_state_minutes(&left_on, ymd(2024, 4, 5), &holidays), mins(18, 0, 6));
        // Wed 03/04/2024 has no ranges: left on all day.
        assert_eq!(day_state_minutes(&left_on, ymd(2024, 4, 3), &holidays), mins(24, 0, 0));
        // Mon 01/04/2024, Easter Monday: off all day.
        assert_eq!(day_state_minutes(&left_on, ymd(2024, 4, 1), &holidays), mins(0, 0, 24));
        // A sleep policy with the same ranges: asleep where it was on, and still off where already off.
        let asleep = UsageProfile::working(WorkingHours::office(OutOfHours::LeftOn)).with_policy(policy.asleep());
        assert_eq!(day_state_minutes(&asleep, ymd(2024, 4, 2), &holidays), mins(12, 12, 0));
        let off_anyway = UsageProfile::working(WorkingHours::office(OutOfHours::Off)).with_policy(policy.asleep());
        // Office hours 08:00-18:00 on, off outside them; the sleep ranges fall wholly outside: unchanged.
        assert_eq!(day_state_minutes(&off_anyway, ymd(2024, 4, 2), &holidays), mins(10, 0, 14));
        let mut backwards: [Vec<(TimeOfDay, TimeOfDay)>; 7] = Default::default();
        backwards[0] = vec![(t(9, 0), t(8, 0))];
        assert!(OffPolicy::weekly(backwards, WeekdaySet::NONE, false).is_err());
        // Carried over from the day before on Wednesday, off until the 07:00 wake would be 00:00-09:00,
        // but the user switches it on at 08:00 when working hours begin: off 8 h, on 16 h.
        let mut late_wake: [Vec<(TimeOfDay, TimeOfDay)>; 7] = Default::default();
        late_wake[2] = vec![(t(0, 0), t(9, 0))];
        let carried = OffPolicy::weekly(late_wake, WeekdaySet::of(&[Weekday::Wed]), false).unwrap();
        let profile = UsageProfile::working(WorkingHours::office(OutOfHours::LeftOn)).with_policy(carried);
        assert_eq!(day_state_minutes(&profile, ymd(2024, 4, 3), &holidays), mins(16, 0, 8));
    }

    #[test]
    fn a_window_over_the_changed_hour_takes_the_change() {
        // Off 00:30-01:30 only; on the 25-hour day the repeated 01:00-01:30 counts twice: 30 + 60 = 90
        // minutes off; the rest of the 1500 minutes is left on.
        let holidays = BankHolidays::default();
        let hours = WorkingHours::new(WeekdaySet::NONE, t(8, 0), t(18, 0), OutOfHours::LeftOn, false).unwrap();
        let policy = OffPolicy::new(Some((t(0, 30), t(1, 30))), WeekdaySet::NONE, false).unwrap();
        let profile = UsageProfile::working(hours).with_policy(policy);
        assert_eq!(
            day_state_minutes(&profile, ymd(2024, 10, 27), &holidays),
            StateMinutes { on: 1410, sleep: 0, off: 90 }
        );
        // On the 23-hour day 01:00-01:30 never happens: 30 minutes off.
        assert_eq!(
            day_state_minutes(&profile, ymd(2024, 3, 31), &holidays),
            StateMinutes { on: 1350, sleep: 0, off: 30 }
        );
    }

    #[test]
    fn financial_year_2024_25_desktop_hours() {
        // Weekdays in 01/04/2024-31/03/2025: 365 days = 52 weeks + 1 day; 52 × 5 = 260, and the extra day,
        // 31/03/2025, is a Monday: 261. E&W bank holidays inside (gov.uk/bank-holidays): 01/04/2024 Easter
        // Monday, 06/05, 27/05, 26/08, 25/12, 26/12/2024, 01/01/2025 = 7, all weekdays (Good Friday 2025 is
        // 18/04/2025, outside). Working days 261 - 7 = 254, each 10 h on: 2540 h.
        // Elapsed hours: 365 × 24 = 8760, + 1 (27/10/2024) - 1 (30/03/2025) = 8760; asleep 8760 - 2540 = 6220.
        let fy = FinancialYear(2024).period();
        let holidays = BankHolidays::england_and_wales(2024..=2025);
        assert_eq!(holidays.in_period(&fy).len(), 7);
        let working_days = 261 - 7;
        let on_hours = working_days * 10;
        let expected = mins(on_hours, 365 * 24 + 1 - 1 - on_hours, 0);
        assert_eq!(state_minutes(&office_sleep(), &fy, &holidays), expected);
        assert_eq!(expected.hours(PowerState::On), Decimal::from(2540));
    }

    #[test]
    fn leap_day_counts() {
        // February 2024 has 29 days: 21 weekdays (Thu 1st to Thu 29th: 4 full weeks + Thu 29th), no bank
        // holidays, no clock change. On 21 × 10 = 210 h; asleep 29 × 24 - 210 = 486 h.
        let feb = Period::inclusive(ymd(2024, 2, 1), ymd(2024, 2, 29)).unwrap();
        let holidays = BankHolidays::england_and_wales(2024..=2024);
        assert_eq!(state_minutes(&office_sleep(), &feb, &holidays), mins(210, 29 * 24 - 210, 0));
    }

    #[test]
    fn running_totals_match_day_by_day_sums() {
        let fy = FinancialYear(2024).period();
        let holidays = BankHolidays::england_and_wales(2024..=2025);
        let days = ProfileDays::new(&office_sleep(), &fy, &holidays);
        for (_, month) in fy.months() {
            assert_eq!(days.minutes(&month), state_minutes(&office_sleep(), &month, &holidays));
        }
        assert_eq!(days.minutes(&fy), state_minutes(&office_sleep(), &fy, &holidays));
    }

    #[test]
    fn refuses_impossible_times_and_windows() {
        assert!(TimeOfDay::hm(24, 0).is_ok());
        assert!(TimeOfDay::hm(24, 1).is_err());
        assert!(TimeOfDay::hm(7, 60).is_err());
        assert!(WorkingHours::new(WeekdaySet::MON_TO_FRI, t(18, 0), t(8, 0), OutOfHours::Off, true).is_err());
        assert!(OffPolicy::new(Some((t(0, 0), t(24, 0))), WeekdaySet::NONE, false).is_err());
        assert!(WeekdaySet::ALL.is_superset_of(WeekdaySet::SAT_SUN));
        assert!(!WeekdaySet::MON_TO_FRI.contains(Weekday::Sat));
        assert_eq!(WeekdaySet::of(&[Weekday::Sat, Weekday::Sun]), WeekdaySet::SAT_SUN);
    }
}
