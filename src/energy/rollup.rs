//! The estate estimate: each asset's energy, cost and carbon over a period, summed into groups (by asset,
//! model, category, department, site, day, month or financial year, in any combination). Pure: plain
//! input structs in, plain rows out.
//!
//! Method (DESIGN.md §3): minutes in each power state come from the asset's usage profile (a monitor takes
//! its parent PC's; servers and switches are on 24/7), except on days its agent observed it (a monitor:
//! its PC's agent), when the observed minutes on replace the profile's (see [`super::observed`]); `kwh = Σ watts × hours / 1000`, × PUE in a server
//! room; `cost_gbp = Σ(day) kwh_day × rate(site, day)`; `kg_co2e = kwh × factor`, generation and T&D apart,
//! with a market-based figure beside. All Decimal, unrounded.
//!
//! Speed: each distinct schedule's minutes are worked out once per day of the period (running totals, see
//! [`ProfileDays`]); the period is cut once per tariff into pieces of one month (or day) and one rate; then
//! each asset costs one hash lookup and a few multiplications per piece. Energy is summed as watt-minutes
//! per (asset-side group, piece) and priced and converted to carbon once per group and piece at the end.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;

use super::bank_holidays::BankHolidays;
use super::calendar::{CalendarMonth, FinancialYear, Period};
use super::carbon::{market_based_kg_co2e, CarbonSplit, FactorMethod, GridFactorSet, GridFactors};
use super::observed::{observed_day, ObservedOn};
use super::power::{is_always_on_kit, kwh_from_watt_minutes, PowerDraw, Pue};
use super::tariff::{TariffHistory, TariffRate, Tariffs};
use super::usage::{ProfileDays, StateMinutes, UsageProfile};
use super::EnergyError;
use crate::domain::Category;

/// What the estimate needs to know about one asset. Ids are the register's.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetEnergyInput {
    pub asset_id: i32,
    pub category: Category,
    pub model_id: Option<i32>,
    pub department_id: Option<i32>,
    pub site_id: Option<i32>,
    /// The PC a monitor (or other peripheral) belongs to: it takes that asset's power states.
    pub parent_id: Option<i32>,
    /// Its usage profile (a key of the profiles map); ignored for always-on kit and for assets with a parent.
    pub profile_id: i32,
    pub draw: PowerDraw,
    /// The site's PUE, for assets in a server room.
    pub pue: Option<Pue>,
    /// The days it was in service (deployed to disposed); `None` for the whole period.
    pub in_service: Option<Period>,
}

/// A dimension to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupBy {
    Asset,
    Model,
    Category,
    Department,
    Site,
    /// One row per day: for one asset or a few (an estate by day is millions of rows).
    Day,
    Month,
    FinancialYear,
}

/// One part of a group's key, in the order of the `group_by` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupValue {
    Asset(i32),
    Model(Option<i32>),
    Category(Category),
    Department(Option<i32>),
    Site(Option<i32>),
    Day(NaiveDate),
    Month(CalendarMonth),
    FinancialYear(FinancialYear),
}

/// Sums for a group, full precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EnergyTotals {
    pub kwh: Decimal,
    pub cost_gbp: Decimal,
    /// Location-based: generation (Scope 2) and T&D losses (Scope 3).
    pub carbon: CarbonSplit,
    /// Market-based Scope 2 (see [`market_based_kg_co2e`]).
    pub market_kg_co2e: Decimal,
}

impl EnergyTotals {
    fn add(&mut self, o: &EnergyTotals) {
        self.kwh += o.kwh;
        self.cost_gbp += o.cost_gbp;
        self.carbon += o.carbon;
        self.market_kg_co2e += o.market_kg_co2e;
    }

    /// `self - other`, field by field: the saving when `other` is the energy with a policy.
    pub fn minus(&self, other: &EnergyTotals) -> EnergyTotals {
        EnergyTotals {
            kwh: self.kwh - other.kwh,
            cost_gbp: self.cost_gbp - other.cost_gbp,
            carbon: CarbonSplit {
                generation_kg_co2e: self.carbon.generation_kg_co2e - other.carbon.generation_kg_co2e,
                td_kg_co2e: self.carbon.td_kg_co2e - other.carbon.td_kg_co2e,
            },
            market_kg_co2e: self.market_kg_co2e - other.market_kg_co2e,
        }
    }
}

/// One row of the estimate: a group's key and its sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollup {
    pub key: Vec<GroupValue>,
    pub totals: EnergyTotals,
}

/// Everything the estimate reads, all dated reference data included.
#[derive(Debug, Clone, Copy)]
pub struct EstimateInputs<'a> {
    pub period: Period,
    pub assets: &'a [AssetEnergyInput],
    pub profiles: &'a HashMap<i32, UsageProfile>,
    pub tariffs: &'a Tariffs,
    pub factors: &'a GridFactors,
    pub factor_method: FactorMethod,
    pub holidays: &'a BankHolidays,
    /// Minutes seen on by agents, by asset and day; preferred over the profile on those days.
    pub observed: &'a ObservedOn,
}

/// The estimate for every asset over the period, summed into one row per group, in the order the groups
/// were first met (assets in input order, then time). `group_by` empty gives one row for the whole estate (none if
/// no asset used any energy-counting day).
pub fn estimate(inputs: &EstimateInputs, group_by: &[GroupBy]) -> Result<Vec<Rollup>, EnergyError> {
    if group_by.len() > MAX_DIMENSIONS {
        return Err(EnergyError::Invalid(format!("group by at most {MAX_DIMENSIONS} dimensions")));
    }
    let by_day = group_by.contains(&GroupBy::Day);
    let schedules = Schedules::resolve(inputs)?;
    let profile_days: Vec<ProfileDays> =
        schedules.distinct.iter().map(|p| ProfileDays::new(p, &inputs.period, inputs.holidays)).collect();

    let mut piece_lists: Vec<Vec<Piece>> = Vec::new();
    let mut piece_list_of_site: HashMap<Option<i32>, usize> = HashMap::new();
    let mut piece_list_of_tariff: HashMap<*const TariffHistory, usize> = HashMap::new();

    // Assets that share the asset-side dimensions of the key and a piece list share a block: one slot of
    // watt-minutes per piece (None until an asset is in service for it). One hash lookup per asset.
    let mut blocks: Vec<Block> = Vec::new();
    let mut block_of: HashMap<(Key, usize), usize> = HashMap::new();
    let mut watt_minutes: Vec<Option<Decimal>> = Vec::new();
    for (index, (asset, &schedule)) in inputs.assets.iter().zip(&schedules.of_asset).enumerate() {
        let list = match piece_list_of_site.get(&asset.site_id) {
            Some(&i) => i,
            None => {
                let tariff = inputs
                    .tariffs
                    .for_site(asset.site_id)
                    .ok_or(EnergyError::NoTariff { site_id: asset.site_id, date: inputs.period.from() })?;
                let i = match piece_list_of_tariff.get(&(tariff as *const TariffHistory)) {
                    Some(&i) => i,
                    None => {
                        piece_lists.push(pieces(inputs, tariff, asset.site_id, by_day)?);
                        piece_list_of_tariff.insert(tariff as *const TariffHistory, piece_lists.len() - 1);
                        piece_lists.len() - 1
                    }
                };
                piece_list_of_site.insert(asset.site_id, i);
                i
            }
        };
        let pieces = &piece_lists[list];
        let block = *block_of.entry((Key::asset_side(group_by, asset), list)).or_insert_with(|| {
            blocks.push(Block { asset: index, list, first_slot: watt_minutes.len() });
            watt_minutes.resize(watt_minutes.len() + pieces.len(), None);
            blocks.len() - 1
        });
        let slots = &mut watt_minutes[blocks[block].first_slot..][..pieces.len()];
        let days = &profile_days[schedule];
        for (slot, piece) in slots.iter_mut().zip(pieces) {
            let part = match &asset.in_service {
                None => piece.period,
                Some(service) => match piece.period.intersect(service) {
                    Some(p) => p,
                    None => continue,
                },
            };
            let minutes = with_observed(days.minutes(&part), days, &part, observed_days(inputs, asset));
            let mut energy = asset.draw.watt_minutes(&minutes);
            if let Some(pue) = asset.pue {
                energy = pue.apply(energy);
            }
            *slot.get_or_insert(Decimal::ZERO) += energy;
        }
    }

    // Price and convert each block's pieces once, and add them to their groups.
    let mut rows: Vec<Rollup> = Vec::new();
    let mut row_of: HashMap<Key, usize> = HashMap::new();
    for block in &blocks {
        let pieces = &piece_lists[block.list];
        let slots = &watt_minutes[block.first_slot..][..pieces.len()];
        for (piece, energy) in pieces.iter().zip(slots) {
            let Some(energy) = energy else { continue };
            let kwh = kwh_from_watt_minutes(*energy);
            let totals = EnergyTotals {
                kwh,
                cost_gbp: kwh * piece.rate.gbp_per_kwh,
                carbon: piece.factors.carbon(kwh),
                market_kg_co2e: market_based_kg_co2e(kwh, piece.rate.market_kg_co2e_per_kwh, piece.factors),
            };
            let key = Key::new(group_by, &inputs.assets[block.asset], piece);
            let row = *row_of.entry(key).or_insert_with(|| {
                rows.push(Rollup { key: key.values(), totals: EnergyTotals::default() });
                rows.len() - 1
            });
            rows[row].totals.add(&totals);
        }
    }
    Ok(rows)
}

/// The observed days that apply to an asset: its own, or for a peripheral its PC's.
fn observed_days<'a>(
    inputs: &EstimateInputs<'a>,
    asset: &AssetEnergyInput,
) -> Option<&'a std::collections::BTreeMap<NaiveDate, u32>> {
    if inputs.observed.is_empty() {
        return None;
    }
    let source = match asset.parent_id {
        Some(parent) if !is_always_on_kit(asset.category) => parent,
        _ => asset.asset_id,
    };
    inputs.observed.days(source)
}

/// `minutes` over `part` from the profile, with each observed day in `part` swapped for its observation.
fn with_observed(
    mut minutes: StateMinutes,
    days: &ProfileDays,
    part: &Period,
    observed: Option<&std::collections::BTreeMap<NaiveDate, u32>>,
) -> StateMinutes {
    let Some(observed) = observed else { return minutes };
    if part.is_empty() {
        return minutes;
    }
    for (&day, &on) in observed.range(part.from()..part.to()) {
        let Ok(one_day) = Period::inclusive(day, day) else { continue };
        let profile_day = days.minutes(&one_day);
        minutes = minutes - profile_day + observed_day(profile_day, on);
    }
    minutes
}

/// Assets with the same asset-side key and piece list: the first of them, and where their slots start.
struct Block {
    asset: usize,
    list: usize,
    first_slot: usize,
}

const MAX_DIMENSIONS: usize = 8;

/// A run of days in one month (or one day) with one tariff rate and one factor set.
struct Piece<'a> {
    period: Period,
    month: CalendarMonth,
    rate: TariffRate,
    factors: &'a GridFactorSet,
}

fn pieces<'a>(
    inputs: &EstimateInputs<'a>,
    tariff: &TariffHistory,
    site_id: Option<i32>,
    by_day: bool,
) -> Result<Vec<Piece<'a>>, EnergyError> {
    let majority = super::carbon::majority_year(&inputs.period);
    let mut out = Vec::new();
    for (month, month_period) in inputs.period.months() {
        let year = match inputs.factor_method {
            FactorMethod::MajorityYear => majority,
            FactorMethod::CalendarYearOfDay => month.year,
        };
        let factors = inputs.factors.choose(year).ok_or(EnergyError::NoGridFactors { year })?.set;
        let rated = tariff.pieces(&month_period).map_err(|date| EnergyError::NoTariff { site_id, date })?;
        for (period, rate) in rated {
            if by_day {
                for day in period.iter_days() {
                    let one_day = Period::inclusive(day, day).map_err(EnergyError::Invalid)?;
                    out.push(Piece { period: one_day, month, rate, factors });
                }
            } else {
                out.push(Piece { period, month, rate, factors });
            }
        }
    }
    Ok(out)
}

/// The distinct schedules in use and which one each asset follows.
struct Schedules {
    distinct: Vec<UsageProfile>,
    of_asset: Vec<usize>,
}

impl Schedules {
    fn resolve(inputs: &EstimateInputs) -> Result<Schedules, EnergyError> {
        let index_of_asset: HashMap<i32, usize> =
            inputs.assets.iter().enumerate().map(|(i, a)| (a.asset_id, i)).collect();
        let own = |a: &AssetEnergyInput| -> Result<UsageProfile, EnergyError> {
            if is_always_on_kit(a.category) {
                return Ok(UsageProfile::ALWAYS_ON);
            }
            inputs
                .profiles
                .get(&a.profile_id)
                .copied()
                .ok_or(EnergyError::UnknownProfile { asset_id: a.asset_id, profile_id: a.profile_id })
        };
        let mut distinct: Vec<UsageProfile> = Vec::new();
        let mut index_of_profile: HashMap<UsageProfile, usize> = HashMap::new();
        let mut of_asset = Vec::with_capacity(inputs.assets.len());
        for asset in inputs.assets {
            // A peripheral follows its parent's own schedule (one level: the parent's parent is not followed).
            let profile = match asset.parent_id {
                Some(parent_id) if !is_always_on_kit(asset.category) => {
                    let parent = index_of_asset
                        .get(&parent_id)
                        .map(|&i| &inputs.assets[i])
                        .ok_or(EnergyError::UnknownParent { asset_id: asset.asset_id, parent_id })?;
                    own(parent)?
                }
                _ => own(asset)?,
            };
            let index = *index_of_profile.entry(profile).or_insert_with(|| {
                distinct.push(profile);
                distinct.len() - 1
            });
            of_asset.push(index);
        }
        Ok(Schedules { distinct, of_asset })
    }
}

/// A group key without allocation: the values of the asked dimensions, in order; unused slots are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    len: u8,
    values: [Option<GroupValue>; MAX_DIMENSIONS],
}

impl Key {
    fn new(group_by: &[GroupBy], asset: &AssetEnergyInput, piece: &Piece) -> Key {
        let mut values = [None; MAX_DIMENSIONS];
        for (slot, dimension) in values.iter_mut().zip(group_by) {
            *slot = Some(match dimension {
                GroupBy::Asset => GroupValue::Asset(asset.asset_id),
                GroupBy::Model => GroupValue::Model(asset.model_id),
                GroupBy::Category => GroupValue::Category(asset.category),
                GroupBy::Department => GroupValue::Department(asset.department_id),
                GroupBy::Site => GroupValue::Site(asset.site_id),
                GroupBy::Day => GroupValue::Day(piece.period.from()),
                GroupBy::Month => GroupValue::Month(piece.month),
                GroupBy::FinancialYear => GroupValue::FinancialYear(FinancialYear::containing(piece.period.from())),
            });
        }
        Key { len: group_by.len() as u8, values }
    }

    /// The key with only the asset's own dimensions filled; time dimensions left `None`.
    fn asset_side(group_by: &[GroupBy], asset: &AssetEnergyInput) -> Key {
        let mut values = [None; MAX_DIMENSIONS];
        for (slot, dimension) in values.iter_mut().zip(group_by) {
            *slot = match dimension {
                GroupBy::Asset => Some(GroupValue::Asset(asset.asset_id)),
                GroupBy::Model => Some(GroupValue::Model(asset.model_id)),
                GroupBy::Category => Some(GroupValue::Category(asset.category)),
                GroupBy::Department => Some(GroupValue::Department(asset.department_id)),
                GroupBy::Site => Some(GroupValue::Site(asset.site_id)),
                GroupBy::Day | GroupBy::Month | GroupBy::FinancialYear => None,
            };
        }
        Key { len: group_by.len() as u8, values }
    }

    fn values(&self) -> Vec<GroupValue> {
        self.values[..self.len as usize].iter().flatten().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::calendar::ymd;
    use super::super::usage::{OutOfHours, WorkingHours};
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    const OFFICE: i32 = 1;
    const ALWAYS: i32 = 2;

    fn profiles() -> HashMap<i32, UsageProfile> {
        HashMap::from([
            (OFFICE, UsageProfile::working(WorkingHours::office(OutOfHours::Sleep))),
            (ALWAYS, UsageProfile::ALWAYS_ON),
        ])
    }

    /// uk_grid_factors.csv rows 2024 and 2025 (DESNZ GHG conversion factors).
    fn factors() -> GridFactors {
        let set = |year, generation: &str, td: &str| GridFactorSet {
            year,
            generation_kg_co2e_per_kwh: dec(generation),
            td_kg_co2e_per_kwh: dec(td),
            source: format!("DESNZ {year}"),
        };
        GridFactors::new(vec![set(2024, "0.20705", "0.01830"), set(2025, "0.17700", "0.01853")]).unwrap()
    }

    /// 24.50 p/kWh from 01/04/2024 (the Apr-Jun 2024 price cap, House of Commons Library CBP-9714, used as a
    /// stated rate).
    fn tariffs() -> Tariffs {
        Tariffs::council_wide(
            TariffHistory::new(vec![TariffRate::pence_per_kwh(ymd(2024, 1, 1), dec("24.50"))]).unwrap(),
        )
    }

    /// A desktop with the ConfigMgr 2007 R3 defaults in device_power_defaults.csv: on 70 W, sleep 3 W.
    fn desktop(asset_id: i32) -> AssetEnergyInput {
        AssetEnergyInput {
            asset_id,
            category: Category::Desktop,
            model_id: Some(10),
            department_id: Some(100),
            site_id: Some(1000),
            parent_id: None,
            profile_id: OFFICE,
            draw: PowerDraw::new(dec("70"), dec("3"), dec("0")).unwrap(),
            pue: None,
            in_service: None,
        }
    }

    fn run(
        period: Period,
        assets: &[AssetEnergyInput],
        tariffs: &Tariffs,
        method: FactorMethod,
        group_by: &[GroupBy],
    ) -> Vec<Rollup> {
        let (profiles, factors) = (profiles(), factors());
        let holidays = BankHolidays::england_and_wales(2024..=2025);
        let inputs = EstimateInputs {
            period,
            assets,
            profiles: &profiles,
            tariffs,
            factors: &factors,
            factor_method: method,
            holidays: &holidays,
            observed: &crate::energy::observed::ObservedOn::default(),
        };
        estimate(&inputs, group_by).unwrap()
    }

    #[test]
    fn desktop_for_financial_year_2024_25_by_hand() {
        // Hours (see usage::tests): 254 working days × 10 h = 2540 h on; 8760 - 2540 = 6220 h asleep.
        // kWh = (70 × 2540 + 3 × 6220) / 1000 = (177 800 + 18 660) / 1000 = 196.46.
        // £ = 196.46 × 0.245 = 48.1327 (shown £48.13).
        // 2024/25 lies mostly in 2024 (275 of 365 days): 2024 factors. Generation 196.46 × 0.20705 =
        // 40.677043; T&D 196.46 × 0.01830 = 3.595218; total 44.272261. No supplier factor: market-based =
        // generation.
        let on_hours = Decimal::from((261 - 7) * 10);
        let sleep_hours = Decimal::from(365 * 24) - on_hours;
        let kwh = (dec("70") * on_hours + dec("3") * sleep_hours) / dec("1000");
        assert_eq!(kwh, dec("196.46"));
        let rows = run(FinancialYear(2024).period(), &[desktop(1)], &tariffs(), FactorMethod::MajorityYear, &[]);
        assert_eq!(rows.len(), 1);
        let t = rows[0].totals;
        assert_eq!(t.kwh, kwh);
        assert_eq!(t.cost_gbp, kwh * dec("0.245"));
        assert_eq!(t.cost_gbp, dec("48.1327"));
        assert_eq!(super::super::tariff::round_to_pence(t.cost_gbp).unwrap().to_string(), "48.13");
        assert_eq!(t.carbon.generation_kg_co2e, dec("40.677043"));
        assert_eq!(t.carbon.td_kg_co2e, dec("3.595218"));
        assert_eq!(t.carbon.total_kg_co2e(), dec("44.272261"));
        assert_eq!(t.market_kg_co2e, dec("40.677043"));
    }

    #[test]
    fn observed_days_replace_the_profile_by_hand() {
        // April 2024 by the profile alone: 16.23 kWh (see by_month_sums_to_the_year). The desktop's agent
        // observed two days:
        // - Tue 02/04/2024, a working day (profile 600 min on, 840 asleep), seen on 13 h = 780 min: the
        //   other 660 min count as asleep because the profile sleeps that day. Change: on +180 min,
        //   asleep −180 min: (70 − 3) × 180 = 12 060 Wmin = 0.201 kWh more.
        // - Sat 06/04/2024, not a working day (profile 1440 min asleep), seen on 2 h = 120 min: on
        //   +120, asleep −120: 67 × 120 = 8 040 Wmin = 0.134 kWh more.
        // April: 16.23 + 0.201 + 0.134 = 16.565 kWh; £ = 16.565 × 0.245 = 4.058425.
        // Its monitor (parent = the desktop, 20 W on, 0.3 W asleep) follows the PC's observations:
        // profile April 210 h on, 510 h asleep = (20 × 210 + 0.3 × 510) / 1000 = 4.353 kWh, plus
        // (20 − 0.3) × 300 min = 5 910 Wmin = 0.0985 kWh: 4.4515 kWh.
        let april = Period::inclusive(ymd(2024, 4, 1), ymd(2024, 4, 30)).unwrap();
        let mut observed = crate::energy::observed::ObservedOn::default();
        observed.add(1, ymd(2024, 4, 2), 780);
        observed.add(1, ymd(2024, 4, 6), 120);
        // An observation outside the period changes nothing.
        observed.add(1, ymd(2024, 5, 1), 1440);
        let monitor = AssetEnergyInput {
            asset_id: 2,
            category: Category::Monitor,
            parent_id: Some(1),
            draw: PowerDraw::new(dec("20"), dec("0.3"), dec("0")).unwrap(),
            ..desktop(2)
        };
        let (profiles, factors) = (profiles(), factors());
        let holidays = BankHolidays::england_and_wales(2024..=2025);
        let tariffs = tariffs();
        let assets = [desktop(1), monitor];
        let inputs = EstimateInputs {
            period: april,
            assets: &assets,
            profiles: &profiles,
            tariffs: &tariffs,
            factors: &factors,
            factor_method: FactorMethod::MajorityYear,
            holidays: &holidays,
            observed: &observed,
        };
        let rows = estimate(&inputs, &[GroupBy::Asset]).unwrap();
        assert_eq!(rows[0].key, [GroupValue::Asset(1)]);
        assert_eq!(rows[0].totals.kwh, dec("16.565"));
        assert_eq!(rows[0].totals.cost_gbp, dec("4.058425"));
        assert_eq!(rows[1].totals.kwh, dec("4.4515"));
        // Without observations, the profile's figure.
        let plain = run(april, &[desktop(1)], &tariffs, FactorMethod::MajorityYear, &[]);
        assert_eq!(plain[0].totals.kwh, dec("16.23"));
    }

    #[test]
    fn factor_by_calendar_year_of_each_day() {
        // Jan-Mar 2025: working days Jan 23 weekdays - 1 Jan = 22, Feb 20, Mar 21 (31st a Monday): 63,
        // 630 h on; 90 days × 24 - 1 (30/03/2025, 23 h) = 2159 h, so 1529 h asleep.
        // kWh = (70 × 630 + 3 × 1529) / 1000 = 48.687, at 2025 factors; the other 196.46 - 48.687 = 147.773
        // kWh at 2024 factors.
        let q1_2025 = (dec("70") * dec("630") + dec("3") * dec("1529")) / dec("1000");
        assert_eq!(q1_2025, dec("48.687"));
        let rest = dec("196.46") - q1_2025;
        let rows = run(FinancialYear(2024).period(), &[desktop(1)], &tariffs(), FactorMethod::CalendarYearOfDay, &[]);
        let t = rows[0].totals;
        assert_eq!(t.kwh, dec("196.46"));
        assert_eq!(t.carbon.generation_kg_co2e, rest * dec("0.20705") + q1_2025 * dec("0.17700"));
        assert_eq!(t.carbon.td_kg_co2e, rest * dec("0.01830") + q1_2025 * dec("0.01853"));
    }

    #[test]
    fn by_month_sums_to_the_year() {
        // April 2024: 22 weekdays (Mon 1st to Tue 30th) - Easter Monday = 21 working days: 210 h on,
        // 720 - 210 = 510 h asleep: (70 × 210 + 3 × 510) / 1000 = 16.23 kWh.
        let rows =
            run(FinancialYear(2024).period(), &[desktop(1)], &tariffs(), FactorMethod::MajorityYear, &[GroupBy::Month]);
        assert_eq!(rows.len(), 12);
        assert_eq!(rows[0].key, [GroupValue::Month(CalendarMonth { year: 2024, month: 4 })]);
        assert_eq!(rows[0].totals.kwh, dec("16.23"));
        assert_eq!(rows[11].key, [GroupValue::Month(CalendarMonth { year: 2025, month: 3 })]);
        let sum: Decimal = rows.iter().map(|r| r.totals.kwh).sum();
        assert_eq!(sum, dec("196.46"));
    }

    #[test]
    fn a_tariff_change_mid_month() {
        // July 2024 (no bank holidays): 1-14 July has 10 weekdays: 100 h on, 336 - 100 = 236 h asleep:
        // 7.708 kWh at 24.50 p = £1.88846. 15-31 July has 13 weekdays: 130 h on, 408 - 130 = 278 h asleep:
        // 9.934 kWh at 22.40 p = £2.225216. July: 17.642 kWh, £4.113676.
        let tariffs = Tariffs::council_wide(
            TariffHistory::new(vec![
                TariffRate::pence_per_kwh(ymd(2024, 4, 1), dec("24.50")),
                TariffRate::pence_per_kwh(ymd(2024, 7, 15), dec("22.40")),
            ])
            .unwrap(),
        );
        let first = (dec("70") * dec("100") + dec("3") * dec("236")) / dec("1000");
        let second = (dec("70") * dec("130") + dec("3") * dec("278")) / dec("1000");
        assert_eq!((first, second), (dec("7.708"), dec("9.934")));
        let july = CalendarMonth { year: 2024, month: 7 }.period();
        let rows = run(july, &[desktop(1)], &tariffs, FactorMethod::MajorityYear, &[GroupBy::Month]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].totals.kwh, first + second);
        assert_eq!(rows[0].totals.cost_gbp, first * dec("0.245") + second * dec("0.224"));
        assert_eq!(rows[0].totals.cost_gbp, dec("4.113676"));
        // Day by day gives the same: 15 July alone (a Monday) is 10 h on + 14 h asleep = 0.742 kWh at 22.40 p.
        let by_day = run(july, &[desktop(1)], &tariffs, FactorMethod::MajorityYear, &[GroupBy::Day]);
        assert_eq!(by_day.len(), 31);
        assert_eq!(by_day[14].key, [GroupValue::Day(ymd(2024, 7, 15))]);
        assert_eq!(by_day[14].totals.cost_gbp, dec("0.742") * dec("0.224"));
        assert_eq!(by_day.iter().map(|r| r.totals.cost_gbp).sum::<Decimal>(), dec("4.113676"));
    }

    #[test]
    fn leap_day_february_2024() {
        // 29 days, 21 working days: 210 h on, 696 - 210 = 486 h asleep: (14 700 + 1 458) / 1000 = 16.158.
        let feb = CalendarMonth { year: 2024, month: 2 }.period();
        let rows = run(feb, &[desktop(1)], &tariffs(), FactorMethod::MajorityYear, &[]);
        assert_eq!(rows[0].totals.kwh, dec("16.158"));
    }

    #[test]
    fn a_monitor_follows_its_pc() {
        // A monitor stated at 20 W on, 0.5 W asleep, given the always-on profile, belonging to the desktop:
        // it takes the PC's office hours. Tue 02/04/2024: 10 h on, 14 h asleep: 200 + 7 = 207 Wh.
        // (Alone with its own always-on profile it would use 24 × 20 = 480 Wh.)
        let monitor = AssetEnergyInput {
            asset_id: 2,
            category: Category::Monitor,
            parent_id: Some(1),
            profile_id: ALWAYS,
            draw: PowerDraw::new(dec("20"), dec("0.5"), dec("0")).unwrap(),
            ..desktop(2)
        };
        let day = Period::inclusive(ymd(2024, 4, 2), ymd(2024, 4, 2)).unwrap();
        let rows =
            run(day, &[desktop(1), monitor.clone()], &tariffs(), FactorMethod::MajorityYear, &[GroupBy::Category]);
        assert_eq!(rows[1].key, [GroupValue::Category(Category::Monitor)]);
        assert_eq!(rows[1].totals.kwh, dec("0.207"));
        let alone = AssetEnergyInput { parent_id: None, ..monitor };
        let rows = run(day, &[alone], &tariffs(), FactorMethod::MajorityYear, &[]);
        assert_eq!(rows[0].totals.kwh, dec("0.480"));
    }

    #[test]
    fn a_server_in_a_room_with_pue_1_5_on_the_25_hour_day() {
        // A rack server averaging 175 W (Boavizta TEC median 1528.6 kWh/yr ≈ 175 W) is on 24/7 whatever its
        // profile. Sun 27/10/2024 has 25 hours: 175 × 25 = 4375 Wh; × PUE 1.5 = 6.5625 kWh. On Sun
        // 31/03/2024 (23 hours): 175 × 23 × 1.5 = 6037.5 Wh.
        let server = AssetEnergyInput {
            category: Category::Server,
            draw: PowerDraw::new(dec("175"), dec("175"), dec("0")).unwrap(),
            pue: Some(Pue::new(dec("1.5")).unwrap()),
            ..desktop(9)
        };
        let day = |d| Period::inclusive(d, d).unwrap();
        let rows =
            run(day(ymd(2024, 10, 27)), std::slice::from_ref(&server), &tariffs(), FactorMethod::MajorityYear, &[]);
        assert_eq!(rows[0].totals.kwh, dec("6.5625"));
        let rows = run(day(ymd(2024, 3, 31)), &[server], &tariffs(), FactorMethod::MajorityYear, &[]);
        assert_eq!(rows[0].totals.kwh, dec("6.0375"));
    }

    #[test]
    fn groups_by_site_and_department_and_counts_only_days_in_service() {
        // Three desktops over Tue 02/04/2024 (0.742 kWh each in service): two at site 1000 in departments 100
        // and 200, one at site 2000 disposed of before the day, so it counts nothing.
        let a = desktop(1);
        let b = AssetEnergyInput { department_id: Some(200), ..desktop(2) };
        let gone = AssetEnergyInput {
            site_id: Some(2000),
            in_service: Some(Period::new(ymd(2024, 1, 1), ymd(2024, 4, 2)).unwrap()),
            ..desktop(3)
        };
        let day = Period::inclusive(ymd(2024, 4, 2), ymd(2024, 4, 2)).unwrap();
        let assets = [a, b, gone];
        let by_site = run(day, &assets, &tariffs(), FactorMethod::MajorityYear, &[GroupBy::Site]);
        assert_eq!(by_site.len(), 1, "the disposed asset's site has no energy row");
        assert_eq!(by_site[0].key, [GroupValue::Site(Some(1000))]);
        assert_eq!(by_site[0].totals.kwh, dec("1.484"));
        let by_dept = run(day, &assets, &tariffs(), FactorMethod::MajorityYear, &[GroupBy::Site, GroupBy::Department]);
        let keys: Vec<_> = by_dept.iter().map(|r| r.key.clone()).collect();
        assert_eq!(
            keys,
            [
                vec![GroupValue::Site(Some(1000)), GroupValue::Department(Some(100))],
                vec![GroupValue::Site(Some(1000)), GroupValue::Department(Some(200))],
            ]
        );
        assert!(by_dept.iter().all(|r| r.totals.kwh == dec("0.742")));
        let by_asset_fy =
            run(day, &assets, &tariffs(), FactorMethod::MajorityYear, &[GroupBy::Asset, GroupBy::FinancialYear]);
        assert_eq!(by_asset_fy[1].key, [GroupValue::Asset(2), GroupValue::FinancialYear(FinancialYear(2024))]);
    }

    #[test]
    fn a_renewable_tariff_reports_market_based_beside_location_based() {
        // On a REGO-backed tariff (supplier factor 0), market-based Scope 2 is 0; location-based is unchanged:
        // 0.742 kWh × 0.20705 = 0.1536311 kg.
        let green = Tariffs::council_wide(
            TariffHistory::new(vec![
                TariffRate::pence_per_kwh(ymd(2024, 1, 1), dec("24.50")).with_market_factor(Decimal::ZERO)
            ])
            .unwrap(),
        );
        let day = Period::inclusive(ymd(2024, 4, 2), ymd(2024, 4, 2)).unwrap();
        let rows = run(day, &[desktop(1)], &green, FactorMethod::MajorityYear, &[]);
        assert_eq!(rows[0].totals.market_kg_co2e, Decimal::ZERO);
        assert_eq!(rows[0].totals.carbon.generation_kg_co2e, dec("0.1536311"));
    }

    #[test]
    fn names_what_is_missing() {
        let (profiles, factors, holidays) = (profiles(), factors(), BankHolidays::default());
        let no_tariff = Tariffs::default();
        let fy = FinancialYear(2024).period();
        let assets = [desktop(1)];
        let inputs = EstimateInputs {
            period: fy,
            assets: &assets,
            profiles: &profiles,
            tariffs: &no_tariff,
            factors: &factors,
            factor_method: FactorMethod::MajorityYear,
            holidays: &holidays,
            observed: &crate::energy::observed::ObservedOn::default(),
        };
        assert_eq!(estimate(&inputs, &[]), Err(EnergyError::NoTariff { site_id: Some(1000), date: fy.from() }));
        let tariffs = tariffs();
        // Factors are held for 2024 and 2025 only: 2023/24 has no set of its own or earlier one to stand in.
        let earlier = EstimateInputs { period: FinancialYear(2023).period(), tariffs: &tariffs, ..inputs };
        assert_eq!(estimate(&earlier, &[]), Err(EnergyError::NoGridFactors { year: 2023 }));
        // 2026/27 (no 2026 set yet) is converted at the 2025 set, the latest published: the same kWh × 0.17700
        // and × 0.01853.
        let later = EstimateInputs { period: FinancialYear(2026).period(), tariffs: &tariffs, ..inputs };
        let rows = estimate(&later, &[]).unwrap();
        let kwh = rows[0].totals.kwh;
        assert_eq!(rows[0].totals.carbon.generation_kg_co2e, kwh * dec("0.17700"));
        assert_eq!(rows[0].totals.carbon.td_kg_co2e, kwh * dec("0.01853"));
        let orphan = [AssetEnergyInput { parent_id: Some(99), ..desktop(2) }];
        let orphaned = EstimateInputs { assets: &orphan, tariffs: &tariffs, ..inputs };
        assert_eq!(estimate(&orphaned, &[]), Err(EnergyError::UnknownParent { asset_id: 2, parent_id: 99 }));
    }
}
