//! Power policies, exclusions and opt-outs: create, change and remove them (each with its audit event, in
//! one transaction), say which policy applies to an asset and why, and load everything the scheduler's
//! planning needs. A change that alters what should happen deletes the affected future `planned` actions
//! (never acted on), so the next scheduler tick plans them again under the new rules.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    IntoActiveModel, NotSet, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

use super::audit::{self, Action};
use super::{text_field, unique_violation, Actor};
use crate::domain::{Category, FieldError, FieldErrors, Patch};
use crate::error::{AppError, AppResult};
use crate::scheduling::{
    self, AssetFacts, Deferral, OffKind, OptOut, Policy, Resolution, Target, WeeklySchedule, Winners,
};
use crate::store::{
    asset, bank_holiday, department, power_action, power_exclusion, power_opt_out, power_policy, power_policy_asset,
    site,
};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct PolicyView {
    pub id: i32,
    pub name: String,
    pub enabled: bool,
    /// assets | tag | department | site | category
    pub target: String,
    pub site_id: Option<i32>,
    pub department_id: Option<i32>,
    pub category: Option<String>,
    pub tag_prefix: Option<String>,
    /// For an `assets` target: the asset tags in its list.
    pub asset_tags: Vec<String>,
    /// shutdown | sleep
    pub off_action: String,
    /// Weekly schedule in UK local time, e.g. "mon 07:30-19:00; tue 07:30-19:00" (wake-off).
    pub schedule: String,
    /// Patch-window wakes, same form, e.g. "wed 02:00-04:00".
    pub patch_windows: String,
    pub warning_minutes: i32,
    pub may_defer: bool,
    pub max_defer_minutes: i32,
    pub bank_holidays_off: bool,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PolicyView {
    fn of(m: power_policy::Model, asset_tags: Vec<String>) -> PolicyView {
        PolicyView {
            id: m.id,
            name: m.name,
            enabled: m.enabled,
            target: m.target_kind,
            site_id: m.target_site_id,
            department_id: m.target_department_id,
            category: m.target_category,
            tag_prefix: m.target_tag_prefix,
            asset_tags,
            off_action: m.off_action,
            schedule: m.schedule,
            patch_windows: m.patch_windows,
            warning_minutes: m.warning_minutes,
            may_defer: m.may_defer,
            max_defer_minutes: m.max_defer_minutes,
            bank_holidays_off: m.bank_holidays_off,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new policy, or changes to one: absent fields are left as they are (or take their default on
/// create), `null` clears.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyChanges {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Civic Offices office hours")]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub enabled: Patch<bool>,
    /// assets | tag | department | site | category
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "site")]
    pub target: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub site_id: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub department_id: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "desktop")]
    pub category: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "LIB-PC-")]
    pub tag_prefix: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub asset_tags: Patch<Vec<String>>,
    /// shutdown (default) | sleep
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "shutdown")]
    pub off_action: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "mon-fri 07:30-19:00")]
    pub schedule: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "wed 02:00-04:00")]
    pub patch_windows: Patch<String>,
    /// Minutes of warning the user gets before a shutdown (default 10, at most 120).
    #[serde(default)]
    #[schema(value_type = Option<i32>, example = 10)]
    pub warning_minutes: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub may_defer: Patch<bool>,
    /// The most a user may put a shutdown off by, in all (default 60, at most 720).
    #[serde(default)]
    #[schema(value_type = Option<i32>, example = 60)]
    pub max_defer_minutes: Patch<i32>,
    /// Stay off all day on bank holidays (default true).
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub bank_holidays_off: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
}

const TARGETS: [&str; 5] = ["assets", "tag", "department", "site", "category"];

impl PolicyChanges {
    /// Applies the changes to `m` and returns the explicit asset tags when they were given (or must be
    /// cleared). Checks that named sites, departments and assets exist.
    async fn apply<C: ConnectionTrait>(
        self,
        conn: &C,
        m: &mut power_policy::Model,
        current_tags: Vec<String>,
    ) -> AppResult<Option<Vec<i32>>> {
        let mut errs = FieldErrors::default();
        match crate::domain::text::required("name", self.name.apply(Some(m.name.clone())), 200) {
            Ok(n) => m.name = n,
            Err(e) => errs.push(e),
        }
        m.enabled = self.enabled.apply(Some(m.enabled)).unwrap_or(true);
        let kind = self.target.apply(Some(m.target_kind.clone())).unwrap_or_default().trim().to_ascii_lowercase();
        if !TARGETS.contains(&kind.as_str()) {
            errs.push(FieldError::new(
                "target",
                "invalid",
                format!("'{kind}' is not a target; use one of: {}", TARGETS.join(", ")),
            ));
        }
        m.target_kind = kind.clone();
        let site_id = self.site_id.apply(m.target_site_id);
        let department_id = self.department_id.apply(m.target_department_id);
        let category = self.category.apply(m.target_category.clone());
        let tag_prefix = text_field(&mut errs, "tag_prefix", self.tag_prefix.apply(m.target_tag_prefix.clone()), 64);
        let asset_tags_given = !self.asset_tags.is_missing();
        let tags = self.asset_tags.apply(Some(current_tags)).unwrap_or_default();
        (m.target_site_id, m.target_department_id, m.target_category, m.target_tag_prefix) = (None, None, None, None);
        let mut asset_ids = None;
        let needs = |field: &str, what: &str| {
            FieldError::new(field, "required", format!("a {kind} policy needs {field}: {what}"))
        };
        match kind.as_str() {
            "site" => match site_id {
                None => errs.push(needs("site_id", "the id of the site it covers")),
                Some(id) if site::Entity::find_by_id(id).one(conn).await?.is_none() => {
                    errs.push(FieldError::new("site_id", "not_found", format!("there is no site with id {id}")))
                }
                Some(id) => m.target_site_id = Some(id),
            },
            "department" => match department_id {
                None => errs.push(needs("department_id", "the id of the department it covers")),
                Some(id) if department::Entity::find_by_id(id).one(conn).await?.is_none() => errs.push(
                    FieldError::new("department_id", "not_found", format!("there is no department with id {id}")),
                ),
                Some(id) => m.target_department_id = Some(id),
            },
            "category" => match category.as_deref().map(str::parse::<Category>) {
                None => errs.push(needs("category", "a register category such as desktop")),
                Some(Err(e)) => errs.push(FieldError::new("category", "invalid", e)),
                Some(Ok(c)) => m.target_category = Some(c.as_str().to_string()),
            },
            "tag" => match tag_prefix {
                None => errs.push(needs("tag_prefix", "the start of the asset tags it covers, e.g. LIB-PC-")),
                Some(p) => m.target_tag_prefix = Some(p),
            },
            "assets" => {
                if tags.is_empty() {
                    errs.push(needs("asset_tags", "the tags of the assets it covers"));
                } else {
                    let found: Vec<(i32, String)> = asset::Entity::find()
                        .select_only()
                        .column(asset::Column::Id)
                        .column(asset::Column::AssetTag)
                        .filter(asset::Column::AssetTag.is_in(tags.iter().map(|t| t.trim().to_string())))
                        .into_tuple()
                        .all(conn)
                        .await?;
                    let missing: Vec<&String> =
                        tags.iter().filter(|t| !found.iter().any(|(_, f)| f == t.trim())).collect();
                    if !missing.is_empty() {
                        errs.push(FieldError::new(
                            "asset_tags",
                            "not_found",
                            format!(
                                "no asset with tag {}; check the tags",
                                missing.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                    asset_ids = Some(found.into_iter().map(|(id, _)| id).collect());
                }
            }
            _ => {}
        }
        if kind != "assets" && asset_tags_given && !tags.is_empty() {
            errs.push(FieldError::new(
                "asset_tags",
                "invalid",
                "asset_tags is only for a policy whose target is assets",
            ));
        }
        if kind != "assets" {
            asset_ids = Some(vec![]);
        }
        let off = self.off_action.apply(Some(m.off_action.clone())).unwrap_or_else(|| "shutdown".into());
        match OffKind::parse(&off) {
            Some(k) => m.off_action = k.as_str().to_string(),
            None => errs.push(FieldError::new(
                "off_action",
                "invalid",
                format!("'{off}' is not an off action; use shutdown or sleep"),
            )),
        }
        match WeeklySchedule::parse(&self.schedule.apply(Some(m.schedule.clone())).unwrap_or_default()) {
            Ok(s) if s.is_empty() => errs.push(FieldError::new(
                "schedule",
                "required",
                "give the weekly schedule, e.g. mon-fri 07:30-19:00 (wake 07:30, shut down 19:00 UK time)",
            )),
            Ok(s) => m.schedule = s.to_string(),
            Err(e) => errs.push(FieldError::new("schedule", "invalid", e)),
        }
        match WeeklySchedule::parse(&self.patch_windows.apply(Some(m.patch_windows.clone())).unwrap_or_default()) {
            Ok(s) => m.patch_windows = s.to_string(),
            Err(e) => errs.push(FieldError::new("patch_windows", "invalid", e)),
        }
        m.warning_minutes = self.warning_minutes.apply(Some(m.warning_minutes)).unwrap_or(10);
        if !(0..=120).contains(&m.warning_minutes) {
            errs.push(FieldError::new("warning_minutes", "out_of_range", "warning_minutes must be 0 to 120"));
        }
        m.may_defer = self.may_defer.apply(Some(m.may_defer)).unwrap_or(false);
        m.max_defer_minutes = self.max_defer_minutes.apply(Some(m.max_defer_minutes)).unwrap_or(60);
        if !(0..=720).contains(&m.max_defer_minutes) {
            errs.push(FieldError::new(
                "max_defer_minutes",
                "out_of_range",
                "max_defer_minutes must be 0 to 720 (12 hours)",
            ));
        }
        m.bank_holidays_off = self.bank_holidays_off.apply(Some(m.bank_holidays_off)).unwrap_or(true);
        m.notes = text_field(&mut errs, "notes", self.notes.apply(m.notes.clone()), 10_000);
        errs.into_result(())?;
        Ok(asset_ids)
    }
}

async fn asset_tags_of<C: ConnectionTrait>(conn: &C, policy_id: i32) -> AppResult<Vec<String>> {
    let ids: Vec<i32> = power_policy_asset::Entity::find()
        .select_only()
        .column(power_policy_asset::Column::AssetId)
        .filter(power_policy_asset::Column::PolicyId.eq(policy_id))
        .into_tuple()
        .all(conn)
        .await?;
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(asset::Entity::find()
        .select_only()
        .column(asset::Column::AssetTag)
        .filter(asset::Column::Id.is_in(ids))
        .order_by_asc(asset::Column::AssetTag)
        .into_tuple()
        .all(conn)
        .await?)
}

async fn view<C: ConnectionTrait>(conn: &C, m: power_policy::Model) -> AppResult<PolicyView> {
    let tags = asset_tags_of(conn, m.id).await?;
    Ok(PolicyView::of(m, tags))
}

async fn find<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<power_policy::Model> {
    power_policy::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::not_found("power_policy", id))
}

pub async fn list<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<PolicyView>> {
    let rows = power_policy::Entity::find().order_by_asc(power_policy::Column::Id).all(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        out.push(view(conn, m).await?);
    }
    Ok(out)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<PolicyView> {
    let m = find(conn, id).await?;
    view(conn, m).await
}

async fn check_unique<C: ConnectionTrait>(conn: &C, m: &power_policy::Model) -> AppResult<()> {
    let clash = power_policy::Entity::find()
        .filter(power_policy::Column::Name.eq(m.name.clone()))
        .filter(power_policy::Column::Id.ne(m.id))
        .count(conn)
        .await?;
    if clash > 0 {
        return Err(AppError::conflict(
            "duplicate",
            format!("a policy named '{}' already exists", m.name),
            Some("name"),
        ));
    }
    Ok(())
}

async fn set_assets(txn: &DatabaseTransaction, policy_id: i32, ids: Vec<i32>) -> AppResult<()> {
    power_policy_asset::Entity::delete_many()
        .filter(power_policy_asset::Column::PolicyId.eq(policy_id))
        .exec(txn)
        .await?;
    let rows: Vec<power_policy_asset::ActiveModel> = ids
        .into_iter()
        .collect::<BTreeSet<i32>>()
        .into_iter()
        .map(|asset_id| power_policy_asset::ActiveModel {
            id: NotSet,
            policy_id: Set(policy_id),
            asset_id: Set(asset_id),
        })
        .collect();
    if !rows.is_empty() {
        crate::store::bulk::insert_all::<power_policy_asset::Entity, _>(txn, rows).await?;
    }
    Ok(())
}

/// Deletes the future `planned` (never acted on) actions a policy made, so the next tick re-plans them.
async fn drop_future_plans_of_policy<C: ConnectionTrait>(conn: &C, policy_id: i32) -> AppResult<u64> {
    Ok(power_action::Entity::delete_many()
        .filter(power_action::Column::PolicyId.eq(policy_id))
        .filter(power_action::Column::State.eq("planned"))
        .filter(power_action::Column::ScheduledAt.gt(Utc::now()))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Deletes an asset's future `planned` policy actions of the given kinds.
async fn drop_future_plans_of_asset<C: ConnectionTrait>(conn: &C, asset_id: i32, kinds: &[&str]) -> AppResult<u64> {
    Ok(power_action::Entity::delete_many()
        .filter(power_action::Column::AssetId.eq(asset_id))
        .filter(power_action::Column::State.eq("planned"))
        .filter(power_action::Column::Cause.ne("manual"))
        .filter(power_action::Column::Kind.is_in(kinds.iter().copied()))
        .filter(power_action::Column::ScheduledAt.gt(Utc::now()))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, changes: PolicyChanges) -> AppResult<PolicyView> {
    let txn = db.begin_write().await?;
    let v = create_in(&txn, actor, changes).await?;
    txn.commit().await?;
    Ok(v)
}

/// [`create`] inside the caller's transaction (the demo estate uses this).
pub async fn create_in(txn: &DatabaseTransaction, actor: &Actor, changes: PolicyChanges) -> AppResult<PolicyView> {
    let now = Utc::now();
    let mut m = power_policy::Model {
        id: 0,
        name: String::new(),
        enabled: true,
        target_kind: String::new(),
        target_site_id: None,
        target_department_id: None,
        target_category: None,
        target_tag_prefix: None,
        off_action: "shutdown".into(),
        schedule: String::new(),
        patch_windows: String::new(),
        warning_minutes: 10,
        may_defer: false,
        max_defer_minutes: 60,
        bank_holidays_off: true,
        notes: None,
        created_at: now,
        updated_at: now,
    };
    let ids = changes.apply(txn, &mut m, vec![]).await?;
    check_unique(txn, &m).await?;
    let mut am = m.clone().into_active_model().reset_all();
    am.id = NotSet;
    let dup = format!("a policy named '{}' already exists", m.name);
    let saved = am.insert(txn).await.map_err(|e| unique_violation(e, "name", dup))?;
    set_assets(txn, saved.id, ids.unwrap_or_default()).await?;
    let v = view(txn, saved).await?;
    audit::record(txn, actor, Action::Create, "power_policy", v.id, None, Some(&v)).await?;
    Ok(v)
}

pub async fn update(db: &DatabaseConnection, actor: &Actor, id: i32, changes: PolicyChanges) -> AppResult<PolicyView> {
    let txn = db.begin_write().await?;
    let before_m = find(&txn, id).await?;
    let before = view(&txn, before_m.clone()).await?;
    let mut m = before_m.clone();
    let ids = changes.apply(&txn, &mut m, before.asset_tags.clone()).await?;
    check_unique(&txn, &m).await?;
    if let Some(ids) = ids {
        set_assets(&txn, id, ids).await?;
    }
    m.updated_at = Utc::now();
    let after_check = PolicyView::of(m.clone(), asset_tags_of(&txn, id).await?);
    if (PolicyView { updated_at: before.updated_at, ..after_check.clone() }) == before {
        return Ok(before);
    }
    let dup = format!("a policy named '{}' already exists", m.name);
    m.into_active_model().reset_all().update(&txn).await.map_err(|e| unique_violation(e, "name", dup))?;
    drop_future_plans_of_policy(&txn, id).await?;
    audit::record(&txn, actor, Action::Update, "power_policy", id, Some(&before), Some(&after_check)).await?;
    txn.commit().await?;
    Ok(after_check)
}

/// Deletes a policy. Its past actions stay in the log (their policy id then names no policy); its future
/// planned ones go.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let m = find(&txn, id).await?;
    let before = view(&txn, m.clone()).await?;
    drop_future_plans_of_policy(&txn, id).await?;
    power_policy::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(&txn, actor, Action::Delete, "power_policy", id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

// ---- exclusions ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExclusionView {
    pub id: i32,
    pub asset_id: i32,
    pub asset_tag: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExclusion {
    #[schema(example = "CCTV-0001")]
    pub asset_tag: String,
    #[schema(example = "CCTV recorder: must run 24/7")]
    pub reason: String,
}

async fn asset_by_tag<C: ConnectionTrait>(conn: &C, field: &str, tag: &str) -> AppResult<asset::Model> {
    asset::Entity::find()
        .filter(asset::Column::AssetTag.eq(tag.trim()))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::field(field, "not_found", format!("no asset with tag '{}'", tag.trim())))
}

fn required_reason(raw: &str) -> AppResult<String> {
    Ok(crate::domain::text::required("reason", Some(raw.to_string()), 500)?)
}

pub async fn list_exclusions<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<ExclusionView>> {
    let rows = power_exclusion::Entity::find().order_by_asc(power_exclusion::Column::Id).all(conn).await?;
    let tags = tags_by_id(conn, rows.iter().map(|r| r.asset_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|r| ExclusionView {
            id: r.id,
            asset_id: r.asset_id,
            asset_tag: tags.get(&r.asset_id).cloned().unwrap_or_default(),
            reason: r.reason,
            created_by: r.created_by,
            created_at: r.created_at,
        })
        .collect())
}

pub(crate) async fn tags_by_id<C: ConnectionTrait>(conn: &C, ids: Vec<i32>) -> AppResult<HashMap<i32, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: BTreeSet<i32> = ids.into_iter().collect();
    let mut out = HashMap::new();
    for chunk in ids.into_iter().collect::<Vec<_>>().chunks(1000) {
        let rows: Vec<(i32, String)> = asset::Entity::find()
            .select_only()
            .column(asset::Column::Id)
            .column(asset::Column::AssetTag)
            .filter(asset::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn create_exclusion(db: &DatabaseConnection, actor: &Actor, new: NewExclusion) -> AppResult<ExclusionView> {
    let txn = db.begin_write().await?;
    let v = create_exclusion_in(&txn, actor, new).await?;
    txn.commit().await?;
    Ok(v)
}

/// [`create_exclusion`] inside the caller's transaction (the demo estate uses this).
pub async fn create_exclusion_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: NewExclusion,
) -> AppResult<ExclusionView> {
    let a = asset_by_tag(txn, "asset_tag", &new.asset_tag).await?;
    let reason = required_reason(&new.reason)?;
    if power_exclusion::Entity::find().filter(power_exclusion::Column::AssetId.eq(a.id)).count(txn).await? > 0 {
        return Err(AppError::conflict(
            "duplicate",
            format!("asset {} is already excluded from power management", a.asset_tag),
            Some("asset_tag"),
        ));
    }
    let now = Utc::now();
    let saved = power_exclusion::ActiveModel {
        id: NotSet,
        asset_id: Set(a.id),
        reason: Set(reason),
        created_by: Set(actor.name.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| unique_violation(e, "asset_tag", format!("asset {} is already excluded", a.asset_tag)))?;
    drop_future_plans_of_asset(txn, a.id, &["wake", "shutdown", "sleep"]).await?;
    let v = ExclusionView {
        id: saved.id,
        asset_id: a.id,
        asset_tag: a.asset_tag,
        reason: saved.reason,
        created_by: saved.created_by,
        created_at: saved.created_at,
    };
    audit::record(txn, actor, Action::Create, "power_exclusion", v.id, None, Some(&v)).await?;
    Ok(v)
}

pub async fn delete_exclusion(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let row = power_exclusion::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("power_exclusion", id))?;
    let tags = tags_by_id(&txn, vec![row.asset_id]).await?;
    let before = ExclusionView {
        id,
        asset_id: row.asset_id,
        asset_tag: tags.get(&row.asset_id).cloned().unwrap_or_default(),
        reason: row.reason.clone(),
        created_by: row.created_by.clone(),
        created_at: row.created_at,
    };
    power_exclusion::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(&txn, actor, Action::Delete, "power_exclusion", id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

// ---- opt-outs ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OptOutView {
    pub id: i32,
    pub asset_id: i32,
    pub asset_tag: String,
    pub reason: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub requested_by: String,
    /// Whether it covers the moment the view was made.
    pub active: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOptOut {
    pub asset_tag: String,
    #[schema(example = "running an overnight report")]
    pub reason: String,
    /// Default: now.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: DateTime<Utc>,
}

/// The longest a user may opt out for: a month. Longer belongs in an exclusion, with its reason.
pub const MAX_OPT_OUT_DAYS: i64 = 31;

fn opt_out_view(r: power_opt_out::Model, tag: String, now: DateTime<Utc>) -> OptOutView {
    OptOutView {
        id: r.id,
        asset_id: r.asset_id,
        asset_tag: tag,
        reason: r.reason,
        active: r.starts_at <= now && now < r.ends_at,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        requested_by: r.requested_by,
    }
}

/// Opt-outs not yet expired (and, with `include_expired`, the expired ones too), soonest ending first.
pub async fn list_opt_outs<C: ConnectionTrait>(conn: &C, include_expired: bool) -> AppResult<Vec<OptOutView>> {
    let now = Utc::now();
    let mut q = power_opt_out::Entity::find().order_by_asc(power_opt_out::Column::EndsAt);
    if !include_expired {
        q = q.filter(power_opt_out::Column::EndsAt.gt(now));
    }
    let rows = q.all(conn).await?;
    let tags = tags_by_id(conn, rows.iter().map(|r| r.asset_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let tag = tags.get(&r.asset_id).cloned().unwrap_or_default();
            opt_out_view(r, tag, now)
        })
        .collect())
}

pub async fn create_opt_out(db: &DatabaseConnection, actor: &Actor, new: NewOptOut) -> AppResult<OptOutView> {
    let txn = db.begin_write().await?;
    let a = asset_by_tag(&txn, "asset_tag", &new.asset_tag).await?;
    let reason = required_reason(&new.reason)?;
    let now = Utc::now();
    let starts = new.starts_at.unwrap_or(now);
    if new.ends_at <= starts {
        return Err(AppError::field("ends_at", "invalid", "ends_at must be after starts_at"));
    }
    if new.ends_at <= now {
        return Err(AppError::field("ends_at", "invalid", "ends_at is in the past; an opt-out must end in the future"));
    }
    if new.ends_at - starts > chrono::Duration::days(MAX_OPT_OUT_DAYS) {
        return Err(AppError::field(
            "ends_at",
            "out_of_range",
            format!("an opt-out lasts at most {MAX_OPT_OUT_DAYS} days; for longer, exclude the asset with a reason"),
        ));
    }
    let saved = power_opt_out::ActiveModel {
        id: NotSet,
        asset_id: Set(a.id),
        reason: Set(reason),
        starts_at: Set(starts),
        ends_at: Set(new.ends_at),
        requested_by: Set(actor.name.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    drop_future_plans_of_asset(&txn, a.id, &["shutdown", "sleep"]).await?;
    let v = opt_out_view(saved, a.asset_tag, now);
    audit::record(&txn, actor, Action::Create, "power_opt_out", v.id, None, Some(&v)).await?;
    txn.commit().await?;
    Ok(v)
}

pub async fn delete_opt_out(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let row = power_opt_out::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("power_opt_out", id))?;
    let tags = tags_by_id(&txn, vec![row.asset_id]).await?;
    let before = opt_out_view(row.clone(), tags.get(&row.asset_id).cloned().unwrap_or_default(), Utc::now());
    power_opt_out::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(&txn, actor, Action::Delete, "power_opt_out", id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

// ---- what the scheduler and the asset page need ----

/// A stored policy as the schedule maths sees it. Stored schedules were checked when saved; one that
/// somehow no longer parses counts as empty (and is logged) rather than stopping every other policy.
pub fn to_policy(m: &power_policy::Model, asset_ids: Vec<i32>) -> Policy {
    let parse = |s: &str, what: &str| {
        WeeklySchedule::parse(s).unwrap_or_else(|e| {
            tracing::error!(policy = m.id, "stored {what} no longer parses: {e}");
            WeeklySchedule::default()
        })
    };
    let target = match m.target_kind.as_str() {
        "assets" => Target::assets(asset_ids),
        "tag" => Target::TagPrefix(m.target_tag_prefix.clone().unwrap_or_default()),
        "department" => Target::Department(m.target_department_id.unwrap_or(-1)),
        "site" => Target::Site(m.target_site_id.unwrap_or(-1)),
        _ => Target::Category(m.target_category.clone().unwrap_or_default()),
    };
    Policy {
        id: m.id,
        name: m.name.clone(),
        enabled: m.enabled,
        target,
        off_kind: OffKind::parse(&m.off_action).unwrap_or(OffKind::Shutdown),
        schedule: parse(&m.schedule, "schedule"),
        patch_windows: parse(&m.patch_windows, "patch windows"),
        warning_minutes: m.warning_minutes,
        deferral: Deferral { allowed: m.may_defer, max_minutes: m.max_defer_minutes },
        bank_holidays_off: m.bank_holidays_off,
    }
}

/// Everything planning reads, loaded in a few queries.
pub struct PlanningInputs {
    pub policies: Vec<Policy>,
    pub excluded: HashMap<i32, String>,
    pub opt_outs: HashMap<i32, Vec<OptOut>>,
    pub bank_holidays: BTreeSet<chrono::NaiveDate>,
}

pub async fn planning_inputs<C: ConnectionTrait>(
    conn: &C,
    not_ending_before: DateTime<Utc>,
) -> AppResult<PlanningInputs> {
    let mut members: HashMap<i32, Vec<i32>> = HashMap::new();
    for m in power_policy_asset::Entity::find().all(conn).await? {
        members.entry(m.policy_id).or_default().push(m.asset_id);
    }
    let policies = power_policy::Entity::find()
        .order_by_asc(power_policy::Column::Id)
        .all(conn)
        .await?
        .iter()
        .map(|m| to_policy(m, members.remove(&m.id).unwrap_or_default()))
        .collect();
    let excluded =
        power_exclusion::Entity::find().all(conn).await?.into_iter().map(|e| (e.asset_id, e.reason)).collect();
    let mut opt_outs: HashMap<i32, Vec<OptOut>> = HashMap::new();
    for o in power_opt_out::Entity::find().filter(power_opt_out::Column::EndsAt.gt(not_ending_before)).all(conn).await?
    {
        opt_outs.entry(o.asset_id).or_default().push(OptOut { from: o.starts_at, until: o.ends_at });
    }
    let bank_holidays = bank_holiday::Entity::find().all(conn).await?.into_iter().map(|b| b.date).collect();
    Ok(PlanningInputs { policies, excluded, opt_outs, bank_holidays })
}

/// The deployed, not excluded assets each policy covers (the most specific enabled policy wins): for each
/// policy, by its index in `inputs.policies`, the asset ids in ascending order. Reads the asset table only
/// when some policy is enabled, and then grouped by what policies target (site, department, category and
/// which tag prefix a tag starts with first) with each group's ids in one string, so that 100,000 assets
/// come back as a few hundred rows and the policy is decided once per group (BENCHMARKS.md, issue 5).
pub async fn assignment<C: ConnectionTrait>(conn: &C, inputs: &PlanningInputs) -> AppResult<Vec<Vec<i32>>> {
    let mut covered = vec![Vec::new(); inputs.policies.len()];
    if !inputs.policies.iter().any(|p| p.enabled) {
        return Ok(covered);
    }
    let winners = Winners::new(&inputs.policies);
    let backend = conn.get_database_backend();
    let (rank, values) = tag_rank_sql(backend, winners.tag_prefixes());
    let ids = match backend {
        DbBackend::Postgres => "string_agg(CAST(id AS text), ',')",
        _ => "group_concat(id)",
    };
    let sql = format!(
        "SELECT site_id, department_id, category, {rank} AS tag_rank, {ids} AS ids FROM asset \
         WHERE lifecycle_state = 'deployed' GROUP BY 1, 2, 3, 4"
    );
    for row in conn.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await? {
        let site_id: Option<i32> = row.try_get("", "site_id")?;
        let department_id: Option<i32> = row.try_get("", "department_id")?;
        let category: String = row.try_get("", "category")?;
        let tag_rank: i32 = row.try_get("", "tag_rank")?;
        let ids: String = row.try_get("", "ids")?;
        let group = winners.of_group(site_id, department_id, &category, usize::try_from(tag_rank).ok());
        for id in ids.split(',') {
            let id: i32 =
                id.trim().parse().map_err(|_| AppError::Internal(format!("asset id '{id}' in a group of ids")))?;
            if inputs.excluded.contains_key(&id) {
                continue;
            }
            if let Some(i) = winners.of(id, group) {
                covered[i].push(id);
            }
        }
    }
    for ids in &mut covered {
        ids.sort_unstable();
    }
    Ok(covered)
}

/// An SQL expression for which of `prefixes` an asset's tag starts with first (its position; -1 for none),
/// compared as `Target::TagPrefix` compares: the prefix's length in characters, folding ASCII case only
/// (SQLite's NOCASE; `translate` on PostgreSQL, whose `lower` would fold other letters too), with the
/// values to bind.
fn tag_rank_sql<'a>(backend: DbBackend, prefixes: impl Iterator<Item = &'a str>) -> (String, Vec<sea_orm::Value>) {
    const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut values: Vec<sea_orm::Value> = Vec::new();
    let mut case = String::from("CASE");
    for (rank, prefix) in prefixes.enumerate() {
        let n = prefix.chars().count();
        values.push(prefix.to_ascii_lowercase().into());
        let test = match backend {
            DbBackend::Postgres => format!(
                "translate(substr(asset_tag, 1, {n}), '{UPPER}', '{}') = ${}",
                UPPER.to_ascii_lowercase(),
                values.len()
            ),
            _ => format!("substr(asset_tag, 1, {n}) = ? COLLATE NOCASE"),
        };
        case.push_str(&format!(" WHEN {test} THEN {rank}"));
    }
    if values.is_empty() {
        return ("-1".into(), values);
    }
    case.push_str(" ELSE -1 END");
    (case, values)
}

pub fn facts(a: &asset::Model) -> AssetFacts {
    AssetFacts {
        id: a.id,
        asset_tag: a.asset_tag.clone(),
        site_id: a.site_id,
        department_id: a.department_id,
        category: a.category.clone(),
    }
}

/// Which policy applies to an asset and why, with the active opt-outs and what it will do next.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssetPowerView {
    pub asset_tag: String,
    pub policy_id: Option<i32>,
    pub policy_name: Option<String>,
    pub reason: String,
    /// Other matching policies and why each lost.
    pub overridden: Vec<OverriddenPolicy>,
    pub excluded: Option<String>,
    pub opt_outs: Vec<OptOutView>,
    /// The next week's policy actions for this asset (UTC).
    pub next_actions: Vec<NextAction>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverriddenPolicy {
    pub policy_id: i32,
    pub policy_name: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NextAction {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub cause: String,
}

pub async fn for_asset<C: ConnectionTrait>(conn: &C, tag: &str) -> AppResult<AssetPowerView> {
    let a = asset::Entity::find()
        .filter(asset::Column::AssetTag.eq(tag))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("asset", tag))?;
    let now = Utc::now();
    let inputs = planning_inputs(conn, now).await?;
    let excluded = inputs.excluded.get(&a.id).cloned();
    let mut r: Resolution = scheduling::policy::resolve(&facts(&a), excluded.as_deref(), &inputs.policies);
    if a.lifecycle_state != "deployed" && r.policy_id.is_some() {
        r.reason =
            format!("{}; but the asset is {}, not deployed, so nothing is scheduled", r.reason, a.lifecycle_state);
    }
    let name_of = |id: i32| inputs.policies.iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or_default();
    let mut next_actions = vec![];
    if let (Some(pid), "deployed") = (r.policy_id, a.lifecycle_state.as_str()) {
        if let Some(p) = inputs.policies.iter().find(|p| p.id == pid) {
            let planned =
                scheduling::plan::policy_actions(p, now, now + chrono::Duration::days(7), &inputs.bank_holidays);
            let opts = inputs.opt_outs.get(&a.id).cloned().unwrap_or_default();
            next_actions = scheduling::plan::for_asset(&planned, &opts)
                .map(|x| NextAction { at: x.at, kind: x.kind.as_str().into(), cause: x.cause.as_str().into() })
                .collect();
        }
    }
    let opt_outs = power_opt_out::Entity::find()
        .filter(power_opt_out::Column::AssetId.eq(a.id))
        .filter(power_opt_out::Column::EndsAt.gt(now))
        .order_by_asc(power_opt_out::Column::EndsAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|o| opt_out_view(o, a.asset_tag.clone(), now))
        .collect();
    Ok(AssetPowerView {
        asset_tag: a.asset_tag.clone(),
        policy_name: r.policy_id.map(name_of),
        policy_id: r.policy_id,
        overridden: r
            .overridden
            .iter()
            .map(|(id, why)| OverriddenPolicy { policy_id: *id, policy_name: name_of(*id), why: why.clone() })
            .collect(),
        reason: r.reason,
        excluded,
        opt_outs,
        next_actions,
    })
}
