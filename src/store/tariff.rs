//! An electricity unit rate from a date, for one site or (no site) the council-wide default.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tariff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `None`: the default for every site without a tariff of its own.
    pub site_id: Option<i32>,
    pub effective_from: Date,
    /// Text decimal, pence per kWh as bills state it ("24.50").
    pub unit_rate_pence_per_kwh: String,
    /// Text decimal: the supplier's kgCO2e/kWh for market-based reporting (e.g. "0" for REGO-backed supply).
    pub market_kg_co2e_per_kwh: Option<String>,
    /// Text decimal, pence per day as bills state it ("53.35"); recorded, not part of ICT's estimate.
    pub standing_charge_pence_per_day: Option<String>,
    pub supplier: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
