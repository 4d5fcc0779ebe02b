//! A usage profile: when devices are in use and what they do out of hours.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_profile")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    /// On round the clock; the working-hours fields are then ignored.
    pub always_on: bool,
    /// Comma-separated three-letter days, "mon,tue,wed,thu,fri".
    pub working_days: String,
    /// Wall-clock "HH:MM".
    pub start_time: String,
    pub end_time: String,
    /// "left_on", "sleep" or "off".
    pub out_of_hours: String,
    pub bank_holidays_off: bool,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
