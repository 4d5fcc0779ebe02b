//! Assets: create, read, change and delete single devices, enforcing the lifecycle and keeping the
//! derived refresh date current.

use crate::store::BeginWrite;
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    IntoActiveModel, NotSet, PaginatorTrait, QueryFilter, Statement,
};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::sync::OnceLock;

use super::audit::{self, Action};
use super::{text_field, unique_violation, Actor};
use crate::domain::lifecycle::refused_move_message;
use crate::domain::refresh::{refresh_due, RefreshInputs};
use crate::domain::{AssetTag, Category, FieldError, FieldErrors, Gbp, LifecycleState, MacAddresses, Patch, Watts};
use crate::error::{AppError, AppResult};
use crate::store::direct_reads::EntityCount;
use crate::store::{asset, department, device_model, site, DirectReads};

pub const ENTITY: &str = "asset";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssetView {
    pub id: i32,
    #[schema(value_type = String, example = "WCC-000123")]
    pub asset_tag: AssetTag,
    pub serial: Option<String>,
    pub hostname: Option<String>,
    /// Normalised lower-case `aa:bb:cc:dd:ee:ff`.
    #[schema(value_type = Vec<String>, example = json!(["00:1a:2b:3c:4d:5e"]))]
    pub mac_addresses: MacAddresses,
    pub ip_address: Option<String>,
    pub category: Category,
    pub model_id: Option<i32>,
    pub site_id: Option<i32>,
    pub department_id: Option<i32>,
    pub assigned_user: Option<String>,
    pub purchase_date: Option<NaiveDate>,
    #[schema(value_type = Option<String>, example = "499.00")]
    pub purchase_cost: Option<Gbp>,
    pub supplier: Option<String>,
    pub warranty_end: Option<NaiveDate>,
    /// Life override in months (else the model's, else the category's default).
    pub life_months: Option<i32>,
    /// Explicit refresh date, overriding the calculated one.
    pub refresh_date: Option<NaiveDate>,
    /// When the asset is due for refresh, as calculated.
    pub refresh_due: Option<NaiveDate>,
    pub lifecycle_state: LifecycleState,
    pub allowed_next_states: Vec<LifecycleState>,
    /// Per-asset power overrides in watts; absent means the model's figure.
    pub on_watts: Option<f64>,
    pub sleep_watts: Option<f64>,
    pub off_watts: Option<f64>,
    /// The PC a monitor belongs to (it follows that PC's power state).
    #[schema(value_type = Option<String>)]
    pub parent_asset_tag: Option<String>,
    pub notes: Option<String>,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
}

impl AssetView {
    pub fn from_model(m: asset::Model, parent_asset_tag: Option<String>) -> AssetView {
        let state: LifecycleState = m.lifecycle_state.parse().unwrap_or(LifecycleState::InStock);
        AssetView {
            id: m.id,
            asset_tag: m.asset_tag.parse().unwrap_or_else(|_| "invalid".parse().expect("literal tag is valid")),
            serial: m.serial,
            hostname: m.hostname,
            mac_addresses: MacAddresses::from_column(m.mac_addresses.as_deref()),
            ip_address: m.ip_address,
            category: m.category.parse().unwrap_or(Category::Other),
            model_id: m.model_id,
            site_id: m.site_id,
            department_id: m.department_id,
            assigned_user: m.assigned_user,
            purchase_date: m.purchase_date,
            purchase_cost: m.purchase_cost_pence.map(Gbp::from_pence),
            supplier: m.supplier,
            warranty_end: m.warranty_end,
            life_months: m.life_months,
            refresh_date: m.refresh_date,
            refresh_due: m.refresh_due,
            lifecycle_state: state,
            // Leaving the register is a disposal record's to do (it checks sanitisation and paperwork).
            allowed_next_states: state
                .next_states()
                .iter()
                .copied()
                .filter(|s| *s != LifecycleState::Disposed)
                .collect(),
            on_watts: m.on_watts,
            sleep_watts: m.sleep_watts,
            off_watts: m.off_watts,
            parent_asset_tag,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new asset, or changes to one: absent fields are left as they are, `null` clears.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetChanges {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "WCC-000123")]
    pub asset_tag: Patch<AssetTag>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub serial: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub hostname: Patch<String>,
    /// Any common form: `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub mac_addresses: Patch<MacAddresses>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "10.20.1.15")]
    pub ip_address: Patch<IpAddr>,
    /// Required unless the model gives it.
    #[serde(default)]
    #[schema(value_type = Option<Category>)]
    pub category: Patch<Category>,
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub model_id: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub site_id: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub department_id: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub assigned_user: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2024-03-31")]
    pub purchase_date: Patch<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "499.00")]
    pub purchase_cost: Patch<Gbp>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub supplier: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub warranty_end: Patch<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<u32>)]
    pub life_months: Patch<u32>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub refresh_date: Patch<NaiveDate>,
    /// On create: the starting state (default `in_stock`). On change: a move, checked against the lifecycle.
    #[serde(default)]
    #[schema(value_type = Option<LifecycleState>)]
    pub lifecycle_state: Patch<LifecycleState>,
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub on_watts: Patch<Watts>,
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub sleep_watts: Patch<Watts>,
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub off_watts: Patch<Watts>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub parent_asset_tag: Patch<AssetTag>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
}

/// The fields that need the database to check: applied by the service after [`AssetChanges::apply`].
pub(crate) struct References {
    pub parent_asset_tag: Patch<AssetTag>,
    pub category: Patch<Category>,
    pub lifecycle_state: Patch<LifecycleState>,
}

impl AssetChanges {
    /// Applies every field that can be checked without the database, collecting all problems.
    pub(crate) fn apply(self, m: &mut asset::Model) -> Result<References, FieldErrors> {
        let mut errs = FieldErrors::default();
        if let Some(tag) = self.asset_tag.apply(m.asset_tag.parse().ok()) {
            m.asset_tag = tag.to_string();
        } else {
            errs.push(FieldError::required("asset_tag"));
        }
        m.serial = text_field(&mut errs, "serial", self.serial.apply(m.serial.clone()), 128);
        m.hostname = text_field(&mut errs, "hostname", self.hostname.apply(m.hostname.clone()), 253);
        let macs = self.mac_addresses.apply(Some(MacAddresses::from_column(m.mac_addresses.as_deref())));
        m.mac_addresses = macs.and_then(|l| l.to_column());
        m.ip_address =
            self.ip_address.apply(m.ip_address.as_deref().and_then(|s| s.parse().ok())).map(|ip| ip.to_string());
        m.model_id = self.model_id.apply(m.model_id);
        m.site_id = self.site_id.apply(m.site_id);
        m.department_id = self.department_id.apply(m.department_id);
        m.assigned_user =
            text_field(&mut errs, "assigned_user", self.assigned_user.apply(m.assigned_user.clone()), 200);
        m.purchase_date = self.purchase_date.apply(m.purchase_date);
        let cost = self.purchase_cost.apply(m.purchase_cost_pence.map(Gbp::from_pence));
        if cost.is_some_and(|c| c.is_negative()) {
            errs.push(FieldError::new(
                "purchase_cost",
                "negative",
                "purchase_cost cannot be negative; enter what was paid, e.g. 499.00",
            ));
        }
        m.purchase_cost_pence = cost.map(|c| c.pence());
        m.supplier = text_field(&mut errs, "supplier", self.supplier.apply(m.supplier.clone()), 200);
        m.warranty_end = self.warranty_end.apply(m.warranty_end);
        if let (Some(bought), Some(end)) = (m.purchase_date, m.warranty_end) {
            if end < bought {
                errs.push(FieldError::new(
                    "warranty_end",
                    "before_purchase",
                    format!("warranty_end {end} is before purchase_date {bought}; check both dates"),
                ));
            }
        }
        let life = self.life_months.apply(m.life_months.and_then(|l| u32::try_from(l).ok()));
        if life.is_some_and(|l| !(1..=240).contains(&l)) {
            errs.push(FieldError::new(
                "life_months",
                "out_of_range",
                "life_months must be between 1 and 240 (20 years)",
            ));
        }
        m.life_months = life.and_then(|l| i32::try_from(l).ok());
        m.refresh_date = self.refresh_date.apply(m.refresh_date);
        m.on_watts = self.on_watts.apply(m.on_watts.and_then(|w| Watts::new(w).ok())).map(Watts::value);
        m.sleep_watts = self.sleep_watts.apply(m.sleep_watts.and_then(|w| Watts::new(w).ok())).map(Watts::value);
        m.off_watts = self.off_watts.apply(m.off_watts.and_then(|w| Watts::new(w).ok())).map(Watts::value);
        m.notes = text_field(&mut errs, "notes", self.notes.apply(m.notes.clone()), 10_000);
        errs.into_result(References {
            parent_asset_tag: self.parent_asset_tag,
            category: self.category,
            lifecycle_state: self.lifecycle_state,
        })
    }
}

async fn find_by_tag<C: ConnectionTrait>(conn: &C, tag: &str) -> AppResult<asset::Model> {
    asset::Entity::find()
        .filter(asset::Column::AssetTag.eq(tag))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found(ENTITY, tag))
}

async fn parent_tag<C: ConnectionTrait>(conn: &C, m: &asset::Model) -> AppResult<Option<String>> {
    match m.parent_asset_id {
        None => Ok(None),
        Some(pid) => Ok(asset::Entity::find_by_id(pid).one(conn).await?.map(|p| p.asset_tag)),
    }
}

/// The busiest read in the API: the asset and its parent's tag in one query.
pub async fn get_by_tag<C: ConnectionTrait>(conn: &C, tag: &str) -> AppResult<AssetView> {
    let (m, parent) = asset::Entity::find()
        .filter(asset::Column::AssetTag.eq(tag))
        .find_also_linked(asset::ParentLink)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found(ENTITY, tag))?;
    Ok(AssetView::from_model(m, parent.map(|p| p.asset_tag)))
}

/// The same answer as `get_by_tag`, read on SQLite through the direct path (the API's hottest read).
pub async fn read_by_tag(db: &DatabaseConnection, direct: &DirectReads, tag: &str) -> AppResult<AssetView> {
    let Some(reader) = direct.sqlite() else {
        return get_by_tag(db, tag).await;
    };
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = SQL.get_or_init(|| {
        let cols: Vec<String> = asset::Entity::column_names().iter().map(|c| format!("\"a\".\"{c}\"")).collect();
        format!(
            "SELECT {}, \"p\".\"asset_tag\" FROM \"asset\" AS \"a\" LEFT JOIN \"asset\" AS \"p\" \
             ON \"p\".\"id\" = \"a\".\"parent_asset_id\" WHERE \"a\".\"asset_tag\" = ? LIMIT 1",
            cols.join(", ")
        )
    });
    let stmt = Statement::from_sql_and_values(DbBackend::Sqlite, sql.as_str(), [tag.into()]);
    let (m, parent) = reader
        .rows::<asset::Model, Option<String>>(&stmt, 1, |row, i| row.get(i))?
        .pop()
        .ok_or_else(|| AppError::not_found(ENTITY, tag))?;
    Ok(AssetView::from_model(m, parent))
}

/// Checks references, category and lifecycle move against the database, and derives `refresh_due`.
async fn resolve<C: ConnectionTrait>(
    conn: &C,
    m: &mut asset::Model,
    refs: References,
    previous_state: Option<LifecycleState>,
) -> AppResult<Option<String>> {
    let mut errs = FieldErrors::default();
    let model = match m.model_id {
        Some(id) => {
            let found = device_model::Entity::find_by_id(id).one(conn).await?;
            if found.is_none() {
                errs.push(unknown("model_id", "model", id));
            }
            found
        }
        None => None,
    };
    if let Some(id) = m.site_id {
        if site::Entity::find_by_id(id).count(conn).await? == 0 {
            errs.push(unknown("site_id", "site", id));
        }
    }
    if let Some(id) = m.department_id {
        if department::Entity::find_by_id(id).count(conn).await? == 0 {
            errs.push(unknown("department_id", "department", id));
        }
    }
    let current_parent = parent_tag(conn, m).await?.and_then(|t| t.parse::<AssetTag>().ok());
    let parent = refs.parent_asset_tag.apply(current_parent);
    m.parent_asset_id = None;
    if let Some(tag) = &parent {
        if tag.as_str() == m.asset_tag {
            errs.push(FieldError::new("parent_asset_tag", "self_reference", "an asset cannot be its own parent"));
        } else {
            match asset::Entity::find().filter(asset::Column::AssetTag.eq(tag.as_str())).one(conn).await? {
                Some(p) if p.parent_asset_id.is_some() => errs.push(FieldError::new(
                    "parent_asset_tag",
                    "nested_parent",
                    format!("{tag} itself belongs to another asset; link to the PC at the top instead"),
                )),
                Some(p) => m.parent_asset_id = Some(p.id),
                None => errs.push(FieldError::new(
                    "parent_asset_tag",
                    "unknown_reference",
                    format!("no asset with tag {tag}; check the tag or create that asset first"),
                )),
            }
        }
    }
    settle(m, model.as_ref(), refs.category, refs.lifecycle_state, previous_state, &mut errs)?;
    if !errs.is_empty() {
        return Err(errs.into());
    }
    Ok(parent.map(|t| t.to_string()))
}

/// The rules that need the asset's model but nothing else from the database: the category (the
/// model's when the asset gives none), the lifecycle move, and the derived refresh date. An illegal
/// move is an error of its own (409); other problems are added to `errs`.
pub(crate) fn settle(
    m: &mut asset::Model,
    model: Option<&device_model::Model>,
    category_change: Patch<Category>,
    state_change: Patch<LifecycleState>,
    previous_state: Option<LifecycleState>,
    errs: &mut FieldErrors,
) -> AppResult<()> {
    let current_category = m.category.parse::<Category>().ok();
    let category = category_change.apply(current_category).or_else(|| model.and_then(|md| md.category.parse().ok()));
    match category {
        Some(c) => m.category = c.as_str().to_string(),
        None => errs.push(FieldError::new(
            "category",
            "required",
            "category is required (or give a model_id, whose category is used)",
        )),
    }
    let state = match (previous_state, state_change) {
        (None, Patch::Value(LifecycleState::Disposed)) => {
            errs.push(FieldError::new("lifecycle_state", "invalid_initial_state",
                "a new asset cannot start as disposed; create it as retired or awaiting_disposal and record its disposal"));
            LifecycleState::Disposed
        }
        (None, Patch::Value(s)) => s,
        (None, _) => LifecycleState::InStock,
        (Some(prev), Patch::Value(LifecycleState::Disposed)) if prev != LifecycleState::Disposed => {
            return Err(AppError::conflict(
                "dispose_through_a_disposal",
                "an asset is disposed of by completing a disposal record (the Disposals page, or \
                 /api/v1/disposals), which checks its data sanitisation and the waste paperwork; move it to \
                 awaiting_disposal and add it to one",
                Some("lifecycle_state"),
            ));
        }
        (Some(prev), Patch::Value(next)) => {
            if !prev.can_move_to(next) {
                return Err(AppError::conflict(
                    "illegal_transition",
                    refused_move_message(prev, next),
                    Some("lifecycle_state"),
                ));
            }
            next
        }
        (Some(_), Patch::Null) => {
            errs.push(FieldError::required("lifecycle_state"));
            previous_state.unwrap_or(LifecycleState::InStock)
        }
        (Some(prev), Patch::Missing) => prev,
    };
    m.lifecycle_state = state.as_str().to_string();
    m.refresh_due = refresh_due(&RefreshInputs {
        refresh_date_override: m.refresh_date,
        purchase_date: m.purchase_date,
        asset_life_months: m.life_months.and_then(|l| u32::try_from(l).ok()),
        model_life_months: model.and_then(|md| md.default_life_months).and_then(|l| u32::try_from(l).ok()),
        category: category.unwrap_or(Category::Other),
    });
    Ok(())
}

fn unknown(field: &str, what: &str, id: i32) -> FieldError {
    FieldError::new(
        field,
        "unknown_reference",
        format!("no {what} with id {id}; create the {what} first or pick another"),
    )
}

async fn check_tag_free<C: ConnectionTrait>(conn: &C, tag: &str, own_id: i32) -> AppResult<()> {
    let clash = asset::Entity::find()
        .filter(asset::Column::AssetTag.eq(tag))
        .filter(asset::Column::Id.ne(own_id))
        .count(conn)
        .await?;
    if clash > 0 {
        return Err(duplicate_tag(tag));
    }
    Ok(())
}

fn duplicate_tag(tag: &str) -> AppError {
    AppError::conflict(
        "duplicate",
        format!("asset tag {tag} is already in the register; use another tag or edit that asset"),
        Some("asset_tag"),
    )
}

/// An asset with nothing set yet, for [`AssetChanges::apply`] to fill.
pub(crate) fn blank(now: chrono::DateTime<Utc>) -> asset::Model {
    asset::Model {
        id: 0,
        asset_tag: String::new(),
        serial: None,
        hostname: None,
        mac_addresses: None,
        ip_address: None,
        category: String::new(),
        model_id: None,
        site_id: None,
        department_id: None,
        assigned_user: None,
        purchase_date: None,
        purchase_cost_pence: None,
        supplier: None,
        warranty_end: None,
        life_months: None,
        refresh_date: None,
        refresh_due: None,
        lifecycle_state: String::new(),
        on_watts: None,
        sleep_watts: None,
        off_watts: None,
        parent_asset_id: None,
        usage_profile_id: None,
        notes: None,
        created_at: now,
        updated_at: now,
    }
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, changes: AssetChanges) -> AppResult<AssetView> {
    let txn = db.begin_write().await?;
    let view = create_in(&txn, actor, changes).await?;
    txn.commit().await?;
    Ok(view)
}

/// Creates an asset inside the caller's transaction (the demo loader and imports use one for many).
pub async fn create_in(txn: &DatabaseTransaction, actor: &Actor, changes: AssetChanges) -> AppResult<AssetView> {
    let mut m = blank(Utc::now());
    let refs = changes.apply(&mut m)?;
    let parent = resolve(txn, &mut m, refs, None).await?;
    check_tag_free(txn, &m.asset_tag, 0).await?;
    let mut am = m.clone().into_active_model().reset_all();
    am.id = NotSet;
    let saved = am.insert(txn).await.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => duplicate_tag(&m.asset_tag),
        _ => AppError::Database(e),
    })?;
    let view = AssetView::from_model(saved, parent);
    audit::record(txn, actor, Action::Create, ENTITY, view.id, None, Some(&view)).await?;
    Ok(view)
}

pub async fn update(db: &DatabaseConnection, actor: &Actor, tag: &str, changes: AssetChanges) -> AppResult<AssetView> {
    let txn = db.begin_write().await?;
    let before_model = find_by_tag(&txn, tag).await?;
    let state: LifecycleState = before_model.lifecycle_state.parse().map_err(AppError::Internal)?;
    if state.is_read_only() {
        return Err(AppError::conflict(
            "read_only",
            format!("asset {tag} is disposed; its record is kept as it was and cannot be changed"),
            None,
        ));
    }
    let before = AssetView::from_model(before_model.clone(), parent_tag(&txn, &before_model).await?);
    let mut m = before_model;
    let refs = changes.apply(&mut m)?;
    let parent = resolve(&txn, &mut m, refs, Some(state)).await?;
    check_tag_free(&txn, &m.asset_tag, m.id).await?;
    m.updated_at = Utc::now();
    let tag_for_error = m.asset_tag.clone();
    let saved = m.into_active_model().reset_all().update(&txn).await.map_err(|e| {
        unique_violation(e, "asset_tag", format!("asset tag {tag_for_error} is already in the register"))
    })?;
    let after = AssetView::from_model(saved, parent);
    audit::record(&txn, actor, Action::Update, ENTITY, after.id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Deleting is for records made by mistake: real devices leave through a disposal, and a disposed
/// asset's record is kept.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, tag: &str) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let m = find_by_tag(&txn, tag).await?;
    if m.lifecycle_state == LifecycleState::Disposed.as_str() {
        return Err(AppError::conflict(
            "read_only",
            format!("asset {tag} is disposed; its record is kept for audit"),
            None,
        ));
    }
    if let Some(d) = super::disposals::of_asset(&txn, m.id).await? {
        return Err(AppError::conflict(
            "in_disposal",
            format!("asset {tag} is in disposal {}; take it out of that disposal first", d.reference),
            None,
        ));
    }
    let children = asset::Entity::find().filter(asset::Column::ParentAssetId.eq(m.id)).all(&txn).await?;
    if !children.is_empty() {
        let tags: Vec<String> = children.into_iter().map(|c| c.asset_tag).collect();
        return Err(AppError::conflict(
            "in_use",
            format!("asset {tag} has linked devices ({}); unlink them first", tags.join(", ")),
            None,
        ));
    }
    let before = AssetView::from_model(m.clone(), parent_tag(&txn, &m).await?);
    asset::Entity::delete_by_id(m.id).exec(&txn).await?;
    audit::record(&txn, actor, Action::Delete, ENTITY, m.id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

/// An asset's audit history, newest first.
pub async fn history<C: ConnectionTrait>(conn: &C, tag: &str) -> AppResult<Vec<audit::AuditView>> {
    let m = find_by_tag(conn, tag).await?;
    audit::history(conn, ENTITY, &m.id.to_string()).await
}

/// After a model's default life changes, its assets' stored refresh dates follow.
pub async fn recompute_refresh_due_for_model<C: ConnectionTrait>(conn: &C, model_id: i32) -> AppResult<()> {
    let model = device_model::Entity::find_by_id(model_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("model", model_id))?;
    let assets = asset::Entity::find().filter(asset::Column::ModelId.eq(model_id)).all(conn).await?;
    for a in assets {
        let due = refresh_due(&RefreshInputs {
            refresh_date_override: a.refresh_date,
            purchase_date: a.purchase_date,
            asset_life_months: a.life_months.and_then(|l| u32::try_from(l).ok()),
            model_life_months: model.default_life_months.and_then(|l| u32::try_from(l).ok()),
            category: a.category.parse().unwrap_or(Category::Other),
        });
        if due != a.refresh_due {
            let mut am = a.into_active_model();
            am.refresh_due = sea_orm::Set(due);
            am.update(conn).await?;
        }
    }
    Ok(())
}
