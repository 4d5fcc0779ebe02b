//! Usage profiles (when devices are in use and what they do out of hours), the default profile of each
//! category, and an asset's own profile, which wins over its category's. Each change is validated against
//! the pure `energy::usage` types, saved and audited in one transaction.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc, Weekday};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, NotSet, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};

use super::audit::{self, Action};
use super::audited::{self, Audited};
use super::{text_field, Actor};
use crate::domain::{AssetTag, Category, FieldError, FieldErrors, Patch};
use crate::energy::usage::{OutOfHours, TimeOfDay, WeekdaySet, WorkingHours};
use crate::energy::UsageProfile;
use crate::error::{AppError, AppResult};
use crate::store::{asset, category_usage_profile, usage_profile};

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// Parses "mon", "Tuesday", "SAT"... into a weekday.
pub fn parse_day(raw: &str) -> Option<Weekday> {
    let lower = raw.trim().to_lowercase();
    DAYS.iter().find(|(short, _)| lower.len() >= 3 && lower.starts_with(short)).map(|(_, d)| *d)
}

pub fn day_name(day: Weekday) -> &'static str {
    DAYS.iter().find(|(_, d)| *d == day).map(|(s, _)| *s).unwrap_or("mon")
}

/// Parses a wall-clock "HH:MM" (00:00 to 24:00).
pub fn parse_time(field: &str, raw: &str) -> Result<TimeOfDay, FieldError> {
    let bad = || FieldError::new(field, "invalid", format!("{field} '{raw}' is not a time of day like 08:00"));
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    TimeOfDay::hm(h, m).map_err(|e| FieldError::new(field, "invalid", e))
}

fn time_text(t: TimeOfDay) -> String {
    format!("{:02}:{:02}", t.minutes() / 60, t.minutes() % 60)
}

fn out_of_hours_of(raw: &str) -> Option<OutOfHours> {
    match raw {
        "left_on" => Some(OutOfHours::LeftOn),
        "sleep" => Some(OutOfHours::Sleep),
        "off" => Some(OutOfHours::Off),
        _ => None,
    }
}

/// The pure profile for a stored row.
pub fn to_profile(m: &usage_profile::Model) -> Result<UsageProfile, String> {
    if m.always_on {
        return Ok(UsageProfile::ALWAYS_ON);
    }
    let days: Vec<Weekday> = m.working_days.split(',').filter(|d| !d.is_empty()).filter_map(parse_day).collect();
    let start = parse_time("start_time", &m.start_time).map_err(|e| e.message)?;
    let end = parse_time("end_time", &m.end_time).map_err(|e| e.message)?;
    let ooh = out_of_hours_of(&m.out_of_hours).ok_or_else(|| format!("out_of_hours '{}'", m.out_of_hours))?;
    Ok(UsageProfile::working(WorkingHours::new(WeekdaySet::of(&days), start, end, ooh, m.bank_holidays_off)?))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UsageProfileView {
    pub id: i32,
    pub name: String,
    /// On round the clock (servers, switches); the working-hours fields are then ignored.
    pub always_on: bool,
    #[schema(example = json!(["mon", "tue", "wed", "thu", "fri"]))]
    pub working_days: Vec<String>,
    #[schema(example = "08:00")]
    pub start_time: String,
    #[schema(example = "18:00")]
    pub end_time: String,
    /// What devices do outside working hours: `left_on`, `sleep` or `off`.
    #[schema(example = "sleep")]
    pub out_of_hours: String,
    /// Bank holidays are non-working days.
    pub bank_holidays_off: bool,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<usage_profile::Model> for UsageProfileView {
    fn from(m: usage_profile::Model) -> UsageProfileView {
        UsageProfileView {
            id: m.id,
            name: m.name,
            always_on: m.always_on,
            working_days: m.working_days.split(',').filter(|d| !d.is_empty()).map(str::to_string).collect(),
            start_time: m.start_time,
            end_time: m.end_time,
            out_of_hours: m.out_of_hours,
            bank_holidays_off: m.bank_holidays_off,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new profile, or changes to one. New profiles default to Monday–Friday 08:00–18:00, asleep out of
/// hours, bank holidays off.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageProfileChanges {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Office hours")]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub always_on: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>, example = json!(["mon", "tue", "wed", "thu", "fri"]))]
    pub working_days: Patch<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "08:00")]
    pub start_time: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "18:00")]
    pub end_time: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "sleep")]
    pub out_of_hours: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub bank_holidays_off: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
}

impl UsageProfileChanges {
    fn apply(self, m: &mut usage_profile::Model) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        match crate::domain::text::required("name", self.name.apply(Some(m.name.clone())), 200) {
            Ok(n) => m.name = n,
            Err(e) => errs.push(e),
        }
        m.always_on = self.always_on.apply(Some(m.always_on)).unwrap_or(false);
        m.bank_holidays_off = self.bank_holidays_off.apply(Some(m.bank_holidays_off)).unwrap_or(true);
        if let Some(days) = self.working_days.apply(None) {
            let mut parsed = Vec::new();
            for d in &days {
                match parse_day(d) {
                    Some(day) if !parsed.contains(&day) => parsed.push(day),
                    Some(_) => {}
                    None => errs.push(FieldError::new("working_days", "invalid", format!("'{d}' is not a day"))),
                }
            }
            parsed.sort_by_key(|d| d.num_days_from_monday());
            m.working_days = parsed.iter().map(|d| day_name(*d)).collect::<Vec<_>>().join(",");
        }
        for (field, value, patch) in
            [("start_time", &mut m.start_time, self.start_time), ("end_time", &mut m.end_time, self.end_time)]
        {
            if let Some(raw) = patch.apply(None) {
                match parse_time(field, &raw) {
                    Ok(t) => *value = time_text(t),
                    Err(e) => errs.push(e),
                }
            }
        }
        if let Some(raw) = self.out_of_hours.apply(None) {
            match out_of_hours_of(raw.trim()) {
                Some(_) => m.out_of_hours = raw.trim().to_string(),
                None => errs.push(FieldError::new(
                    "out_of_hours",
                    "invalid",
                    format!("out_of_hours '{raw}' must be left_on, sleep or off"),
                )),
            }
        }
        m.notes = text_field(&mut errs, "notes", self.notes.apply(m.notes.clone()), 10_000);
        if errs.is_empty() {
            if let Err(e) = to_profile(m) {
                errs.push(FieldError::new("end_time", "invalid", e));
            }
        }
        errs.into_result(())
    }
}

impl Audited for usage_profile::Model {
    const ENTITY: &'static str = "usage_profile";
    type View = UsageProfileView;

    fn id(&self) -> i32 {
        self.id
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
    }

    fn duplicate_message(&self) -> String {
        format!("a usage profile named '{}' already exists", self.name)
    }
}

pub async fn list<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<UsageProfileView>> {
    let rows = usage_profile::Entity::find().order_by_asc(usage_profile::Column::Name).all(conn).await?;
    Ok(rows.into_iter().map(UsageProfileView::from).collect())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<UsageProfileView> {
    audited::find::<usage_profile::Model, _>(conn, id).await.map(UsageProfileView::from)
}

async fn check_name_free<C: ConnectionTrait>(conn: &C, m: &usage_profile::Model) -> AppResult<()> {
    let clash = usage_profile::Entity::find()
        .filter(usage_profile::Column::Name.eq(m.name.clone()))
        .filter(usage_profile::Column::Id.ne(m.id))
        .count(conn)
        .await?;
    if clash > 0 {
        return Err(AppError::conflict("duplicate", m.duplicate_message(), Some("name")));
    }
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    changes: UsageProfileChanges,
) -> AppResult<UsageProfileView> {
    let txn = db.begin_write().await?;
    let view = create_in(&txn, actor, changes).await?;
    txn.commit().await?;
    Ok(view)
}

/// [`create`] inside the caller's transaction (the demo loader).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    changes: UsageProfileChanges,
) -> AppResult<UsageProfileView> {
    let now = Utc::now();
    let mut m = usage_profile::Model {
        id: 0,
        name: String::new(),
        always_on: false,
        working_days: "mon,tue,wed,thu,fri".into(),
        start_time: "08:00".into(),
        end_time: "18:00".into(),
        out_of_hours: "sleep".into(),
        bank_holidays_off: true,
        notes: None,
        created_at: now,
        updated_at: now,
    };
    changes.apply(&mut m)?;
    check_name_free(txn, &m).await?;
    audited::insert(txn, actor, m).await
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: UsageProfileChanges,
) -> AppResult<UsageProfileView> {
    let txn = db.begin_write().await?;
    let before: usage_profile::Model = audited::find(&txn, id).await?;
    let mut m = before.clone();
    changes.apply(&mut m)?;
    check_name_free(&txn, &m).await?;
    let (view, _) = audited::update_if_changed(&txn, actor, before, m).await?;
    txn.commit().await?;
    Ok(view)
}

/// Deletes a profile no category and no asset uses.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let before: usage_profile::Model = audited::find(&txn, id).await?;
    let categories = category_usage_profile::Entity::find()
        .filter(category_usage_profile::Column::UsageProfileId.eq(id))
        .count(&txn)
        .await?;
    let assets = asset::Entity::find().filter(asset::Column::UsageProfileId.eq(id)).count(&txn).await?;
    if categories + assets > 0 {
        return Err(AppError::conflict(
            "in_use",
            format!(
                "usage profile '{}' is the default for {categories} categories and set on {assets} assets; \
                 move them to another profile first",
                before.name
            ),
            None,
        ));
    }
    audited::delete(&txn, actor, before).await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------- category defaults

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct CategoryProfileView {
    pub category: Category,
    pub usage_profile_id: i32,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileChoice {
    /// The profile to use; `null` removes the choice.
    pub usage_profile_id: Option<i32>,
}

pub async fn category_defaults<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<CategoryProfileView>> {
    let rows =
        category_usage_profile::Entity::find().order_by_asc(category_usage_profile::Column::Category).all(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(CategoryProfileView { category: r.category.parse().ok()?, usage_profile_id: r.usage_profile_id })
        })
        .collect())
}

async fn check_profile<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<()> {
    if usage_profile::Entity::find_by_id(id).one(conn).await?.is_none() {
        return Err(AppError::field(
            "usage_profile_id",
            "unknown_reference",
            format!("no usage profile with id {id}; create it first"),
        ));
    }
    Ok(())
}

/// Sets (or with `None` removes) the default profile of a category.
pub async fn set_category_default(
    db: &DatabaseConnection,
    actor: &Actor,
    category: Category,
    profile_id: Option<i32>,
) -> AppResult<Option<CategoryProfileView>> {
    let txn = db.begin_write().await?;
    let view = set_category_default_in(&txn, actor, category, profile_id).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn set_category_default_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    category: Category,
    profile_id: Option<i32>,
) -> AppResult<Option<CategoryProfileView>> {
    let existing = category_usage_profile::Entity::find()
        .filter(category_usage_profile::Column::Category.eq(category.as_str()))
        .one(txn)
        .await?;
    let before = existing.as_ref().map(|r| CategoryProfileView { category, usage_profile_id: r.usage_profile_id });
    let now = Utc::now();
    let after = match (existing, profile_id) {
        (None, None) => return Ok(None),
        (Some(row), None) => {
            category_usage_profile::Entity::delete_by_id(row.id).exec(txn).await?;
            None
        }
        (existing, Some(pid)) => {
            check_profile(txn, pid).await?;
            match existing {
                Some(mut row) => {
                    row.usage_profile_id = pid;
                    row.updated_at = now;
                    row.into_active_model().reset_all().update(txn).await?;
                }
                None => {
                    category_usage_profile::ActiveModel {
                        id: NotSet,
                        category: sea_orm::Set(category.as_str().to_string()),
                        usage_profile_id: sea_orm::Set(pid),
                        created_at: sea_orm::Set(now),
                        updated_at: sea_orm::Set(now),
                    }
                    .insert(txn)
                    .await?;
                }
            }
            Some(CategoryProfileView { category, usage_profile_id: pid })
        }
    };
    if before != after {
        let action = match (&before, &after) {
            (None, _) => Action::Create,
            (_, None) => Action::Delete,
            _ => Action::Update,
        };
        let entity_id = category.as_str();
        audit::record(txn, actor, action, "category_usage_profile", entity_id, before.as_ref(), after.as_ref()).await?;
    }
    Ok(after)
}

/// An asset's own usage profile, if it has one (else its category's default applies).
pub async fn asset_profile<C: ConnectionTrait>(conn: &C, tag: &AssetTag) -> AppResult<Option<i32>> {
    let row = asset::Entity::find()
        .filter(asset::Column::AssetTag.eq(tag.as_str()))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("asset", tag.as_str()))?;
    Ok(row.usage_profile_id)
}

/// Sets (or with `None` clears) an asset's own usage profile.
pub async fn set_asset_profile(
    db: &DatabaseConnection,
    actor: &Actor,
    tag: &AssetTag,
    profile_id: Option<i32>,
) -> AppResult<Option<i32>> {
    let txn = db.begin_write().await?;
    let row = asset::Entity::find()
        .filter(asset::Column::AssetTag.eq(tag.as_str()))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("asset", tag.as_str()))?;
    if let Some(pid) = profile_id {
        check_profile(&txn, pid).await?;
    }
    if row.usage_profile_id != profile_id {
        #[derive(Serialize)]
        struct Choice {
            usage_profile_id: Option<i32>,
        }
        let before = Choice { usage_profile_id: row.usage_profile_id };
        let id = row.id;
        let mut am = row.into_active_model();
        am.usage_profile_id = sea_orm::Set(profile_id);
        am.updated_at = sea_orm::Set(Utc::now());
        am.update(&txn).await?;
        let after = Choice { usage_profile_id: profile_id };
        audit::record(&txn, actor, Action::Update, super::assets::ENTITY, id, Some(&before), Some(&after)).await?;
    }
    txn.commit().await?;
    Ok(profile_id)
}

/// Gives many assets one profile in the caller's transaction (the demo loader; later a bulk edit), with one
/// audit event on the profile listing the assets' ids.
pub async fn assign_to_assets_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    profile_id: i32,
    asset_ids: &[i32],
) -> AppResult<u64> {
    check_profile(txn, profile_id).await?;
    let mut changed = 0;
    for chunk in asset_ids.chunks(1000) {
        let result = asset::Entity::update_many()
            .col_expr(asset::Column::UsageProfileId, sea_orm::sea_query::Expr::value(profile_id))
            .filter(asset::Column::Id.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
        changed += result.rows_affected;
    }
    #[derive(Serialize)]
    struct Assigned<'a> {
        assigned_to_asset_ids: &'a [i32],
    }
    let after = Assigned { assigned_to_asset_ids: asset_ids };
    audit::record(txn, actor, Action::Update, usage_profile::Model::ENTITY, profile_id, None, Some(&after)).await?;
    Ok(changed)
}
