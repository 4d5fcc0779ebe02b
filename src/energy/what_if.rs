//! What-if: the saving of an off policy (e.g. desktops off 19:00-07:30 and at weekends) against the usage
//! profiles in force, over a period: kWh, £ and kgCO2e. Saving = energy without the policy − energy with it
//! (DESIGN.md §3). Pure; runs the estimate twice.

use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

use super::bank_holidays::BankHolidays;
use super::calendar::Period;
use super::observed::ObservedOn;
use super::power::PowerDraw;
use super::rollup::{estimate, AssetEnergyInput, EnergyTotals, EstimateInputs};
use super::usage::{state_minutes, OffPolicy, UsageProfile};
use super::EnergyError;

/// The estate's energy as it is, with the policy, and the difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicySaving {
    pub current: EnergyTotals,
    pub proposed: EnergyTotals,
    /// `current − proposed`: positive is a saving.
    pub saved: EnergyTotals,
}

/// The saving over `inputs.period` if the assets that `applies_to` selects adopt `policy` in place of any
/// off policy their profile has now. Peripherals follow their parent, so a monitor saves when its PC does;
/// always-on kit (servers, switches) is never turned off. For a saving per year, give a financial year.
pub fn policy_saving(
    inputs: &EstimateInputs,
    policy: OffPolicy,
    applies_to: impl Fn(&AssetEnergyInput) -> bool,
) -> Result<PolicySaving, EnergyError> {
    let current = total(inputs)?;
    // Each profile used by a selected asset gets a variant with the policy, under a new id.
    let mut profiles: HashMap<i32, UsageProfile> = inputs.profiles.clone();
    let mut variant_of: HashMap<i32, i32> = HashMap::new();
    let mut next_id = inputs.profiles.keys().copied().max().unwrap_or(0);
    let mut assets = inputs.assets.to_vec();
    for asset in assets.iter_mut().filter(|a| applies_to(a)) {
        let Some(profile) = inputs.profiles.get(&asset.profile_id) else {
            return Err(EnergyError::UnknownProfile { asset_id: asset.asset_id, profile_id: asset.profile_id });
        };
        asset.profile_id = *variant_of.entry(asset.profile_id).or_insert_with(|| {
            next_id += 1;
            profiles.insert(next_id, profile.with_policy(policy));
            next_id
        });
    }
    let proposed = total(&EstimateInputs { assets: &assets, profiles: &profiles, ..*inputs })?;
    Ok(PolicySaving { current, proposed, saved: current.minus(&proposed) })
}

/// What an adopted policy does over `inputs.period` for the assets it governs and the peripherals that
/// follow them: the estimate from the profiles alone, the estimate with the policy laid over, and, for
/// the devices whose agents reported, the profiles alone against what the agents observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdoptedEffect {
    pub devices: usize,
    pub without: EnergyTotals,
    pub with: EnergyTotals,
    pub observed: Option<ObservedEffect>,
}

/// The devices of a policy that reported, on the days they reported (other days count the profile on
/// both sides, so they cancel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObservedEffect {
    pub devices: usize,
    pub without: EnergyTotals,
    pub observed: EnergyTotals,
}

impl ObservedEffect {
    pub fn saved(&self) -> EnergyTotals {
        self.without.minus(&self.observed)
    }
}

/// See [`AdoptedEffect`]. `governed` are the assets the policy applies to (after exclusions); a
/// peripheral counts when its PC is governed.
pub fn adopted_effect(
    inputs: &EstimateInputs,
    policy: OffPolicy,
    governed: &HashSet<i32>,
) -> Result<AdoptedEffect, EnergyError> {
    let follows =
        |a: &AssetEnergyInput| governed.contains(&a.asset_id) || a.parent_id.is_some_and(|p| governed.contains(&p));
    let members: Vec<AssetEnergyInput> = inputs.assets.iter().filter(|a| follows(a)).cloned().collect();
    let devices = members.iter().filter(|a| governed.contains(&a.asset_id)).count();
    let profiles_only = ObservedOn::default();
    let alone = EstimateInputs { assets: &members, observed: &profiles_only, ..*inputs };
    let saving = policy_saving(&alone, policy, |a| governed.contains(&a.asset_id))?;
    let reported = |id: i32| {
        inputs.observed.days(id).is_some_and(|d| d.range(inputs.period.from()..inputs.period.to()).next().is_some())
    };
    let reporting: Vec<AssetEnergyInput> =
        members.iter().filter(|a| reported(a.parent_id.unwrap_or(a.asset_id))).cloned().collect();
    let reporting_devices = reporting.iter().filter(|a| governed.contains(&a.asset_id)).count();
    let observed = if reporting_devices == 0 {
        None
    } else {
        Some(ObservedEffect {
            devices: reporting_devices,
            without: total(&EstimateInputs { assets: &reporting, observed: &profiles_only, ..*inputs })?,
            observed: total(&EstimateInputs { assets: &reporting, ..*inputs })?,
        })
    };
    Ok(AdoptedEffect { devices, without: saving.current, with: saving.proposed, observed })
}

fn total(inputs: &EstimateInputs) -> Result<EnergyTotals, EnergyError> {
    Ok(estimate(inputs, &[])?.first().map(|r| r.totals).unwrap_or_default())
}

/// One device's kWh saved over a period by laying `policy` over `profile`.
pub fn device_saving_kwh(
    draw: &PowerDraw,
    profile: &UsageProfile,
    policy: OffPolicy,
    period: &Period,
    holidays: &BankHolidays,
) -> Decimal {
    let now = draw.kwh(&state_minutes(profile, period, holidays));
    let with_policy = draw.kwh(&state_minutes(&profile.with_policy(policy), period, holidays));
    now - with_policy
}

#[cfg(test)]
mod tests {
    use super::super::calendar::{ymd, FinancialYear};
    use super::super::carbon::{FactorMethod, GridFactorSet, GridFactors};
    use super::super::clock::day_length_minutes;
    use super::super::tariff::{cost_gbp, TariffHistory, TariffRate, Tariffs};
    use super::super::usage::{OutOfHours, TimeOfDay, WeekdaySet, WorkingHours};
    use super::*;
    use crate::domain::Category;
    use chrono::NaiveDate;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn t(h: u32, m: u32) -> TimeOfDay {
        TimeOfDay::hm(h, m).unwrap()
    }

    /// Desktops off 19:00-07:30 and all weekend and bank holidays.
    fn evenings_and_weekends() -> OffPolicy {
        OffPolicy::new(Some((t(19, 0), t(7, 30))), WeekdaySet::SAT_SUN, true).unwrap()
    }

    /// Desktop 1 on profile 1: 70 W on, 3 W asleep, 0 W off (the ConfigMgr defaults).
    fn left_on_desktop() -> AssetEnergyInput {
        AssetEnergyInput {
            asset_id: 1,
            category: Category::Desktop,
            model_id: None,
            department_id: None,
            site_id: None,
            parent_id: None,
            profile_id: 1,
            draw: PowerDraw::new(dec("70"), dec("3"), dec("0")).unwrap(),
            pue: None,
            in_service: None,
        }
    }

    /// 24.50 p/kWh council-wide from 01/04/2024, and the DESNZ 2024 factors.
    fn rates_2024() -> (Tariffs, GridFactors) {
        let tariffs = Tariffs::council_wide(
            TariffHistory::new(vec![TariffRate::pence_per_kwh(ymd(2024, 4, 1), dec("24.50"))]).unwrap(),
        );
        let factors = GridFactors::new(vec![GridFactorSet {
            year: 2024,
            generation_kg_co2e_per_kwh: dec("0.20705"),
            td_kg_co2e_per_kwh: dec("0.01830"),
            source: "DESNZ 2024".into(),
        }])
        .unwrap();
        (tariffs, factors)
    }

    #[test]
    fn desktops_left_on_switched_off_evenings_and_weekends_2024_25() {
        // A desktop left on out of hours (70 W on, 3 W sleep, 0 W off: ConfigMgr defaults) vs the policy,
        // 2024/25. Working days 254 (see usage::tests). With the policy, on working days it is off
        // 00:00-07:30 and 19:00-24:00 (12.5 h) and on the other 11.5 h; on the 111 other days (365 - 254:
        // 104 weekend days + 7 bank holidays) it is off all day. Left on, it is on all 8760 h.
        // Saving = 70 W × (8760 - 254 × 11.5) h = 70 × 5839 = 408 730 Wh = 408.73 kWh; at 24.50 p = £100.13885;
        // × 0.20705 (2024 generation) = 84.6275465 kg; × 0.01830 (T&D) = 7.479759 kg.
        let on_hours_with_policy = dec("254") * dec("11.5");
        let saved_kwh = dec("70") * (dec("8760") - on_hours_with_policy) / dec("1000");
        assert_eq!(saved_kwh, dec("408.73"));

        let profiles = HashMap::from([(1, UsageProfile::working(WorkingHours::office(OutOfHours::LeftOn)))]);
        let desktop = left_on_desktop();
        // The server is never switched off, so saves nothing.
        let server = AssetEnergyInput { asset_id: 2, category: Category::Server, ..desktop.clone() };
        let assets = [desktop, server];
        let (tariffs, factors) = rates_2024();
        let holidays = BankHolidays::england_and_wales(2024..=2025);
        let inputs = EstimateInputs {
            period: FinancialYear(2024).period(),
            assets: &assets,
            profiles: &profiles,
            tariffs: &tariffs,
            factors: &factors,
            factor_method: FactorMethod::MajorityYear,
            holidays: &holidays,
            observed: &crate::energy::observed::ObservedOn::default(),
        };
        let saving = policy_saving(&inputs, evenings_and_weekends(), |_| true).unwrap();
        assert_eq!(saving.saved.kwh, saved_kwh);
        assert_eq!(saving.saved.cost_gbp, dec("100.13885"));
        assert_eq!(saving.saved.carbon.generation_kg_co2e, dec("84.6275465"));
        assert_eq!(saving.saved.carbon.td_kg_co2e, dec("7.479759"));
        // Current: desktop 70 × 8760 = 613.2 kWh, server 70 × 8760 = 613.2 kWh.
        assert_eq!(saving.current.kwh, dec("1226.4"));
        assert_eq!(saving.proposed.kwh, dec("1226.4") - saved_kwh);
        // Applied to nothing, nothing is saved.
        let none = policy_saving(&inputs, evenings_and_weekends(), |_| false).unwrap();
        assert_eq!(none.saved.kwh, Decimal::ZERO);
    }

    #[test]
    fn an_adopted_policy_by_hand_with_a_monitor_and_an_observed_day() {
        // Week Mon 08/04 - Sun 14/04/2024 (no bank holiday; the clocks do not change): desktop 1 (70 W on)
        // with monitor 3 (20 W on), both left on out of hours, governed by the evenings-and-weekends
        // policy; desktop 2 is not governed and must not count.
        // Without: on 168 h: 70 × 168 = 11.76 kWh + 20 × 168 = 3.36 kWh = 15.12 kWh.
        // With: on 07:30-19:00 on 5 days = 57.5 h: (70 + 20) × 57.5 = 5.175 kWh.
        // Observed: desktop 1's agent saw it on 600 minutes on Tue 09/04; the rest of that day counts off
        // (a left-on profile never sleeps), so on 168 - 24 + 10 = 154 h: 90 × 154 = 13.86 kWh, a saving of
        // 15.12 - 13.86 = 1.26 kWh on the reported day.
        let profiles = HashMap::from([(1, UsageProfile::working(WorkingHours::office(OutOfHours::LeftOn)))]);
        let desktop = left_on_desktop();
        let other = AssetEnergyInput { asset_id: 2, ..desktop.clone() };
        let monitor = AssetEnergyInput {
            asset_id: 3,
            category: Category::Monitor,
            parent_id: Some(1),
            draw: PowerDraw::new(dec("20"), dec("0.5"), dec("0")).unwrap(),
            ..desktop.clone()
        };
        let assets = [desktop, other, monitor];
        let (tariffs, factors) = rates_2024();
        let holidays = BankHolidays::england_and_wales(2024..=2024);
        let mut observed = ObservedOn::default();
        observed.add(1, ymd(2024, 4, 9), 600);
        let inputs = EstimateInputs {
            period: Period::inclusive(ymd(2024, 4, 8), ymd(2024, 4, 14)).unwrap(),
            assets: &assets,
            profiles: &profiles,
            tariffs: &tariffs,
            factors: &factors,
            factor_method: FactorMethod::MajorityYear,
            holidays: &holidays,
            observed: &observed,
        };
        let effect = adopted_effect(&inputs, evenings_and_weekends(), &HashSet::from([1])).unwrap();
        assert_eq!(effect.devices, 1);
        assert_eq!(effect.without.kwh, dec("15.12"));
        assert_eq!(effect.with.kwh, dec("5.175"));
        let seen = effect.observed.unwrap();
        assert_eq!(seen.devices, 1);
        assert_eq!(seen.without.kwh, dec("15.12"));
        assert_eq!(seen.observed.kwh, dec("13.86"));
        assert_eq!(seen.saved().kwh, dec("1.26"));
        // A policy governing only desktop 2, whose agent never reported: no observed figure.
        let unseen = adopted_effect(&inputs, evenings_and_weekends(), &HashSet::from([2])).unwrap();
        assert_eq!((unseen.devices, unseen.without.kwh, unseen.observed), (1, dec("11.76"), None));
    }

    #[test]
    fn device_saving_matches_the_estate_figure() {
        // The same desktop alone, left on: 408.73 kWh saved (worked above).
        let holidays = BankHolidays::england_and_wales(2024..=2025);
        let draw = PowerDraw::new(dec("70"), dec("3"), dec("0")).unwrap();
        let profile = UsageProfile::working(WorkingHours::office(OutOfHours::LeftOn));
        let saved =
            device_saving_kwh(&draw, &profile, evenings_and_weekends(), &FinancialYear(2024).period(), &holidays);
        assert_eq!(saved, dec("408.73"));
    }

    // ---- Properties -------------------------------------------------------------------------------------

    fn draw() -> impl Strategy<Value = PowerDraw> {
        // off ≤ sleep ≤ on, in tenths of a watt up to 500 W.
        (0u32..=5000, 0u32..=5000, 0u32..=5000).prop_map(|(a, b, c)| {
            let mut w = [a, b, c];
            w.sort_unstable();
            let d = |x: u32| Decimal::new(i64::from(x), 1);
            PowerDraw::new(d(w[2]), d(w[1]), d(w[0])).unwrap()
        })
    }

    fn out_of_hours() -> impl Strategy<Value = OutOfHours> {
        prop_oneof![Just(OutOfHours::LeftOn), Just(OutOfHours::Sleep), Just(OutOfHours::Off)]
    }

    fn profile() -> impl Strategy<Value = UsageProfile> {
        let working = (0u8..128, 0u32..1440, 1u32..=1440, out_of_hours(), any::<bool>()).prop_map(
            |(days, start, length, ooh, bank)| {
                let end = (start + length).min(1440).max(start + 1);
                let days = WeekdaySet::of(
                    &[
                        chrono::Weekday::Mon,
                        chrono::Weekday::Tue,
                        chrono::Weekday::Wed,
                        chrono::Weekday::Thu,
                        chrono::Weekday::Fri,
                        chrono::Weekday::Sat,
                        chrono::Weekday::Sun,
                    ]
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| days & (1 << i) != 0)
                    .map(|(_, d)| d)
                    .collect::<Vec<_>>(),
                );
                let minutes = |m| TimeOfDay::from_minutes(m).unwrap();
                UsageProfile::working(WorkingHours::new(days, minutes(start), minutes(end), ooh, bank).unwrap())
            },
        );
        prop_oneof![1 => Just(UsageProfile::ALWAYS_ON), 4 => working]
    }

    /// A day in 2023-2026 (covering clock changes, leap day and bank holidays).
    fn day() -> impl Strategy<Value = chrono::NaiveDate> {
        (0u64..1400).prop_map(|n| ymd(2023, 1, 1) + chrono::Days::new(n))
    }

    /// Two policies, the second's off time a superset of the first's: its nightly window extends the first's
    /// on the 24-hour circle, its all-day weekdays include the first's, and bank holidays if the first has.
    fn nested_policies() -> impl Strategy<Value = (OffPolicy, OffPolicy)> {
        (0u32..1440, 1u32..1200, 0u32..120, 0u32..119, 0u8..128, 0u8..128, any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(from, length, earlier, later, days1, extra, bank1, bank_extra, nightly)| {
                let at = |m: u32| TimeOfDay::from_minutes(m % 1440).unwrap();
                let set = |bits: u8| {
                    WeekdaySet::of(
                        &(0..7)
                            .filter(|i| bits & (1 << i) != 0)
                            .map(|i| chrono::Weekday::try_from(i as u8).unwrap())
                            .collect::<Vec<_>>(),
                    )
                };
                let small = nightly.then(|| (at(from), at(from + length)));
                let large = Some((at(from + 1440 - earlier), at(from + length + later)));
                (
                    OffPolicy::new(small, set(days1), bank1).unwrap(),
                    OffPolicy::new(large, set(days1 | extra), bank1 || bank_extra).unwrap(),
                )
            })
    }

    fn minutes_over(profile: &UsageProfile, from: NaiveDate, to: NaiveDate) -> super::super::usage::StateMinutes {
        let holidays = BankHolidays::england_and_wales(2023..=2026);
        state_minutes(profile, &Period::new(from, to).unwrap(), &holidays)
    }

    fn wall_clock_minutes(from: NaiveDate, to: NaiveDate) -> u64 {
        Period::new(from, to).unwrap().iter_days().map(|d| u64::from(day_length_minutes(d))).sum()
    }

    proptest! {
        // No regressions file: the project's top-level layout is fixed (STYLE.md); a failure prints its case.
        #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn energy_adds_up_over_adjacent_periods(
            draw in draw(), profile in profile(), a in day(), b in day(), c in day()
        ) {
            let mut d = [a, b, c];
            d.sort();
            // Exact in watt-minutes; kWh divide by 60 000 once, so agree to Decimal's last digits.
            let watt_minutes = |from, to| draw.watt_minutes(&minutes_over(&profile, from, to));
            prop_assert_eq!(watt_minutes(d[0], d[1]) + watt_minutes(d[1], d[2]), watt_minutes(d[0], d[2]));
            let kwh = |from, to| draw.kwh(&minutes_over(&profile, from, to));
            let gap = (kwh(d[0], d[1]) + kwh(d[1], d[2]) - kwh(d[0], d[2])).abs();
            prop_assert!(gap < Decimal::new(1, 20), "{}", gap);
            // Every day's minutes add up to the day's wall-clock length.
            prop_assert_eq!(minutes_over(&profile, d[0], d[2]).total(), wall_clock_minutes(d[0], d[2]));
        }

        #[test]
        fn energy_and_cost_are_never_negative(
            draw in draw(), profile in profile(), a in day(), b in day(), pence in 0u32..10_000
        ) {
            let period = Period::new(a.min(b), a.max(b)).unwrap();
            prop_assert!(draw.kwh(&minutes_over(&profile, period.from(), period.to())) >= Decimal::ZERO);
            let rate = TariffRate::pence_per_kwh(ymd(2020, 1, 1), Decimal::new(i64::from(pence), 2));
            let tariff = TariffHistory::new(vec![rate]).unwrap();
            let cost = cost_gbp(&tariff, &period, |p| draw.kwh(&minutes_over(&profile, p.from(), p.to()))).unwrap();
            prop_assert!(cost >= Decimal::ZERO);
        }

        #[test]
        fn a_wider_off_policy_never_uses_more(
            draw in draw(), profile in profile(), (narrow, wide) in nested_policies(), a in day(), length in 1u64..60
        ) {
            let period = Period::new(a, a + chrono::Days::new(length)).unwrap();
            let holidays = BankHolidays::england_and_wales(2023..=2026);
            let kwh = |p: &UsageProfile| draw.kwh(&state_minutes(p, &period, &holidays));
            let without = kwh(&UsageProfile { off_policy: None, ..profile });
            let with_narrow = kwh(&profile.with_policy(narrow));
            let with_wide = kwh(&profile.with_policy(wide));
            prop_assert!(with_narrow <= without, "{} > {}", with_narrow, without);
            prop_assert!(with_wide <= with_narrow, "{} > {}", with_wide, with_narrow);
            prop_assert!(device_saving_kwh(&draw, &profile, wide, &period, &holidays) >= Decimal::ZERO);
        }
    }
}
