//! One asset's total cost of ownership with its parts, and TCO rolled up by a group.
//!
//! `total = purchase + energy to date + energy forecast + cost item shares + disposal cost − disposal income`.
//! A missing purchase cost counts as £0 and is said so (`purchase_gbp: None`); so is unrecorded disposal
//! money. Roll-ups sum each part over the group's assets and give the cost per asset-year (the group's
//! total ÷ the sum of its assets' life in years, a year being 365.25 days), from which "per seat over N
//! years" is `per asset-year × N`.

use rust_decimal::Decimal;
use std::collections::HashMap;

use super::cost_items::ItemShare;
use super::life_energy::EnergyPart;
use crate::domain::Category;
use crate::energy::Period;

/// Disposal money of one asset (its share of a batch's), from the disposal records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DisposalMoney {
    pub cost_gbp: Decimal,
    pub income_gbp: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetTcoInput {
    pub asset_id: i32,
    pub model_id: Option<i32>,
    pub category: Category,
    pub department_id: Option<i32>,
    pub site_id: Option<i32>,
    /// The days its TCO covers: purchase to refresh date (or to today, if it is kept past it).
    pub life: Option<Period>,
    pub purchase_gbp: Option<Decimal>,
    pub energy_to_date: Option<EnergyPart>,
    pub energy_forecast: Option<EnergyPart>,
    pub cost_items: Vec<ItemShare>,
    /// `None` when no disposal money is recorded for it.
    pub disposal: Option<DisposalMoney>,
}

/// The parts of a TCO, full precision. Also the sums of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcoTotals {
    pub purchase_gbp: Decimal,
    pub energy_to_date_kwh: Decimal,
    pub energy_to_date_gbp: Decimal,
    pub energy_forecast_kwh: Decimal,
    pub energy_forecast_gbp: Decimal,
    pub cost_items_gbp: Decimal,
    pub disposal_cost_gbp: Decimal,
    pub disposal_income_gbp: Decimal,
    /// Days of life covered (summed over a group's assets).
    pub life_days: u64,
}

impl TcoTotals {
    pub fn energy_gbp(&self) -> Decimal {
        self.energy_to_date_gbp + self.energy_forecast_gbp
    }

    pub fn energy_kwh(&self) -> Decimal {
        self.energy_to_date_kwh + self.energy_forecast_kwh
    }

    pub fn total_gbp(&self) -> Decimal {
        self.purchase_gbp + self.energy_gbp() + self.cost_items_gbp + self.disposal_cost_gbp - self.disposal_income_gbp
    }

    /// Total ÷ life in years (365.25 days each); `None` with no life recorded.
    pub fn per_asset_year_gbp(&self) -> Option<Decimal> {
        (self.life_days > 0).then(|| self.total_gbp() * Decimal::new(36525, 2) / Decimal::from(self.life_days))
    }

    fn add(&mut self, o: &TcoTotals) {
        self.purchase_gbp += o.purchase_gbp;
        self.energy_to_date_kwh += o.energy_to_date_kwh;
        self.energy_to_date_gbp += o.energy_to_date_gbp;
        self.energy_forecast_kwh += o.energy_forecast_kwh;
        self.energy_forecast_gbp += o.energy_forecast_gbp;
        self.cost_items_gbp += o.cost_items_gbp;
        self.disposal_cost_gbp += o.disposal_cost_gbp;
        self.disposal_income_gbp += o.disposal_income_gbp;
        self.life_days += o.life_days;
    }
}

/// One asset's TCO: its inputs kept for the breakdown, and the parts summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetTco {
    pub input: AssetTcoInput,
    pub totals: TcoTotals,
}

pub fn asset_tco(input: AssetTcoInput) -> AssetTco {
    let zero = Decimal::ZERO;
    let disposal = input.disposal.unwrap_or_default();
    let totals = TcoTotals {
        purchase_gbp: input.purchase_gbp.unwrap_or(zero),
        energy_to_date_kwh: input.energy_to_date.map_or(zero, |e| e.kwh),
        energy_to_date_gbp: input.energy_to_date.map_or(zero, |e| e.cost_gbp),
        energy_forecast_kwh: input.energy_forecast.map_or(zero, |e| e.kwh),
        energy_forecast_gbp: input.energy_forecast.map_or(zero, |e| e.cost_gbp),
        cost_items_gbp: input.cost_items.iter().map(|s| s.amount_gbp).sum(),
        disposal_cost_gbp: disposal.cost_gbp,
        disposal_income_gbp: disposal.income_gbp,
        life_days: input.life.map_or(0, |p| u64::from(p.days())),
    };
    AssetTco { input, totals }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcoGroupBy {
    Model,
    Category,
    Department,
    Site,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcoGroupKey {
    Model(Option<i32>),
    Category(Category),
    Department(Option<i32>),
    Site(Option<i32>),
}

impl TcoGroupKey {
    /// Orders groups: by id (none last), categories by name.
    fn order(&self) -> (i32, &'static str) {
        match *self {
            TcoGroupKey::Model(id) | TcoGroupKey::Department(id) | TcoGroupKey::Site(id) => {
                (id.unwrap_or(i32::MAX), "")
            }
            TcoGroupKey::Category(c) => (0, c.as_str()),
        }
    }
}

fn key_of(by: TcoGroupBy, a: &AssetTcoInput) -> TcoGroupKey {
    match by {
        TcoGroupBy::Model => TcoGroupKey::Model(a.model_id),
        TcoGroupBy::Category => TcoGroupKey::Category(a.category),
        TcoGroupBy::Department => TcoGroupKey::Department(a.department_id),
        TcoGroupBy::Site => TcoGroupKey::Site(a.site_id),
    }
}

/// Each group's sums and number of assets, in key order.
pub fn rollup(assets: &[AssetTco], by: TcoGroupBy) -> Vec<(TcoGroupKey, usize, TcoTotals)> {
    let mut groups: HashMap<TcoGroupKey, (usize, TcoTotals)> = HashMap::new();
    for a in assets {
        let g = groups.entry(key_of(by, &a.input)).or_default();
        g.0 += 1;
        g.1.add(&a.totals);
    }
    let mut out: Vec<_> = groups.into_iter().map(|(k, (n, t))| (k, n, t)).collect();
    out.sort_by_key(|(k, _, _)| k.order());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::energy::calendar::ymd;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn part(from: chrono::NaiveDate, to: chrono::NaiveDate, kwh: &str, gbp: &str) -> EnergyPart {
        EnergyPart {
            period: Period::new(from, to).unwrap(),
            kwh: dec(kwh),
            cost_gbp: dec(gbp),
            days_before_first_rate: 0,
        }
    }

    fn input(asset_id: i32, model_id: i32, department_id: i32) -> AssetTcoInput {
        AssetTcoInput {
            asset_id,
            model_id: Some(model_id),
            category: Category::Desktop,
            department_id: Some(department_id),
            site_id: None,
            life: Some(Period::new(ymd(2024, 1, 1), ymd(2024, 4, 1)).unwrap()),
            purchase_gbp: Some(dec("650.00")),
            energy_to_date: Some(part(ymd(2024, 1, 1), ymd(2024, 2, 15), "108", "24.96")),
            energy_forecast: Some(part(ymd(2024, 2, 15), ymd(2024, 4, 1), "110.3", "33.09")),
            cost_items: vec![ItemShare { item_id: 1, amount_gbp: dec("450"), charges: 2, shared_with_at_most: 2 }],
            disposal: Some(DisposalMoney { cost_gbp: dec("12.50"), income_gbp: dec("40.00") }),
        }
    }

    #[test]
    fn an_asset_tco_sums_its_parts() {
        // Purchase £650 + energy to date £24.96 + forecast £33.09 (life_energy tests: the tariff change and
        // the forecast at the latest rate) + support share £450 + disposal £12.50 − resale income £40
        // = £1,130.55, over 91 days (01/01–31/03/2024).
        let t = asset_tco(input(1, 1, 7)).totals;
        assert_eq!(t.energy_gbp(), dec("58.05"));
        assert_eq!(t.energy_kwh(), dec("218.3"));
        assert_eq!(t.total_gbp(), dec("1130.55"));
        assert_eq!(t.life_days, 91);
        // Nothing recorded: no purchase cost, no energy, no disposal → £0, not an error.
        let bare = AssetTcoInput {
            purchase_gbp: None,
            energy_to_date: None,
            energy_forecast: None,
            cost_items: vec![],
            disposal: None,
            life: None,
            ..input(2, 1, 7)
        };
        let t = asset_tco(bare).totals;
        assert_eq!((t.total_gbp(), t.per_asset_year_gbp()), (Decimal::ZERO, None));
    }

    #[test]
    fn rollups_sum_each_part_and_give_cost_per_asset_year() {
        // Two assets of model 1 (departments 7 and 8), one of model 2 without cost items.
        // Model 1: 2 × £1,130.55 = £2,261.10 over 182 days; per asset-year £2,261.10 × 365.25 / 182.
        let third = AssetTcoInput { cost_items: vec![], ..input(3, 2, 8) };
        let assets = [asset_tco(input(1, 1, 7)), asset_tco(input(2, 1, 8)), asset_tco(third)];
        let by_model = rollup(&assets, TcoGroupBy::Model);
        assert_eq!(by_model.len(), 2);
        let (key, n, t) = by_model[0];
        assert_eq!((key, n), (TcoGroupKey::Model(Some(1)), 2));
        assert_eq!(t.total_gbp(), dec("2261.10"));
        assert_eq!(t.cost_items_gbp, dec("900"));
        assert_eq!(t.per_asset_year_gbp().unwrap(), dec("2261.10") * dec("365.25") / dec("182"));
        let by_department = rollup(&assets, TcoGroupBy::Department);
        // Department 8: £1,130.55 + (£1,130.55 − £450) = £1,811.10.
        assert_eq!(by_department[1].0, TcoGroupKey::Department(Some(8)));
        assert_eq!(by_department[1].2.total_gbp(), dec("1811.10"));
    }
}
