//! The figures behind the charts and the dashboard, read from the register and the energy estimate,
//! turned into chart specs by the pure `charts::kinds`. Read-only: nothing is written.
//!
//! Filters are those of the data API: a period (`fy`, or `from` and `to`), and optionally one site and
//! one department. The energy estimate has no filters of its own, so a filter is applied by grouping
//! the estimate by site or department as well and keeping that group's rows (a monitor counts where it
//! is, even when its PC is elsewhere).
//!
//! Estimates over 100,000 assets take about a second each, so they are kept in an [`EstimateCache`]
//! keyed by the period, the grouping and the register's [`data_version`]: the newest audit event (every
//! change made through the app writes one, on whichever instance) and the row counts of the tables the
//! estimate reads. A cached figure is therefore never older than the data; only a change made outside
//! the app (direct SQL) goes unseen until the next audited change or a restart.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Statement};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::Arc;

use super::energy::{self as energy_service, EnergyReport};
use super::policy_savings::{self, PolicySavingsAnswer};
use super::tco::TcoCache;
use super::versioned_cache::VersionedCache;
use crate::charts::kinds::{self, CarbonTarget, CostGroup, MonthCategoryKwh, PolicySaving, RefreshYear, YearTonnes};
use crate::charts::ChartSpec;
use crate::domain::disposal::Route;
use crate::domain::{Category, LifecycleState};
use crate::energy::{CalendarMonth, FinancialYear, GroupBy, Period};
use crate::error::{AppError, AppResult};
use crate::store::{asset, device_model};

/// Which part of the estate: all of it, or one site and/or one department.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct EstateFilter {
    pub site_id: Option<i32>,
    pub department_id: Option<i32>,
}

impl EstateFilter {
    /// The extra dimensions to group the estimate by so the filter can be applied to its rows.
    fn dimensions(&self) -> Vec<GroupBy> {
        let mut out = Vec::new();
        if self.site_id.is_some() {
            out.push(GroupBy::Site);
        }
        if self.department_id.is_some() {
            out.push(GroupBy::Department);
        }
        out
    }

    fn keeps(&self, g: &energy_service::EnergyGroup) -> bool {
        self.site_id.is_none_or(|s| g.site_id == Some(s))
            && self.department_id.is_none_or(|d| g.department_id == Some(d))
    }
}

/// The defaults of the carbon chart, stated on the dashboard and in the route's documentation.
pub const DEFAULT_BASELINE_YEARS_BACK: i32 = 3;
pub const DEFAULT_TARGET_PERCENT: u32 = 50;
pub const DEFAULT_TARGET_FY: i32 = 2030;
/// Years the refresh forecast shows after the overdue bar.
pub const DEFAULT_REFRESH_YEARS: u32 = 5;

// ------------------------------------------------------------------------------------- the cache

/// The tables the energy estimate reads.
pub const ESTIMATE_TABLES: [&str; 9] = [
    "asset",
    "site",
    "department",
    "device_model",
    "usage_profile",
    "category_usage_profile",
    "tariff",
    "grid_factor_set",
    "bank_holiday",
];

/// A cheap fingerprint of everything the estimate reads: one small query. The agents' observed hours
/// count by their newest row, so a new hour of check-ins (not every check-in) starts the cache again.
pub async fn data_version<C: ConnectionTrait>(conn: &C) -> AppResult<String> {
    fingerprint(conn, &ESTIMATE_TABLES, &["agent_hour"]).await
}

/// A cheap fingerprint of `tables` (names from the code, never from a request): the newest audit event
/// and each table's row count, in one small query.
pub async fn data_version_of<C: ConnectionTrait>(conn: &C, tables: &[&str]) -> AppResult<String> {
    fingerprint(conn, tables, &[]).await
}

/// The newest audit event, the row count of each of `counted` and the newest id in each of `newest`,
/// joined with dots, from one query.
async fn fingerprint<C: ConnectionTrait>(conn: &C, counted: &[&str], newest: &[&str]) -> AppResult<String> {
    let mut terms = vec!["COALESCE((SELECT MAX(id) FROM audit_event), 0)".to_string()];
    terms.extend(counted.iter().map(|t| format!("(SELECT COUNT(*) FROM {t})")));
    terms.extend(newest.iter().map(|t| format!("COALESCE((SELECT MAX(id) FROM {t}), 0)")));
    let columns: Vec<String> =
        terms.iter().enumerate().map(|(i, term)| format!("CAST({term} AS BIGINT) AS v{i}")).collect();
    let sql = format!("SELECT {}", columns.join(", "));
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?
        .ok_or_else(|| AppError::Internal("data version query returned no row".into()))?;
    let mut parts = Vec::with_capacity(terms.len());
    for i in 0..terms.len() {
        let v: i64 = row.try_get("", &format!("v{i}"))?;
        parts.push(v.to_string());
    }
    Ok(parts.join("."))
}

/// An estimate's answer as the charts use it: the report, or why there are no figures (a missing
/// tariff, factor set or profile, named).
pub type Estimate = Result<Arc<EnergyReport>, String>;

/// Estimates already worked out, keyed by (period, grouping) and valid for one data version.
#[derive(Default)]
pub struct EstimateCache {
    entries: VersionedCache<EstimateKey, Estimate, CACHE_ENTRIES>,
    refresh: VersionedCache<RefreshKey, RefreshAnswer, CACHE_ENTRIES>,
    /// The register as the estimates read it, at the data version it was read: one read serves every
    /// period and grouping (the dashboard and the members' report ask for six). An async lock, so that
    /// requests arriving together while it is read wait for that one read instead of each starting one.
    register: tokio::sync::Mutex<Option<Versioned<Arc<energy_service::Register>>>>,
    pub(crate) policy_savings: VersionedCache<Period, PolicySavingsAnswer, CACHE_ENTRIES>,
    /// TCO and the refresh forecast, keyed by their own tables' version (see `services::tco`).
    pub tco: TcoCache,
}

/// An estimate's period and grouping.
type EstimateKey = (Period, Vec<String>);
/// The refresh forecast's first year, number of years and filter.
type RefreshKey = (FinancialYear, u32, EstateFilter);
/// A cached answer and the data version it was worked out for.
type Versioned<T> = (String, T);

/// The refresh forecast's rows (overdue first) and how many are due after the last year.
pub type RefreshAnswer = Arc<(Vec<RefreshYear>, u64)>;

/// Entries kept before each cache starts again.
const CACHE_ENTRIES: usize = 256;

impl EstimateCache {
    async fn register_at<C: ConnectionTrait>(
        &self,
        conn: &C,
        version: &str,
    ) -> AppResult<Arc<energy_service::Register>> {
        let mut slot = self.register.lock().await;
        if let Some((v, r)) = slot.as_ref() {
            if v == version {
                return Ok(r.clone());
            }
        }
        let r = Arc::new(energy_service::load_register(conn).await?);
        *slot = Some((version.to_string(), r.clone()));
        Ok(r)
    }
}

/// What a chart or the dashboard reads: the connection, the cache and the data version, fetched once.
pub struct Source<'a, C: ConnectionTrait> {
    pub conn: &'a C,
    pub cache: &'a EstimateCache,
    pub version: String,
}

impl<'a, C: ConnectionTrait> Source<'a, C> {
    pub async fn new(conn: &'a C, cache: &'a EstimateCache) -> AppResult<Source<'a, C>> {
        Ok(Source { conn, cache, version: data_version(conn).await? })
    }

    /// The register as the estimates read it, read once per data version.
    pub async fn register(&self) -> AppResult<Arc<energy_service::Register>> {
        self.cache.register_at(self.conn, &self.version).await
    }

    /// The estate estimate, from the cache when the data has not changed.
    pub async fn estimate(&self, period: Period, group_by: &[GroupBy]) -> AppResult<Estimate> {
        let key = (period, group_by.iter().map(|g| format!("{g:?}")).collect());
        if let Some(hit) = self.cache.entries.get(&key, &self.version) {
            return Ok(hit);
        }
        let worked_out = match self.register().await {
            Ok(register) => energy_service::estimate_from(self.conn, &register, period, group_by).await,
            Err(e) => Err(e),
        };
        let answer = match worked_out {
            Ok(r) => Ok(Arc::new(r)),
            Err(AppError::Unprocessable(errs)) => {
                Err(errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "))
            }
            Err(e) => return Err(e),
        };
        self.cache.entries.put(key, self.version.clone(), answer.clone());
        Ok(answer)
    }

    /// Assets due for refresh by year (see [`refresh_years`]), from the cache when the data has not changed.
    pub async fn refresh(&self, first: FinancialYear, years: u32, filter: EstateFilter) -> AppResult<RefreshAnswer> {
        let key = (first, years, filter);
        if let Some(hit) = self.cache.refresh.get(&key, &self.version) {
            return Ok(hit);
        }
        let answer = Arc::new(refresh_years(self.conn, first, years, filter).await?);
        self.cache.refresh.put(key, self.version.clone(), answer.clone());
        Ok(answer)
    }
}

// ------------------------------------------------------------------------------------- the charts

pub use super::energy::period_label;

fn with_reason(mut spec: ChartSpec, reason: Option<String>) -> ChartSpec {
    if let Some(r) = reason {
        spec.notes.insert(0, format!("No figures: {r}"));
    }
    spec
}

fn parse_month(s: &str) -> Option<CalendarMonth> {
    let (y, m) = s.split_once('-')?;
    Some(CalendarMonth { year: y.parse().ok()?, month: m.parse().ok()? })
}

/// Electricity by month and device category over `period` (kWh).
pub async fn energy_by_month<C: ConnectionTrait>(
    src: &Source<'_, C>,
    period: Period,
    filter: EstateFilter,
) -> AppResult<ChartSpec> {
    let months: Vec<CalendarMonth> = period.months().into_iter().map(|(m, _)| m).collect();
    let mut group_by = vec![GroupBy::Month, GroupBy::Category];
    group_by.extend(filter.dimensions());
    let label = period_label(&period);
    Ok(match src.estimate(period, &group_by).await? {
        Ok(report) => {
            let rows: Vec<MonthCategoryKwh> = report
                .rows
                .iter()
                .filter(|r| filter.keeps(&r.group))
                .filter_map(|r| {
                    Some(MonthCategoryKwh {
                        month: parse_month(r.group.month.as_deref()?)?,
                        category: r.group.category?,
                        kwh: r.figures.kwh,
                    })
                })
                .collect();
            kinds::energy_by_month(&label, &months, &rows)
        }
        Err(why) => with_reason(kinds::energy_by_month(&label, &months, &[]), Some(why)),
    })
}

/// Electricity cost by device category over `period` (£).
pub async fn cost_by_category<C: ConnectionTrait>(
    src: &Source<'_, C>,
    period: Period,
    filter: EstateFilter,
) -> AppResult<ChartSpec> {
    let mut group_by = vec![GroupBy::Category];
    group_by.extend(filter.dimensions());
    let title = format!("Electricity cost by device category, {}", period_label(&period));
    let (groups, reason) = match src.estimate(period, &group_by).await? {
        Ok(report) => {
            let mut by_category: HashMap<Category, Decimal> = HashMap::new();
            for r in report.rows.iter().filter(|r| filter.keeps(&r.group)) {
                if let Some(c) = r.group.category {
                    *by_category.entry(c).or_default() += r.figures.cost_gbp.decimal();
                }
            }
            let groups = Category::ALL
                .iter()
                .filter_map(|c| by_category.get(c).map(|v| CostGroup { name: c.label().into(), amounts: vec![*v] }))
                .collect();
            (groups, None)
        }
        Err(why) => (vec![], Some(why)),
    };
    Ok(with_reason(kinds::cost_breakdown(&title, "Device category", &["Electricity"], &groups), reason))
}

/// The carbon chart's years and target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CarbonParams {
    pub baseline: FinancialYear,
    /// The last year shown.
    pub last: FinancialYear,
    pub target: Option<CarbonTarget>,
}

/// At most this many years on the carbon chart (each is one estimate).
pub const MAX_CARBON_YEARS: i32 = 15;

impl CarbonParams {
    /// Defaults: the baseline three years before the last year shown; 50% below it by 2030/31.
    pub fn new(
        last: FinancialYear,
        baseline: Option<i32>,
        target_percent: Option<Decimal>,
        target_fy: Option<i32>,
    ) -> AppResult<CarbonParams> {
        let baseline = FinancialYear(baseline.unwrap_or(last.0 - DEFAULT_BASELINE_YEARS_BACK));
        if baseline > last {
            return Err(AppError::field(
                "baseline",
                "after_last_year",
                format!("the baseline year {} is after the last year shown {}", baseline.label(), last.label()),
            ));
        }
        if last.0 - baseline.0 >= MAX_CARBON_YEARS {
            return Err(AppError::field(
                "baseline",
                "too_many_years",
                format!("show at most {MAX_CARBON_YEARS} years: choose a later baseline"),
            ));
        }
        let percent = target_percent.unwrap_or(Decimal::from(DEFAULT_TARGET_PERCENT));
        if percent < Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err(AppError::field(
                "target_percent",
                "out_of_range",
                "the target is a reduction of 0 to 100 per cent",
            ));
        }
        let by = FinancialYear(target_fy.unwrap_or(DEFAULT_TARGET_FY));
        if by <= baseline {
            return Err(AppError::field(
                "target_fy",
                "before_baseline",
                "the target year must be after the baseline year",
            ));
        }
        Ok(CarbonParams { baseline, last, target: Some(CarbonTarget { reduction_percent: percent, by }) })
    }
}

/// Each financial year's location-based emissions (generation + T&D) in tonnes, or why there is none.
pub async fn carbon_years<C: ConnectionTrait>(
    src: &Source<'_, C>,
    from: FinancialYear,
    to: FinancialYear,
    filter: EstateFilter,
) -> AppResult<Vec<YearTonnes>> {
    let group_by = filter.dimensions();
    let mut out = Vec::new();
    for y in from.0..=to.0 {
        let fy = FinancialYear(y);
        let tonnes = match src.estimate(fy.period(), &group_by).await? {
            Ok(report) => Ok(if group_by.is_empty() {
                report.total.kg_co2e_total
            } else {
                report.rows.iter().filter(|r| filter.keeps(&r.group)).map(|r| r.figures.kg_co2e_total).sum()
            } / Decimal::ONE_THOUSAND),
            Err(why) => Err(why),
        };
        out.push(YearTonnes { fy, tonnes_co2e: tonnes });
    }
    Ok(out)
}

pub async fn carbon_by_year<C: ConnectionTrait>(
    src: &Source<'_, C>,
    params: CarbonParams,
    filter: EstateFilter,
) -> AppResult<ChartSpec> {
    let years = carbon_years(src, params.baseline, params.last, filter).await?;
    let mut spec = kinds::carbon_by_year(&years, params.baseline, params.target);
    // The estimates are cached, so asking again for each year's factor sets costs a lookup.
    for y in params.baseline.0..=params.last.0 {
        if let Ok(report) = src.estimate(FinancialYear(y).period(), &filter.dimensions()).await? {
            spec.notes.extend(energy_service::factor_notes(&report.factor_sets));
        }
    }
    spec.notes.push(format!("Method: {}", energy_service::METHOD));
    Ok(spec)
}

/// Lifecycle states whose assets still need replacing when due (not retired or on the way out).
const IN_SERVICE: [LifecycleState; 4] =
    [LifecycleState::OnOrder, LifecycleState::InStock, LifecycleState::Deployed, LifecycleState::InRepair];

/// Assets due for refresh: overdue (due before `first`) and in each of `years` financial years from
/// `first`, with the replacement budget from their models' prices.
pub async fn refresh_years<C: ConnectionTrait>(
    conn: &C,
    first: FinancialYear,
    years: u32,
    filter: EstateFilter,
) -> AppResult<(Vec<RefreshYear>, u64)> {
    let prices: HashMap<i32, i64> = device_model::Entity::find()
        .select_only()
        .column(device_model::Column::Id)
        .column(device_model::Column::ReplacementPricePence)
        .into_tuple::<(i32, Option<i64>)>()
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|(id, p)| Some((id, p?)))
        .collect();
    let mut q = asset::Entity::find()
        .select_only()
        .column(asset::Column::RefreshDue)
        .column(asset::Column::ModelId)
        .filter(asset::Column::RefreshDue.is_not_null())
        .filter(asset::Column::LifecycleState.is_in(IN_SERVICE.iter().map(|s| s.as_str())));
    if let Some(s) = filter.site_id {
        q = q.filter(asset::Column::SiteId.eq(s));
    }
    if let Some(d) = filter.department_id {
        q = q.filter(asset::Column::DepartmentId.eq(d));
    }
    let due: Vec<(Option<NaiveDate>, Option<i32>)> = q.into_tuple().all(conn).await?;
    let mut out: Vec<RefreshYear> = std::iter::once(None)
        .chain((0..years as i32).map(|i| Some(FinancialYear(first.0 + i))))
        .map(|fy| RefreshYear { fy, count: 0, budget_gbp: Decimal::ZERO, unpriced: 0 })
        .collect();
    let mut later = 0u64;
    for (date, model) in due {
        let Some(date) = date else { continue };
        let fy = FinancialYear::containing(date);
        let slot = if fy < first { 0 } else { (fy.0 - first.0 + 1) as usize };
        let Some(row) = out.get_mut(slot) else {
            later += 1;
            continue;
        };
        row.count += 1;
        match model.and_then(|m| prices.get(&m)) {
            Some(p) => row.budget_gbp += Decimal::new(*p, 2),
            None => row.unpriced += 1,
        }
    }
    Ok((out, later))
}

pub async fn refresh_forecast<C: ConnectionTrait>(
    src: &Source<'_, C>,
    first: FinancialYear,
    years: u32,
    filter: EstateFilter,
) -> AppResult<ChartSpec> {
    let answer = src.refresh(first, years, filter).await?;
    let (rows, later) = (&answer.0, answer.1);
    let mut spec = kinds::refresh_forecast(rows);
    if later > 0 {
        spec.notes.push(format!("{later} more assets are due after the last year shown."));
    }
    Ok(spec)
}

/// Metered and estimated ICT electricity per site with meters over `period` (kWh), from the meter readings
/// (see `services::metered` for which meters are compared).
pub async fn metered_vs_estimated<C: ConnectionTrait>(src: &Source<'_, C>, period: Period) -> AppResult<ChartSpec> {
    let report = super::metered::metered_vs_estimated(src, period).await?;
    let spec = kinds::metered_vs_estimated(&period_label(&period), &super::metered::site_totals(&report));
    Ok(with_reason(spec, report.estimate_missing))
}

/// E-waste by route for each financial year from `from` to `to` (kg), from the same figures as the
/// e-waste page.
pub async fn ewaste_by_route<C: ConnectionTrait>(
    conn: &C,
    from: FinancialYear,
    to: FinancialYear,
) -> AppResult<ChartSpec> {
    let years: Vec<FinancialYear> = (from.0..=to.0).map(FinancialYear).collect();
    let mut by_route: BTreeMap<usize, Vec<Decimal>> = BTreeMap::new();
    for y in &years {
        let report = super::disposals::ewaste(conn, *y).await?;
        for (i, route) in Route::ALL.iter().enumerate() {
            let kg = report.figures.by_route.iter().find(|r| r.route == *route).map_or(0.0, |r| r.weight_kg);
            by_route.entry(i).or_default().push(Decimal::from_f64_retain(kg).unwrap_or_default().round_dp(3));
        }
    }
    let routes: Vec<(String, Vec<Decimal>)> = by_route
        .into_iter()
        .filter(|(_, kg)| kg.iter().any(|v| !v.is_zero()))
        .map(|(i, kg)| (Route::ALL[i].label().to_string(), kg))
        .collect();
    let mut spec = kinds::ewaste_by_route(&years, &routes);
    if routes.is_empty() {
        spec.notes.push("No disposals were completed in these years.".into());
    }
    Ok(spec)
}

/// Mean TCO per asset by model (£), stacked by part: what a seat of each model costs over its life.
/// Worked out by `services::tco` (and kept by its cache); the estate as a whole, unfiltered.
pub async fn tco_by_model<C: ConnectionTrait>(src: &Source<'_, C>) -> AppResult<ChartSpec> {
    let report = match src.cache.tco.report(src.conn, crate::tco::TcoGroupBy::Model, super::tco::today()).await {
        Ok(r) => r,
        Err(AppError::Unprocessable(errs)) => {
            let why = errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ");
            return Ok(with_reason(kinds::cost_breakdown(TCO_TITLE, "Model", &TCO_PARTS, &[]), Some(why)));
        }
        Err(e) => return Err(e),
    };
    let groups: Vec<CostGroup> = report
        .rows
        .iter()
        .filter(|r| r.assets > 0)
        .map(|r| {
            let n = Decimal::from(r.assets as u64);
            let per = |g: &crate::domain::Gbp| (g.decimal() / n).round_dp(2);
            let f = &r.figures;
            CostGroup {
                name: r.group.clone(),
                amounts: vec![
                    per(&f.purchase_gbp),
                    per(&f.energy_gbp),
                    per(&f.cost_items_gbp),
                    per(&f.disposal_cost_gbp),
                ],
            }
        })
        .collect();
    let mut spec = kinds::cost_breakdown(TCO_TITLE, "Model", &TCO_PARTS, &groups);
    spec.notes.push(format!(
        "Per asset: each model's total over its assets' lives ÷ its number of assets, as at {}. Electricity is \
         estimated to date and forecast to each asset's refresh date. Disposal income ({} in all) is not drawn; \
         the TCO page subtracts it.",
        report.as_of.format("%d/%m/%Y"),
        crate::charts::format::money(report.total.disposal_income_gbp.decimal(), 2)
    ));
    Ok(spec)
}

const TCO_TITLE: &str = "TCO per asset by model";
const TCO_PARTS: [&str; 4] = ["Purchase", "Electricity", "Cost items", "Disposal cost"];

/// What each enabled power policy saves over `period` (kWh): see `services::policy_savings`.
pub async fn policy_savings_chart<C: ConnectionTrait>(src: &Source<'_, C>, period: Period) -> AppResult<ChartSpec> {
    let answer = policy_savings::policy_savings(src, period).await?;
    let rows: Vec<PolicySaving> = answer
        .rows
        .iter()
        .map(|r| PolicySaving {
            policy: r.policy.clone(),
            before_kwh: r.without.kwh,
            after_kwh: r.with.kwh,
            observed_saving_kwh: r.observed.map(|(_, kwh)| kwh),
        })
        .collect();
    let mut spec = kinds::policy_savings(&period_label(&period), &rows);
    for r in &answer.rows {
        let seen = match r.observed {
            Some((n, _)) => format!("{n} reported through the agent"),
            None => "none reported through the agent".into(),
        };
        let devices = if r.devices == 1 { "1 device".to_string() } else { format!("{} devices", r.devices) };
        spec.notes.push(format!("{}: {devices} (monitors follow their PCs); {seen}.", r.policy));
    }
    spec.notes.extend(answer.left_out.iter().cloned());
    if answer.rows.is_empty() && answer.left_out.is_empty() {
        spec.notes.push("No power policy is enabled.".into());
    }
    spec.notes.push(
        "Estimated from the usage profiles with each policy's shutdown and wake times laid over (working hours \
         still count as on: users switch their PCs on). Patch-window wakes and users' opt-outs are not counted."
            .into(),
    );
    Ok(with_reason(spec, answer.problem.clone()))
}

// ------------------------------------------------------------------------------------- by name

/// The charts served at `/charts/<name>.<svg|png|csv>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartName {
    EnergyByMonth,
    CarbonByYear,
    CostByCategory,
    RefreshForecast,
    MeteredVsEstimated,
    TcoByModel,
    EwasteByRoute,
    PolicySavings,
}

impl ChartName {
    pub const ALL: [ChartName; 8] = [
        ChartName::EnergyByMonth,
        ChartName::CarbonByYear,
        ChartName::CostByCategory,
        ChartName::RefreshForecast,
        ChartName::MeteredVsEstimated,
        ChartName::TcoByModel,
        ChartName::EwasteByRoute,
        ChartName::PolicySavings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChartName::EnergyByMonth => "energy-by-month",
            ChartName::CarbonByYear => "carbon-by-year",
            ChartName::CostByCategory => "cost-by-category",
            ChartName::RefreshForecast => "refresh-forecast",
            ChartName::MeteredVsEstimated => "metered-vs-estimated",
            ChartName::TcoByModel => "tco-by-model",
            ChartName::EwasteByRoute => "ewaste-by-route",
            ChartName::PolicySavings => "policy-savings",
        }
    }
}

impl FromStr for ChartName {
    type Err = ();
    fn from_str(s: &str) -> Result<ChartName, ()> {
        ChartName::ALL.into_iter().find(|c| c.as_str() == s).ok_or(())
    }
}

/// Everything a chart request may say; each chart reads the parts it uses.
#[derive(Debug, Clone, Copy)]
pub struct ChartRequest {
    pub period: Period,
    pub filter: EstateFilter,
    pub carbon: CarbonParams,
    pub refresh_first: FinancialYear,
    pub refresh_years: u32,
}

pub async fn chart<C: ConnectionTrait>(
    src: &Source<'_, C>,
    name: ChartName,
    req: &ChartRequest,
) -> AppResult<ChartSpec> {
    match name {
        ChartName::EnergyByMonth => energy_by_month(src, req.period, req.filter).await,
        ChartName::CarbonByYear => carbon_by_year(src, req.carbon, req.filter).await,
        ChartName::CostByCategory => cost_by_category(src, req.period, req.filter).await,
        ChartName::RefreshForecast => refresh_forecast(src, req.refresh_first, req.refresh_years, req.filter).await,
        ChartName::MeteredVsEstimated => metered_vs_estimated(src, req.period).await,
        ChartName::TcoByModel => tco_by_model(src).await,
        ChartName::EwasteByRoute => ewaste_by_route(src.conn, req.carbon.baseline, req.carbon.last).await,
        ChartName::PolicySavings => policy_savings_chart(src, req.period).await,
    }
}

// ------------------------------------------------------------------------------------- headline

/// A financial year's electricity, cost and carbon, or why there are none.
#[derive(Debug, Clone)]
pub struct YearFigures {
    pub fy: FinancialYear,
    pub figures: Result<energy_service::EnergyFigures, String>,
    /// Where an earlier year's grid factors stand in for the year's own, saying so.
    pub factor_notes: Vec<String>,
}

/// The dashboard's headline: this year, last year and the baseline year, and refreshes due.
#[derive(Debug, Clone)]
pub struct Headline {
    pub this_year: YearFigures,
    pub last_year: YearFigures,
    pub baseline: YearFigures,
    pub refresh_overdue: u64,
    pub refresh_due_this_year: u64,
    pub refresh_budget_this_year: Decimal,
}

async fn year_figures<C: ConnectionTrait>(src: &Source<'_, C>, fy: FinancialYear) -> AppResult<YearFigures> {
    let answer = src.estimate(fy.period(), &[]).await?;
    let factor_notes = answer.as_ref().map(|r| energy_service::factor_notes(&r.factor_sets)).unwrap_or_default();
    Ok(YearFigures { fy, figures: answer.map(|r| r.total.clone()), factor_notes })
}

pub async fn headline<C: ConnectionTrait>(
    src: &Source<'_, C>,
    this_year: FinancialYear,
    baseline: FinancialYear,
) -> AppResult<Headline> {
    let answer = src.refresh(this_year, DEFAULT_REFRESH_YEARS, EstateFilter::default()).await?;
    let refresh = &answer.0;
    Ok(Headline {
        this_year: year_figures(src, this_year).await?,
        last_year: year_figures(src, FinancialYear(this_year.0 - 1)).await?,
        baseline: year_figures(src, baseline).await?,
        refresh_overdue: refresh[0].count,
        refresh_due_this_year: refresh[1].count,
        refresh_budget_this_year: refresh[1].budget_gbp,
    })
}
