//! The model catalogue: manufacturer and model, with power draw by state, embodied carbon and life.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "device_model")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub manufacturer: String,
    pub name: String,
    pub category: String,
    pub on_watts: f64,
    pub sleep_watts: f64,
    pub off_watts: f64,
    pub tec_kwh_per_year: Option<f64>,
    pub embodied_kg_co2e: Option<f64>,
    pub embodied_source: Option<String>,
    pub weight_kg: Option<f64>,
    pub default_life_months: Option<i32>,
    pub replacement_price_pence: Option<i64>,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
