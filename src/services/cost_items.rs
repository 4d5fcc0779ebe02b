//! Cost items: maintenance, support, licences and repairs, one-off on a date or annual between dates, for
//! one asset or a group (a model, category, department or site). Each change is audited. How an item's
//! money reaches each asset's TCO is `tco::cost_items` (its module docs state the sharing rule).

use crate::store::BeginWrite;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::audited::{self, Audited};
use super::{text_field, Actor};
use crate::domain::{Category, FieldError, FieldErrors, Gbp, Patch};
use crate::error::{AppError, AppResult};
use crate::store::{asset, cost_item, department, device_model, site};
use crate::tco::{CostItemInput, CostKind, CostScope, Timing};

/// Whom an item is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Asset,
    Model,
    Category,
    Department,
    Site,
}

impl ScopeKind {
    pub const ALL: [ScopeKind; 5] =
        [ScopeKind::Asset, ScopeKind::Model, ScopeKind::Category, ScopeKind::Department, ScopeKind::Site];

    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Asset => "asset",
            ScopeKind::Model => "model",
            ScopeKind::Category => "category",
            ScopeKind::Department => "department",
            ScopeKind::Site => "site",
        }
    }
}

impl std::str::FromStr for ScopeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<ScopeKind, String> {
        ScopeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("'{s}' is not a scope; use asset, model, category, department or site"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimingKind {
    /// Once, on `starts_on`.
    OneOff,
    /// `amount` a year from `starts_on` to `ends_on` (inclusive), or ongoing without `ends_on`.
    Annual,
}

impl TimingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TimingKind::OneOff => "one_off",
            TimingKind::Annual => "annual",
        }
    }
}

impl std::str::FromStr for TimingKind {
    type Err = String;
    fn from_str(s: &str) -> Result<TimingKind, String> {
        match s.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "one_off" => Ok(TimingKind::OneOff),
            "annual" => Ok(TimingKind::Annual),
            _ => Err(format!("'{s}' is not a timing; use one_off or annual")),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CostItemView {
    pub id: i32,
    pub kind: CostKind,
    pub description: String,
    pub scope: ScopeKind,
    /// The asset, model, department or site id (none for a category).
    pub scope_id: Option<i32>,
    pub category: Option<Category>,
    /// Who it is for, in words: "asset WCC-000123", "department Planning", "category laptop". Not audited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope_label: Option<String>,
    pub timing: TimingKind,
    /// The one-off amount, or the amount per year.
    #[schema(value_type = String, example = "120.00")]
    pub amount: Gbp,
    /// The one-off's date, or the first day of the annual charge.
    pub starts_on: NaiveDate,
    /// The last day of an annual charge (inclusive); none while it goes on.
    pub ends_on: Option<NaiveDate>,
    pub supplier: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<cost_item::Model> for CostItemView {
    fn from(m: cost_item::Model) -> CostItemView {
        // Only ever written from parsed values, so the fallbacks are never reached.
        CostItemView {
            id: m.id,
            kind: m.kind.parse().unwrap_or(CostKind::Maintenance),
            description: m.description,
            scope: m.scope.parse().unwrap_or(ScopeKind::Asset),
            scope_id: m.scope_id,
            category: m.scope_category.and_then(|c| c.parse().ok()),
            scope_label: None,
            timing: m.timing.parse().unwrap_or(TimingKind::OneOff),
            amount: Gbp::from_pence(m.amount_pence),
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            supplier: m.supplier,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new cost item, or changes to one: absent fields are left as they are, `null` clears.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostItemChanges {
    #[serde(default)]
    #[schema(value_type = Option<CostKind>, example = "support")]
    pub kind: Patch<CostKind>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Desktop support contract")]
    pub description: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<ScopeKind>, example = "department")]
    pub scope: Patch<ScopeKind>,
    /// The model, department or site id (or the asset's id; `asset_tag` is simpler).
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub scope_id: Patch<i32>,
    /// For scope `asset`: the asset's tag.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "WCC-000123")]
    pub asset_tag: Patch<String>,
    /// For scope `category`.
    #[serde(default)]
    #[schema(value_type = Option<Category>)]
    pub category: Patch<Category>,
    #[serde(default)]
    #[schema(value_type = Option<TimingKind>, example = "annual")]
    pub timing: Patch<TimingKind>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "1200.00")]
    pub amount: Patch<Gbp>,
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>, example = "2025-04-01")]
    pub starts_on: Patch<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>, example = "2028-03-31")]
    pub ends_on: Patch<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub supplier: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
}

impl CostItemChanges {
    fn apply(self, m: &mut cost_item::Model, asset_id_of_tag: Option<i32>) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        let required = |errs: &mut FieldErrors, field: &str, present: bool| {
            if !present {
                errs.push(FieldError::required(field));
            }
        };
        let kind = self.kind.apply(m.kind.parse().ok());
        required(&mut errs, "kind", kind.is_some());
        m.kind = kind.map(|k| k.as_str().to_string()).unwrap_or_default();
        match crate::domain::text::required("description", self.description.apply(Some(m.description.clone())), 200) {
            Ok(d) => m.description = d,
            Err(e) => errs.push(e),
        }
        let scope = self.scope.apply(m.scope.parse().ok());
        required(&mut errs, "scope", scope.is_some());
        m.scope = scope.map(|s| s.as_str().to_string()).unwrap_or_default();
        m.scope_id = match asset_id_of_tag {
            Some(id) => Some(id),
            None => self.scope_id.apply(m.scope_id),
        };
        m.scope_category = self
            .category
            .apply(m.scope_category.as_deref().and_then(|c| c.parse().ok()))
            .map(|c| c.as_str().to_string());
        match scope {
            Some(ScopeKind::Category) => {
                m.scope_id = None;
                if m.scope_category.is_none() {
                    errs.push(FieldError::new("category", "required", "category is required for a category's cost"));
                }
            }
            Some(s) => {
                m.scope_category = None;
                if m.scope_id.is_none() {
                    let (field, what) = match s {
                        ScopeKind::Asset => ("asset_tag", "the asset's tag"),
                        _ => ("scope_id", "the id of the model, department or site"),
                    };
                    errs.push(FieldError::new(field, "required", format!("{field} is required: give {what}")));
                }
            }
            None => {}
        }
        let timing = self.timing.apply(m.timing.parse().ok());
        required(&mut errs, "timing", timing.is_some());
        m.timing = timing.map(|t| t.as_str().to_string()).unwrap_or_default();
        match self.amount.apply(Some(Gbp::from_pence(m.amount_pence))) {
            Some(a) if a.is_negative() => errs.push(FieldError::new(
                "amount",
                "out_of_range",
                format!("amount {a} is negative; enter what it costs, e.g. 120.00"),
            )),
            Some(a) => m.amount_pence = a.pence(),
            None => errs.push(FieldError::required("amount")),
        }
        match self.starts_on.apply(Some(m.starts_on)) {
            Some(d) => m.starts_on = d,
            None => errs.push(FieldError::required("starts_on")),
        }
        m.ends_on = self.ends_on.apply(m.ends_on);
        if let Some(end) = m.ends_on {
            if timing == Some(TimingKind::OneOff) {
                errs.push(FieldError::new(
                    "ends_on",
                    "invalid",
                    "ends_on is only for annual costs; a one-off cost has only its date (starts_on)",
                ));
            } else if end < m.starts_on {
                errs.push(FieldError::new(
                    "ends_on",
                    "invalid",
                    format!("ends_on {end} is before starts_on {}; the last day comes after the first", m.starts_on),
                ));
            }
        }
        m.supplier = text_field(&mut errs, "supplier", self.supplier.apply(m.supplier.clone()), 200);
        m.notes = text_field(&mut errs, "notes", self.notes.apply(m.notes.clone()), 10_000);
        errs.into_result(())
    }
}

impl Audited for cost_item::Model {
    const ENTITY: &'static str = "cost_item";
    type View = CostItemView;

    fn id(&self) -> i32 {
        self.id
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
    }

    fn duplicate_message(&self) -> String {
        format!("cost item '{}' already exists", self.description)
    }
}

/// The asset an `asset_tag` names, or a 422 naming the field.
async fn asset_of_tag<C: ConnectionTrait>(conn: &C, tag: &Patch<String>) -> AppResult<Option<i32>> {
    let Patch::Value(tag) = tag else { return Ok(None) };
    let found = asset::Entity::find().filter(asset::Column::AssetTag.eq(tag.trim())).one(conn).await?;
    match found {
        Some(a) => Ok(Some(a.id)),
        None => {
            Err(AppError::field("asset_tag", "not_found", format!("no asset has the tag '{tag}'; check the sticker")))
        }
    }
}

/// Refuses an item whose asset, model, department or site does not exist.
async fn check_target<C: ConnectionTrait>(conn: &C, m: &cost_item::Model) -> AppResult<()> {
    let Some(id) = m.scope_id else { return Ok(()) };
    let exists = match m.scope.as_str() {
        "asset" => asset::Entity::find_by_id(id).one(conn).await?.is_some(),
        "model" => device_model::Entity::find_by_id(id).one(conn).await?.is_some(),
        "department" => department::Entity::find_by_id(id).one(conn).await?.is_some(),
        "site" => site::Entity::find_by_id(id).one(conn).await?.is_some(),
        _ => true,
    };
    if exists {
        Ok(())
    } else {
        let field = if m.scope == "asset" { "asset_tag" } else { "scope_id" };
        Err(AppError::field(
            field,
            "not_found",
            format!("there is no {} with id {id}; pick one from the register", m.scope),
        ))
    }
}

/// Fills in each view's `scope_label` ("asset WCC-000123", "department Planning").
async fn label<C: ConnectionTrait>(conn: &C, views: &mut [CostItemView]) -> AppResult<()> {
    let ids =
        |kind: ScopeKind| -> Vec<i32> { views.iter().filter(|v| v.scope == kind).filter_map(|v| v.scope_id).collect() };
    let assets: HashMap<i32, String> = asset::Entity::find()
        .filter(asset::Column::Id.is_in(ids(ScopeKind::Asset)))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.asset_tag))
        .collect();
    let models: HashMap<i32, String> = device_model::Entity::find()
        .filter(device_model::Column::Id.is_in(ids(ScopeKind::Model)))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, format!("{} {}", m.manufacturer, m.name)))
        .collect();
    let departments: HashMap<i32, String> = department::Entity::find()
        .filter(department::Column::Id.is_in(ids(ScopeKind::Department)))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let sites: HashMap<i32, String> = site::Entity::find()
        .filter(site::Column::Id.is_in(ids(ScopeKind::Site)))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    for v in views.iter_mut() {
        let name = |names: &HashMap<i32, String>| {
            v.scope_id.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| "(deleted)".to_string())
        };
        v.scope_label = Some(match v.scope {
            ScopeKind::Asset => format!("asset {}", name(&assets)),
            ScopeKind::Model => format!("model {}", name(&models)),
            ScopeKind::Department => format!("department {}", name(&departments)),
            ScopeKind::Site => format!("site {}", name(&sites)),
            ScopeKind::Category => format!("category {}", v.category.map_or("?", |c| c.label())),
        });
    }
    Ok(())
}

/// Every cost item, newest first by date.
pub async fn list<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<CostItemView>> {
    let rows = cost_item::Entity::find()
        .order_by_desc(cost_item::Column::StartsOn)
        .order_by_asc(cost_item::Column::Id)
        .all(conn)
        .await?;
    let mut views: Vec<CostItemView> = rows.into_iter().map(CostItemView::from).collect();
    label(conn, &mut views).await?;
    Ok(views)
}

/// The items that reach an asset: its own, and those of its model, category, department and site.
pub async fn for_asset<C: ConnectionTrait>(conn: &C, tag: &str) -> AppResult<Vec<CostItemView>> {
    let a = asset::Entity::find()
        .filter(asset::Column::AssetTag.eq(tag))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("asset", tag))?;
    let all = list(conn).await?;
    Ok(all
        .into_iter()
        .filter(|v| match v.scope {
            ScopeKind::Asset => v.scope_id == Some(a.id),
            ScopeKind::Model => v.scope_id.is_some() && v.scope_id == a.model_id,
            ScopeKind::Department => v.scope_id.is_some() && v.scope_id == a.department_id,
            ScopeKind::Site => v.scope_id.is_some() && v.scope_id == a.site_id,
            ScopeKind::Category => v.category.map(|c| c.as_str()) == Some(a.category.as_str()),
        })
        .collect())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<CostItemView> {
    let mut view = vec![CostItemView::from(audited::find::<cost_item::Model, _>(conn, id).await?)];
    label(conn, &mut view).await?;
    Ok(view.remove(0))
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, changes: CostItemChanges) -> AppResult<CostItemView> {
    let txn = db.begin_write().await?;
    let now = Utc::now();
    let mut m = cost_item::Model {
        id: 0,
        kind: String::new(),
        description: String::new(),
        scope: String::new(),
        scope_id: None,
        scope_category: None,
        timing: String::new(),
        amount_pence: 0,
        starts_on: NaiveDate::MIN,
        ends_on: None,
        supplier: None,
        notes: None,
        created_at: now,
        updated_at: now,
    };
    // Required fields absent on create must be named, not defaulted.
    let mut missing = FieldErrors::default();
    if changes.amount.is_missing() {
        missing.push(FieldError::required("amount"));
    }
    if changes.starts_on.is_missing() {
        missing.push(FieldError::required("starts_on"));
    }
    let asset_id = asset_of_tag(&txn, &changes.asset_tag).await?;
    if let Err(mut e) = changes.apply(&mut m, asset_id) {
        e.0.retain(|f| !missing.0.iter().any(|g| g.field == f.field));
        missing.0.extend(e.0);
    }
    missing.into_result(())?;
    check_target(&txn, &m).await?;
    let mut view = audited::insert(&txn, actor, m).await?;
    label(&txn, std::slice::from_mut(&mut view)).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: CostItemChanges,
) -> AppResult<CostItemView> {
    let txn = db.begin_write().await?;
    let before: cost_item::Model = audited::find(&txn, id).await?;
    let mut m = before.clone();
    let asset_id = asset_of_tag(&txn, &changes.asset_tag).await?;
    changes.apply(&mut m, asset_id)?;
    check_target(&txn, &m).await?;
    let (mut view, _) = audited::update_if_changed(&txn, actor, before, m).await?;
    label(&txn, std::slice::from_mut(&mut view)).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let before: cost_item::Model = audited::find(&txn, id).await?;
    audited::delete(&txn, actor, before).await?;
    txn.commit().await?;
    Ok(())
}

/// Every item as the pure TCO calculation takes it (items whose stored values no longer parse are skipped).
pub async fn inputs<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<CostItemInput>> {
    let rows = cost_item::Entity::find().order_by_asc(cost_item::Column::Id).all(conn).await?;
    Ok(rows.into_iter().filter_map(|m| to_input(&m)).collect())
}

fn to_input(m: &cost_item::Model) -> Option<CostItemInput> {
    let scope = match m.scope.parse::<ScopeKind>().ok()? {
        ScopeKind::Asset => CostScope::Asset(m.scope_id?),
        ScopeKind::Model => CostScope::Model(m.scope_id?),
        ScopeKind::Department => CostScope::Department(m.scope_id?),
        ScopeKind::Site => CostScope::Site(m.scope_id?),
        ScopeKind::Category => CostScope::Category(m.scope_category.as_deref()?.parse().ok()?),
    };
    let timing = match m.timing.parse::<TimingKind>().ok()? {
        TimingKind::OneOff => Timing::OneOff,
        TimingKind::Annual => Timing::Annual { ends_on: m.ends_on },
    };
    Some(CostItemInput {
        id: m.id,
        scope,
        timing,
        amount_gbp: Gbp::from_pence(m.amount_pence).decimal(),
        starts_on: m.starts_on,
    })
}
