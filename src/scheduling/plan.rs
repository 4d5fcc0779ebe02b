//! From a policy to dated actions: the wakes and shutdowns (or sleeps) a policy asks for in a window,
//! less those an opt-out covers; what to do with an action that is due, late or too late (catch-up after
//! downtime); and how far a user may put off a shutdown. Pure.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use std::collections::BTreeSet;

use super::policy::{Deferral, OffKind, Policy};
use super::schedule::{uk_date, uk_local_to_utc, DayTimes};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionKind {
    Wake,
    Shutdown,
    Sleep,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Wake => "wake",
            ActionKind::Shutdown => "shutdown",
            ActionKind::Sleep => "sleep",
        }
    }

    pub fn parse(raw: &str) -> Option<ActionKind> {
        match raw {
            "wake" => Some(ActionKind::Wake),
            "shutdown" => Some(ActionKind::Shutdown),
            "sleep" => Some(ActionKind::Sleep),
            _ => None,
        }
    }

    pub fn is_off(self) -> bool {
        !matches!(self, ActionKind::Wake)
    }
}

impl From<OffKind> for ActionKind {
    fn from(k: OffKind) -> ActionKind {
        match k {
            OffKind::Shutdown => ActionKind::Shutdown,
            OffKind::Sleep => ActionKind::Sleep,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cause {
    /// The policy's weekly schedule.
    Policy,
    /// One of the policy's patch windows.
    PatchWindow,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Policy => "policy",
            Cause::PatchWindow => "patch_window",
        }
    }
}

/// One action a policy asks for, not yet tied to an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PlannedAction {
    pub at: DateTime<Utc>,
    pub kind: ActionKind,
    pub cause: Cause,
}

/// The policy's actions with `from <= at < to`, in time order. On a bank holiday (when the policy says
/// so) there are no wakes and no patch-window actions, so devices stay off all day; the day's shutdown
/// is still planned, to put off anything someone switched on. Where a patch window and the schedule
/// fall at the same minute with the same kind, one action is kept (the schedule's).
pub fn policy_actions(
    policy: &Policy,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bank_holidays: &BTreeSet<NaiveDate>,
) -> Vec<PlannedAction> {
    let mut out: Vec<PlannedAction> = Vec::new();
    if !policy.enabled || from >= to {
        return out;
    }
    let off = ActionKind::from(policy.off_kind);
    // A local day's times can fall on the UTC day before or after, so look one day either side.
    let first = uk_date(from) - Days::new(1);
    let last = uk_date(to) + Days::new(1);
    let mut push = |date: NaiveDate, day: Option<&DayTimes>, cause: Cause, holiday: bool| {
        let Some(day) = day else { return };
        if let Some(w) = day.wake.filter(|_| !holiday) {
            out.push(PlannedAction { at: uk_local_to_utc(date, w), kind: ActionKind::Wake, cause });
        }
        if let Some(o) = day.off {
            out.push(PlannedAction { at: uk_local_to_utc(date, o), kind: off, cause });
        }
    };
    let mut date = first;
    while date <= last {
        let holiday = policy.bank_holidays_off && bank_holidays.contains(&date);
        let weekday = chrono::Datelike::weekday(&date);
        push(date, policy.schedule.on(weekday), Cause::Policy, holiday);
        if !holiday {
            push(date, policy.patch_windows.on(weekday), Cause::PatchWindow, false);
        }
        date = date + Days::new(1);
    }
    out.retain(|a| a.at >= from && a.at < to);
    out.sort();
    out.dedup_by(|b, a| a.at == b.at && a.kind == b.kind);
    out
}

/// A user's time-limited opt-out from shutdowns: `from <= t < until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptOut {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl OptOut {
    pub fn covers(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t < self.until
    }
}

/// The actions for one asset: the policy's, less shutdowns and sleeps an opt-out covers (wakes still go:
/// waking a PC its user wants on does no harm). After the opt-out expires, shutdowns resume.
pub fn for_asset<'a>(actions: &'a [PlannedAction], opt_outs: &'a [OptOut]) -> impl Iterator<Item = PlannedAction> + 'a {
    actions.iter().copied().filter(move |a| !(a.kind.is_off() && opt_outs.iter().any(|o| o.covers(a.at))))
}

/// How late is too late. A wake a little late is still useful (the PC is on when people arrive, or soon
/// after); a shutdown missed by more than the grace period is dropped, because shutting a PC down at 09:00
/// because the 19:00 shutdown was missed would throw someone off their work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatchUp {
    pub wake_late: Duration,
    pub off_grace: Duration,
}

impl Default for CatchUp {
    fn default() -> CatchUp {
        CatchUp { wake_late: Duration::hours(2), off_grace: Duration::minutes(30) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    NotYet,
    /// Due now (on time or late but still useful).
    Now,
    /// Missed by too much: expire it, never send it.
    TooLate,
}

pub fn due(kind: ActionKind, scheduled_at: DateTime<Utc>, now: DateTime<Utc>, rules: CatchUp) -> Due {
    let limit = if kind.is_off() { rules.off_grace } else { rules.wake_late };
    if now < scheduled_at {
        Due::NotYet
    } else if now - scheduled_at <= limit {
        Due::Now
    } else {
        Due::TooLate
    }
}

/// How far back a tick plans, so actions missed while the service was down are planned and then sent
/// (wakes still useful) or expired (shutdowns too late), never silently lost.
pub fn lookback(rules: CatchUp) -> Duration {
    rules.wake_late.max(rules.off_grace)
}

/// A user asked to put off a shutdown by `requested_minutes`, having already put it off by
/// `already_minutes`. Granted up to what the policy allows in all; refused when it allows none or none is
/// left. Returns the new time and the total deferred.
pub fn defer(
    original_at: DateTime<Utc>,
    already_minutes: i32,
    requested_minutes: i32,
    rule: Deferral,
) -> Result<(DateTime<Utc>, i32), String> {
    if !rule.allowed {
        return Err("this policy does not let users put off a shutdown".into());
    }
    if requested_minutes <= 0 {
        return Err(format!("a deferral must be a positive number of minutes, not {requested_minutes}"));
    }
    let left = rule.max_minutes - already_minutes;
    if left <= 0 {
        return Err(format!(
            "the shutdown has already been put off by the most allowed ({} minutes)",
            rule.max_minutes
        ));
    }
    let total = already_minutes + requested_minutes.min(left);
    Ok((original_at + Duration::minutes(i64::from(total)), total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::policy::{Deferral, OffKind, Target};
    use crate::scheduling::schedule::WeeklySchedule;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn office(schedule: &str, patch: &str) -> Policy {
        Policy {
            id: 1,
            name: "Office hours".into(),
            enabled: true,
            target: Target::Site(1),
            off_kind: OffKind::Shutdown,
            schedule: WeeklySchedule::parse(schedule).unwrap(),
            patch_windows: WeeklySchedule::parse(patch).unwrap(),
            warning_minutes: 10,
            deferral: Deferral { allowed: true, max_minutes: 60 },
            bank_holidays_off: true,
        }
    }

    fn show(actions: &[PlannedAction]) -> Vec<(String, &'static str)> {
        actions.iter().map(|a| (a.at.format("%a %d/%m %H:%MZ").to_string(), a.kind.as_str())).collect()
    }

    #[test]
    fn a_week_across_the_spring_clock_change() {
        // Mon 23/03/2026 to Mon 30/03/2026. The clocks go forward on Sun 29/03 (last Sunday of March) at
        // 01:00 GMT. Before: local 07:30 = 07:30Z and 19:00 = 19:00Z. After (BST = UTC+1): 06:30Z, 18:00Z.
        let p = office("mon-fri 07:30-19:00", "");
        let week = policy_actions(&p, utc("2026-03-23T00:00:00Z"), utc("2026-03-31T00:00:00Z"), &BTreeSet::new());
        let expect = |day: &str, wake: &str, off: &str| {
            vec![(format!("{day} {wake}Z"), "wake"), (format!("{day} {off}Z"), "shutdown")]
        };
        let mut want = Vec::new();
        for day in ["Mon 23/03", "Tue 24/03", "Wed 25/03", "Thu 26/03", "Fri 27/03"] {
            want.extend(expect(day, "07:30", "19:00"));
        }
        want.extend(expect("Mon 30/03", "06:30", "18:00"));
        assert_eq!(show(&week), want);
    }

    #[test]
    fn a_week_across_the_autumn_clock_change_with_a_patch_window() {
        // Mon 19/10/2026 to Mon 26/10/2026; clocks go back on Sun 25/10 (last Sunday of October) at 02:00
        // BST. Wed 21/10 is still BST, so the 02:00–04:00 patch window is 01:00Z–03:00Z. Mon 26/10 is GMT.
        let p = office("mon-fri 07:30-19:00", "wed 02:00-04:00");
        let week = policy_actions(&p, utc("2026-10-19T00:00:00Z"), utc("2026-10-27T00:00:00Z"), &BTreeSet::new());
        let s = show(&week);
        assert_eq!(s.len(), 14, "{s:?}");
        assert_eq!(s[0], ("Mon 19/10 06:30Z".into(), "wake"));
        assert_eq!(s[1], ("Mon 19/10 18:00Z".into(), "shutdown"));
        assert_eq!(s[4], ("Wed 21/10 01:00Z".into(), "wake"));
        assert_eq!(s[5], ("Wed 21/10 03:00Z".into(), "shutdown"));
        assert_eq!(week[4].cause, Cause::PatchWindow);
        assert_eq!(week[6].cause, Cause::Policy);
        assert_eq!(s[12], ("Mon 26/10 07:30Z".into(), "wake"));
        assert_eq!(s[13], ("Mon 26/10 19:00Z".into(), "shutdown"));
    }

    #[test]
    fn a_bank_holiday_stays_off_all_day() {
        // Good Friday 03/04/2026 and Easter Monday 06/04/2026 (gov.uk/bank-holidays), BST: no wake and no
        // patch window on either; the evening shutdown still goes.
        let p = office("mon-fri 07:30-19:00", "mon 02:00-04:00");
        let holidays: BTreeSet<NaiveDate> = [d(2026, 4, 3), d(2026, 4, 6)].into();
        let s = show(&policy_actions(&p, utc("2026-04-02T00:00:00Z"), utc("2026-04-08T00:00:00Z"), &holidays));
        assert_eq!(
            s,
            vec![
                ("Thu 02/04 06:30Z".into(), "wake"),
                ("Thu 02/04 18:00Z".into(), "shutdown"),
                ("Fri 03/04 18:00Z".into(), "shutdown"),
                ("Mon 06/04 18:00Z".into(), "shutdown"),
                ("Tue 07/04 06:30Z".into(), "wake"),
                ("Tue 07/04 18:00Z".into(), "shutdown"),
            ]
        );
        // A policy that does not keep bank holidays wakes as usual.
        let mut keeps_working = p.clone();
        keeps_working.bank_holidays_off = false;
        let n = policy_actions(&keeps_working, utc("2026-04-03T00:00:00Z"), utc("2026-04-04T00:00:00Z"), &holidays);
        assert_eq!(n.len(), 2);
    }

    #[test]
    fn the_window_is_half_open_and_sleep_policies_plan_sleeps() {
        let mut p = office("mon-fri 07:30-19:00", "");
        p.off_kind = OffKind::Sleep;
        let a = policy_actions(&p, utc("2026-01-14T07:30:00Z"), utc("2026-01-14T19:00:00Z"), &BTreeSet::new());
        assert_eq!(show(&a), vec![("Wed 14/01 07:30Z".into(), "wake")]);
        let a = policy_actions(&p, utc("2026-01-14T07:31:00Z"), utc("2026-01-14T19:01:00Z"), &BTreeSet::new());
        assert_eq!(show(&a), vec![("Wed 14/01 19:00Z".into(), "sleep")]);
        p.enabled = false;
        assert!(
            policy_actions(&p, utc("2026-01-12T00:00:00Z"), utc("2026-01-19T00:00:00Z"), &BTreeSet::new()).is_empty()
        );
    }

    #[test]
    fn opt_outs_stop_shutdowns_until_they_expire() {
        // Opt-out from Tue 13/01 12:00Z until Wed 14/01 12:00Z (GMT, so local = UTC): Tuesday's 19:00
        // shutdown is skipped; Wednesday's wake (before expiry) still goes; Wednesday's 19:00 shutdown is after
        // expiry and goes again.
        let p = office("mon-fri 07:30-19:00", "");
        let actions = policy_actions(&p, utc("2026-01-13T00:00:00Z"), utc("2026-01-15T00:00:00Z"), &BTreeSet::new());
        let opt = [OptOut { from: utc("2026-01-13T12:00:00Z"), until: utc("2026-01-14T12:00:00Z") }];
        let kept: Vec<PlannedAction> = for_asset(&actions, &opt).collect();
        assert_eq!(
            show(&kept),
            vec![
                ("Tue 13/01 07:30Z".into(), "wake"),
                ("Wed 14/01 07:30Z".into(), "wake"),
                ("Wed 14/01 19:00Z".into(), "shutdown"),
            ]
        );
        assert!(!opt[0].covers(utc("2026-01-14T12:00:00Z")), "the end is exclusive");
    }

    #[test]
    fn catch_up_after_downtime() {
        let rules = CatchUp { wake_late: Duration::hours(2), off_grace: Duration::minutes(30) };
        let wake = utc("2026-01-14T07:30:00Z");
        assert_eq!(due(ActionKind::Wake, wake, utc("2026-01-14T07:29:59Z"), rules), Due::NotYet);
        assert_eq!(
            due(ActionKind::Wake, wake, utc("2026-01-14T08:30:00Z"), rules),
            Due::Now,
            "an hour late still useful"
        );
        assert_eq!(due(ActionKind::Wake, wake, utc("2026-01-14T09:30:00Z"), rules), Due::Now, "2 h is the limit");
        assert_eq!(due(ActionKind::Wake, wake, utc("2026-01-14T09:30:01Z"), rules), Due::TooLate);
        let off = utc("2026-01-14T19:00:00Z");
        assert_eq!(due(ActionKind::Shutdown, off, utc("2026-01-14T19:20:00Z"), rules), Due::Now);
        assert_eq!(
            due(ActionKind::Shutdown, off, utc("2026-01-15T09:00:00Z"), rules),
            Due::TooLate,
            "not next morning"
        );
        assert_eq!(due(ActionKind::Sleep, off, utc("2026-01-14T19:31:00Z"), rules), Due::TooLate);
        assert_eq!(lookback(rules), Duration::hours(2));
    }

    #[test]
    fn deferrals_are_capped_at_the_policy_maximum() {
        let at = utc("2026-01-14T19:00:00Z");
        let rule = Deferral { allowed: true, max_minutes: 60 };
        assert_eq!(defer(at, 0, 30, rule).unwrap(), (utc("2026-01-14T19:30:00Z"), 30));
        // 45 more after 30 is capped at the 30 left: 60 in all.
        assert_eq!(defer(at, 30, 45, rule).unwrap(), (utc("2026-01-14T20:00:00Z"), 60));
        assert!(defer(at, 60, 5, rule).unwrap_err().contains("most allowed (60 minutes)"));
        assert!(defer(at, 0, 0, rule).is_err());
        assert!(defer(at, 0, 10, Deferral { allowed: false, max_minutes: 60 }).unwrap_err().contains("does not let"));
    }
}
