//! A WEEE disposal: one batch (or one asset) leaving the estate by one route on one date.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "disposal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub reference: String,
    pub disposal_date: Date,
    /// See `domain::disposal::Route`.
    pub route: String,
    pub receiving_organisation: Option<String>,
    pub waste_carrier: Option<String>,
    pub carrier_registration: Option<String>,
    pub waste_transfer_note: Option<String>,
    pub hazardous_consignment_note: Option<String>,
    pub cost_pence: Option<i64>,
    pub income_pence: Option<i64>,
    /// draft | completed
    pub state: String,
    pub completed_at: Option<DateTimeUtc>,
    pub completed_by: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
