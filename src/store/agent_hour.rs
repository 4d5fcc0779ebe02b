//! One asset's observed hour: minutes seen on and minutes with a user active, rolled up from check-ins.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agent_hour")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub asset_id: i32,
    pub hour_start: DateTimeUtc,
    /// The UK calendar day the hour starts in.
    pub local_date: Date,
    pub checkins: i32,
    pub minutes_on: i32,
    pub minutes_user_active: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
