//! Use cases: one function per thing a user does. Each loads, calls the domain, persists and writes
//! its audit event in one transaction. Callers: web (API and pages), cli, demo, and later import.

pub mod actor;
pub mod agents;
pub mod api_tokens;
pub mod asset_list;
pub mod assets;
pub mod audit;
pub mod audited;
pub mod charts;
pub mod cost_items;
pub mod departments;
pub mod device_models;
pub mod disposals;
pub mod energy;
pub mod energy_reference;
pub mod metered;
pub mod meters;
pub mod network_segments;
pub mod policy_savings;
pub mod power_actions;
pub mod power_policies;
pub mod refresh;
pub mod register_summary;
pub mod reports;
pub mod sessions;
pub mod sites;
pub mod tco;
pub mod usage_profiles;
pub mod users;
pub mod versioned_cache;

pub use actor::Actor;

use crate::domain::FieldErrors;
use crate::error::AppError;

/// The stored form of an optional text field after trimming and length checks.
pub(crate) fn text_field(errs: &mut FieldErrors, field: &str, value: Option<String>, max: usize) -> Option<String> {
    match crate::domain::text::optional(field, value, max) {
        Ok(v) => v,
        Err(e) => {
            errs.push(e);
            None
        }
    }
}

/// A unique-constraint violation that slipped past the service's own check (two requests racing):
/// turned into a 409 naming the field rather than a 500.
pub(crate) fn unique_violation(e: sea_orm::DbErr, field: &str, message: String) -> AppError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::conflict("duplicate", message, Some(field)),
        _ => AppError::Database(e),
    }
}
