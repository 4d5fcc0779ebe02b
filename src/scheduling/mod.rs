//! PURE power-scheduling maths: weekly schedules in UK local time across the clock changes, which power
//! policy applies to an asset and why, the dated actions a policy asks for (bank holidays, patch windows,
//! opt-outs), catch-up after downtime, deferrals, and where a wake packet goes. No rocket, sea_orm or
//! tokio here; the scheduler (`crate::scheduler`) and services call it.

pub mod off_hours;
pub mod plan;
pub mod policy;
pub mod schedule;
pub mod wake;

pub use plan::{ActionKind, CatchUp, Cause, Due, OptOut, PlannedAction};
pub use policy::{AssetFacts, Deferral, OffKind, Policy, Resolution, Target, Winners};
pub use schedule::WeeklySchedule;
