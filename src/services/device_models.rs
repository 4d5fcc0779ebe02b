//! The model catalogue: each make and model's power draw by state, embodied carbon, weight, expected
//! life and replacement price, shared by every asset of that model.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};

use super::audited::{self, Audited};
use super::{text_field, Actor};
use crate::domain::{Category, FieldError, FieldErrors, Gbp, Kg, KgCo2e, Patch, Watts};
use crate::error::{AppError, AppResult};
use crate::store::{asset, device_model};

/// The longest expected life accepted, in months (20 years).
const MAX_LIFE_MONTHS: i32 = 240;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeviceModelView {
    pub id: i32,
    pub manufacturer: String,
    pub name: String,
    pub category: Category,
    /// Power drawn when on and idle, in watts.
    pub on_watts: f64,
    /// Power drawn asleep, in watts.
    pub sleep_watts: f64,
    /// Power drawn switched off but plugged in, in watts.
    pub off_watts: f64,
    /// Typical energy consumption in kWh a year, from the ENERGY STAR or EU energy label.
    pub tec_kwh_per_year: Option<f64>,
    /// Carbon emitted making and delivering one unit, in kg CO2e.
    pub embodied_kg_co2e: Option<f64>,
    /// Where the embodied carbon figure comes from.
    pub embodied_source: Option<String>,
    pub weight_kg: Option<f64>,
    /// Expected life in months, overriding the category default for assets of this model.
    pub default_life_months: Option<i32>,
    /// What a like-for-like replacement costs, in pounds.
    #[schema(value_type = Option<String>, example = "499.00")]
    pub replacement_price: Option<Gbp>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<device_model::Model> for DeviceModelView {
    fn from(m: device_model::Model) -> DeviceModelView {
        DeviceModelView {
            id: m.id,
            manufacturer: m.manufacturer,
            name: m.name,
            // Only ever written from a parsed Category, so the fallback is never reached.
            category: m.category.parse().unwrap_or(Category::Other),
            on_watts: m.on_watts,
            sleep_watts: m.sleep_watts,
            off_watts: m.off_watts,
            tec_kwh_per_year: m.tec_kwh_per_year,
            embodied_kg_co2e: m.embodied_kg_co2e,
            embodied_source: m.embodied_source,
            weight_kg: m.weight_kg,
            default_life_months: m.default_life_months,
            replacement_price: m.replacement_price_pence.map(Gbp::from_pence),
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new model, or changes to one: absent fields are left as they are, `null` clears.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceModelChanges {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Dell")]
    pub manufacturer: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "OptiPlex 7010 Micro")]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<Category>, example = "desktop")]
    pub category: Patch<Category>,
    #[serde(default)]
    #[schema(value_type = Option<f64>, example = 12.5)]
    pub on_watts: Patch<f64>,
    #[serde(default)]
    #[schema(value_type = Option<f64>, example = 1.8)]
    pub sleep_watts: Patch<f64>,
    #[serde(default)]
    #[schema(value_type = Option<f64>, example = 0.3)]
    pub off_watts: Patch<f64>,
    #[serde(default)]
    #[schema(value_type = Option<f64>, example = 45.0)]
    pub tec_kwh_per_year: Patch<f64>,
    #[serde(default)]
    #[schema(value_type = Option<f64>, example = 290.0)]
    pub embodied_kg_co2e: Patch<f64>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Dell product carbon footprint, 2023")]
    pub embodied_source: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<f64>, example = 1.3)]
    pub weight_kg: Patch<f64>,
    #[serde(default)]
    #[schema(value_type = Option<i32>, example = 60)]
    pub default_life_months: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "499.00")]
    pub replacement_price: Patch<Gbp>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
}

/// A required power figure: the new value, or the current one for an existing model.
fn watts(errs: &mut FieldErrors, field: &str, patch: Patch<f64>, current: Option<f64>) -> Option<f64> {
    match patch.apply(current) {
        Some(v) => errs.take(field, Watts::new(v)).map(Watts::value),
        None => {
            errs.push(FieldError::new(
                field,
                "required",
                format!("{field} is required: give the power drawn in watts"),
            ));
            None
        }
    }
}

impl DeviceModelChanges {
    fn apply(self, m: &mut device_model::Model) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        // A new model (id 0) has no power figures yet; an existing one keeps its own unless told otherwise.
        let existing = m.id != 0;
        match crate::domain::text::required("manufacturer", self.manufacturer.apply(Some(m.manufacturer.clone())), 200)
        {
            Ok(v) => m.manufacturer = v,
            Err(e) => errs.push(e),
        }
        match crate::domain::text::required("name", self.name.apply(Some(m.name.clone())), 200) {
            Ok(v) => m.name = v,
            Err(e) => errs.push(e),
        }
        match self.category.apply(m.category.parse().ok()) {
            Some(c) => m.category = c.as_str().to_string(),
            None => {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                errs.push(FieldError::new(
                    "category",
                    "required",
                    format!("category is required; use one of: {}", names.join(", ")),
                ));
            }
        }

        let on = watts(&mut errs, "on_watts", self.on_watts, existing.then_some(m.on_watts));
        let sleep = watts(&mut errs, "sleep_watts", self.sleep_watts, existing.then_some(m.sleep_watts));
        let off = watts(&mut errs, "off_watts", self.off_watts, existing.then_some(m.off_watts));
        if let (Some(on), Some(sleep)) = (on, sleep) {
            if sleep > on {
                errs.push(FieldError::new(
                    "sleep_watts",
                    "out_of_range",
                    format!("sleep_watts {sleep} W is more than on_watts {on} W; a device draws less asleep than on, so check the figures (were they swapped?)"),
                ));
            }
        }
        if let (Some(sleep), Some(off)) = (sleep, off) {
            if off > sleep {
                errs.push(FieldError::new(
                    "off_watts",
                    "out_of_range",
                    format!("off_watts {off} W is more than sleep_watts {sleep} W; a device draws less off than asleep, so check the figures (were they swapped?)"),
                ));
            }
        }
        m.on_watts = on.unwrap_or(m.on_watts);
        m.sleep_watts = sleep.unwrap_or(m.sleep_watts);
        m.off_watts = off.unwrap_or(m.off_watts);

        m.tec_kwh_per_year = self.tec_kwh_per_year.apply(m.tec_kwh_per_year);
        if let Some(t) = m.tec_kwh_per_year {
            if !t.is_finite() || t < 0.0 {
                errs.push(FieldError::new(
                    "tec_kwh_per_year",
                    "out_of_range",
                    format!("tec_kwh_per_year {t} must be zero or more: the typical energy consumption in kWh a year from the ENERGY STAR or EU energy label"),
                ));
            }
        }
        m.embodied_kg_co2e = match self.embodied_kg_co2e.apply(m.embodied_kg_co2e) {
            Some(v) => errs.take("embodied_kg_co2e", KgCo2e::new(v)).map(KgCo2e::value),
            None => None,
        };
        m.embodied_source =
            text_field(&mut errs, "embodied_source", self.embodied_source.apply(m.embodied_source.clone()), 1000);
        if m.embodied_kg_co2e.is_some() && m.embodied_source.is_none() && errs.for_field("embodied_source").is_none() {
            errs.push(FieldError::new(
                "embodied_source",
                "required",
                "say where the embodied carbon figure comes from, e.g. the manufacturer's product carbon footprint (PCF) sheet and its year",
            ));
        }
        m.weight_kg = match self.weight_kg.apply(m.weight_kg) {
            Some(v) => errs.take("weight_kg", Kg::new(v)).map(Kg::value),
            None => None,
        };
        m.default_life_months = self.default_life_months.apply(m.default_life_months);
        if let Some(months) = m.default_life_months {
            if !(1..=MAX_LIFE_MONTHS).contains(&months) {
                errs.push(FieldError::new(
                    "default_life_months",
                    "out_of_range",
                    format!("default_life_months {months} is outside 1–{MAX_LIFE_MONTHS}; give the expected life in months, e.g. 60 for five years, or leave it blank to use the category's"),
                ));
            }
        }
        let price = self.replacement_price.apply(m.replacement_price_pence.map(Gbp::from_pence));
        match price {
            Some(p) if p.is_negative() => errs.push(FieldError::new(
                "replacement_price",
                "out_of_range",
                format!("replacement_price {p} is negative; give what a like-for-like replacement costs, e.g. 499.00"),
            )),
            _ => m.replacement_price_pence = price.map(|p| p.pence()),
        }
        m.notes = text_field(&mut errs, "notes", self.notes.apply(m.notes.clone()), 10_000);
        errs.into_result(())
    }
}

impl Audited for device_model::Model {
    const ENTITY: &'static str = "device_model";
    type View = DeviceModelView;

    fn id(&self) -> i32 {
        self.id
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
    }

    fn duplicate_message(&self) -> String {
        format!(
            "the catalogue already has {} '{}'; edit that model, or give this one a different name",
            self.manufacturer, self.name
        )
    }
}

/// Every model, or one category's, by manufacturer then name.
pub async fn list<C: ConnectionTrait>(conn: &C, category: Option<Category>) -> AppResult<Vec<DeviceModelView>> {
    let mut q = device_model::Entity::find();
    if let Some(c) = category {
        q = q.filter(device_model::Column::Category.eq(c.as_str()));
    }
    let rows =
        q.order_by_asc(device_model::Column::Manufacturer).order_by_asc(device_model::Column::Name).all(conn).await?;
    Ok(rows.into_iter().map(DeviceModelView::from).collect())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<DeviceModelView> {
    audited::find::<device_model::Model, _>(conn, id).await.map(DeviceModelView::from)
}

async fn check_unique<C: ConnectionTrait>(conn: &C, m: &device_model::Model) -> AppResult<()> {
    let clash = device_model::Entity::find()
        .filter(device_model::Column::Manufacturer.eq(m.manufacturer.clone()))
        .filter(device_model::Column::Name.eq(m.name.clone()))
        .filter(device_model::Column::Id.ne(m.id))
        .count(conn)
        .await?;
    if clash > 0 {
        return Err(AppError::conflict("duplicate", m.duplicate_message(), Some("name")));
    }
    Ok(())
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, changes: DeviceModelChanges) -> AppResult<DeviceModelView> {
    let txn = db.begin_write().await?;
    let view = create_in(&txn, actor, changes).await?;
    txn.commit().await?;
    Ok(view)
}

/// [`create`] inside the caller's transaction (the demo loader creates many rows in one).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    changes: DeviceModelChanges,
) -> AppResult<DeviceModelView> {
    let now = Utc::now();
    let mut m = new_model(now);
    changes.apply(&mut m)?;
    check_unique(txn, &m).await?;
    audited::insert(txn, actor, m).await
}

/// A model with nothing set yet, for its changes to fill.
pub(crate) fn new_model(now: DateTime<Utc>) -> device_model::Model {
    device_model::Model {
        id: 0,
        manufacturer: String::new(),
        name: String::new(),
        category: String::new(),
        on_watts: 0.0,
        sleep_watts: 0.0,
        off_watts: 0.0,
        tec_kwh_per_year: None,
        embodied_kg_co2e: None,
        embodied_source: None,
        weight_kg: None,
        default_life_months: None,
        replacement_price_pence: None,
        notes: None,
        created_at: now,
        updated_at: now,
    }
}

/// Changes a model. A new `default_life_months` moves the refresh due date of its assets in the same
/// transaction.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: DeviceModelChanges,
) -> AppResult<DeviceModelView> {
    let txn = db.begin_write().await?;
    let (after, _) = update_in(&txn, actor, id, changes).await?;
    txn.commit().await?;
    Ok(after)
}

/// [`update`] inside the caller's transaction (imports), and whether anything changed: when nothing
/// did, nothing is written.
pub async fn update_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: i32,
    changes: DeviceModelChanges,
) -> AppResult<(DeviceModelView, bool)> {
    let before: device_model::Model = audited::find(txn, id).await?;
    let mut m = before.clone();
    changes.apply(&mut m)?;
    check_unique(txn, &m).await?;
    let life_changed = m.default_life_months != before.default_life_months;
    let changed = audited::update_if_changed(txn, actor, before, m).await?;
    if life_changed {
        crate::services::assets::recompute_refresh_due_for_model(txn, id).await?;
    }
    Ok(changed)
}

/// Deletes a model that no asset uses.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let before: device_model::Model = audited::find(&txn, id).await?;
    let assets = asset::Entity::find().filter(asset::Column::ModelId.eq(id)).count(&txn).await?;
    if assets > 0 {
        return Err(AppError::conflict(
            "in_use",
            format!(
                "{} '{}' is the model of {assets} assets; move them to another model (or clear their model) first",
                before.manufacturer, before.name
            ),
            None,
        ));
    }
    audited::delete(&txn, actor, before).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(json: &str) -> DeviceModelChanges {
        serde_json::from_str(json).unwrap()
    }

    const VALID: &str = r#"{"manufacturer":"Dell","name":"OptiPlex 7010","category":"desktop",
        "on_watts":12.5,"sleep_watts":1.8,"off_watts":0.3,"replacement_price":"499.00"}"#;

    #[test]
    fn a_valid_model_is_stored_with_pence() {
        let mut m = new_model(Utc::now());
        changes(VALID).apply(&mut m).unwrap();
        assert_eq!((m.category.as_str(), m.replacement_price_pence), ("desktop", Some(49_900)));
        let view = DeviceModelView::from(m);
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["replacement_price"], "499.00");
        assert_eq!(json["category"], "desktop");
    }

    #[test]
    fn every_problem_is_named() {
        let mut m = new_model(Utc::now());
        let errs = changes(
            r#"{"name":"X","on_watts":10,"sleep_watts":20,"off_watts":-1,"embodied_kg_co2e":300,
                "default_life_months":0,"replacement_price":"-1.00","tec_kwh_per_year":-2}"#,
        )
        .apply(&mut m)
        .unwrap_err();
        for (field, code) in [
            ("manufacturer", "required"),
            ("category", "required"),
            ("sleep_watts", "out_of_range"),
            ("off_watts", "invalid"),
            ("embodied_source", "required"),
            ("default_life_months", "out_of_range"),
            ("replacement_price", "out_of_range"),
            ("tec_kwh_per_year", "out_of_range"),
        ] {
            assert_eq!(errs.for_field(field).map(|e| e.code), Some(code), "{field}: {errs:?}");
        }
        assert!(errs.for_field("on_watts").is_none());
    }

    #[test]
    fn off_above_sleep_is_refused_and_updates_keep_current_figures() {
        let mut m = new_model(Utc::now());
        changes(VALID).apply(&mut m).unwrap();
        m.id = 3;
        let errs = changes(r#"{"off_watts":5}"#).apply(&mut m.clone()).unwrap_err();
        assert_eq!(errs.for_field("off_watts").unwrap().code, "out_of_range");
        changes(r#"{"default_life_months":72}"#).apply(&mut m).unwrap();
        assert_eq!((m.on_watts, m.default_life_months), (12.5, Some(72)));
        let errs = changes(r#"{"on_watts":null}"#).apply(&mut m.clone()).unwrap_err();
        assert_eq!(errs.for_field("on_watts").unwrap().code, "required");
    }
}
