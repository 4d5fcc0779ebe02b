//! An enrolled agent: one per asset, with the SHA-256 hash of its device token.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agent_device")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub asset_id: i32,
    pub token_hash: String,
    pub hostname: Option<String>,
    /// As the agent last reported them, normalised, comma-separated.
    pub mac_addresses: Option<String>,
    pub os: Option<String>,
    pub agent_version: Option<String>,
    pub enrolment_token_id: Option<i32>,
    pub enrolled_at: DateTimeUtc,
    pub last_seen_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::asset::Entity", from = "Column::AssetId", to = "super::asset::Column::Id")]
    Asset,
}

impl ActiveModelBehavior for ActiveModel {}
