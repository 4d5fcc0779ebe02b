//! A meter at a site: the whole site's supply, an ICT sub-meter, or a server-room sub-meter.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meter")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub site_id: i32,
    /// Unique within its site, e.g. "Main incomer" or "Server room DB2".
    pub name: String,
    /// "whole_site" | "ict" | "server_room" (see `services::meters::Measures`).
    pub measures: String,
    pub description: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
