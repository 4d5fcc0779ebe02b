//! A power action: one wake, shutdown or sleep of one asset at one time (see the migration for states).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "power_action")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub asset_id: i32,
    /// wake | shutdown | sleep
    pub kind: String,
    pub scheduled_at: DateTimeUtc,
    /// policy | patch_window | manual
    pub cause: String,
    pub policy_id: Option<i32>,
    pub requested_by: String,
    /// planned | claimed | sent | delivered | confirmed | failed | deferred | expired | cancelled
    pub state: String,
    pub warning_minutes: Option<i32>,
    pub may_defer: bool,
    pub max_defer_minutes: Option<i32>,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    pub attempts: i32,
    pub sent_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub confirmed_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub detail: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
