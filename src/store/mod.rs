//! Storage: sea-orm entities and the connection. Nothing about HTTP lives here.

pub mod asset;
pub mod audit_event;
pub mod bank_holiday;
pub mod bulk;
pub mod category_usage_profile;
pub mod connect;
pub mod department;
pub mod device_model;
pub mod disposal;
pub mod disposal_asset;
pub mod disposal_document;
pub mod energy_seed;
pub mod grid_factor_set;
pub mod network_segment;
pub mod power_action;
pub mod reference_seed;
pub mod site;
pub mod tariff;
pub mod usage_profile;

pub use connect::{connect, Store};
