//! Storage: sea-orm entities and the connection. Nothing about HTTP lives here.

pub mod agent_checkin;
pub mod agent_device;
pub mod agent_enrolment_token;
pub mod agent_hour;
pub mod api_token;
pub mod app_user;
pub mod asset;
pub mod audit_event;
pub mod backup;
pub mod bank_holiday;
pub mod bulk;
pub mod category_usage_profile;
pub mod connect;
pub mod cost_item;
pub mod department;
pub mod device_model;
pub mod disposal;
pub mod disposal_asset;
pub mod disposal_document;
pub mod energy_seed;
pub mod grid_factor_set;
pub mod network_segment;
pub mod power_action;
pub mod power_exclusion;
pub mod power_opt_out;
pub mod power_policy;
pub mod power_policy_asset;
pub mod reference_seed;
pub mod sign_in_attempt;
pub mod sign_in_link;
pub mod site;
pub mod tariff;
pub mod usage_profile;
pub mod user_session;

pub use connect::{connect, Store};
