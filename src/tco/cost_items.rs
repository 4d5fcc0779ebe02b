//! Cost items (maintenance, support, licences, repairs) turned into dated charges, and each charge shared
//! out to the assets it is for.
//!
//! Charges: a one-off item is one charge on its date. An annual item is charged its yearly amount on its
//! first day and on each anniversary up to its last day (inclusive); a contract year cut short by the
//! last day is charged pro rata, `amount × days covered ÷ days in that contract year`. An annual item
//! with no last day goes on: it is charged up to the end of the lives of the assets it is for.
//!
//! Sharing (the apportionment rule): an item for one asset is all that asset's, whatever the date. An item
//! for a group (a model, category, department or site) has each charge shared equally among the group's
//! assets in life on the charge's date (bought on or before it, and not yet past the end of their life);
//! so a 2021 support contract is not charged to a PC bought in 2024, and a PC in life for two of a
//! contract's five years bears two years' shares. A charge with no asset in life to bear it is kept as
//! unallocated, so totals never lose money.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use std::collections::HashMap;

use crate::domain::Category;
use crate::energy::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CostKind {
    Maintenance,
    Support,
    Licence,
    Repair,
}

impl CostKind {
    pub const ALL: [CostKind; 4] = [CostKind::Maintenance, CostKind::Support, CostKind::Licence, CostKind::Repair];

    pub fn as_str(self) -> &'static str {
        match self {
            CostKind::Maintenance => "maintenance",
            CostKind::Support => "support",
            CostKind::Licence => "licence",
            CostKind::Repair => "repair",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CostKind::Maintenance => "Maintenance",
            CostKind::Support => "Support",
            CostKind::Licence => "Licence",
            CostKind::Repair => "Repair",
        }
    }
}

impl std::str::FromStr for CostKind {
    type Err = String;
    fn from_str(s: &str) -> Result<CostKind, String> {
        let key = s.trim().to_ascii_lowercase();
        let key = if key == "license" { "licence".to_string() } else { key };
        CostKind::ALL
            .into_iter()
            .find(|k| k.as_str() == key)
            .ok_or_else(|| format!("'{s}' is not a kind of cost; use maintenance, support, licence or repair"))
    }
}

/// Whom an item is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CostScope {
    Asset(i32),
    Model(i32),
    Category(Category),
    Department(i32),
    Site(i32),
}

/// One-off on its date, or annual from its first day to its last (none: ongoing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    OneOff,
    Annual { ends_on: Option<NaiveDate> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostItemInput {
    pub id: i32,
    pub scope: CostScope,
    pub timing: Timing,
    /// £, the one-off amount or the amount per year.
    pub amount_gbp: Decimal,
    /// The one-off's date, or the annual item's first day.
    pub starts_on: NaiveDate,
}

/// A dated amount of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge {
    pub date: NaiveDate,
    pub amount_gbp: Decimal,
}

/// The item's charges; an ongoing annual item's stop before `until`.
pub fn charges(item: &CostItemInput, until: NaiveDate) -> Vec<Charge> {
    match item.timing {
        Timing::OneOff => vec![Charge { date: item.starts_on, amount_gbp: item.amount_gbp }],
        Timing::Annual { ends_on } => {
            let mut out = Vec::new();
            for year in 0u32.. {
                let Some(date) = item.starts_on.checked_add_months(Months::new(12 * year)) else { break };
                let next = item.starts_on.checked_add_months(Months::new(12 * (year + 1))).unwrap_or(NaiveDate::MAX);
                let past_end = match ends_on {
                    Some(last) => date > last,
                    None => date >= until,
                };
                if past_end {
                    break;
                }
                let amount = match ends_on {
                    Some(last) if last < next.pred_opt().unwrap_or(next) => {
                        let covered = Decimal::from((last - date).num_days() + 1);
                        let year_days = Decimal::from((next - date).num_days());
                        item.amount_gbp * covered / year_days
                    }
                    _ => item.amount_gbp,
                };
                out.push(Charge { date, amount_gbp: amount });
            }
            out
        }
    }
}

/// What sharing needs to know of an asset: who it is, the groups it is in, and its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub asset_id: i32,
    pub model_id: Option<i32>,
    pub category: Category,
    pub department_id: Option<i32>,
    pub site_id: Option<i32>,
    /// The days it bears group charges: from purchase (or always, if no purchase date) to the end of its life.
    pub life: Period,
}

impl Member {
    fn is_in(&self, scope: CostScope) -> bool {
        match scope {
            CostScope::Asset(id) => self.asset_id == id,
            CostScope::Model(id) => self.model_id == Some(id),
            CostScope::Category(c) => self.category == c,
            CostScope::Department(id) => self.department_id == Some(id),
            CostScope::Site(id) => self.site_id == Some(id),
        }
    }
}

/// An asset's share of one item: the sum over the item's charges it bore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemShare {
    pub item_id: i32,
    pub amount_gbp: Decimal,
    /// How many of the item's charges it bore a share of.
    pub charges: u32,
    /// How many assets shared the charges, at most (1 for an item of its own).
    pub shared_with_at_most: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Apportioned {
    pub by_asset: HashMap<i32, Vec<ItemShare>>,
    /// (item id, £) of charges no asset in life could bear.
    pub unallocated: Vec<(i32, Decimal)>,
}

/// Every item's charges shared among `members` by the rule in the module docs. `until` ends ongoing items
/// with no member (their charges are then unallocated only up to it).
pub fn apportion(items: &[CostItemInput], members: &[Member], until: NaiveDate) -> Apportioned {
    // Each scope's members found once, so an item costs its own group's size, not the register's; only
    // the scopes some item names are collected (not a group per asset for a register of 100,000).
    let mut by_scope: HashMap<CostScope, Vec<&Member>> = items.iter().map(|i| (i.scope, Vec::new())).collect();
    if !items.is_empty() {
        for m in members {
            let scopes = [
                Some(CostScope::Asset(m.asset_id)),
                Some(CostScope::Category(m.category)),
                m.model_id.map(CostScope::Model),
                m.department_id.map(CostScope::Department),
                m.site_id.map(CostScope::Site),
            ];
            for scope in scopes.into_iter().flatten() {
                if let Some(group) = by_scope.get_mut(&scope) {
                    group.push(m);
                }
            }
        }
    }
    let mut out = Apportioned::default();
    for item in items {
        let in_scope: &[&Member] = by_scope.get(&item.scope).map_or(&[], Vec::as_slice);
        debug_assert!(in_scope.iter().all(|m| m.is_in(item.scope)));
        let last_life = in_scope.iter().map(|m| m.life.to()).max().unwrap_or(until);
        let charges = charges(item, last_life);
        debug_assert!(charges.windows(2).all(|w| w[0].date <= w[1].date));
        // The charges a member bears are a run of them, [first, end): its life is one run of days and the
        // charges are in date order. An item for one asset is its own whatever the date.
        let runs: Vec<(usize, usize)> = in_scope
            .iter()
            .map(|m| match item.scope {
                CostScope::Asset(_) => (0, charges.len()),
                _ => {
                    let first = charges.partition_point(|c| c.date < m.life.from());
                    (first, charges.partition_point(|c| c.date < m.life.to()).max(first))
                }
            })
            .collect();
        // How many bear each charge: +1 where a run starts, −1 where it ends, summed along.
        let mut starts_less_ends = vec![0i64; charges.len() + 1];
        for &(first, end) in &runs {
            starts_less_ends[first] += 1;
            starts_less_ends[end] -= 1;
        }
        let mut bearers = 0i64;
        let mut each = Vec::with_capacity(charges.len());
        let mut unallocated = Decimal::ZERO;
        for (charge, change) in charges.iter().zip(&starts_less_ends) {
            bearers += change;
            let n = u32::try_from(bearers).unwrap_or(0);
            if n == 0 {
                unallocated += charge.amount_gbp;
            }
            each.push((n, if n == 0 { Decimal::ZERO } else { charge.amount_gbp / Decimal::from(n) }));
        }
        if !unallocated.is_zero() {
            out.unallocated.push((item.id, unallocated));
        }
        // Members bearing the same run get the same share, summed once per run (a group of thousands has
        // a few dozen runs), in charge order from zero as one member's share always was.
        let mut by_run: HashMap<(usize, usize), ItemShare> = HashMap::new();
        for (m, &(first, end)) in in_scope.iter().zip(&runs) {
            if first == end {
                continue;
            }
            let share = *by_run.entry((first, end)).or_insert_with(|| {
                let mut s =
                    ItemShare { item_id: item.id, amount_gbp: Decimal::ZERO, charges: 0, shared_with_at_most: 0 };
                for &(n, amount) in &each[first..end] {
                    s.amount_gbp += amount;
                    s.charges += 1;
                    s.shared_with_at_most = s.shared_with_at_most.max(n);
                }
                s
            });
            out.by_asset.entry(m.asset_id).or_default().push(share);
        }
    }
    for shares in out.by_asset.values_mut() {
        shares.sort_by_key(|s| s.item_id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::energy::calendar::ymd;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn item(id: i32, scope: CostScope, timing: Timing, amount: &str, starts_on: NaiveDate) -> CostItemInput {
        CostItemInput { id, scope, timing, amount_gbp: dec(amount), starts_on }
    }

    fn member(asset_id: i32, department_id: i32, from: NaiveDate, to: NaiveDate) -> Member {
        Member {
            asset_id,
            model_id: Some(1),
            category: Category::Desktop,
            department_id: Some(department_id),
            site_id: None,
            life: Period::new(from, to).unwrap(),
        }
    }

    #[test]
    fn annual_items_charge_each_anniversary_and_pro_rata_the_short_last_year() {
        // £120 a year from 01/04/2024 to 30/09/2026: full charges on 01/04/2024 and 01/04/2025; the
        // contract year from 01/04/2026 is cut at 30/09/2026: 183 of its 365 days (01/04/2026–31/03/2027),
        // £120 × 183 / 365 = £60.164383...
        let annual =
            item(1, CostScope::Asset(1), Timing::Annual { ends_on: Some(ymd(2026, 9, 30)) }, "120", ymd(2024, 4, 1));
        let c = charges(&annual, ymd(2100, 1, 1));
        assert_eq!(c.len(), 3);
        assert_eq!((c[0].date, c[0].amount_gbp), (ymd(2024, 4, 1), dec("120")));
        assert_eq!((c[1].date, c[1].amount_gbp), (ymd(2025, 4, 1), dec("120")));
        assert_eq!(c[2].date, ymd(2026, 4, 1));
        assert_eq!(c[2].amount_gbp, dec("120") * dec("183") / dec("365"));
        // A whole last year (to 31/03/2027) is charged in full; an ongoing item stops before `until`.
        let whole =
            item(1, CostScope::Asset(1), Timing::Annual { ends_on: Some(ymd(2027, 3, 31)) }, "120", ymd(2024, 4, 1));
        assert_eq!(charges(&whole, ymd(2100, 1, 1)).iter().map(|c| c.amount_gbp).sum::<Decimal>(), dec("360"));
        let ongoing = item(1, CostScope::Asset(1), Timing::Annual { ends_on: None }, "120", ymd(2024, 4, 1));
        assert_eq!(charges(&ongoing, ymd(2026, 4, 1)).len(), 2);
        assert_eq!(charges(&ongoing, ymd(2026, 4, 2)).len(), 3);
    }

    #[test]
    fn group_charges_are_shared_among_the_assets_in_life_on_the_day() {
        // Department 7 pays £300 a year support from 01/04/2024 to 31/03/2026 (two charges).
        // Asset 1 in life 2020–2030 and asset 2 bought 01/01/2025: on 01/04/2024 only asset 1 is in life
        // (£300 to it); on 01/04/2025 both are (£150 each). Asset 1: £450, asset 2: £150. Asset 3 is in
        // another department and bears nothing. A one-off £90 repair on asset 3 is its own.
        // A department 8 licence on 01/01/2019 has no asset in life: £50 unallocated.
        let items = vec![
            item(
                1,
                CostScope::Department(7),
                Timing::Annual { ends_on: Some(ymd(2026, 3, 31)) },
                "300",
                ymd(2024, 4, 1),
            ),
            item(2, CostScope::Asset(3), Timing::OneOff, "90", ymd(2031, 1, 1)),
            item(3, CostScope::Department(8), Timing::OneOff, "50", ymd(2019, 1, 1)),
        ];
        let members = [
            member(1, 7, ymd(2020, 1, 1), ymd(2030, 1, 1)),
            member(2, 7, ymd(2025, 1, 1), ymd(2030, 1, 1)),
            member(3, 8, ymd(2020, 1, 1), ymd(2030, 1, 1)),
        ];
        let a = apportion(&items, &members, ymd(2026, 1, 1));
        let share = |asset: i32| a.by_asset.get(&asset).cloned().unwrap_or_default();
        assert_eq!(
            share(1),
            vec![ItemShare { item_id: 1, amount_gbp: dec("450"), charges: 2, shared_with_at_most: 2 }]
        );
        assert_eq!(
            share(2),
            vec![ItemShare { item_id: 1, amount_gbp: dec("150"), charges: 1, shared_with_at_most: 2 }]
        );
        // Asset 3's repair falls after its life ends but is its own.
        assert_eq!(share(3), vec![ItemShare { item_id: 2, amount_gbp: dec("90"), charges: 1, shared_with_at_most: 1 }]);
        assert_eq!(a.unallocated, vec![(3, dec("50"))]);
    }

    /// The rule as the module docs state it, one charge and one member at a time.
    fn apportion_one_by_one(items: &[CostItemInput], members: &[Member], until: NaiveDate) -> Apportioned {
        let mut out = Apportioned::default();
        for item in items {
            let in_scope: Vec<&Member> = members.iter().filter(|m| m.is_in(item.scope)).collect();
            let last_life = in_scope.iter().map(|m| m.life.to()).max().unwrap_or(until);
            let mut shares: Vec<Option<ItemShare>> = vec![None; in_scope.len()];
            let mut unallocated = Decimal::ZERO;
            for charge in charges(item, last_life) {
                let bearers: Vec<usize> = (0..in_scope.len())
                    .filter(|&i| matches!(item.scope, CostScope::Asset(_)) || in_scope[i].life.contains(charge.date))
                    .collect();
                if bearers.is_empty() {
                    unallocated += charge.amount_gbp;
                    continue;
                }
                let n = bearers.len() as u32;
                for i in bearers {
                    let s = shares[i].get_or_insert(ItemShare {
                        item_id: item.id,
                        amount_gbp: Decimal::ZERO,
                        charges: 0,
                        shared_with_at_most: 0,
                    });
                    s.amount_gbp += charge.amount_gbp / Decimal::from(n);
                    s.charges += 1;
                    s.shared_with_at_most = s.shared_with_at_most.max(n);
                }
            }
            if !unallocated.is_zero() {
                out.unallocated.push((item.id, unallocated));
            }
            for (m, share) in in_scope.iter().zip(shares) {
                if let Some(share) = share {
                    out.by_asset.entry(m.asset_id).or_default().push(share);
                }
            }
        }
        for shares in out.by_asset.values_mut() {
            shares.sort_by_key(|s| s.item_id);
        }
        out
    }

    #[test]
    fn shares_summed_once_per_run_of_charges_are_those_worked_out_one_by_one() {
        // 60 assets in three departments with lives starting and ending on and around the charge dates
        // (so each department's members bear different runs of its charges), thirds and sevenths that do
        // not divide exactly, an item ending mid-year, one with no member and one for a single asset.
        let members: Vec<Member> = (0..60)
            .map(|i| {
                let from = ymd(2018, 1, 1) + chrono::Days::new(97 * i as u64);
                let to = from + chrono::Days::new(365 * (1 + i as u64 % 6) + (i as u64 % 3));
                member(i + 1, 7 + i % 3, from, to)
            })
            .collect();
        let items = vec![
            item(1, CostScope::Department(7), Timing::Annual { ends_on: None }, "1000", ymd(2019, 4, 1)),
            item(
                2,
                CostScope::Department(8),
                Timing::Annual { ends_on: Some(ymd(2026, 9, 30)) },
                "700",
                ymd(2018, 3, 15),
            ),
            item(3, CostScope::Category(Category::Desktop), Timing::OneOff, "100", ymd(2021, 6, 1)),
            item(4, CostScope::Model(1), Timing::Annual { ends_on: None }, "333.33", ymd(2017, 1, 1)),
            item(5, CostScope::Department(42), Timing::Annual { ends_on: None }, "50", ymd(2020, 1, 1)),
            item(6, CostScope::Asset(5), Timing::Annual { ends_on: Some(ymd(2040, 1, 1)) }, "12.5", ymd(2019, 1, 1)),
        ];
        let until = ymd(2026, 6, 30);
        assert_eq!(apportion(&items, &members, until), apportion_one_by_one(&items, &members, until));
    }

    #[test]
    fn kinds_parse_with_either_spelling_of_licence() {
        assert_eq!("License".parse::<CostKind>().unwrap(), CostKind::Licence);
        assert!("lunch".parse::<CostKind>().unwrap_err().contains("maintenance"));
    }
}
