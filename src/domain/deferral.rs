//! Deferring a shutdown or sleep: whether a user may put it off, and for how long. One rule for both
//! sides: the agent offers at most what is left, and the service refuses anything more. Every deferral
//! spends from one allowance (`max_defer_minutes`), so repeated deferrals cannot push the action off
//! for ever. Pure.

use chrono::{DateTime, Duration, Utc};

/// What an action allows: may the user defer it, and how many minutes in all are left to defer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeferralAllowance {
    pub may_defer: bool,
    pub max_defer_minutes: Option<i32>,
}

impl DeferralAllowance {
    /// Minutes the user may still defer by: 0 when deferral is not allowed or the allowance is spent.
    pub fn remaining_minutes(&self) -> u32 {
        match (self.may_defer, self.max_defer_minutes) {
            (true, Some(m)) if m > 0 => m as u32,
            _ => 0,
        }
    }

    /// The deferral an agent may offer when the user asks for `asked` minutes: the ask, cut down to
    /// what is left; `None` when nothing may be deferred (the action goes ahead).
    pub fn offer(&self, asked: u32) -> Option<u32> {
        let left = self.remaining_minutes();
        (asked > 0 && left > 0).then(|| asked.min(left))
    }
}

/// A deferral the service accepted: when the action now happens and what allowance the new action has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deferral {
    pub new_scheduled_at: DateTime<Utc>,
    pub allowance: DeferralAllowance,
}

/// Decides a user's deferral of an action scheduled at `scheduled_at` by `minutes`: the action moves
/// `minutes` later and the allowance shrinks by as much. Refused (with the reason) when the action does
/// not allow deferral, when `minutes` is not positive, or when it is more than is left.
pub fn decide(scheduled_at: DateTime<Utc>, allowance: DeferralAllowance, minutes: i64) -> Result<Deferral, String> {
    let left = i64::from(allowance.remaining_minutes());
    if !allowance.may_defer {
        return Err("this action may not be deferred".into());
    }
    if minutes <= 0 {
        return Err(format!("a deferral must be a positive number of minutes, not {minutes}"));
    }
    if minutes > left {
        return Err(format!("deferral of {minutes} minutes refused: only {left} minutes are left to defer"));
    }
    let remaining = (left - minutes) as i32;
    Ok(Deferral {
        new_scheduled_at: scheduled_at + Duration::minutes(minutes),
        allowance: DeferralAllowance { may_defer: remaining > 0, max_defer_minutes: Some(remaining) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 14, h, m, 0).unwrap()
    }

    const SIXTY: DeferralAllowance = DeferralAllowance { may_defer: true, max_defer_minutes: Some(60) };

    #[test]
    fn a_deferral_moves_the_action_and_spends_the_allowance() {
        // 19:00 deferred 45 of 60 minutes: 19:45, 15 minutes left.
        let d = decide(at(19, 0), SIXTY, 45).unwrap();
        assert_eq!(d.new_scheduled_at, at(19, 45));
        assert_eq!(d.allowance, DeferralAllowance { may_defer: true, max_defer_minutes: Some(15) });
        // Deferring the rest leaves nothing: the next action may not be deferred.
        let again = decide(d.new_scheduled_at, d.allowance, 15).unwrap();
        assert_eq!(again.new_scheduled_at, at(20, 0));
        assert!(!again.allowance.may_defer);
        assert!(decide(again.new_scheduled_at, again.allowance, 1).is_err());
    }

    #[test]
    fn refusals_say_why() {
        assert!(decide(at(19, 0), SIXTY, 61).unwrap_err().contains("only 60 minutes"));
        assert!(decide(at(19, 0), SIXTY, 0).unwrap_err().contains("positive"));
        let never = DeferralAllowance { may_defer: false, max_defer_minutes: Some(60) };
        assert!(decide(at(19, 0), never, 10).unwrap_err().contains("may not be deferred"));
        // Deferral allowed but no limit given: nothing to spend.
        let no_limit = DeferralAllowance { may_defer: true, max_defer_minutes: None };
        assert!(decide(at(19, 0), no_limit, 10).is_err());
    }

    #[test]
    fn the_agent_offers_at_most_what_is_left() {
        assert_eq!(SIXTY.offer(30), Some(30));
        assert_eq!(SIXTY.offer(90), Some(60));
        assert_eq!(SIXTY.offer(0), None);
        assert_eq!(DeferralAllowance { may_defer: false, max_defer_minutes: Some(60) }.offer(30), None);
        assert_eq!(DeferralAllowance { may_defer: true, max_defer_minutes: Some(-5) }.offer(30), None);
    }
}
