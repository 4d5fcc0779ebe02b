//! Database migrations for greenict: one file per change, never edited once released.
//! The same migrations run on SQLite (the embedded default) and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_register;
mod m20261124_000001_energy;
mod m20261124_000002_list_indexes;
mod m20261125_000001_power_actions;
mod m20261125_000002_power_policies;
mod m20261125_000003_agents;
mod m20261126_000001_cost_items;
mod m20261126_000002_disposals;
mod m20261127_000001_users;
mod m20261202_000001_tariff_standing_charge;
mod m20261202_000002_meter_readings;
mod m20261203_000001_asset_forecast_index;
mod m20261203_000002_scheduler_state;
mod m20261207_000001_power_action_open_index;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_register::Migration),
            Box::new(m20261124_000001_energy::Migration),
            Box::new(m20261124_000002_list_indexes::Migration),
            Box::new(m20261125_000001_power_actions::Migration),
            Box::new(m20261125_000002_power_policies::Migration),
            Box::new(m20261125_000003_agents::Migration),
            Box::new(m20261126_000001_cost_items::Migration),
            Box::new(m20261126_000002_disposals::Migration),
            Box::new(m20261127_000001_users::Migration),
            Box::new(m20261202_000001_tariff_standing_charge::Migration),
            Box::new(m20261202_000002_meter_readings::Migration),
            Box::new(m20261203_000001_asset_forecast_index::Migration),
            Box::new(m20261203_000002_scheduler_state::Migration),
            Box::new(m20261207_000001_power_action_open_index::Migration),
        ]
    }
}
