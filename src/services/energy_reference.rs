//! The energy reference data a council edits: tariffs (per site or council-wide, from a date), grid factor
//! sets (one per calendar year; a user adds next year's when DESNZ publishes it) and bank holidays. Each
//! change is validated, saved and audited in one transaction. Rates and factors are exact decimals, kept as
//! text in the database (see the `m20261124_000001_energy` migration).

use crate::store::BeginWrite;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Deserializer, Serialize};
use std::str::FromStr;

use super::audited::{self, Audited};
use super::{text_field, Actor};
use crate::domain::{FieldError, FieldErrors, Patch};
use crate::error::{AppError, AppResult};
use crate::store::{bank_holiday, grid_factor_set, site, tariff};

/// A decimal given in JSON as a string ("24.50", exact) or a number (24.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalInput(pub String);

impl<'de> Deserialize<'de> for DecimalInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(serde_json::Number),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Text(s) => DecimalInput(s),
            Raw::Number(n) => DecimalInput(n.to_string()),
        })
    }
}

/// Parses an exact, non-negative decimal with at most `max_places` decimal places and at most `max`.
pub(crate) fn parse_decimal(field: &str, raw: &str, max_places: u32, max: Decimal) -> Result<Decimal, FieldError> {
    let d = Decimal::from_str(raw.trim())
        .map_err(|_| FieldError::new(field, "invalid", format!("{field} '{raw}' is not a decimal number")))?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(FieldError::new(field, "out_of_range", format!("{field} must not be negative")));
    }
    if d.scale() > max_places {
        return Err(FieldError::new(
            field,
            "too_precise",
            format!("{field} has more than {max_places} decimal places"),
        ));
    }
    if d > max {
        return Err(FieldError::new(field, "out_of_range", format!("{field} {d} is more than {max}")));
    }
    Ok(d)
}

fn decimal_field(
    errs: &mut FieldErrors,
    field: &str,
    value: Option<String>,
    max_places: u32,
    max: Decimal,
) -> Option<String> {
    let raw = value?;
    match parse_decimal(field, &raw, max_places, max) {
        Ok(d) => Some(d.to_string()),
        Err(e) => {
            errs.push(e);
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------- tariffs

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TariffView {
    pub id: i32,
    /// The site it applies to; absent for the council-wide default (used by every site without its own).
    pub site_id: Option<i32>,
    pub effective_from: NaiveDate,
    /// Pence per kWh, exact decimal as a string.
    #[schema(example = "24.50")]
    pub unit_rate_pence_per_kwh: String,
    /// The supplier's kgCO2e/kWh for market-based reporting, e.g. "0" for a REGO-backed renewable tariff.
    pub market_kg_co2e_per_kwh: Option<String>,
    /// Pence per day for the supply, exact decimal as a string. Recorded with the bill's other terms; not
    /// added to ICT's estimated cost, which is the energy ICT uses × the unit rate (the standing charge is paid
    /// for the building's supply whatever ICT uses).
    #[schema(example = "53.35")]
    pub standing_charge_pence_per_day: Option<String>,
    pub supplier: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<tariff::Model> for TariffView {
    fn from(m: tariff::Model) -> TariffView {
        TariffView {
            id: m.id,
            site_id: m.site_id,
            effective_from: m.effective_from,
            unit_rate_pence_per_kwh: m.unit_rate_pence_per_kwh,
            market_kg_co2e_per_kwh: m.market_kg_co2e_per_kwh,
            standing_charge_pence_per_day: m.standing_charge_pence_per_day,
            supplier: m.supplier,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new tariff, or changes to one: absent fields are left as they are, `null` clears.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TariffChanges {
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub site_id: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2024-04-01")]
    pub effective_from: Patch<NaiveDate>,
    /// Pence per kWh (up to 6 decimal places), as a string or a number.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "24.50")]
    pub unit_rate_pence_per_kwh: Patch<DecimalInput>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "0")]
    pub market_kg_co2e_per_kwh: Patch<DecimalInput>,
    /// Pence per day (up to 6 decimal places), as a string or a number.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "53.35")]
    pub standing_charge_pence_per_day: Patch<DecimalInput>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub supplier: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
}

impl TariffChanges {
    fn apply(self, m: &mut tariff::Model) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        m.site_id = self.site_id.apply(m.site_id);
        match self.effective_from.apply(Some(m.effective_from).filter(|_| m.id != 0)) {
            Some(d) => m.effective_from = d,
            None => errs.push(FieldError::required("effective_from")),
        }
        let current = Some(m.unit_rate_pence_per_kwh.clone()).filter(|r| !r.is_empty());
        let rate = self.unit_rate_pence_per_kwh.apply(current.map(DecimalInput)).map(|d| d.0);
        match rate {
            None => errs.push(FieldError::required("unit_rate_pence_per_kwh")),
            Some(r) => match parse_decimal("unit_rate_pence_per_kwh", &r, 6, Decimal::from(10_000)) {
                Ok(d) => m.unit_rate_pence_per_kwh = d.to_string(),
                Err(e) => errs.push(e),
            },
        }
        let market = self.market_kg_co2e_per_kwh.apply(m.market_kg_co2e_per_kwh.clone().map(DecimalInput)).map(|d| d.0);
        m.market_kg_co2e_per_kwh = decimal_field(&mut errs, "market_kg_co2e_per_kwh", market, 8, Decimal::from(10));
        let standing = self
            .standing_charge_pence_per_day
            .apply(m.standing_charge_pence_per_day.clone().map(DecimalInput))
            .map(|d| d.0);
        m.standing_charge_pence_per_day =
            decimal_field(&mut errs, "standing_charge_pence_per_day", standing, 6, Decimal::from(100_000));
        m.supplier = text_field(&mut errs, "supplier", self.supplier.apply(m.supplier.clone()), 200);
        m.notes = text_field(&mut errs, "notes", self.notes.apply(m.notes.clone()), 10_000);
        errs.into_result(())
    }
}

impl Audited for tariff::Model {
    const ENTITY: &'static str = "tariff";
    type View = TariffView;

    fn id(&self) -> i32 {
        self.id
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
    }

    fn duplicate_message(&self) -> String {
        format!("a tariff from {} already exists for this site", self.effective_from.format("%d/%m/%Y"))
    }
}

/// Tariffs, oldest first; `site_id` narrows to one site's own (not the default).
pub async fn list_tariffs<C: ConnectionTrait>(conn: &C, site_id: Option<i32>) -> AppResult<Vec<TariffView>> {
    let mut q = tariff::Entity::find();
    if let Some(s) = site_id {
        q = q.filter(tariff::Column::SiteId.eq(s));
    }
    let rows = q
        .order_by_asc(tariff::Column::SiteId)
        .order_by_asc(tariff::Column::EffectiveFrom)
        .order_by_asc(tariff::Column::Id)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(TariffView::from).collect())
}

pub async fn get_tariff<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<TariffView> {
    audited::find::<tariff::Model, _>(conn, id).await.map(TariffView::from)
}

async fn check_tariff<C: ConnectionTrait>(conn: &C, m: &tariff::Model) -> AppResult<()> {
    if let Some(site_id) = m.site_id {
        if site::Entity::find_by_id(site_id).one(conn).await?.is_none() {
            return Err(AppError::field(
                "site_id",
                "unknown_reference",
                format!("no site with id {site_id}; leave site_id out for the council-wide default"),
            ));
        }
    }
    let mut q = tariff::Entity::find()
        .filter(tariff::Column::EffectiveFrom.eq(m.effective_from))
        .filter(tariff::Column::Id.ne(m.id));
    q = match m.site_id {
        Some(s) => q.filter(tariff::Column::SiteId.eq(s)),
        None => q.filter(tariff::Column::SiteId.is_null()),
    };
    if q.count(conn).await? > 0 {
        return Err(AppError::conflict("duplicate", m.duplicate_message(), Some("effective_from")));
    }
    Ok(())
}

pub async fn create_tariff(db: &DatabaseConnection, actor: &Actor, changes: TariffChanges) -> AppResult<TariffView> {
    let txn = db.begin_write().await?;
    let view = create_tariff_in(&txn, actor, changes).await?;
    txn.commit().await?;
    Ok(view)
}

/// [`create_tariff`] inside the caller's transaction (the demo loader).
pub async fn create_tariff_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    changes: TariffChanges,
) -> AppResult<TariffView> {
    let now = Utc::now();
    let mut m = tariff::Model {
        id: 0,
        site_id: None,
        effective_from: NaiveDate::MIN,
        unit_rate_pence_per_kwh: String::new(),
        market_kg_co2e_per_kwh: None,
        standing_charge_pence_per_day: None,
        supplier: None,
        notes: None,
        created_at: now,
        updated_at: now,
    };
    changes.apply(&mut m)?;
    check_tariff(txn, &m).await?;
    audited::insert(txn, actor, m).await
}

pub async fn update_tariff(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: TariffChanges,
) -> AppResult<TariffView> {
    let txn = db.begin_write().await?;
    let before: tariff::Model = audited::find(&txn, id).await?;
    let mut m = before.clone();
    changes.apply(&mut m)?;
    check_tariff(&txn, &m).await?;
    let (view, _) = audited::update_if_changed(&txn, actor, before, m).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn delete_tariff(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let before: tariff::Model = audited::find(&txn, id).await?;
    audited::delete(&txn, actor, before).await?;
    txn.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------------------------- grid factor sets

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GridFactorSetView {
    pub id: i32,
    /// The calendar year the factors are for.
    pub year: i32,
    /// kgCO2e per kWh generated (Scope 2), exact decimal as a string.
    #[schema(example = "0.20705")]
    pub generation_kg_co2e_per_kwh: String,
    /// kgCO2e per kWh lost in transmission and distribution (Scope 3).
    #[schema(example = "0.01830")]
    pub td_kg_co2e_per_kwh: String,
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<grid_factor_set::Model> for GridFactorSetView {
    fn from(m: grid_factor_set::Model) -> GridFactorSetView {
        GridFactorSetView {
            id: m.id,
            year: m.year,
            generation_kg_co2e_per_kwh: m.generation_kg_co2e_per_kwh,
            td_kg_co2e_per_kwh: m.td_kg_co2e_per_kwh,
            source: m.source,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GridFactorSetChanges {
    #[serde(default)]
    #[schema(value_type = Option<i32>, example = 2026)]
    pub year: Patch<i32>,
    /// Up to 8 decimal places, as a string (exact) or a number.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "0.17700")]
    pub generation_kg_co2e_per_kwh: Patch<DecimalInput>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "0.01853")]
    pub td_kg_co2e_per_kwh: Patch<DecimalInput>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub source: Patch<String>,
}

impl GridFactorSetChanges {
    fn apply(self, m: &mut grid_factor_set::Model) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        match self.year.apply(Some(m.year).filter(|_| m.id != 0)) {
            Some(y) if (1990..=2100).contains(&y) => m.year = y,
            Some(y) => errs.push(FieldError::new("year", "out_of_range", format!("year {y} is outside 1990–2100"))),
            None => errs.push(FieldError::required("year")),
        }
        for (field, value, patch) in [
            ("generation_kg_co2e_per_kwh", &mut m.generation_kg_co2e_per_kwh, self.generation_kg_co2e_per_kwh),
            ("td_kg_co2e_per_kwh", &mut m.td_kg_co2e_per_kwh, self.td_kg_co2e_per_kwh),
        ] {
            let current = Some(value.clone()).filter(|v| !v.is_empty()).map(DecimalInput);
            match decimal_field(&mut errs, field, patch.apply(current).map(|d| d.0), 8, Decimal::from(5)) {
                Some(v) => *value = v,
                None if !errs.0.iter().any(|e| e.field == field) => errs.push(FieldError::required(field)),
                None => {}
            }
        }
        match crate::domain::text::required("source", self.source.apply(Some(m.source.clone())), 2000) {
            Ok(s) => m.source = s,
            Err(e) => errs.push(e),
        }
        errs.into_result(())
    }
}

impl Audited for grid_factor_set::Model {
    const ENTITY: &'static str = "grid_factor_set";
    type View = GridFactorSetView;

    fn id(&self) -> i32 {
        self.id
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
    }

    fn duplicate_message(&self) -> String {
        format!("a grid factor set for {} already exists; edit it instead", self.year)
    }
}

pub async fn list_factor_sets<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<GridFactorSetView>> {
    let rows = grid_factor_set::Entity::find().order_by_asc(grid_factor_set::Column::Year).all(conn).await?;
    Ok(rows.into_iter().map(GridFactorSetView::from).collect())
}

pub async fn get_factor_set<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<GridFactorSetView> {
    audited::find::<grid_factor_set::Model, _>(conn, id).await.map(GridFactorSetView::from)
}

async fn check_year_free<C: ConnectionTrait>(conn: &C, m: &grid_factor_set::Model) -> AppResult<()> {
    let clash = grid_factor_set::Entity::find()
        .filter(grid_factor_set::Column::Year.eq(m.year))
        .filter(grid_factor_set::Column::Id.ne(m.id))
        .count(conn)
        .await?;
    if clash > 0 {
        return Err(AppError::conflict("duplicate", m.duplicate_message(), Some("year")));
    }
    Ok(())
}

pub async fn create_factor_set(
    db: &DatabaseConnection,
    actor: &Actor,
    changes: GridFactorSetChanges,
) -> AppResult<GridFactorSetView> {
    let now = Utc::now();
    let mut m = grid_factor_set::Model {
        id: 0,
        year: 0,
        generation_kg_co2e_per_kwh: String::new(),
        td_kg_co2e_per_kwh: String::new(),
        source: String::new(),
        created_at: now,
        updated_at: now,
    };
    changes.apply(&mut m)?;
    let txn = db.begin_write().await?;
    check_year_free(&txn, &m).await?;
    let view = audited::insert(&txn, actor, m).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn update_factor_set(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: GridFactorSetChanges,
) -> AppResult<GridFactorSetView> {
    let txn = db.begin_write().await?;
    let before: grid_factor_set::Model = audited::find(&txn, id).await?;
    let mut m = before.clone();
    changes.apply(&mut m)?;
    check_year_free(&txn, &m).await?;
    let (view, _) = audited::update_if_changed(&txn, actor, before, m).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn delete_factor_set(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let before: grid_factor_set::Model = audited::find(&txn, id).await?;
    audited::delete(&txn, actor, before).await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------- bank holidays

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BankHolidayView {
    pub id: i32,
    pub date: NaiveDate,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<bank_holiday::Model> for BankHolidayView {
    fn from(m: bank_holiday::Model) -> BankHolidayView {
        BankHolidayView { id: m.id, date: m.date, name: m.name, created_at: m.created_at, updated_at: m.updated_at }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankHolidayChanges {
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2031-01-01")]
    pub date: Patch<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "New Year's Day")]
    pub name: Patch<String>,
}

impl BankHolidayChanges {
    fn apply(self, m: &mut bank_holiday::Model) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        match self.date.apply(Some(m.date).filter(|_| m.id != 0)) {
            Some(d) => m.date = d,
            None => errs.push(FieldError::required("date")),
        }
        match crate::domain::text::required("name", self.name.apply(Some(m.name.clone())), 200) {
            Ok(n) => m.name = n,
            Err(e) => errs.push(e),
        }
        errs.into_result(())
    }
}

impl Audited for bank_holiday::Model {
    const ENTITY: &'static str = "bank_holiday";
    type View = BankHolidayView;

    fn id(&self) -> i32 {
        self.id
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
    }

    fn duplicate_message(&self) -> String {
        format!("{} is already a bank holiday", self.date.format("%d/%m/%Y"))
    }
}

/// Bank holidays in date order; `year` narrows to one calendar year.
pub async fn list_bank_holidays<C: ConnectionTrait>(conn: &C, year: Option<i32>) -> AppResult<Vec<BankHolidayView>> {
    let mut q = bank_holiday::Entity::find();
    if let Some(y) = year {
        let first =
            NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(|| AppError::bad_request("invalid_year", "bad year"))?;
        let last =
            NaiveDate::from_ymd_opt(y, 12, 31).ok_or_else(|| AppError::bad_request("invalid_year", "bad year"))?;
        q = q.filter(bank_holiday::Column::Date.between(first, last));
    }
    let rows = q.order_by_asc(bank_holiday::Column::Date).all(conn).await?;
    Ok(rows.into_iter().map(BankHolidayView::from).collect())
}

pub async fn get_bank_holiday<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<BankHolidayView> {
    audited::find::<bank_holiday::Model, _>(conn, id).await.map(BankHolidayView::from)
}

async fn check_date_free<C: ConnectionTrait>(conn: &C, m: &bank_holiday::Model) -> AppResult<()> {
    let clash = bank_holiday::Entity::find()
        .filter(bank_holiday::Column::Date.eq(m.date))
        .filter(bank_holiday::Column::Id.ne(m.id))
        .count(conn)
        .await?;
    if clash > 0 {
        return Err(AppError::conflict("duplicate", m.duplicate_message(), Some("date")));
    }
    Ok(())
}

pub async fn create_bank_holiday(
    db: &DatabaseConnection,
    actor: &Actor,
    changes: BankHolidayChanges,
) -> AppResult<BankHolidayView> {
    let now = Utc::now();
    let mut m =
        bank_holiday::Model { id: 0, date: NaiveDate::MIN, name: String::new(), created_at: now, updated_at: now };
    changes.apply(&mut m)?;
    let txn = db.begin_write().await?;
    check_date_free(&txn, &m).await?;
    let view = audited::insert(&txn, actor, m).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn update_bank_holiday(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: BankHolidayChanges,
) -> AppResult<BankHolidayView> {
    let txn = db.begin_write().await?;
    let before: bank_holiday::Model = audited::find(&txn, id).await?;
    let mut m = before.clone();
    changes.apply(&mut m)?;
    check_date_free(&txn, &m).await?;
    let (view, _) = audited::update_if_changed(&txn, actor, before, m).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn delete_bank_holiday(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let before: bank_holiday::Model = audited::find(&txn, id).await?;
    audited::delete(&txn, actor, before).await?;
    txn.commit().await?;
    Ok(())
}
