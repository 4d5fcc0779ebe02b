//! The kWh one meter measured over one interval (a half hour or a day) starting at a UTC instant.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meter_reading")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub meter_id: i32,
    /// The start of the interval, UTC.
    pub starts_at: DateTimeUtc,
    /// 30 or 1440.
    pub interval_minutes: i32,
    /// Text decimal, exact as the file gave it ("0.125").
    pub kwh: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
