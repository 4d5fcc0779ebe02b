//! An enrolment token handed to ICT staff: lets agents enrol until it expires, is revoked or used up.
//! Only the SHA-256 hash of the token is kept.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agent_enrolment_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub token_hash: String,
    pub label: String,
    /// When set, only assets at this site may enrol with the token.
    pub site_id: Option<i32>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub max_uses: Option<i32>,
    pub uses: i32,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
