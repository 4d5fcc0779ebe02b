//! One agent check-in: the device was on at `seen_at` (server time). Kept for a few hours, then rolled
//! up into `agent_hour` and deleted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agent_checkin")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub asset_id: i32,
    pub seen_at: DateTimeUtc,
    /// The agent's check-in interval: the check-in vouches for the device being on for this long before.
    pub interval_seconds: i32,
    pub uptime_seconds: Option<i64>,
    pub idle_seconds: Option<i64>,
    /// None: the agent could not tell.
    pub user_active: Option<bool>,
    pub on_battery: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
