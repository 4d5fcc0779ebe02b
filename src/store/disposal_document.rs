//! A document attached to a disposal (or to one asset in it): the file lives in the data directory under
//! its SHA-256 checksum.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "disposal_document")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub disposal_id: i32,
    pub asset_id: Option<i32>,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
