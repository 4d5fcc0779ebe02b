//! One asset named in a power policy's explicit list.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "power_policy_asset")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub policy_id: i32,
    pub asset_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
