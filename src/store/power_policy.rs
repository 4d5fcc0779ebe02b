//! A power policy: a weekly shutdown/wake schedule for a group of assets (see the migration).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "power_policy")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    pub enabled: bool,
    /// assets | tag | department | site | category
    pub target_kind: String,
    pub target_site_id: Option<i32>,
    pub target_department_id: Option<i32>,
    pub target_category: Option<String>,
    pub target_tag_prefix: Option<String>,
    /// shutdown | sleep
    pub off_action: String,
    /// Normalised weekly schedule text, e.g. "mon 07:30-19:00; tue 07:30-19:00".
    pub schedule: String,
    pub patch_windows: String,
    pub warning_minutes: i32,
    pub may_defer: bool,
    pub max_defer_minutes: i32,
    pub bank_holidays_off: bool,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
