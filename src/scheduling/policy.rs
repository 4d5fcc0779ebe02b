//! Power policies as plain values, and which one applies to an asset and why. Pure.
//!
//! The rule when several policies match an asset: the most specific target wins, in this order —
//! an explicit list of assets, then an asset-tag prefix (the longest prefix first), then the asset's
//! department, its site, and last its category. Between two policies of the same kind the one with the
//! lowest id (the older one) wins. Disabled policies never apply. An excluded asset gets no policy at all.

use super::schedule::WeeklySchedule;
use std::collections::HashMap;
use std::fmt;

/// What the policy does out of hours: shut the PC down or put it to sleep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OffKind {
    Shutdown,
    Sleep,
}

impl OffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OffKind::Shutdown => "shutdown",
            OffKind::Sleep => "sleep",
        }
    }

    pub fn parse(raw: &str) -> Option<OffKind> {
        match raw.trim() {
            "shutdown" => Some(OffKind::Shutdown),
            "sleep" => Some(OffKind::Sleep),
            _ => None,
        }
    }
}

/// Which assets a policy covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// These assets, by id, sorted (see [`Target::assets`]).
    Assets(Vec<i32>),
    /// Assets whose tag starts with this (compared without regard to case), e.g. "LIB-PC-".
    TagPrefix(String),
    Department(i32),
    Site(i32),
    /// A register category, e.g. "desktop".
    Category(String),
}

impl Target {
    /// An explicit list, sorted and without duplicates so matching is a binary search.
    pub fn assets(mut ids: Vec<i32>) -> Target {
        ids.sort_unstable();
        ids.dedup();
        Target::Assets(ids)
    }

    /// Lower is more specific.
    fn rank(&self) -> u8 {
        match self {
            Target::Assets(_) => 0,
            Target::TagPrefix(_) => 1,
            Target::Department(_) => 2,
            Target::Site(_) => 3,
            Target::Category(_) => 4,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::Assets(_) => "assets",
            Target::TagPrefix(_) => "tag",
            Target::Department(_) => "department",
            Target::Site(_) => "site",
            Target::Category(_) => "category",
        }
    }

    fn matches(&self, a: &AssetFacts) -> bool {
        match self {
            Target::Assets(ids) => ids.binary_search(&a.id).is_ok(),
            Target::TagPrefix(p) => {
                a.asset_tag.len() >= p.len() && a.asset_tag.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            }
            Target::Department(d) => a.department_id == Some(*d),
            Target::Site(s) => a.site_id == Some(*s),
            Target::Category(c) => a.category.eq_ignore_ascii_case(c),
        }
    }

    /// Why the asset matched, in words.
    fn because(&self) -> String {
        match self {
            Target::Assets(_) => "it is named in the policy's list of assets".into(),
            Target::TagPrefix(p) => format!("its asset tag starts with '{p}'"),
            Target::Department(_) => "it belongs to the policy's department".into(),
            Target::Site(_) => "it is at the policy's site".into(),
            Target::Category(c) => format!("it is a {c}"),
        }
    }
}

/// A patch window: wake at `wake` and put back off at `off` (both local) on the given weekdays.
pub type PatchWindows = WeeklySchedule;

/// A power policy with everything the schedule maths needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub id: i32,
    pub name: String,
    pub enabled: bool,
    pub target: Target,
    pub off_kind: OffKind,
    pub schedule: WeeklySchedule,
    pub patch_windows: PatchWindows,
    pub warning_minutes: i32,
    pub deferral: Deferral,
    /// Send no wakes (and no patch-window actions) on bank holidays, so devices stay off all day.
    pub bank_holidays_off: bool,
}

/// Whether the logged-in user may put off a shutdown, and by how much in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deferral {
    pub allowed: bool,
    pub max_minutes: i32,
}

/// What resolution needs to know about an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetFacts {
    pub id: i32,
    pub asset_tag: String,
    pub site_id: Option<i32>,
    pub department_id: Option<i32>,
    pub category: String,
}

/// Which policy applies to an asset, and the reasons in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub policy_id: Option<i32>,
    pub reason: String,
    /// Other enabled policies that also match, each with why it lost.
    pub overridden: Vec<(i32, String)>,
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Sort key: target rank, then longer tag prefixes first, then lowest id.
fn precedence(p: &Policy) -> (u8, std::cmp::Reverse<usize>, i32) {
    let prefix_len = match &p.target {
        Target::TagPrefix(s) => s.len(),
        _ => 0,
    };
    (p.target.rank(), std::cmp::Reverse(prefix_len), p.id)
}

/// The policy that applies to a (not excluded) asset: the same answer as [`resolve`], without the words,
/// for planning many thousands of assets at once.
pub fn winner<'a>(asset: &AssetFacts, policies: &'a [Policy]) -> Option<&'a Policy> {
    policies.iter().filter(|p| p.enabled && p.target.matches(asset)).min_by_key(|p| precedence(p))
}

/// [`winner`] for many thousands of assets at once, without looking at each asset's tag: assets that share
/// a site, department and category, and whose tags start first with the same prefix of
/// [`Winners::tag_prefixes`], all get the same policy, unless an asset list names one of them. Planning
/// reads the register grouped that way (the database tells which prefix each tag starts with) and
/// decides once per group. Answers as [`winner`] does, as an index into the policies.
#[derive(Debug, Clone)]
pub struct Winners<'a> {
    policies: &'a [Policy],
    /// The enabled tag-prefix policies in the order they win: longest prefix first, then lowest id.
    tag_order: Vec<usize>,
    /// Each asset an enabled asset list names, with the list policy that wins for it.
    listed: HashMap<i32, usize>,
}

impl<'a> Winners<'a> {
    pub fn new(policies: &'a [Policy]) -> Winners<'a> {
        let by_precedence = |kind: u8| {
            let mut v: Vec<usize> =
                (0..policies.len()).filter(|&i| policies[i].enabled && policies[i].target.rank() == kind).collect();
            v.sort_by_key(|&i| precedence(&policies[i]));
            v
        };
        let mut listed = HashMap::new();
        for i in by_precedence(Target::Assets(vec![]).rank()) {
            if let Target::Assets(ids) = &policies[i].target {
                for id in ids {
                    listed.entry(*id).or_insert(i);
                }
            }
        }
        Winners { policies, tag_order: by_precedence(Target::TagPrefix(String::new()).rank()), listed }
    }

    /// The enabled policies' tag prefixes in the order they win. Only the first one a tag starts with
    /// (compared without regard to ASCII case) can apply to its asset: a longer match would come first.
    pub fn tag_prefixes(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.tag_order.iter().map(|&i| match &self.policies[i].target {
            Target::TagPrefix(p) => p.as_str(),
            _ => "",
        })
    }

    /// Which of [`Winners::tag_prefixes`] the tag starts with first, if any.
    pub fn tag_rank(&self, asset_tag: &str) -> Option<usize> {
        self.tag_order.iter().position(|&i| {
            self.policies[i].target.matches(&AssetFacts {
                id: 0,
                asset_tag: asset_tag.to_string(),
                site_id: None,
                department_id: None,
                category: String::new(),
            })
        })
    }

    /// The policy for assets at `site_id`, in `department_id`, of `category`, whose tags start first with
    /// the `tag_rank`th of [`Winners::tag_prefixes`], if no asset list names them.
    pub fn of_group(
        &self,
        site_id: Option<i32>,
        department_id: Option<i32>,
        category: &str,
        tag_rank: Option<usize>,
    ) -> Option<usize> {
        if let Some(&i) = tag_rank.and_then(|r| self.tag_order.get(r)) {
            return Some(i);
        }
        let facts = AssetFacts { id: 0, asset_tag: String::new(), site_id, department_id, category: category.into() };
        (0..self.policies.len())
            .filter(|&i| {
                let p = &self.policies[i];
                p.enabled && p.target.rank() > Target::TagPrefix(String::new()).rank() && p.target.matches(&facts)
            })
            .min_by_key(|&i| precedence(&self.policies[i]))
    }

    /// The policy for the asset `id` of a group whose policy is `group`: an asset list's, if one names it.
    pub fn of(&self, id: i32, group: Option<usize>) -> Option<usize> {
        self.listed.get(&id).copied().or(group)
    }
}

/// Resolves one asset against all policies. `excluded` is the exclusion's reason if the asset is
/// excluded from power management.
pub fn resolve(asset: &AssetFacts, excluded: Option<&str>, policies: &[Policy]) -> Resolution {
    let mut matching: Vec<&Policy> = policies.iter().filter(|p| p.enabled && p.target.matches(asset)).collect();
    matching.sort_by_key(|p| precedence(p));
    if let Some(why) = excluded {
        return Resolution {
            policy_id: None,
            reason: format!("excluded from power management ({why}): no policy applies"),
            overridden: matching.iter().map(|p| (p.id, "the asset is excluded".to_string())).collect(),
        };
    }
    let Some(winner) = matching.first() else {
        return Resolution {
            policy_id: None,
            reason: "no enabled policy covers this asset's site, department, category, tag or id".into(),
            overridden: vec![],
        };
    };
    let overridden = matching[1..]
        .iter()
        .map(|p| {
            let why = if p.target.rank() != winner.target.rank() {
                format!("a {} policy is more specific than a {} policy", winner.target.kind(), p.target.kind())
            } else if precedence(p).1 != precedence(winner).1 {
                "a longer tag prefix is more specific".to_string()
            } else {
                format!("same kind of target; policy {} is older (lower id)", winner.id)
            };
            (p.id, why)
        })
        .collect::<Vec<_>>();
    let mut reason = format!("policy '{}' applies because {}", winner.name, winner.target.because());
    if !overridden.is_empty() {
        reason.push_str(&format!(
            "; it wins over {} other matching polic{} (most specific wins: asset list > tag > department > site > \
             category, then lowest id)",
            overridden.len(),
            if overridden.len() == 1 { "y" } else { "ies" }
        ));
    }
    Resolution { policy_id: Some(winner.id), reason, overridden }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(id: i32, target: Target) -> Policy {
        Policy {
            id,
            name: format!("p{id}"),
            enabled: true,
            target,
            off_kind: OffKind::Shutdown,
            schedule: WeeklySchedule::parse("mon-fri 07:30-19:00").unwrap(),
            patch_windows: WeeklySchedule::default(),
            warning_minutes: 10,
            deferral: Deferral { allowed: false, max_minutes: 0 },
            bank_holidays_off: true,
        }
    }

    fn pc() -> AssetFacts {
        AssetFacts {
            id: 7,
            asset_tag: "LIB-PC-0007".into(),
            site_id: Some(1),
            department_id: Some(2),
            category: "desktop".into(),
        }
    }

    #[test]
    fn most_specific_wins_in_the_documented_order() {
        let all = vec![
            policy(1, Target::Category("desktop".into())),
            policy(2, Target::Site(1)),
            policy(3, Target::Department(2)),
            policy(4, Target::TagPrefix("lib-".into())),
            policy(5, Target::assets(vec![8, 7, 8])),
        ];
        // Remove the winner each time: the next in the order takes over.
        for expected in [5, 4, 3, 2, 1] {
            let present: Vec<Policy> = all.iter().filter(|p| p.id <= expected).cloned().collect();
            let r = resolve(&pc(), None, &present);
            assert_eq!(r.policy_id, Some(expected), "{r:?}");
            assert_eq!(winner(&pc(), &present).map(|p| p.id), Some(expected));
            assert_eq!(r.overridden.len(), present.len() - 1);
        }
        let r = resolve(&pc(), None, &all);
        assert!(r.reason.contains("named in the policy's list"), "{}", r.reason);
        assert!(r.overridden.iter().any(|(id, why)| *id == 1 && why.contains("more specific than a category")));
    }

    #[test]
    fn ties_go_to_the_lowest_id_and_longer_prefixes_beat_shorter() {
        let r = resolve(&pc(), None, &[policy(9, Target::Site(1)), policy(4, Target::Site(1))]);
        assert_eq!(r.policy_id, Some(4));
        assert!(r.overridden[0].1.contains("older"), "{:?}", r.overridden);

        let r = resolve(
            &pc(),
            None,
            &[policy(1, Target::TagPrefix("LIB-".into())), policy(2, Target::TagPrefix("LIB-PC-".into()))],
        );
        assert_eq!(r.policy_id, Some(2));
        assert!(r.overridden[0].1.contains("longer tag prefix"));
    }

    /// Deciding per group gives every asset the policy [`winner`] gives it, whatever mix of targets.
    #[test]
    fn winners_by_group_agree_with_winner_for_each_asset() {
        let mut disabled_tag = policy(8, Target::TagPrefix("LIB-PC-0".into()));
        disabled_tag.enabled = false;
        let mut disabled_list = policy(12, Target::assets(vec![3]));
        disabled_list.enabled = false;
        let all = vec![
            policy(1, Target::Category("desktop".into())),
            policy(2, Target::Site(1)),
            policy(3, Target::Department(2)),
            policy(4, Target::TagPrefix("lib-".into())),
            policy(5, Target::assets(vec![8, 7, 8])),
            policy(6, Target::TagPrefix("LIB-PC-".into())),
            policy(7, Target::TagPrefix("Lib-pc-".into())),
            disabled_tag,
            policy(9, Target::assets(vec![7, 2])),
            policy(10, Target::Site(2)),
            policy(11, Target::Department(2)),
            disabled_list,
            policy(13, Target::TagPrefix("".into())),
            policy(14, Target::Category("LAPTOP".into())),
        ];
        let tags = ["LIB-PC-0007", "lib-kiosk", "CO-PC-1", "LI", "", "LIB-PC-", "Café-1"];
        let cats = ["desktop", "laptop", "monitor"];
        // Many subsets of the policies (every 37th, by bit), against assets of every kind.
        for mask in (0u32..1 << all.len()).step_by(37) {
            let present: Vec<Policy> =
                (0..all.len()).filter(|i| mask & (1 << i) != 0).map(|i| all[i].clone()).collect();
            let w = Winners::new(&present);
            for id in 1..=8 {
                for (t, tag) in tags.iter().enumerate() {
                    let facts = AssetFacts {
                        id,
                        asset_tag: tag.to_string(),
                        site_id: [None, Some(1), Some(2)][t % 3],
                        department_id: [Some(2), None][id as usize % 2],
                        category: cats[(t + id as usize) % 3].into(),
                    };
                    let group = w.of_group(facts.site_id, facts.department_id, &facts.category, w.tag_rank(tag));
                    let by_group = w.of(id, group).map(|i| present[i].id);
                    assert_eq!(by_group, winner(&facts, &present).map(|p| p.id), "{facts:?} under mask {mask}");
                }
            }
        }
        let w = Winners::new(&all);
        assert_eq!(w.tag_prefixes().collect::<Vec<_>>(), ["LIB-PC-", "Lib-pc-", "lib-", ""]);
    }

    #[test]
    fn disabled_non_matching_and_excluded() {
        let mut off = policy(1, Target::Site(1));
        off.enabled = false;
        let r = resolve(&pc(), None, &[off, policy(2, Target::Site(99)), policy(3, Target::TagPrefix("CCTV-".into()))]);
        assert_eq!(r.policy_id, None);
        assert!(r.reason.contains("no enabled policy"));

        let r = resolve(&pc(), Some("library kiosk"), &[policy(2, Target::Site(1))]);
        assert_eq!(r.policy_id, None);
        assert!(r.reason.contains("excluded") && r.reason.contains("library kiosk"), "{}", r.reason);
        assert_eq!(r.overridden.len(), 1);
    }
}
