//! One calendar year's UK grid electricity factors (kgCO2e/kWh), generation and T&D, with their source.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "grid_factor_set")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub year: i32,
    /// Text decimal, e.g. "0.20705".
    pub generation_kg_co2e_per_kwh: String,
    /// Text decimal, e.g. "0.01830".
    pub td_kg_co2e_per_kwh: String,
    pub source: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
