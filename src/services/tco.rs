//! Total cost of ownership of the register's assets, one asset's with its breakdown, and a comparison of
//! two models per seat. Loads the register, cost items, disposal money and the energy engine's inputs, and
//! hands them to the pure `tco` module. Read-only: nothing is written.
//!
//! Which days count: an asset's life runs from its purchase date to its refresh date, or to today if it is
//! still in use past it; for a retired, awaiting-disposal or disposed asset it ends today at the latest.
//! Energy counts for deployed assets only (as in the energy figures: the register keeps no dates of past
//! lifecycle moves), estimated from purchase to today and forecast from today to the refresh date.

use chrono::{NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QueryResult,
    QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

use super::charts::data_version_of;
use super::cost_items::{self as cost_item_service};
use super::energy::{self as energy_service, Loaded};
use super::refresh::RefreshForecast;
use super::versioned_cache::VersionedCache;
use crate::domain::refresh::{refresh_due, RefreshInputs};
use crate::domain::{AssetTag, Category, Gbp, LifecycleState};
use crate::energy::power::is_always_on_kit;
use crate::energy::tariff::round_to_pence;
use crate::energy::{AssetEnergyInput, EnergyError, Period, TariffHistory, UsageProfile};
use crate::error::{AppError, AppResult};
use crate::store::{asset, device_model};
use crate::tco::{
    apportion, asset_tco, rollup, split_life, AssetTco, AssetTcoInput, CostItemInput, CostScope, DisposalMoney,
    ItemShare, LifeCalendar, Member, TcoGroupBy, TcoGroupKey, TcoTotals,
};

// ------------------------------------------------------------------------------------ disposal money

/// Disposal cost and income per asset id, from the WEEE disposal records.
///
/// Each disposed asset's share of its completed disposal's cost and income (see
/// `services::disposals::money_by_asset` for how a batch's money is shared out).
pub async fn disposal_money_by_asset<C: ConnectionTrait>(db: &C) -> AppResult<HashMap<i32, DisposalMoney>> {
    Ok(super::disposals::money_by_asset(db)
        .await?
        .into_iter()
        .map(|(id, m)| (id, DisposalMoney { cost_gbp: m.cost_gbp, income_gbp: m.income_gbp }))
        .collect())
}

/// Disposal money is read from the disposal records.
pub const DISPOSAL_MONEY_CONNECTED: bool = true;

// -------------------------------------------------------------------------------------------- loading

/// The columns of an asset TCO and refresh planning read.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct PlanRow {
    pub id: i32,
    /// Empty when read for the TCO of the whole register, which never shows it.
    pub asset_tag: String,
    pub category: String,
    pub model_id: Option<i32>,
    pub site_id: Option<i32>,
    pub department_id: Option<i32>,
    pub purchase_date: Option<NaiveDate>,
    pub purchase_cost_pence: Option<i64>,
    pub life_months: Option<i32>,
    pub refresh_date: Option<NaiveDate>,
    pub lifecycle_state: String,
}

/// An asset as TCO and planning see it.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub row: PlanRow,
    pub category: Category,
    pub state: LifecycleState,
    pub due: Option<NaiveDate>,
    /// The life its replacement would get: its own, else its model's, else its category's.
    pub life_months: u32,
}

pub(crate) async fn load_planned<C: ConnectionTrait>(
    conn: &C,
    models: &HashMap<i32, device_model::Model>,
) -> AppResult<Vec<Planned>> {
    load_planned_where(conn, models, None).await
}

/// [`load_planned`] for the assets matching `only` (all when `None`).
async fn load_planned_where<C: ConnectionTrait>(
    conn: &C,
    models: &HashMap<i32, device_model::Model>,
    only: Option<Condition>,
) -> AppResult<Vec<Planned>> {
    let mut query = asset::Entity::find();
    if let Some(condition) = only {
        query = query.filter(condition);
    }
    let rows = query
        .select_only()
        .columns([
            asset::Column::Id,
            asset::Column::AssetTag,
            asset::Column::Category,
            asset::Column::ModelId,
            asset::Column::SiteId,
            asset::Column::DepartmentId,
            asset::Column::PurchaseDate,
            asset::Column::PurchaseCostPence,
            asset::Column::LifeMonths,
            asset::Column::RefreshDate,
            asset::Column::LifecycleState,
        ])
        .order_by_asc(asset::Column::Id)
        .into_model::<PlanRow>()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|row| to_planned(row, models)).collect())
}

fn to_planned(row: PlanRow, models: &HashMap<i32, device_model::Model>) -> Planned {
    let category: Category = row.category.parse().unwrap_or(Category::Other);
    let (due, life_months) =
        due_and_life(category, row.model_id, row.purchase_date, row.life_months, row.refresh_date, models);
    let state = row.lifecycle_state.parse().unwrap_or(LifecycleState::InStock);
    Planned { row, category, state, due, life_months }
}

/// An asset's refresh due date, and the life its replacement would get (its own, else its model's, else
/// its category's), from its planning columns.
pub(crate) fn due_and_life(
    category: Category,
    model_id: Option<i32>,
    purchase_date: Option<NaiveDate>,
    life_months: Option<i32>,
    refresh_date: Option<NaiveDate>,
    models: &HashMap<i32, device_model::Model>,
) -> (Option<NaiveDate>, u32) {
    let model_life = model_id.and_then(|m| models.get(&m)).and_then(|m| m.default_life_months);
    let life = |v: Option<i32>| v.and_then(|m| u32::try_from(m).ok());
    let due = refresh_due(&RefreshInputs {
        refresh_date_override: refresh_date,
        purchase_date,
        asset_life_months: life(life_months),
        model_life_months: life(model_life),
        category,
    });
    (due, life(life_months).or(life(model_life)).unwrap_or_else(|| category.default_life_months()))
}

/// The columns TCO reads of every asset, in [`TcoAssetRow`]'s order: the planning ones and, for deployed
/// assets, the energy engine's, less the asset's own settings ([`OwnSettings`]). Not the tag: TCO needs it
/// only to name an asset the energy engine refuses. Each value read costs the SQLite driver an allocation
/// of its own (two for text) and then a decode, so for 100,000 assets each column left out counts.
const TCO_COLUMNS: [asset::Column; 9] = [
    asset::Column::Id,
    asset::Column::Category,
    asset::Column::ModelId,
    asset::Column::SiteId,
    asset::Column::DepartmentId,
    asset::Column::PurchaseDate,
    asset::Column::PurchaseCostPence,
    asset::Column::LifecycleState,
    asset::Column::ParentAssetId,
];

#[derive(Debug)]
struct TcoAssetRow {
    id: i32,
    category: String,
    model_id: Option<i32>,
    site_id: Option<i32>,
    department_id: Option<i32>,
    purchase_date: Option<NaiveDate>,
    purchase_cost_pence: Option<i64>,
    lifecycle_state: String,
    parent_asset_id: Option<i32>,
}

/// By position in [`TCO_COLUMNS`], not by name: the derived reader looks every column up by name in
/// every row, which for 100,000 rows costs as much as decoding them.
impl FromQueryResult for TcoAssetRow {
    fn from_query_result(res: &QueryResult, _pre: &str) -> Result<TcoAssetRow, DbErr> {
        Ok(TcoAssetRow {
            id: res.try_get_by_index(0)?,
            category: res.try_get_by_index(1)?,
            model_id: res.try_get_by_index(2)?,
            site_id: res.try_get_by_index(3)?,
            department_id: res.try_get_by_index(4)?,
            purchase_date: res.try_get_by_index(5)?,
            purchase_cost_pence: res.try_get_by_index(6)?,
            lifecycle_state: res.try_get_by_index(7)?,
            parent_asset_id: res.try_get_by_index(8)?,
        })
    }
}

/// An asset's own settings, each standing in for its model's or category's when set. Few assets have
/// any (in the demo estate 3,563 of 100,000), so they are read only for the assets that do, instead of six
/// mostly empty values in every row.
#[derive(Debug, Default, Clone, Copy, FromQueryResult)]
struct OwnSettings {
    id: i32,
    life_months: Option<i32>,
    refresh_date: Option<NaiveDate>,
    usage_profile_id: Option<i32>,
    on_watts: Option<f64>,
    sleep_watts: Option<f64>,
    off_watts: Option<f64>,
}

const OWN_SETTINGS: [asset::Column; 6] = [
    asset::Column::LifeMonths,
    asset::Column::RefreshDate,
    asset::Column::UsageProfileId,
    asset::Column::OnWatts,
    asset::Column::SleepWatts,
    asset::Column::OffWatts,
];

/// The assets with any of their own settings, by id.
async fn own_settings<C: ConnectionTrait>(conn: &C) -> AppResult<HashMap<i32, OwnSettings>> {
    let any_set = OWN_SETTINGS.into_iter().fold(Condition::any(), |c, col| c.add(col.is_not_null()));
    let q = asset::Entity::find().select_only().column(asset::Column::Id).columns(OWN_SETTINGS).filter(any_set);
    let mut own = HashMap::new();
    energy_service::asset_pages(
        conn,
        q,
        |r: &OwnSettings| r.id,
        |r| {
            own.insert(r.id, r);
            Ok(())
        },
    )
    .await?;
    Ok(own)
}

/// Every asset as planning sees it, and the energy engine's inputs for the deployed ones: what
/// [`load_planned`] and `energy::load(conn, None)` give, from one read of the asset table. That read
/// leaves out the tags, so when the energy engine refuses an asset (no watts, no usage profile) the
/// energy engine's own read is made instead, to name the asset as the energy figures do.
async fn load_planned_and_energy<C: ConnectionTrait>(
    conn: &C,
    models: &HashMap<i32, device_model::Model>,
) -> AppResult<(Vec<Planned>, Loaded)> {
    let mut refused = false;
    match read_planned_and_energy(conn, models, &mut refused).await {
        Err(e) if refused => Err(energy_service::load(conn, None).await.err().unwrap_or(e)),
        read => read,
    }
}

/// [`load_planned_and_energy`]'s read; `refused` says an error came from the energy engine.
async fn read_planned_and_energy<C: ConnectionTrait>(
    conn: &C,
    models: &HashMap<i32, device_model::Model>,
    refused: &mut bool,
) -> AppResult<(Vec<Planned>, Loaded)> {
    let mut energy = energy_service::LoadBuilder::new(conn).await?;
    let own = own_settings(conn).await?;
    let q = asset::Entity::find().select_only().columns(TCO_COLUMNS);
    let deployed = LifecycleState::Deployed.as_str();
    let mut planned = Vec::new();
    energy_service::asset_pages(
        conn,
        q,
        |r: &TcoAssetRow| r.id,
        |r| {
            let o = own.get(&r.id).copied().unwrap_or_default();
            if r.lifecycle_state == deployed {
                energy
                    .add(energy_service::EnergyAssetRow {
                        id: r.id,
                        asset_tag: String::new(),
                        category: r.category.clone(),
                        model_id: r.model_id,
                        site_id: r.site_id,
                        department_id: r.department_id,
                        parent_asset_id: r.parent_asset_id,
                        usage_profile_id: o.usage_profile_id,
                        on_watts: o.on_watts,
                        sleep_watts: o.sleep_watts,
                        off_watts: o.off_watts,
                        purchase_date: r.purchase_date,
                    })
                    .inspect_err(|_| *refused = true)?;
            }
            planned.push(to_planned(
                PlanRow {
                    id: r.id,
                    asset_tag: String::new(),
                    category: r.category,
                    model_id: r.model_id,
                    site_id: r.site_id,
                    department_id: r.department_id,
                    purchase_date: r.purchase_date,
                    purchase_cost_pence: r.purchase_cost_pence,
                    life_months: o.life_months,
                    refresh_date: o.refresh_date,
                    lifecycle_state: r.lifecycle_state,
                },
                models,
            ));
            Ok(())
        },
    )
    .await?;
    let loaded = energy.finish(conn).await.inspect_err(|_| *refused = true)?;
    Ok((planned, loaded))
}

pub(crate) async fn load_models<C: ConnectionTrait>(conn: &C) -> AppResult<HashMap<i32, device_model::Model>> {
    Ok(device_model::Entity::find().all(conn).await?.into_iter().map(|m| (m.id, m)).collect())
}

/// The UK date today.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive()
}

fn leaving(state: LifecycleState) -> bool {
    matches!(state, LifecycleState::Retired | LifecycleState::AwaitingDisposal | LifecycleState::Disposed)
}

/// The days an asset's TCO covers (module docs); `None` without a purchase date.
fn life_of(p: &Planned, today: NaiveDate) -> Option<Period> {
    let start = p.row.purchase_date?;
    let end = match (p.due, leaving(p.state)) {
        (Some(due), false) => due.max(today),
        (Some(due), true) => due.min(today),
        (None, _) => today,
    };
    Period::new(start, end).ok().filter(|l| !l.is_empty())
}

/// The usage profile an asset's energy follows: 24/7 kit, its parent PC's, or its own.
pub(crate) fn profile_of(a: &AssetEnergyInput, loaded: &Loaded, by_id: &HashMap<i32, usize>) -> Option<UsageProfile> {
    let own = |x: &AssetEnergyInput| {
        if is_always_on_kit(x.category) {
            Some(UsageProfile::ALWAYS_ON)
        } else {
            loaded.profiles.get(&x.profile_id).copied()
        }
    };
    match a.parent_id.and_then(|p| by_id.get(&p)) {
        Some(&i) if !is_always_on_kit(a.category) => own(&loaded.assets[i]),
        _ => own(a),
    }
}

/// Life calendars, one per (profile, site tariff), made when first needed.
pub(crate) struct Calendars<'a> {
    loaded: &'a Loaded,
    span: Period,
    made: HashMap<(UsageProfile, Option<i32>), LifeCalendar>,
}

impl<'a> Calendars<'a> {
    pub fn new(loaded: &'a Loaded, span: Period) -> Calendars<'a> {
        Calendars { loaded, span, made: HashMap::new() }
    }

    pub fn get(&mut self, profile: UsageProfile, site_id: Option<i32>) -> Result<&LifeCalendar, EnergyError> {
        // Sites without their own tariff share the council-wide one: key them together.
        let key_site = site_id.filter(|s| self.loaded.tariffs.by_site.contains_key(s));
        if !self.made.contains_key(&(profile, key_site)) {
            let tariff = self
                .loaded
                .tariffs
                .for_site(site_id)
                .ok_or(EnergyError::NoTariff { site_id, date: self.span.from() })?;
            let cal = LifeCalendar::new(&profile, tariff, self.span, &self.loaded.holidays)
                .map_err(|_| EnergyError::NoTariff { site_id, date: self.span.from() })?;
            self.made.insert((profile, key_site), cal);
        }
        Ok(&self.made[&(profile, key_site)])
    }
}

/// One asset and every asset it shares a cost item with (the members of the groups whose items reach it):
/// all its own TCO needs, without reading the whole register.
async fn load_sharers<C: ConnectionTrait>(
    conn: &C,
    models: &HashMap<i32, device_model::Model>,
    id: i32,
    items: &[CostItemInput],
) -> AppResult<Vec<Planned>> {
    let own = load_planned_where(conn, models, Some(Condition::all().add(asset::Column::Id.eq(id)))).await?;
    let Some(me) = own.first() else { return Ok(own) };
    let mut groups = Condition::any();
    let mut any = false;
    for item in items {
        let reaches = match item.scope {
            CostScope::Asset(_) => None,
            CostScope::Model(m) => (me.row.model_id == Some(m)).then(|| asset::Column::ModelId.eq(m)),
            CostScope::Department(d) => (me.row.department_id == Some(d)).then(|| asset::Column::DepartmentId.eq(d)),
            CostScope::Site(s) => (me.row.site_id == Some(s)).then(|| asset::Column::SiteId.eq(s)),
            CostScope::Category(c) => (me.category == c).then(|| asset::Column::Category.eq(c.as_str())),
        };
        if let Some(condition) = reaches {
            groups = groups.add(condition);
            any = true;
        }
    }
    if any {
        load_planned_where(conn, models, Some(groups)).await
    } else {
        Ok(own)
    }
}

/// Everything a TCO answer is made from.
struct Computed {
    planned: Vec<Planned>,
    tcos: Vec<AssetTco>,
    unallocated: Vec<(i32, Decimal)>,
    loaded: Loaded,
    models: HashMap<i32, device_model::Model>,
    today: NaiveDate,
}

/// TCO of every asset (`only: None`) or of one (its energy only is estimated; cost items are shared
/// among the whole register either way).
async fn compute<C: ConnectionTrait>(conn: &C, only: Option<i32>, today: NaiveDate) -> AppResult<Computed> {
    let models = load_models(conn).await?;
    let items = cost_item_service::inputs(conn).await?;
    let (planned, loaded) = match only {
        None => load_planned_and_energy(conn, &models).await?,
        Some(id) => (load_sharers(conn, &models, id, &items).await?, energy_service::load(conn, Some(&[id])).await?),
    };
    let disposal = disposal_money_by_asset(conn).await?;

    let far_past = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    let lives: Vec<Option<Period>> = planned.iter().map(|p| life_of(p, today)).collect();
    let members: Vec<Member> = planned
        .iter()
        .zip(&lives)
        .map(|(p, life)| Member {
            asset_id: p.row.id,
            model_id: p.row.model_id,
            category: p.category,
            department_id: p.row.department_id,
            site_id: p.row.site_id,
            life: life.unwrap_or_else(|| {
                let end = p.due.unwrap_or(today).max(far_past);
                Period::new(far_past, end).unwrap_or(Period::empty(far_past))
            }),
        })
        .collect();
    let shared = apportion(&items, &members, today);

    // Energy: one calendar per (profile, tariff) over the span of the deployed assets' lives.
    let by_id: HashMap<i32, usize> = loaded.assets.iter().enumerate().map(|(i, a)| (a.asset_id, i)).collect();
    let life_by_id: HashMap<i32, Period> =
        planned.iter().zip(&lives).filter_map(|(p, l)| Some((p.row.id, (*l)?))).collect();
    let span_from = loaded.assets.iter().filter_map(|a| life_by_id.get(&a.asset_id)).map(|l| l.from()).min();
    let span_to = loaded.assets.iter().filter_map(|a| life_by_id.get(&a.asset_id)).map(|l| l.to()).max();
    let span = match (span_from, span_to) {
        (Some(f), Some(t)) => Period::new(f, t).unwrap_or(Period::empty(today)),
        _ => Period::empty(today),
    };
    let mut calendars = Calendars::new(&loaded, span);
    let mut energy: HashMap<i32, (Option<crate::tco::EnergyPart>, Option<crate::tco::EnergyPart>)> = HashMap::new();
    for a in &loaded.assets {
        let Some(life) = life_by_id.get(&a.asset_id) else { continue };
        let Some(profile) = profile_of(a, &loaded, &by_id) else { continue };
        let cal = calendars.get(profile, a.site_id).map_err(|e| energy_service::energy_error(e, &loaded))?;
        let split = split_life(life.from(), life.to(), today);
        energy.insert(
            a.asset_id,
            (
                split.to_date.map(|p| cal.energy(&a.draw, a.pue, p)),
                split.forecast.map(|p| cal.energy(&a.draw, a.pue, p)),
            ),
        );
    }

    let mut by_asset = shared.by_asset;
    // Sized up front: an AssetTco is a few hundred bytes, and growing a Vec of 100,000 copies them each time.
    let mut tcos = Vec::with_capacity(if only.is_some() { 1 } else { planned.len() });
    tcos.extend(planned.iter().zip(&lives).filter(|(p, _)| only.is_none_or(|id| p.row.id == id)).map(|(p, life)| {
        let (to_date, forecast) = energy.get(&p.row.id).copied().unwrap_or((None, None));
        asset_tco(AssetTcoInput {
            asset_id: p.row.id,
            model_id: p.row.model_id,
            category: p.category,
            department_id: p.row.department_id,
            site_id: p.row.site_id,
            life: *life,
            purchase_gbp: p.row.purchase_cost_pence.map(|c| Gbp::from_pence(c).decimal()),
            energy_to_date: to_date,
            energy_forecast: forecast,
            cost_items: by_asset.remove(&p.row.id).unwrap_or_default(),
            disposal: disposal.get(&p.row.id).copied(),
        })
    }));
    Ok(Computed { planned, tcos, unallocated: shared.unallocated, loaded, models, today })
}

// ------------------------------------------------------------------------------------------ the cache

/// The tables TCO and the refresh forecast read: the energy engine's, cost items and disposals.
const TCO_TABLES: [&str; 12] = [
    "asset",
    "site",
    "department",
    "device_model",
    "usage_profile",
    "category_usage_profile",
    "tariff",
    "grid_factor_set",
    "bank_holiday",
    "cost_item",
    "disposal",
    "disposal_asset",
];

/// TCO reports and refresh forecasts already worked out (each a few rows), keyed by what was asked and
/// valid for one data version (`charts::data_version_of`: the newest audit event, which every change made
/// through the app writes on whichever instance, and the row counts of the tables read). TCO of 100,000
/// assets takes a second or more, so the API answers a repeat from here until the register, a cost item, a
/// disposal or an energy input changes. As with the charts' cache, a change made outside the app (direct
/// SQL) goes unseen until the next audited change or a restart.
#[derive(Default)]
pub struct TcoCache {
    reports: VersionedCache<(NaiveDate, TcoGroupBy), Arc<TcoReport>, CACHE_ENTRIES>,
    forecasts: VersionedCache<(NaiveDate, u32), Arc<RefreshForecast>, CACHE_ENTRIES>,
}

/// Entries kept before each cache starts again.
const CACHE_ENTRIES: usize = 64;

impl TcoCache {
    /// [`report_as_of`], from the cache when nothing it reads has changed.
    pub async fn report<C: ConnectionTrait>(
        &self,
        conn: &C,
        group_by: TcoGroupBy,
        today: NaiveDate,
    ) -> AppResult<Arc<TcoReport>> {
        // The version is read first, so an answer is never kept under a newer version than its data.
        let version = data_version_of(conn, &TCO_TABLES).await?;
        let key = (today, group_by);
        if let Some(hit) = self.reports.get(&key, &version) {
            return Ok(hit);
        }
        let answer = Arc::new(report_as_of(conn, group_by, today).await?);
        self.reports.put(key, version, answer.clone());
        Ok(answer)
    }

    /// `refresh::forecast_as_of`, from the cache when nothing it reads has changed.
    pub async fn forecast<C: ConnectionTrait>(
        &self,
        conn: &C,
        years: u32,
        today: NaiveDate,
    ) -> AppResult<Arc<RefreshForecast>> {
        let version = data_version_of(conn, &TCO_TABLES).await?;
        let key = (today, years);
        if let Some(hit) = self.forecasts.get(&key, &version) {
            return Ok(hit);
        }
        let answer = Arc::new(super::refresh::forecast_as_of(conn, years, today).await?);
        self.forecasts.put(key, version, answer.clone());
        Ok(answer)
    }
}

// -------------------------------------------------------------------------------------------- answers

fn pence(d: Decimal) -> AppResult<Gbp> {
    round_to_pence(d).map_err(|e| AppError::Internal(e.to_string()))
}

fn kwh(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero).normalize()
}

/// The parts of a TCO in pounds (rounded to the penny for display; sums are made unrounded).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TcoFigures {
    #[schema(value_type = String, example = "650.00")]
    pub purchase_gbp: Gbp,
    #[schema(value_type = String)]
    pub energy_to_date_kwh: Decimal,
    #[schema(value_type = String)]
    pub energy_to_date_gbp: Gbp,
    #[schema(value_type = String)]
    pub energy_forecast_kwh: Decimal,
    #[schema(value_type = String)]
    pub energy_forecast_gbp: Gbp,
    #[schema(value_type = String)]
    pub energy_gbp: Gbp,
    #[schema(value_type = String)]
    pub cost_items_gbp: Gbp,
    #[schema(value_type = String)]
    pub disposal_cost_gbp: Gbp,
    #[schema(value_type = String)]
    pub disposal_income_gbp: Gbp,
    /// purchase + energy + cost items + disposal cost − disposal income.
    #[schema(value_type = String, example = "1130.55")]
    pub total_gbp: Gbp,
    /// Total ÷ life in years (365.25 days); none without a life.
    #[schema(value_type = Option<String>)]
    pub per_asset_year_gbp: Option<Gbp>,
}

impl TcoFigures {
    fn from_totals(t: &TcoTotals) -> AppResult<TcoFigures> {
        Ok(TcoFigures {
            purchase_gbp: pence(t.purchase_gbp)?,
            energy_to_date_kwh: kwh(t.energy_to_date_kwh),
            energy_to_date_gbp: pence(t.energy_to_date_gbp)?,
            energy_forecast_kwh: kwh(t.energy_forecast_kwh),
            energy_forecast_gbp: pence(t.energy_forecast_gbp)?,
            energy_gbp: pence(t.energy_gbp())?,
            cost_items_gbp: pence(t.cost_items_gbp)?,
            disposal_cost_gbp: pence(t.disposal_cost_gbp)?,
            disposal_income_gbp: pence(t.disposal_income_gbp)?,
            total_gbp: pence(t.total_gbp())?,
            per_asset_year_gbp: t.per_asset_year_gbp().map(pence).transpose()?,
        })
    }
}

pub const METHOD: &str = "TCO = purchase cost + electricity over the asset's life + its share of cost items + \
    disposal cost − disposal income. Life: purchase date to refresh date (purchase + life: the asset's own, else \
    its model's, else its category's; or its explicit refresh date), or to today if kept past it. Electricity \
    (deployed assets): estimated from the purchase date to today with the tariffs in force each day, then \
    forecast from today to the refresh date at the latest known tariff, from the same usage profiles, watts, PUE, \
    bank holidays and clock changes as the energy figures. Cost items: an asset's own are all its own; a model's, \
    category's, department's or site's are shared equally among that group's assets in life on each charge's \
    date (annual items are charged on each anniversary, pro rata for a short last year). Figures are summed \
    unrounded and rounded to the penny for display. Per asset-year = total ÷ life in years (365.25 days).";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TcoRow {
    /// The group's name: a model, category, department or site (or "(no …)").
    pub group: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    pub assets: usize,
    pub figures: TcoFigures,
    /// Total ÷ assets.
    #[schema(value_type = String)]
    pub per_asset_gbp: Gbp,
}

/// A cost item charge no asset in life could bear.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unallocated {
    pub cost_item_id: i32,
    #[schema(value_type = String)]
    pub amount_gbp: Gbp,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TcoReport {
    /// The day the estimate to date ends and the forecast starts.
    pub as_of: NaiveDate,
    pub group_by: String,
    pub assets_counted: usize,
    pub rows: Vec<TcoRow>,
    pub total: TcoFigures,
    pub unallocated: Vec<Unallocated>,
    /// False until disposal records feed TCO: disposal cost and income are then £0.
    pub disposal_money_recorded: bool,
    pub method: String,
}

pub fn parse_group_by(raw: &str) -> Result<TcoGroupBy, String> {
    match raw.trim() {
        "model" => Ok(TcoGroupBy::Model),
        "category" => Ok(TcoGroupBy::Category),
        "department" => Ok(TcoGroupBy::Department),
        "site" => Ok(TcoGroupBy::Site),
        other => Err(format!("cannot group TCO by '{other}': use model, category, department or site")),
    }
}

fn group_by_name(g: TcoGroupBy) -> &'static str {
    match g {
        TcoGroupBy::Model => "model",
        TcoGroupBy::Category => "category",
        TcoGroupBy::Department => "department",
        TcoGroupBy::Site => "site",
    }
}

fn group_label(loaded: &Loaded, key: TcoGroupKey) -> (String, Option<i32>, Option<Category>) {
    let named = |names: &HashMap<i32, String>, id: Option<i32>, none: &str| match id {
        Some(i) => names.get(&i).cloned().unwrap_or_else(|| i.to_string()),
        None => none.to_string(),
    };
    match key {
        TcoGroupKey::Model(id) => (named(&loaded.model_names, id, "(no model)"), id, None),
        TcoGroupKey::Department(id) => (named(&loaded.department_names, id, "(no department)"), id, None),
        TcoGroupKey::Site(id) => (named(&loaded.site_names, id, "(no site)"), id, None),
        TcoGroupKey::Category(c) => (c.label().to_string(), None, Some(c)),
    }
}

/// TCO of the register, grouped.
pub async fn report<C: ConnectionTrait>(conn: &C, group_by: TcoGroupBy) -> AppResult<TcoReport> {
    report_as_of(conn, group_by, today()).await
}

pub async fn report_as_of<C: ConnectionTrait>(
    conn: &C,
    group_by: TcoGroupBy,
    today: NaiveDate,
) -> AppResult<TcoReport> {
    let c = compute(conn, None, today).await?;
    let mut total = TcoTotals::default();
    let mut rows = Vec::new();
    for (key, n, t) in rollup(&c.tcos, group_by) {
        let (group, id, category) = group_label(&c.loaded, key);
        add(&mut total, &t);
        rows.push(TcoRow {
            group,
            id,
            category,
            assets: n,
            figures: TcoFigures::from_totals(&t)?,
            per_asset_gbp: pence(t.total_gbp() / Decimal::from(n.max(1) as u64))?,
        });
    }
    Ok(TcoReport {
        as_of: c.today,
        group_by: group_by_name(group_by).into(),
        assets_counted: c.tcos.len(),
        rows,
        total: TcoFigures::from_totals(&total)?,
        unallocated: c
            .unallocated
            .iter()
            .map(|(id, gbp)| Ok(Unallocated { cost_item_id: *id, amount_gbp: pence(*gbp)? }))
            .collect::<AppResult<_>>()?,
        disposal_money_recorded: DISPOSAL_MONEY_CONNECTED,
        method: METHOD.into(),
    })
}

fn add(total: &mut TcoTotals, t: &TcoTotals) {
    total.purchase_gbp += t.purchase_gbp;
    total.energy_to_date_kwh += t.energy_to_date_kwh;
    total.energy_to_date_gbp += t.energy_to_date_gbp;
    total.energy_forecast_kwh += t.energy_forecast_kwh;
    total.energy_forecast_gbp += t.energy_forecast_gbp;
    total.cost_items_gbp += t.cost_items_gbp;
    total.disposal_cost_gbp += t.disposal_cost_gbp;
    total.disposal_income_gbp += t.disposal_income_gbp;
    total.life_days += t.life_days;
}

/// A run of days of energy and what it cost.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnergyPartView {
    pub from: NaiveDate,
    /// Last day counted (inclusive).
    pub to: NaiveDate,
    #[schema(value_type = String)]
    pub kwh: Decimal,
    #[schema(value_type = String)]
    pub cost_gbp: Gbp,
    /// Days before the first known tariff, priced at that first rate.
    pub days_before_first_tariff: u32,
    /// The rates that priced it, each from the day it applies within the part. A forecast is priced at
    /// the latest known rate from when it takes effect.
    pub tariffs: Vec<RateUsed>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RateUsed {
    pub from: NaiveDate,
    #[schema(value_type = String, example = "24.5")]
    pub pence_per_kwh: Decimal,
}

/// The rates of `history` in force over `period` (the first also before it takes effect).
fn rates_over(history: &TariffHistory, period: &Period) -> Vec<RateUsed> {
    let rates = history.rates();
    let mut out = Vec::new();
    for (i, r) in rates.iter().enumerate() {
        let start = if i == 0 { NaiveDate::MIN } else { r.effective_from };
        let end = rates.get(i + 1).map_or(NaiveDate::MAX, |n| n.effective_from);
        if start < period.to() && end > period.from() {
            out.push(RateUsed {
                from: start.max(period.from()),
                pence_per_kwh: (r.gbp_per_kwh * Decimal::ONE_HUNDRED).normalize(),
            });
        }
    }
    out
}

fn part_view(p: &crate::tco::EnergyPart, history: Option<&TariffHistory>) -> AppResult<EnergyPartView> {
    Ok(EnergyPartView {
        from: p.period.from(),
        to: p.period.to().pred_opt().unwrap_or(p.period.to()),
        kwh: kwh(p.kwh),
        cost_gbp: pence(p.cost_gbp)?,
        days_before_first_tariff: p.days_before_first_rate,
        tariffs: history.map(|h| rates_over(h, &p.period)).unwrap_or_default(),
    })
}

/// One cost item's share in an asset's TCO.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CostShareView {
    pub cost_item_id: i32,
    pub description: String,
    pub kind: crate::tco::CostKind,
    /// Who the item is for: "asset WCC-000123", "department Planning".
    pub applies_to: String,
    pub charges: u32,
    /// The most assets a charge was shared among (1: its own).
    pub shared_with_at_most: u32,
    #[schema(value_type = String)]
    pub amount_gbp: Gbp,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssetTcoView {
    #[schema(value_type = String)]
    pub asset_tag: AssetTag,
    pub lifecycle_state: LifecycleState,
    pub purchase_date: Option<NaiveDate>,
    pub refresh_due: Option<NaiveDate>,
    /// The days the TCO covers (first and last); none without a purchase date.
    pub life_from: Option<NaiveDate>,
    pub life_to: Option<NaiveDate>,
    pub as_of: NaiveDate,
    pub figures: TcoFigures,
    /// None when its purchase cost is not recorded (counted as £0).
    #[schema(value_type = Option<String>)]
    pub purchase_cost: Option<Gbp>,
    pub energy_to_date: Option<EnergyPartView>,
    pub energy_forecast: Option<EnergyPartView>,
    pub cost_items: Vec<CostShareView>,
    /// None when no disposal money is recorded (counted as £0).
    #[schema(value_type = Option<String>)]
    pub disposal_cost: Option<Gbp>,
    #[schema(value_type = Option<String>)]
    pub disposal_income: Option<Gbp>,
    /// What is missing or estimated, in words.
    pub notes: Vec<String>,
    pub summary: String,
    pub method: String,
}

/// One asset's TCO with each part and the inputs it used.
pub async fn asset_tco_view<C: ConnectionTrait>(conn: &C, tag: &AssetTag) -> AppResult<AssetTcoView> {
    asset_tco_as_of(conn, tag, today()).await
}

pub async fn asset_tco_as_of<C: ConnectionTrait>(
    conn: &C,
    tag: &AssetTag,
    today: NaiveDate,
) -> AppResult<AssetTcoView> {
    let row = asset::Entity::find()
        .filter(asset::Column::AssetTag.eq(tag.as_str()))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("asset", tag.as_str()))?;
    let c = compute(conn, Some(row.id), today).await?;
    let tco = c
        .tcos
        .into_iter()
        .find(|t| t.input.asset_id == row.id)
        .ok_or_else(|| AppError::not_found("asset", tag.as_str()))?;
    let planned = c.planned.iter().find(|p| p.row.id == row.id);
    let items: HashMap<i32, super::cost_items::CostItemView> =
        cost_item_service::list(conn).await?.into_iter().map(|v| (v.id, v)).collect();
    let share_view = |s: &ItemShare| -> AppResult<CostShareView> {
        let item = items.get(&s.item_id);
        Ok(CostShareView {
            cost_item_id: s.item_id,
            description: item.map(|i| i.description.clone()).unwrap_or_default(),
            kind: item.map_or(crate::tco::CostKind::Maintenance, |i| i.kind),
            applies_to: item.and_then(|i| i.scope_label.clone()).unwrap_or_default(),
            charges: s.charges,
            shared_with_at_most: s.shared_with_at_most,
            amount_gbp: pence(s.amount_gbp)?,
        })
    };
    let state: LifecycleState = row.lifecycle_state.parse().unwrap_or(LifecycleState::InStock);
    let i = &tco.input;
    let mut notes = Vec::new();
    if i.purchase_gbp.is_none() {
        notes.push("No purchase cost recorded: counted as £0.".to_string());
    }
    if i.life.is_none() {
        notes.push("No purchase date: its life, and so its energy, cannot be counted.".to_string());
    }
    if state != LifecycleState::Deployed {
        notes.push(format!(
            "{}: energy is counted only for deployed assets (the register keeps no dates of past moves).",
            state.label()
        ));
    }
    let before_first =
        [i.energy_to_date, i.energy_forecast].iter().flatten().map(|e| e.days_before_first_rate).sum::<u32>();
    if before_first > 0 {
        notes.push(format!("{before_first} days before the first known tariff were priced at that first rate."));
    }
    if i.disposal.is_none() {
        notes.push(if DISPOSAL_MONEY_CONNECTED {
            "No disposal cost or income recorded: counted as £0.".to_string()
        } else {
            "Disposal cost and income are not yet read from disposal records: counted as £0.".to_string()
        });
    }
    let history = c.loaded.tariffs.for_site(i.site_id);
    let part = |p: &Option<crate::tco::EnergyPart>| p.as_ref().map(|p| part_view(p, history)).transpose();
    let figures = TcoFigures::from_totals(&tco.totals)?;
    let summary = match i.life {
        Some(life) => format!(
            "{tag} costs {} over its life from {} to {}: purchase {}, electricity {}, cost items {}, disposal {} less income {}",
            figures.total_gbp.to_uk_string(),
            life.from().format("%d/%m/%Y"),
            life.to().pred_opt().unwrap_or(life.to()).format("%d/%m/%Y"),
            figures.purchase_gbp.to_uk_string(),
            figures.energy_gbp.to_uk_string(),
            figures.cost_items_gbp.to_uk_string(),
            figures.disposal_cost_gbp.to_uk_string(),
            figures.disposal_income_gbp.to_uk_string(),
        ),
        None => format!("{tag} costs {} so far (no purchase date, so no life to count)", figures.total_gbp.to_uk_string()),
    };
    Ok(AssetTcoView {
        asset_tag: tag.clone(),
        lifecycle_state: state,
        purchase_date: row.purchase_date,
        refresh_due: planned.and_then(|p| p.due),
        life_from: i.life.map(|l| l.from()),
        life_to: i.life.map(|l| l.to().pred_opt().unwrap_or(l.to())),
        as_of: today,
        figures,
        purchase_cost: i.purchase_gbp.map(pence).transpose()?,
        energy_to_date: part(&i.energy_to_date)?,
        energy_forecast: part(&i.energy_forecast)?,
        cost_items: i.cost_items.iter().map(share_view).collect::<AppResult<_>>()?,
        disposal_cost: i.disposal.map(|d| pence(d.cost_gbp)).transpose()?,
        disposal_income: i.disposal.map(|d| pence(d.income_gbp)).transpose()?,
        notes,
        summary,
        method: METHOD.into(),
    })
}

// ---------------------------------------------------------------------------------------- comparison

/// Two models per seat over a number of years.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelComparison {
    pub years: u32,
    pub models: Vec<ModelPerSeat>,
    /// "The Dell Wyse 5070 costs £412.34 less per seat over 5 years than the Dell OptiPlex 7010, energy
    /// included." Absent when a model has no assets with a life to compare.
    pub sentence: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelPerSeat {
    pub model_id: i32,
    pub model: String,
    pub assets: usize,
    /// Per asset-year × years; none when none of its assets has a life.
    #[schema(value_type = Option<String>)]
    pub per_seat_gbp: Option<Gbp>,
    /// The energy part of it.
    #[schema(value_type = Option<String>)]
    pub energy_per_seat_gbp: Option<Gbp>,
}

pub async fn compare_models<C: ConnectionTrait>(conn: &C, a: i32, b: i32, years: u32) -> AppResult<ModelComparison> {
    compare_models_as_of(conn, a, b, years, today()).await
}

pub async fn compare_models_as_of<C: ConnectionTrait>(
    conn: &C,
    a: i32,
    b: i32,
    years: u32,
    today: NaiveDate,
) -> AppResult<ModelComparison> {
    if !(1..=20).contains(&years) {
        return Err(AppError::field("years", "out_of_range", format!("years {years} is outside 1–20")));
    }
    let c = compute(conn, None, today).await?;
    for (field, id) in [("model_a", a), ("model_b", b)] {
        if !c.models.contains_key(&id) {
            return Err(AppError::field(field, "not_found", format!("there is no model with id {id}")));
        }
    }
    let groups = rollup(&c.tcos, TcoGroupBy::Model);
    let y = Decimal::from(years);
    let per_seat = |id: i32| -> AppResult<ModelPerSeat> {
        let found = groups.iter().find(|(k, _, _)| *k == TcoGroupKey::Model(Some(id)));
        let (n, t) = found.map(|(_, n, t)| (*n, *t)).unwrap_or_default();
        let year_days = Decimal::new(36525, 2);
        let energy_per_year = (t.life_days > 0).then(|| t.energy_gbp() * year_days / Decimal::from(t.life_days));
        Ok(ModelPerSeat {
            model_id: id,
            model: c.loaded.model_names.get(&id).cloned().unwrap_or_default(),
            assets: n,
            per_seat_gbp: t.per_asset_year_gbp().map(|v| pence(v * y)).transpose()?,
            energy_per_seat_gbp: energy_per_year.map(|v| pence(v * y)).transpose()?,
        })
    };
    let (ma, mb) = (per_seat(a)?, per_seat(b)?);
    let sentence = match (ma.per_seat_gbp, mb.per_seat_gbp) {
        (Some(pa), Some(pb)) => {
            let (cheap, dear, diff) = if pa <= pb {
                (&ma, &mb, pb.decimal() - pa.decimal())
            } else {
                (&mb, &ma, pa.decimal() - pb.decimal())
            };
            Some(format!(
                "The {} costs {} less per seat over {years} years than the {}, energy included.",
                cheap.model,
                pence(diff)?.to_uk_string(),
                dear.model
            ))
        }
        _ => None,
    };
    Ok(ModelComparison { years, models: vec![ma, mb], sentence })
}
