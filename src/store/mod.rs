//! Storage: sea-orm entities and the connection. Nothing about HTTP lives here.

pub mod asset;
pub mod audit_event;
pub mod bulk;
pub mod connect;
pub mod department;
pub mod device_model;
pub mod network_segment;
pub mod site;

pub use connect::{connect, Store};
