//! Sign-in throttling: too many failures for one account, or from one address, within a window and the
//! next try is refused until the window has moved on. The counts come from the database, so every
//! instance behind a load balancer applies the same rule.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub window: Duration,
    /// Failures for one username (whoever tries) before it is locked for the window.
    pub per_account: usize,
    /// Failures from one address (whichever usernames) before it is refused for the window.
    pub per_address: usize,
}

impl Default for Rule {
    fn default() -> Rule {
        Rule { window: Duration::minutes(15), per_account: 5, per_address: 20 }
    }
}

/// When the next try would be let through, if not now. `*_failures` are the failure times within the
/// window, any order.
pub fn refused_until(
    rule: &Rule,
    now: DateTime<Utc>,
    account_failures: &[DateTime<Utc>],
    address_failures: &[DateTime<Utc>],
) -> Option<DateTime<Utc>> {
    let until = |failures: &[DateTime<Utc>], limit: usize| -> Option<DateTime<Utc>> {
        let mut recent: Vec<_> = failures.iter().copied().filter(|t| *t > now - rule.window && *t <= now).collect();
        if recent.len() < limit {
            return None;
        }
        // Let through again when enough of the failures have aged out to bring the count below the limit.
        recent.sort();
        let key = recent[recent.len() - limit];
        Some(key + rule.window)
    };
    match (until(account_failures, rule.per_account), until(address_failures, rule.per_address)) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(min)
    }

    #[test]
    fn four_failures_pass_the_fifth_locks_for_the_window() {
        let rule = Rule::default();
        let four: Vec<_> = (0..4).map(t).collect();
        assert_eq!(refused_until(&rule, t(5), &four, &four), None);
        let five: Vec<_> = (0..5).map(t).collect();
        // Failures at 0..4 min: the count falls below 5 when the one at 0 ages out, at 0 + 15 min.
        assert_eq!(refused_until(&rule, t(5), &five, &five), Some(t(15)));
        // At 15 min the first has aged out: let through.
        assert_eq!(refused_until(&rule, t(15), &five, &five), None);
    }

    #[test]
    fn an_address_trying_many_accounts_is_refused() {
        let rule = Rule::default();
        let twenty: Vec<_> = (0..20).map(|i| t(i / 2)).collect();
        assert_eq!(refused_until(&rule, t(10), &[], &twenty), Some(t(15)));
        assert_eq!(refused_until(&rule, t(10), &[], &twenty[..19]), None);
    }

    #[test]
    fn old_failures_do_not_count() {
        let rule = Rule::default();
        let old: Vec<_> = (0..10).map(|i| t(i - 60)).collect();
        assert_eq!(refused_until(&rule, t(0), &old, &old), None);
    }
}
