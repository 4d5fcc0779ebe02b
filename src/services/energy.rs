//! Energy, cost and carbon of the estate, of one asset, and the saving of a proposed off policy. Loads the
//! register (deployed assets with their model's watts, their own overrides, their site's PUE and the PC a
//! monitor belongs to), the usage profiles, tariffs, grid factor sets and bank holidays, and hands them to
//! the pure `energy::rollup::estimate` / `energy::what_if::policy_saving`. Read-only: nothing is written.
//!
//! Which assets count: only those deployed now (on order, in stock, in repair, retired, awaiting disposal
//! and disposed use nothing), each from its purchase date if it has one. The register keeps no dates of
//! past lifecycle moves, so a past year is estimated with today's deployed estate.
//! Where a figure cannot be worked out (no tariff, no factor set, no profile, no watts) the answer is a
//! 422 naming what to add, never a zero.

use chrono::{NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::str::FromStr;

use super::usage_profiles::{parse_day, parse_time, to_profile};
use crate::domain::{AssetTag, Category, Gbp, LifecycleState};
use crate::energy::carbon::majority_year;
use crate::energy::observed::ObservedOn;
use crate::energy::power::is_always_on_kit;
use crate::energy::tariff::round_to_pence;
use crate::energy::usage::WeekdaySet;
use crate::energy::what_if::{adopted_effect, policy_saving, AdoptedEffect};
use crate::energy::{
    estimate as pure_estimate, AssetEnergyInput, BankHolidays, EnergyError, EnergyTotals, EstimateInputs, FactorChoice,
    FactorMethod, FinancialYear, GridFactorSet, GridFactors, GroupBy, GroupValue, OffPolicy, Period, PowerDraw, Pue,
    TariffHistory, TariffRate, Tariffs, UsageProfile,
};
use crate::error::{AppError, AppResult};
use crate::store::{
    asset, bank_holiday, category_usage_profile, department, device_model, grid_factor_set, site, tariff, usage_profile,
};

// ------------------------------------------------------------------------------------------ parameters

/// Parses `site,month`: any of asset, site, department, category, model, day, month, financial_year.
pub fn parse_group_by(raw: &str) -> Result<Vec<GroupBy>, String> {
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let g = match part {
            "asset" => GroupBy::Asset,
            "site" => GroupBy::Site,
            "department" => GroupBy::Department,
            "category" => GroupBy::Category,
            "model" => GroupBy::Model,
            "day" => GroupBy::Day,
            "month" => GroupBy::Month,
            "financial_year" | "fy" => GroupBy::FinancialYear,
            other => {
                return Err(format!(
                    "cannot group by '{other}': use asset, site, department, category, model, day, month or \
                     financial_year, separated by commas"
                ))
            }
        };
        if !out.contains(&g) {
            out.push(g);
        }
    }
    Ok(out)
}

fn group_name(g: GroupBy) -> &'static str {
    match g {
        GroupBy::Asset => "asset",
        GroupBy::Site => "site",
        GroupBy::Department => "department",
        GroupBy::Category => "category",
        GroupBy::Model => "model",
        GroupBy::Day => "day",
        GroupBy::Month => "month",
        GroupBy::FinancialYear => "financial_year",
    }
}

/// The financial year holding today (UK date).
pub fn current_financial_year() -> FinancialYear {
    FinancialYear::containing(Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive())
}

/// The period asked for: `fy=2024` (2024/25), or `from` and `to` (both inclusive), or the current
/// financial year.
pub fn period_of(fy: Option<i32>, from: Option<NaiveDate>, to: Option<NaiveDate>) -> AppResult<Period> {
    let bad = |field: &str, message: String| AppError::BadRequest {
        code: "invalid_parameter",
        message,
        field: Some(field.to_string()),
    };
    match (fy, from, to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            Err(bad("fy", "give either fy or from and to, not both".into()))
        }
        (Some(y), None, None) if (1990..=2100).contains(&y) => Ok(FinancialYear(y).period()),
        (Some(y), None, None) => Err(bad("fy", format!("financial year {y} is outside 1990–2100"))),
        (None, Some(f), Some(t)) => {
            if t < f {
                return Err(bad("to", format!("to ({}) is before from ({})", uk_date(t), uk_date(f))));
            }
            if (t - f).num_days() > 366 * 10 {
                return Err(bad("to", "a period is at most ten years".into()));
            }
            Period::inclusive(f, t).map_err(|e| bad("to", e))
        }
        (None, Some(_), None) => Err(bad("to", "to is required with from".into())),
        (None, None, Some(_)) => Err(bad("from", "from is required with to".into())),
        (None, None, None) => Ok(current_financial_year().period()),
    }
}

/// "2025/26" for a financial year, else "01/04/2025 to 30/09/2025".
pub fn period_label(p: &Period) -> String {
    let fy = FinancialYear::containing(p.from());
    if fy.period() == *p {
        fy.label()
    } else {
        let last = p.to().pred_opt().unwrap_or(p.to());
        format!("{} to {}", p.from().format("%d/%m/%Y"), last.format("%d/%m/%Y"))
    }
}

fn uk_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

// ---------------------------------------------------------------------------------------------- answers

/// Energy, cost and carbon for a group or a total. kWh and kgCO2e are exact to 6 decimal places; cost is
/// rounded to the penny for display, with the unrounded figure beside it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnergyFigures {
    #[schema(value_type = String, example = "196.46")]
    pub kwh: Decimal,
    #[schema(value_type = String, example = "48.13")]
    pub cost_gbp: Gbp,
    #[schema(value_type = String, example = "48.1327")]
    pub cost_gbp_unrounded: Decimal,
    /// Location-based, electricity generated (Scope 2).
    #[schema(value_type = String, example = "40.677043")]
    pub kg_co2e_generation: Decimal,
    /// Transmission and distribution losses (Scope 3).
    #[schema(value_type = String, example = "3.595218")]
    pub kg_co2e_td: Decimal,
    /// Generation + T&D.
    #[schema(value_type = String, example = "44.272261")]
    pub kg_co2e_total: Decimal,
    /// Market-based Scope 2: the tariff's own factor where given, else the location-based generation factor.
    #[schema(value_type = String, example = "40.677043")]
    pub kg_co2e_market: Decimal,
}

fn six(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero).normalize()
}

impl EnergyFigures {
    pub fn from_totals(t: &EnergyTotals) -> AppResult<EnergyFigures> {
        Ok(EnergyFigures {
            kwh: six(t.kwh),
            cost_gbp: round_to_pence(t.cost_gbp).map_err(|e| AppError::Internal(e.to_string()))?,
            cost_gbp_unrounded: six(t.cost_gbp),
            kg_co2e_generation: six(t.carbon.generation_kg_co2e),
            kg_co2e_td: six(t.carbon.td_kg_co2e),
            kg_co2e_total: six(t.carbon.total_kg_co2e()),
            kg_co2e_market: six(t.market_kg_co2e),
        })
    }
}

/// What a row is for: only the dimensions grouped by are present.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct EnergyGroup {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<i32>,
    /// The site's name, or "(no site)".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<NaiveDate>,
    /// "2024-04".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// "2024/25".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub financial_year: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnergyRow {
    pub group: EnergyGroup,
    #[serde(flatten)]
    pub figures: EnergyFigures,
}

/// A grid factor set an answer used.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FactorSetUsed {
    /// The year of the set actually used.
    pub year: i32,
    #[schema(value_type = String)]
    pub generation_kg_co2e_per_kwh: Decimal,
    #[schema(value_type = String)]
    pub td_kg_co2e_per_kwh: Decimal,
    pub source: String,
    /// The calendar year whose energy it converted; differs from `year` when that year has no set yet.
    pub for_year: i32,
    /// True when an earlier year's set stands in for one not yet added (UK reporting practice: the latest
    /// published factors until the year's own appear).
    pub stand_in: bool,
    /// For a stand-in, a sentence to print beside the figures, e.g. "2025 factors used for 2026/27: DESNZ
    /// 2026 not yet added".
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2025 factors used for 2026/27: DESNZ 2026 not yet added")]
    pub note: Option<String>,
}

impl FactorSetUsed {
    /// `label` names what the figures are for ("2026/27", or the calendar year).
    fn new(choice: FactorChoice<'_>, label: &str) -> FactorSetUsed {
        let s = choice.set;
        FactorSetUsed {
            year: s.year,
            generation_kg_co2e_per_kwh: s.generation_kg_co2e_per_kwh,
            td_kg_co2e_per_kwh: s.td_kg_co2e_per_kwh,
            source: s.source.clone(),
            for_year: choice.for_year,
            stand_in: choice.is_stand_in(),
            note: choice
                .is_stand_in()
                .then(|| format!("{} factors used for {label}: DESNZ {} not yet added", s.year, choice.for_year)),
        }
    }
}

/// The stand-in notes of the factor sets an answer used (empty when each year had its own).
pub fn factor_notes(sets: &[FactorSetUsed]) -> Vec<String> {
    sets.iter().filter_map(|f| f.note.clone()).collect()
}

/// A tariff rate an answer used.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TariffUsed {
    pub tariff_id: i32,
    /// Absent for the council-wide default.
    pub site_id: Option<i32>,
    /// The site whose assets it priced, or "all sites without their own tariff".
    pub applies_to: String,
    pub effective_from: NaiveDate,
    #[schema(value_type = String, example = "24.50")]
    pub unit_rate_pence_per_kwh: Decimal,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnergyReport {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period (inclusive).
    pub to: NaiveDate,
    pub group_by: Vec<String>,
    /// How factor sets were picked: `majority_year` (one set: the calendar year holding most of the period).
    pub factor_method: String,
    /// Deployed assets counted.
    pub assets_counted: usize,
    pub rows: Vec<EnergyRow>,
    pub total: EnergyFigures,
    pub factor_sets: Vec<FactorSetUsed>,
    pub tariffs: Vec<TariffUsed>,
    pub method: String,
}

pub const METHOD: &str = "Hours in each power state from each asset's usage profile (its own, else its \
    category's default; servers and switches on 24/7; a monitor follows its PC), except on days its agent \
    observed it, when the minutes seen on replace the profile's and the rest count as asleep (if the profile \
    sleeps that day) or off; bank holidays and UK clock \
    changes counted; kWh = Σ watts × hours / 1000 (the asset's own watts, else its model's), × site PUE for \
    servers and switches; £ = Σ kWh × the tariff in force each day; kgCO2e = kWh × the UK grid factor set \
    (generation, Scope 2, and T&D losses, Scope 3). Only assets deployed now count, each from its purchase date.";

// ------------------------------------------------------------------------------------------- loading

/// Everything the pure estimate needs, read from the register.
pub(crate) struct Loaded {
    pub(crate) assets: Vec<AssetEnergyInput>,
    tags: HashMap<i32, String>,
    pub(crate) profiles: HashMap<i32, UsageProfile>,
    pub(crate) tariffs: Tariffs,
    tariff_rows: Vec<tariff::Model>,
    pub(crate) factors: GridFactors,
    pub(crate) holidays: BankHolidays,
    pub(crate) site_names: HashMap<i32, String>,
    pub(crate) department_names: HashMap<i32, String>,
    pub(crate) model_names: HashMap<i32, String>,
}

fn decimal_of_f64(field: &str, tag: &str, v: f64) -> AppResult<Decimal> {
    Decimal::from_str(&v.to_string())
        .map_err(|_| AppError::field(field, "invalid", format!("asset {tag}: {field} {v} is not a usable number")))
}

/// Assets read per query (see [`asset_pages`]).
const ASSET_PAGE: u64 = 10_000;

/// Reads the assets `q` selects a page of ids at a time, in id order, handing each row to `each`: the
/// driver holds every value of a result set until it is dropped, so one result of 100,000 rows cost a few
/// hundred MiB at its peak. `id_of` gives a row's asset id (the next page starts after the last).
pub(crate) async fn asset_pages<C, M>(
    conn: &C,
    q: sea_orm::Select<asset::Entity>,
    id_of: fn(&M) -> i32,
    mut each: impl FnMut(M) -> AppResult<()>,
) -> AppResult<()>
where
    C: ConnectionTrait,
    M: FromQueryResult + Send + Sync,
{
    let q = q.order_by_asc(asset::Column::Id);
    let mut after = 0;
    loop {
        let rows = q.clone().filter(asset::Column::Id.gt(after)).limit(ASSET_PAGE).into_model::<M>().all(conn).await?;
        let Some(last) = rows.last() else { return Ok(()) };
        after = id_of(last);
        let full_page = rows.len() as u64 == ASSET_PAGE;
        for row in rows {
            each(row)?;
        }
        if !full_page {
            return Ok(());
        }
    }
}

/// [`decimal_of_f64`] once per distinct value: an estate has a few hundred distinct watts, not 300,000.
#[derive(Default)]
struct DecimalCache(HashMap<u64, Decimal>);

impl DecimalCache {
    fn get(&mut self, field: &str, tag: &str, v: f64) -> AppResult<Decimal> {
        if let Some(d) = self.0.get(&v.to_bits()) {
            return Ok(*d);
        }
        let d = decimal_of_f64(field, tag, v)?;
        self.0.insert(v.to_bits(), d);
        Ok(d)
    }
}

fn stored_decimal(what: &str, raw: &str) -> AppResult<Decimal> {
    Decimal::from_str(raw).map_err(|_| AppError::Internal(format!("{what}: stored value '{raw}' is not a decimal")))
}

/// The columns of an asset the estimate needs.
#[derive(Debug, FromQueryResult)]
pub(crate) struct EnergyAssetRow {
    pub(crate) id: i32,
    pub(crate) asset_tag: String,
    pub(crate) category: String,
    pub(crate) model_id: Option<i32>,
    pub(crate) site_id: Option<i32>,
    pub(crate) department_id: Option<i32>,
    pub(crate) parent_asset_id: Option<i32>,
    pub(crate) usage_profile_id: Option<i32>,
    pub(crate) on_watts: Option<f64>,
    pub(crate) sleep_watts: Option<f64>,
    pub(crate) off_watts: Option<f64>,
    pub(crate) purchase_date: Option<NaiveDate>,
}

/// Loads deployed assets (all, or those with the given ids and the PCs they belong to) and the reference data.
pub(crate) async fn load<C: ConnectionTrait>(conn: &C, only: Option<&[i32]>) -> AppResult<Loaded> {
    let mut builder = LoadBuilder::new(conn).await?;
    let deployed = LifecycleState::Deployed.as_str();
    let mut q = asset::Entity::find().filter(asset::Column::LifecycleState.eq(deployed));
    if let Some(ids) = only {
        let mut wanted: Vec<i32> = ids.to_vec();
        let parents: Vec<i32> = asset::Entity::find()
            .filter(asset::Column::Id.is_in(ids.to_vec()))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|a| a.parent_asset_id)
            .collect();
        wanted.extend(parents);
        q = q.filter(asset::Column::Id.is_in(wanted));
    }
    // Only the columns the estimate reads.
    let q = q.select_only().columns([
        asset::Column::Id,
        asset::Column::AssetTag,
        asset::Column::Category,
        asset::Column::ModelId,
        asset::Column::SiteId,
        asset::Column::DepartmentId,
        asset::Column::ParentAssetId,
        asset::Column::UsageProfileId,
        asset::Column::OnWatts,
        asset::Column::SleepWatts,
        asset::Column::OffWatts,
        asset::Column::PurchaseDate,
    ]);
    asset_pages(conn, q, |a: &EnergyAssetRow| a.id, |a| builder.add(a)).await?;
    builder.finish(conn).await
}

/// [`Loaded`] made in three steps, so a caller that reads the asset table itself for more columns (TCO)
/// can feed its deployed assets in without a second read: [`LoadBuilder::new`] reads the reference data
/// the assets need, [`LoadBuilder::add`] takes each deployed asset in id order, and [`LoadBuilder::finish`]
/// checks them and reads the tariffs, factor sets and bank holidays.
pub(crate) struct LoadBuilder {
    site_names: HashMap<i32, String>,
    site_pue: HashMap<i32, f64>,
    models: HashMap<i32, device_model::Model>,
    model_names: HashMap<i32, String>,
    department_names: HashMap<i32, String>,
    profiles: HashMap<i32, UsageProfile>,
    category_default: HashMap<String, i32>,
    far: NaiveDate,
    watts: DecimalCache,
    assets: Vec<AssetEnergyInput>,
    tags: HashMap<i32, String>,
    /// Assets with neither a profile nor a category default: fine only if they follow a counted PC, which
    /// is known once every asset is added.
    without_profile: Vec<usize>,
}

impl LoadBuilder {
    pub(crate) async fn new<C: ConnectionTrait>(conn: &C) -> AppResult<LoadBuilder> {
        let sites = site::Entity::find().all(conn).await?;
        let site_names: HashMap<i32, String> = sites.iter().map(|s| (s.id, s.name.clone())).collect();
        let site_pue: HashMap<i32, f64> = sites.iter().filter_map(|s| Some((s.id, s.pue?))).collect();
        let models: HashMap<i32, device_model::Model> =
            device_model::Entity::find().all(conn).await?.into_iter().map(|m| (m.id, m)).collect();
        let model_names = models.iter().map(|(id, m)| (*id, format!("{} {}", m.manufacturer, m.name))).collect();
        let department_names =
            department::Entity::find().all(conn).await?.into_iter().map(|d| (d.id, d.name)).collect();

        let mut profiles = HashMap::new();
        for p in usage_profile::Entity::find().all(conn).await? {
            let profile = to_profile(&p).map_err(|e| AppError::Internal(format!("usage profile {}: {e}", p.id)))?;
            profiles.insert(p.id, profile);
        }
        let category_default: HashMap<String, i32> = category_usage_profile::Entity::find()
            .all(conn)
            .await?
            .into_iter()
            .map(|c| (c.category, c.usage_profile_id))
            .collect();
        Ok(LoadBuilder {
            site_names,
            site_pue,
            models,
            model_names,
            department_names,
            profiles,
            category_default,
            far: NaiveDate::from_ymd_opt(9999, 1, 1).unwrap_or(NaiveDate::MAX),
            watts: DecimalCache::default(),
            assets: Vec::new(),
            tags: HashMap::new(),
            without_profile: Vec::new(),
        })
    }

    /// One deployed asset (callers add them in id order).
    pub(crate) fn add(&mut self, a: EnergyAssetRow) -> AppResult<()> {
        let category: Category = a.category.parse().unwrap_or(Category::Other);
        let model = a.model_id.and_then(|id| self.models.get(&id));
        let watts = &mut self.watts;
        let mut watt = |own: Option<f64>, of_model: Option<f64>, field: &str| -> AppResult<Decimal> {
            match own.or(of_model) {
                Some(w) => watts.get(field, &a.asset_tag, w),
                None => Err(AppError::field(
                    field,
                    "no_power_figures",
                    format!("asset {} has no {field}: give it a model, or its own watts", a.asset_tag),
                )),
            }
        };
        let draw = PowerDraw::new(
            watt(a.on_watts, model.map(|m| m.on_watts), "on_watts")?,
            watt(a.sleep_watts, model.map(|m| m.sleep_watts), "sleep_watts")?,
            watt(a.off_watts, model.map(|m| m.off_watts), "off_watts")?,
        )
        .map_err(|e| AppError::field("on_watts", "invalid", format!("asset {}: {e}", a.asset_tag)))?;
        let profile_id = a.usage_profile_id.or_else(|| self.category_default.get(category.as_str()).copied());
        if profile_id.is_none() && !is_always_on_kit(category) {
            self.without_profile.push(self.assets.len());
        }
        let pue = match a.site_id.and_then(|s| self.site_pue.get(&s)) {
            Some(p) if is_always_on_kit(category) => {
                let value = self.watts.get("pue", &a.asset_tag, *p)?;
                Some(Pue::new(value).map_err(|e| AppError::field("pue", "invalid", e))?)
            }
            _ => None,
        };
        let in_service = match a.purchase_date {
            Some(d) => Some(Period::new(d, self.far).map_err(AppError::Internal)?),
            None => None,
        };
        self.assets.push(AssetEnergyInput {
            asset_id: a.id,
            category,
            model_id: a.model_id,
            department_id: a.department_id,
            site_id: a.site_id,
            parent_id: a.parent_asset_id,
            profile_id: profile_id.unwrap_or(0),
            draw,
            pue,
            in_service,
        });
        self.tags.insert(a.id, a.asset_tag);
        Ok(())
    }

    pub(crate) async fn finish<C: ConnectionTrait>(self, conn: &C) -> AppResult<Loaded> {
        let LoadBuilder {
            site_names, model_names, department_names, profiles, mut assets, tags, without_profile, ..
        } = self;
        // A peripheral follows its PC only when that PC is counted too; otherwise it uses its own profile.
        let present: HashSet<i32> = assets.iter().map(|a| a.asset_id).collect();
        for a in &mut assets {
            a.parent_id = a.parent_id.filter(|p| present.contains(p));
        }
        if let Some(a) = without_profile.iter().map(|&i| &assets[i]).find(|a| a.parent_id.is_none()) {
            let tag = tags.get(&a.asset_id).map_or("?", String::as_str);
            let category = a.category.as_str();
            return Err(AppError::field(
                "usage_profile_id",
                "no_usage_profile",
                format!(
                    "asset {tag} ({category}) has no usage profile: set a default profile for the category \
                     {category} or one for the asset"
                ),
            ));
        }

        let tariff_rows = tariff::Entity::find().order_by_asc(tariff::Column::EffectiveFrom).all(conn).await?;
        let mut by_site: HashMap<Option<i32>, Vec<TariffRate>> = HashMap::new();
        for t in &tariff_rows {
            let pence = stored_decimal("tariff", &t.unit_rate_pence_per_kwh)?;
            let mut rate = TariffRate::pence_per_kwh(t.effective_from, pence);
            if let Some(m) = &t.market_kg_co2e_per_kwh {
                rate = rate.with_market_factor(stored_decimal("tariff", m)?);
            }
            by_site.entry(t.site_id).or_default().push(rate);
        }
        let mut tariffs = Tariffs::default();
        for (site_id, rates) in by_site {
            let history = TariffHistory::new(rates).map_err(|e| {
                let place = site_id.map_or("the council-wide tariff".to_string(), |s| site_label(&site_names, Some(s)));
                AppError::field("tariff", "invalid_tariff", format!("{place}: {e}"))
            })?;
            match site_id {
                Some(s) => {
                    tariffs.by_site.insert(s, history);
                }
                None => tariffs.default = Some(history),
            }
        }

        let mut sets = Vec::new();
        for f in grid_factor_set::Entity::find().all(conn).await? {
            sets.push(GridFactorSet {
                year: f.year,
                generation_kg_co2e_per_kwh: stored_decimal("grid factor set", &f.generation_kg_co2e_per_kwh)?,
                td_kg_co2e_per_kwh: stored_decimal("grid factor set", &f.td_kg_co2e_per_kwh)?,
                source: f.source,
            });
        }
        let factors = GridFactors::new(sets).map_err(AppError::Internal)?;
        let holidays =
            BankHolidays::from_dates(bank_holiday::Entity::find().all(conn).await?.into_iter().map(|h| h.date));

        Ok(Loaded {
            assets,
            tags,
            profiles,
            tariffs,
            tariff_rows,
            factors,
            holidays,
            site_names,
            department_names,
            model_names,
        })
    }
}

fn site_label(names: &HashMap<i32, String>, site_id: Option<i32>) -> String {
    match site_id {
        Some(id) => names.get(&id).cloned().unwrap_or_else(|| format!("site {id}")),
        None => "(no site)".to_string(),
    }
}

/// The pure engine's complaint as a 422 naming what to add.
pub(crate) fn energy_error(e: EnergyError, loaded: &Loaded) -> AppError {
    match e {
        EnergyError::NoTariff { site_id, date } => {
            let place = match site_id {
                Some(id) => format!("site {}", site_label(&loaded.site_names, Some(id))),
                None => "assets with no site".to_string(),
            };
            AppError::field(
                "tariff",
                "no_tariff",
                format!(
                    "no tariff for {place} on {}: add one (for the site, or a council-wide default with no site)",
                    uk_date(date)
                ),
            )
        }
        EnergyError::NoGridFactors { year } => AppError::field(
            "grid_factors",
            "no_grid_factors",
            format!("no grid factor set for {year}: add one (DESNZ publishes each year's UK electricity factors)"),
        ),
        EnergyError::UnknownProfile { asset_id, profile_id } => AppError::field(
            "usage_profile_id",
            "no_usage_profile",
            format!(
                "asset {} uses usage profile {profile_id}, which does not exist: pick another",
                loaded.tags.get(&asset_id).cloned().unwrap_or_else(|| asset_id.to_string())
            ),
        ),
        EnergyError::UnknownParent { asset_id, parent_id } => {
            AppError::Internal(format!("asset {asset_id}: parent {parent_id} was not loaded"))
        }
        EnergyError::Invalid(message) => AppError::field("period", "invalid", message),
    }
}

impl Loaded {
    /// The inputs for `period`, with the agents' observed days in it (see [`observe`]).
    fn inputs<'a>(
        &'a self,
        observed: &'a ObservedOn,
        period: Period,
        factor_method: FactorMethod,
    ) -> EstimateInputs<'a> {
        EstimateInputs {
            period,
            assets: &self.assets,
            profiles: &self.profiles,
            tariffs: &self.tariffs,
            factors: &self.factors,
            factor_method,
            holidays: &self.holidays,
            observed,
        }
    }

    fn factor_sets_used(&self, period: &Period, method: FactorMethod) -> Vec<FactorSetUsed> {
        let years: BTreeSet<i32> = match method {
            FactorMethod::MajorityYear => BTreeSet::from([majority_year(period)]),
            FactorMethod::CalendarYearOfDay => period.months().iter().map(|(m, _)| m.year).collect(),
        };
        // One set for the whole period names the period ("2026/27"); one per calendar year names the year.
        let label = |year: i32| match method {
            FactorMethod::MajorityYear => period_label(period),
            FactorMethod::CalendarYearOfDay => year.to_string(),
        };
        years
            .into_iter()
            .filter_map(|y| self.factors.choose(y))
            .map(|c| FactorSetUsed::new(c, &label(c.for_year)))
            .collect()
    }

    /// The tariff rows in force during the period for the sites of the assets counted.
    fn tariffs_used(&self, period: &Period, assets: &[AssetEnergyInput]) -> Vec<TariffUsed> {
        let sites: BTreeSet<Option<i32>> = assets.iter().map(|a| a.site_id).collect();
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for site_id in sites {
            let own = site_id.filter(|s| self.tariffs.by_site.contains_key(s));
            let rows: Vec<&tariff::Model> = self.tariff_rows.iter().filter(|t| t.site_id == own).collect();
            for (i, t) in rows.iter().enumerate() {
                let ends = rows.get(i + 1).map(|n| n.effective_from);
                let overlaps = t.effective_from < period.to() && ends.is_none_or(|e| e > period.from());
                if overlaps && seen.insert(t.id) {
                    out.push(TariffUsed {
                        tariff_id: t.id,
                        site_id: t.site_id,
                        applies_to: match own {
                            Some(s) => site_label(&self.site_names, Some(s)),
                            None => "all sites without their own tariff".to_string(),
                        },
                        effective_from: t.effective_from,
                        unit_rate_pence_per_kwh: Decimal::from_str(&t.unit_rate_pence_per_kwh).unwrap_or_default(),
                    });
                }
            }
        }
        out
    }

    fn group(&self, key: &[GroupValue]) -> EnergyGroup {
        let mut g = EnergyGroup::default();
        for value in key {
            match *value {
                GroupValue::Asset(id) => g.asset_tag = self.tags.get(&id).cloned(),
                GroupValue::Site(id) => {
                    g.site_id = id;
                    g.site = Some(site_label(&self.site_names, id));
                }
                GroupValue::Department(id) => {
                    g.department_id = id;
                    g.department = Some(match id {
                        Some(d) => self.department_names.get(&d).cloned().unwrap_or_else(|| d.to_string()),
                        None => "(no department)".into(),
                    });
                }
                GroupValue::Category(c) => g.category = Some(c),
                GroupValue::Model(id) => {
                    g.model_id = id;
                    g.model = Some(match id {
                        Some(m) => self.model_names.get(&m).cloned().unwrap_or_else(|| m.to_string()),
                        None => "(no model)".into(),
                    });
                }
                GroupValue::Day(d) => g.day = Some(d),
                GroupValue::Month(m) => g.month = Some(format!("{}-{:02}", m.year, m.month)),
                GroupValue::FinancialYear(fy) => g.financial_year = Some(fy.label()),
            }
        }
        g
    }
}

// ------------------------------------------------------------------------------------------ estimate

/// The estate's energy, cost and carbon over `period`, grouped.
pub async fn estimate<C: ConnectionTrait>(conn: &C, period: Period, group_by: &[GroupBy]) -> AppResult<EnergyReport> {
    estimate_from(conn, &load_register(conn).await?, period, group_by).await
}

/// The register as the estimate reads it (deployed assets, profiles, tariffs, factors), for estimating
/// several periods or groupings from one read: see `charts::EstimateCache`.
pub struct Register(Loaded);

pub async fn load_register<C: ConnectionTrait>(conn: &C) -> AppResult<Register> {
    Ok(Register(load(conn, None).await?))
}

/// [`estimate`] from a register already read; the agents' observed days are read for `period`.
pub async fn estimate_from<C: ConnectionTrait>(
    conn: &C,
    register: &Register,
    period: Period,
    group_by: &[GroupBy],
) -> AppResult<EnergyReport> {
    let observed = observe(conn, &period, None).await?;
    report(&register.0, &observed, period, group_by, &register.0.assets)
}

/// Each adopted policy's effect over `period` (see `energy::what_if::adopted_effect`): the policy's off
/// hours and the assets it governs, in; the estimates without and with it, and what the agents saw, out.
pub async fn adopted_effects<C: ConnectionTrait>(
    conn: &C,
    register: &Register,
    period: Period,
    policies: &[(OffPolicy, HashSet<i32>)],
) -> AppResult<Vec<AdoptedEffect>> {
    let loaded = &register.0;
    let observed = observe(conn, &period, None).await?;
    let inputs = loaded.inputs(&observed, period, FactorMethod::MajorityYear);
    policies
        .iter()
        .map(|(p, governed)| adopted_effect(&inputs, *p, governed).map_err(|e| energy_error(e, loaded)))
        .collect()
}

/// The agents' observed days in `period` (for the assets `only`, or all).
async fn observe<C: ConnectionTrait>(conn: &C, period: &Period, only: Option<&[i32]>) -> AppResult<ObservedOn> {
    super::agents::observed_on(conn, period, only).await
}

fn report(
    loaded: &Loaded,
    observed: &ObservedOn,
    period: Period,
    group_by: &[GroupBy],
    counted: &[AssetEnergyInput],
) -> AppResult<EnergyReport> {
    let method = FactorMethod::MajorityYear;
    if group_by.contains(&GroupBy::Day) && period.days() > 400 && loaded.assets.len() > 50 {
        return Err(AppError::field("group_by", "too_many_rows", "group by day over at most 400 days"));
    }
    let rollups =
        pure_estimate(&loaded.inputs(observed, period, method), group_by).map_err(|e| energy_error(e, loaded))?;
    let mut total = EnergyTotals::default();
    let mut rows = Vec::with_capacity(rollups.len());
    for r in &rollups {
        total = sum(&total, &r.totals);
        rows.push(EnergyRow { group: loaded.group(&r.key), figures: EnergyFigures::from_totals(&r.totals)? });
    }
    Ok(EnergyReport {
        from: period.from(),
        to: period.to().pred_opt().unwrap_or(period.to()),
        group_by: group_by.iter().map(|g| group_name(*g).to_string()).collect(),
        factor_method: "majority_year".into(),
        assets_counted: counted.len(),
        rows,
        total: EnergyFigures::from_totals(&total)?,
        factor_sets: loaded.factor_sets_used(&period, method),
        tariffs: loaded.tariffs_used(&period, counted),
        method: METHOD.into(),
    })
}

fn sum(a: &EnergyTotals, b: &EnergyTotals) -> EnergyTotals {
    let zero = EnergyTotals::default();
    // `minus` is the only public arithmetic; a + b = a - (0 - b).
    a.minus(&zero.minus(b))
}

/// One asset's energy over a period, with a sentence for people.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssetEnergy {
    #[schema(value_type = String)]
    pub asset_tag: AssetTag,
    pub lifecycle_state: LifecycleState,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// False when the asset is not deployed, so uses nothing.
    pub counted: bool,
    pub figures: EnergyFigures,
    /// "WCC-000123 used 196.46 kWh, £48.13, 44.27 kgCO2e in 2024/25".
    pub summary: String,
    pub factor_sets: Vec<FactorSetUsed>,
    pub tariffs: Vec<TariffUsed>,
    pub method: String,
}

pub async fn asset_energy<C: ConnectionTrait>(conn: &C, tag: &AssetTag, period: Period) -> AppResult<AssetEnergy> {
    let row = asset::Entity::find()
        .filter(asset::Column::AssetTag.eq(tag.as_str()))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("asset", tag.as_str()))?;
    let state: LifecycleState = row.lifecycle_state.parse().unwrap_or(LifecycleState::InStock);
    let loaded = load(conn, Some(&[row.id])).await?;
    let observed_ids: Vec<i32> = loaded.assets.iter().map(|a| a.asset_id).collect();
    let observed = observe(conn, &period, Some(&observed_ids)).await?;
    let counted: Vec<AssetEnergyInput> = loaded.assets.iter().filter(|a| a.asset_id == row.id).cloned().collect();
    let (totals, factor_sets, tariffs) = if counted.is_empty() {
        (EnergyTotals::default(), vec![], vec![])
    } else {
        let method = FactorMethod::MajorityYear;
        let rollups = pure_estimate(&loaded.inputs(&observed, period, method), &[GroupBy::Asset])
            .map_err(|e| energy_error(e, &loaded))?;
        let totals =
            rollups.iter().find(|r| r.key == [GroupValue::Asset(row.id)]).map(|r| r.totals).unwrap_or_default();
        (totals, loaded.factor_sets_used(&period, method), loaded.tariffs_used(&period, &counted))
    };
    let figures = EnergyFigures::from_totals(&totals)?;
    let last = period.to().pred_opt().unwrap_or(period.to());
    let when = period_label(&period);
    let two = |d: Decimal| d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero).normalize();
    let summary = if counted.is_empty() {
        format!("{} is {}, so it is counted as using nothing in {when}", tag, state.as_str().replace('_', " "))
    } else {
        format!(
            "{tag} used {} kWh, {}, {} kgCO2e in {when}",
            two(figures.kwh),
            figures.cost_gbp.to_uk_string(),
            two(figures.kg_co2e_total)
        )
    };
    Ok(AssetEnergy {
        asset_tag: tag.clone(),
        lifecycle_state: state,
        from: period.from(),
        to: last,
        counted: !counted.is_empty(),
        figures,
        summary,
        factor_sets,
        tariffs,
        method: METHOD.into(),
    })
}

// ------------------------------------------------------------------------------------------- what-if

/// A proposed off policy for a group of assets, e.g. desktops off 19:00–07:30 and all weekend.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    /// Which assets: any of category, site_id, department_id, model_id (all given must match).
    #[serde(default)]
    pub category: Option<Category>,
    #[serde(default)]
    pub site_id: Option<i32>,
    #[serde(default)]
    pub department_id: Option<i32>,
    #[serde(default)]
    pub model_id: Option<i32>,
    /// Off each night from this time (wall clock)...
    #[serde(default)]
    #[schema(example = "19:00")]
    pub off_from: Option<String>,
    /// ...until this time the next morning.
    #[serde(default)]
    #[schema(example = "07:30")]
    pub on_at: Option<String>,
    /// Days off all day, e.g. ["sat", "sun"].
    #[serde(default)]
    #[schema(example = json!(["sat", "sun"]))]
    pub days_off: Vec<String>,
    /// Off all day on bank holidays.
    #[serde(default)]
    pub bank_holidays_off: bool,
    /// The financial year to work the saving over (2024 for 2024/25); the current one if absent.
    #[serde(default)]
    #[schema(example = 2024)]
    pub fy: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WhatIfAnswer {
    pub financial_year: String,
    /// Assets the policy would turn off (servers and switches never are).
    pub assets_affected: usize,
    pub current: EnergyFigures,
    pub proposed: EnergyFigures,
    /// current − proposed, per year.
    pub saved: EnergyFigures,
    pub factor_sets: Vec<FactorSetUsed>,
    pub method: String,
}

pub async fn what_if<C: ConnectionTrait>(conn: &C, req: WhatIfRequest) -> AppResult<WhatIfAnswer> {
    let mut errs = crate::domain::FieldErrors::default();
    let nightly = match (&req.off_from, &req.on_at) {
        (None, None) => None,
        (Some(f), Some(t)) => match (parse_time("off_from", f), parse_time("on_at", t)) {
            (Ok(f), Ok(t)) => Some((f, t)),
            (a, b) => {
                errs.0.extend(a.err());
                errs.0.extend(b.err());
                None
            }
        },
        (None, Some(_)) => {
            errs.push(crate::domain::FieldError::required("off_from"));
            None
        }
        (Some(_), None) => {
            errs.push(crate::domain::FieldError::required("on_at"));
            None
        }
    };
    let mut days = Vec::new();
    for d in &req.days_off {
        match parse_day(d) {
            Some(day) => days.push(day),
            None => errs.push(crate::domain::FieldError::new("days_off", "invalid", format!("'{d}' is not a day"))),
        }
    }
    if nightly.is_none() && days.is_empty() && !req.bank_holidays_off && errs.is_empty() {
        errs.push(crate::domain::FieldError::new(
            "off_from",
            "required",
            "give an off window (off_from and on_at), days_off or bank_holidays_off",
        ));
    }
    let policy = match OffPolicy::new(nightly, WeekdaySet::of(&days), req.bank_holidays_off) {
        Ok(p) => Some(p),
        Err(e) => {
            errs.push(crate::domain::FieldError::new("on_at", "invalid", e));
            None
        }
    };
    errs.clone().into_result(())?;
    let Some(policy) = policy else { return Err(errs.into()) };
    let fy = match req.fy {
        Some(y) if (1990..=2100).contains(&y) => FinancialYear(y),
        Some(y) => {
            return Err(AppError::field("fy", "out_of_range", format!("financial year {y} is outside 1990–2100")))
        }
        None => current_financial_year(),
    };
    let period = fy.period();
    let loaded = load(conn, None).await?;
    let selected = |a: &AssetEnergyInput| {
        req.category.is_none_or(|c| a.category == c)
            && req.site_id.is_none_or(|s| a.site_id == Some(s))
            && req.department_id.is_none_or(|d| a.department_id == Some(d))
            && req.model_id.is_none_or(|m| a.model_id == Some(m))
            && !is_always_on_kit(a.category)
            && loaded.profiles.contains_key(&a.profile_id)
    };
    let affected = loaded.assets.iter().filter(|a| selected(a)).count();
    // The what-if compares the profiles alone, without the agents' observed days.
    let saving =
        policy_saving(&loaded.inputs(&ObservedOn::default(), period, FactorMethod::MajorityYear), policy, selected)
            .map_err(|e| energy_error(e, &loaded))?;
    Ok(WhatIfAnswer {
        financial_year: fy.label(),
        assets_affected: affected,
        current: EnergyFigures::from_totals(&saving.current)?,
        proposed: EnergyFigures::from_totals(&saving.proposed)?,
        saved: EnergyFigures::from_totals(&saving.saved)?,
        factor_sets: loaded.factor_sets_used(&period, FactorMethod::MajorityYear),
        method: format!("{METHOD} Saving = the year as it is − the year with the policy laid over each profile (both from the profiles: agents' observed days are not used in a what-if)."),
    })
}
